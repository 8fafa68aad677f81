"""The statements of a search, shared by both engines: selection, page + total + facets, display rows.

The visibility and facet-filter conditions are compiled from the ORM
(``SearchEntry.objects.visible_to(user)``, i.e. ``RecordQuerySet``, plus ``Exists`` per filtered
facet), so the search applies exactly the rules the record pages apply; the engine adds its
full-text join and condition (``SearchBackend.match``).

``page_and_counts`` answers the page, the total and every facet in one statement: the matching
entries are materialised once (``WITH hits AS MATERIALIZED``), the page is the top of ``hits`` and
each facet is counted by walking ``hits`` into the ``(entry, facet, value)`` index (``CROSS JOIN``
keeps SQLite from scanning the whole facet instead). A facet that has a selection is counted over
its own materialisation without its own filter (disjunctive facets). Above
``SEARCH_FACET_SAMPLE_SIZE`` matches, facets are counted over a systematic sample (see ``_sample``).
"""

# ruff: noqa: S608 - SQL is assembled from constants, ORM-compiled conditions and %s placeholders;
# every value (user text included) travels as a bound parameter.
from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from coopatlas.core.models_search import SearchEntry, SearchFacetValue
from coopatlas.core.search.backends import get_backend
from coopatlas.core.search.facets import CURRENT, FACETS, STALE, stale_cutoff
from coopatlas.core.search.text import ParsedQuery

Filters = Mapping[str, Sequence[str]]


#: Up to this many facets, each is looked up by its own index seek per entry (see ``page_and_counts``).
SEEK_FACETS = 6
#: Facets computed from the entry row when searching, not stored as ``SearchFacetValue`` rows (only
#: ``stale`` for now: ``visible_entries`` and ``page_and_counts`` say how it is filtered and counted).
COMPUTED_FACETS = tuple(name for name, definition in FACETS.items() if definition.computed)


def visible_entries(user: Any, filters: Filters) -> QuerySet[SearchEntry]:
    """Entries ``user`` may see (``RecordQuerySet.visible_to``) with a value of every filtered facet."""
    entries = SearchEntry.objects.visible_to(user)
    for name, values in filters.items():
        if name == "stale":
            entries = entries.filter(_stale_condition(values))
            continue
        entries = entries.filter(
            Exists(SearchFacetValue.objects.filter(entry=OuterRef("pk"), facet=name, value__in=list(values)))
        )
    return entries


def _stale_condition(values: Sequence[str]) -> Q:
    """``stale=yes``: updated before the cutoff; ``stale=no``: since; both (or neither known): no condition."""
    cutoff = stale_cutoff()
    wanted = {STALE, CURRENT} & set(values)
    if wanted == {STALE}:
        return Q(updated_at__lt=cutoff)
    if wanted == {CURRENT}:
        return Q(updated_at__gte=cutoff)
    # Neither value known: nothing matches, as for an unknown value of a stored facet.
    return Q() if wanted else Q(updated_at__lt=cutoff, updated_at__gte=cutoff)


@dataclass(frozen=True)
class Selection:
    """SQL of the matching entries: extra joins, the WHERE condition, their parameters in order."""

    joins: str
    where: str
    params: tuple[Any, ...]
    score: str

    def select(self, columns: str) -> tuple[str, tuple[Any, ...]]:
        """``SELECT columns FROM core_searchentry ... WHERE ...`` and its parameters."""
        return f"SELECT {columns} FROM core_searchentry {self.joins} WHERE {self.where}", self.params


def selection(query: ParsedQuery, user: Any, filters: Filters) -> Selection:
    """The engine's match clause combined with the ORM's visibility and filter conditions."""
    entries = visible_entries(user, filters)
    where_sql, where_params = entries.query.get_compiler(using=entries.db).compile(entries.query.where)
    where_sql = where_sql or "1=1"
    if not query:
        return Selection("", where_sql, tuple(where_params), "0")
    clause = get_backend().match(query)
    return Selection(
        clause.join,
        f"{clause.condition} AND ({where_sql})",
        (*clause.join_params, *clause.condition_params, *where_params),
        clause.score,
    )


def order_by(query: ParsedQuery, sort: str) -> str:
    """ORDER BY of a result (columns ``score``, ``updated_at``, ``id``): best match or most recent."""
    if sort == "relevance" and query:
        return f"score {get_backend().match(query).best_first}, id DESC"
    return "updated_at DESC, id DESC"


def _score(chosen: Selection, sort: str) -> str:
    """The relevance score, computed only when the result is sorted by it."""
    return chosen.score if sort == "relevance" else "0"


def _sort_key(query: ParsedQuery, sort: str) -> Callable[[tuple[int, float, Any]], Any]:
    """The same order as ``order_by``, for the page rows read back from a UNION."""
    if sort == "relevance" and query:
        sign = 1 if get_backend().match(query).best_first == "ASC" else -1
        return lambda row: (sign * row[1], -row[0])
    return lambda row: (-_as_datetime(row[2]).timestamp(), -row[0])


@dataclass
class PageAndCounts:
    """Entry ids of the page in result order, the total, {facet: {value: count}}, estimated facets."""

    page: list[int]
    total: int
    counts: dict[str, dict[str, int]]
    estimated: set[str] = field(default_factory=set)


def page_and_counts(
    query: ParsedQuery,
    user: Any,
    filters: Filters,
    sort: str,
    facet_names: Sequence[str],
    limit: int,
    offset: int,
    sample_size: int | None = None,
) -> PageAndCounts:
    """The page, the total and the counts of ``facet_names`` in one statement.

    With ``sample_size``, a facet whose matching set is larger is counted over a systematic sample
    of about that many entries (ids divisible by k) and its counts are scaled up and marked
    estimated; the total and the page are always exact.
    """
    groups: list[tuple[str, tuple[str, ...]]] = [("hits", tuple(n for n in facet_names if n not in filters))]
    groups += [(f"hits_{i}", (name,)) for i, name in enumerate(n for n in facet_names if n in filters)]
    ctes: list[str] = []
    params: list[Any] = []
    for cte, names in groups:
        own = filters if cte == "hits" else {k: v for k, v in filters.items() if k not in names}
        chosen = selection(query, user, own)
        columns = "core_searchentry.id AS id, core_searchentry.updated_at AS updated_at"
        if cte == "hits":
            columns += f", {_score(chosen, sort)} AS score"
        sql, selection_params = chosen.select(columns)
        ctes.append(f"{cte} AS MATERIALIZED ({sql})")
        params += selection_params
        if _stored(names) and sample_size:
            ctes.append(f"{cte}_sample AS MATERIALIZED ({_sample(cte, int(sample_size), 'id')})")
    parts = [
        "SELECT 'hit' AS kind, id AS number, NULL AS facet, NULL AS value, score, updated_at FROM "
        f"(SELECT id, score, updated_at FROM hits ORDER BY {order_by(query, sort)} LIMIT %s OFFSET %s) AS page",
    ]
    params += [limit, offset]
    for index, (cte, names) in enumerate(groups):
        stored = _stored(names)
        counted = f"{cte}_sample" if stored and sample_size else cte
        parts.append(f"SELECT 'size', COUNT(*), '{index}', NULL, NULL, NULL FROM {cte}")
        if stored and sample_size:
            # Counted from the matches again: reading the sample twice would make SQLite misjudge
            # its size and put a Bloom filter on the facet lookup (https://sqlite.org/optoverview.html).
            parts.append(
                f"SELECT 'sample', COUNT(*), '{index}', NULL, NULL, NULL "
                f"FROM ({_sample(cte, int(sample_size), '1 AS one')}) AS {cte}_sampled"
            )
        if "stale" in names:
            # Exact over every match (a scan of the materialised rows), against this search's cutoff.
            parts.append(
                f"SELECT 'facet', COUNT(*), 'stale', CASE WHEN updated_at < %s THEN '{STALE}' ELSE '{CURRENT}' END, "
                f"NULL, NULL FROM {cte} GROUP BY 4"
            )
            params.append(connection.ops.adapt_datetimefield_value(stale_cutoff()))
        if stored:
            # CROSS JOIN: walk the matching entries into the (entry, facet, value) index. For a few
            # facets, one seek per (entry, facet) reads only the rows counted; for more, "|| ''" keeps
            # the facet out of the seek: one seek per entry reading all its rows is then cheaper.
            facet = "f.facet" if len(stored) <= SEEK_FACETS else "f.facet || ''"
            parts.append(
                f"SELECT 'facet', COUNT(*), f.facet, f.value, NULL, NULL FROM {counted} "
                f"CROSS JOIN core_searchfacetvalue f WHERE f.entry_id = {counted}.id "
                f"AND {facet} IN ({', '.join(['%s'] * len(stored))}) GROUP BY f.facet, f.value"
            )
            params += stored
    sizes: dict[str, dict[str, int]] = {"size": {}, "sample": {}}
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    page_rows = []
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts), params)
        for kind, number, facet, value, score, updated_at in cursor.fetchall():
            if kind == "hit":
                page_rows.append((number, score, updated_at))
            elif kind == "facet":
                counts[facet][value] = number
            else:
                sizes[kind][facet] = number
    page = [row[0] for row in sorted(page_rows, key=_sort_key(query, sort))]
    result = PageAndCounts(page, sizes["size"]["0"], counts)
    for index, (_cte, names) in enumerate(groups):
        size = sizes["size"][str(index)]
        sample = sizes["sample"].get(str(index), size)
        if sample < size:
            for name in _stored(names):
                counts[name] = {value: round(n * size / sample) for value, n in counts[name].items()}
                result.estimated.add(name)
    return result


def _stored(names: Sequence[str]) -> tuple[str, ...]:
    """The facets counted from ``SearchFacetValue`` rows (all but the computed ones)."""
    return tuple(name for name in names if name not in COMPUTED_FACETS)


def _sample(cte: str, size: int, columns: str) -> str:
    """The matches whose id is divisible by k = ceil(matches / size): about ``size`` rows, spread out.

    Ids are given in creation order, unrelated to any facet, so this is a systematic sample. The
    literal LIMIT (twice the target, as ids are not contiguous) is also SQLite's estimate of the
    sample's size, which keeps the facet lookup a plain index seek.
    """
    return (
        f"SELECT {columns} FROM {cte} WHERE {cte}.id %% (((SELECT COUNT(*) FROM {cte}) - 1) / {size} + 1) = 0 "
        f"LIMIT {2 * size}"
    )


def page_ids(query: ParsedQuery, user: Any, filters: Filters, sort: str, limit: int, offset: int = 0) -> list[int]:
    """Entry ids of one page (or of a whole export), in result order, without counting anything."""
    chosen = selection(query, user, filters)
    sql, params = chosen.select(
        f"core_searchentry.id AS id, {_score(chosen, sort)} AS score, core_searchentry.updated_at AS updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY {order_by(query, sort)} LIMIT %s OFFSET %s", [*params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def count(query: ParsedQuery, user: Any, filters: Filters) -> int:
    """How many entries match (used when the counting statement ran out of time)."""
    sql, params = selection(query, user, filters).select("COUNT(*)")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


_DISPLAY_COLUMNS = (
    "core_searchentry.id, core_searchentry.record_type, core_searchentry.object_id, core_searchentry.title, "
    "display_text.titles, display_text.summaries, core_searchentry.language, "
    "core_searchentry.workflow_status, core_searchentry.updated_at"
)
_DISPLAY_JOIN = "JOIN core_searchtext AS display_text ON display_text.entry_id = core_searchentry.id"


def display_rows(query: ParsedQuery, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What the result list shows of each entry, with the engine's snippet when there is a query."""
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    if query:
        clause = get_backend().match(query)
        sql = (
            f"SELECT {_DISPLAY_COLUMNS}, {clause.snippet} AS snippet FROM core_searchentry {_DISPLAY_JOIN} "
            f"{clause.join} WHERE {clause.condition} AND core_searchentry.id IN ({placeholders})"
        )
        params = [*clause.snippet_params, *clause.join_params, *clause.condition_params, *ids]
    else:
        sql = (
            f"SELECT {_DISPLAY_COLUMNS}, NULL AS snippet FROM core_searchentry {_DISPLAY_JOIN} "
            f"WHERE core_searchentry.id IN ({placeholders})"
        )
        params = list(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        for name in ("titles", "summaries"):
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
        row["updated_at"] = _as_datetime(row["updated_at"])
    return {row["id"]: row for row in rows}


def _as_datetime(value: datetime | str) -> datetime:
    """A timestamp read by a raw cursor, as an aware datetime (SQLite gives text or naive values)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if settings.USE_TZ and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


@contextmanager
def time_limit(milliseconds: int) -> Iterator[Callable[[], bool]]:
    """Abort statements run inside after ``milliseconds`` (Datasette's ``sqlite_timelimit``).

    SQLite: a progress handler that interrupts the statement
    (https://docs.python.org/3/library/sqlite3.html#sqlite3.Connection.set_progress_handler);
    PostgreSQL: a transaction-local ``statement_timeout`` inside a savepoint
    (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-STATEMENT-TIMEOUT).
    Yields a function that says whether the deadline has passed.
    """
    deadline = time.perf_counter() + milliseconds / 1000

    def expired() -> bool:
        return time.perf_counter() >= deadline

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.set_progress_handler(lambda: 1 if expired() else 0, 2000)
        try:
            yield expired
        finally:
            raw.set_progress_handler(None, 2000)
    elif connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{max(milliseconds, 1)}ms"])
            yield expired
            cursor.execute("SELECT set_config('statement_timeout', '0', true)")
    else:
        yield expired
