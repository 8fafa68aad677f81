"""Codelist rules: coded attributes must hold a code of their IATI codelist.

Which attribute uses which codelist, and the rule id, severity and message of each check, come from
IATI/IATI-Validator-Codelists (``codelist_rules.json``, AGPL-3.0 data, branches version-2.01/2.02/2.03),
shipped in ``iati/data/rulesets/<version>/``; its vocabulary-dependent rules (``conditions``: a
``linkedAttribute`` such as ``@vocabulary``, its ``defaultLink``) pick the codelist per vocabulary, as
IATI/js-validator-api ``services/codelistValidator.js`` does. The codes themselves are read from the
codelists CoopAtlas ships (``iati/data/codelists/csv``, IATI-Codelists and IATI-Codelists-NonEmbedded,
withdrawn codes included), so validation and import agree on what a code is.

Two entries of ``codelist_rules.json`` never match in the official validator: ``/`` (``xml:lang``) and
``/organisations`` (``version``). They are applied here as ``rule_mapping.xml`` states them
(``//@xml:lang``, ``/iati-organisations/@version``); ``xml:lang`` is compared case-insensitively,
as language tags are (BCP 47), so ``EN`` is accepted and ``ENG`` is not.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from coopatlas.iati.validation.jsvalues import XML_NAMESPACE
from coopatlas.iati.validation.problems import Problem
from coopatlas.iati.validation.rules import compiled_xpath

CODELIST_DIR = Path(__file__).resolve().parent.parent / "data" / "codelists" / "csv"
RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "rulesets"
BUDGET_ITEMS = "/iati-activities/iati-activity/country-budget-items"


@cache
def load_codelist_rules(version: str) -> dict[str, dict[str, Any]]:
    """The validator's codelist rules for a version: element path -> attribute -> rule."""
    with (RULES_DIR / version / "codelist_rules.json").open(encoding="utf-8") as stream:
        rules: dict[str, dict[str, Any]] = json.load(stream)
    return rules


@cache
def codelist_codes(name: str) -> frozenset[str]:
    """Every code of a shipped codelist (active and withdrawn)."""
    path = CODELIST_DIR / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        return frozenset(row["code"] for row in csv.DictReader(stream))


_ALLOWED: dict[str, frozenset[str]] = {}


def allowed_codes(rule: dict[str, Any]) -> frozenset[str]:
    """The codes a rule accepts: the shipped codelist's, else the rule's own ``allowedCodes``."""
    name = rule["codelist"]
    if name not in _ALLOWED:
        try:
            _ALLOWED[name] = codelist_codes(name)
        except FileNotFoundError:
            _ALLOWED[name] = frozenset(rule.get("allowedCodes", ()))
    return _ALLOWED[name]


def _attribute_name(name: str) -> str:
    """The lxml name of a rule's attribute (``xml:lang`` is namespaced)."""
    return f"{{{XML_NAMESPACE}}}lang" if name == "xml:lang" else name


#: Rule paths the validator never matches, read as ``rule_mapping.xml`` means them.
PATH_FIXES = {"/": "//*[@xml:lang]", "/organisations": "/iati-organisations"}


def _element_xpath(path: str) -> str:
    """The XPath selecting a rule's elements."""
    return PATH_FIXES.get(path, path)


@cache
def _rule_paths(version: str) -> tuple[dict[str, int], frozenset[str]]:
    """Each plain element path of the version's rules (-> its position), and every path above one."""
    positions: dict[str, int] = {}
    above: set[str] = set()
    for position, path in enumerate(load_codelist_rules(version)):
        path = _element_xpath(path)
        if path.startswith("//"):
            continue  # selected by XPath
        positions[path] = position
        steps = path.split("/")
        above.update("/".join(steps[:end]) for end in range(2, len(steps)))
    return positions, frozenset(above)


def _elements_by_rule(document: etree._Element, version: str) -> dict[int, list[etree._Element]]:
    """The elements each plain rule path selects, in document order, found in one walk of the tree.

    Equivalent to evaluating each absolute path (``/iati-activities/iati-activity/...``) with XPath,
    but the walk only descends where some rule path continues.
    """
    positions, above = _rule_paths(version)
    found: dict[int, list[etree._Element]] = {}

    def walk(element: etree._Element, path: str) -> None:
        position = positions.get(path)
        if position is not None:
            found.setdefault(position, []).append(element)
        if path in above:
            for child in element:
                tag = child.tag
                if isinstance(tag, str):
                    walk(child, f"{path}/{tag}")

    root = document.getroottree().getroot()
    if isinstance(root.tag, str):
        walk(root, f"/{root.tag}")
    return found


def codelist_problems(document: etree._Element, version: str) -> list[Problem]:
    """Codelist problems of a document (an ``iati-activities`` root with its activities)."""
    problems: list[Problem] = []
    by_rule = _elements_by_rule(document, version)
    for position, (path, attributes) in enumerate(load_codelist_rules(version).items()):
        xpath = _element_xpath(path)
        elements = compiled_xpath(xpath)(document) if xpath.startswith("//") else by_rule.get(position)
        if not elements:
            continue
        for element in elements:
            for attribute, rule in attributes.items():
                problems.extend(_check(element, attribute, rule))
        if path == BUDGET_ITEMS:
            problems.extend(_budget_items(document, version))
    return problems


def _check(element: etree._Element, attribute: str, rule: dict[str, Any]) -> list[Problem]:
    """Check one attribute (or the text, for ``text()``) of one element against its rule."""
    if attribute == "text()":
        value = element.text or ""
    else:
        found = element.get(_attribute_name(attribute))
        if found is None:
            return []
        value = found
    link = linked = None
    if "conditions" in rule:
        conditions = rule["conditions"]
        linked = conditions["linkedAttribute"]
        link = element.get(linked) or conditions.get("defaultLink")
        mapped = conditions["mapping"].get(link) if link is not None else None
        if mapped is None:
            return []
        rule = mapped
    # language tags are case-insensitive (BCP 47, RFC 5646 section 2.1.1)
    if (value.lower() if attribute == "xml:lang" else value) in allowed_codes(rule):
        return []
    tag = element.tag if isinstance(element.tag, str) else "?"
    where = f"element <{tag}>" if attribute == "text()" else f"attribute @{attribute}, in element <{tag}>"
    if link is not None:
        where += f" and linked @{linked} = {link}"
    return [_problem(rule, element, f'"{value[:100]}" is not a valid value for {where}')]


def _budget_items(document: etree._Element, version: str) -> list[Problem]:
    """Budget items under ``country-budget-items/@vocabulary = 1`` use the BudgetIdentifier codes."""
    rule = load_codelist_rules(version).get(f"{BUDGET_ITEMS}/budget-item", {}).get("code")
    if rule is None or "conditions" not in rule:
        return []
    mapped = rule["conditions"]["mapping"].get("1")
    if mapped is None:
        return []
    problems = []
    for item in compiled_xpath(f"{BUDGET_ITEMS}[@vocabulary='1']/budget-item[@code]")(document):
        code = item.get("code")
        if code not in allowed_codes(mapped):
            context = f'"{code[:100]}" is not a valid value for attribute @code, in element <budget-item>'
            problems.append(_problem(mapped, item, context))
    return problems


def _problem(rule: dict[str, Any], element: etree._Element, context: str) -> Problem:
    """A codelist problem with the rule's id, severity, category and message."""
    return Problem(
        rule=str(rule.get("id", "9")),
        message=str(rule.get("message", f"The code is not on the {rule.get('codelist')} codelist.")),
        severity="warning" if rule.get("severity") == "warning" else "error",
        category=str(rule.get("category", "codelists")),
        line=element.sourceline,
        scope="file" if element.getparent() is None else "activity",
        context=context,
    )
