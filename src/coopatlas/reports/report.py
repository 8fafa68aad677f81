"""The yearly "State of South-South and triangular cooperation" report, built from the catalogue's data.

Modelled on the Secretary-General's report A/74/336 "State of South-South cooperation" (2019):
headline figures, the breakdowns of the dashboards, a section per UN regional commission, good
practices (published solutions), the statements aggregated from entity reporting and the progress
of the SDG indicators linked to the initiatives (``reports.sdg_progress``). Every figure
carries the URL of the dashboard query that produced it. HTML from a Django template; PDF with
WeasyPrint (fonts: Debian ``fonts-noto-core`` and ``fonts-noto-cjk``; Arabic laid out right to left).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation

from coopatlas.core.search.service import SearchParams
from coopatlas.reports import charts
from coopatlas.reports.dashboards import Dashboard, DashboardParams, build_dashboard, describe_filters
from coopatlas.reports.dimensions import DIMENSIONS
from coopatlas.reports.sdg_progress import LinkedIndicator, linked_indicators

#: Breakdowns shown in the report (the flow map is drawn separately).
REPORT_FIGURES = ("cooperation_type", "modality", "sdg_goal", "commission", "region", "provider_country",
                  "recipient_country")
GOOD_PRACTICES = 8
Progress = Callable[[int, str], None]


def base_url() -> str:
    """Absolute address of the site, for the report's links (setting ``COOPATLAS_BASE_URL``)."""
    return str(getattr(settings, "COOPATLAS_BASE_URL", "http://localhost:8000")).rstrip("/")


def resolve_region(code: str) -> tuple[str, str] | None:
    """("commission", "ECA") or ("region", "002") for a commission code or an M49 region/sub-region code."""
    from coopatlas.geo.models import Region, RegionalCommission

    code = code.strip()
    commission = RegionalCommission.objects.filter(code__iexact=code).first()
    if commission:
        return "commission", commission.code
    region = Region.objects.filter(code=code).exclude(level=Region.Level.WORLD).first()
    if region:
        return ("subregion" if region.level != Region.Level.REGION else "region"), region.code
    return None


@dataclass
class RegionalSection:
    """One regional commission's share of the year's cooperation."""

    code: str
    name: str
    dashboard: Dashboard
    query_url: str


@dataclass
class ReportData:
    """Everything the report shows, computed once and rendered as HTML or PDF."""

    year: int
    language: str
    region: str
    region_name: str
    dashboard: Dashboard
    sections: list[RegionalSection]
    good_practices: list[dict[str, str]]
    statements: list[dict[str, str]]
    charts: dict[str, str] = field(default_factory=dict)
    flow_map: str = ""
    filters: list[str] = field(default_factory=list)
    sdg_indicators: list[LinkedIndicator] = field(default_factory=list)

    def link(self, relative: str) -> str:
        return base_url() + relative


def _params(year: int, region: str) -> DashboardParams:
    filters: dict[str, tuple[str, ...]] = {}
    if region:
        kind, code = resolve_region(region) or ("region", region)
        filters[kind] = (code,)
    return DashboardParams(SearchParams(filters=filters), year)


def good_practices(params: DashboardParams, limit: int = GOOD_PRACTICES) -> list[dict[str, str]]:
    """Published solutions in the report's region (most recently published first), with their links."""
    from coopatlas.catalogue.models import Solution
    from coopatlas.core.search.sql import visible_entries

    solutions: QuerySet[Any] = Solution.objects.published().select_related("provider")
    if params.search.filters:
        entries = visible_entries(AnonymousUser(), params.search.filters).filter(record_type="solution")
        solutions = solutions.filter(pk__in=entries.values("object_id"))
    practices = []
    for solution in solutions.order_by("-published_at", "-id")[:limit]:
        title, _translated = solution.translated("title")
        summary, _translated = solution.translated("summary")
        practices.append({
            "title": title, "summary": summary,
            "provider": solution.provider.display_name if solution.provider else "",
            "url": base_url() + solution_url(solution.pk),
        })
    return practices


def solution_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("catalogue:solution-detail", args=[pk])


def build_report(year: int, language: str = "en", region: str = "", progress: Progress | None = None) -> ReportData:
    """Compute the report for ``year`` (published records only, as an anonymous reader sees them)."""
    from coopatlas.geo.models import RegionalCommission
    from coopatlas.reports.questionnaires import statements_for_year
    from coopatlas.reports.views import figure_svg

    step = progress or (lambda percent, text: None)
    reader = AnonymousUser()
    with translation.override(language):
        params = _params(year, region)
        step(10, "headline figures")
        dashboard = build_dashboard(params, reader)
        step(50, "regional sections")
        sections = []
        if not region:
            for commission in RegionalCommission.objects.all():
                regional = replace(params, search=SearchParams(filters={"commission": (commission.code,)}))
                numbers = build_dashboard(regional, reader, {"modality": DIMENSIONS["modality"]})
                sections.append(RegionalSection(commission.code, commission.name, numbers, regional.url()))
        step(70, "good practices and statements")
        practices = good_practices(params)
        statements = statements_for_year(year, dashboard)
        step(75, "linked SDG indicators")
        indicators = linked_indicators(params)
        step(80, "charts")
        figures = {key: figure_svg(dashboard, key) for key in REPORT_FIGURES if dashboard.figures[key].rows}
        flow_map = figure_svg(dashboard, "flow")
        region_name = ""
        if region:
            region_name = ", ".join(describe_filters(replace(params, year=None)))
        return ReportData(year, language, region, region_name, dashboard, sections, practices, statements,
                          figures, flow_map, describe_filters(params), indicators)


def render_html(report: ReportData) -> str:
    """The report as one self-contained HTML document (styles inline, charts as inline SVG)."""
    dashboard = report.dashboard
    figures = [
        {"key": key, "title": figure.title, "rows": figure.rows, "truncated": figure.truncated,
         "query_url": figure.query_url, "svg": report.charts[key]}
        for key, figure in dashboard.figures.items() if key in report.charts
    ]
    shares = {"south_south": round(100 * dashboard.share("south-south")),
              "triangular": round(100 * dashboard.share("triangular"))}
    with translation.override(report.language):
        return render_to_string("reports/report.html", {
            "report": report, "dashboard": dashboard, "figures": figures, "shares": shares, "base_url": base_url(),
            "LANGUAGE_CODE": report.language, "LANGUAGE_BIDI": translation.get_language_bidi(),
        })


def weasyprint_missing() -> str | None:
    """Why WeasyPrint cannot run here (the package or its Pango libraries are missing), else None."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"WeasyPrint is not usable: {error}"
    return None


def render_pdf(report: ReportData) -> bytes:
    """The report as PDF (WeasyPrint; links stay clickable)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(report), base_url=base_url()).write_pdf()
    return pdf


def chart_bars(report: ReportData, key: str) -> list[charts.Bar]:
    """The bars of one figure (tests use them to check the charts show the table's numbers)."""
    figure = report.dashboard.figures[key]
    return charts.figure_bars(figure.rows, "initiatives", report.dashboard.params.currency)
