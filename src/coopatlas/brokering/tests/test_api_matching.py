"""``/api/v1/brokering``: matches for a need, a solution and a free text, as the pages show them."""

from __future__ import annotations

import pytest

from coopatlas.api.tests.conftest import ApiClient
from coopatlas.catalogue.tests.factories import make_need

pytestmark = pytest.mark.django_db


def test_a_needs_matches_come_with_their_reasons(personas, pair):
    need, solution = pair
    response = ApiClient().get(f"brokering/needs/{need.pk}/matches")
    assert response.status == 200, response.body
    body = response.body
    assert (body["ok"], body["weak"], body["problems"]) == (True, False, [])
    best = body["solutions"][0]
    assert (best["type"], best["id"], best["url"]) == ("solution", solution.pk, f"/en/solutions/{solution.pk}/")
    assert best["organisation"]["name"] == "Agência Brasileira de Cooperação"
    assert best["shared_sectors"] == [{"code": "14030", "label": "Basic drinking water supply and basic sanitation",
                                       "exact": True, "inferred": True}]
    assert [s["name"] for s in best["signals"]][:3] == ["semantic", "lexical", "sectors"]
    assert abs(sum(s["contribution"] for s in best["signals"]) - best["score"]) < 0.01
    assert "pumps" in best["passages"][0]["shared_words"]
    assert personas.org_b.pk not in [p["id"] for p in body["providers"]]


@pytest.mark.parametrize(("persona", "expected"), [
    ("anonymous", 404), ("contributor_a", 404), ("contributor_b", 200), ("moderator", 200), ("administrator", 200),
])
def test_a_draft_needs_matches_follow_its_visibility(personas, persona, expected):
    from coopatlas.core.tokens import issue_token

    draft = make_need(personas.org_b, personas.contributor_b, description="Solar pumps for rural water wells.")
    client = ApiClient() if persona == "anonymous" else ApiClient(issue_token(getattr(personas, persona), "t")[1])
    assert client.get(f"brokering/needs/{draft.pk}/matches").status == expected


def test_a_solutions_needs(personas, pair):
    need, solution = pair
    response = ApiClient().get(f"brokering/solutions/{solution.pk}/matches")
    assert response.status == 200
    assert [(m["type"], m["id"]) for m in response.body] == [("need", need.pk)]


@pytest.mark.parametrize(("text", "message"), [
    ("", "The text is empty: describe what is needed in a few sentences."),
    ("water", "The text is too short to match (1 word): describe what is needed in a sentence or more."),
])
def test_a_text_too_short_is_refused_with_a_field_message(personas, text, message):
    response = ApiClient().post("brokering/match", {"text": text})
    assert response.status == 422
    assert response.body == {"detail": "The data is not valid: see the messages of each field.",
                             "errors": {"text": [message]}}


def test_a_free_text_in_any_language_is_matched_and_notes_are_returned(personas, pair):
    response = ApiClient().post("brokering/match", {"text": "<p>Solar pumps for rural wells</p>", "top": 3})
    assert response.status == 200
    assert response.body["notes"] == ["Markup (HTML, Markdown, links) was removed before matching."]
    assert response.body["solutions"][0]["id"] == pair[1].pk


def test_invalid_parameters_get_field_messages(personas):
    response = ApiClient().post("brokering/match", {"text": "Solar pumps for wells", "top": 500})
    assert response.status == 422
    assert list(response.body["errors"]) == ["top"]
