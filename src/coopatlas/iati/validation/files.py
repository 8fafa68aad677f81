"""Validate whole IATI files: stream the activities, validate each, add the file-level checks.

File-level checks, as the official IATI Validator reports them (IATI/js-validator-api
``services/validationService.js``): the XML must be well-formed and safe (``0.1.1``), the root must be
an IATI one (``0.2.1``), the version must be supported (``0.6.1``), and activity identifiers must be
unique in the file (``1.1.2``). A missing ``version`` attribute (``0.6.2``, a CoopAtlas addition) is an
error where the inferred version requires it (2.0x) and a warning for 1.0x data.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

from coopatlas.iati.safe_xml import Source, XMLRefusedError, document_version, parse_document
from coopatlas.iati.safe_xml import iter_activities as stream_activities
from coopatlas.iati.validation.activity import ActivityContext, activity_identifier, validate_activity
from coopatlas.iati.validation.codelists import codelist_problems
from coopatlas.iati.validation.problems import (
    DUPLICATE_IDENTIFIER,
    NOT_IATI,
    UNSUPPORTED_VERSION,
    VERSION_MISSING,
    XML_ERROR,
    Problem,
    Report,
    Severity,
)
from coopatlas.iati.validation.rules import IdSets
from coopatlas.iati.validation.rulesets import evaluate_ruleset, load_ruleset, outcome_problems
from coopatlas.iati.validation.schemas import (
    LATEST_VERSION,
    RULESET_VERSIONS,
    SCHEMA_FILES,
    infer_version,
    schema_problems,
    schema_version,
)

REGISTRY_RECORD = "{http://iatiregistry.org/ns/record#}registry-record"


def refusal_problem(error: XMLRefusedError, file: str | None) -> Problem:
    """The problem reported for a file the safe parser refused."""
    rule = NOT_IATI if error.code == "not-iati" else XML_ERROR
    return Problem(rule, error.message, "error", "iati", error.line, None, file, scope="file")


def _version_problem(declared: str | None, version: str, line: int | None, file: str | None) -> Problem | None:
    """A file-level problem about the declared version, if any."""
    if declared is not None:
        return None
    severity: Severity = "warning" if version.startswith("1.") else "error"
    message = f"The version attribute of <iati-activities> is missing; the file was validated as IATI {version}" + (
        " (the attribute is required since IATI 2.01)." if severity == "error" else "."
    )
    return Problem(VERSION_MISSING, message, severity, "iati", line, None, file, scope="file")


def validate_file(
    source: Source,
    *,
    max_bytes: int | None = None,
    id_sets: IdSets | None = None,
    now: datetime | None = None,
    name: str | None = None,
) -> Report:
    """Validate an IATI activity file without importing it; memory stays flat whatever its size.

    ``source`` is a path, a binary file object or bytes; ``name`` labels it in the report.
    ``max_bytes`` overrides ``IATI_MAX_UPLOAD_BYTES``.
    """
    label = name or (os.fspath(source) if isinstance(source, str | os.PathLike) else "<upload>")
    report = Report(files=[label])
    identifiers: dict[str, int] = {}
    file_level: set[tuple[str, str, str, int | None]] = set()
    version = ""
    supported = True
    context = ActivityContext(file=label)
    try:
        for activity in stream_activities(source, max_bytes=max_bytes):
            report.activities += 1
            if report.activities == 1:
                declared = document_version(activity)
                version = declared or infer_version(activity)
                context = ActivityContext.of(activity, label, id_sets=id_sets, now=now)
                missing = _version_problem(declared, version, context.root_line or activity.sourceline, label)
                if missing:
                    report.problems.append(missing)
                supported = schema_version(version) is not None
            elif not supported:
                continue  # an unsupported version is reported once; the rest is only counted
            problems = validate_activity(activity, version, context)
            _collect(report, problems, file_level)
            identifier = activity_identifier(activity)
            if identifier is not None:
                identifiers[identifier] = identifiers.get(identifier, 0) + 1
                if identifiers[identifier] == 2:
                    report.problems.append(_duplicate(identifier, activity.sourceline, label))
            if any(problem.is_error and problem.scope == "activity" for problem in problems):
                report.invalid_activities += 1
    except XMLRefusedError as error:
        report.problems.append(refusal_problem(error, label))
    except OSError as error:
        message = f"cannot read the file: {error.strerror}"
        report.problems.append(Problem(XML_ERROR, message, "error", "iati", None, None, label, scope="file"))
    return report


def _collect(report: Report, problems: list[Problem], file_level: set[tuple[str, str, str, int | None]]) -> None:
    """Add an activity's problems; file-level ones only the first time they are seen, without activity."""
    for problem in problems:
        if problem.scope == "file":
            key = (problem.rule, problem.message, problem.context, problem.line)
            if key in file_level:
                continue
            file_level.add(key)
            problem = problem.located(problem.file, None)
        report.problems.append(problem)


def _duplicate(identifier: str, line: int | None, file: str) -> Problem:
    """The duplicate-identifier problem."""
    return Problem(
        DUPLICATE_IDENTIFIER,
        "The activity identifier must be unique for each activity.",
        "error",
        "identifiers",
        line,
        identifier,
        file,
        f"Duplicate found for iati-identifier = '{identifier[:200]}'",
        scope="file",
    )


def validate_files(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int | None = None, id_sets: IdSets | None = None
) -> Report:
    """Validate several files into one report."""
    report = Report()
    for path in paths:
        report.extend(validate_file(path, max_bytes=max_bytes, id_sets=id_sets))
    return report


def validate_document(
    source: Source, version: str | None = None, rules: bool = True, id_sets: IdSets | None = None
) -> list[Problem]:
    """Validate a whole small document (activities, organisations or a registry record) in one piece.

    Used for the IATI-Schemas test documents and organisation files; ``version`` overrides the
    declared one (default: declared, else the latest).
    """
    label = os.fspath(source) if isinstance(source, str | os.PathLike) else None
    try:
        root = parse_document(source).getroot()
    except XMLRefusedError as error:
        return [refusal_problem(error, label)]
    if root.tag not in SCHEMA_FILES:
        name = root.tag if isinstance(root.tag, str) else "?"
        message = f"The file is not an IATI file (root element <{name[:80]}>)."
        return [Problem(NOT_IATI, message, "error", "iati", root.sourceline, None, label, scope="file")]
    declared = version or (root.get("version") or "").strip() or LATEST_VERSION
    target = schema_version(declared)
    if target is None:
        message = f"Version {declared} of the IATI Standard is not supported."
        return [Problem(UNSUPPORTED_VERSION, message, "error", "iati", root.sourceline, None, label, scope="file")]
    problems = schema_problems(root, target)
    if rules and target in RULESET_VERSIONS and root.tag != REGISTRY_RECORD:
        problems += codelist_problems(root, target)
        problems += outcome_problems(evaluate_ruleset(load_ruleset(target), root, id_sets))
    return [problem.located(label, None) for problem in problems]


def is_schema_valid(source: Source, version: str | None = None) -> bool:
    """Whether a whole document is well-formed, safe and valid against its IATI schema."""
    return not any(problem.is_error for problem in validate_document(source, version, rules=False))
