"""Creating records through the API: drafts owned by one of the caller's organisations, as in the UI."""

from __future__ import annotations

import pytest

from coopatlas.catalogue.models import Membership, Need, Organisation, Solution
from coopatlas.core.models import ChangeRecord, User
from coopatlas.initiatives.models import Initiative


def need_body(owner_id: int, **changes):
    body = {"owner": owner_id, "title": "Solar pumps for irrigation", "description": "Pumps for 40 villages.",
            "country": "SEN", "sdg_targets": ["2.3", "7.1"], "modalities": ["technology-transfer"],
            "deadline": "2027-06-30"}
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("persona", "owner", "expected"),
    [
        ("anonymous", "org_a", 401),
        ("contributor_a", "org_a", 201),
        ("contributor_a", "org_b", 422),
        ("contributor_b", "org_a", 422),
        ("contributor_b", "org_b", 201),
        ("moderator", "org_b", 201),
        ("administrator", "org_a", 201),
    ],
)
def test_records_can_only_be_created_for_an_organisation_of_ones_own(api, personas, persona, owner, expected):
    response = api(persona).post("needs", need_body(getattr(personas, owner).pk))
    assert response.status == expected, response.body
    if expected == 201:
        need = Need.objects.get()
        assert need.owner == getattr(personas, owner)
        assert need.workflow_status == "draft"
        assert need.created_by == getattr(personas, persona)
        assert sorted(need.sdg_targets.values_list("code", flat=True)) == ["2.3", "7.1"]
        assert response.body["id"] == need.pk
        assert response.body["version"] == 1
        assert ChangeRecord.objects.filter(action="create", object_id=need.pk).count() == 1
    else:
        assert not Need.objects.exists()
    if expected == 422:
        assert response.body["errors"] == {
            "owner": ["Select a valid choice. That choice is not one of the available choices."]
        }


def test_created_record_fields_take_the_model_defaults_when_omitted(api, personas):
    response = api("contributor_a").post("solutions", {"owner": personas.org_a.pk, "title": "School meals",
                                                       "summary": "Local purchase."})
    assert response.status == 201, response.body
    assert response.body["status"] == "ongoing"
    assert response.body["language"] == "en"
    assert Solution.objects.get().links == []


def test_every_record_type_can_be_created(api, personas):
    client = api("contributor_a")
    org = personas.org_a.pk
    bodies = {
        "solutions": {"owner": org, "title": "S", "summary": "Sum", "countries_applied": ["BRA"], "provider": org,
                      "partners": [personas.org_b.pk], "links": ["https://example.org/s"],
                      "start_date": "2020-01-01", "end_date": "2021-01-01"},
        "needs": need_body(org),
        "experts": {"owner": org, "name": "Ana", "expertise": "Agroecology", "languages_spoken": ["pt", "es"],
                    "sdg_goals": ["2"], "email": "ana@example.org"},
        "partnerships": {"owner": org, "title": "P", "description": "D", "partners": [org, personas.org_b.pk],
                         "countries": ["BRA", "SEN"]},
        "initiatives": {"owner": org, "title": "I", "budget": "125000.50", "currency": "USD",
                        "providers": [org], "recipients": [personas.org_b.pk], "recipient_countries": ["SEN"],
                        "sectors": ["31120"], "start_planned": "2025-01-01", "end_planned": "2026-12-31"},
    }
    for plural, body in bodies.items():
        response = client.post(plural, body)
        assert response.status == 201, (plural, response.body)
    initiative = Initiative.objects.get()
    assert str(initiative.budget) == "125000.50"
    assert list(initiative.sectors.values_list("code", flat=True)) == ["31120"]
    assert api("contributor_a").get(f"initiatives/{initiative.pk}").body["budget"] == "125000.50"
    assert Solution.objects.get().links == ["https://example.org/s"]


@pytest.mark.parametrize("persona", ["contributor_a", "moderator"])
def test_creating_an_organisation_makes_the_caller_its_manager(api, personas, persona):
    response = api(persona).post("organisations", {"name": "Agencia Mexicana de Cooperación", "acronym": "AMEXCID",
                                                   "country": "MEX", "roles": ["provider", "facilitator"]})
    assert response.status == 201, response.body
    organisation = Organisation.objects.get(pk=response.body["id"])
    user = getattr(personas, persona)
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == "manager"
    assert response.body["owner"] == organisation.pk


def test_a_user_without_an_organisation_is_told_to_register_one(api, personas):
    from coopatlas.api.tests.conftest import ApiClient
    from coopatlas.core.tokens import issue_token

    loner = User.objects.create_user("lone", "lone@example.org", "correct horse battery staple 42")
    _token, raw = issue_token(loner, "tests")
    response = ApiClient(raw).post("needs", need_body(personas.org_a.pk))
    assert response.status == 403
    assert response.body == {"detail": "Join or register an organisation first: records belong to organisations."}
    assert not Need.objects.exists()


def test_a_missing_required_field_is_named(api, personas):
    body = need_body(personas.org_a.pk)
    del body["title"]
    response = api("contributor_a").post("needs", body)
    assert response.status == 422
    assert list(response.body["errors"]) == ["title"]
    assert not Need.objects.exists()
