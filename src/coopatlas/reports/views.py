"""Dashboard and report pages: thin views over ``dashboards``, ``report`` and ``questionnaires``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from coopatlas.catalogue.search_views import _csv_lines
from coopatlas.reports import charts
from coopatlas.reports.dashboards import DIMENSIONS, Dashboard, DashboardParams, build_dashboard, describe_filters
from coopatlas.reports.forms import DashboardFilterForm, ReportRequestForm
from coopatlas.reports.models import ReportJob


def figure_svg(dashboard: Dashboard, key: str, measure: str = "initiatives") -> str:
    """The static image of one figure: the flow map, or a bar chart of ``measure``."""
    figure = dashboard.figures[key]
    code = dashboard.params.currency
    if key == "flow":
        return charts.flow_map_svg(figure.title, flow_list(dashboard))
    return charts.bar_chart_svg(figure.title, charts.figure_bars(figure.rows, measure, code), rtl=get_language_bidi())


def flow_list(dashboard: Dashboard) -> list[charts.Flow]:
    """The flows of the dashboard as map arcs between M49 codes (weight: number of initiatives)."""
    from coopatlas.geo.models import Country

    rows = dashboard.figures["flow"].rows
    codes = {code for row in rows for code in row.value.split(">")}
    m49 = dict(Country.objects.filter(code__in=codes).values_list("code", "m49"))
    flows = []
    for row in rows:
        provider, _sep, recipient = row.value.partition(">")
        if m49.get(provider) and m49.get(recipient):
            flows.append(charts.Flow(m49[provider], m49[recipient], row.initiatives,
                                     f"{row.label}: {row.initiatives}"))
    return flows


def plotly_figures(dashboard: Dashboard) -> list[dict[str, Any]]:
    """Plotly bar-chart specifications (data + layout) of every figure but the map."""
    specs = []
    for key, figure in dashboard.figures.items():
        if key == "flow" or not figure.rows:
            continue
        labels = [row.label for row in figure.rows][::-1]
        specs.append({
            "id": f"chart-{key}",
            "data": [
                {"type": "bar", "orientation": "h", "name": _("Initiatives"), "y": labels,
                 "x": [row.initiatives for row in figure.rows][::-1]},
                {"type": "bar", "orientation": "h", "name": _("Disbursed (%(currency)s)") % {
                    "currency": dashboard.params.currency}, "y": labels, "xaxis": "x2",
                 "x": [float(row.disbursed.rounded) for row in figure.rows][::-1], "visible": "legendonly"},
            ],
            "layout": {"title": {"text": figure.title}, "margin": {"l": 220, "r": 20, "t": 40, "b": 30},
                       "height": 120 + 26 * len(figure.rows), "xaxis2": {"overlaying": "x", "side": "top"},
                       "legend": {"orientation": "h"}},
        })
    return specs


def dashboard(request: HttpRequest) -> HttpResponse:
    """The cooperation dashboard: HTML, ``?format=json``, ``?format=csv&figure=KEY``, ``?format=svg&figure=KEY``."""
    params = DashboardParams.from_query(request.GET)
    export = request.GET.get("format", "")
    key = request.GET.get("figure", "")
    if export in ("csv", "svg") and key not in DIMENSIONS:
        raise Http404(_("No such figure."))
    result = build_dashboard(params, request.user, {key: DIMENSIONS[key]} if export in ("csv", "svg") else None)
    if export == "json":
        return JsonResponse(result.to_dict(), json_dumps_params={"ensure_ascii": False})
    if export == "csv":
        rows = result.figures[key].csv_rows(params.currency)
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="coopatlas-{key}.csv"'
        return response
    if export == "svg":
        measure = request.GET.get("measure", "initiatives")
        measure = measure if measure in ("initiatives", "budget", "disbursed") else "initiatives"
        response = HttpResponse(figure_svg(result, key, measure), content_type="image/svg+xml")
        response["Content-Disposition"] = f'attachment; filename="coopatlas-{key}.svg"'
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return response
    context = {
        "dashboard": result, "form": DashboardFilterForm(request.GET or None),
        "filters": describe_filters(params), "flow_map": figure_svg(result, "flow"),
        "plotly_figures": plotly_figures(result),
        "shares": {"south_south": round(100 * result.share("south-south")),
                   "triangular": round(100 * result.share("triangular"))},
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def report_request(request: HttpRequest) -> HttpResponse:
    """Ask for a report (any signed-in user); it is generated by a background job."""
    from coopatlas.reports.tasks import generate_report

    form = ReportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = ReportJob.objects.create(user=request.user, **form.cleaned_data)
        generate_report.enqueue(job.pk)
        return redirect("reports:report-job", pk=job.pk)
    jobs = ReportJob.objects.filter(user=request.user)[:10]
    return render(request, "reports/report_request.html", {"form": form, "jobs": jobs})


def _own_job(request: HttpRequest, pk: int) -> ReportJob:
    job = get_object_or_404(ReportJob, pk=pk)
    if job.user_id != request.user.pk and not request.user.is_moderator:
        raise Http404
    return job


@login_required
def report_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A report job's progress (htmx polls the partial until it is done) and its download link."""
    job = _own_job(request, pk)
    template = "reports/_report_job.html" if getattr(request, "htmx", False) else "reports/report_job.html"
    return render(request, template, {"job": job})


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished report file (served as an attachment, never inline HTML from storage)."""
    job = _own_job(request, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404(_("The report is not ready."))
    content_type = "application/pdf" if job.output_format == "pdf" else "text/html; charset=utf-8"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.download_name,
                        content_type=content_type)
