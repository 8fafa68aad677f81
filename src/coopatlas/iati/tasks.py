"""Background jobs (django-tasks, run by ``coopatlas db_worker``): imports of uploaded IATI files.

The job writes its progress (bytes read, activities so far) to its ``IatiImport`` row after every
batch, so the upload page can show it while the import runs, and its report when it is done.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from coopatlas.core.models import WorkflowStatus
from coopatlas.iati.importer import ImportConfig, Progress, import_files
from coopatlas.initiatives.models import IatiImport

logger = logging.getLogger(__name__)


def upload_workflow_status() -> str:
    """Workflow status of records imported from uploads (setting ``IATI_UPLOAD_WORKFLOW_STATUS``, default published)."""
    status = getattr(settings, "IATI_UPLOAD_WORKFLOW_STATUS", WorkflowStatus.PUBLISHED)
    return status if status in WorkflowStatus.values else WorkflowStatus.PUBLISHED


@task()
def run_iati_import(import_id: int) -> dict[str, Any]:
    """Import the uploaded file of ``IatiImport`` #``import_id``; returns the report's totals."""
    job = IatiImport.objects.select_related("user").filter(pk=import_id, status=IatiImport.Status.QUEUED).first()
    if job is None:
        return {}
    IatiImport.objects.filter(pk=job.pk).update(status=IatiImport.Status.RUNNING, started_at=timezone.now())
    path = Path(job.upload_path)

    def progress(step: Progress) -> None:
        IatiImport.objects.filter(pk=job.pk).update(bytes_done=step.bytes_done, activities_read=step.activities_read)

    try:
        report = import_files(
            [path],
            ImportConfig(
                user=job.user,
                owner_id=job.owner_id,
                workflow_status=upload_workflow_status(),
                import_id=job.pk,
                progress=progress,
                names={str(path): job.file_names[0] if job.file_names else path.name},
            ),
        )
    except Exception as error:  # the job must end as failed, with the reason, whatever went wrong
        logger.exception("IATI import #%s failed", job.pk)
        IatiImport.objects.filter(pk=job.pk).update(
            status=IatiImport.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    IatiImport.objects.filter(pk=job.pk).update(
        status=IatiImport.Status.DONE,
        report=report.to_dict(),
        finished_at=timezone.now(),
        activities_read=report.total("read"),
        bytes_done=F("bytes_total"),
    )
    return report.totals
