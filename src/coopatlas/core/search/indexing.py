"""Keeping the index in step with the records: one record on change, everything on ``reindex``.

Both paths go through ``write_documents``: upsert the entries and their texts (the full-text index
follows by trigger on SQLite and as a generated column on PostgreSQL), then replace their facet rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, models, transaction

from coopatlas.core.models import CatalogueRecord
from coopatlas.core.models_search import SearchEntry, SearchFacetValue, SearchText
from coopatlas.core.search.backends import get_backend
from coopatlas.core.search.documents import (
    INDEXED_TYPES,
    IndexedType,
    ReferenceMaps,
    SearchDocument,
    build_documents,
    indexed_type_of,
)

#: Records read and written per batch by ``reindex``.
BATCH_SIZE = 500
_FACET_TABLE = SearchFacetValue._meta.db_table
_ENTRY_FIELDS = ("title", "language", "workflow_status", "owner_id", "deleted_at", "updated_at")
_TEXT_FIELDS = ("titles", "summaries", "search_title", "search_body")


def _entry(document: SearchDocument) -> SearchEntry:
    return SearchEntry(
        record_type=document.record_type,
        object_id=document.object_id,
        **{f: getattr(document, f) for f in _ENTRY_FIELDS},
    )


def _text(entry_id: int, document: SearchDocument) -> SearchText:
    return SearchText(entry_id=entry_id, **{f: getattr(document, f) for f in _TEXT_FIELDS})


def _facet_rows(entry_ids: Sequence[int], documents: Sequence[SearchDocument]) -> list[tuple[int, str, str]]:
    return [
        (entry_id, facet, value[:40])
        for entry_id, document in zip(entry_ids, documents, strict=True)
        for facet, values in document.facets.items()
        for value in sorted(values)
    ]


def write_documents(documents: Sequence[SearchDocument]) -> list[int]:
    """Upsert the entries of ``documents`` and replace their facet rows; returns the entry ids."""
    if not documents:
        return []
    entries = [_entry(d) for d in documents]
    with transaction.atomic():
        SearchEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["record_type", "object_id"],
            update_fields=list(_ENTRY_FIELDS),
        )
        if any(entry.pk is None for entry in entries):  # a database that does not return upserted ids
            ids = _entry_ids(documents)
            for entry, document in zip(entries, documents, strict=True):
                entry.pk = ids[(document.record_type, document.object_id)]
        entry_ids = [entry.pk for entry in entries]
        SearchText.objects.bulk_create(
            [_text(entry.pk, d) for entry, d in zip(entries, documents, strict=True)],
            update_conflicts=True,
            unique_fields=["entry"],
            update_fields=list(_TEXT_FIELDS),
        )
        SearchFacetValue.objects.filter(entry_id__in=entry_ids).delete()
        _insert_facet_rows(_facet_rows(entry_ids, documents))
    return entry_ids


def insert_new_documents(documents: Sequence[SearchDocument]) -> list[int]:
    """Plain INSERTs of the rows of records that have no entry yet (bulk loads: ``bench/catalogue.py``).

    The same rows as ``write_documents`` without its upsert and delete; the caller holds the
    transaction and, for big loads, may drop the full-text index first and rebuild it once at the end
    (``schema.drop_full_text`` / ``schema.create_full_text``).
    """
    if not documents:
        return []
    entries = SearchEntry.objects.bulk_create([_entry(d) for d in documents], batch_size=2000)
    entry_ids = [entry.pk for entry in entries]
    if any(pk is None for pk in entry_ids):
        ids = _entry_ids(documents)
        entry_ids = [ids[(d.record_type, d.object_id)] for d in documents]
    SearchText.objects.bulk_create([_text(pk, d) for pk, d in zip(entry_ids, documents, strict=True)], batch_size=500)
    _insert_facet_rows(_facet_rows(entry_ids, documents))
    return entry_ids


def _insert_facet_rows(rows: list[tuple[int, str, str]], chunk: int = 500) -> None:
    """Insert (entry, facet, value) rows with multi-row INSERTs (faster than model instances or executemany)."""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO {_FACET_TABLE} (entry_id, facet, value) VALUES {values}",  # noqa: S608
                [item for row in part for item in row],
            )


def _entry_ids(documents: Sequence[SearchDocument]) -> dict[tuple[str, int], int]:
    keys: dict[str, list[int]] = {}
    for d in documents:
        keys.setdefault(d.record_type, []).append(d.object_id)
    found: dict[tuple[str, int], int] = {}
    for record_type, object_ids in keys.items():
        rows = SearchEntry.objects.filter(record_type=record_type, object_id__in=object_ids)
        for pk, object_id in rows.values_list("pk", "object_id"):
            found[(record_type, object_id)] = pk
    return found


def index_record(record: CatalogueRecord) -> None:
    """(Re)build the entry of one record; records of types the search does not cover are ignored."""
    indexed = indexed_type_of(record)
    if indexed is not None:
        write_documents(build_documents(indexed, [record]))


def remove_record(record: models.Model) -> None:
    """Drop a record's entry (after a hard delete; soft-deleted records stay, hidden by visibility)."""
    indexed = indexed_type_of(record)
    if indexed is not None:
        SearchEntry.objects.filter(record_type=indexed.record_type, object_id=record.pk).delete()


@dataclass(frozen=True)
class ReindexProgress:
    """How far ``reindex`` got with one record type."""

    record_type: str
    done: int
    total: int


def reindex(record_types: Sequence[str] | None = None, batch_size: int = BATCH_SIZE) -> Iterator[ReindexProgress]:
    """Rebuild the entries of every record (or of ``record_types``), batch by batch, yielding progress.

    Entries whose record no longer exists are removed; the full-text index is optimised at the end.
    """
    maps = ReferenceMaps.load()
    for record_type in record_types or list(INDEXED_TYPES):
        indexed = INDEXED_TYPES[record_type]
        yield from _reindex_type(indexed, maps, batch_size)
    get_backend().optimise()


def _reindex_type(indexed: IndexedType, maps: ReferenceMaps, batch_size: int) -> Iterator[ReindexProgress]:
    model = indexed.model
    records = model.objects.all().order_by("pk")
    total = records.count()
    done, last_pk = 0, 0
    yield ReindexProgress(indexed.record_type, 0, total)
    while True:
        batch = list(records.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        write_documents(build_documents(indexed, batch, maps))
        done += len(batch)
        last_pk = batch[-1].pk
        yield ReindexProgress(indexed.record_type, done, total)
    orphans = SearchEntry.objects.filter(record_type=indexed.record_type).exclude(
        object_id__in=model.objects.values("pk")
    )
    orphans.delete()
