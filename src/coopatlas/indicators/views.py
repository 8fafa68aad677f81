"""Indicator pages: thin views that build a page's data (``pages``) and render it as HTML, JSON or CSV."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.text import slugify

from coopatlas.indicators import pages
from coopatlas.indicators.pages import Page


def render_page(request: HttpRequest, template: str, page: Page | None, name: str) -> HttpResponse:
    """The page as HTML, or ``?format=json`` (every table), or ``?format=csv&table=KEY`` (one table)."""
    if page is None:
        raise Http404
    requested = request.GET.get("format")
    if requested == "json":
        return JsonResponse(page.as_dict(), json_dumps_params={"ensure_ascii": False})
    if requested == "csv":
        table = page.table(request.GET.get("table", ""))
        if table is None:
            raise Http404
        response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slugify(name)}-{table.key}.csv"'
        return response
    return render(request, template, {"page": page})


def index(request: HttpRequest) -> HttpResponse:
    """Indicators with data by goal, and the ways in: countries, regions, commissions, map."""
    return render_page(request, "indicators/index.html", pages.index_page(), "indicators")


def indicator(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: chart, filters, table, metadata, sources and progress badges."""
    return render_page(
        request, "indicators/indicator.html", pages.indicator_page(code, request.GET), f"indicator-{code}"
    )


def country(request: HttpRequest, iso3: str) -> HttpResponse:
    """A country profile."""
    return render_page(request, "indicators/country.html", pages.country_page(iso3, request.GET), iso3)


def group_view(builder: Callable[..., Page | None], prefix: str) -> Callable[[HttpRequest, str], HttpResponse]:
    """A region or commission profile view."""

    def view(request: HttpRequest, code: str) -> HttpResponse:
        """A region or regional-commission profile."""
        return render_page(request, "indicators/group.html", builder(code, request.GET), f"{prefix}-{code}")

    return view


region = group_view(pages.region_page, "region")
commission = group_view(pages.commission_page, "commission")


def choropleth(request: HttpRequest) -> HttpResponse:
    """The map of one series and year."""
    return render_page(request, "indicators/map.html", pages.map_page(request.GET), "map")
