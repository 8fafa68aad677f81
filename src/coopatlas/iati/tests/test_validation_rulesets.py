"""IATI Rulesets: every rule x file case of the official validator's unit tests gives the expected outcome.

Cases: IATI/js-validator-api ``ruleset-unit-tests/*/expected.json`` from ``../shared`` (165 cases in
24 folders). Outcomes are computed as each folder's ``test.js`` does: ``allRulesResult`` (true, false,
"No Rule Match" or "No Condition Match"); ``orgIdCheck`` with the test's publisher id sets and "every
result truthy"; ``fullStandard`` as "no case returned false".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from coopatlas.iati.safe_xml import parse_document
from coopatlas.iati.validation.jsvalues import js_truthy
from coopatlas.iati.validation.rules import RULE_NAMES, canonical_rule_name, evaluate_case
from coopatlas.iati.validation.rulesets import evaluate_ruleset, load_ruleset, outcome_problems, overall_result

SHARED = Path(__file__).resolve().parents[5] / "shared"
UNIT_TESTS = SHARED / "data" / "iati" / "rulesets" / "js-validator-api" / "ruleset-unit-tests"
#: The id sets ``ruleset-unit-tests/orgIdCheck/test.js`` passes to the rules.
ORG_ID_CHECK_SETS = {
    "ORG-ID": {"US-EIN-941655673", "44000", "CA_ON-ONT-1597880"},
    "ORG-ID-PREFIX": {"GB-GOV", "XM-DAC"},
}


def validator_cases() -> list[object]:
    """(folder, rule file, test file, expected) for each case, or one skipped case without ../shared."""
    if not UNIT_TESTS.is_dir():
        return [pytest.param(None, None, None, None, marks=pytest.mark.skip(reason=f"{UNIT_TESTS} is not available"))]
    cases = []
    for expected_file in sorted(UNIT_TESTS.glob("*/expected.json")):
        folder = expected_file.parent.name
        for case in json.loads(expected_file.read_text(encoding="utf-8")):
            case_id = f"{folder}/{case['rule']}/{case['file']}"
            cases.append(pytest.param(folder, case["rule"], case["file"], case["expected"], id=case_id))
    return cases


def outcome_of(folder: str, rule_file: str, test_file: str) -> Any:
    """The outcome the folder's test.js computes."""
    ruleset = json.loads((UNIT_TESTS / folder / "rules" / rule_file).read_text(encoding="utf-8"))
    document = parse_document(UNIT_TESTS / folder / "test-files" / test_file).getroot()
    if folder == "orgIdCheck":
        outcomes = evaluate_ruleset(ruleset, document, ORG_ID_CHECK_SETS)
        return all(js_truthy(outcome.result) for outcome in outcomes)
    outcomes = evaluate_ruleset(ruleset, document)
    if folder == "fullStandard":
        return not any(outcome.failed for outcome in outcomes)
    return overall_result(outcomes)


@pytest.mark.parametrize(("folder", "rule_file", "test_file", "expected"), validator_cases())
def test_official_validator_rule_case_gives_the_expected_outcome(
    folder: str, rule_file: str, test_file: str, expected: Any
) -> None:
    assert outcome_of(folder, rule_file, test_file) == expected


@pytest.mark.skipif(not UNIT_TESTS.is_dir(), reason=f"{UNIT_TESTS} is not available")
def test_the_official_unit_tests_hold_165_cases() -> None:
    counts = [len(json.loads(path.read_text())) for path in UNIT_TESTS.glob("*/expected.json")]
    assert sum(counts) == 165


def activity(body: str, root: str = '<iati-activities version="2.03">') -> etree._Element:
    """An ``iati-activities`` document holding one activity with ``body``."""
    return etree.fromstring(f"{root}<iati-activity>{body}</iati-activity></iati-activities>")


def failed_rules(document: etree._Element, version: str = "2.03") -> list[str]:
    """The ids of the shipped standard ruleset's rules that fail on ``document``."""
    now = datetime(2025, 1, 1, tzinfo=UTC)
    return sorted(
        problem.rule for problem in outcome_problems(evaluate_ruleset(load_ruleset(version), document, now=now))
    )


MINIMAL = (
    "<iati-identifier>XM-DAC-41114-1</iati-identifier><reporting-org ref='XM-DAC-41114'/>"
    "<activity-date type='2' iso-date='2020-01-01'/><sector code='11110'/>"
)


def test_a_minimal_activity_passes_the_standard_ruleset() -> None:
    assert failed_rules(activity(MINIMAL)) == []


def test_an_activity_without_start_date_breaks_rule_6_11_1() -> None:
    body = MINIMAL.replace("<activity-date type='2' iso-date='2020-01-01'/>", "")
    assert failed_rules(activity(body)) == ["6.11.1"]


def test_an_identifier_equal_to_the_reporting_org_breaks_rule_1_1_3() -> None:
    body = MINIMAL.replace("XM-DAC-41114-1", "XM-DAC-41114")
    assert "1.1.3" in failed_rules(activity(body))


def test_an_actual_start_date_in_the_future_breaks_rule_11_1_4() -> None:
    body = MINIMAL.replace("2020-01-01", "2030-01-01")
    problems = outcome_problems(
        evaluate_ruleset(load_ruleset("2.03"), activity(body), now=datetime(2025, 1, 1, tzinfo=UTC))
    )
    assert [(problem.rule, problem.severity, problem.context) for problem in problems] == [
        ("11.1.4", "error", "2030-01-01 is after 2025-01-01")
    ]


def test_sector_percentages_of_each_vocabulary_must_add_up_to_100() -> None:
    sectors = (
        "<sector vocabulary='1' code='11110' percentage='60'/><sector vocabulary='1' code='11120' percentage='30'/>"
    )
    body = MINIMAL.replace("<sector code='11110'/>", sectors)
    assert failed_rules(activity(body)) == ["2.1.2"]


def test_problems_carry_the_rule_id_severity_category_and_the_offending_line() -> None:
    document = etree.fromstring(
        b'<iati-activities version="2.03">\n<iati-activity>\n<iati-identifier>XM/1</iati-identifier>\n'
        b"<activity-date type='2' iso-date='2020-01-01'/><sector code='11110'/></iati-activity></iati-activities>"
    )
    problems = outcome_problems(evaluate_ruleset(load_ruleset("2.03"), document))
    slash = next(problem for problem in problems if problem.rule == "1.3.13")
    assert (slash.severity, slash.category, slash.line, slash.context) == ("warning", "identifiers", 3, "'XM/1'")


def test_org_id_prefix_rules_are_skipped_without_the_registry_lists() -> None:
    case = {"prefix": ["ORG-ID-PREFIX"], "paths": ["iati-identifier"]}
    element = activity("<iati-identifier>ZZ-NOPE-1</iati-identifier>")[0]
    assert evaluate_case("startsWith", "//iati-activity", element, case).result == "No ID Condition Match"
    with_sets = evaluate_case("startsWith", "//iati-activity", element, case, {"ORG-ID-PREFIX": {"GB-GOV"}})
    assert with_sets.result is False


def test_dependent_rule_requires_all_paths_once_one_exists() -> None:
    case = {"paths": ["budget", "planned-disbursement"]}
    assert evaluate_case("dependent", "x", activity("<budget/>")[0], case).result is False
    assert evaluate_case("dependent", "x", activity("<budget/><planned-disbursement/>")[0], case).result is True
    assert evaluate_case("dependent", "x", activity("")[0], case).result is True


@pytest.mark.parametrize("version", ["2.01", "2.02", "2.03"])
def test_every_rule_type_of_the_shipped_rulesets_is_implemented(version: str) -> None:
    def names(rules: dict[str, Any]) -> set[str]:
        found = set(rules)
        for rule, definition in rules.items():
            if rule == "loop":
                for case in definition["cases"]:
                    found |= names(case["do"])
        return found

    used = set().union(*(names(dict(rules)) for rules in load_ruleset(version).values()))
    assert used <= set(RULE_NAMES)
    assert {canonical_rule_name(name) for name in used} <= set(RULE_NAMES.values())
