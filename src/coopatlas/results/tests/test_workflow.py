"""A contributor reports results and gets them approved (issue #6's "done when"), with every step in the history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from coopatlas.core.audit import history_of
from coopatlas.core.services import WorkflowError
from coopatlas.initiatives.models import IndicatorPeriod
from coopatlas.results import services
from coopatlas.results.models import PeriodUpdate, UpdateStatus
from coopatlas.results.tests.conftest import report

pytestmark = pytest.mark.django_db


def test_a_contributor_reports_results_through_the_pages_and_a_moderator_approves_them(personas, initiative):
    alice, mona = personas.client_for("contributor_a"), personas.client_for("moderator")
    pk = initiative.pk
    response = alice.post(reverse("results:result-create", args=[pk]), {"result_type": "2", "title": "Higher yields"})
    assert response.status_code == 302
    result = initiative.results.get()
    response = alice.post(
        reverse("results:indicator-create", args=[pk, result.pk]),
        {
            "title": "Paddy yield",
            "measure": "1",
            "unit": "t/ha",
            "ascending": "on",
            "baseline_value": "2.5",
            "baseline_year": "2023",
            "sdg_indicator": "2.3.1",
        },
    )
    assert response.status_code == 302
    indicator = result.indicators.get()
    assert indicator.profile.unit == "t/ha" and indicator.profile.sdg_indicator_id == "2.3.1"
    assert indicator.baselines == [{"value": "2.5", "year": "2023", "iso_date": "", "comment": {}}]
    response = alice.post(
        reverse("results:period-create", args=[pk, indicator.pk]),
        {"period_start": "2024-01-01", "period_end": "2024-12-31", "target_value": "4"},
    )
    assert response.status_code == 302
    period = indicator.periods.get()
    assert period.targets == [{"value": "4", "comment": {}}] and period.actuals == []

    response = alice.post(
        reverse("results:update-create", args=[pk, period.pk]),
        {"value": "3.1", "unit": "t/ha", "narrative": "Measured on 40 farms."},
    )
    assert response.status_code == 302
    update = PeriodUpdate.objects.get()
    assert update.status == UpdateStatus.DRAFT
    alice.post(reverse("results:update-workflow", args=[update.pk]), {"action": "submit"})
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED

    # Before approval the public page shows no actual and no pending figure.
    public = personas.client_for("anonymous").get(reverse("results:initiative", args=[pk])).content.decode()
    assert "Measured on 40 farms." not in public

    mona.post(reverse("results:update-workflow", args=[update.pk]), {"action": "approve"})
    update.refresh_from_db()
    period.refresh_from_db()
    assert update.status == UpdateStatus.APPROVED and update.reviewed_by == personas.moderator
    assert period.actuals == [{"value": "3.1", "comment": {"": "Measured on 40 farms."}}]

    page = personas.client_for("anonymous").get(reverse("initiatives:initiative-detail", args=[pk])).content.decode()
    # (3.1 - 2.5) / (4 - 2.5) = 0.4
    assert f'data-testid="share-{indicator.pk}">40 %' in page
    public = personas.client_for("anonymous").get(reverse("results:initiative", args=[pk])).content.decode()
    assert "Measured on 40 farms." in public


def test_every_step_is_recorded_in_the_initiative_history(personas, framework):
    update = report(personas, framework["period"])
    services.submit_update(update, personas.contributor_a)
    services.approve_update(update, personas.moderator)
    changes = list(history_of(framework["initiative"]).order_by("created_at", "id"))
    fields = [next(iter(c.changes)) for c in changes if c.action == "update"]
    result, indicator, period = framework["result"], framework["indicator"], framework["period"]
    assert fields == [
        f"result {result.pk}",
        f"indicator {indicator.pk}",
        f"period {period.pk}",
        f"period update {update.pk}",
        f"period update {update.pk}",
        f"period update {update.pk}",
    ]
    old, new = changes[-1].changes[f"period update {update.pk}"]
    assert (old["status"], new["status"], old["actual"], new["actual"]) == ("submitted", "approved", None, "250")
    assert changes[-1].user == personas.moderator


def test_returning_needs_a_comment_and_the_author_sees_it(personas, framework):
    update = report(personas, framework["period"])
    services.submit_update(update, personas.contributor_a)
    with pytest.raises(WorkflowError, match="comment is required"):
        services.return_update(update, personas.moderator, "  ")
    update.refresh_from_db()
    assert update.status == UpdateStatus.SUBMITTED
    services.return_update(update, personas.moderator, "Which cohorts? Attach the attendance list.")
    update.refresh_from_db()
    assert update.status == UpdateStatus.RETURNED
    history = personas.client_for("contributor_a").get(
        reverse("initiatives:initiative-history", args=[framework["initiative"].pk])
    )
    assert "<em>Which cohorts? Attach the attendance list.</em>" in history.content.decode()
    page = personas.client_for("contributor_a").get(reverse("results:initiative", args=[framework["initiative"].pk]))
    assert "Which cohorts? Attach the attendance list." in page.content.decode()
    # Returned updates can be corrected and submitted again.
    services.edit_update(update, personas.contributor_a, update.version, {"value": Decimal("240"), "unit": "people"})
    services.submit_update(update, personas.contributor_a)
    update.refresh_from_db()
    assert (update.status, update.value) == (UpdateStatus.SUBMITTED, Decimal("240"))


def test_submitting_twice_is_refused_with_a_clear_message(personas, framework):
    update = report(personas, framework["period"])
    client = personas.client_for("contributor_a")
    url = reverse("results:update-workflow", args=[update.pk])
    client.post(url, {"action": "submit"})
    response = client.post(url, {"action": "submit"}, follow=True)
    assert "already submitted" in response.content.decode()
    assert len([c for c in history_of(framework["initiative"]) if f"period update {update.pk}" in c.changes]) == 2


def test_an_approved_update_cannot_be_changed_or_approved_again(personas, framework):
    update = report(personas, framework["period"])
    services.submit_update(update, personas.contributor_a)
    services.approve_update(update, personas.moderator)
    update.refresh_from_db()
    with pytest.raises(WorkflowError):
        services.edit_update(update, personas.contributor_a, update.version, {"value": Decimal("1"), "unit": "people"})
    with pytest.raises(WorkflowError):
        services.approve_update(update, personas.moderator)
    with pytest.raises(WorkflowError):
        services.return_update(update, personas.moderator, "Too late")
    assert IndicatorPeriod.objects.get(pk=framework["period"].pk).actuals[0]["value"] == "250"


def test_a_new_update_after_approval_replaces_the_actual(personas, framework):
    first = report(personas, framework["period"])
    services.submit_update(first, personas.contributor_a)
    services.approve_update(first, personas.moderator)
    second = report(personas, framework["period"], value="280")
    services.submit_update(second, personas.contributor_a)
    services.approve_update(second, personas.moderator)
    assert IndicatorPeriod.objects.get(pk=framework["period"].pk).actuals == [
        {"value": "280", "comment": {"": "Two cohorts trained."}}
    ]


def test_a_draft_update_can_be_withdrawn_but_not_a_submitted_one(personas, framework, media_in_tmp):
    from django.core.files.uploadedfile import SimpleUploadedFile

    update = services.create_update(
        framework["period"],
        personas.contributor_a,
        {"value": Decimal(5), "unit": "people"},
        SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    client = personas.client_for("contributor_b")
    assert client.post(reverse("results:update-delete", args=[update.pk])).status_code == 404
    client = personas.client_for("contributor_a")
    services.submit_update(update, personas.contributor_a)
    response = client.post(reverse("results:update-delete", args=[update.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    services.return_update(update, personas.moderator, "Wrong period.")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
        client.post(reverse("results:update-delete", args=[update.pk]))
    assert not PeriodUpdate.objects.exists()
    assert not any(p.is_file() for p in media_in_tmp.rglob("*"))
    assert history_of(framework["initiative"]).first().changes[f"period update {update.pk}"][1] is None


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("anonymous", False), ("contributor_a", True), ("contributor_b", False), ("moderator", True)],
)
def test_who_may_delete_an_indicator_with_its_periods_and_updates(personas, framework, persona, allowed):
    from coopatlas.initiatives.models import ResultIndicator
    from coopatlas.results.models import IndicatorProfile

    report(personas, framework["period"])
    indicator = framework["indicator"]
    url = reverse("results:part-delete", args=[framework["initiative"].pk, "indicator", indicator.pk])
    personas.client_for(persona).post(url)
    assert ResultIndicator.objects.filter(pk=indicator.pk).exists() is not allowed
    assert IndicatorPeriod.objects.filter(pk=framework["period"].pk).exists() is not allowed
    assert PeriodUpdate.objects.exists() is not allowed
    assert IndicatorProfile.objects.filter(indicator_id=indicator.pk).exists() is not allowed
