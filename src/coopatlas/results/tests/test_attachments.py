"""Evidence files: allowed types recognised by content, size limit, random storage names, safe download headers."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coopatlas.results import attachments, services
from coopatlas.results.tests.conftest import report

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = b"district,trained\nKaffrine,120\nKolda,130\n"


def office(main_part: str) -> bytes:
    """A minimal Office Open XML package with the given main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<x/>")
    return buffer.getvalue()


def check(name: str, content: bytes) -> attachments.CheckedFile:
    return attachments.check_upload(io.BytesIO(content), name, len(content))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("list.csv", CSV, "text/csv"),
        ("list.csv", "région,formés\nThiès,120\n".encode(), "text/csv"),
        ("sheet.xlsx", office("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "note.docx",
            office("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_allowed_types_are_recognised_by_their_content(name, content, content_type):
    assert check(name, content).kind.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<html><body onload=alert(1)></body></html>", "not one of the allowed types"),
        (
            "image.png",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "not one of the allowed",
        ),
        ("data.csv", b"<script>alert(1)</script>\n", "not one of the allowed types"),
        ("tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "not one of the allowed types"),
        ("archive.xlsx", office("payload/run.sh"), "not one of the allowed types"),
        ("report.exe", PDF, "rename it to .pdf"),
        ("report.html", PDF, "rename it to .pdf"),
        ("photo.pdf", PNG, "rename it to .png"),
        ("sheet.docx", office("xl/workbook.xml"), "rename it to .xlsx"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_other_content_or_a_mismatched_name_is_refused(name, content, message):
    with pytest.raises(ValidationError, match=message):
        check(name, content)


def test_the_size_limit_comes_from_the_setting(settings):
    settings.COOPATLAS_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="at most 100"):
        check("big.pdf", PDF + b"x" * 100)
    assert check("small.pdf", PDF).size == len(PDF)


def test_the_default_limit_is_ten_megabytes(settings):
    del settings.COOPATLAS_ATTACHMENT_MAX_BYTES
    assert attachments.max_bytes() == 10 * 1024 * 1024


def test_a_too_large_upload_is_refused_on_the_field(personas, framework, settings):
    settings.COOPATLAS_ATTACHMENT_MAX_BYTES = 1000
    url = reverse("results:update-create", args=[framework["initiative"].pk, framework["period"].pk])
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * 2000)
    response = personas.client_for("contributor_a").post(url, {"value": "1", "unit": "people", "evidence": big})
    assert response.status_code == 400
    assert "evidence files may be at most" in response.context["form"].errors["evidence"][0]


def test_names_are_cleaned_and_files_stored_under_random_names(personas, framework, media_in_tmp):
    upload = SimpleUploadedFile("../../etc/\x00passwd<script>.pdf", PDF)
    update = services.create_update(
        framework["period"], personas.contributor_a, {"value": Decimal(5), "unit": "people"}, upload
    )
    attachment = update.attachments.get()
    assert attachment.original_name == "passwd<script>.pdf"
    assert attachment.file.name.startswith("evidence/") and "passwd" not in attachment.file.name
    assert "." not in attachment.file.name.rsplit("/", 1)[1]
    stored = media_in_tmp / attachment.file.name
    assert stored.read_bytes() == PDF
    assert attachment.sha256 == __import__("hashlib").sha256(PDF).hexdigest()


def test_evidence_is_sent_as_a_download_with_the_checked_type(personas, framework):
    update = report(personas, framework["period"])
    update = services.edit_update(
        update,
        personas.contributor_a,
        update.version,
        {"value": update.value, "unit": "people"},
        SimpleUploadedFile("attendance.csv", CSV, content_type="text/html"),
    )
    attachment = update.attachments.get()
    response = personas.client_for("contributor_a").get(reverse("results:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="attendance.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == CSV


def test_an_unknown_attachment_is_not_found(personas):
    assert personas.client_for("moderator").get(reverse("results:attachment", args=[999])).status_code == 404
