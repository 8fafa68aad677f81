"""Plain multi-row INSERT and UPDATE for the importer's hot tables.

``bulk_create`` prepares every value of every row through the field machinery (``get_db_prep_save``)
and builds one model instance per row; for the tens of rows an IATI activity brings that costs more
than the database work. These helpers convert only the values that need it (JSON, dates and times,
as the backend's ``DatabaseOperations.adapt_*`` methods do) and hand the rows to ``executemany``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

Converter = Callable[[Any], Any]
#: Parameters per INSERT statement (SQLite allows 32,766 since 3.32, PostgreSQL 65,535).
MAX_PARAMETERS = 30_000


def _converter(field: models.Field) -> Converter | None:
    """How a Python value of ``field`` is adapted for the database driver (None: as is)."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        empty = {"{}": ops.adapt_json_value({}, encoder), "[]": ops.adapt_json_value([], encoder)}
        adapt: Converter = functools.partial(ops.adapt_json_value, encoder=encoder)
        if encoder is None and type(ops).adapt_json_value is BaseDatabaseOperations.adapt_json_value:
            # SQLite: the base adapter is ``json.dumps(value, cls=None)``; call the encoder directly.
            adapt = json.JSONEncoder().encode
        # Most narratives and classifications are empty: adapt those once.
        return lambda value: (
            empty["{}" if isinstance(value, dict) else "[]"]
            if not value and isinstance(value, dict | list)
            else adapt(value)
        )
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    return None


def _columns(model: type[models.Model], names: Sequence[str]) -> tuple[list[str], list[Converter | None]]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [fields[name].column for name in names], [_converter(fields[name]) for name in names]


def _adapt(rows: Iterable[Sequence[Any]], converters: list[Converter | None]) -> list[list[Any]]:
    active = [(i, c) for i, c in enumerate(converters) if c is not None]
    adapted = []
    for row in rows:
        values = list(row)
        for i, convert in active:
            if values[i] is not None:
                values[i] = convert(values[i])
        adapted.append(values)
    return adapted


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (values in the order of the attribute names ``names``); returns the row count.

    PostgreSQL gets the rows by ``COPY`` (no statement to parse per row); SQLite in multi-row
    ``INSERT ... VALUES (...), (...)`` statements of up to ``MAX_PARAMETERS`` parameters.
    """
    columns, converters = _columns(model, names)
    values = _adapt(rows, converters)
    if not values:
        return 0
    quote = connection.ops.quote_name
    table_columns = f"{quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
    if connection.vendor == "postgresql":
        _copy(table_columns, values)
        return len(values)
    head = f"INSERT INTO {table_columns} VALUES "  # noqa: S608 - names from model metadata, quoted
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)), [v for row in chunk for v in row])
    return len(values)


def _copy(table_columns: str, values: list[list[Any]]) -> None:
    """PostgreSQL: rows through ``COPY ... FROM STDIN`` (psycopg 3 adapts each value as for a query)."""
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table_columns} FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> int:
    """Insert unsaved model instances (every concrete field but the automatic primary key)."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return insert_rows(model, names, ([getattr(o, name) for name in names] for o in objects))


def update_objects(model: type[models.Model], objects: Sequence[models.Model], names: Sequence[str]) -> int:
    """Write the attributes ``names`` of saved instances back, one UPDATE per row through ``executemany``."""
    columns, converters = _columns(model, names)
    values = _adapt(([getattr(o, name) for name in names] + [o.pk] for o in objects), [*converters, None])
    if not values:
        return 0
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 - names from model metadata, quoted
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
    return len(values)


def delete_where(model: type[models.Model], column: str, ids: Sequence[int], through: str = "") -> None:
    """``DELETE FROM model WHERE column IN (ids)``, or ``IN (SELECT id FROM … WHERE …)`` given ``through``.

    ``QuerySet.delete`` loads every row to send ``post_delete`` signals one by one; the importer
    tells the listeners once per batch instead. ``through`` is a sub-select with one ``{ids}`` slot.
    """
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    target = through.format(ids=marks) if through else marks
    sql = f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {column} IN ({target})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))


def dict_rows(names: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterable[list[Any]]:
    """Rows given as dicts, in the order of ``names``."""
    return ([row[name] for name in names] for row in rows)
