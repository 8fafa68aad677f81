"""The engine-specific half of the index schema, which the ORM cannot express.

SQLite: an FTS5 external-content table over ``core_searchtext`` kept in step by triggers
(https://sqlite.org/fts5.html#external_content_tables), tokenizer ``unicode61 remove_diacritics 2``
(https://sqlite.org/fts5.html#unicode61_tokenizer).
PostgreSQL: a text search configuration (``simple`` + ``unaccent`` when available), a stored
generated ``tsvector`` column and its GIN index
(https://www.postgresql.org/docs/15/textsearch-tables.html#TEXTSEARCH-TABLES-INDEX).

Called by migration ``core.0002_search_index``. On SQLite, a later migration that rebuilds
``core_searchtext`` (Django copies the table to alter it) drops the triggers: call
``drop_full_text`` before and ``create_full_text`` after such a change, then ``coopatlas reindex``.
"""

# ruff: noqa: S608 - the statements are built from the constants below, never from input
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

TABLE = "core_searchtext"
FTS_TABLE = "core_searchtext_fts"
PG_CONFIG = "coopatlas_search"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        search_title, search_body, content='{TABLE}', content_rowid='entry_id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_title, search_body)
        VALUES (new.entry_id, new.search_title, new.search_body);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_title, search_body)
        VALUES ('delete', old.entry_id, old.search_title, old.search_body);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF search_title, search_body ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_title, search_body)
        VALUES ('delete', old.entry_id, old.search_title, old.search_body);
        INSERT INTO {FTS_TABLE}(rowid, search_title, search_body)
        VALUES (new.entry_id, new.search_title, new.search_body);
    END""",
    # Index whatever the table already holds.
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

PG_WORD_TYPES = "word, hword, hword_part, numword, numhword, hword_numpart"
PG_CREATE = [
    f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = simple)",
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{PG_CONFIG}'::regconfig, search_title), 'A')
        || setweight(to_tsvector('{PG_CONFIG}'::regconfig, search_body), 'B')) STORED""",
    f"CREATE INDEX {TABLE}_search_vector ON {TABLE} USING gin (search_vector)",
]
PG_DROP = [
    f"DROP INDEX IF EXISTS {TABLE}_search_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}",
]


def _unaccent(schema_editor: Any) -> bool:
    """Install ``unaccent`` if possible (a trusted extension since PostgreSQL 13); False when not."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception as error:  # noqa: BLE001 - any refusal means: index without accent folding
        logger.warning("unaccent is not available (%s): search will be accent-sensitive on PostgreSQL", error)
        return False
    return True


def create_full_text(apps: Any, schema_editor: Any) -> None:
    """Create the full-text index for the database's engine (nothing for other engines)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        has_unaccent = _unaccent(schema_editor)
        schema_editor.execute(PG_CREATE[0])
        if has_unaccent:
            schema_editor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} ALTER MAPPING FOR {PG_WORD_TYPES} WITH unaccent, simple"
            )
        for sql in PG_CREATE[1:]:
            schema_editor.execute(sql)


def drop_full_text(apps: Any, schema_editor: Any) -> None:
    """Remove what ``create_full_text`` created."""
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": PG_DROP}.get(vendor, []):
        schema_editor.execute(sql)
