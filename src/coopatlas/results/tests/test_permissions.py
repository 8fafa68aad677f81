"""Who may define, report, submit, approve, return and download: each persona, through the pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coopatlas.core.models import WorkflowStatus
from coopatlas.initiatives.models import Result
from coopatlas.results import services
from coopatlas.results.models import PeriodUpdate, UpdateStatus
from coopatlas.results.tests.conftest import make_initiative, report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WRITERS = [
    ("anonymous", False),
    ("contributor_a", True),
    ("contributor_b", False),
    ("moderator", True),
    ("administrator", True),
]
REVIEWERS = [
    ("anonymous", False),
    ("contributor_a", False),
    ("contributor_b", False),
    ("moderator", True),
    ("administrator", True),
]


@pytest.mark.parametrize(("persona", "allowed"), WRITERS)
def test_who_may_add_a_result(personas, initiative, persona, allowed):
    response = personas.client_for(persona).post(
        reverse("results:result-create", args=[initiative.pk]), {"result_type": "1", "title": "Trained staff"}
    )
    assert Result.objects.filter(initiative=initiative).exists() is allowed
    assert response.status_code == (302 if allowed else 302 if persona == "anonymous" else 403)
    if persona == "anonymous":
        assert "sign-in" in response["Location"]


@pytest.mark.parametrize(("persona", "allowed"), WRITERS)
def test_who_may_edit_an_indicator(personas, framework, persona, allowed):
    indicator = framework["indicator"]
    personas.client_for(persona).post(
        reverse("results:indicator-edit", args=[framework["initiative"].pk, indicator.pk]),
        {"title": "Renamed", "measure": "1", "unit": "people", "baseline_value": "100"},
    )
    indicator.refresh_from_db()
    assert (services.text_of(indicator.title) == "Renamed") is allowed


@pytest.mark.parametrize(("persona", "allowed"), WRITERS)
def test_who_may_add_a_period(personas, framework, persona, allowed):
    personas.client_for(persona).post(
        reverse("results:period-create", args=[framework["initiative"].pk, framework["indicator"].pk]),
        {"period_start": "2025-01-01", "period_end": "2025-12-31", "target_value": "400"},
    )
    assert framework["indicator"].periods.filter(period_start=datetime.date(2025, 1, 1)).exists() is allowed


@pytest.mark.parametrize(("persona", "allowed"), WRITERS)
def test_who_may_report_a_value(personas, framework, persona, allowed):
    response = personas.client_for(persona).post(
        reverse("results:update-create", args=[framework["initiative"].pk, framework["period"].pk]),
        {"value": "120", "unit": "people"},
    )
    assert PeriodUpdate.objects.exists() is allowed, response.status_code


@pytest.mark.parametrize(("persona", "allowed"), WRITERS)
def test_who_may_edit_and_submit_a_draft(personas, framework, persona, allowed):
    update = report(personas, framework["period"])
    client = personas.client_for(persona)
    client.post(
        reverse("results:update-edit", args=[update.pk]), {"value": "260", "unit": "people", "version": update.version}
    )
    client.post(reverse("results:update-workflow", args=[update.pk]), {"action": "submit"})
    update.refresh_from_db()
    assert (services.format_number(update.value), update.status) == (
        ("260", UpdateStatus.SUBMITTED) if allowed else ("250", UpdateStatus.DRAFT)
    )


@pytest.mark.parametrize(("persona", "allowed"), REVIEWERS)
def test_who_may_approve(personas, framework, persona, allowed):
    update = report(personas, framework["period"])
    services.submit_update(update, personas.contributor_a)
    personas.client_for(persona).post(reverse("results:update-workflow", args=[update.pk]), {"action": "approve"})
    update.refresh_from_db()
    framework["period"].refresh_from_db()
    assert (update.status == UpdateStatus.APPROVED) is allowed
    assert bool(framework["period"].actuals) is allowed


@pytest.mark.parametrize(("persona", "allowed"), REVIEWERS)
def test_who_may_return(personas, framework, persona, allowed):
    update = report(personas, framework["period"])
    services.submit_update(update, personas.contributor_a)
    personas.client_for(persona).post(
        reverse("results:update-workflow", args=[update.pk]), {"action": "return", "comment": "Add evidence."}
    )
    update.refresh_from_db()
    assert (update.status == UpdateStatus.RETURNED) is allowed


def _with_evidence(personas, framework):
    upload = SimpleUploadedFile("attendance.pdf", PDF, content_type="application/pdf")
    update = report(personas, framework["period"])
    return services.edit_update(
        update, personas.contributor_a, update.version, {"value": update.value, "unit": "people"}, upload
    )


@pytest.mark.parametrize(
    ("persona", "draft", "approved"),
    [
        ("anonymous", False, True),
        ("contributor_a", True, True),
        ("contributor_b", False, True),
        ("moderator", True, True),
        ("administrator", True, True),
    ],
)
def test_who_may_download_evidence(personas, framework, persona, draft, approved):
    update = _with_evidence(personas, framework)
    attachment = update.attachments.get()
    url = reverse("results:attachment", args=[attachment.pk])
    assert (personas.client_for(persona).get(url).status_code == 200) is draft
    services.submit_update(update, personas.contributor_a)
    services.approve_update(update, personas.moderator)
    assert (personas.client_for(persona).get(url).status_code == 200) is approved


@pytest.mark.parametrize(("persona", "sees"), WRITERS)
def test_results_of_a_draft_initiative_are_seen_only_by_its_organisation_and_moderators(personas, persona, sees):
    initiative = make_initiative(personas, status=WorkflowStatus.DRAFT)
    response = personas.client_for(persona).get(reverse("results:initiative", args=[initiative.pk]))
    assert response.status_code == (200 if sees else 404)


def test_visitors_see_approved_figures_only(personas, framework):
    draft = report(personas, framework["period"], narrative="Pending figure nobody should see")
    page = personas.client_for("contributor_b").get(reverse("results:initiative", args=[framework["initiative"].pk]))
    assert "Pending figure nobody should see" not in page.content.decode()
    assert f'data-testid="update-{draft.pk}"' not in page.content.decode()
    page = personas.client_for("contributor_a").get(reverse("results:initiative", args=[framework["initiative"].pk]))
    assert f'data-testid="update-{draft.pk}"' in page.content.decode()
