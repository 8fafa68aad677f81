"""Updating records through the API: owners and moderators only, with optimistic locking."""

from __future__ import annotations

import pytest

from coopatlas.api.tests.conftest import make_solution
from coopatlas.core.models import ChangeRecord, WorkflowStatus


def replacement(personas, version, **changes):
    body = {"version": version, "owner": personas.org_b.pk, "title": "Changed title", "description": "New text",
            "country": "SEN", "status": "open", "language": "en"}
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("contributor_a", 403), ("contributor_b", 200), ("moderator", 200), ("administrator", 200)],
)
def test_only_owners_and_moderators_update_a_published_record(api, personas, published_of_b, persona, expected):
    response = api(persona).patch(f"needs/{published_of_b.pk}", {"version": 1, "title": "Changed title"})
    assert response.status == expected, response.body
    published_of_b.refresh_from_db()
    if expected == 200:
        assert published_of_b.title == "Changed title"
        assert published_of_b.version == 2
        assert response.body["version"] == 2
        change = ChangeRecord.objects.filter(object_id=published_of_b.pk, action="update").get()
        assert change.user == getattr(personas, persona)
        assert change.changes == {"title": ["Published need of B", "Changed title"]}
    else:
        assert published_of_b.title == "Published need of B"
        assert published_of_b.version == 1
    if expected == 403:
        assert response.body == {"detail": "You may not edit this record."}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("contributor_a", 404), ("contributor_b", 200), ("moderator", 200), ("administrator", 200)],
)
def test_a_draft_of_another_organisation_cannot_be_replaced_or_even_found(api, personas, draft_of_b, persona,
                                                                          expected):
    response = api(persona).put(f"needs/{draft_of_b.pk}", replacement(personas, 1))
    assert response.status == expected, response.body
    draft_of_b.refresh_from_db()
    assert (draft_of_b.title == "Changed title") is (expected == 200)


def test_patch_keeps_the_fields_it_does_not_send(api, personas, draft_of_b):
    draft_of_b.sdg_targets.set(["6.1"])
    response = api("contributor_b").patch(f"needs/{draft_of_b.pk}", {"version": 1, "rationale": "Dry season"})
    assert response.status == 200, response.body
    assert response.body["sdg_targets"] == ["6.1"]
    assert response.body["title"] == "Draft need of B"
    assert response.body["rationale"] == "Dry season"


def test_patch_with_null_empties_a_field(api, personas, draft_of_b):
    draft_of_b.sdg_targets.set(["6.1"])
    response = api("contributor_b").patch(f"needs/{draft_of_b.pk}", {"version": 1, "sdg_targets": None,
                                                                      "deadline": None})
    assert response.status == 200, response.body
    assert response.body["sdg_targets"] == []
    assert response.body["deadline"] is None


def test_put_replaces_every_field(api, personas, draft_of_b):
    draft_of_b.sdg_targets.set(["6.1"])
    response = api("contributor_b").put(f"needs/{draft_of_b.pk}", replacement(personas, 1))
    assert response.status == 200, response.body
    assert response.body["sdg_targets"] == []
    assert response.body["title"] == "Changed title"


def test_a_stale_version_is_refused_with_the_current_one(api, personas, draft_of_b):
    first = api("contributor_b").patch(f"needs/{draft_of_b.pk}", {"version": 1, "title": "First edit"})
    assert first.status == 200
    second = api("moderator").patch(f"needs/{draft_of_b.pk}", {"version": 1, "title": "Second edit"})
    assert second.status == 409
    assert second.body["current_version"] == 2
    assert "changed by someone else" in second.body["detail"]
    draft_of_b.refresh_from_db()
    assert draft_of_b.title == "First edit"


def test_the_version_is_required_to_update(api, personas, draft_of_b):
    response = api("contributor_b").patch(f"needs/{draft_of_b.pk}", {"title": "No version"})
    assert response.status == 422
    assert list(response.body["errors"]) == ["version"]


def test_a_contributor_cannot_hand_a_record_to_another_organisation(api, personas, draft_of_b):
    response = api("contributor_b").patch(f"needs/{draft_of_b.pk}", {"version": 1, "owner": personas.org_a.pk})
    assert response.status == 422
    assert list(response.body["errors"]) == ["owner"]
    draft_of_b.refresh_from_db()
    assert draft_of_b.owner == personas.org_b


def test_a_moderator_may_move_a_record_to_another_organisation(api, personas, draft_of_b):
    response = api("moderator").patch(f"needs/{draft_of_b.pk}", {"version": 1, "owner": personas.org_a.pk})
    assert response.status == 200, response.body
    assert response.body["owner"] == personas.org_a.pk


def test_organisation_members_edit_their_organisation_only(api, personas):
    own = api("contributor_a").patch(f"organisations/{personas.org_a.pk}", {"version": 1, "acronym": "ABC-MRE"})
    other = api("contributor_a").patch(f"organisations/{personas.org_b.pk}", {"version": 1, "acronym": "MAS"})
    assert own.status == 200 and own.body["acronym"] == "ABC-MRE"
    assert other.status == 403


def test_updating_many_to_many_relations_and_dates(api, personas):
    solution = make_solution(personas.org_a, personas.contributor_a, status=WorkflowStatus.PUBLISHED)
    response = api("contributor_a").patch(f"solutions/{solution.pk}", {
        "version": 1, "countries_applied": ["BRA", "MOZ"], "sdg_goals": ["2", "4"], "start_date": "2019-03-01",
    })
    assert response.status == 200, response.body
    assert response.body["countries_applied"] == ["BRA", "MOZ"]
    assert response.body["sdg_goals"] == ["2", "4"]
    assert response.body["start_date"] == "2019-03-01"
    assert response.body["provider"] == personas.org_a.pk
