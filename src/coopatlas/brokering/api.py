"""``/api/v1/brokering``: matches for a need, a solution or a free text; proposals and their answers.

The same rules as the pages (``brokering/views.py``): reads show what the caller may see, writes need
an API token; the forms of the pages validate the input, so errors carry the same field messages.
"""

# No ``from __future__ import annotations``: ninja reads the endpoints' annotations at import time.
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from coopatlas.api.auth import READ_AUTH, WRITE_AUTH
from coopatlas.api.errors import ErrorOut, InvalidDataError, form_messages
from coopatlas.api.records import caller, writer
from coopatlas.brokering import workflow
from coopatlas.brokering.forms import DescribeNeedForm, ProposeForm, RespondForm, WithdrawForm
from coopatlas.brokering.matcher import NeedQuery
from coopatlas.brokering.models import MatchProposal
from coopatlas.brokering.presenters import report_data, results_data
from coopatlas.brokering.ratelimit import retry_after
from coopatlas.brokering.services import explain_match, match_need, match_query, match_solution
from coopatlas.brokering.text import guess_script_language
from coopatlas.brokering.views import visible, visible_proposal
from coopatlas.catalogue.models import Need, Solution

router = Router(tags=["Brokering"])
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: Matching endpoints also answer 429 when the caller used its budget (``ratelimit``).
MATCH_ERRORS = {**READ_ERRORS, 429: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SignalOut(Schema):
    """One signal's value, weight, part of the score and share of it (percent)."""

    name: str
    label: str
    value: float
    weight: float
    contribution: float
    share: float


class SectorOut(Schema):
    """A DAC sector both sides share (``exact``: same 5-digit code; ``inferred``: from the need's text)."""

    code: str
    label: str
    exact: bool = True
    inferred: bool = False


class TargetOut(Schema):
    """An SDG target both sides share."""

    code: str
    label: str


class PassageOut(Schema):
    """A sentence of the need, the candidate's closest sentence, and the words they share (folded)."""

    need_sentence: str
    candidate_sentence: str
    similarity: float
    shared_words: list[str]


class RecordRef(Schema):
    """A record or organisation by id, name and page."""

    id: int
    name: str
    url: str


class MatchOut(Schema):
    """A ranked solution, organisation, expert or need with the reasons of its score."""

    type: str
    id: int
    title: str
    url: str
    language: str
    organisation: RecordRef | None = None
    score: float
    signals: list[SignalOut]
    shared_sectors: list[SectorOut]
    shared_targets: list[TargetOut]
    passages: list[PassageOut]
    same_region: bool
    same_language: bool


class InferredSectorOut(Schema):
    """A sector inferred for an untagged need from its nearest solutions, with its weight."""

    code: str
    label: str
    weight: float


class MatchReportOut(Schema):
    """Matches for a need or a text, the notes on the text, and whether it is flagged for a broker."""

    ok: bool
    problems: list[str]
    notes: list[str]
    warnings: list[str]
    weak: bool
    inferred_sectors: list[InferredSectorOut]
    solutions: list[MatchOut]
    providers: list[MatchOut]
    experts: list[MatchOut]


class MatchTextIn(Schema):
    """A need written freely (any of the six languages; markup removed, cut at 20,000 characters)."""

    text: str = ""
    language: str = ""
    top: int = Field(10, ge=1, le=50)


class ProposeIn(Schema):
    """The need, the solution, and a message to both parties."""

    need: int
    solution: int
    message: str = ""


class MessageIn(Schema):
    """A message with an answer (required to decline)."""

    message: str = ""


class EventOut(Schema):
    """One step of a proposal's history."""

    action: str
    from_status: str
    to_status: str
    message: str
    user: str | None
    created_at: datetime


class ProposalOut(Schema):
    """A proposed match, both parties' answers, its history and, once agreed, what it created."""

    id: int
    need: RecordRef
    solution: RecordRef
    provider: RecordRef
    origin: str
    status: str
    score: float
    explanation: dict[str, Any]
    requester_accepted_at: datetime | None
    provider_accepted_at: datetime | None
    partnership_id: int | None
    initiative_id: int | None
    created_at: datetime
    updated_at: datetime
    events: list[EventOut]


def _ref(record: Any) -> dict[str, Any]:
    from coopatlas.core.display import record_url

    return {"id": record.pk, "name": str(record), "url": record_url(record)}


def proposal_data(proposal: MatchProposal) -> dict[str, Any]:
    """A proposal as plain data with its events."""
    return {
        "id": proposal.pk, "need": _ref(proposal.need), "solution": _ref(proposal.solution),
        "provider": _ref(proposal.provider), "origin": proposal.origin, "status": proposal.status,
        "score": proposal.score, "explanation": proposal.explanation or {},
        "requester_accepted_at": proposal.requester_accepted_at, "provider_accepted_at": proposal.provider_accepted_at,
        "partnership_id": proposal.partnership_id, "initiative_id": proposal.initiative_id,
        "created_at": proposal.created_at, "updated_at": proposal.updated_at,
        "events": [
            {"action": e.action, "from_status": e.from_status, "to_status": e.to_status, "message": e.message,
             "user": e.user.get_username() if e.user else None, "created_at": e.created_at}
            for e in proposal.events.all()
        ],
    }


def _proposal(user: Any, pk: int) -> MatchProposal:
    """A proposal ``user`` may see, with its events and their authors (404 otherwise)."""
    visible_proposal(user, pk)
    return MatchProposal.objects.select_related("need", "solution", "provider").prefetch_related(
        "events__user").get(pk=pk)


def _rate_limited(request: HttpRequest) -> HttpResponse | None:
    """A 429 answer with ``Retry-After`` once the caller used its matching budget, else None (and counted)."""
    seconds = retry_after(request, caller(request))
    if seconds is None:
        return None
    response = JsonResponse({"detail": _("Too many matching requests: try again in %(n)s seconds.") % {"n": seconds}},
                            status=429)
    response["Retry-After"] = str(seconds)
    return response


def _valid(form: Any) -> Any:
    if not form.is_valid():
        raise InvalidDataError(form_messages(form))
    return form


@router.get("/needs/{need_id}/matches", response={200: MatchReportOut, **MATCH_ERRORS}, auth=READ_AUTH,
            operation_id="brokering_need_matches", summary="Matches for a need")
def need_matches(request: HttpRequest, need_id: int, top: int = 10) -> dict[str, Any] | HttpResponse:
    """Ranked solutions, providers and experts of other organisations, with reasons (need visible to you)."""
    if (refused := _rate_limited(request)) is not None:
        return refused
    need = visible(Need, caller(request), need_id)
    return report_data(match_need(need, top=max(1, min(top, 50))))


@router.get("/solutions/{solution_id}/matches", response={200: list[MatchOut], **MATCH_ERRORS}, auth=READ_AUTH,
            operation_id="brokering_solution_matches", summary="Needs a solution could serve")
def solution_matches(request: HttpRequest, solution_id: int, top: int = 10) -> list[dict[str, Any]] | HttpResponse:
    """Open needs of other organisations, ranked, with reasons (solution visible to you)."""
    if (refused := _rate_limited(request)) is not None:
        return refused
    solution = visible(Solution, caller(request), solution_id)
    return results_data(match_solution(solution, top=max(1, min(top, 50))))


@router.post("/match", response={200: MatchReportOut, **MATCH_ERRORS}, auth=READ_AUTH,
             operation_id="brokering_match_text", summary="Matches for a need written freely")
def match_text(request: HttpRequest, payload: MatchTextIn) -> dict[str, Any] | HttpResponse:
    """Like a need's matches, for a text not saved; your own organisations are left out. Writes nothing."""
    if (refused := _rate_limited(request)) is not None:
        return refused
    form = _valid(DescribeNeedForm({"text": payload.text, "language": payload.language}))
    text = form.check.text
    language = form.cleaned_data["language"] or guess_script_language(text) or get_language() or "en"
    user = caller(request)
    own = user.organisation_ids() if getattr(user, "is_authenticated", False) else []
    query = NeedQuery(text=text, language=language, exclude_owner_ids=frozenset(str(i) for i in own))
    return report_data(match_query(query, raw_text=payload.text, top=payload.top))


@router.get("/proposals", response={200: list[ProposalOut], 401: ErrorOut}, auth=READ_AUTH,
            operation_id="brokering_list_proposals", summary="Proposed matches")
def list_proposals(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    """Proposals your organisations are party to (brokers: all), latest first, at most 200."""
    user = writer(request)
    proposals = MatchProposal.objects.visible_to(user).select_related("need", "solution", "provider")
    if status:
        proposals = proposals.filter(status=status)
    return [proposal_data(p) for p in proposals.prefetch_related("events__user")[:200]]


@router.get("/proposals/{proposal_id}", response={200: ProposalOut, **READ_ERRORS}, auth=READ_AUTH,
            operation_id="brokering_get_proposal", summary="A proposed match")
def get_proposal(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    """One proposal with its history, if your organisation is a party (brokers: any)."""
    return proposal_data(_proposal(writer(request), proposal_id))


@router.post("/proposals", response={201: ProposalOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
             operation_id="brokering_propose", summary="Propose a match")
def propose(request: HttpRequest, payload: ProposeIn) -> Status[dict[str, Any]]:
    """Propose a solution for a need: brokers for any need, members of the need's organisation for theirs."""
    user = writer(request)
    form = _valid(ProposeForm(payload.model_dump()))
    need = visible(Need, user, form.cleaned_data["need"])
    solution = visible(Solution, user, form.cleaned_data["solution"])
    if not workflow.may_propose(user, need):
        raise PermissionDenied(_("Only brokers (moderators) and the need's organisation may propose matches."))
    match = explain_match(need, solution)
    proposal = workflow.propose(need, solution, user, score=match.score if match else 0.0,
                                explanation=match.explanation.as_dict() if match else {},
                                message=form.cleaned_data["message"])
    return Status(201, proposal_data(_proposal(user, proposal.pk)))


def _answer(request: HttpRequest, proposal_id: int, decision: str, payload: MessageIn) -> dict[str, Any]:
    user = writer(request)
    proposal = visible_proposal(user, proposal_id)
    form = _valid(RespondForm({"decision": decision, "message": payload.message}))
    proposal = workflow.respond(proposal, user, decision == "accept", form.cleaned_data["message"])
    return proposal_data(_proposal(user, proposal.pk))


@router.post("/proposals/{proposal_id}/accept", response={200: ProposalOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
             operation_id="brokering_accept", summary="Accept a proposed match")
def accept(request: HttpRequest, proposal_id: int, payload: MessageIn) -> dict[str, Any]:
    """Accept for your side (requester or provider); when both have, the partnership and initiative are created."""
    return _answer(request, proposal_id, "accept", payload)


@router.post("/proposals/{proposal_id}/decline", response={200: ProposalOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
             operation_id="brokering_decline", summary="Decline a proposed match")
def decline(request: HttpRequest, proposal_id: int, payload: MessageIn) -> dict[str, Any]:
    """Decline for your side, saying why (``message`` is required)."""
    return _answer(request, proposal_id, "decline", payload)


@router.post("/proposals/{proposal_id}/withdraw", response={200: ProposalOut, **WRITE_ERRORS}, auth=WRITE_AUTH,
             operation_id="brokering_withdraw", summary="Withdraw a proposed match")
def withdraw(request: HttpRequest, proposal_id: int, payload: MessageIn) -> dict[str, Any]:
    """A broker (moderator) withdraws an open proposal."""
    user = writer(request)
    proposal = visible_proposal(user, proposal_id)
    form = _valid(WithdrawForm({"message": payload.message}))
    workflow.withdraw(proposal, user, form.cleaned_data["message"])
    return proposal_data(_proposal(user, proposal.pk))
