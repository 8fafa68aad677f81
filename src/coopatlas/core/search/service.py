"""The catalogue search: parameters from the query string in, one result object out.

``search(params, user)`` runs a fixed number of statements whatever the page size:

1. the page of hits with their display fields, best first (one statement);
2. the snippets of that page (one statement, only with a query);
3. the total and every facet's counts (one statement: the matching ids are materialised once per
   distinct filter set, then grouped by facet and value), under a time limit;
4. the labels of the facet values shown (at most one small query per facet).

Facets are disjunctive: values of one facet combine with OR, facets with AND, and a facet's own
counts ignore its own selection so every value stays one click away.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from coopatlas.core.i18n import current_language
from coopatlas.core.models import LanguageChoices, WorkflowStatus
from coopatlas.core.models_search import SearchEntry, SearchFacetValue
from coopatlas.core.search.backends import get_backend
from coopatlas.core.search.documents import INDEXED_TYPES
from coopatlas.core.search.facets import FACETS, facet_results, facets_for
from coopatlas.core.search.text import ParsedQuery, highlight, marked_to_html, parse_query

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Deepest result reachable by paging (as Elasticsearch's max_result_window): refine instead.
MAX_RESULT_WINDOW = 10_000
#: Values accepted per facet filter, and characters per value.
MAX_FILTER_VALUES = 50
MAX_VALUE_LENGTH = 40
SORTS = ("relevance", "recent")


@dataclass(frozen=True)
class SearchParams:
    """What the user asked for, parsed from (and serialised back to) the query string."""

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = ""
    expand: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: Any) -> SearchParams:
        """Read a ``QueryDict`` (or any mapping with ``getlist``); bad values fall back to defaults."""

        def number(name: str, default: int) -> int:
            try:
                return int(query.get(name, default))
            except (TypeError, ValueError):
                return default

        filters = {}
        for name in FACETS:
            values = [v.strip()[:MAX_VALUE_LENGTH] for v in query.getlist(name) if v.strip()]
            if values:
                filters[name] = tuple(dict.fromkeys(values))[:MAX_FILTER_VALUES]
        sort = query.get("sort", "")
        page_size = min(max(number("page_size", DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE)
        return cls(
            q=(query.get("q") or "")[:1000],
            filters=filters,
            page=min(max(number("page", 1), 1), MAX_RESULT_WINDOW // page_size),
            page_size=page_size,
            sort=sort if sort in SORTS else "",
            expand=tuple(name for name in query.getlist("expand") if name in FACETS),
        )

    def effective_sort(self, query: ParsedQuery) -> str:
        """Relevance when there is text to rank by, otherwise most recently updated first."""
        return (self.sort or "relevance") if query else "recent"

    def as_pairs(self) -> list[tuple[str, str]]:
        """The parameters as query-string pairs (defaults left out), in a stable order."""
        pairs: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        pairs += [(name, value) for name in FACETS for value in self.filters.get(name, ())]
        if self.sort:
            pairs.append(("sort", self.sort))
        if self.page_size != DEFAULT_PAGE_SIZE:
            pairs.append(("page_size", str(self.page_size)))
        pairs += [("expand", name) for name in self.expand]
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def url(self, **extra: str) -> str:
        """A relative URL (``?...``) for these parameters, plus ``extra`` ones (e.g. ``format``)."""
        pairs = self.as_pairs() + list(extra.items())
        return "?" + urlencode(pairs) if pairs else "?"

    def toggled(self, facet: str, value: str) -> SearchParams:
        """These parameters with ``facet=value`` added or removed, back on the first page."""
        filters = {name: values for name, values in self.filters.items()}
        current = filters.get(facet, ())
        updated = tuple(v for v in current if v != value) if value in current else (*current, value)
        if updated:
            filters[facet] = updated
        else:
            filters.pop(facet, None)
        return replace(self, filters=filters, page=1)


@dataclass
class SearchHit:
    """One result as the templates, JSON and CSV show it."""

    record_type: str
    type_label: str
    object_id: int
    title: str
    title_html: SafeString
    snippet_html: SafeString
    language: str
    language_label: str
    workflow_status: str
    workflow_status_label: str
    updated_at: datetime
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.record_type,
            "type_label": self.type_label,
            "id": self.object_id,
            "title": self.title,
            "title_html": str(self.title_html),
            "snippet_html": str(self.snippet_html),
            "language": self.language,
            "language_label": self.language_label,
            "workflow_status": self.workflow_status,
            "workflow_status_label": self.workflow_status_label,
            "updated_at": self.updated_at.isoformat(),
            "url": self.url,
        }


@dataclass
class SearchResult:
    """A page of hits, the total, and the facets: one dict for the HTML, JSON and CSV renderers."""

    params: SearchParams
    query: ParsedQuery
    sort: str
    total: int
    hits: list[SearchHit]
    facets: list[dict[str, Any]]
    facets_timed_out: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, MAX_RESULT_WINDOW) / self.params.page_size))

    @property
    def first_position(self) -> int:
        """Position of the page's first hit in the whole result (for the numbered list)."""
        return (self.params.page - 1) * self.params.page_size + 1

    @property
    def next_url(self) -> str | None:
        if self.params.page >= self.pages:
            return None
        return replace(self.params, page=self.params.page + 1).url()

    @property
    def previous_url(self) -> str | None:
        return replace(self.params, page=self.params.page - 1).url() if self.params.page > 1 else None

    def sort_urls(self) -> dict[str, str]:
        """A link for each sort order (relevance only makes sense with a query)."""
        choices = SORTS if self.query else ("recent",)
        return {sort: replace(self.params, sort=sort, page=1).url() for sort in choices}

    def export_urls(self) -> dict[str, str]:
        first = replace(self.params, page=1, expand=())
        return {"csv": first.url(format="csv"), "json": self.params.url(format="json")}

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (``?format=json``)."""
        return {
            "q": self.params.q,
            "sort": self.sort,
            "total": self.total,
            "page": self.params.page,
            "page_size": self.params.page_size,
            "pages": self.pages,
            "next_url": self.next_url,
            "previous_url": self.previous_url,
            "filters": {name: list(values) for name, values in self.params.filters.items()},
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": self.facets,
            "facets_timed_out": self.facets_timed_out,
        }


def record_url(record_type: str, object_id: int) -> str:
    """The record's detail page, or "#" while that page does not exist."""
    return record_urls()(record_type, object_id)


def record_urls() -> Callable[[str, int], str]:
    """A fast ``record_url``: each type's URL is reversed once, then only the id changes."""
    placeholder = 2**62
    templates: dict[str, str] = {}
    for record_type, indexed in INDEXED_TYPES.items():
        try:
            templates[record_type] = reverse(indexed.url_name, args=[placeholder])
        except NoReverseMatch:
            templates[record_type] = "#"

    def url(record_type: str, object_id: int) -> str:
        return templates.get(record_type, "#").replace(str(placeholder), str(object_id))

    return url


def visible_entries(user: Any, filters: Mapping[str, Sequence[str]]) -> QuerySet[SearchEntry]:
    """Entries ``user`` may see (``RecordQuerySet.visible_to``) that have a value of every filtered facet."""
    entries = SearchEntry.objects.visible_to(user)
    for name, values in filters.items():
        entries = entries.filter(
            Exists(SearchFacetValue.objects.filter(entry=OuterRef("pk"), facet=name, value__in=list(values)))
        )
    return entries


@dataclass(frozen=True)
class _Selection:
    """SQL of the matching entries: FROM-joins and WHERE, with their parameters in order."""

    joins: str
    where: str
    params: tuple[Any, ...]


def _selection(query: ParsedQuery, user: Any, filters: Mapping[str, Sequence[str]]) -> _Selection:
    """Compose the engine's match clause with the ORM's visibility and filter conditions."""
    entries = visible_entries(user, filters)
    compiler = entries.query.get_compiler(using=entries.db)
    where_sql, where_params = compiler.compile(entries.query.where)
    if not query:
        return _Selection("", where_sql or "1=1", tuple(where_params))
    clause = get_backend().match(query)
    where = f"{clause.condition} AND ({where_sql})" if where_sql else clause.condition
    return _Selection(clause.join, where, (*clause.join_params, *clause.condition_params, *where_params))


_HIT_COLUMNS = (
    "core_searchentry.id, core_searchentry.record_type, core_searchentry.object_id, core_searchentry.title, "
    "core_searchentry.titles, core_searchentry.summaries, core_searchentry.language, "
    "core_searchentry.workflow_status, core_searchentry.updated_at"
)


def _order_by(query: ParsedQuery, sort: str) -> str:
    if sort == "relevance" and query:
        clause = get_backend().match(query)
        return f"{clause.score} {clause.best_first}, core_searchentry.id DESC"
    return "core_searchentry.updated_at DESC, core_searchentry.id DESC"


def _hit_rows(query: ParsedQuery, user: Any, params: SearchParams, sort: str, limit: int, offset: int) -> list[dict]:
    """The hits' display columns in result order (one statement)."""
    selection = _selection(query, user, params.filters)
    sql = (
        f"SELECT {_HIT_COLUMNS} FROM core_searchentry {selection.joins} WHERE {selection.where} "
        f"ORDER BY {_order_by(query, sort)} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*selection.params, limit, offset])
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        for name in ("titles", "summaries"):
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
        row["updated_at"] = _as_datetime(row["updated_at"])
    return rows


def _as_datetime(value: datetime | str) -> datetime:
    """A timestamp read by a raw cursor, as an aware datetime (SQLite gives text or naive values)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _pick(texts: Mapping[str, str], lang: str, original: str) -> str:
    return texts.get(lang) or texts.get(original) or next(iter(texts.values()), "")


def _hits(rows: list[dict], query: ParsedQuery) -> list[SearchHit]:
    snippets = get_backend().snippets(query, [row["id"] for row in rows]) if query else {}
    lang = current_language()
    phrases = query.folded_phrases
    languages = {code: str(label) for code, label in LanguageChoices.choices}
    statuses = {code: str(label) for code, label in WorkflowStatus.choices}
    type_labels = {name: str(t.model._meta.verbose_name).capitalize() for name, t in INDEXED_TYPES.items()}
    url = record_urls()
    hits = []
    for row in rows:
        title = _pick(row["titles"], lang, row["language"]) or row["title"]
        snippet = snippets.get(row["id"])
        hits.append(
            SearchHit(
                record_type=row["record_type"],
                type_label=type_labels.get(row["record_type"], row["record_type"]),
                object_id=row["object_id"],
                title=title,
                title_html=highlight(title, phrases),
                snippet_html=marked_to_html(snippet)
                if snippet
                else highlight(_pick(row["summaries"], lang, row["language"]), phrases),
                language=row["language"],
                language_label=languages.get(row["language"], row["language"]),
                workflow_status=row["workflow_status"],
                workflow_status_label=statuses.get(row["workflow_status"], row["workflow_status"]),
                updated_at=row["updated_at"],
                url=url(row["record_type"], row["object_id"]),
            )
        )
    return hits


@contextmanager
def time_limit(milliseconds: int) -> Iterator[Callable[[], bool]]:
    """Abort statements run inside after ``milliseconds`` (Datasette's ``sqlite_timelimit``).

    SQLite: a progress handler that interrupts the statement
    (https://docs.python.org/3/library/sqlite3.html#sqlite3.Connection.set_progress_handler);
    PostgreSQL: a transaction-local ``statement_timeout`` inside a savepoint. Yields a function that
    says whether the deadline has passed.
    """
    deadline = time.perf_counter() + milliseconds / 1000
    expired: Callable[[], bool] = lambda: time.perf_counter() >= deadline  # noqa: E731
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
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{milliseconds}ms"])
            yield expired
            cursor.execute("SELECT set_config('statement_timeout', '0', true)")
    else:
        yield expired


def facet_time_limit_ms() -> int:
    """How long the facet counts may take (setting ``SEARCH_FACET_TIME_LIMIT_MS``, default 1000)."""
    return int(getattr(settings, "SEARCH_FACET_TIME_LIMIT_MS", 1000))


def _counts(
    query: ParsedQuery, user: Any, filters: Mapping[str, Sequence[str]], facet_names: Sequence[str]
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and {facet: {value: count}} in one statement.

    The matching ids are materialised once per distinct filter set: once for the full selection
    (total and the unselected facets), once more for each selected facet without its own filter.
    """
    ctes: list[str] = []
    parts: list[str] = []
    params: list[Any] = []
    groups: list[tuple[str, tuple[str, ...]]] = [("hits", tuple(n for n in facet_names if n not in filters))]
    groups += [(f"hits_{i}", (name,)) for i, name in enumerate(n for n in facet_names if n in filters)]
    for cte, names in groups:
        own = {k: v for k, v in filters.items() if k not in names} if cte != "hits" else filters
        selection = _selection(query, user, own)
        ctes.append(
            f"{cte} AS MATERIALIZED (SELECT core_searchentry.id FROM core_searchentry {selection.joins} "
            f"WHERE {selection.where})"
        )
        params += selection.params
    parts.append("SELECT '', '', COUNT(*) FROM hits")
    for cte, names in groups:
        if names:
            placeholders = ", ".join(["%s"] * len(names))
            parts.append(
                f"SELECT f.facet, f.value, COUNT(*) FROM {cte} JOIN core_searchfacetvalue f ON f.entry_id = {cte}.id "
                f"AND f.facet IN ({placeholders}) GROUP BY f.facet, f.value"
            )
            params += names
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, count in cursor.fetchall():
            if facet:
                counts[facet][value] = count
            else:
                total = count
    return total, counts


def _count_only(query: ParsedQuery, user: Any, filters: Mapping[str, Sequence[str]]) -> int:
    selection = _selection(query, user, filters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM core_searchentry {selection.joins} WHERE {selection.where}", selection.params
        )
        return int(cursor.fetchone()[0])


def search(params: SearchParams, user: Any, facets: Sequence[str] | None = None) -> SearchResult:
    """Run the search ``params`` describes for ``user``: a page of hits, the total and the facets.

    ``facets`` limits which facets are counted (default: every facet ``user`` is shown).
    """
    query = parse_query(params.q)
    sort = params.effective_sort(query)
    allowed = facets_for(user)
    names = [name for name in (facets if facets is not None else allowed) if name in allowed]
    offset = (params.page - 1) * params.page_size
    hits = _hits(_hit_rows(query, user, params, sort, params.page_size, offset), query)
    timed_out = False
    try:
        with time_limit(facet_time_limit_ms()) as expired:
            total, counts = _counts(query, user, params.filters, names)
    except OperationalError:
        if not expired():
            raise
        logger.info("Facet counts exceeded %s ms for %r", facet_time_limit_ms(), params)
        timed_out, counts = True, {}
        total = _count_only(query, user, params.filters)
    facet_list = [
        facet_results(
            name,
            counts.get(name, {}),
            params.filters.get(name, ()),
            name in params.expand,
            lambda facet, value: params.toggled(facet, value).url(),
            more_url=replace(params, expand=(*params.expand, name)).url(),
            timed_out=timed_out,
        )
        for name in names
    ]
    return SearchResult(params, query, sort, total, hits, facet_list, timed_out)


#: Most rows one CSV export holds; narrow the search to export more.
EXPORT_LIMIT = 50_000
EXPORT_FACETS = ("country", "sdg_goal", "sdg_target", "sector", "modality", "status")
EXPORT_BATCH = 1000


def export_rows(params: SearchParams, user: Any, limit: int = EXPORT_LIMIT) -> Iterator[list[str]]:
    """Every matching record (up to ``limit``) in result order, as CSV rows with a header first.

    Reads the ordered ids once, then display fields and facet values batch by batch, so memory
    stays flat however many rows are exported.
    """
    query = parse_query(params.q)
    yield ["type", "id", "title", "language", "workflow_status", "updated_at", "url", *EXPORT_FACETS]
    ids = _ordered_ids(query, user, params, params.effective_sort(query), limit)
    url = record_urls()
    for start in range(0, len(ids), EXPORT_BATCH):
        batch = ids[start : start + EXPORT_BATCH]
        entries = SearchEntry.objects.in_bulk(batch)
        values: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        facet_rows = SearchFacetValue.objects.filter(entry_id__in=batch, facet__in=EXPORT_FACETS)
        for entry_id, facet, value in facet_rows.order_by("value").values_list("entry_id", "facet", "value"):
            values[entry_id][facet].append(value)
        for entry_id in batch:
            entry = entries[entry_id]
            yield [
                entry.record_type,
                str(entry.object_id),
                entry.title,
                entry.language,
                entry.workflow_status,
                entry.updated_at.isoformat(),
                url(entry.record_type, entry.object_id),
                *("; ".join(values[entry_id][facet]) for facet in EXPORT_FACETS),
            ]


def _ordered_ids(query: ParsedQuery, user: Any, params: SearchParams, sort: str, limit: int) -> list[int]:
    selection = _selection(query, user, params.filters)
    sql = (
        f"SELECT core_searchentry.id FROM core_searchentry {selection.joins} WHERE {selection.where} "
        f"ORDER BY {_order_by(query, sort)} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*selection.params, limit])
        return [row[0] for row in cursor.fetchall()]
