"""``GET /api/v1/search``: the catalogue search across record types, as the search page's JSON export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from coopatlas.api.auth import READ_AUTH
from coopatlas.api.errors import ErrorOut
from coopatlas.api.listing import SearchFilters, SearchOut, run_search

router = Router(tags=["Search"])


@router.get("", response={200: SearchOut, 401: ErrorOut, 422: ErrorOut}, auth=READ_AUTH, operation_id="search",
            url_name="search", summary="Search every record type")
def search_catalogue(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    """Hits of every type you may see, with facets: the same data as the search page's JSON export."""
    # ``filters`` validates and documents the query string; the search service reads it itself.
    return run_search(request, request.auth).to_dict()  # type: ignore[attr-defined]
