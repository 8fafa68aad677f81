"""UNSD SDG Progress Chart: ratio of actual to required growth, projection ratio (2023 edition), classes."""

from __future__ import annotations

import polars as pl
import pytest

from coopatlas.indicators.methods.unsd import progress_chart

OBSERVATIONS = pl.DataFrame(
    {"series": ["a", "a", "b", "b", "d", "d", "z", "z"], "year": [2015, 2020] * 4,
     "value": [50.0, 40.0, 20.0, 22.0, 5.0, 4.0, 0.0, 3.0]},
)  # fmt: skip
SETTINGS = pl.DataFrame(
    {"series": ["a", "b", "d", "z"], "target": [25.0, None, 5.0, 10.0], "direction": ["lower", "higher", "lower", "higher"]}
)


def rows(edition: str) -> dict[str, dict[str, object]]:
    return {row["series"]: row for row in progress_chart(OBSERVATIONS, SETTINGS, edition).to_dicts()}


def test_ratio_of_actual_to_required_growth_classifies_a_series() -> None:
    a = rows("2022")["a"]
    # CR_a = (40/50)^(1/5) − 1 = −0.043648; CR_r = (25/50)^(1/15) − 1 = −0.045158; ratio 0.96654 >= 0.95.
    assert a["actual_growth"] == pytest.approx(0.8 ** 0.2 - 1)
    assert a["required_growth"] == pytest.approx(0.5 ** (1 / 15) - 1)
    assert a["ratio"] == pytest.approx((0.8 ** 0.2 - 1) / (0.5 ** (1 / 15) - 1))
    assert a["status"] == "substantial_progress"


def test_the_2023_edition_compares_the_2030_projection_with_the_required_progress() -> None:
    a = rows("2023")["a"]
    # v_2030^e = 40 · 0.8^(10/5) = 25.6; (25.6 − 50) / (25 − 50) = 0.976 >= 0.95.
    assert a["expected_value"] == pytest.approx(25.6)
    assert a["ratio"] == pytest.approx(0.976)
    assert a["status"] == "target_met_or_almost_met"


def test_without_a_target_the_directed_growth_rate_is_classified() -> None:
    b = rows("2022")["b"]
    assert b["directed_growth"] == pytest.approx(1.1 ** 0.2 - 1)  # 1.92 % a year: between 0.5 % and 2 %
    assert b["status"] == "fair_progress_acceleration_needed"


def test_a_met_target_and_a_zero_base_are_reported_not_divided() -> None:
    result = rows("2022")
    assert (result["d"]["status"], result["d"]["ratio"]) == ("target_met", None)
    assert (result["z"]["status"], result["z"]["reason"]) == (None, "base or current value not positive: no growth rate")
