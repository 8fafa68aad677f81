"""Matching is CPU-heavy: each client gets a budget of matching requests per window, then a clear 429."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NEED = "We need solar pumps for the drinking water wells of our rural villages."


@pytest.fixture
def budget_of_two(settings):
    settings.COOPATLAS_MATCH_RATE_LIMIT = 2
    settings.COOPATLAS_MATCH_RATE_WINDOW = 60


def _describe(client: Client, language: str = "en", **extra):
    return client.post(f"/{language}/brokering/match/", {"text": NEED, "language": ""}, **extra)


def test_an_anonymous_visitor_gets_a_clear_429_after_the_budget(budget_of_two, pair):
    client = Client()
    assert [_describe(client).status_code for _ in range(2)] == [200, 200]
    refused = _describe(client)
    html = refused.content.decode()
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert 'data-testid="rate-limited"' in html
    assert "Too many matching requests from your connection" in html
    assert f"Please try again in {refused['Retry-After']} second" in html


def test_the_429_page_is_in_the_language_of_the_request(budget_of_two, pair):
    client = Client()
    for _ in range(2):
        _describe(client, "ar")
    refused = _describe(client, "ar")
    assert refused.status_code == 429
    assert '<html lang="ar" dir="rtl">' in refused.content.decode()


def test_htmx_gets_the_429_message_as_a_partial(budget_of_two, pair):
    client = Client()
    for _ in range(2):
        _describe(client, HTTP_HX_REQUEST="true")
    refused = _describe(client, HTTP_HX_REQUEST="true")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert 'data-testid="rate-limited"' in html and "<html" not in html


def test_opening_the_empty_form_does_not_use_the_budget(budget_of_two, pair):
    client = Client()
    assert {client.get("/en/brokering/match/").status_code for _ in range(5)} == {200}
    assert _describe(client).status_code == 200


def test_each_client_address_has_its_own_budget(budget_of_two, pair):
    first, second = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(2):
        _describe(first)
    assert _describe(first).status_code == 429
    assert _describe(second).status_code == 200


def test_a_signed_in_person_is_counted_per_account_not_per_address(budget_of_two, personas, pair):
    for _ in range(2):
        _describe(Client())
    assert _describe(Client()).status_code == 429
    assert _describe(personas.client_for("contributor_a")).status_code == 200


def test_the_match_pages_of_a_need_share_the_budget(budget_of_two, pair):
    need, _solution = pair
    client = Client()
    assert client.get(f"/en/brokering/needs/{need.pk}/matches/").status_code == 200
    assert _describe(client).status_code == 200
    assert client.get(f"/en/brokering/needs/{need.pk}/matches/").status_code == 429


def test_the_match_api_answers_429_with_a_json_detail(budget_of_two, pair):
    client = Client()
    body = json.dumps({"text": NEED})
    statuses = [client.post("/api/v1/brokering/match", body, content_type="application/json").status_code
                for _ in range(2)]
    refused = client.post("/api/v1/brokering/match", body, content_type="application/json")
    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many matching requests: try again in ")
    assert int(refused["Retry-After"]) >= 1


def test_a_limit_of_zero_turns_the_limit_off(settings, pair):
    settings.COOPATLAS_MATCH_RATE_LIMIT = 0
    client = Client()
    assert {_describe(client).status_code for _ in range(4)} == {200}
