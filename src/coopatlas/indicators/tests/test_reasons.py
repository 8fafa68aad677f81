"""Method reasons and classes are machine codes in the data and translatable text on the pages."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from django.utils.functional import Promise
from django.utils.translation import override

from coopatlas.indicators.methods import escap, opensdg, unsd
from coopatlas.indicators.pages.common import STATUS_LABELS, Settings, badge, method_badges
from coopatlas.indicators.reasons import REASONS, TARGET_SOURCES, reason_text, row_reason

METHODS = Path(opensdg.__file__).resolve().parent
LITERAL = re.compile(r'\.then\(pl\.lit\("([a-z_]+)"\)\)')


def test_every_code_a_method_writes_has_a_translatable_text() -> None:
    written = {
        code
        for module in ("escap.py", "unsd.py", "opensdg.py")
        for code in LITERAL.findall((METHODS / module).read_text(encoding="utf-8"))
    }
    assert len(written) > 15  # the scan found the reason expressions
    unknown = written - set(REASONS) - set(STATUS_LABELS) - set(TARGET_SOURCES)
    assert unknown == set()
    classes = {escap.MAINTAIN, escap.ACCELERATE, escap.REVERSE, unsd.TARGET_MET}
    for edition in unsd.EDITIONS.values():
        classes |= {label for _, label in edition.target_classes + edition.trend_classes} | {edition.lowest}
    assert classes - set(STATUS_LABELS) == set()
    for message in [*REASONS.values(), *STATUS_LABELS.values(), *TARGET_SOURCES.values()]:
        assert isinstance(message, Promise)  # gettext_lazy: translated when shown, in the reader's language


def test_the_reasons_of_the_methods_results_are_all_known_codes() -> None:
    observations = pl.DataFrame(
        {"series": ["one", "neg", "neg", "flat", "flat", "notarget", "notarget"],
         "year": [2018, 2015, 2020, 2015, 2020, 2015, 2020], "value": [5.0, -1.0, 2.0, 3.0, 4.0, 0.9, 0.95]},
        schema={"series": pl.String, "year": pl.Int32, "value": pl.Float64},
    )  # fmt: skip
    settings = pl.DataFrame(
        {"series": ["one", "neg", "flat", "gone", "notarget"], "target": [1.0, 5.0, 3.0, 1.0, None],
         "direction": ["lower", "higher", "lower", "lower", "exact"]},
    )  # fmt: skip
    reasons: set[str] = set()
    for result in (
        escap.current_status_index(observations, settings),
        escap.anticipated_progress_index(observations, settings),
        unsd.progress_chart(observations, settings),
        unsd.progress_chart(observations, settings, edition="2023"),
    ):
        reasons |= set(result["reason"].drop_nulls().to_list())
    assert {"single_point_since_base", "no_data", "not_positive", "base_equals_target", "exact_needs_target"} <= reasons
    assert reasons <= set(REASONS)


def test_reason_text_translates_codes_fills_numbers_and_keeps_free_text() -> None:
    assert reason_text("single_point_since_base") == "a single data point since the base year"
    assert reason_text(None) == "" and reason_text("") == ""
    assert reason_text("no rows with Sex = 'Male'") == "no rows with Sex = 'Male'"  # an Open SDG selection problem
    row = {"reason": "coverage", "countries_with_two_points": 3, "members": 9}
    assert row_reason(row) == "coverage: 3 of 9 countries have two or more data points (more than half needed)"
    with override("fr"):  # the text is looked up when shown: in the active language, English where untranslated
        assert isinstance(reason_text("no_data"), str) and reason_text("no_data")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("single_point", "a single data point"),
        ("not_positive", "the base or current value is not positive: no growth rate"),
    ],
)
def test_a_badge_shows_the_text_and_keeps_the_code(code: str, text: str) -> None:
    shown = badge("unsd", None, reason=code)
    assert (shown["reason"], shown["reason_code"], shown["status_label"]) == (text, code, "")


def test_the_badges_of_a_series_with_one_point_say_why_in_words() -> None:
    observations = pl.DataFrame(
        {"series": ["s"], "year": [2018], "value": [40.0]},
        schema={"series": pl.String, "year": pl.Int32, "value": pl.Float64},
    )
    badges = method_badges(observations, {"s": Settings("lower", 25.0)})["s"]
    assert (badges["escap"]["status"], badges["escap"]["reason_code"]) == ("", "single_point")
    assert badges["escap"]["reason"] == "a single data point"
    assert badges["unsd"]["reason"] == "a single data point since the base year"
