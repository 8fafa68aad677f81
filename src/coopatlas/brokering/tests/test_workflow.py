"""The brokering workflow: propose, both parties answer, agreement creates a partnership and an initiative."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from coopatlas.brokering import workflow
from coopatlas.brokering.models import MatchProposal, Notification
from coopatlas.brokering.tests.helpers import published_need, published_solution
from coopatlas.catalogue.models import Need, Solution
from coopatlas.core.services import WorkflowError


@pytest.fixture
def pair(personas):
    solution = published_solution(personas.org_a, personas.contributor_a, "Rural wells", "Solar pumps for wells.",
                                  sectors=("14030",))
    need = published_need(personas.org_b, personas.contributor_b, "Water", "Pumps for rural wells.")
    return need, solution


def test_other_organisations_cannot_propose_matches(personas, pair):
    with pytest.raises(PermissionDenied):
        workflow.propose(*pair, personas.contributor_a)


def test_the_needs_organisation_asks_for_a_match_and_has_accepted_it(personas, pair):
    proposal = workflow.propose(*pair, personas.contributor_b, message="Could you help us?")
    assert (proposal.origin, proposal.status) == ("requester", "accepted-requester")
    assert proposal.requester_accepted_at is not None
    assert [(e.action, e.to_status) for e in proposal.events.all()] == [("propose", "accepted-requester")]
    assert [n.user.username for n in Notification.objects.all()] == ["alice"]
    workflow.respond(proposal, personas.contributor_a, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == MatchProposal.Status.AGREED


def test_only_an_open_published_need_and_a_published_solution_are_matched(personas, pair):
    need, solution = pair
    Need.objects.filter(pk=need.pk).update(status=Need.Status.CLOSED)
    need.refresh_from_db()
    with pytest.raises(WorkflowError, match="open, published need"):
        workflow.propose(need, solution, personas.moderator)
    Need.objects.filter(pk=need.pk).update(status=Need.Status.OPEN)
    Solution.objects.filter(pk=solution.pk).update(workflow_status="draft")
    need.refresh_from_db()
    solution.refresh_from_db()
    with pytest.raises(WorkflowError, match="published solution"):
        workflow.propose(need, solution, personas.moderator)


def test_both_parties_agreeing_creates_a_partnership_and_an_initiative(personas, pair, immediate_tasks,
                                                                       django_capture_on_commit_callbacks):
    need, solution = pair
    with django_capture_on_commit_callbacks(execute=True):
        proposal = workflow.propose(need, solution, personas.moderator, message="A good fit.")
        workflow.respond(proposal, personas.contributor_b, accept=True, message="Yes please.")
        proposal = workflow.respond(proposal, personas.contributor_a, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == MatchProposal.Status.AGREED
    assert [(e.action, e.from_status, e.to_status) for e in proposal.events.all()] == [
        ("propose", "proposed", "proposed"),
        ("accept-requester", "proposed", "accepted-requester"),
        ("accept-provider", "accepted-requester", "agreed"),
    ]
    assert sorted(o.pk for o in proposal.partnership.partners.all()) == sorted([personas.org_a.pk, personas.org_b.pk])
    assert list(proposal.initiative.providers.all()) == [personas.org_a]
    assert list(proposal.initiative.recipients.all()) == [personas.org_b]
    assert [s.pk for s in proposal.initiative.sectors.all()] == ["14030"]
    assert Need.objects.get(pk=need.pk).status == Need.Status.MATCHED
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.org", "alice@example.org", "bakary@example.org", "bakary@example.org", "mona@example.org",
        "mona@example.org",
    ]


def test_declining_needs_a_message_and_closes_the_proposal(personas, pair):
    proposal = workflow.propose(*pair, personas.moderator)
    with pytest.raises(WorkflowError, match="Say why you decline"):
        workflow.respond(proposal, personas.contributor_a, accept=False)
    workflow.respond(proposal, personas.contributor_a, accept=False, message="We are fully booked this year.")
    proposal.refresh_from_db()
    assert proposal.status == MatchProposal.Status.DECLINED
    assert proposal.events.last().message == "We are fully booked this year."
    with pytest.raises(WorkflowError, match="This proposal is closed"):
        workflow.respond(proposal, personas.contributor_b, accept=True)


def test_people_outside_both_parties_cannot_answer(personas, pair):
    proposal = workflow.propose(*pair, None)
    assert proposal.origin == MatchProposal.Origin.SYSTEM
    for persona in ("moderator", "administrator"):
        with pytest.raises(PermissionDenied):
            workflow.respond(proposal, getattr(personas, persona), accept=True)


def test_both_parties_are_notified_in_the_app(personas, pair):
    workflow.propose(*pair, personas.moderator)
    assert sorted(n.user.username for n in Notification.objects.all()) == ["alice", "bakary"]


def test_a_need_cannot_be_matched_with_its_own_organisations_solution(personas):
    solution = published_solution(personas.org_b, personas.contributor_b, "Our wells", "Pumps.")
    need = published_need(personas.org_b, personas.contributor_b, "Water", "Pumps for wells.")
    with pytest.raises(WorkflowError, match="its own organisation"):
        workflow.propose(need, solution, personas.moderator)


def test_the_same_match_is_not_proposed_twice_while_open(personas, pair):
    workflow.propose(*pair, personas.moderator)
    with pytest.raises(WorkflowError, match="already been proposed"):
        workflow.propose(*pair, personas.moderator)
