"""The change log: snapshots of tracked fields and the differences between them."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

#: Fields that describe the record's bookkeeping, not its content.
UNTRACKED = {"id", "version", "created_at", "updated_at", "published_at", "created_by", "deleted_at", "deleted_by"}


def _serialise(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(record: models.Model) -> dict[str, Any]:
    """Tracked field values of ``record``: concrete fields by value, many-to-many as sorted pks."""
    values: dict[str, Any] = {}
    for field in record._meta.concrete_fields:
        if field.name in UNTRACKED:
            continue
        values[field.name] = _serialise(field.value_from_object(record))
    if record.pk:
        for field in record._meta.many_to_many:
            values[field.name] = sorted(_serialise(pk) for pk in getattr(record, field.name).values_list("pk", flat=True))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    changed: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changed[name] = [old, new]
    return changed


def history_of(record: models.Model) -> models.QuerySet:
    """The change records of ``record``, newest first."""
    from coopatlas.core.models import ChangeRecord

    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("user")
