"""Request and response schemas of each record type, derived from its model and its UI form.

Responses carry every field of the record: foreign keys as the related id or code, many-to-many
relations as lists of ids or codes (countries ``BRA``, SDG targets ``2.1``, sectors ``31120``,
modalities ``training``, organisations by id). Request bodies carry the fields of the UI form, so
the API accepts exactly what the form accepts; the form, not the schema, holds the rules.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema
from pydantic import create_model

from coopatlas.core.display import record_url
from coopatlas.core.registry import RecordType
from coopatlas.core.services import TRANSITIONS

#: Model fields the API never shows: who created or deleted a record, an expert's linked account,
#: an organisation's member list (members are managed on the organisation's page).
HIDDEN_FIELDS = {"id", "created_by", "deleted_by", "user", "members"}


class RecordOut(Schema):
    """What every record type has: identity, owner, workflow, version and language."""

    id: int
    type: str
    url: str = Field(description="The record's page on the website.")
    api_url: str = Field(description="The record in this API.")
    owner: int | None = Field(None, description="Id of the owning organisation (an organisation owns itself).")
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description="{language: {field: text}}")
    workflow_status: Literal["draft", "submitted", "published", "returned"]
    moderation_comment: str = ""
    version: int = Field(description="Send it back when updating (optimistic locking).")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    published_at: datetime.datetime | None = None
    deleted_at: datetime.datetime | None = None


class WorkflowIn(Schema):
    """A moderation step: submit, publish, return (with a comment) or unpublish."""

    action: Literal[tuple(str(a) for a in TRANSITIONS)]  # type: ignore[valid-type]
    comment: str = Field("", max_length=20_000, description="Required when returning a record to its author.")


def key_type(model: Any) -> type:
    """The Python type of ``model``'s primary key (ids are ints, reference codes strings)."""
    return int if isinstance(model._meta.pk, models.IntegerField) else str


def _model_field_type(field: models.Field) -> Any:
    if field.many_to_many:
        return list[key_type(field.related_model)]  # type: ignore[misc]
    if field.many_to_one:
        return key_type(field.related_model) | None
    if isinstance(field, models.DateTimeField):
        return datetime.datetime | None
    if isinstance(field, models.DateField):
        return datetime.date | None
    if isinstance(field, models.DecimalField):
        return decimal.Decimal | None
    if isinstance(field, models.JSONField):
        return Any
    if isinstance(field, models.BooleanField):
        # A nullable flag (IATI @humanitarian, aggregation-status ...) is unknown when absent: null.
        return bool | None if field.null else bool
    if isinstance(field, models.IntegerField):
        return int | None
    return str


def output_fields(rt: RecordType) -> list[models.Field]:
    """The type-specific model fields a response shows (the common ones are in ``RecordOut``)."""
    common = set(RecordOut.model_fields) | HIDDEN_FIELDS
    fields = [*rt.model._meta.concrete_fields, *rt.model._meta.many_to_many]
    return [f for f in fields if f.name not in common]


def build_output_schema(rt: RecordType) -> type[Schema]:
    """The response schema of one record type."""
    definitions: dict[str, Any] = {}
    for field in output_fields(rt):
        python_type = _model_field_type(field)
        if field.name in rt.private_fields:
            python_type = python_type | None
            definitions[field.name] = (python_type, Field(None, description="Only shown to signed-in callers."))
        else:
            definitions[field.name] = (python_type, Field(..., description=str(field.verbose_name)))
    return create_model(f"{rt.model.__name__}Out", __base__=RecordOut, **definitions)


def serialise(record: Any, rt: RecordType, user: Any, request: HttpRequest) -> dict[str, Any]:
    """A record as the response dict; many-to-many values come from the prefetch cache."""
    data: dict[str, Any] = {
        "id": record.pk,
        "type": rt.key,
        "url": request.build_absolute_uri(record_url(record)),
        "api_url": request.build_absolute_uri(reverse("api:" + operation_id(rt, "get"), args=[record.pk])),
        "owner": record.owner_organisation_id,
    }
    for name in RecordOut.model_fields:
        if name not in data:
            data[name] = getattr(record, name)
    show_private = bool(getattr(user, "is_authenticated", False))
    for field in output_fields(rt):
        if field.name in rt.private_fields and not show_private:
            data[field.name] = None
        elif field.many_to_many:
            data[field.name] = [related.pk for related in getattr(record, field.name).all()]
        elif field.many_to_one:
            data[field.name] = getattr(record, field.attname)
        else:
            data[field.name] = getattr(record, field.name)
    return data


def operation_id(rt: RecordType, verb: str) -> str:
    """The OpenAPI operation id (also the URL name) of ``verb`` on one record type."""
    return f"{rt.key}_{verb}"


# --- Request bodies --------------------------------------------------------------------------


@dataclass(frozen=True)
class InputField:
    """One field of a record type's form as the API accepts it."""

    name: str
    python_type: Any
    required: bool
    description: str


def _model_field(rt: RecordType, name: str) -> models.Field | None:
    """The model field a form field edits; None for a form-only field."""
    try:
        return rt.model._meta.get_field(name)  # type: ignore[no-any-return]
    except FieldDoesNotExist:
        return None


def _form_field_type(rt: RecordType, name: str, field: forms.Field) -> Any:
    if isinstance(field, forms.ModelMultipleChoiceField):
        return list[key_type(field.queryset.model)]  # type: ignore[misc]
    if isinstance(field, forms.ModelChoiceField):
        return key_type(field.queryset.model)
    if isinstance(field, forms.MultipleChoiceField):
        return list[str]
    if isinstance(_model_field(rt, name), models.JSONField):
        return list[str]
    if isinstance(field, forms.DateField):
        return datetime.date
    if isinstance(field, forms.DecimalField):
        return decimal.Decimal
    if isinstance(field, forms.IntegerField):
        return int
    if isinstance(field, forms.NullBooleanField):
        return bool | None
    if isinstance(field, forms.BooleanField):
        return bool
    return str


def input_fields(rt: RecordType) -> list[InputField]:
    """The fields the UI form of ``rt`` edits (plus the owning organisation), with their JSON types.

    A field is required on create when the form requires it and the model has no default for it.
    """
    from coopatlas.catalogue.models import Organisation

    result: list[InputField] = []
    if rt.model is not Organisation:
        result.append(InputField("owner", int, True, "Id of the owning organisation: one of yours."))
    for name, field in rt.form.base_fields.items():
        if name == "version":
            continue
        model_field = _model_field(rt, name)
        has_default = model_field is not None and model_field.has_default()
        description = str(field.label or name)
        if field.help_text:
            description += f" — {field.help_text}"
        result.append(InputField(name, _form_field_type(rt, name, field), field.required and not has_default,
                                 description))
    return result


def build_input_schemas(rt: RecordType) -> tuple[type[Schema], type[Schema], type[Schema]]:
    """The create (POST), replace (PUT) and partial update (PATCH) body schemas of one record type."""
    name = rt.model.__name__
    create: dict[str, Any] = {}
    patch: dict[str, Any] = {}
    for f in input_fields(rt):
        optional = (f.python_type | None, Field(None, description=f.description))
        create[f.name] = (f.python_type, Field(..., description=f.description)) if f.required else optional
        patch[f.name] = optional
    version = (int, Field(..., ge=1, description="The version you last read (optimistic locking)."))
    create_schema = create_model(f"{name}Create", __base__=Schema, **create)
    replace_schema = create_model(f"{name}Replace", __base__=Schema, version=version, **create)
    patch_schema = create_model(f"{name}Patch", __base__=Schema, version=version, **patch)
    return create_schema, replace_schema, patch_schema
