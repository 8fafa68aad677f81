"""Keeping the catalogue alive: stale records, reminders, partnerships silent for two years."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from coopatlas.catalogue.models import Partnership, PartnershipProgressReport, Solution
from coopatlas.catalogue.tests.factories import make_solution
from coopatlas.core.models import ChangeRecord, WorkflowStatus
from coopatlas.reports.stale import is_stale, silent_partnerships, stale_records
from coopatlas.reports.tasks import send_stale_reminders

pytestmark = pytest.mark.django_db


def _age(record: Any, days: int) -> None:
    type(record).objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(days=days))
    record.refresh_from_db()


def test_records_not_updated_within_the_setting_are_stale(personas: Any, settings: Any) -> None:
    settings.COOPATLAS_STALE_AFTER_DAYS = 100
    old = make_solution(personas.org_a, personas.contributor_a, "Old", WorkflowStatus.PUBLISHED)
    fresh = make_solution(personas.org_a, personas.contributor_a, "Fresh", WorkflowStatus.PUBLISHED)
    _age(old, 101)
    _age(fresh, 99)
    assert list(stale_records("solution")) == [old]
    assert (is_stale(old), is_stale(fresh)) == (True, False)


def test_owners_of_stale_records_are_reminded_by_email(personas: Any, settings: Any) -> None:
    settings.COOPATLAS_STALE_AFTER_DAYS = 30
    old = make_solution(personas.org_a, personas.contributor_a, "Rainwater harvesting", WorkflowStatus.PUBLISHED)
    _age(old, 31)
    assert send_stale_reminders.call() == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "Rainwater harvesting" in mail.outbox[0].body and "30 days" in mail.outbox[0].body


def _partnership(personas: Any, title: str, start: date | None) -> Partnership:
    partnership = Partnership.objects.create(owner=personas.org_a, title=title, description="x", start_date=start,
                                             workflow_status=WorkflowStatus.PUBLISHED)
    return partnership


def test_partnerships_without_a_progress_report_for_two_years_become_inactive(personas: Any) -> None:
    this_year = timezone.now().year
    reporting = _partnership(personas, "Reporting", date(this_year - 5, 1, 1))
    PartnershipProgressReport.objects.create(partnership=reporting, year=this_year - 1, text="ok")
    silent = _partnership(personas, "Silent", date(this_year - 5, 1, 1))
    PartnershipProgressReport.objects.create(partnership=silent, year=this_year - 2, text="last")
    never = _partnership(personas, "Never reported", date(this_year - 3, 1, 1))
    young = _partnership(personas, "Young", timezone.now().date() - timedelta(days=200))
    assert set(silent_partnerships()) == {silent, never}
    out = io.StringIO()
    call_command("flag_stale", stdout=out)
    assert "Partnerships marked inactive: 2" in out.getvalue()
    statuses = dict(Partnership.objects.values_list("title", "status"))
    assert statuses == {"Reporting": "active", "Silent": "inactive", "Never reported": "inactive", "Young": "active"}
    assert ChangeRecord.objects.filter(object_id=silent.pk, changes__status=["active", "inactive"]).exists()
    assert young.pk and Solution.objects.count() == 0


def test_dry_run_changes_nothing(personas: Any) -> None:
    _partnership(personas, "Silent", date(timezone.now().year - 4, 1, 1))
    out = io.StringIO()
    call_command("flag_stale", "--dry-run", stdout=out)
    assert "Partnerships that would become inactive: 1" in out.getvalue()
    assert Partnership.objects.get().status == "active"
