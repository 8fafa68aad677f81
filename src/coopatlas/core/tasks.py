"""Background jobs (django-tasks, run by ``coopatlas db_worker``): moderation e-mails.

Jobs are enqueued on transaction commit, so a rolled-back change never sends mail.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from coopatlas.core.models import ChangeRecord, User


def _recipients(change: ChangeRecord) -> list[User]:
    """Members of the record's owning organisation, with an e-mail address, except whoever acted."""
    from coopatlas.catalogue.models import Membership

    record = change.record
    owner_id = getattr(record, "owner_organisation_id", None)
    if owner_id is None:
        return []
    users = [m.user for m in Membership.objects.filter(organisation_id=owner_id).select_related("user")]
    return [u for u in users if u.email and u.is_active and u.pk != change.user_id]


@task()
def send_workflow_email(change_id: int) -> int:
    """E-mail the owning organisation's members that their record was published or returned."""
    change = ChangeRecord.objects.select_related("content_type", "user").filter(pk=change_id).first()
    if change is None or change.record is None:
        return 0
    sent = 0
    for user in _recipients(change):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = _("CoopAtlas: “%(title)s” was %(action)s") % {
                "title": str(change.record)[:120], "action": change.get_action_display().lower(),
            }
            body = _("%(action)s by %(who)s.") % {
                "action": change.get_action_display(), "who": change.user.get_username() if change.user else "CoopAtlas",
            }
            if change.comment:
                body += "\n\n" + _("Comment:") + "\n" + change.comment
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent
