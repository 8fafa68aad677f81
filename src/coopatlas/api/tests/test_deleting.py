"""Deleting (soft) and restoring records through the API."""

from __future__ import annotations

import pytest

from coopatlas.core import services


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("contributor_a", 403), ("contributor_b", 204), ("moderator", 204), ("administrator", 204)],
)
def test_only_owners_and_moderators_delete(api, personas, published_of_b, persona, expected):
    response = api(persona).delete(f"needs/{published_of_b.pk}")
    assert response.status == expected, response.body
    published_of_b.refresh_from_db()
    assert published_of_b.is_deleted is (expected == 204)
    if expected == 204:
        assert response.body is None
        assert published_of_b.deleted_by == getattr(personas, persona)
        assert api("anonymous").get(f"needs/{published_of_b.pk}").status == 404


def test_a_draft_of_another_organisation_cannot_be_deleted(api, draft_of_b):
    assert api("contributor_a").delete(f"needs/{draft_of_b.pk}").status == 404
    draft_of_b.refresh_from_db()
    assert not draft_of_b.is_deleted


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("contributor_a", 404), ("contributor_b", 404), ("moderator", 200), ("administrator", 200)],
)
def test_only_moderators_restore(api, personas, published_of_b, persona, expected):
    services.soft_delete(published_of_b, personas.contributor_b)
    response = api(persona).post(f"needs/{published_of_b.pk}/restore")
    assert response.status == expected, response.body
    published_of_b.refresh_from_db()
    assert published_of_b.is_deleted is (expected != 200)
    if expected == 200:
        assert response.body["deleted_at"] is None
        assert response.body["version"] == 3


def test_restoring_a_record_that_is_not_deleted_is_a_conflict(api, published_of_b):
    response = api("moderator").post(f"needs/{published_of_b.pk}/restore")
    assert response.status == 409
    assert response.body == {"detail": "This record is not deleted."}


def test_a_deleted_record_cannot_be_updated(api, personas, published_of_b):
    services.soft_delete(published_of_b, personas.contributor_b)
    assert api("contributor_b").patch(f"needs/{published_of_b.pk}", {"version": 2, "title": "X"}).status == 404
    assert api("moderator").patch(f"needs/{published_of_b.pk}", {"version": 2, "title": "X"}).status == 403
