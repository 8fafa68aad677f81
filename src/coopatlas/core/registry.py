"""The registry of catalogue record types: one entry per type, used by views, search and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class RecordType:
    """How one record type is named, edited and shown."""

    key: str
    model: Any
    form: Any
    label: str | Promise
    label_plural: str | Promise
    url_namespace: str
    url_prefix: str
    #: Heading of the creation form ("New solution"), one string per type so each language can inflect it.
    create_label: str | Promise = ""
    #: Fields shown on the detail page, in order (text fields rendered as sanitised Markdown).
    detail_fields: tuple[str, ...] = ()
    #: Fields only signed-in users may see (expert contact details).
    private_fields: tuple[str, ...] = ()
    #: Relations to prefetch for the detail page.
    prefetch: tuple[str, ...] = field(default_factory=tuple)


REGISTRY: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    """Add a record type to the registry."""
    REGISTRY[record_type.key] = record_type
    return record_type


def get(key: str) -> RecordType:
    """The record type named ``key`` (KeyError when unknown)."""
    return REGISTRY[key]


def for_model(model: Any) -> RecordType:
    """The record type of a model class or instance."""
    key = model.RECORD_TYPE
    return REGISTRY[key]
