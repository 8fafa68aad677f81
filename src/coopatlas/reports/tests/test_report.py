"""The yearly report: numbers equal direct ORM queries, HTML in six languages, PDF, command and job page."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q

from coopatlas.core.models import WorkflowStatus
from coopatlas.initiatives.models import Initiative, Transaction
from coopatlas.reports.models import ReportJob
from coopatlas.reports.report import build_report, render_html, render_pdf, weasyprint_missing
from coopatlas.reports.tests.builders import build_portfolio

pytestmark = pytest.mark.django_db
LANGUAGES = ["en", "fr", "es", "ar", "zh-hans", "ru"]


@pytest.fixture
def portfolio(personas: Any) -> Any:
    return build_portfolio(personas)


@pytest.fixture(autouse=True)
def base_url(settings: Any) -> None:
    """The report's links are absolute; pin the site address the assertions spell out."""
    settings.COOPATLAS_BASE_URL = "http://localhost:8000"


def test_report_numbers_equal_direct_queries(portfolio: Any) -> None:
    report = build_report(2019)
    published = Initiative.objects.filter(workflow_status=WorkflowStatus.PUBLISHED, deleted_at__isnull=True)
    active = published.filter(Q(start_actual__lte=date(2019, 12, 31)) | Q(start_actual__isnull=True,
                                                                         start_planned__lte=date(2019, 12, 31)))
    active = active.exclude(end_actual__lt=date(2019, 1, 1))
    assert report.dashboard.initiatives == active.count() == 3
    spent = Transaction.objects.filter(initiative__in=active, transaction_type__in=["3", "4"], date__year=2019)
    usd = sum(t.value for t in spent if (t.currency or t.initiative.currency) == "USD")
    eur = sum(t.value for t in spent if (t.currency or t.initiative.currency) == "EUR")
    assert (usd, eur) == (Decimal("300000"), Decimal("100000"))
    assert report.dashboard.disbursed.rounded == (usd + eur * Decimal("1.1349")).quantize(Decimal("0.01"))
    training = active.filter(modalities__code="training").distinct().count()
    rows = {row.value: row.initiatives for row in report.dashboard.figures["modality"].rows}
    assert rows["training"] == training == 2
    eca = {s.code: s.dashboard.initiatives for s in report.sections}
    assert eca["ECA"] == active.filter(recipient_countries__commissions__code="ECA").distinct().count() == 1


def test_report_html_in_six_languages_shows_headline_and_links_back(portfolio: Any) -> None:
    for lang in LANGUAGES:
        html = render_html(build_report(2019, lang))
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
        assert 'data-testid="headline-initiatives">3<' in html
        assert "http://localhost:8000/" + lang + "/reports/dashboard/?year=2019#figure-modality" in html
        assert "<svg" in html


def test_report_for_a_region_keeps_only_its_initiatives(portfolio: Any) -> None:
    report = build_report(2019, region="ECLAC")
    assert report.dashboard.initiatives == 2
    assert report.sections == []
    assert "commission=ECLAC" in render_html(report)


def test_report_states_modality_shares_computed_from_the_data(portfolio: Any) -> None:
    statements = [s["text"] for s in build_report(2019).statements]
    # 2 of 3 initiatives active in 2019 have training, 1 knowledge brokering, none partnership facilitation.
    assert statements == ["67 % of initiatives built capacity, 33 % brokered knowledge, 0 % facilitated partnerships"]


@pytest.mark.skipif(weasyprint_missing() is not None, reason=f"PDF needs WeasyPrint and Pango: {weasyprint_missing()}")
def test_report_pdf_contains_the_headline_numbers(portfolio: Any) -> None:
    from pypdf import PdfReader

    pdf = render_pdf(build_report(2019, "ar"))
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    digits = re.sub(r"[,\s\u00a0\u202f\u066c]", "", text)  # thousands separators differ by language
    assert "1576750" in digits and "413490" in digits
    assert "حالة التعاون" in text  # the Arabic title, shaped and extracted in reading order


def test_report_command_writes_html(portfolio: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("report", "--year", "2019", "--lang", "fr", "--format", "html", "--out", str(tmp_path / "r.html"),
                 stdout=out)
    assert "3 initiatives, budget 1576750.00 USD, disbursed 413490.00 USD" in out.getvalue()
    assert 'lang="fr"' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_unknown_region_is_refused_by_the_command(portfolio: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown region"):
        call_command("report", "--year", "2019", "--format", "html", "--out", str(tmp_path / "x"), "--region", "XYZ")


@pytest.mark.parametrize("persona", ["anonymous", "contributor_a", "contributor_b", "moderator", "administrator"])
def test_report_page_generates_in_the_background_for_signed_in_users(
    portfolio: Any, personas: Any, persona: str, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = personas.client_for(persona)
    response = client.post("/en/reports/report/", {"year": "2019", "language": "es", "output_format": "html"})
    if persona == "anonymous":
        assert response.status_code == 302 and "/sign-in/" in response["Location"]
        assert not ReportJob.objects.exists()
        return
    job = ReportJob.objects.get()
    assert response["Location"] == f"/en/reports/report/{job.pk}/"
    assert (job.status, job.progress) == (ReportJob.Status.DONE, 100)
    download = client.get(f"/en/reports/report/{job.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert b'lang="es"' in b"".join(download.streaming_content)
    other = personas.client_for("contributor_b" if persona == "contributor_a" else "contributor_a")
    expected = 200 if persona in ("moderator", "administrator") else 404
    assert other.get(f"/en/reports/report/{job.pk}/").status_code in (404, expected)
    job.file.delete()


def test_report_request_refuses_an_unknown_region(personas: Any) -> None:
    client = personas.client_for("contributor_a")
    response = client.post("/en/reports/report/", {"year": "2019", "language": "en", "output_format": "pdf",
                                                   "region": "Atlantis"})
    assert response.status_code == 200
    assert "Unknown region or regional commission: Atlantis" in response.content.decode()
    assert not ReportJob.objects.exists()


def _progress_command(dataset: str) -> dict[str, Any]:
    import json

    out = io.StringIO()
    call_command("progress", "--method", "opensdg", "--dataset", dataset, "--json", stdout=out, stderr=io.StringIO())
    return dict(json.loads(out.getvalue()))


def test_linked_sdg_indicators_equal_direct_queries_with_open_sdg_progress(portfolio: Any) -> None:
    from coopatlas.indicators.models import SdgIndicator
    from coopatlas.indicators.tests.opensdg_helpers import FIXTURE

    # Real data: Statistics Canada's Open SDG platform (a fixture of seven indicators, 2.1.1 and 2.4.1 among them).
    call_command("import_opensdg", str(FIXTURE), "--country", "CAN", "--dataset", "canada", stdout=io.StringIO(),
                 stderr=io.StringIO())
    report = build_report(2019)
    published = Initiative.objects.filter(workflow_status=WorkflowStatus.PUBLISHED, deleted_at__isnull=True)
    active = published.filter(Q(start_actual__lte=date(2019, 12, 31)) | Q(start_actual__isnull=True,
                                                                         start_planned__lte=date(2019, 12, 31)))
    active = active.exclude(end_actual__lt=date(2019, 1, 1)).exclude(end_planned__lt=date(2019, 1, 1))
    links = Initiative.sdg_targets.through.objects
    linked = SdgIndicator.objects.filter(target__in=links.filter(initiative__in=active).values("sdgtarget_id"))
    linked = linked.order_by("sort_key", "code")
    shown = {indicator.code: indicator for indicator in report.sdg_indicators}
    assert list(shown) == list(linked.values_list("code", flat=True))
    assert {"2.1.1", "2.3.1", "2.4.1", "4.4.1"} <= set(shown) and "1.2.1" not in shown
    for code, indicator in shown.items():
        assert indicator.initiatives == active.filter(sdg_targets__indicators__code=code).distinct().count(), code
    assert (shown["2.3.1"].initiatives, shown["2.1.1"].initiatives) == (1, 1)  # the draft on 2.3 is not counted
    expected = _progress_command("canada")
    for code in ("2.1.1", "2.4.1"):
        (progress,) = shown[code].progress
        assert (progress.dataset, progress.status, progress.score) == (
            "canada", expected[code.replace(".", "-")]["progress_status"], expected[code.replace(".", "-")]["score"])
    assert shown["2.3.1"].progress == []
    html = render_html(report)
    assert 'data-indicator="2.4.1"' in html and str(shown["2.4.1"].progress[0].status_label) in html
    assert "sdg_target=2.4" in html  # each count links to the catalogue search that lists its initiatives
    regional = {i.code for i in build_report(2019, region="ECLAC").sdg_indicators}
    eclac = active.filter(recipient_countries__commissions__code="ECLAC")
    assert regional == set(SdgIndicator.objects.filter(
        target__in=links.filter(initiative__in=eclac).values("sdgtarget_id")).values_list("code", flat=True))
    assert "2.1.1" in regional and "2.3.1" not in regional


def test_every_report_figure_links_to_the_query_that_reproduces_it(portfolio: Any, client: Any) -> None:
    report = build_report(2019)
    html = render_html(report)
    links = set(re.findall(r'href="http://localhost:8000(/[^"]*)"', html))
    shown = [*report.charts, "flow"]
    assert set(report.charts) == {k for k in ("cooperation_type", "modality", "sdg_goal", "commission", "region",
                                              "provider_country", "recipient_country")
                                  if report.dashboard.figures[k].rows}
    for key in shown:
        figure = report.dashboard.figures[key]
        url = figure.query_url.replace("&", "&amp;")
        assert url in links, key
        data = client.get(figure.query_url.split("#")[0] + "&format=json").json()
        assert [(r["value"], r["initiatives"]) for r in data["figures"][key]["rows"]] == [
            (r.value, r.initiatives) for r in figure.rows], key
    headline = client.get(report.dashboard.params.url() + "&format=json").json()
    assert report.dashboard.params.url().replace("&", "&amp;") in links
    assert (headline["initiatives"], headline["disbursed"]) == (
        report.dashboard.initiatives, str(report.dashboard.disbursed.rounded))
    for section in report.sections:
        assert section.query_url.replace("&", "&amp;") in links, section.code
        data = client.get(section.query_url + "&format=json").json()
        assert data["initiatives"] == section.dashboard.initiatives, section.code
    for statement in report.statements:
        assert statement["source"].replace("&", "&amp;") in links or not statement["source"].startswith("/")
