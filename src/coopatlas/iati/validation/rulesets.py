"""IATI Rulesets: load ``standard.json`` per version and evaluate it on a document.

Source: IATI/IATI-Rulesets (MIT; text "IATI Standard", CC BY 4.0), ``rulesets/standard.json`` of
branches version-2.01/2.02/2.03, shipped in ``iati/data/rulesets/<version>/``. A ruleset maps context
XPaths to rule types and their cases (SPEC: https://github.com/IATI/IATI-Rulesets/blob/version-2.03/SPEC.rst);
every context element is tested against every case, ``loop`` cases once per distinct ``foreach`` value
with ``$1`` substituted, as ``testRuleset`` / ``testRuleLoop`` in IATI/js-validator-api.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from coopatlas.iati.validation.jsvalues import js_truthy, node_value
from coopatlas.iati.validation.problems import Problem
from coopatlas.iati.validation.rules import (
    NO_CONDITION_MATCH,
    CaseOutcome,
    IdSets,
    RuleError,
    canonical_rule_name,
    evaluate_case,
    select_nodes,
)

RULESET_DIR = Path(__file__).resolve().parent.parent / "data" / "rulesets"

Ruleset = Mapping[str, Mapping[str, Mapping[str, Any]]]


@cache
def load_ruleset(version: str) -> Ruleset:
    """The shipped ``standard.json`` of a version (2.01, 2.02 or 2.03), parsed once per process."""
    path = RULESET_DIR / version / "standard.json"
    with path.open(encoding="utf-8") as stream:
        ruleset: Ruleset = json.load(stream)
    return ruleset


def evaluate_ruleset(
    ruleset: Ruleset,
    document: etree._Element,
    id_sets: IdSets | None = None,
    now: datetime | None = None,
) -> list[CaseOutcome]:
    """Every case outcome of a ruleset on a document (``testRuleset`` in the validator)."""
    moment = now or datetime.now(UTC)
    outcomes: list[CaseOutcome] = []
    for context, rules in ruleset.items():
        elements = [element for element in select_nodes(context, document) if isinstance(element, etree._Element)]
        if not elements:
            continue
        named = [(rule, canonical_rule_name(rule), definition["cases"]) for rule, definition in rules.items()]
        for element in elements:
            for rule, name, cases in named:
                for case in cases:
                    if name == "loop":
                        outcomes.extend(_loop(context, element, case, id_sets, moment))
                    else:
                        outcomes.append(_safe_case(rule, context, element, case, id_sets, moment))
    return outcomes


def _loop(
    context: str, element: etree._Element, case: Mapping[str, Any], id_sets: IdSets | None, now: datetime
) -> Iterator[CaseOutcome]:
    """A ``loop`` case: each ``do`` case once per distinct ``foreach`` value, ``$1`` substituted in ``subs``."""
    values = list(dict.fromkeys(node_value(node) for node in select_nodes(case["foreach"], element)))
    for sub_rule, sub_definition in case["do"].items():
        for sub_case in sub_definition["cases"]:
            for value in values:
                substituted = dict(sub_case)
                for key in case.get("subs", []):
                    if key not in sub_case:
                        continue
                    template = sub_case[key]
                    substituted[key] = (
                        template.replace("$1", value)
                        if isinstance(template, str)
                        else [item.replace("$1", value) for item in template]
                    )
                yield _safe_case(sub_rule, context, element, substituted, id_sets, now)


def _safe_case(
    rule: str,
    context: str,
    element: etree._Element,
    case: Mapping[str, Any],
    id_sets: IdSets | None,
    now: datetime,
) -> CaseOutcome:
    """A case outcome; an XPath broken by a substituted document value makes the case not applicable."""
    try:
        return evaluate_case(rule, context, element, case, id_sets, now)
    except RuleError:
        return CaseOutcome(canonical_rule_name(rule), case, context, element, "")


def overall_result(outcomes: list[CaseOutcome]) -> Any:
    """The validator's ``allRulesResult``: "No Rule Match", "No Condition Match", or all-truthy."""
    if not outcomes:
        return "No Rule Match"
    if all(outcome.result in ("", NO_CONDITION_MATCH) for outcome in outcomes):
        return NO_CONDITION_MATCH
    return all(js_truthy(outcome.result) for outcome in outcomes)


def outcome_problems(outcomes: list[CaseOutcome]) -> list[Problem]:
    """A problem for each failed case, with the rule's id, severity, category and message."""
    problems = []
    for outcome in outcomes:
        if not outcome.failed:
            continue
        info = outcome.case.get("ruleInfo", {})
        failure = outcome.failures[0] if outcome.failures else None
        details = "; ".join(item.text for item in outcome.failures[:5])
        problems.append(
            Problem(
                rule=str(info.get("id", outcome.rule)),
                message=str(info.get("message", f"Rule {outcome.rule} failed at {outcome.context}")),
                severity="warning" if info.get("severity") == "warning" else "error",
                category=str(info.get("category", "rules")),
                line=(failure.line if failure and failure.line else outcome.element.sourceline),
                scope="file" if outcome.element.getparent() is None else "activity",
                context=details,
            )
        )
    return problems
