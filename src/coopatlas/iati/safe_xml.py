"""Safe XML parsing for IATI files: no entity expansion, no DTD loading, no network, bounded memory.

Every IATI file CoopAtlas reads goes through this module. A file is refused, with a clear message
and without echoing its content, when it is not XML (binary, NUL bytes), declares a DOCTYPE with an
internal subset or an external identifier (entity declarations: "billion laughs", external entities
pointing at local files, external DTDs), nests elements deeper than ``MAX_DEPTH``, is larger than
``IATI_MAX_UPLOAD_BYTES`` or is not well-formed (truncated, wrong encoding).

Parser settings follow the lxml FAQ "How do I use lxml safely as a web-service endpoint?"
(https://lxml.de/FAQ.html) and the OWASP XML External Entity Prevention Cheat Sheet.
``iter_activities`` streams ``<iati-activity>`` elements with ``lxml.etree.iterparse`` and clears
each one after use, as in the lxml tutorial on iterparse ("Liza Daly's fast_iter"), so memory stays
flat whatever the file size.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from lxml import etree

#: Name of the Django setting holding the largest accepted IATI file, in bytes (0 = no limit).
MAX_UPLOAD_SETTING = "IATI_MAX_UPLOAD_BYTES"
#: Default of ``IATI_MAX_UPLOAD_BYTES``: 200 MB.
DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: Deepest element nesting accepted (IATI activities nest about 8 levels).
MAX_DEPTH = 256
#: Bytes read before parsing, to recognise non-XML input and DOCTYPEs quickly.
PRESCAN_BYTES = 64 * 1024
#: Chunk size handed to the streaming parser.
READ_CHUNK_BYTES = 64 * 1024

ACTIVITY_TAG = "iati-activity"
ACTIVITIES_TAG = "iati-activities"

Source = str | os.PathLike[str] | IO[bytes] | bytes


class XMLRefusedError(ValueError):
    """An XML input refused as unsafe or unreadable; ``code`` names the reason, ``line`` where known."""

    def __init__(self, message: str, code: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def max_upload_bytes() -> int:
    """The size limit from the Django setting ``IATI_MAX_UPLOAD_BYTES`` (default 200 MB; 0 = none)."""
    try:
        return int(getattr(settings, MAX_UPLOAD_SETTING, DEFAULT_MAX_UPLOAD_BYTES))
    except ImproperlyConfigured:  # used outside a configured Django project
        return DEFAULT_MAX_UPLOAD_BYTES


def safe_parser(**overrides: Any) -> etree.XMLParser:
    """An lxml parser for whole (small) documents: no entities, no DTD, no network, no huge trees."""
    options: dict[str, Any] = {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
        "collect_ids": False,
    }
    options.update(overrides)
    return etree.XMLParser(**options)


# --- pre-scan of the first bytes --------------------------------------------------------------

_DANGEROUS_DOCTYPE = re.compile(r"<!DOCTYPE\s+[^\s>\[]+\s*(?:\[|SYSTEM\b|PUBLIC\b)", re.IGNORECASE)
_ENTITY = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(r"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _decode_head(head: bytes) -> str:
    """The first bytes as text, enough to look at the prolog; refuses binary input."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise XMLRefusedError("not supported: UTF-32 encoded input", "encoding")
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="replace")
    if head.startswith(codecs.BOM_UTF16_BE) or head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="replace")
    if b"\x00" in head:
        raise XMLRefusedError("not XML: the file contains NUL bytes (binary data?)", "not-xml")
    text = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    declared = _DECLARED_ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-").startswith(("utf-16", "utf-32", "ucs")):
        raise XMLRefusedError(
            f"not readable: the file declares encoding {declared.group(1)} but is not encoded that way", "encoding"
        )
    return text


def prescan(head: bytes) -> None:
    """Refuse input whose first bytes are not XML or declare a DOCTYPE with entities or an external DTD."""
    if not head.strip():
        raise XMLRefusedError("not XML: the file is empty", "empty")
    text = _decode_head(head).lstrip("\ufeff\ufffe \t\r\n")
    if not text.startswith("<"):
        raise XMLRefusedError("not XML: the file does not start with '<'", "not-xml")
    if _ENTITY.search(text):
        raise XMLRefusedError("refused: the document declares entities (<!ENTITY>)", "doctype")
    if _DANGEROUS_DOCTYPE.search(text):
        raise XMLRefusedError(
            "refused: the document has a DOCTYPE with an internal subset or an external DTD", "doctype"
        )


def _check_docinfo(element: etree._Element) -> None:
    """Backstop for DOCTYPEs the pre-scan did not see (after a long prolog): external DTDs, entities."""
    docinfo = element.getroottree().docinfo
    subset = docinfo.internalDTD
    if docinfo.system_url or docinfo.public_id or (subset is not None and any(True for _ in subset.iterentities())):
        raise XMLRefusedError(
            "refused: the document has a DOCTYPE with an internal subset or an external DTD", "doctype"
        )


# --- sources ------------------------------------------------------------------------------------


class _LimitedReader:
    """A file-like reader that replays the pre-scanned head, then the stream, up to a byte limit."""

    def __init__(self, head: bytes, stream: IO[bytes], limit: int) -> None:
        self._head = head
        self._stream = stream
        self._limit = limit
        self.bytes_read = 0
        self.lines = 1
        self.eof = False
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        """Bytes for the parser; raises once more than ``limit`` bytes were read."""
        if self._head:
            chunk, self._head = self._head, b""
        else:
            chunk = self._stream.read(size if size and size > 0 else READ_CHUNK_BYTES)
        self.bytes_read += len(chunk)
        if self._limit and self.bytes_read > self._limit:
            raise XMLRefusedError(_too_large_message(self._limit), "too-large")
        if chunk:
            self.lines += chunk.count(b"\n")
            self.tail = (self.tail + chunk)[-64:]
        else:
            self.eof = True
        return chunk

    def ends_abruptly(self, line: int | None) -> bool:
        """Whether a syntax error at ``line`` is the input running out (a truncated file)."""
        return self.eof and (line or 0) >= self.lines and not self.tail.rstrip().endswith(b">")


def _too_large_message(limit: int) -> str:
    """The refusal message for oversized files."""
    return f"refused: the file is larger than the {limit:,}-byte limit ({MAX_UPLOAD_SETTING})"


def _open(source: Source) -> tuple[IO[bytes], bool, int | None]:
    """A binary stream for ``source``, whether we own it, and its size when known."""
    if isinstance(source, bytes):
        return io.BytesIO(source), True, len(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.open("rb"), True, path.stat().st_size
    size: int | None = None
    try:
        size = os.fstat(source.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        size = getattr(source, "size", None)
    return source, False, size


#: libxml2 error codes of input that stops in the middle of a tag (XML_ERR_TAG_NOT_FINISHED, _GT_REQUIRED).
_TRUNCATION_CODES = {73, 77}
_HEX_BYTES = re.compile(r"\s*Bytes:( 0x[0-9A-Fa-f]{2})+")


def _syntax_message(error: etree.XMLSyntaxError, reader: _LimitedReader | None = None) -> XMLRefusedError:
    """A clear message for a libxml2 syntax error; no bytes of the input are echoed."""
    raw = _HEX_BYTES.sub("", str(error.msg or error).split(", line ")[0])[:200]
    lowered = raw.lower()
    line = error.lineno or None
    if "excessive depth" in lowered:
        return XMLRefusedError(f"refused: elements nested deeper than {MAX_DEPTH} levels", "too-deep", line)
    if error.code in _TRUNCATION_CODES or (reader is not None and reader.ends_abruptly(line)):
        return XMLRefusedError(f"not well-formed XML: the file is truncated ({raw})", "truncated", line)
    if "encoding" in lowered or "utf-8" in lowered or ("char" in lowered and "range" in lowered):
        return XMLRefusedError(f"not readable: wrong or unsupported character encoding ({raw})", "encoding", line)
    if "entity" in lowered or "doctype" in lowered:
        return XMLRefusedError(f"refused: entities are not allowed ({raw})", "doctype", line)
    return XMLRefusedError(f"not well-formed XML: {raw}", "malformed", line)


# --- whole documents ----------------------------------------------------------------------------


def parse_document(source: Source, max_bytes: int | None = None) -> etree._ElementTree:
    """Parse a whole (small) document safely; raises ``XMLRefusedError``."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    stream, owned, size = _open(source)
    try:
        if limit and size is not None and size > limit:
            raise XMLRefusedError(_too_large_message(limit), "too-large")
        head = stream.read(PRESCAN_BYTES)
        prescan(head)
        reader = _LimitedReader(head, stream, limit)
        try:
            tree = etree.parse(reader, safe_parser())
        except etree.XMLSyntaxError as error:
            raise _syntax_message(error, reader) from None
        _check_docinfo(tree.getroot())
        _check_depth(tree.getroot())
        return tree
    finally:
        if owned:
            stream.close()


def _check_depth(root: etree._Element) -> None:
    """Refuse trees nested deeper than ``MAX_DEPTH``."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise XMLRefusedError(
                f"refused: elements nested deeper than {MAX_DEPTH} levels", "too-deep", element.sourceline
            )
        stack.extend((child, depth + 1) for child in element)


# --- streaming ----------------------------------------------------------------------------------


def iter_activities(source: Source, max_bytes: int | None = None) -> Iterator[etree._Element]:
    """Stream each ``<iati-activity>`` of an IATI file, clearing it after use (bounded memory).

    ``source`` is a path, a binary file object or bytes. The root ``<iati-activities>`` element (its
    ``version``, ``generated-datetime`` and ``xml:lang``) stays available as ``activity.getparent()``
    (see ``root_attributes``); a file whose root is a single ``<iati-activity>`` is yielded as is.
    ``max_bytes`` overrides ``IATI_MAX_UPLOAD_BYTES`` (0 = no limit). Raises ``XMLRefusedError``;
    activities yielded before a late error in the file stay valid.
    """
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    stream, owned, size = _open(source)
    try:
        if limit and size is not None and size > limit:
            raise XMLRefusedError(_too_large_message(limit), "too-large")
        head = stream.read(PRESCAN_BYTES)
        prescan(head)
        yield from _stream(_LimitedReader(head, stream, limit))
    finally:
        if owned:
            stream.close()


def _stream(reader: _LimitedReader) -> Iterator[etree._Element]:
    """The iterparse loop behind ``iter_activities``."""
    events = etree.iterparse(
        reader,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0
    activity_depth = 0
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_docinfo(element)
                    activity_depth = _activity_depth(element)
                elif depth > MAX_DEPTH:
                    raise XMLRefusedError(
                        f"refused: elements nested deeper than {MAX_DEPTH} levels", "too-deep", element.sourceline
                    )
                continue
            if depth == activity_depth and element.tag == ACTIVITY_TAG:
                yield element
                _release(element)
            elif depth == 2 and activity_depth == 2:
                _release(element)  # other children of the root are not kept either
            depth -= 1
    except etree.XMLSyntaxError as error:
        raise _syntax_message(error, reader) from None


def _activity_depth(root: etree._Element) -> int:
    """Depth at which activities sit under ``root``: 2 under ``<iati-activities>``, 1 for a fragment."""
    if root.tag == ACTIVITIES_TAG:
        return 2
    if root.tag == ACTIVITY_TAG:
        return 1
    name = root.tag if isinstance(root.tag, str) else "?"
    raise XMLRefusedError(
        f"not an IATI activity file: the root element is <{name[:80]}>, expected <iati-activities>",
        "not-iati",
        root.sourceline,
    )


def _release(element: etree._Element) -> None:
    """Free an element and the siblings parsed before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def root_attributes(activity: etree._Element) -> dict[str, str]:
    """Attributes of the ``<iati-activities>`` root of a streamed activity ({} for a fragment)."""
    parent = activity.getparent()
    return dict(parent.attrib) if parent is not None else {}


def document_version(activity: etree._Element) -> str | None:
    """The IATI version an activity was published in: the root's ``version``, else the activity's own."""
    parent = activity.getparent()
    version = parent.get("version") if parent is not None else None
    return (version or activity.get("version") or "").strip() or None
