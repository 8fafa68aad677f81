"""The verbs of a catalogue record's life: save with optimistic locking, moderate, delete, restore.

Every verb runs in one transaction and writes one ``ChangeRecord``, so a failure leaves neither a
half-saved record nor an unrecorded change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coopatlas.core.audit import diff, snapshot
from coopatlas.core.models import CatalogueRecord, ChangeRecord, User, WorkflowStatus


class StaleRecordError(Exception):
    """The record changed since the editor loaded it; saving would overwrite someone's work."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _(
                "This record was changed by someone else while you were editing it "
                "(it is now at version %(version)s). Reload it, then apply your changes again."
            )
            % {"version": current_version}
        )
        self.current_version = current_version


class WorkflowError(Exception):
    """A moderation step that is not allowed from the record's current status."""


def can_edit(user: Any, record: CatalogueRecord) -> bool:
    """Whether ``user`` may change ``record`` (members of its owning organisation, or moderators)."""
    if not getattr(user, "is_authenticated", False) or record.is_deleted:
        return False
    if user.is_moderator:
        return True
    return record.owner_organisation_id in user.organisation_ids()


def can_moderate(user: Any) -> bool:
    """Whether ``user`` may publish or return records."""
    return bool(getattr(user, "is_authenticated", False) and user.is_moderator)


def _log(record: CatalogueRecord, user: User | None, action: str, changes: dict, comment: str = "") -> ChangeRecord:
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        user=user if user and user.is_authenticated else None,
        action=action,
        changes=changes,
        comment=comment,
        version=record.version,
    )


def _after_change(record: CatalogueRecord) -> None:
    """Keep derived data (the search index) in step, inside the same transaction."""
    from coopatlas.core.signals import record_changed

    record_changed.send(sender=type(record), record=record)


@transaction.atomic
def create_record(
    record: CatalogueRecord,
    user: User | None,
    save_m2m: Callable[[], None] | None = None,
) -> CatalogueRecord:
    """Save a new record (as a draft unless a status was set) and log its creation."""
    if user is not None and user.is_authenticated:
        record.created_by = user
    record.version = 1
    record.save()
    if save_m2m:
        save_m2m()
    _log(record, user, ChangeRecord.Action.CREATE, diff({}, snapshot(record)))
    _after_change(record)
    return record


@transaction.atomic
def update_record(
    record: CatalogueRecord,
    user: User | None,
    expected_version: int,
    apply: Callable[[CatalogueRecord], None],
) -> CatalogueRecord:
    """Apply ``apply(record)`` to a locked fresh copy if nobody else changed it since ``expected_version``.

    Raises ``StaleRecordError`` when the stored version differs (optimistic locking) and
    ``PermissionDenied`` when ``user`` may not edit the record.
    """
    fresh = type(record).objects.select_for_update().get(pk=record.pk)
    if user is not None and not can_edit(user, fresh):
        raise PermissionDenied(_("You may not edit this record."))
    if fresh.version != expected_version:
        raise StaleRecordError(fresh.version)
    before = snapshot(fresh)
    apply(fresh)
    fresh.version = expected_version + 1
    fresh.updated_at = timezone.now()
    fresh.save()
    changes = diff(before, snapshot(fresh))
    _log(fresh, user, ChangeRecord.Action.UPDATE, changes)
    _after_change(fresh)
    return fresh


#: (action, statuses it may start from, status it leads to, needs a moderator)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    ChangeRecord.Action.SUBMIT: ((WorkflowStatus.DRAFT, WorkflowStatus.RETURNED), WorkflowStatus.SUBMITTED, False),
    ChangeRecord.Action.PUBLISH: (
        (WorkflowStatus.SUBMITTED, WorkflowStatus.DRAFT, WorkflowStatus.RETURNED),
        WorkflowStatus.PUBLISHED,
        True,
    ),
    ChangeRecord.Action.RETURN: ((WorkflowStatus.SUBMITTED, WorkflowStatus.PUBLISHED), WorkflowStatus.RETURNED, True),
    ChangeRecord.Action.UNPUBLISH: ((WorkflowStatus.PUBLISHED,), WorkflowStatus.DRAFT, False),
}


def allowed_transitions(user: Any, record: CatalogueRecord) -> list[str]:
    """The moderation actions ``user`` may take on ``record`` now."""
    if not can_edit(user, record):
        return []
    actions = []
    for action, (sources, _target, moderator_only) in TRANSITIONS.items():
        if record.workflow_status in sources and (not moderator_only or can_moderate(user)):
            actions.append(str(action))
    return actions


@transaction.atomic
def transition(record: CatalogueRecord, user: User, action: str, comment: str = "") -> CatalogueRecord:
    """Move ``record`` through the moderation workflow; returning a record requires a comment."""
    fresh = type(record).objects.select_for_update().get(pk=record.pk)
    if action not in TRANSITIONS:
        raise WorkflowError(_("Unknown workflow action."))
    sources, target, moderator_only = TRANSITIONS[action]
    if not can_edit(user, fresh) or (moderator_only and not can_moderate(user)):
        raise PermissionDenied(_("You may not do this to this record."))
    if fresh.workflow_status not in sources:
        raise WorkflowError(
            _("A record that is %(status)s cannot be %(action)s.")
            % {"status": fresh.get_workflow_status_display().lower(), "action": ChangeRecord.Action(action).label.lower()}
        )
    if action == ChangeRecord.Action.RETURN and not comment.strip():
        raise WorkflowError(_("Say why the record is returned: a comment is required."))
    old_status = fresh.workflow_status
    fresh.workflow_status = target
    fresh.moderation_comment = comment.strip() if action == ChangeRecord.Action.RETURN else ""
    if target == WorkflowStatus.PUBLISHED:
        fresh.published_at = timezone.now()
    fresh.version += 1
    fresh.updated_at = timezone.now()
    fresh.save()
    change = _log(fresh, user, action, {"workflow_status": [old_status, target]}, comment.strip())
    _after_change(fresh)
    if action in (ChangeRecord.Action.PUBLISH, ChangeRecord.Action.RETURN):
        from coopatlas.core.tasks import send_workflow_email

        transaction.on_commit(lambda: send_workflow_email.enqueue(change.pk))
    return fresh


@transaction.atomic
def soft_delete(record: CatalogueRecord, user: User) -> CatalogueRecord:
    """Hide a record from everyone but moderators; it can be restored."""
    fresh = type(record).objects.select_for_update().get(pk=record.pk)
    if not can_edit(user, fresh):
        raise PermissionDenied(_("You may not delete this record."))
    fresh.deleted_at = timezone.now()
    fresh.deleted_by = user
    fresh.version += 1
    fresh.save()
    _log(fresh, user, ChangeRecord.Action.DELETE, {"deleted": [False, True]})
    _after_change(fresh)
    return fresh


@transaction.atomic
def restore(record: CatalogueRecord, user: User) -> CatalogueRecord:
    """Bring back a soft-deleted record (moderators only)."""
    fresh = type(record).objects.select_for_update().get(pk=record.pk)
    if not can_moderate(user):
        raise PermissionDenied(_("Only moderators may restore deleted records."))
    if fresh.deleted_at is None:
        raise WorkflowError(_("This record is not deleted."))
    fresh.deleted_at = None
    fresh.deleted_by = None
    fresh.version += 1
    fresh.save()
    _log(fresh, user, ChangeRecord.Action.RESTORE, {"deleted": [True, False]})
    _after_change(fresh)
    return fresh


def log_child_change(record: CatalogueRecord, user: User | None, field: str, old: Any, new: Any) -> ChangeRecord:
    """Record a change to something that belongs to ``record`` (a member, a progress report)."""
    return _log(record, user, ChangeRecord.Action.UPDATE, {field: [old, new]})
