"""The brokering workflow: propose a match, both parties accept or decline, agreement creates records.

    proposed ──requester accepts──> accepted-requester ──provider accepts──> agreed
        └──provider accepts──> accepted-provider ──requester accepts──> agreed
    any open status ──either party declines (with a message)──> declined; ──broker withdraws──> withdrawn

Every step is a ``MatchEvent``; the other people concerned get a ``Notification`` (and an e-mail,
enqueued on commit). Agreement creates a Partnership and an Initiative through
``core.services.create_record`` (change log, search index, embeddings follow) and marks the need matched.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coopatlas.brokering.models import MatchEvent, MatchProposal, Notification
from coopatlas.catalogue.models import Membership, Need, Partnership, Solution
from coopatlas.core.models import User, WorkflowStatus
from coopatlas.core.services import WorkflowError, can_moderate, create_record, update_record

OPEN = (MatchProposal.Status.PROPOSED, MatchProposal.Status.ACCEPTED_BY_REQUESTER,
        MatchProposal.Status.ACCEPTED_BY_PROVIDER)


def side_of(user: Any, proposal: MatchProposal) -> str | None:
    """"requester" or "provider" when ``user`` belongs to that party's organisation, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    ids = user.organisation_ids()
    if proposal.need.owner_id in ids:
        return "requester"
    if proposal.provider_id in ids:
        return "provider"
    return None


def _notify(proposal: MatchProposal, event: MatchEvent, actor: User | None) -> None:
    """Notify both parties' members and the proposing broker, except whoever acted."""
    from coopatlas.brokering.tasks import email_notification

    org_ids = [i for i in (proposal.need.owner_id, proposal.provider_id) if i]
    users = {m.user for m in Membership.objects.filter(organisation_id__in=org_ids).select_related("user")}
    if proposal.proposed_by:
        users.add(proposal.proposed_by)
    for user in sorted(users, key=lambda u: u.pk):
        if actor is not None and user.pk == actor.pk or not user.is_active:
            continue
        notice = Notification.objects.create(user=user, proposal=proposal, event=event)
        transaction.on_commit(lambda pk=notice.pk: email_notification.enqueue(pk))


def _step(proposal: MatchProposal, user: User | None, action: str, to_status: str, message: str = "") -> MatchEvent:
    event = MatchEvent.objects.create(proposal=proposal, user=user, action=action, from_status=proposal.status,
                                      to_status=to_status, message=message.strip())
    proposal.status = to_status
    proposal.updated_at = timezone.now()
    proposal.save()
    _notify(proposal, event, user)
    return event


def may_propose(user: Any, need: Need) -> bool:
    """Brokers (moderators) propose matches for any need; members of the need's organisation for their own."""
    if can_moderate(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and need.owner_id
                and need.owner_id in user.organisation_ids())


def _check_proposable(need: Need, solution: Solution) -> None:
    """Only an open published need and a published solution can be matched."""
    if need.is_deleted or need.workflow_status != WorkflowStatus.PUBLISHED or need.status not in (
            Need.Status.OPEN, Need.Status.IN_BROKERING):
        raise WorkflowError(_("Only an open, published need can be matched."))
    if solution.is_deleted or solution.workflow_status != WorkflowStatus.PUBLISHED:
        raise WorkflowError(_("Only a published solution can be proposed."))


@transaction.atomic
def propose(need: Need, solution: Solution, user: User | None, score: float = 0.0,
            explanation: dict[str, Any] | None = None, message: str = "") -> MatchProposal:
    """Propose ``solution`` for ``need``: by the system (``user`` None), a broker, or the need's organisation.

    When the need's own organisation proposes, its acceptance is recorded at once: it is asking.
    """
    if user is not None and not may_propose(user, need):
        raise PermissionDenied(_("Only brokers (moderators) and the need's organisation may propose matches."))
    _check_proposable(need, solution)
    provider = solution.provider or solution.owner
    if provider is None:
        raise WorkflowError(_("This solution has no provider organisation to send the proposal to."))
    if provider.pk == need.owner_id:
        raise WorkflowError(_("A need cannot be matched with its own organisation's solution."))
    if MatchProposal.objects.filter(need=need, solution=solution, status__in=OPEN).exists():
        raise WorkflowError(_("This match has already been proposed."))
    by_requester = user is not None and not can_moderate(user)
    origin = (MatchProposal.Origin.REQUESTER if by_requester else
              MatchProposal.Origin.BROKER if user else MatchProposal.Origin.SYSTEM)
    proposal = MatchProposal.objects.create(
        need=need, solution=solution, provider=provider, proposed_by=user, score=score, origin=origin,
        explanation=explanation or {},
    )
    if by_requester:
        proposal.requester_accepted_at = timezone.now()
        _step(proposal, user, "propose", MatchProposal.Status.ACCEPTED_BY_REQUESTER, message)
    else:
        _step(proposal, user, "propose", MatchProposal.Status.PROPOSED, message)
    return proposal


@transaction.atomic
def respond(proposal: MatchProposal, user: User, accept: bool, message: str = "") -> MatchProposal:
    """Accept or decline for the user's side; declining needs a message; both accepting is agreement."""
    proposal = MatchProposal.objects.select_for_update().select_related("need", "solution", "provider").get(
        pk=proposal.pk)
    side = side_of(user, proposal)
    if side is None:
        raise PermissionDenied(_("Only the requester's or the provider's members may answer this proposal."))
    if proposal.status not in OPEN:
        raise WorkflowError(_("This proposal is closed (%(status)s).") % {"status": proposal.get_status_display()})
    if not accept:
        if not message.strip():
            raise WorkflowError(_("Say why you decline: a message is required."))
        _step(proposal, user, f"decline-{side}", MatchProposal.Status.DECLINED, message)
        return proposal
    now = timezone.now()
    if side == "requester":
        proposal.requester_accepted_at = proposal.requester_accepted_at or now
    else:
        proposal.provider_accepted_at = proposal.provider_accepted_at or now
    if proposal.requester_accepted_at and proposal.provider_accepted_at:
        _step(proposal, user, f"accept-{side}", MatchProposal.Status.AGREED, message)
        _agree(proposal, user)
    else:
        status = (MatchProposal.Status.ACCEPTED_BY_REQUESTER if side == "requester"
                  else MatchProposal.Status.ACCEPTED_BY_PROVIDER)
        _step(proposal, user, f"accept-{side}", status, message)
    return proposal


@transaction.atomic
def withdraw(proposal: MatchProposal, user: User, message: str = "") -> MatchProposal:
    """A broker withdraws an open proposal."""
    if not can_moderate(user):
        raise PermissionDenied(_("Only brokers (moderators) may withdraw proposals."))
    if proposal.status not in OPEN:
        raise WorkflowError(_("This proposal is closed (%(status)s).") % {"status": proposal.get_status_display()})
    _step(proposal, user, "withdraw", MatchProposal.Status.WITHDRAWN, message)
    return proposal


def _agree(proposal: MatchProposal, user: User) -> None:
    """Create the Partnership and the Initiative of an agreed match and mark the need matched."""
    from coopatlas.initiatives.models import Initiative

    need, solution = proposal.need, proposal.solution
    requester = need.owner
    sectors = {*need.sectors.all(), *solution.sectors.all()}
    targets = {*need.sdg_targets.all(), *solution.sdg_targets.all()}
    title = f"{solution.title} → {need.title}"[:300]
    description = _("Agreed through CoopAtlas brokering: the solution “%(solution)s” for the need “%(need)s”.") % {
        "solution": solution.title, "need": need.title}
    partners = [o for o in (proposal.provider, requester) if o is not None]
    partnership = Partnership(title=title, description=description, owner=proposal.provider,
                              language=need.language, workflow_status=WorkflowStatus.PUBLISHED)

    def partnership_m2m() -> None:
        partnership.partners.set(partners)
        partnership.sectors.set(sectors)
        partnership.sdg_targets.set(targets)
        partnership.countries.set([need.country])

    create_record(partnership, user, partnership_m2m)
    initiative = Initiative(title=title, description=description, owner=requester, language=need.language,
                            activity_status=Initiative.ActivityStatus.PIPELINE,
                            workflow_status=WorkflowStatus.DRAFT)

    def initiative_m2m() -> None:
        initiative.providers.set([proposal.provider])
        if requester is not None:
            initiative.recipients.set([requester])
        initiative.recipient_countries.set([need.country])
        initiative.sectors.set(sectors)
        initiative.sdg_targets.set(targets)

    create_record(initiative, user, initiative_m2m)
    proposal.partnership, proposal.initiative = partnership, initiative
    proposal.save(update_fields=["partnership", "initiative"])

    def mark_matched(record: Any) -> None:
        record.status = Need.Status.MATCHED

    update_record(need, None, need.version, mark_matched)
