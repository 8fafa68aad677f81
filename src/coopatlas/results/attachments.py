"""Evidence files: the allowed types, recognised by their content (magic bytes), and the size limit.

The extension the uploader gave must agree with what the bytes are; a file is stored under a random
name without extension (``models.evidence_path``) and served only by ``views.attachment_download``,
always as a download with the content type found here, so it is never rendered or executed.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    """An allowed kind of evidence: its content type and the extensions its name may have."""

    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileKind("application/pdf", (".pdf",), "PDF")
PNG = FileKind("image/png", (".png",), "PNG")
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
CSV = FileKind("text/csv", (".csv",), "CSV")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "XLSX")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "DOCX")
KINDS = (PDF, PNG, JPEG, CSV, XLSX, DOCX)


def max_bytes() -> int:
    """The largest evidence file accepted (setting ``COOPATLAS_ATTACHMENT_MAX_BYTES``, default 10 MB)."""
    return int(getattr(settings, "COOPATLAS_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _office_kind(stream: IO[bytes]) -> FileKind | None:
    """XLSX or DOCX: an Office Open XML package (ECMA-376 part 2) with its main part; None otherwise.

    Only the zip's directory is read, nothing is extracted, so a zip bomb costs nothing.
    """
    try:
        with zipfile.ZipFile(stream) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "xl/workbook.xml" in names:
        return XLSX
    if "word/document.xml" in names:
        return DOCX
    return None


def _is_csv(head: bytes) -> bool:
    """Plain UTF-8 text with no control characters but tabs and line ends, that does not open like markup."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    # The head may end inside a multi-byte character: ignore an incomplete last sequence only.
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(text) - 3:
            return False
        decoded = text[: error.start].decode("utf-8")
    if not decoded.strip():
        return False
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in decoded):
        return False
    return not decoded.lstrip().startswith("<")


def sniff(stream: IO[bytes]) -> FileKind | None:
    """The allowed kind the bytes of ``stream`` are, by their signature; None when none."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(stream)
        stream.seek(0)
        return kind
    if _is_csv(head):
        return CSV
    return None


def clean_name(name: str) -> str:
    """The uploader's file name reduced to a safe display name (no folders, no control characters)."""
    base = os.path.basename(name.replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem, ext = os.path.splitext(base)
    return (stem[: 200 - len(ext)] + ext) if base else "evidence"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: its kind, safe name, size and SHA-256 digest."""

    kind: FileKind
    name: str
    size: int
    sha256: str


def check_upload(upload: IO[bytes], name: str, size: int) -> CheckedFile:
    """Accept an evidence upload or raise ``ValidationError`` saying why (size, type, extension)."""
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; evidence files may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(upload)
    allowed = ", ".join(k.label for k in KINDS)
    if kind is None:
        raise ValidationError(
            _("This file's content is not one of the allowed types (%(allowed)s).") % {"allowed": allowed},
            code="type",
        )
    safe_name = clean_name(name)
    extension = os.path.splitext(safe_name)[1].lower()
    if extension not in kind.extensions:
        raise ValidationError(
            _("The file's content is %(kind)s but its name ends in “%(extension)s”: rename it to %(expected)s.")
            % {"kind": kind.label, "extension": extension or _("(nothing)"), "expected": kind.extensions[0]},
            code="extension",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(kind, safe_name, size, digest.hexdigest())
