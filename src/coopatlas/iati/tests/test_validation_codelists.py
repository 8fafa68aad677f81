"""Codelist rules: coded attributes must hold a code of the codelist the validator's rules name."""

from __future__ import annotations

import pytest
from lxml import etree

from coopatlas.iati.validation.codelists import CODELIST_DIR, codelist_problems, load_codelist_rules


def problems_for(body: str, root: str = '<iati-activities version="2.03">') -> list[tuple[str, str]]:
    """(rule id, context) of the codelist problems of one activity with ``body``."""
    document = etree.fromstring(f"{root}<iati-activity>{body}</iati-activity></iati-activities>")
    return [(problem.rule, problem.context) for problem in codelist_problems(document, "2.03")]


def test_valid_codes_raise_no_problem() -> None:
    body = (
        '<activity-status code="2"/><sector code="11110"/><sector vocabulary="2" code="111"/>'
        '<recipient-country code="BR"/><collaboration-type code="8"/>'
    )
    assert problems_for(body) == []


def test_an_unknown_default_currency_is_reported_with_the_validator_rule() -> None:
    document = etree.fromstring(
        '<iati-activities version="2.03"><iati-activity default-currency="XYZ"/></iati-activities>'
    )
    assert [(problem.rule, problem.context, problem.line) for problem in codelist_problems(document, "2.03")] == [
        ("9.3.1", '"XYZ" is not a valid value for attribute @default-currency, in element <iati-activity>', 1)
    ]


def test_a_sector_code_is_checked_against_the_codelist_of_its_vocabulary() -> None:
    assert problems_for('<sector vocabulary="1" code="111"/>') == [
        ("9.76.1", '"111" is not a valid value for attribute @code, in element <sector> and linked @vocabulary = 1')
    ]
    assert problems_for('<sector vocabulary="2" code="111"/>') == []


def test_a_sector_without_vocabulary_is_read_as_oecd_dac() -> None:
    assert [rule for rule, _ in problems_for('<sector code="111"/>')] == ["9.76.1"]


def test_a_vocabulary_without_codelist_accepts_any_code() -> None:
    assert problems_for('<sector vocabulary="99" vocabulary-uri="http://example.org" code="LOCAL-7"/>') == []


def test_withdrawn_codes_are_still_accepted_as_old_data_uses_them() -> None:
    assert problems_for('<sector vocabulary="1" code="11321"/>') == []


def test_codes_come_from_the_shipped_codelists_which_may_be_newer_than_the_validator_rules() -> None:
    assert (
        "A4"
        not in load_codelist_rules("2.03")["/iati-activities/iati-activity/other-identifier"]["type"]["allowedCodes"]
    )
    assert problems_for('<other-identifier ref="x" type="A4"/>') == []


def test_language_tags_are_compared_case_insensitively() -> None:
    assert problems_for('<title><narrative xml:lang="EN">Title</narrative></title>') == []
    assert problems_for('<title><narrative xml:lang="ENG">Title</narrative></title>') == [
        ("9.95.1", '"ENG" is not a valid value for attribute @xml:lang, in element <narrative>')
    ]


def test_the_dataset_version_is_checked_on_the_root() -> None:
    document = etree.fromstring('<iati-activities version="2.9"><iati-activity/></iati-activities>')
    problems = codelist_problems(document, "2.03")
    assert [(problem.rule, problem.scope) for problem in problems] == [("9.1.1", "file")]


@pytest.mark.parametrize("version", ["2.01", "2.02", "2.03"])
def test_every_codelist_named_by_the_rules_is_shipped(version: str) -> None:
    names = set()
    for attributes in load_codelist_rules(version).values():
        for rule in attributes.values():
            mappings = rule["conditions"]["mapping"].values() if "conditions" in rule else [rule]
            names |= {mapping["codelist"] for mapping in mappings}
    assert {name for name in names if not (CODELIST_DIR / f"{name}.csv").exists()} == set()
