"""Safe XML parsing: hostile inputs are refused (or parsed harmlessly) fast, without leaking content."""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from coopatlas.iati.safe_xml import (
    DEFAULT_MAX_UPLOAD_BYTES,
    MAX_DEPTH,
    XMLRefusedError,
    document_version,
    iter_activities,
    max_upload_bytes,
    parse_document,
    root_attributes,
    safe_parser,
)

DATA = Path(__file__).resolve().parent / "data"
SECRET = "TOP-SECRET-7f3a9c"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&lol9;</iati-identifier>
</iati-activity></iati-activities>
"""


def activities(source: object, **options: object) -> list[tuple[str | None, str | None]]:
    """(identifier, version) of each streamed activity."""
    return [
        (activity.findtext("iati-identifier"), document_version(activity))
        for activity in iter_activities(source, **options)  # type: ignore[arg-type]
    ]


def refusal(source: object, **options: object) -> XMLRefusedError:
    """The error raised while streaming ``source`` (fails the test if nothing is raised)."""
    with pytest.raises(XMLRefusedError) as caught:
        activities(source, **options)
    return caught.value


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A local file an attacker would like to read through an external entity."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_billion_laughs_is_refused_at_once() -> None:
    started = time.perf_counter()
    error = refusal(BILLION_LAUGHS)
    assert error.code == "doctype"
    assert "entities" in error.message
    assert "lol" not in str(error)
    assert time.perf_counter() - started < 0.5


def test_billion_laughs_is_refused_by_the_whole_document_parser_too() -> None:
    with pytest.raises(XMLRefusedError, match="entities"):
        parse_document(BILLION_LAUGHS)


def test_safe_parser_never_expands_entities_even_when_called_directly() -> None:
    document = b'<!DOCTYPE a [<!ENTITY name "EXPANDED">]><a>&name;</a>'
    root = etree.fromstring(document, safe_parser())
    assert "EXPANDED" not in "".join(root.itertext())
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):
        etree.fromstring(BILLION_LAUGHS, safe_parser())


def test_external_entity_pointing_at_a_local_file_is_refused_without_reading_it(secret_file: Path) -> None:
    document = (
        f'<?xml version="1.0"?><!DOCTYPE iati-activities [<!ENTITY secret SYSTEM "{secret_file.as_uri()}">]>'
        '<iati-activities version="2.03"><iati-activity><iati-identifier>&secret;</iati-identifier>'
        "</iati-activity></iati-activities>"
    ).encode()
    error = refusal(document)
    assert error.code == "doctype"
    assert SECRET not in str(error)
    with pytest.raises(XMLRefusedError) as caught:
        parse_document(document)
    assert SECRET not in str(caught.value)


def test_external_entity_hidden_after_a_long_prolog_is_refused(secret_file: Path) -> None:
    padding = b"<!--" + b"x" * 100_000 + b"-->"
    document = (
        b'<?xml version="1.0"?>'
        + padding
        + f'<!DOCTYPE iati-activities [<!ENTITY secret SYSTEM "{secret_file.as_uri()}">]>'.encode()
        + b'<iati-activities version="2.03"><iati-activity><iati-identifier>&secret;</iati-identifier>'
        + b"</iati-activity></iati-activities>"
    )
    error = refusal(document)
    assert error.code == "doctype"
    assert SECRET not in str(error)


def test_external_dtd_is_refused_without_network_access() -> None:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE iati-activities SYSTEM "http://attacker.invalid/evil.dtd">'
        b'<iati-activities version="2.03"><iati-activity/></iati-activities>'
    )
    started = time.perf_counter()
    assert refusal(document).code == "doctype"
    assert time.perf_counter() - started < 0.5


def test_a_bare_doctype_without_declarations_is_harmless_and_accepted() -> None:
    document = b'<!DOCTYPE iati-activities><iati-activities version="2.03"><iati-activity/></iati-activities>'
    assert activities(document) == [(None, "2.03")]


def test_deeply_nested_elements_are_refused() -> None:
    depth = 100_000
    document = b'<iati-activities version="2.03"><iati-activity>' + b"<a>" * depth + b"</a>" * depth
    document += b"</iati-activity></iati-activities>"
    started = time.perf_counter()
    error = refusal(document)
    assert error.code == "too-deep"
    assert str(MAX_DEPTH) in error.message
    assert time.perf_counter() - started < 1.0


def test_a_2_gb_sparse_file_of_nul_bytes_is_refused_fast_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "sparse.xml"
    with path.open("wb") as stream:
        stream.truncate(2 * 1024**3)
    started = time.perf_counter()
    error = refusal(path, max_bytes=0)
    assert error.code == "not-xml"
    assert "NUL" in error.message
    assert time.perf_counter() - started < 1.0


def test_a_large_sparse_file_is_refused_by_size_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "large.xml"
    with path.open("wb") as stream:
        stream.write(b'<iati-activities version="2.03">')
        stream.truncate(DEFAULT_MAX_UPLOAD_BYTES + 1)
    tracemalloc.start()
    started = time.perf_counter()
    error = refusal(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert error.code == "too-large"
    assert "IATI_MAX_UPLOAD_BYTES" in error.message
    assert time.perf_counter() - started < 1.0
    assert peak < 1024 * 1024


def test_the_size_limit_comes_from_the_setting(settings: object) -> None:
    settings.IATI_MAX_UPLOAD_BYTES = 100  # type: ignore[attr-defined]
    assert max_upload_bytes() == 100
    document = b'<iati-activities version="2.03">' + b"<iati-activity/>" * 20 + b"</iati-activities>"
    assert refusal(document).code == "too-large"


def test_the_size_limit_also_holds_for_streams_of_unknown_size() -> None:
    class Unsized(io.RawIOBase):
        """A pipe-like stream: no fileno, no size."""

        def __init__(self) -> None:
            self.chunks = iter([b'<iati-activities version="2.03">'] + [b"<iati-activity/>" * 1000] * 100)

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            return next(self.chunks, b"")

    assert refusal(Unsized(), max_bytes=50_000).code == "too-large"


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b'{"iati-activities": []}',
        b"just some text",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
    ],
    ids=["png", "json", "text", "jpeg"],
)
def test_non_xml_bytes_are_refused(content: bytes) -> None:
    assert refusal(content).code == "not-xml"


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"  \n").code == "empty"


def test_latin1_bytes_declared_as_utf8_are_refused_as_a_wrong_encoding() -> None:
    document = '<?xml version="1.0" encoding="UTF-8"?><iati-activities version="2.03"><iati-activity>'
    document += "<iati-identifier>Coopération</iati-identifier></iati-activity></iati-activities>"
    error = refusal(document.encode("latin-1"))
    assert error.code == "encoding"
    assert "Coop" not in str(error)


def test_a_file_declaring_utf16_but_written_in_utf8_is_refused() -> None:
    document = b'<?xml version="1.0" encoding="UTF-16"?><iati-activities version="2.03"/>'
    assert refusal(document).code == "encoding"


def test_an_unknown_encoding_is_refused() -> None:
    assert refusal(b'<?xml version="1.0" encoding="klingon"?><iati-activities/>').code == "encoding"


@pytest.mark.parametrize("encoding", ["utf-16", "iso-8859-1", "utf-8-sig"])
def test_correctly_declared_encodings_are_read(encoding: str) -> None:
    declared = "utf-8" if encoding == "utf-8-sig" else encoding
    document = f'<?xml version="1.0" encoding="{declared}"?><iati-activities version="2.03"><iati-activity>'
    document += "<iati-identifier>CI-Coopération-1</iati-identifier></iati-activity></iati-activities>"
    assert activities(document.encode(encoding)) == [("CI-Coopération-1", "2.03")]


def test_a_truncated_file_yields_its_complete_activities_then_a_clear_error() -> None:
    content = (DATA / "unops-at-activity.xml").read_bytes()
    cut = content.index(b"<iati-identifier>41AAA-20543-003") + 40
    streamed = []
    with pytest.raises(XMLRefusedError) as caught:
        for activity in iter_activities(content[:cut]):
            streamed.append(activity.findtext("iati-identifier"))
    assert streamed == ["41AAA-22482-001", "41AAA-23652-001"]
    assert caught.value.code == "truncated"
    assert caught.value.line == 148


def test_a_mismatched_closing_tag_is_reported_with_its_line() -> None:
    document = b'<iati-activities version="2.03">\n<iati-activity>\n<title></titel>\n</iati-activity></iati-activities>'
    error = refusal(document)
    assert (error.code, error.line) == ("malformed", 3)


def test_a_non_iati_root_is_refused() -> None:
    error = refusal(b'<iati-organisations version="2.03"><iati-organisation/></iati-organisations>')
    assert error.code == "not-iati"
    assert "iati-organisations" in error.message


def test_streaming_gives_each_activity_with_the_root_attributes() -> None:
    streamed = list(iter_activities(DATA / "unops-at-activity.xml"))
    assert len(streamed) == 3
    first = next(iter_activities(DATA / "unops-at-activity.xml"))
    assert root_attributes(first) == {"version": "2.03", "generated-datetime": "2022-04-29T09:55:53.753"}
    assert first.sourceline == 3


def test_a_single_activity_fragment_and_a_file_without_version_are_streamed() -> None:
    fragment = b'<iati-activity version="1.03"><iati-identifier>XM-1</iati-identifier></iati-activity>'
    assert activities(fragment) == [("XM-1", "1.03")]
    unversioned = (
        b"<iati-activities><iati-activity><iati-identifier>XM-2</iati-identifier></iati-activity></iati-activities>"
    )
    assert activities(unversioned) == [("XM-2", None)]


def many_activities(count: int) -> Iterator[bytes]:
    """A large generated IATI file, produced chunk by chunk."""
    yield b'<?xml version="1.0"?>\n<iati-activities version="2.03">\n'
    for number in range(count):
        yield (
            f"<iati-activity><iati-identifier>XM-DAC-{number}</iati-identifier>"
            f"<title><narrative>{'Cooperation ' * 40}</narrative></title></iati-activity>\n"
        ).encode()
    yield b"</iati-activities>\n"


class GeneratedFile(io.RawIOBase):
    """A file object over a byte generator (never materialised in memory)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while len(self.pending) < max(size, 1):
            chunk = next(self.chunks, b"")
            if not chunk:
                break
            self.pending += chunk
        chunk, self.pending = self.pending[:size], self.pending[size:]
        return chunk


def test_streaming_keeps_memory_flat_whatever_the_file_size() -> None:
    count = 8_000  # about 5 MB of XML
    earlier_kept = parsed_ahead = 0
    tracemalloc.start()
    for number, activity in enumerate(iter_activities(GeneratedFile(many_activities(count)), max_bytes=0)):
        assert activity.findtext("iati-identifier") == f"XM-DAC-{number}"
        if number % 97 == 0:
            earlier_kept = max(earlier_kept, len(list(activity.itersiblings(preceding=True))))
            parsed_ahead = max(parsed_ahead, len(list(activity.itersiblings())))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert number == count - 1
    assert earlier_kept <= 1  # the previous activity, already cleared
    assert parsed_ahead < 200  # one 64 KiB chunk parsed ahead, whatever the file size
    assert peak < 5 * 1024 * 1024
