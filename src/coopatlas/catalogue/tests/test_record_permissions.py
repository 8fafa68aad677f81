"""Who may read, create, edit, delete and restore records in the UI — tested for every persona."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coopatlas.catalogue.models import Need
from coopatlas.catalogue.tests.factories import make_need
from coopatlas.core.models import WorkflowStatus

PERSONAS = ["anonymous", "contributor_a", "contributor_b", "moderator", "administrator"]


@pytest.fixture
def draft_of_b(personas):
    return make_need(personas.org_b, personas.contributor_b, title="Draft need of B")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 404), ("contributor_a", 404), ("contributor_b", 200), ("moderator", 200), ("administrator", 200)],
)
def test_only_owners_and_moderators_read_a_draft(personas, draft_of_b, persona, expected):
    response = personas.client_for(persona).get(reverse("catalogue:need-detail", args=[draft_of_b.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_a_published_record(personas, persona):
    need = make_need(personas.org_b, personas.contributor_b, title="Published need", status=WorkflowStatus.PUBLISHED)
    response = personas.client_for(persona).get(reverse("catalogue:need-detail", args=[need.pk]))
    assert response.status_code == 200
    assert "Published need" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("anonymous", False), ("contributor_a", False), ("contributor_b", True), ("moderator", True), ("administrator", True)],
)
def test_only_owners_and_moderators_edit(personas, draft_of_b, persona, allowed):
    client = personas.client_for(persona)
    url = reverse("catalogue:need-edit", args=[draft_of_b.pk])
    data = {"owner": personas.org_b.pk, "title": "Changed title", "description": "New text", "country": "SEN",
            "status": "open", "language": "en", "version": draft_of_b.version}
    response = client.post(url, data)
    draft_of_b.refresh_from_db()
    if allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert draft_of_b.title == "Changed title"
        assert draft_of_b.version == 2
    else:
        assert response.status_code in (302, 404)  # anonymous is sent to sign in; B's draft is invisible to A
        assert draft_of_b.title == "Draft need of B"
        if persona == "anonymous":
            assert reverse("core:login") in response["Location"]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("contributor_a", False), ("contributor_b", True), ("moderator", True), ("administrator", True)],
)
def test_only_owners_and_moderators_delete(personas, draft_of_b, persona, allowed):
    response = personas.client_for(persona).post(reverse("catalogue:need-delete", args=[draft_of_b.pk]))
    draft_of_b.refresh_from_db()
    assert draft_of_b.is_deleted is allowed
    assert response.status_code in ((302,) if allowed else (403, 404))


def test_anonymous_cannot_delete(personas, draft_of_b):
    response = personas.client_for("anonymous").post(reverse("catalogue:need-delete", args=[draft_of_b.pk]))
    assert response.status_code == 302 and reverse("core:login") in response["Location"]
    draft_of_b.refresh_from_db()
    assert not draft_of_b.is_deleted


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("contributor_a", False), ("contributor_b", False), ("moderator", True), ("administrator", True)],
)
def test_only_moderators_restore_deleted_records(personas, draft_of_b, persona, allowed):
    personas.client_for("contributor_b").post(reverse("catalogue:need-delete", args=[draft_of_b.pk]))
    personas.client_for(persona).post(reverse("catalogue:need-restore", args=[draft_of_b.pk]))
    draft_of_b.refresh_from_db()
    assert draft_of_b.is_deleted is not allowed


def test_deleted_records_disappear_for_their_owners(personas, draft_of_b):
    personas.client_for("contributor_b").post(reverse("catalogue:need-delete", args=[draft_of_b.pk]))
    response = personas.client_for("contributor_b").get(reverse("catalogue:need-detail", args=[draft_of_b.pk]))
    assert response.status_code == 404


def test_contributor_creates_records_only_for_own_organisation(personas):
    client = personas.client_for("contributor_a")
    data = {"owner": personas.org_b.pk, "title": "Sneaky", "description": "x", "country": "SEN", "status": "open",
            "language": "en"}
    response = client.post(reverse("catalogue:need-create"), data)
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert not Need.objects.filter(title="Sneaky").exists()


def test_contributor_creates_a_draft_need(personas):
    client = personas.client_for("contributor_a")
    data = {"owner": personas.org_a.pk, "title": "Irrigation know-how", "description": "Drip irrigation for smallholders",
            "country": "BRA", "status": "open", "language": "en", "sdg_targets": ["2.4"], "modalities": ["training"]}
    response = client.post(reverse("catalogue:need-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    need = Need.objects.get(title="Irrigation know-how")
    assert need.owner == personas.org_a
    assert need.workflow_status == WorkflowStatus.DRAFT
    assert list(need.sdg_targets.values_list("code", flat=True)) == ["2.4"]
    assert need.created_by == personas.contributor_a


def test_user_without_organisation_is_sent_to_register_one(personas, django_user_model):
    loner = django_user_model.objects.create_user("loner", "l@example.org", "x" * 12)
    from django.test import Client

    client = Client()
    client.force_login(loner)
    response = client.get(reverse("catalogue:need-create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:organisation-create")


def test_registering_an_organisation_makes_its_creator_a_manager(personas, django_user_model):
    from django.test import Client

    from coopatlas.catalogue.models import Membership, Organisation

    founder = django_user_model.objects.create_user("founder", "f@example.org", "x" * 12)
    client = Client()
    client.force_login(founder)
    response = client.post(reverse("catalogue:organisation-create"),
                           {"name": "Agencia Mexicana de Cooperación", "acronym": "AMEXCID", "country": "MEX",
                            "roles": ["provider", "recipient"], "language": "es", "organisation_type": "10"})
    assert response.status_code == 302, response.content.decode()[:3000]
    org = Organisation.objects.get(acronym="AMEXCID")
    assert org.workflow_status == WorkflowStatus.DRAFT
    assert Membership.objects.get(user=founder, organisation=org).role == "manager"
