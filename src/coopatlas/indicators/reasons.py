"""Why a series could not be assessed: the codes the progress methods write in their ``reason`` column, and their text.

The methods (``methods/opensdg.py``, ``methods/escap.py``, ``methods/unsd.py``) are plain polars and
write a short code, never prose: the code is what the JSON output, the exports and the tests carry.
People read the text, translated at the point of display (``reason_text``): ``gettext_lazy`` here, so
the catalogues hold every message. A reason that is not a code (Open SDG's row-selection problems name
the configured column and value, e.g. "no rows with Sex = 'Male'") is shown as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Every code a method can write, with its message. ``%(name)s`` placeholders take the values that
#: ``reason_text`` is given (``row_reason`` reads them from the method's result row).
REASONS: dict[str, Promise] = {
    # common to the methods
    "no_data": _("no data"),
    "single_point": _("a single data point"),
    "single_point_since_base": _("a single data point since the base year"),
    "no_target": _("no target value (set one, or use the champion-area target)"),
    "target_year_not_after_base": _("the target year is not after the base year"),
    # ESCAP
    "base_equals_target": _("the base value equals the target but the current value does not"),
    "base_equals_target_projection": _("the base value equals the target but the projection does not"),
    "coverage": _(
        "coverage: %(countries)s of %(members)s countries have two or more data points (more than half needed)"
    ),
    # UNSD progress chart
    "exact_needs_target": _("an exact-value direction needs a target value"),
    "not_positive": _("the base or current value is not positive: no growth rate"),
    "exact_target_no_growth": _("an exact-value target has no growth direction (use ESCAP's parity rule)"),
    "base_equals_target_no_growth": _("the base value already equals the target (no growth required)"),
    "target_not_positive": _("the target is not positive: no required growth rate"),
    # Open SDG
    "all_before_base": _("every value predates the base year"),
    "opposite_signs": _("the base and current values have opposite signs"),
    "target_base_opposite_signs": _("the target and the base value have opposite signs"),
    "no_values": _("no values for the selected rows"),
}


def reason_text(code: str | None, **params: Any) -> str:
    """The reason in the active language ("" for none); a reason that is not a known code is returned unchanged."""
    if not code:
        return ""
    message = REASONS.get(code)
    if message is None:
        return code
    text = str(message)
    return text % params if "%(" in text else text


def row_reason(row: Mapping[str, Any]) -> str:
    """The translated reason of one result row of a method, with the numbers its message needs."""
    return reason_text(
        row.get("reason"),
        countries=row.get("countries_with_two_points") or 0,
        members=row.get("members") or 0,
    )


#: Where an ESCAP target came from (``champion_area_targets``' ``target_source``).
TARGET_SOURCES: dict[str, Promise] = {
    "given": _("given target"),
    "champion_area": _("champion-area target"),
}
