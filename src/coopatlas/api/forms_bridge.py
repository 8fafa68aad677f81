"""Turn a JSON body into the data of the record type's UI form, so both are validated by the same rules."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from coopatlas.api.errors import InvalidDataError, form_messages
from coopatlas.api.schemas import input_fields
from coopatlas.core.registry import RecordType


def to_form_value(value: Any) -> Any:
    """A JSON-side value as a form widget expects it (None is an empty field, dates are ISO text)."""
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_form_value(v) for v in value]
    return value


def current_values(rt: RecordType, record: Any) -> dict[str, Any]:
    """The values the form of ``rt`` edits, read from ``record`` (model defaults for an unsaved one)."""
    values: dict[str, Any] = {}
    for field in input_fields(rt):
        if field.name == "owner":
            values["owner"] = record.owner_id
            continue
        model_field = record._meta.get_field(field.name)
        if model_field.many_to_many:
            values[field.name] = [obj.pk for obj in getattr(record, field.name).all()] if record.pk else []
        elif model_field.many_to_one:
            values[field.name] = getattr(record, model_field.attname)
        else:
            values[field.name] = getattr(record, field.name)
    return values


def form_data(rt: RecordType, base: Any, sent: dict[str, Any]) -> dict[str, Any]:
    """Form data: the fields of ``base`` (current record for PATCH, a new one for POST/PUT) overlaid by ``sent``."""
    values = {**current_values(rt, base), **sent}
    return {name: to_form_value(value) for name, value in values.items()}


def valid_form(rt: RecordType, data: dict[str, Any], user: Any, instance: Any = None) -> Any:
    """The bound UI form of ``rt``; raises ``InvalidDataError`` with its field messages when the data is refused."""
    form = rt.form(data, instance=instance, user=user)
    if not form.is_valid():
        raise InvalidDataError(form_messages(form))
    return form
