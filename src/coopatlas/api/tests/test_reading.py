"""Who reads what through the API: the same records as in the UI, drafts only for their organisation."""

from __future__ import annotations

import pytest

from coopatlas.api.tests.conftest import PERSONAS, make_need
from coopatlas.catalogue.models import Expert
from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 404), ("contributor_a", 404), ("contributor_b", 200), ("moderator", 200), ("administrator", 200)],
)
def test_only_owners_and_moderators_read_a_draft(api, draft_of_b, persona, expected):
    response = api(persona).get(f"needs/{draft_of_b.pk}")
    assert response.status == expected
    if expected == 404:
        assert response.body == {"detail": "No such record, or you may not see it."}


@pytest.mark.parametrize(
    ("persona", "sees_draft"),
    [("anonymous", False), ("contributor_a", False), ("contributor_b", True), ("moderator", True),
     ("administrator", True)],
)
def test_lists_show_drafts_only_to_owners_and_moderators(api, draft_of_b, published_of_b, persona, sees_draft):
    response = api(persona).get("needs")
    assert response.status == 200
    titles = {record["title"] for record in response.body["results"]}
    expected = {"Published need of B", "Draft need of B"} if sees_draft else {"Published need of B"}
    assert titles == expected
    assert response.body["count"] == len(expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_a_published_record_with_all_its_fields(api, personas, persona):
    need = make_need(personas.org_b, personas.contributor_b, title="Published need", status=WorkflowStatus.PUBLISHED,
                     rationale="Why")
    need.sdg_targets.set(["6.1", "6.2"])
    need.modalities.set(["training"])
    response = api(persona).get(f"needs/{need.pk}")
    assert response.status == 200
    body = response.body
    assert body["id"] == need.pk
    assert body["type"] == "need"
    assert body["owner"] == personas.org_b.pk
    assert body["country"] == "SEN"
    assert body["sdg_targets"] == ["6.1", "6.2"]
    assert body["modalities"] == ["training"]
    assert body["workflow_status"] == "published"
    assert body["version"] == 1
    assert body["url"] == f"http://testserver/en/needs/{need.pk}/"
    assert body["api_url"] == f"http://testserver/api/v1/needs/{need.pk}"


def test_a_session_signed_in_browser_reads_like_the_ui(personas, draft_of_b):
    from coopatlas.api.tests.conftest import ApiClient

    response = ApiClient(client=personas.client_for("contributor_b")).get(f"needs/{draft_of_b.pk}")
    assert response.status == 200


def test_deleted_records_are_hidden_from_everyone_but_moderators(api, personas, published_of_b):
    services.soft_delete(published_of_b, personas.contributor_b)
    assert api("contributor_b").get(f"needs/{published_of_b.pk}").status == 404
    assert api("anonymous").get("needs").body["count"] == 0
    moderator_view = api("moderator").get(f"needs/{published_of_b.pk}")
    assert moderator_view.status == 200
    assert moderator_view.body["deleted_at"] is not None


@pytest.mark.parametrize(("persona", "sees_contact"), [("anonymous", False), ("contributor_a", True)])
def test_expert_contact_details_are_shown_to_signed_in_callers_only(api, personas, persona, sees_contact):
    expert = Expert(owner=personas.org_b, name="Awa Ndiaye", expertise="Irrigation", email="awa@example.org",
                    phone="+221 77 000 00 00", workflow_status=WorkflowStatus.PUBLISHED)
    services.create_record(expert, personas.contributor_b)
    body = api(persona).get(f"experts/{expert.pk}").body
    listed = api(persona).get("experts").body["results"][0]
    if sees_contact:
        assert (body["email"], body["phone"]) == ("awa@example.org", "+221 77 000 00 00")
        assert listed["email"] == "awa@example.org"
    else:
        assert (body["email"], body["phone"]) == (None, None)
        assert listed["email"] is None


def test_an_organisation_is_its_own_owner(api, personas):
    body = api("anonymous").get(f"organisations/{personas.org_a.pk}").body
    assert body["owner"] == personas.org_a.pk
    assert body["name"] == "Agência Brasileira de Cooperação"
    assert body["country"] == "BRA"
    assert body["roles"] == ["provider"]
    assert "members" not in body
