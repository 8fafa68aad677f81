"""Every change is recorded (who, when, which fields, old -> new); stale forms are refused."""

from __future__ import annotations

from django.urls import reverse

from coopatlas.catalogue.tests.factories import make_need
from coopatlas.core.audit import history_of


def _edit(client, need, version, **changes):
    data = {"owner": need.owner_id, "title": need.title, "description": need.description, "country": need.country_id,
            "status": need.status, "language": need.language, "version": version}
    data.update(changes)
    return client.post(reverse("catalogue:need-edit", args=[need.pk]), data)


def test_an_edit_records_fields_old_and_new(personas):
    need = make_need(personas.org_a, personas.contributor_a, title="Old title")
    _edit(personas.client_for("contributor_a"), need, 1, title="New title", sdg_targets=["6.1"])
    change = history_of(need).first()
    assert change.action == "update"
    assert change.user == personas.contributor_a
    assert change.changes["title"] == ["Old title", "New title"]
    assert change.changes["sdg_targets"] == [[], ["6.1"]]
    assert "description" not in change.changes


def test_history_page_shows_who_changed_what(personas):
    need = make_need(personas.org_a, personas.contributor_a, title="Old title", status="published")
    _edit(personas.client_for("contributor_a"), need, 1, title="New title")
    page = personas.client_for("anonymous").get(reverse("catalogue:need-history", args=[need.pk])).content.decode()
    assert "alice" in page and "Old title" in page and "New title" in page


def test_a_stale_form_is_refused_and_keeps_the_other_change(personas):
    need = make_need(personas.org_a, personas.contributor_a, title="Original")
    first = _edit(personas.client_for("contributor_a"), need, 1, title="Alice's change")
    assert first.status_code == 302
    second = _edit(personas.client_for("moderator"), need, 1, title="Mona's stale change")
    assert second.status_code == 409
    assert "changed by someone else" in second.content.decode()
    need.refresh_from_db()
    assert need.title == "Alice's change"
    assert need.version == 2


def test_soft_delete_and_restore_are_recorded(personas):
    need = make_need(personas.org_a, personas.contributor_a)
    personas.client_for("contributor_a").post(reverse("catalogue:need-delete", args=[need.pk]))
    personas.client_for("moderator").post(reverse("catalogue:need-restore", args=[need.pk]))
    actions = [c.action for c in history_of(need)]
    assert actions[:2] == ["restore", "delete"]
