"""Schema validation: every IATI-Schemas test document is classified as IATI classifies it.

The corpus is IATI/IATI-Schemas (version-2.03) ``tests/*/should-pass|should-fail`` from ``../shared``:
686 activity and organisation documents plus 8 registry records, all checked against the 2.03 XSDs
as the IATI-Schemas test runner (xmllint) does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coopatlas.iati.validation import is_schema_valid, validate_document
from coopatlas.iati.validation.schemas import SCHEMA_FILES, SCHEMA_VERSIONS, load_schema, schema_version

SHARED = Path(__file__).resolve().parents[5] / "shared"
SCHEMA_TESTS = SHARED / "data" / "iati" / "schema-tests" / "tests"
DATA = Path(__file__).resolve().parent / "data"


def schema_test_documents() -> list[object]:
    """(path, should pass) for each test document, or one skipped case without ../shared."""
    if not SCHEMA_TESTS.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{SCHEMA_TESTS} is not available"))]
    return [
        pytest.param(path, "/should-pass/" in path.as_posix(), id=path.relative_to(SCHEMA_TESTS).as_posix())
        for path in sorted(SCHEMA_TESTS.rglob("*.xml"))
    ]


@pytest.mark.parametrize(("path", "should_pass"), schema_test_documents())
def test_iati_schema_test_document_is_classified_as_iati_classifies_it(path: Path, should_pass: bool) -> None:
    assert is_schema_valid(path, version="2.03") is should_pass


@pytest.mark.skipif(not SCHEMA_TESTS.is_dir(), reason=f"{SCHEMA_TESTS} is not available")
def test_the_corpus_holds_686_activity_and_organisation_documents_and_8_registry_records() -> None:
    documents = list(SCHEMA_TESTS.rglob("*.xml"))
    registry = [path for path in documents if "registry-tests" in path.parts]
    assert (len(documents) - len(registry), len(registry)) == (686, 8)


@pytest.mark.parametrize("version", SCHEMA_VERSIONS)
@pytest.mark.parametrize("root_tag", list(SCHEMA_FILES))
def test_every_shipped_schema_compiles_without_network(version: str, root_tag: str) -> None:
    assert load_schema(version, root_tag) is load_schema(version, root_tag)


@pytest.mark.parametrize(
    ("declared", "shipped"),
    [("2.03", "2.03"), ("2.01", "2.01"), ("1.05", "1.05"), ("1.0", "1.03"), ("1.01", "1.03"), (" 1.00 ", "1.03")],
)
def test_declared_versions_map_to_the_shipped_schemas(declared: str, shipped: str) -> None:
    assert schema_version(declared) == shipped


@pytest.mark.parametrize("declared", ["2.04", "3.0", "", "latest", None])
def test_unknown_versions_have_no_schema(declared: str | None) -> None:
    assert schema_version(declared) is None


def test_a_valid_real_activity_file_passes_its_schema() -> None:
    assert is_schema_valid(DATA / "fcdo-activity.xml")


def test_a_schema_error_names_the_element_and_the_line() -> None:
    problems = validate_document(DATA / "unops-at-activity.xml", rules=False)
    assert [(problem.rule, problem.line) for problem in problems] == [("0.3.1", 73)] * 3 + [("0.3.1", 145)] * 3 + [
        ("0.3.1", 217)
    ] * 3
    assert problems[0].message == "Element 'document-link': The attribute 'url' is required but missing."
    assert problems[0].severity == "error" and problems[0].category == "schema"


def test_an_organisation_root_without_the_plural_wrapper_is_not_an_iati_file() -> None:
    problems = validate_document(b'<iati-organisation version="2.03"/>')
    assert [(problem.rule, problem.category) for problem in problems] == [("0.2.1", "iati")]
