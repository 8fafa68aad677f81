"""Validate one activity: schema, IATI Rulesets and codelist rules, as the official IATI Validator does.

Like IATI/js-validator-api (``validateIATI``), each activity is validated on its own, wrapped in an
``<iati-activities>`` root carrying the file's root attributes, so that one bad activity can be
rejected and the others kept. The wrapper holds a copy of the activity: the streamed original is
left untouched and the copy keeps its source line numbers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from coopatlas.iati.safe_xml import ACTIVITIES_TAG, document_version
from coopatlas.iati.validation.codelists import codelist_problems
from coopatlas.iati.validation.problems import UNSUPPORTED_VERSION, Problem
from coopatlas.iati.validation.rules import IdSets
from coopatlas.iati.validation.rulesets import evaluate_ruleset, load_ruleset, outcome_problems
from coopatlas.iati.validation.schemas import (
    RULESET_VERSIONS,
    SCHEMA_VERSIONS,
    infer_version,
    schema_problems,
    schema_version,
)


@dataclass(frozen=True, slots=True)
class ActivityContext:
    """Where an activity comes from: its file, the root's attributes and line, optional id sets."""

    file: str | None = None
    root_attributes: Mapping[str, str] = field(default_factory=dict)
    root_nsmap: Mapping[str | None, str] = field(default_factory=dict)
    root_line: int | None = None
    id_sets: IdSets | None = None
    now: datetime | None = None
    rules: bool = True

    @classmethod
    def of(
        cls,
        activity: etree._Element,
        file: str | None = None,
        id_sets: IdSets | None = None,
        now: datetime | None = None,
        rules: bool = True,
    ) -> ActivityContext:
        """The context of an activity still attached to its ``<iati-activities>`` root (or a fragment)."""
        root = activity.getparent()
        if root is None or root.tag != ACTIVITIES_TAG:
            return cls(file=file, id_sets=id_sets, now=now, rules=rules)
        return cls(
            file=file,
            root_attributes=dict(root.attrib),
            root_nsmap=dict(root.nsmap),
            root_line=root.sourceline,
            id_sets=id_sets,
            now=now,
            rules=rules,
        )


def activity_identifier(activity: etree._Element) -> str | None:
    """The activity's ``iati-identifier`` (stripped), None when missing or empty."""
    text = activity.findtext("iati-identifier")
    return text.strip() or None if text is not None else None


def resolve_version(activity: etree._Element, version: str | None = None) -> str:
    """The version an activity is validated as: given, declared (root or activity), else inferred."""
    declared = version or document_version(activity)
    return declared if declared else infer_version(activity)


def wrap(activity: etree._Element, version: str, context: ActivityContext) -> etree._Element:
    """A copy of the activity in an ``<iati-activities>`` root with the file's root attributes."""
    attributes = dict(context.root_attributes)
    attributes.setdefault("version", version)
    nsmap = {prefix: uri for prefix, uri in context.root_nsmap.items() if prefix != "xml"}
    root = etree.Element(ACTIVITIES_TAG, attrib=attributes, nsmap=nsmap or None)
    if context.root_line:
        root.sourceline = context.root_line
    root.append(copy.deepcopy(activity))
    return root


def validate_activity(
    activity: etree._Element, version: str | None = None, context: ActivityContext | None = None
) -> list[Problem]:
    """Every problem of one activity: XSD of its version, then (2.0x) codelist rules and the Rulesets.

    ``version`` defaults to the declared one (root or activity ``version``), else it is inferred.
    Problems carry the activity's identifier and the file; those found on the ``<iati-activities>``
    root (its attributes) concern the whole file and have ``scope="file"`` (``validate_file``
    reports them once).
    """
    context = context or ActivityContext.of(activity)
    declared = resolve_version(activity, version)
    identifier = activity_identifier(activity)
    target = schema_version(declared)
    if target is None:
        message = (
            f"Version {declared} of the IATI Standard is not supported. "
            f"Supported versions: {', '.join(SCHEMA_VERSIONS)} (1.0x files are checked against 1.03)."
        )
        line = context.root_line or activity.sourceline
        return [Problem(UNSUPPORTED_VERSION, message, "error", "iati", line, identifier, context.file, scope="file")]
    document = wrap(activity, declared, context)
    problems = schema_problems(document, target)
    if context.rules and target in RULESET_VERSIONS:
        problems += codelist_problems(document, target)
        outcomes = evaluate_ruleset(load_ruleset(target), document, context.id_sets, context.now)
        problems += outcome_problems(outcomes)
    problems.sort(key=lambda problem: problem.line or 0)
    return [problem.located(context.file, identifier) for problem in problems]
