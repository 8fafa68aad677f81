"""``/api/v1/brokering/proposals``: propose, accept, decline, withdraw; token writes; each persona."""

from __future__ import annotations

import pytest

from coopatlas.api.tests.conftest import ApiClient
from coopatlas.brokering.models import MatchProposal
from coopatlas.core.tokens import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas):
    """``api("contributor_a")``: a client with that persona's token ("anonymous": none)."""

    def client_for(name):
        return ApiClient() if name == "anonymous" else ApiClient(issue_token(getattr(personas, name), "tests")[1])

    return client_for


@pytest.mark.parametrize(("persona", "expected", "status"), [
    ("anonymous", 401, None),
    ("contributor_a", 403, None),
    ("contributor_b", 201, "accepted-requester"),
    ("moderator", 201, "proposed"),
    ("administrator", 201, "proposed"),
])
def test_brokers_and_the_needs_organisation_propose(api, pair, persona, expected, status):
    need, solution = pair
    response = api(persona).post("brokering/proposals", {"need": need.pk, "solution": solution.pk, "message": "Hi"})
    assert response.status == expected, response.body
    if status:
        assert response.body["status"] == status
        assert response.body["events"][0]["message"] == "Hi"
        assert response.body["explanation"]["shared_sectors"][0]["code"] == "14030"
    else:
        assert not MatchProposal.objects.exists()


def test_a_session_cannot_write(personas, pair):
    from django.test import Client

    client = Client()
    client.force_login(personas.moderator)
    response = ApiClient(client=client).post("brokering/proposals", {"need": pair[0].pk, "solution": pair[1].pk})
    assert response.status == 401


def test_propose_errors_are_json_with_field_messages(api, proposal):
    missing = api("moderator").post("brokering/proposals", {"need": proposal.need_id})
    assert missing.status == 422
    assert list(missing.body["errors"]) == ["solution"]
    twice = api("moderator").post("brokering/proposals", {"need": proposal.need_id, "solution": proposal.solution_id})
    assert twice.status == 409
    assert twice.body == {"detail": "This match has already been proposed."}
    unknown = api("moderator").post("brokering/proposals", {"need": 999999, "solution": proposal.solution_id})
    assert unknown.status == 404


@pytest.mark.parametrize(("persona", "expected", "status"), [
    ("anonymous", 401, "proposed"),
    ("contributor_a", 200, "accepted-provider"),
    ("contributor_b", 200, "accepted-requester"),
    ("moderator", 403, "proposed"),
    ("administrator", 403, "proposed"),
])
def test_each_party_accepts_for_its_side(api, proposal, persona, expected, status):
    response = api(persona).post(f"brokering/proposals/{proposal.pk}/accept", {"message": "OK"})
    assert response.status == expected, response.body
    proposal.refresh_from_db()
    assert proposal.status == status


@pytest.mark.parametrize(("persona", "expected", "status"), [
    ("anonymous", 401, "proposed"),
    ("contributor_a", 200, "declined"),
    ("contributor_b", 200, "declined"),
    ("moderator", 403, "proposed"),
    ("administrator", 403, "proposed"),
])
def test_each_party_may_decline_with_a_reason(api, proposal, persona, expected, status):
    response = api(persona).post(f"brokering/proposals/{proposal.pk}/decline", {"message": "Not now."})
    assert response.status == expected, response.body
    proposal.refresh_from_db()
    assert proposal.status == status


def test_declining_without_a_reason_is_a_field_error(api, proposal):
    response = api("contributor_a").post(f"brokering/proposals/{proposal.pk}/decline", {})
    assert response.status == 422
    assert response.body["errors"] == {"message": ["Say why you decline: a message is required."]}


def test_both_accepting_returns_the_partnership_and_the_initiative(api, proposal):
    api("contributor_a").post(f"brokering/proposals/{proposal.pk}/accept", {})
    response = api("contributor_b").post(f"brokering/proposals/{proposal.pk}/accept", {})
    assert response.status == 200
    assert response.body["status"] == "agreed"
    assert response.body["partnership_id"] and response.body["initiative_id"]
    assert [e["action"] for e in response.body["events"]] == ["propose", "accept-provider", "accept-requester"]
    closed = api("contributor_a").post(f"brokering/proposals/{proposal.pk}/decline", {"message": "Changed mind"})
    assert closed.status == 409


def test_outsiders_neither_see_nor_answer(proposal, outsider):
    client = ApiClient(issue_token(outsider, "t")[1])
    assert client.get(f"brokering/proposals/{proposal.pk}").status == 404
    assert client.post(f"brokering/proposals/{proposal.pk}/accept", {}).status == 404
    assert client.get("brokering/proposals").body == []


@pytest.mark.parametrize(("persona", "expected", "count"), [
    ("anonymous", 401, None), ("contributor_a", 200, 1), ("contributor_b", 200, 1), ("moderator", 200, 1),
    ("administrator", 200, 1),
])
def test_proposals_are_listed_for_their_parties_and_brokers(api, proposal, persona, expected, count,
                                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = api(persona).get("brokering/proposals")
    assert response.status == expected
    if count is not None:
        assert [p["id"] for p in response.body] == [proposal.pk]


@pytest.mark.parametrize(("persona", "expected", "status"), [
    ("anonymous", 401, "proposed"),
    ("contributor_a", 403, "proposed"),
    ("contributor_b", 403, "proposed"),
    ("moderator", 200, "withdrawn"),
    ("administrator", 200, "withdrawn"),
])
def test_only_brokers_withdraw(api, proposal, persona, expected, status):
    response = api(persona).post(f"brokering/proposals/{proposal.pk}/withdraw", {"message": "Duplicate"})
    assert response.status == expected, response.body
    proposal.refresh_from_db()
    assert proposal.status == status


def test_the_list_costs_the_same_queries_for_more_proposals(api, personas, proposal, django_assert_max_num_queries):
    from coopatlas.brokering import workflow
    from coopatlas.brokering.tests.helpers import published_solution

    for title in ("Wells A", "Wells B", "Wells C"):
        solution = published_solution(personas.org_a, personas.contributor_a, title, "Pumps for rural wells.")
        workflow.propose(proposal.need, solution, personas.moderator)
    with django_assert_max_num_queries(8):
        response = api("moderator").get("brokering/proposals")
    assert len(response.body) == 4
