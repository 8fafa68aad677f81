"""IATI pages: upload a file (imported by a background job, whose progress the page shows) and download
filtered initiatives as IATI 2.03 XML.

The upload view raises the size limit before Django reads the body: its upload handler stops a
request as soon as it passes ``IATI_MAX_UPLOAD_BYTES`` (Django's documented pattern for changing
upload handlers: ``csrf_exempt`` outside, ``csrf_protect`` inside).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from lxml import etree

from coopatlas.catalogue.models import Organisation
from coopatlas.core.models_search import SearchEntry
from coopatlas.core.search import sql
from coopatlas.core.search.service import EXPORT_LIMIT, SearchParams
from coopatlas.core.search.text import parse_query
from coopatlas.iati.exporter import VERSION, ExportReport, activity_element, iter_activities
from coopatlas.iati.forms import IatiUploadForm
from coopatlas.iati.safe_xml import max_upload_bytes
from coopatlas.iati.tasks import run_iati_import, upload_workflow_status
from coopatlas.initiatives.models import IatiImport, Initiative

#: Bytes of XML sent per chunk of a download.
CHUNK_BYTES = 256 * 1024
#: Search entry ids looked up per query.
ID_CHUNK = 10_000


class SizeLimitHandler(FileUploadHandler):
    """Stops an upload as soon as the request body passes the limit (before it is all on disk)."""

    def __init__(self, limit: int, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,  # noqa: N803 - Django's signature
        content_length: int,
        boundary: Any,
        encoding: Any = None,
    ) -> None:
        """Refuse at once when the declared length is already too large."""
        if self.limit and content_length > self.limit + 64 * 1024:
            self.too_large = True
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        """Count bytes; stop past the limit; otherwise let the next handler store them."""
        self.received += len(raw_data)
        if self.limit and self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        """The next handler builds the uploaded file."""
        return None


def upload_dir() -> Path:
    """Where uploads wait for their import job (deleted once imported)."""
    path = Path(settings.MEDIA_ROOT) / "iati-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


@csrf_exempt
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """The upload page (signed-in contributors); the CSRF check runs in ``_upload``, after the handler is set."""
    handler = SizeLimitHandler(max_upload_bytes(), request)
    if request.method == "POST":
        request.upload_handlers.insert(0, handler)
    return _upload(request, handler)


@csrf_protect
def _upload(request: HttpRequest, handler: SizeLimitHandler) -> HttpResponse:
    if not Organisation.objects.editable_by(request.user).exists():
        raise PermissionDenied(_("Join or register an organisation first: imported records belong to organisations."))
    posted = request.method == "POST"
    form = IatiUploadForm(request.POST if posted else None, request.FILES if posted else None, user=request.user)
    if handler.too_large:
        form.is_valid()  # the body was cut short: only the size is worth reporting
        form.errors.clear()
        form.errors["file"] = form.error_class(
            [_("The file is larger than the %(limit)s limit.") % {"limit": filesizeformat(max_upload_bytes())}]
        )
        return _upload_page(request, form, status=413)
    if posted and form.is_valid():
        job = _start_import(request, form)
        return redirect("iati:import-detail", pk=job.pk)
    return _upload_page(request, form, status=400 if posted else 200)


def _upload_page(request: HttpRequest, form: IatiUploadForm, status: int) -> HttpResponse:
    recent = IatiImport.objects.filter(user=request.user)[:10]
    return render(
        request,
        "iati/upload.html",
        {
            "form": form,
            "recent": recent,
            "limit_mb": max_upload_bytes() // (1024 * 1024),
            "publishes": upload_workflow_status() == "published",
        },
        status=status,
    )


def _start_import(request: HttpRequest, form: IatiUploadForm) -> IatiImport:
    """Store the upload, record the job and enqueue it once the transaction commits."""
    upload_file = form.cleaned_data["file"]
    path = upload_dir() / f"{uuid.uuid4().hex}.xml"
    with path.open("wb") as stream:
        for chunk in upload_file.chunks():
            stream.write(chunk)
    owner = form.cleaned_data["owner"]
    with transaction.atomic():
        job = IatiImport.objects.create(
            user=request.user,
            owner=owner,
            file_names=[Path(upload_file.name).name[:200]],
            upload_path=str(path),
            bytes_total=upload_file.size,
        )
        transaction.on_commit(lambda: run_iati_import.enqueue(job.pk))
    return job


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An import job: its progress while it runs (polled by htmx, or refreshed), then its report."""
    job = IatiImport.objects.filter(pk=pk).first()
    if job is None or not (request.user.is_moderator or job.user_id == request.user.pk):
        raise Http404(_("No such import, or it is not yours."))
    context = {
        "job": job,
        "running": job.status in (IatiImport.Status.QUEUED, IatiImport.Status.RUNNING),
        "report": job.report or {},
    }
    if getattr(request, "htmx", False):
        return render(request, "iati/_import_progress.html", context)
    return render(request, "iati/import_detail.html", context)


def _initiative_ids(request: HttpRequest) -> list[int]:
    """Ids of the initiatives the catalogue search returns for this query string (what the user may see)."""
    params = SearchParams.from_query(request.GET)
    filters = {**params.filters, "type": ("initiative",)}
    query = parse_query(params.q)
    entry_ids = sql.page_ids(query, request.user, filters, params.effective_sort(query), EXPORT_LIMIT)
    ids: list[int] = []
    for start in range(0, len(entry_ids), ID_CHUNK):  # SQLite allows 32,766 parameters per statement
        entries = SearchEntry.objects.filter(pk__in=entry_ids[start : start + ID_CHUNK], record_type="initiative")
        ids += entries.values_list("object_id", flat=True)
    return sorted(ids)


def _xml_chunks(queryset: Any, ids: list[int], report: ExportReport) -> Iterator[bytes]:
    """The IATI file in chunks, one activity element in memory at a time."""
    buffer = io.BytesIO()
    generated = timezone.now().replace(microsecond=0).isoformat()
    with etree.xmlfile(buffer, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element("iati-activities", version=VERSION, **{"generated-datetime": generated}):
            for activity in iter_activities(queryset, report, ids):
                xml.write(activity_element(activity))
                report.written += 1
                if buffer.tell() > CHUNK_BYTES:
                    xml.flush()
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
    yield buffer.getvalue()


def export(request: HttpRequest) -> StreamingHttpResponse:
    """Download the initiatives of a filtered catalogue list (same query string as the search page) as IATI 2.03."""
    queryset = Initiative.objects.visible_to(request.user)
    chunks = _xml_chunks(queryset, _initiative_ids(request), ExportReport())
    response = StreamingHttpResponse(chunks, content_type="application/xml")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="coopatlas-iati-{stamp}.xml"'
    return response
