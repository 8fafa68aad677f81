"""The catalogue search: parameters from the query string in, one result object out.

``search(params, user)`` runs a fixed number of statements whatever the page size (see ``sql``):

1. the page's entry ids, the total and every facet's counts, in one statement under a time limit
   (when it runs out, the page and the total are fetched without facets);
2. the page's display fields with the engine's snippets;
3. the labels of the facet values shown (at most one small query per facet).

Facets are disjunctive: values of one facet combine with OR, facets with AND, and a facet's own
counts ignore its own selection so every value stays one click away.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import OperationalError
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from coopatlas.core.i18n import current_language
from coopatlas.core.models import LanguageChoices, WorkflowStatus
from coopatlas.core.models_search import SearchEntry, SearchFacetValue
from coopatlas.core.search import sql
from coopatlas.core.search.documents import INDEXED_TYPES
from coopatlas.core.search.facets import FACETS, facet_results, facets_for, stale_after_days, stale_cutoff
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
#: Above this many matches, facet counts are estimated from a sample of this many (see ``sql``).
DEFAULT_FACET_SAMPLE_SIZE = 2000


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
    #: Not updated for ``COOPATLAS_STALE_AFTER_DAYS`` days (the ``stale`` facet's "yes").
    stale: bool = False

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
            "stale": self.stale,
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
    def stale_after_days(self) -> int:
        """Days without an update after which a hit is marked stale (``COOPATLAS_STALE_AFTER_DAYS``)."""
        return stale_after_days()

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


def record_urls() -> Callable[[str, int], str]:
    """``url(record_type, object_id)`` of detail pages: each type's URL is reversed once ("#" if none)."""
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


def _pick(texts: Mapping[str, str], lang: str, original: str) -> str:
    return texts.get(lang) or texts.get(original) or next(iter(texts.values()), "")


def _hits(query: ParsedQuery, ids: Sequence[int]) -> list[SearchHit]:
    """The hits of a page, in the order of ``ids``, titles and snippets highlighted."""
    rows = sql.display_rows(query, ids)
    lang = current_language()
    phrases = query.folded_phrases
    languages = {code: str(label) for code, label in LanguageChoices.choices}
    statuses = {code: str(label) for code, label in WorkflowStatus.choices}
    type_labels = {name: str(t.model._meta.verbose_name).capitalize() for name, t in INDEXED_TYPES.items()}
    url = record_urls()
    cutoff = stale_cutoff()
    hits = []
    for row in (rows[entry_id] for entry_id in ids if entry_id in rows):
        title = _pick(row["titles"], lang, row["language"]) or row["title"]
        snippet = row["snippet"]
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
                stale=row["updated_at"] < cutoff,
            )
        )
    return hits


def facet_time_limit_ms() -> int:
    """How long the page + facets statement may take (setting ``SEARCH_FACET_TIME_LIMIT_MS``, default 1000)."""
    return int(getattr(settings, "SEARCH_FACET_TIME_LIMIT_MS", 1000))


def facet_sample_size() -> int | None:
    """Matches counted exactly per facet; beyond, a sample is (setting ``SEARCH_FACET_SAMPLE_SIZE``, 0 = all)."""
    return int(getattr(settings, "SEARCH_FACET_SAMPLE_SIZE", DEFAULT_FACET_SAMPLE_SIZE)) or None


def search(params: SearchParams, user: Any, facets: Sequence[str] | None = None) -> SearchResult:
    """Run the search ``params`` describes for ``user``: a page of hits, the total and the facets.

    ``facets`` limits which facets are counted (default: every facet ``user`` is shown).
    """
    query = parse_query(params.q)
    sort = params.effective_sort(query)
    allowed = facets_for(user)
    names = [name for name in (facets if facets is not None else allowed) if name in allowed]
    offset = (params.page - 1) * params.page_size
    timed_out = False
    try:
        with sql.time_limit(facet_time_limit_ms()) as expired:
            found = sql.page_and_counts(
                query, user, params.filters, sort, names, params.page_size, offset, facet_sample_size()
            )
    except OperationalError:
        if not expired():
            raise
        logger.info("Facet counts exceeded %s ms for %r", facet_time_limit_ms(), params)
        timed_out = True
        found = sql.PageAndCounts(
            sql.page_ids(query, user, params.filters, sort, params.page_size, offset),
            sql.count(query, user, params.filters),
            {},
        )
    counts = found.counts
    total = found.total
    hits = _hits(query, found.page)
    facet_list = [
        facet_results(
            name,
            counts.get(name, {}),
            params.filters.get(name, ()),
            name in params.expand,
            lambda facet, value: params.toggled(facet, value).url(),
            more_url=replace(params, expand=(*params.expand, name)).url(),
            estimated=name in found.estimated,
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
    ids = sql.page_ids(query, user, params.filters, params.effective_sort(query), limit)
    url = record_urls()
    for start in range(0, len(ids), EXPORT_BATCH):
        batch = ids[start : start + EXPORT_BATCH]
        entries = SearchEntry.objects.in_bulk(batch)
        values: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        facet_rows = SearchFacetValue.objects.filter(entry_id__in=batch, facet__in=EXPORT_FACETS)
        for entry_id, facet, value in facet_rows.order_by("value").values_list("entry_id", "facet", "value"):
            values[entry_id][facet].append(value)
        for entry in (entries[entry_id] for entry_id in batch if entry_id in entries):
            entry_id = entry.pk
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
