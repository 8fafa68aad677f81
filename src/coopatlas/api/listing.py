"""API lists and search: the search page's service, filters and facets, one page at a fixed query cost.

Lists call ``core.search.service.search`` with ``type`` fixed to the endpoint's record type, so the
API filters and counts exactly as the search page does; the page's records are then read with one
query plus one per many-to-many relation, whatever the page size.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, create_model

from coopatlas.core.registry import RecordType
from coopatlas.core.search.facets import FACETS
from coopatlas.core.search.service import MAX_PAGE_SIZE, SORTS, SearchParams, SearchResult, search

#: Facets a record type's list counts (its type is fixed by the endpoint).
LIST_FACETS = [name for name in FACETS if name != "type"]


class ListFilters(Schema):
    """The search page's query-string parameters; repeat a parameter to select several values (OR)."""

    q: str = Field("", max_length=1000, description='Words or "quoted phrases" to search for.')
    country: list[str] = Field([], description="ISO alpha-3 country codes (BRA, SEN).")
    region: list[str] = Field([], description="M49 region codes (002 Africa, 019 Americas).")
    subregion: list[str] = Field([], description="M49 sub-region codes (202 Sub-Saharan Africa).")
    commission: list[str] = Field([], description="UN regional commissions (ECA, ECE, ECLAC, ESCAP, ESCWA).")
    country_group: list[str] = Field([], description="LDC, LLDC or SIDS.")
    income_group: list[str] = Field([], description="World Bank income group: L, LM, UM, H.")
    sdg_goal: list[str] = Field([], description="SDG goal numbers (6).")
    sdg_target: list[str] = Field([], description="SDG target codes (6.1).")
    sector: list[str] = Field([], description="DAC 5-digit sector codes (31120).")
    sector_category: list[str] = Field([], description="DAC 3-digit sector categories (311).")
    modality: list[str] = Field([], description="Cooperation modalities (training, financing).")
    language: list[str] = Field([], description="Language of the record's text (en, fr, pt).")
    status: list[str] = Field([], description="The record's own status as type.code (need.open, solution.ongoing).")
    workflow_status: list[str] = Field([], description="draft, submitted, published, returned (signed-in callers).")
    cooperation_type: list[str] = Field(
        [], description="Initiatives' cooperation type: south-south, triangular, north-south, multilateral, other."
    )
    stale: list[Literal["yes", "no"]] = Field(
        [], description="yes: not updated for COOPATLAS_STALE_AFTER_DAYS days (default 365); no: updated since."
    )
    sort: str = Field("", pattern=f"^({'|'.join(SORTS)})?$", description="relevance (with q) or recent.")
    expand: list[str] = Field([], description="Facets to list in full rather than their top values.")
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"Records per page, 1 to {MAX_PAGE_SIZE}.")


class SearchFilters(ListFilters):
    """The search page's parameters, record type included."""

    type: list[str] = Field([], description="Record types: organisation, solution, need, expert, partnership, "
                                            "initiative.")


# Plain pydantic models (not ninja's ``Schema``) so keys the search service adds pass through unchanged.
class FacetValueOut(BaseModel):
    """One value of a facet, how many records have it, and the link that toggles it."""

    model_config = ConfigDict(extra="allow")

    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


class FacetOut(BaseModel):
    """A facet exactly as the search service returns it."""

    model_config = ConfigDict(extra="allow")

    name: str
    label: str
    results: list[FacetValueOut]
    truncated: bool


class SearchOut(BaseModel):
    """The search page's JSON export (``/search/?format=json``)."""

    model_config = ConfigDict(extra="allow")

    q: str
    total: int
    page: int
    page_size: int
    hits: list[dict[str, Any]]
    facets: list[FacetOut]


def page_schema(rt: RecordType, record_schema: type[Schema]) -> type[Schema]:
    """The response schema of one type's list."""
    return create_model(
        f"{rt.model.__name__}Page", __base__=Schema, count=(int, ...), page=(int, ...), page_size=(int, ...),
        results=(list[record_schema], ...), facets=(list[FacetOut], ...),  # type: ignore[valid-type]
    )


def search_params(request: HttpRequest, record_type: str | None = None) -> SearchParams:
    """The search parameters of the query string, with ``type`` fixed when a list names one."""
    query = request.GET.copy()
    if record_type is not None:
        query.setlist("type", [record_type])
    return SearchParams.from_query(query)


def run_search(request: HttpRequest, user: Any) -> SearchResult:
    """The search page's result for this query string (``GET /api/v1/search``)."""
    return search(search_params(request), user)


def record_page(rt: RecordType, request: HttpRequest, user: Any) -> dict[str, Any]:
    """One page of ``rt``'s records matching the query string, with facets; results are model instances."""
    from coopatlas.api.records import prefetch_names

    result = search(search_params(request, rt.key), user, facets=LIST_FACETS)
    ids = [hit.object_id for hit in result.hits]
    # Visibility is checked again on the records themselves, so a stale index entry never leaks one.
    records = rt.model.objects.visible_to(user).filter(pk__in=ids).prefetch_related(*prefetch_names(rt))
    by_id = {record.pk: record for record in records}
    return {
        "count": result.total,
        "page": result.params.page,
        "page_size": result.params.page_size,
        "results": [by_id[pk] for pk in ids if pk in by_id],
        "facets": result.facets,
    }
