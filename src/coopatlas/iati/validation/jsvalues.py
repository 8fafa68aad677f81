"""Value semantics of the official IATI Validator (js-validator-api), reproduced on lxml XPath results.

The IATI Rulesets are evaluated by the official validator in JavaScript (``xpath`` on ``xmldom``);
its outcomes depend on JavaScript truthiness, ``Number()``, ``new Date()`` and ``String.trim()``.
These helpers give the same answers in Python so that our results match the validator's unit tests
(IATI/js-validator-api ``ruleset-unit-tests``, AGPL-3.0) and the Rulesets SPEC
(https://github.com/IATI/IATI-Rulesets/blob/version-2.03/SPEC.rst).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from lxml import etree

XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
NAMESPACES = {"xml": XML_NAMESPACE}

#: Characters removed by JavaScript's String.prototype.trim (WhiteSpace and LineTerminator).
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RADIX = {"0x": 16, "0o": 8, "0b": 2}
_ISO_DATE = re.compile(
    r"(?P<year>[+-]\d{6}|\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?"
)
_STRING_VALUE = etree.XPath("string()")


def js_trim(text: str) -> str:
    """``String.prototype.trim``."""
    return text.strip(JS_WHITESPACE)


def js_number(value: Any) -> float:
    """``Number(value)`` for strings, numbers and booleans (NaN when not numeric)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    text = js_trim(str(value))
    if text == "":
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    radix = _RADIX.get(text[:2].lower())
    if radix:
        try:
            return float(int(text[2:], radix))
        except ValueError:
            return math.nan
    return math.nan


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness of an XPath result: node-sets (arrays) are always true."""
    if isinstance(value, list):
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return value is not None


def node_text(node: Any) -> str:
    """The validator's ``getText``: an element's text content, an attribute's or text node's value."""
    if isinstance(node, etree._Element):
        return str(_STRING_VALUE(node))
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, float):
        return str(int(node)) if node.is_integer() else repr(node)
    return str(node)


def node_value(node: Any) -> str:
    """``node.nodeValue`` as used by ``loop``: an attribute's or text's value, ``"null"`` for elements."""
    if isinstance(node, etree._Element):
        return "null"
    return str(node)


def node_line(node: Any) -> int | None:
    """The source line of a node from an XPath result (an attribute's or text's parent element)."""
    if isinstance(node, etree._Element):
        line: int | None = node.sourceline
        return line
    parent = getattr(node, "getparent", None)
    if parent is not None:
        owner = parent()
        return owner.sourceline if isinstance(owner, etree._Element) else None
    return None


def is_attribute(node: Any) -> bool:
    """Whether an XPath result item is an attribute value."""
    return bool(getattr(node, "is_attribute", False))


@lru_cache(maxsize=4096)
def parse_js_date(text: str) -> datetime | None:
    """``new Date(text)`` for the ISO 8601 forms JavaScript accepts; None for an Invalid Date.

    Date-only forms are UTC in JavaScript; date-times without an offset are local time there, and
    are read as UTC here so that results do not depend on the server's time zone.
    """
    match = _ISO_DATE.fullmatch(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    try:
        moment = datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int((parts["fraction"] or "0")[:6].ljust(6, "0")),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    zone = parts["zone"]
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        moment = moment.replace(tzinfo=timezone(sign * offset))
    return moment


def days_between(end: datetime, start: datetime) -> int:
    """date-fns ``differenceInDays(end, start)``: whole days, truncated towards zero."""
    seconds = (end - start).total_seconds()
    days = int(seconds / 86400)
    return days


def js_regex(pattern: str) -> re.Pattern[str]:
    """A Python regex for a JavaScript one (``$`` only matches at the very end in JavaScript)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)
