"""Brokering pages: matches of a need or a solution, a need described freely, tag suggestions while
writing, proposals with their history, notifications and the brokers' queue.

Views stay thin: they check who may see what, call ``services``/``workflow``/``queue`` and render;
each match page serves the full page and, for htmx, the partial it includes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopatlas.brokering import queue, workflow
from coopatlas.brokering.forms import DescribeNeedForm, ProposeForm, RespondForm, WithdrawForm
from coopatlas.brokering.matcher import NeedQuery
from coopatlas.brokering.models import MatchProposal, Notification
from coopatlas.brokering.presenters import report_data, results_data
from coopatlas.brokering.ratelimit import match_rate_limited
from coopatlas.brokering.services import explain_match, match_need, match_query, match_solution
from coopatlas.brokering.tagging import suggest_tags
from coopatlas.brokering.text import compose, guess_script_language
from coopatlas.catalogue.models import Need, Solution
from coopatlas.core.display import record_url
from coopatlas.core.services import WorkflowError, can_moderate

#: Text fields of the need and solution forms that tag suggestions read.
TAGGED_FIELDS = ("title", "summary", "description", "challenge", "solution", "results", "rationale", "replication")


def visible(model: type[Any], user: Any, pk: int) -> Any:
    """A live record ``user`` may see, else 404 (the catalogue's visibility rules)."""
    record = model.objects.visible_to(user).filter(pk=pk).first()
    if record is None:
        raise Http404(_("No such record, or you may not see it."))
    return record


def visible_proposal(user: Any, pk: int) -> MatchProposal:
    """A proposal where ``user``'s organisation is a party (brokers: any), else 404."""
    proposal = (MatchProposal.objects.visible_to(user).select_related("need", "solution", "provider", "proposed_by")
                .filter(pk=pk).first())
    if proposal is None:
        raise Http404(_("No such proposal, or you may not see it."))
    return proposal


def _partial_or_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The partial for htmx requests, else the full page that includes it."""
    if getattr(request, "htmx", False):
        return render(request, f"brokering/_{template}", context)
    return render(request, f"brokering/{template}", context)


def _compact(request: HttpRequest) -> bool:
    """Whether a record page asked for the short list (its top 3 only, with a link to the full page)."""
    return request.GET.get("view") == "compact"


def _proposals_by_solution(user: Any, need: Need) -> dict[int, MatchProposal]:
    """Open proposals of a need that ``user`` may see, by solution."""
    rows = MatchProposal.objects.visible_to(user).filter(need=need, status__in=workflow.OPEN)
    return {p.solution_id: p for p in rows}


@match_rate_limited("GET")
def need_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Ranked solutions, providers and experts for a need, with reasons and the weak-match flag."""
    need = visible(Need, request.user, pk)
    compact = _compact(request)
    report = report_data(match_need(need, top=3 if compact else 10))
    proposable = need.workflow_status == "published" and need.status in (Need.Status.OPEN, Need.Status.IN_BROKERING)
    open_proposals = _proposals_by_solution(request.user, need)
    for result in report["solutions"]:
        result["proposal"] = open_proposals.get(result["id"])
    return _partial_or_page(request, "need_matches.html", {
        "need": need, "report": report, "need_url": record_url(need),
        "can_propose": proposable and workflow.may_propose(request.user, need), "compact": compact,
    })


@match_rate_limited("GET")
def solution_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Open needs of other organisations that a solution could serve."""
    solution = visible(Solution, request.user, pk)
    compact = _compact(request)
    results = results_data(match_solution(solution, top=3 if compact else 10))
    proposals = MatchProposal.objects.visible_to(request.user).filter(solution=solution, status__in=workflow.OPEN)
    by_need = {p.need_id: p for p in proposals}
    for result in results:
        result["proposal"] = by_need.get(result["id"])
    return _partial_or_page(request, "solution_matches.html", {
        "solution": solution, "results": results, "solution_url": record_url(solution),
        "is_broker": can_moderate(request.user), "compact": compact,
    })


@match_rate_limited("POST")
def describe_need(request: HttpRequest) -> HttpResponse:
    """Match a need written freely, before (or without) saving it; the user's own organisations left out."""
    form = DescribeNeedForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        text = form.check.text if form.check else ""
        language = form.cleaned_data["language"] or guess_script_language(text) or get_language() or "en"
        own = request.user.organisation_ids() if request.user.is_authenticated else []
        query = NeedQuery(text=text, language=language, exclude_owner_ids=frozenset(str(i) for i in own))
        report = report_data(match_query(query, raw_text=form.cleaned_data["text"]))
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    context = {"form": form, "report": report}
    if getattr(request, "htmx", False):
        return render(request, "brokering/_describe_results.html", context, status=status)
    return render(request, "brokering/describe.html", context, status=status)


@login_required
@require_POST
def suggest_tags_view(request: HttpRequest) -> HttpResponse:
    """Suggested SDG targets and DAC sectors for the text of a need or solution form being written."""
    text = compose(*(request.POST.get(name, "") for name in TAGGED_FIELDS))
    chosen = {"sectors": set(request.POST.getlist("sectors")), "sdg_targets": set(request.POST.getlist("sdg_targets"))}
    found = suggest_tags(text)
    suggestions = {field: [s for s in found[field] if s.code not in chosen[field]] for field in found}
    return render(request, "brokering/_tag_suggestions.html", {
        "sectors": suggestions["sectors"], "sdg_targets": suggestions["sdg_targets"],
        "too_short": not any(found.values()) and bool(text.strip()),
    })


@login_required
@require_POST
def propose_view(request: HttpRequest) -> HttpResponse:
    """Propose a solution for a need (brokers, or the need's organisation), with the explanation of the match."""
    form = ProposeForm(request.POST)
    if not form.is_valid():
        raise Http404(_("No such need or solution."))
    need = visible(Need, request.user, form.cleaned_data["need"])
    solution = visible(Solution, request.user, form.cleaned_data["solution"])
    if not workflow.may_propose(request.user, need):
        raise PermissionDenied(_("Only brokers (moderators) and the need's organisation may propose matches."))
    match = explain_match(need, solution)
    try:
        proposal = workflow.propose(
            need, solution, request.user, score=match.score if match else 0.0,
            explanation=match.explanation.as_dict() if match else {}, message=form.cleaned_data["message"],
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("brokering:need-matches", pk=need.pk)
    messages.success(request, _("The match is proposed; both organisations are notified."))
    return redirect("brokering:proposal-detail", pk=proposal.pk)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Proposals the user's organisations are party to (brokers: all), latest first."""
    proposals = MatchProposal.objects.visible_to(request.user).select_related("need", "solution", "provider")
    status = request.GET.get("status", "")
    if status in MatchProposal.Status.values:
        proposals = proposals.filter(status=status)
    page = Paginator(proposals, 50).get_page(request.GET.get("page"))
    return render(request, "brokering/proposal_list.html", {
        "page": page, "status": status, "statuses": MatchProposal.Status.choices,
    })


def _proposal_context(request: HttpRequest, proposal: MatchProposal, form: RespondForm | None = None
                      ) -> dict[str, Any]:
    from coopatlas.initiatives.models import Initiative

    side = workflow.side_of(request.user, proposal)
    accepted = {"requester": proposal.requester_accepted_at, "provider": proposal.provider_accepted_at}
    is_open = proposal.status in workflow.OPEN
    initiative_visible = bool(proposal.initiative_id and Initiative.objects.visible_to(request.user).filter(
        pk=proposal.initiative_id).exists())
    return {
        "proposal": proposal, "events": proposal.events.select_related("user"), "side": side, "is_open": is_open,
        "can_respond": is_open and side is not None and not accepted[side],
        "can_withdraw": is_open and can_moderate(request.user),
        "respond_form": form or RespondForm(), "withdraw_form": WithdrawForm(),
        "explanation": proposal.explanation or {},
        "partnership_url": record_url(proposal.partnership) if proposal.partnership_id else "",
        "initiative_url": record_url(proposal.initiative) if initiative_visible else "",
    }


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal: both records, the explanation, the status history and the answer forms."""
    proposal = visible_proposal(request.user, pk)
    Notification.objects.filter(user=request.user, proposal=proposal, read_at__isnull=True).update(
        read_at=timezone.now())
    return render(request, "brokering/proposal_detail.html", _proposal_context(request, proposal))


@login_required
@require_POST
def proposal_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline (with a message) for the user's side of the proposal."""
    proposal = visible_proposal(request.user, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        return render(request, "brokering/proposal_detail.html", _proposal_context(request, proposal, form),
                      status=400)
    try:
        proposal = workflow.respond(proposal, request.user, form.cleaned_data["decision"] == "accept",
                                    form.cleaned_data["message"])
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        if proposal.status == MatchProposal.Status.AGREED:
            messages.success(request, _("Both organisations agreed: the partnership and the initiative are created."))
        else:
            messages.success(request, _("Your answer is recorded; the other party is notified."))
    return redirect("brokering:proposal-detail", pk=proposal.pk)


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A broker withdraws an open proposal."""
    proposal = visible_proposal(request.user, pk)
    form = WithdrawForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        workflow.withdraw(proposal, request.user, message)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The proposal is withdrawn."))
    return redirect("brokering:proposal-detail", pk=proposal.pk)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; POST marks one (``notification``) or all of them read."""
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        unread = mine.filter(read_at__isnull=True)
        chosen = request.POST.get("notification", "")
        if chosen:
            unread = unread.filter(pk=int(chosen) if chosen.isdigit() else 0)
        unread.update(read_at=timezone.now())
        return redirect(reverse("brokering:notifications") + (f"?page={request.GET['page']}"
                                                               if request.GET.get("page", "").isdigit() else ""))
    rows = mine.select_related("event__user", "proposal__need", "proposal__solution")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "brokering/notifications.html", {
        "page": page, "unread": mine.filter(read_at__isnull=True).count(),
    })


@login_required
def broker_queue(request: HttpRequest) -> HttpResponse:
    """Open needs with their best candidate and score, the weakly matched first (brokers only)."""
    if not can_moderate(request.user):
        raise PermissionDenied(_("Only brokers (moderators) see the brokering queue."))
    return render(request, "brokering/queue.html", {"entries": queue.broker_queue()})
