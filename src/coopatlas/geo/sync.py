"""Idempotent bulk upserts for reference tables: compare in memory, then one bulk_create and one bulk_update.

Shared by the reference loaders of ``geo``, ``indicators`` and ``iati``. Reference tables are small
(at most a few thousand rows), so reading a whole table once is cheaper than a query per row.
Rows missing from the source are kept, never deleted: other records may point at them (PROTECT).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

BATCH_SIZE = 500


@dataclass
class TableReport:
    """What one upsert did to one table."""

    table: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        """Rows of the source now in the table."""
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        """One summary line: "geo.Country: 249 rows (0 created, 0 updated)"."""
        text = f"{self.table}: {self.total} rows ({self.created} created, {self.updated} updated"
        return text + (f", {self.deleted} deleted)" if self.deleted else ")")


def sync_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]], key: tuple[str, ...]) -> TableReport:
    """Create missing rows and update changed ones, matching on ``key``; rows use attnames (``region_id``)."""
    rows = list(rows)
    fields = sorted({name for row in rows for name in row} - set(key))
    existing = {tuple(getattr(obj, name) for name in key): obj for obj in model._default_manager.all()}
    seen: set[tuple[Any, ...]] = set()
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    for row in rows:
        row_key = tuple(row[name] for name in key)
        if row_key in seen:
            raise ValueError(f"{model._meta.label}: duplicate key {row_key} in the source")
        seen.add(row_key)
        obj = existing.get(row_key)
        if obj is None:
            to_create.append(model(**row))
            continue
        changed = [name for name in fields if getattr(obj, name) != row[name]]
        for name in changed:
            setattr(obj, name, row[name])
        if changed:
            to_update.append(obj)
    model._default_manager.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        names = {field.attname: field.name for field in model._meta.concrete_fields}
        update_fields = [names[attname] for attname in fields]
        model._default_manager.bulk_update(to_update, update_fields, batch_size=BATCH_SIZE)
    unchanged = len(rows) - len(to_create) - len(to_update)
    return TableReport(model._meta.label, created=len(to_create), updated=len(to_update), unchanged=unchanged)


def sync_links(field: models.ManyToManyField, pairs: Iterable[tuple[Any, Any]]) -> TableReport:
    """Make a many-to-many table hold exactly ``pairs`` of (source pk, target pk)."""
    through = field.remote_field.through
    source = field.m2m_field_name() + "_id"
    target = field.m2m_reverse_field_name() + "_id"
    wanted = set(pairs)
    existing = {(a, b): pk for pk, a, b in through._default_manager.values_list("pk", source, target)}
    missing = [through(**{source: a, target: b}) for a, b in sorted(wanted - existing.keys())]
    stale = [pk for pair, pk in existing.items() if pair not in wanted]
    through._default_manager.bulk_create(missing, batch_size=BATCH_SIZE)
    if stale:
        through._default_manager.filter(pk__in=stale).delete()
    return TableReport(
        through._meta.label, created=len(missing), unchanged=len(wanted) - len(missing), deleted=len(stale)
    )
