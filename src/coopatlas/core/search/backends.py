"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL text search.

A backend does two things: turn a parsed query into SQL that restricts ``core_searchentry`` to
matching rows, scores them and cuts a snippet with the matches marked (``match``), and tidy its
index after a bulk load (``optimise``). The rest of the search (visibility,
facets, paging) is the same SQL for both engines.

User text only ever travels as bound parameters, and every phrase is quoted as a literal, so query
syntax in the input (``NEAR``, ``*``, ``"``, ``title:``, ``OR``, brackets) is searched as text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.db import connection

from coopatlas.core.search.schema import FTS_TABLE, PG_CONFIG
from coopatlas.core.search.text import MARK_END, MARK_START, ParsedQuery

#: Relative weight of a match in the title over a match in the body.
TITLE_WEIGHT = 5.0
#: Tokens around the matches shown in a snippet.
SNIPPET_TOKENS = 28


@dataclass(frozen=True)
class MatchClause:
    """SQL restricting ``core_searchentry`` to a query's matches: a join, a condition, a score."""

    join: str
    join_params: tuple[str, ...]
    condition: str
    condition_params: tuple[str, ...]
    #: SQL of the relevance score and the direction that puts the best match first.
    score: str
    best_first: str
    #: SQL of the best passage of the body, matches between ``MARK_START`` and ``MARK_END``.
    snippet: str
    snippet_params: tuple[str, ...]


class SearchBackend(ABC):
    """A full-text engine: matching with a relevance score and highlighted snippets, index upkeep."""

    vendor = ""

    @abstractmethod
    def match(self, query: ParsedQuery) -> MatchClause:
        """SQL that keeps the entries matching every phrase of ``query``, scores them, cuts snippets."""

    def optimise(self) -> None:  # noqa: B027 - optional hook
        """Compact the full-text index after a bulk load (nothing to do by default)."""


class SqliteFts5Backend(SearchBackend):
    """SQLite FTS5 with the ``unicode61 remove_diacritics 2`` tokenizer over an external-content table.

    The FTS5 table reads its text from ``core_searchtext`` (rowid = entry id) and triggers keep it in step
    (https://sqlite.org/fts5.html#external_content_tables). Ranking is FTS5's ``bm25()`` with the
    title column weighted ``TITLE_WEIGHT`` (https://sqlite.org/fts5.html#the_bm25_function);
    snippets come from ``snippet()`` (https://sqlite.org/fts5.html#the_snippet_function).
    Each phrase is an FTS5 string — double-quoted, inner quotes doubled
    (https://sqlite.org/fts5.html#fts5_strings) — and phrases are joined by the implicit AND.
    """

    vendor = "sqlite"

    @staticmethod
    def expression(query: ParsedQuery) -> str:
        """The FTS5 query: every phrase as a quoted string, so no input is read as an operator."""
        return " ".join('"' + phrase.replace('"', '""') + '"' for phrase in query.phrases)

    def match(self, query: ParsedQuery) -> MatchClause:
        return MatchClause(
            join=f"JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = core_searchentry.id",
            join_params=(),
            condition=f"{FTS_TABLE} MATCH %s",
            condition_params=(self.expression(query),),
            score=f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0)",
            best_first="ASC",
            snippet=f"snippet({FTS_TABLE}, 1, %s, %s, %s, {SNIPPET_TOKENS})",
            snippet_params=(MARK_START, MARK_END, "…"),
        )

    def optimise(self) -> None:
        """Merge the FTS5 b-trees into one (https://sqlite.org/fts5.html#the_optimize_command).

        No ``ANALYZE`` on purpose: with ``sqlite_stat1`` rows for the facet table, SQLite 3.38+ may
        put a Bloom filter on the facet lookup (https://sqlite.org/optoverview.html#bloom_filters),
        which first reads the whole facet index: ~50 ms at 10k records for a query with 20 hits.
        """
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608 - constant


class PostgresBackend(SearchBackend):
    """PostgreSQL full-text search over a stored, GIN-indexed ``tsvector`` column.

    The column ``search_vector`` is generated from the title (weight A) and body (weight B) with the
    ``coopatlas_search`` configuration: the 'simple' dictionary (no stemming, so every language is
    treated alike) behind ``unaccent`` when the extension is available
    (https://www.postgresql.org/docs/15/textsearch-tables.html#TEXTSEARCH-TABLES-INDEX,
    https://www.postgresql.org/docs/15/unaccent.html). Each phrase becomes ``phraseto_tsquery``,
    joined with ``&&`` (https://www.postgresql.org/docs/15/textsearch-controls.html#TEXTSEARCH-PARSING-QUERIES);
    ranking is ``ts_rank_cd`` normalised by document length and snippets are ``ts_headline``
    (https://www.postgresql.org/docs/15/textsearch-controls.html#TEXTSEARCH-RANKING,
    https://www.postgresql.org/docs/15/textsearch-controls.html#TEXTSEARCH-HEADLINE).
    """

    vendor = "postgresql"
    headline_options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, ShortWord=2, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    @staticmethod
    def tsquery(query: ParsedQuery) -> tuple[str, tuple[str, ...]]:
        """SQL of the tsquery for ``query`` and its parameters (one ``phraseto_tsquery`` per phrase)."""
        sql = " && ".join([f"phraseto_tsquery('{PG_CONFIG}', %s)"] * len(query.phrases))
        return sql, tuple(query.phrases)

    def match(self, query: ParsedQuery) -> MatchClause:
        sql, params = self.tsquery(query)
        return MatchClause(
            join=(
                f"JOIN core_searchtext ON core_searchtext.entry_id = core_searchentry.id "
                f"CROSS JOIN (SELECT {sql} AS query) AS search_query"
            ),
            join_params=params,
            condition="core_searchtext.search_vector @@ search_query.query",
            condition_params=(),
            score="ts_rank_cd(core_searchtext.search_vector, search_query.query, 1)",
            best_first="DESC",
            snippet=f"ts_headline('{PG_CONFIG}', core_searchtext.search_body, search_query.query, %s)",
            snippet_params=(self.headline_options,),
        )

    def optimise(self) -> None:
        """Refresh the planner's statistics after a bulk load."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_searchentry")
            cursor.execute("ANALYZE core_searchfacetvalue")


BACKENDS: dict[str, type[SearchBackend]] = {"sqlite": SqliteFts5Backend, "postgresql": PostgresBackend}


def get_backend() -> SearchBackend:
    """The backend for the default database's engine."""
    try:
        return BACKENDS[connection.vendor]()
    except KeyError:
        raise NotImplementedError(f"No full-text search backend for {connection.vendor}") from None
