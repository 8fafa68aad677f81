"""Reading IATI XML values the same way for every version: narratives, codes, dates, numbers.

IATI 2.0x keeps each text in ``<narrative xml:lang>`` children; IATI 1.0x kept it as the element's
own text with an optional ``xml:lang`` (IATI Standard 2.01 upgrade notes,
https://iatistandard.org/en/guidance/standard-guidance/upgrades/). Both are read into the canonical
form ``{language: text}`` where "" is the activity's default language; several narratives in one
language are joined by a line break.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Places kept for IATI values and percentages (the model columns' ``decimal_places``).
VALUE_QUANTUM = Decimal("0.0001")
#: Digits before the decimal point that the value columns hold (``max_digits`` - ``decimal_places``).
MAX_INTEGER_DIGITS = 20
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")

Narratives = dict[str, str]


def language_of(element: etree._Element, default: str) -> str:
    """The element's ``xml:lang`` lower-cased, "" when it is the activity's default language."""
    lang = (element.get(XML_LANG) or "").strip().lower()
    return "" if lang == default else lang


def narratives(element: etree._Element | None, default: str) -> Narratives:
    """The texts of an element in canonical form (2.0x narratives or the 1.0x element text)."""
    if element is None:
        return {}
    texts: dict[str, list[str]] = {}
    found = False
    for narrative in element.iterchildren("narrative"):
        found = True
        text = (narrative.text or "").strip()
        if text:
            texts.setdefault(language_of(narrative, default), []).append(text)
    if not found:
        text = (element.text or "").strip()
        if text:
            texts[language_of(element, default)] = [text]
    return {lang: "\n".join(parts) for lang, parts in sorted(texts.items())}


def attr(element: etree._Element, name: str) -> str:
    """An attribute's value, stripped ("" when absent)."""
    return (element.get(name) or "").strip()


def first_children(element: etree._Element) -> dict[str, etree._Element]:
    """The first child of each tag, in one pass (``find`` parses an ElementPath at every call)."""
    found: dict[str, etree._Element] = {}
    for child in element:
        found.setdefault(child.tag, child)
    return found


def code_of(element: etree._Element | None, name: str = "code") -> str:
    """The ``code`` attribute of an element that may be absent ("" then)."""
    return attr(element, name) if element is not None else ""


def parse_date(text: str) -> dt.date | None:
    """An ISO 8601 date (a datetime's date part is accepted); None when it is not one."""
    match = _ISO_DATE.match(text or "")
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def element_date(element: etree._Element | None) -> dt.date | None:
    """The date of an IATI date element: ``iso-date``, else (1.0x) its text."""
    if element is None:
        return None
    return parse_date(attr(element, "iso-date")) or parse_date(element.text or "")


def parse_datetime(text: str) -> dt.datetime | None:
    """An xsd:dateTime as an aware datetime (UTC when it has no zone); None when invalid."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_decimal(text: str) -> Decimal | None:
    """An xsd:decimal rounded to ``VALUE_QUANTUM``; None when it is not a finite number."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
        if not value.is_finite() or value.adjusted() >= MAX_INTEGER_DIGITS:
            return None
        return value.quantize(VALUE_QUANTUM)
    except InvalidOperation:
        return None


def parse_bool(text: str) -> bool | None:
    """An xsd:boolean ("1", "true", "0", "false"); None when absent or invalid."""
    value = (text or "").strip().lower()
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    return None


def format_decimal(value: Decimal) -> str:
    """A value written back without trailing zeros and without exponent notation."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
