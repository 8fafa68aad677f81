"""Bad input the issue lists that the other test files do not cover: a language the model does not
know, and a megabyte of text through the API. Never a crash, never a silent empty list."""

from __future__ import annotations

import pytest
from django.test import Client

from coopatlas.api.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

#: Amharic (Ge'ez script): not one of the six languages, and a script no tokeniser rule knows.
AMHARIC = "ለገጠር መንደሮች የመጠጥ ውሃ ጉድጓዶች የፀሐይ ፓምፖች ያስፈልጉናል።"


def test_a_language_the_model_does_not_know_is_matched_and_flagged_not_dropped(personas, pair):
    page = Client().post("/en/brokering/match/", {"text": AMHARIC})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="describe-matches"' in html
    assert "The best matches are weak: this need is flagged for a human broker." in html


def test_the_api_says_a_text_in_an_unknown_language_is_weak(personas, pair):
    response = ApiClient().post("brokering/match", {"text": AMHARIC})
    assert response.status == 200
    assert response.body["weak"] is True
    assert response.body["warnings"] == ["The best matches are weak: this need is flagged for a human broker."]
    assert [s["id"] for s in response.body["solutions"]] == [pair[1].pk]


def test_a_megabyte_of_text_through_the_api_is_cut_and_the_caller_told(personas, pair):
    response = ApiClient().post("brokering/match", {"text": "solar pumps for wells " * 50_000, "top": 3})
    assert response.status == 200
    assert response.body["notes"] == ["Only the first 20,000 characters of the text were used for matching."]
    assert response.body["solutions"][0]["id"] == pair[1].pk
