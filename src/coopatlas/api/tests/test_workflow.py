"""The moderation workflow through the API: contributors submit, moderators publish or return."""

from __future__ import annotations

import pytest

from coopatlas.core.models import ChangeRecord


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("contributor_a", 404), ("contributor_b", 200), ("moderator", 200), ("administrator", 200)],
)
def test_owners_and_moderators_submit_a_draft(api, draft_of_b, persona, expected):
    response = api(persona).post(f"needs/{draft_of_b.pk}/workflow", {"action": "submit"})
    assert response.status == expected, response.body
    draft_of_b.refresh_from_db()
    assert draft_of_b.workflow_status == ("submitted" if expected == 200 else "draft")
    if expected == 200:
        assert response.body["workflow_status"] == "submitted"
        assert response.body["version"] == 2


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("contributor_a", 404), ("contributor_b", 403), ("moderator", 200), ("administrator", 200)],
)
def test_only_moderators_publish(api, draft_of_b, persona, expected):
    response = api(persona).post(f"needs/{draft_of_b.pk}/workflow", {"action": "publish"})
    assert response.status == expected, response.body
    draft_of_b.refresh_from_db()
    assert draft_of_b.workflow_status == ("published" if expected == 200 else "draft")
    if expected == 200:
        assert api("anonymous").get(f"needs/{draft_of_b.pk}").status == 200


def test_submit_then_publish_is_logged(api, personas, draft_of_b):
    assert api("contributor_b").post(f"needs/{draft_of_b.pk}/workflow", {"action": "submit"}).status == 200
    assert api("moderator").post(f"needs/{draft_of_b.pk}/workflow", {"action": "publish"}).status == 200
    actions = list(ChangeRecord.objects.filter(object_id=draft_of_b.pk).values_list("action", flat=True))
    assert actions == ["publish", "submit", "create"]


def test_returning_a_record_needs_a_comment(api, draft_of_b):
    api("contributor_b").post(f"needs/{draft_of_b.pk}/workflow", {"action": "submit"})
    refused = api("moderator").post(f"needs/{draft_of_b.pk}/workflow", {"action": "return"})
    assert refused.status == 409
    assert refused.body == {"detail": "Say why the record is returned: a comment is required."}
    returned = api("moderator").post(f"needs/{draft_of_b.pk}/workflow", {"action": "return", "comment": "Add a map."})
    assert returned.status == 200
    assert returned.body["workflow_status"] == "returned"
    assert returned.body["moderation_comment"] == "Add a map."


def test_a_step_not_allowed_from_the_current_status_is_a_conflict(api, published_of_b):
    response = api("contributor_b").post(f"needs/{published_of_b.pk}/workflow", {"action": "submit"})
    assert response.status == 409
    assert response.body == {"detail": "A record that is published cannot be submitted for review."}


def test_an_unknown_action_is_invalid_input(api, draft_of_b):
    response = api("contributor_b").post(f"needs/{draft_of_b.pk}/workflow", {"action": "approve"})
    assert response.status == 422
    assert list(response.body["errors"]) == ["action"]
