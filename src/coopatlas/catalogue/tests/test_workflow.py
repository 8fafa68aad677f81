"""The moderation workflow: draft -> submitted -> published, or returned with a comment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coopatlas.catalogue.tests.factories import make_need
from coopatlas.core.models import ChangeRecord, WorkflowStatus


def _act(personas, persona, need, action, comment=""):
    return personas.client_for(persona).post(
        reverse("catalogue:need-transition", args=[need.pk]), {"action": action, "comment": comment}
    )


def test_contributor_submits_and_moderator_publishes(personas):
    need = make_need(personas.org_a, personas.contributor_a)
    _act(personas, "contributor_a", need, "submit")
    need.refresh_from_db()
    assert need.workflow_status == WorkflowStatus.SUBMITTED
    _act(personas, "moderator", need, "publish")
    need.refresh_from_db()
    assert need.workflow_status == WorkflowStatus.PUBLISHED
    assert need.published_at is not None
    response = personas.client_for("anonymous").get(reverse("catalogue:need-detail", args=[need.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["contributor_a", "contributor_b"])
def test_contributors_cannot_publish(personas, persona):
    need = make_need(personas.org_a, personas.contributor_a)
    _act(personas, "contributor_a", need, "submit")
    response = _act(personas, persona, need, "publish")
    need.refresh_from_db()
    assert need.workflow_status == WorkflowStatus.SUBMITTED
    assert response.status_code in (403, 404)


def test_other_organisation_cannot_submit(personas):
    need = make_need(personas.org_a, personas.contributor_a)
    response = _act(personas, "contributor_b", need, "submit")
    assert response.status_code == 404  # a draft of another organisation is invisible
    need.refresh_from_db()
    assert need.workflow_status == WorkflowStatus.DRAFT


def test_returning_needs_a_comment_and_shows_it_to_the_author(personas):
    need = make_need(personas.org_a, personas.contributor_a)
    _act(personas, "contributor_a", need, "submit")
    _act(personas, "moderator", need, "return", "")
    need.refresh_from_db()
    assert need.workflow_status == WorkflowStatus.SUBMITTED
    _act(personas, "moderator", need, "return", "Please name the region concerned.")
    need.refresh_from_db()
    assert need.workflow_status == WorkflowStatus.RETURNED
    page = personas.client_for("contributor_a").get(reverse("catalogue:need-detail", args=[need.pk])).content.decode()
    assert "Please name the region concerned." in page


def test_moderation_queue_lists_submitted_records_for_moderators_only(personas):
    need = make_need(personas.org_a, personas.contributor_a, title="Waiting need")
    _act(personas, "contributor_a", need, "submit")
    assert "Waiting need" in personas.client_for("moderator").get(reverse("core:moderation")).content.decode()
    assert personas.client_for("contributor_a").get(reverse("core:moderation")).status_code == 403


def test_each_step_is_in_the_history(personas):
    need = make_need(personas.org_a, personas.contributor_a)
    _act(personas, "contributor_a", need, "submit")
    _act(personas, "moderator", need, "publish")
    actions = list(ChangeRecord.objects.filter(object_id=need.pk, content_type__model="need")
                   .order_by("created_at", "id").values_list("action", "user__username"))
    assert actions == [("create", "alice"), ("submit", "alice"), ("publish", "mona")]
