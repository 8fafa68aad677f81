"""Background jobs (django-tasks, run by ``coopatlas db_worker``): report generation, stale-record reminders."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from coopatlas.reports.models import ReportJob

logger = logging.getLogger(__name__)


@task()
def generate_report(job_id: int) -> str:
    """Build and render the report of ``ReportJob`` #``job_id``, writing progress to the job row."""
    from coopatlas.reports.report import build_report, render_html, render_pdf

    job = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).first()
    if job is None:
        return ""
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, progress=1)

    def progress(percent: int, step: str) -> None:
        ReportJob.objects.filter(pk=job.pk).update(progress=percent, step=step)

    try:
        report = build_report(job.year, job.language, job.region, progress)
        progress(90, "rendering")
        if job.output_format == ReportJob.Format.PDF:
            content = render_pdf(report)
        else:
            content = render_html(report).encode("utf-8")
        job.file.save(job.download_name, ContentFile(content), save=False)
    except Exception as error:  # the job must end as failed, with the reason, whatever went wrong
        logger.exception("Report job #%s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.FAILED, error=str(error)[:2000],
                                                   finished_at=timezone.now())
        raise
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.DONE, progress=100, step="",
                                               file=job.file.name, finished_at=timezone.now())
    return job.file.name


@task()
def send_stale_reminders() -> int:
    """E-mail the members of each organisation that owns stale records, listing up to 20 of them."""
    from coopatlas.catalogue.models import Membership
    from coopatlas.reports.stale import stale_after_days, stale_by_owner

    sent = 0
    for organisation_id, records in stale_by_owner().items():
        members = Membership.objects.filter(organisation_id=organisation_id, user__is_active=True).select_related(
            "user")
        for member in members:
            user = member.user
            if not user.email:
                continue
            with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                subject = _("CoopAtlas: %(count)s of your records need a look") % {"count": len(records)}
                lines = [_("These records were not updated for %(days)s days or more. Please check they are "
                           "still right, and update them:") % {"days": stale_after_days()}, ""]
                lines += [f"- {record} ({record_type}, {record.updated_at.date().isoformat()})"
                          for record_type, record in records[:20]]
            sent += send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent
