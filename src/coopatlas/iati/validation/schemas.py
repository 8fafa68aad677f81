"""XML Schema (XSD) validation against the IATI schemas shipped in ``iati/data/schema/<version>/``.

Schemas: IATI/IATI-Schemas, branches version-1.03 to version-2.03, "IATI Standard" (CC BY 4.0),
https://iatistandard.org/en/iati-standard/203/schema/. Each schema is compiled once per process.
Versions 1.0, 1.00, 1.01 and 1.02 are validated against 1.03, the oldest schema IATI still publishes.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lxml import etree

from coopatlas.iati.safe_xml import safe_parser
from coopatlas.iati.validation.problems import SCHEMA_ERROR, Problem

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "schema"
SCHEMA_VERSIONS: tuple[str, ...] = ("1.03", "1.04", "1.05", "2.01", "2.02", "2.03")
#: Versions the IATI Rulesets and the validator's codelist rules exist for.
RULESET_VERSIONS: tuple[str, ...] = ("2.01", "2.02", "2.03")
LATEST_VERSION = "2.03"

#: Root element -> schema file stem.
SCHEMA_FILES = {
    "iati-activities": "iati-activities-schema",
    "iati-organisations": "iati-organisations-schema",
    "{http://iatiregistry.org/ns/record#}registry-record": "iati-registry-record-schema",
}

_OLD_VERSION = re.compile(r"1(?:\.0?[0-2]?)?")


def schema_version(version: str | None) -> str | None:
    """The shipped schema version for a declared ``version`` attribute, None when unsupported."""
    if version is None:
        return None
    declared = version.strip()
    if declared in SCHEMA_VERSIONS:
        return declared
    if _OLD_VERSION.fullmatch(declared):
        return "1.03"
    return None


def infer_version(activity: etree._Element) -> str:
    """The version to validate an activity without a ``version`` attribute against.

    Version 2 activities carry their texts in ``<narrative>`` elements; version 1 ones do not.
    """
    for _ in activity.iter("narrative"):
        return LATEST_VERSION
    return "1.03"


_compiled = threading.local()


def load_schema(version: str, root_tag: str = "iati-activities") -> etree.XMLSchema:
    """The compiled XSD for a version and root element, compiled once per thread.

    Per thread rather than per process because a schema's ``error_log`` belongs to its last run.
    """
    cache: dict[tuple[str, str], etree.XMLSchema] = _compiled.__dict__.setdefault("schemas", {})
    key = (version, root_tag)
    if key not in cache:
        if version not in SCHEMA_VERSIONS:
            raise ValueError(f"no IATI schema for version {version!r}")
        path = SCHEMA_DIR / version / f"{SCHEMA_FILES[root_tag]}.xsd"
        cache[key] = etree.XMLSchema(etree.parse(str(path), safe_parser()))
    return cache[key]


def schema_problems(document: etree._Element, version: str) -> list[Problem]:
    """Schema errors of a document (an ``iati-activities`` root with its activities), one per message."""
    schema = load_schema(version, document.tag if document.tag in SCHEMA_FILES else "iati-activities")
    if schema.validate(document):
        return []
    root_path = f"/{document.tag}"
    return [
        Problem(
            rule=SCHEMA_ERROR,
            message=error.message,
            severity="error",
            category="schema",
            line=error.line or None,
            scope="file" if error.path == root_path else "activity",
        )
        for error in schema.error_log
    ]
