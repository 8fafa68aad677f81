"""Background jobs (django-tasks): re-embed a changed record, e-mail a proposal's parties.

``record_changed`` (sent inside the saving transaction) enqueues ``embed_record`` on commit, so a
rolled-back change never runs the model, and the web request never waits for it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from coopatlas.brokering.index import EMBEDDED_MODELS, embed_records, remove_embeddings


@task()
def embed_record(record_type: str, object_id: int) -> int:
    """Embed one record again if its text changed (drop its vectors if it is gone); returns rows written."""
    model = EMBEDDED_MODELS[record_type]
    record = model.objects.filter(pk=object_id, deleted_at__isnull=True).first()
    if record is None:
        remove_embeddings(record_type, [object_id])
        return 0
    return embed_records([record])


def enqueue_embedding(sender: Any, record: Any, **kwargs: Any) -> None:
    """``record_changed`` receiver: embed the record after the transaction commits."""
    record_type = getattr(record, "RECORD_TYPE", "")
    if record_type in EMBEDDED_MODELS:
        pk = record.pk
        transaction.on_commit(lambda: embed_record.enqueue(record_type, pk))


@task()
def email_notification(notification_id: int) -> int:
    """E-mail one in-app notification to its user, in their language; returns messages sent."""
    from coopatlas.brokering.models import Notification

    notice = Notification.objects.select_related("user", "event", "proposal__need", "proposal__solution").filter(
        pk=notification_id, emailed_at__isnull=True).first()
    if notice is None or not notice.user.email:
        return 0
    with translation.override(notice.user.preferred_language or settings.LANGUAGE_CODE):
        proposal = notice.proposal
        subject = _("CoopAtlas brokering: “%(need)s” ↔ “%(solution)s”") % {
            "need": str(proposal.need)[:80], "solution": str(proposal.solution)[:80]}
        body = _("Status: %(status)s.") % {"status": proposal.get_status_display()}
        if notice.event.message:
            body += "\n\n" + _("Message:") + "\n" + notice.event.message
    sent = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.user.email])
    notice.emailed_at = timezone.now()
    notice.save(update_fields=["emailed_at"])
    return sent
