"""Tag suggestions while a need or solution is written: an htmx endpoint and its trigger on the form."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
URL = "/en/brokering/suggest-tags/"
TEXT = {"title": "Basic drinking water supply and basic sanitation",
        "description": "Basic drinking water supply and basic sanitation for rural villages."}


@pytest.mark.parametrize(("persona", "expected"), [
    ("anonymous", 302), ("contributor_a", 200), ("contributor_b", 200), ("moderator", 200), ("administrator", 200),
])
def test_signed_in_authors_get_suggested_sectors_and_targets(personas, persona, expected):
    page = personas.client_for(persona).post(URL, TEXT)
    assert page.status_code == expected
    if expected == 200:
        assert 'data-field="sectors" data-value="14030"' in page.content.decode()


def test_already_chosen_tags_are_not_suggested_again(personas):
    html = personas.client_for("contributor_b").post(URL, {**TEXT, "sectors": ["14030"]}).content.decode()
    assert 'data-value="14030"' not in html


def test_a_short_text_gets_a_hint_not_suggestions(personas):
    html = personas.client_for("contributor_b").post(URL, {"title": "Water"}).content.decode()
    assert "Write a sentence or more" in html
    assert "data-accept-tag" not in html


def test_suggestions_are_a_post_only_endpoint(personas):
    assert personas.client_for("contributor_b").get(URL).status_code == 405


@pytest.mark.parametrize(("path", "offered"), [
    ("/en/needs/new/", True), ("/en/solutions/new/", True), ("/en/experts/new/", False),
])
def test_need_and_solution_forms_carry_the_suggestion_trigger(personas, path, offered):
    html = personas.client_for("contributor_b").get(path).content.decode()
    assert ('hx-post="/en/brokering/suggest-tags/"' in html) is offered
