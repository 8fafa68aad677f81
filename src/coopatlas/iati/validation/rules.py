"""The rule types of the IATI Rulesets, evaluated with lxml XPath.

Semantics follow the IATI Ruleset Spec, JS edition (IATI/IATI-Rulesets, version-2.03, ``SPEC.rst``,
https://github.com/IATI/IATI-Rulesets/blob/version-2.03/SPEC.rst) as implemented by the official IATI
Validator (IATI/js-validator-api ``services/rulesValidator.js``), whose unit tests these rules pass.
``dependent`` is not implemented by the JS validator; it follows the Python edition (``SPEC_PY.rst``):
"if one of the provided paths exists, they must all exist".

Each case evaluates to ``True`` (passed), ``False`` (failed), ``""`` (not applicable: a date is
missing) or one of ``NO_CONDITION_MATCH`` / ``NO_ID_CONDITION_MATCH`` (skipped); ``if_then`` returns
the raw value of its ``then`` expression, as the validator does. Only a strict ``False`` is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from lxml import etree

from coopatlas.iati.validation.jsvalues import (
    NAMESPACES,
    days_between,
    is_attribute,
    js_number,
    js_regex,
    js_trim,
    js_truthy,
    node_line,
    node_text,
    parse_js_date,
)

NO_CONDITION_MATCH = "No Condition Match"
NO_ID_CONDITION_MATCH = "No ID Condition Match"
ORG_ID_PREFIX = "ORG-ID-PREFIX"

#: Snake-case rule names of the Rulesets -> the validator's camel-case names.
RULE_NAMES: dict[str, str] = {
    "no_more_than_one": "noMoreThanOne",
    "atleast_one": "atLeastOne",
    "only_one_of": "onlyOneOf",
    "one_or_all": "oneOrAll",
    "dependent": "dependent",
    "unique": "unique",
    "date_order": "dateOrder",
    "time_limit": "timeLimit",
    "strict_sum": "strictSum",
    "regex_matches": "regexMatches",
    "regex_no_matches": "regexNoMatches",
    "startswith": "startsWith",
    "if_then": "ifThen",
    "date_now": "dateNow",
    "between_dates": "betweenDates",
    "sum": "sum",
    "range": "range",
    "loop": "loop",
    "no_spaces": "noSpaces",
}

IdSets = Mapping[str, set[str]]


class RuleError(ValueError):
    """A rule that cannot be evaluated (an XPath made invalid by a substituted value)."""


@lru_cache(maxsize=8192)
def compiled_xpath(expression: str) -> etree.XPath:
    """A compiled XPath (rulesets reuse a few hundred expressions; loops add substituted ones)."""
    try:
        return etree.XPath(expression, namespaces=NAMESPACES)
    except etree.XPathSyntaxError as error:
        raise RuleError(f"invalid XPath {expression!r}: {error}") from None


def select(expression: str, node: etree._Element) -> Any:
    """Evaluate an XPath at ``node``: a list for node-sets, else a bool, float or string."""
    try:
        return compiled_xpath(expression)(node)
    except etree.XPathEvalError as error:
        raise RuleError(f"cannot evaluate XPath {expression!r}: {error}") from None


def select_nodes(expression: str, node: etree._Element) -> list[Any]:
    """An XPath result as a list (a scalar result becomes a one-item list, as in the validator)."""
    result = select(expression, node)
    return result if isinstance(result, list) else [result]


def canonical_rule_name(name: str) -> str:
    """The camel-case name of a rule given in either spelling."""
    if name in RULE_NAMES:
        return RULE_NAMES[name]
    if name in RULE_NAMES.values():
        return name
    raise RuleError(f"unknown rule type {name!r}")


@dataclass(slots=True)
class Failure:
    """Where and why a case failed: a short text and the line of the offending node."""

    text: str
    line: int | None = None


@dataclass(slots=True)
class CaseOutcome:
    """The outcome of one rule case on one context element."""

    rule: str
    case: Mapping[str, Any]
    context: str
    element: etree._Element
    result: Any
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Only a strict ``False`` is a failure (as in the validator's reports)."""
        return self.result is False


DATE_KEYS = ("less", "more", "start", "date", "end")


class CaseEvaluator:
    """Evaluates one case of one rule type on one context element (``Rules`` in the validator)."""

    def __init__(self, element: etree._Element, case: Mapping[str, Any], id_sets: IdSets | None, now: datetime):
        self.element = element
        self.case = case
        self.id_sets = id_sets or {}
        self.now = now
        self.failures: list[Failure] = []
        self.path_matches: list[Any] = []
        if "paths" in case:
            for path in case["paths"]:
                self.path_matches.extend(select_nodes(path, element))
        self._path_texts: list[str] | None = None
        self.dates = {key: self._date(case[key]) for key in DATE_KEYS if key in case}

    @property
    def path_texts(self) -> list[str]:
        """The texts of the path matches, computed once and only for the rules that read them.

        Most cases (``atleast_one``, ``no_more_than_one`` ...) only count their matches; an element's
        text is an XPath ``string()`` over its subtree, the costliest step of a case.
        """
        if self._path_texts is None:
            self._path_texts = [node_text(match) for match in self.path_matches]
        return self._path_texts

    def id_condition_holds(self) -> bool:
        """``idCondition``: the paths are not (prefixed by) a known publisher organisation identifier."""
        condition = self.case.get("idCondition")
        known = self.id_sets.get("ORG-ID", set())
        if condition == "NOT_EXISTING_ORG_ID":
            return all(text not in known for text in self.path_texts)
        if condition == "NOT_EXISTING_ORG_ID_PREFIX":
            return all(not any(text.startswith(f"{org_id}-") for org_id in known) for text in self.path_texts)
        return True

    def _date(self, expression: str) -> tuple[datetime, int | None] | None:
        """A date from an attribute (``NOW`` = now); None when missing or not a date, as ``parseDate``."""
        if expression == "NOW":
            return self.now, None
        matches = select_nodes(expression, self.element)
        if not matches or not is_attribute(matches[0]):
            return None
        text = str(matches[0])
        parsed = parse_js_date(text) if text else None
        return (parsed, node_line(matches[0])) if parsed else None

    def _fail(self, node: Any, text: str | None = None) -> None:
        """Record the node that made the case fail."""
        self.failures.append(Failure(text or f"'{node_text(node)[:200]}'", node_line(node)))

    def evaluate(self, rule: str) -> Any:
        """Run the named (camel-case) rule."""
        method: Callable[[CaseEvaluator], Any] = RULE_METHODS[rule]
        return method(self)

    # --- rule types ---------------------------------------------------------------------------

    def rule_noMoreThanOne(self) -> bool:  # noqa: N802 - rule names as in the Rulesets
        """There must be no more than one element described by the given paths."""
        if len(self.path_matches) > 1:
            self._fail(self.path_matches[1], f"{len(self.path_matches)} found")
        return len(self.path_matches) <= 1

    def rule_atLeastOne(self) -> bool:  # noqa: N802
        """There must be at least one element described by the given paths."""
        return len(self.path_matches) >= 1

    def rule_dependent(self) -> bool:
        """If one of the paths exists, they must all exist (Rulesets SPEC_PY)."""
        found = [bool(select_nodes(path, self.element)) for path in self.case.get("paths", [])]
        return all(found) or not any(found)

    def rule_onlyOneOf(self) -> bool:  # noqa: N802
        """With an ``excluded`` match no path may match; without one exactly one path must match."""
        for excluded in self.case.get("excluded", []):
            if select_nodes(excluded, self.element):
                if self.path_matches:
                    return False
            elif len(self.path_matches) != 1:
                return False
        return True

    def rule_oneOrAll(self) -> bool:  # noqa: N802
        """``one`` must exist, otherwise every element must carry ``all`` (lang, sector, currency...)."""
        one = select(self.case["one"], self.element)
        if isinstance(one, list | str) and len(one) > 0:
            return True
        kind = self.case.get("all")
        checks = {
            "lang": ("descendant::narrative", "@xml:lang"),
            "sector": ("transaction", "sector"),
            "recipient-country|recipient-region": ("transaction", "recipient-country|recipient-region"),
        }
        if kind == "currency":
            passed = True
            for path in ("value", "forecast", "loan-status"):
                for node in select_nodes(f"descendant::{path}", self.element):
                    if not select_nodes("@currency", node):
                        self._fail(node, f"<{node.tag}> without @currency")
                        passed = False
            return passed
        if kind not in checks:
            return True
        each, required = checks[kind]
        passed = True
        for node in select_nodes(each, self.element):
            if not select(required, node):
                self._fail(node, f"<{node.tag}> without {required}")
                passed = False
                if kind == "recipient-country|recipient-region":
                    break
        return passed

    def rule_unique(self) -> bool:
        """The text of each element described by the paths must be unique."""
        seen: set[str] = set()
        for node, text in zip(self.path_matches, self.path_texts, strict=True):
            if text in seen:
                self._fail(node, f"'{text[:200]}' repeated")
            seen.add(text)
        return len(seen) == len(self.path_texts)

    def rule_sum(self) -> bool:
        """The sum of the values must equal ``sum`` (no values: passes)."""
        return not self.path_matches or self.rule_strictSum()

    def rule_strictSum(self) -> bool:  # noqa: N802
        """The decimal sum of the values must equal ``sum`` (rounded to 4 places, as the validator)."""
        total = 0.0
        for text in self.path_texts:
            total += js_number(text)
        computed = round(total, 4) if math.isfinite(total) else total
        expected = js_number(self.case["sum"])
        if computed != expected:
            self.failures.append(Failure(f"the sum is {_number_text(computed)}, not {_number_text(expected)}"))
        return computed == expected

    def rule_dateOrder(self) -> bool | str:  # noqa: N802
        """The ``less`` date must not be after the ``more`` date (missing dates: not applicable)."""
        less, more = self.dates.get("less"), self.dates.get("more")
        if less is None or more is None:
            return ""
        if less[0] > more[0]:
            self.failures.append(
                Failure(f"{less[0].date().isoformat()} is after {more[0].date().isoformat()}", less[1])
            )
        return less[0] <= more[0]

    def rule_dateNow(self) -> bool | str:  # noqa: N802
        """The date must not be after today."""
        date = self.dates.get("date")
        if date is None:
            return ""
        if date[0] > self.now:
            self.failures.append(Failure(f"{date[0].date().isoformat()} is in the future", date[1]))
        return date[0] <= self.now

    def rule_betweenDates(self) -> bool | str:  # noqa: N802
        """The date must lie between the start and end dates."""
        date, start, end = self.dates.get("date"), self.dates.get("start"), self.dates.get("end")
        if date is None:
            return ""
        if start is None or end is None:
            return ""  # the validator raises here; a missing bound makes the rule not applicable
        passed = start[0] <= date[0] <= end[0]
        if not passed:
            self.failures.append(Failure(f"{date[0].date().isoformat()} is outside the period", date[1]))
        return passed

    def rule_timeLimit(self) -> bool | str:  # noqa: N802
        """The end date must not be more than a year (365 days) after the start date."""
        start, end = self.dates.get("start"), self.dates.get("end")
        if start is None or end is None:
            return ""
        passed = days_between(end[0], start[0]) <= 365
        if not passed:
            self.failures.append(Failure("the period is longer than a year", end[1]))
        return passed

    def _regex(self, must_match: bool) -> bool:
        """Every (non-empty) text must match (or not match) the regex."""
        pattern = js_regex(self.case["regex"])
        passed = True
        for node, text in zip(self.path_matches, self.path_texts, strict=True):
            if text != "" and bool(pattern.search(text)) != must_match:
                self._fail(node)
                passed = False
        return passed

    def rule_regexMatches(self) -> bool:  # noqa: N802
        """The regex must match the text of all elements matched by the paths."""
        return self._regex(True)

    def rule_regexNoMatches(self) -> bool:  # noqa: N802
        """The regex must match the text of none of the elements matched by the paths."""
        return self._regex(False)

    def rule_startsWith(self) -> bool:  # noqa: N802
        """Each text must start with one of the ``prefix`` texts (plus ``separator``), or an org-id prefix."""
        prefixes = self.case["prefix"]
        if prefixes == ORG_ID_PREFIX or list(prefixes) == [ORG_ID_PREFIX]:
            known = self.id_sets.get(ORG_ID_PREFIX, set())
            passed = True
            for node, text in zip(self.path_matches, self.path_texts, strict=True):
                parts = text.split("-")
                prefix = f"{parts[0]}-{parts[1] if len(parts) > 1 else 'undefined'}"
                if prefix not in known:
                    self._fail(node)
                    passed = False
            return passed
        separator = self.case.get("separator", "")
        starts = [node_text(match) + separator for path in prefixes for match in select_nodes(path, self.element)]
        passed = True
        for node, text in zip(self.path_matches, self.path_texts, strict=True):
            if not any(text.startswith(start) for start in starts):
                self._fail(node)
                passed = False
        return passed

    def rule_ifThen(self) -> Any:  # noqa: N802
        """If ``if`` holds, ``then`` must hold too (returns ``then``'s raw value, as the validator)."""
        if js_truthy(select(self.case["if"], self.element)):
            return select(self.case["then"], self.element)
        return True

    def rule_range(self) -> bool:
        """Every value must lie between ``min`` and ``max`` (inclusive; a missing bound is not checked)."""
        passed = True
        for node, text in zip(self.path_matches, self.path_texts, strict=True):
            value = js_number(text)
            low = js_number(self.case["min"]) if "min" in self.case else value
            high = js_number(self.case["max"]) if "max" in self.case else value
            if not (low <= value <= high):
                self._fail(node)
                passed = False
        return passed

    def rule_noSpaces(self) -> bool:  # noqa: N802
        """Texts must not start or end with spaces or newlines."""
        passed = True
        for node, text in zip(self.path_matches, self.path_texts, strict=True):
            if text != js_trim(text):
                self._fail(node)
                passed = False
        return passed


#: Camel-case rule name -> its method (looked up once, not by name on every case).
RULE_METHODS: dict[str, Callable[[CaseEvaluator], Any]] = {
    name: getattr(CaseEvaluator, f"rule_{name}") for name in RULE_NAMES.values() if name != "loop"
}


def _number_text(value: float) -> str:
    """A number as JavaScript prints it (no trailing ``.0``)."""
    return str(int(value)) if math.isfinite(value) and value.is_integer() else str(value)


def evaluate_case(
    rule: str,
    context: str,
    element: etree._Element,
    case: Mapping[str, Any],
    id_sets: IdSets | None = None,
    now: datetime | None = None,
) -> CaseOutcome:
    """Evaluate one case of a (non-loop) rule at one context element (``testRule`` in the validator).

    ``id_sets`` holds the Registry's publisher identifiers (``ORG-ID``) and org-id.guide's prefixes
    (``ORG-ID-PREFIX``), which the validator downloads. Without them (None) the ``ORG-ID-PREFIX`` cases
    are skipped and ``idCondition`` cases are evaluated as if no publisher were known.
    """
    name = canonical_rule_name(rule)
    if id_sets is None and case.get("prefix") in (ORG_ID_PREFIX, [ORG_ID_PREFIX]):
        return CaseOutcome(name, case, context, element, NO_ID_CONDITION_MATCH)  # needs org-id.guide's list
    if "condition" in case and not js_truthy(select(case["condition"], element)):
        return CaseOutcome(name, case, context, element, NO_CONDITION_MATCH)
    evaluator = CaseEvaluator(element, case, id_sets, now or datetime.now(UTC))
    if "idCondition" in case and not evaluator.id_condition_holds():
        return CaseOutcome(name, case, context, element, NO_ID_CONDITION_MATCH)
    result = evaluator.evaluate(name)
    return CaseOutcome(name, case, context, element, result, evaluator.failures)
