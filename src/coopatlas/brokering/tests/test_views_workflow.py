"""Workflow pages: propose, answer, withdraw, see the history; every write path for every persona."""

from __future__ import annotations

import pytest

from coopatlas.brokering import workflow
from coopatlas.brokering.models import MatchProposal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("persona", "expected", "status", "origin"), [
    ("anonymous", 302, None, None),
    ("contributor_a", 403, None, None),
    ("contributor_b", 302, "accepted-requester", "requester"),
    ("moderator", 302, "proposed", "broker"),
    ("administrator", 302, "proposed", "broker"),
])
def test_brokers_and_the_needs_organisation_propose_a_match(personas, pair, persona, expected, status, origin):
    need, solution = pair
    page = personas.client_for(persona).post("/en/brokering/proposals/new/",
                                              {"need": need.pk, "solution": solution.pk, "message": "Look."})
    assert page.status_code == expected
    created = MatchProposal.objects.filter(need=need, solution=solution).first()
    if status is None:
        assert created is None
        if persona == "anonymous":
            assert page["Location"].startswith("/en/accounts/sign-in/")
        return
    assert page["Location"] == f"/en/brokering/proposals/{created.pk}/"
    assert (created.status, created.origin) == (status, origin)
    assert created.score > 0
    assert created.explanation["shared_sectors"][0]["code"] == "14030"


def test_proposing_the_same_match_twice_says_so(personas, proposal):
    page = personas.client_for("moderator").post("/en/brokering/proposals/new/", {
        "need": proposal.need_id, "solution": proposal.solution_id}, follow=True)
    assert "This match has already been proposed." in page.content.decode()
    assert MatchProposal.objects.count() == 1


@pytest.mark.parametrize(("persona", "expected", "status"), [
    ("anonymous", 302, "proposed"),
    ("contributor_a", 302, "accepted-provider"),
    ("contributor_b", 302, "accepted-requester"),
    ("moderator", 403, "proposed"),
    ("administrator", 403, "proposed"),
])
def test_each_party_accepts_for_its_side(personas, proposal, persona, expected, status):
    page = personas.client_for(persona).post(f"/en/brokering/proposals/{proposal.pk}/respond/",
                                             {"decision": "accept", "message": ""})
    assert page.status_code == expected
    proposal.refresh_from_db()
    assert proposal.status == status


def test_outsiders_cannot_see_or_answer_a_proposal(personas, proposal, outsider, client):
    client.force_login(outsider)
    assert client.get(f"/en/brokering/proposals/{proposal.pk}/").status_code == 404
    assert client.post(f"/en/brokering/proposals/{proposal.pk}/respond/", {"decision": "accept"}).status_code == 404


def test_declining_needs_a_message(personas, proposal):
    client = personas.client_for("contributor_a")
    page = client.post(f"/en/brokering/proposals/{proposal.pk}/respond/", {"decision": "decline", "message": " "})
    assert page.status_code == 400
    assert "Say why you decline: a message is required." in page.content.decode()
    client.post(f"/en/brokering/proposals/{proposal.pk}/respond/", {"decision": "decline", "message": "Fully booked."})
    proposal.refresh_from_db()
    assert proposal.status == "declined"


def test_when_both_accept_the_page_links_the_partnership_and_the_initiative(personas, proposal):
    personas.client_for("contributor_a").post(f"/en/brokering/proposals/{proposal.pk}/respond/",
                                              {"decision": "accept"})
    page = personas.client_for("contributor_b").post(f"/en/brokering/proposals/{proposal.pk}/respond/",
                                                     {"decision": "accept", "message": "Thank you."}, follow=True)
    proposal.refresh_from_db()
    html = page.content.decode()
    assert proposal.status == "agreed"
    assert "Both organisations agreed: the partnership and the initiative are created." in html
    assert f'href="/en/partnerships/{proposal.partnership_id}/"' in html
    assert f'href="/en/initiatives/{proposal.initiative_id}/"' in html
    # The initiative is a draft of the requester: the provider's members are told, not linked.
    provider_view = personas.client_for("contributor_a").get(f"/en/brokering/proposals/{proposal.pk}/")
    assert f'href="/en/initiatives/{proposal.initiative_id}/"' not in provider_view.content.decode()
    assert 'data-testid="partnership-link"' in provider_view.content.decode()


def test_the_history_lists_every_step_with_its_message(personas, proposal):
    workflow.respond(proposal, personas.contributor_b, accept=True, message="Yes please.")
    html = personas.client_for("moderator").get(f"/en/brokering/proposals/{proposal.pk}/").content.decode()
    history = html.split('data-testid="proposal-history"')[1]
    assert history.index("Proposed") < history.index("Accepted by the requester")
    assert "A good fit." in history and "Yes please." in history


@pytest.mark.parametrize(("persona", "expected", "status"), [
    ("anonymous", 302, "proposed"),
    ("contributor_a", 403, "proposed"),
    ("contributor_b", 403, "proposed"),
    ("moderator", 302, "withdrawn"),
    ("administrator", 302, "withdrawn"),
])
def test_only_brokers_withdraw(personas, proposal, persona, expected, status):
    page = personas.client_for(persona).post(f"/en/brokering/proposals/{proposal.pk}/withdraw/", {"message": "Oops"})
    assert page.status_code == expected
    proposal.refresh_from_db()
    assert proposal.status == status


@pytest.mark.parametrize(("persona", "expected"), [
    ("contributor_a", 1), ("contributor_b", 1), ("moderator", 1), ("administrator", 1),
])
def test_the_proposal_list_shows_what_each_persona_may_see(personas, proposal, persona, expected,
                                                           django_assert_max_num_queries):
    client = personas.client_for(persona)
    with django_assert_max_num_queries(12):
        html = client.get("/en/brokering/proposals/").content.decode()
    assert html.count(f'href="/en/brokering/proposals/{proposal.pk}/"') == expected


def test_the_proposal_list_needs_a_sign_in(personas):
    assert personas.client_for("anonymous").get("/en/brokering/proposals/").status_code == 302
