"""Partnership commitments and yearly progress reports; organisation members added by managers."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from coopatlas.catalogue.models import Membership, Partnership
from coopatlas.core import services
from coopatlas.core.audit import history_of


@pytest.fixture
def partnership(personas):
    record = Partnership(owner=personas.org_a, title="Water operators' peer exchange", description="Peer learning.",
                         workflow_status="published")
    services.create_record(record, personas.contributor_a)
    record.partners.set([personas.org_a, personas.org_b])
    return record


def test_owner_adds_a_progress_report_and_it_is_in_the_history(personas, partnership):
    url = reverse("catalogue:partnership-progress", args=[partnership.pk])
    response = personas.client_for("contributor_a").post(url, {"year": 2024, "text": "Twelve utilities twinned."})
    assert response.status_code == 302
    assert list(partnership.progress_reports.values_list("year", "text")) == [(2024, "Twelve utilities twinned.")]
    assert history_of(partnership).first().changes == {"progress_reports": [None, "2024"]}
    page = personas.client_for("anonymous").get(reverse("catalogue:partnership-detail", args=[partnership.pk]))
    assert "Twelve utilities twinned." in page.content.decode()


def test_a_second_report_for_the_same_year_is_refused(personas, partnership):
    url = reverse("catalogue:partnership-progress", args=[partnership.pk])
    client = personas.client_for("contributor_a")
    client.post(url, {"year": 2024, "text": "First."})
    response = client.post(url, {"year": 2024, "text": "Second."}, follow=True)
    assert "already has a progress report for 2024" in response.content.decode()
    assert partnership.progress_reports.count() == 1


def test_a_report_for_a_future_year_is_refused(personas, partnership):
    url = reverse("catalogue:partnership-progress", args=[partnership.pk])
    personas.client_for("contributor_a").post(url, {"year": datetime.date.today().year + 1, "text": "Too early."})
    assert partnership.progress_reports.count() == 0


@pytest.mark.parametrize(("persona", "allowed"), [("anonymous", False), ("contributor_b", False), ("moderator", True)])
def test_only_owners_and_moderators_add_commitments(personas, partnership, persona, allowed):
    url = reverse("catalogue:partnership-commitment", args=[partnership.pk])
    personas.client_for(persona).post(url, {"text": "Twin ten utilities", "status": "planned"})
    assert partnership.commitments.exists() is allowed


def test_a_manager_adds_a_member(personas, django_user_model):
    Membership.objects.filter(user=personas.contributor_a).update(role="manager")
    newcomer = django_user_model.objects.create(username="newcomer", email="new@example.org")
    url = reverse("catalogue:organisation-add-member", args=[personas.org_a.pk])
    personas.client_for("contributor_a").post(url, {"user": "new@example.org", "role": "member"})
    assert Membership.objects.filter(user=newcomer, organisation=personas.org_a, role="member").exists()


@pytest.mark.parametrize("persona", ["contributor_a", "contributor_b"])
def test_plain_members_and_outsiders_cannot_add_members(personas, django_user_model, persona):
    django_user_model.objects.create(username="newcomer", email="new@example.org")
    url = reverse("catalogue:organisation-add-member", args=[personas.org_a.pk])
    response = personas.client_for(persona).post(url, {"user": "newcomer", "role": "manager"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="newcomer").exists()
