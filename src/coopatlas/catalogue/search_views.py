"""The catalogue search page: one result object rendered as a page, an htmx partial, JSON or CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from coopatlas.core.search.service import SearchParams, export_rows, search

#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` returns the line, so ``csv.writer`` can feed a stream."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will show as text, never evaluate: formula-like text gets a leading quote."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so spreadsheet programs read the file as UTF-8
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


def search_page(request: HttpRequest) -> HttpResponse:
    """Search the catalogue: HTML page (or the results partial for htmx), ``?format=json`` or ``csv``."""
    params = SearchParams.from_query(request.GET)
    export = request.GET.get("format", "")
    if export == "csv":
        response = StreamingHttpResponse(_csv_lines(export_rows(params, request.user)), content_type="text/csv")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="coopatlas-search-{stamp}.csv"'
        return response
    result = search(params, request.user)
    if export == "json":
        return JsonResponse(result.to_dict(), json_dumps_params={"ensure_ascii": False})
    context: dict[str, Any] = {"result": result}
    # A history restore after a cache miss needs the whole page, not the partial.
    if getattr(request, "htmx", False) and request.headers.get("HX-History-Restore-Request") != "true":
        return render(request, "catalogue/_search_results.html", context)
    return render(request, "catalogue/search.html", context)


urlpatterns = [path("search/", search_page, name="search")]
