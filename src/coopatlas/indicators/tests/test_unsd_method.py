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
    assert (result["z"]["status"], result["z"]["reason"]) == (None, "not_positive")


def test_2023_rules_without_a_target_mirror_the_growth_cut_offs_when_a_decrease_is_desirable() -> None:
    # Progress Chart Technical Note 2023 as quoted by Eustat (_pages/en/metodologia.md): a decrease is
    # desirable -> CAGR ≤ −2 %: met or almost met; −2 % < CAGR ≤ −0.5 %: fair progress; above: stagnation.
    rates = {"fast": -0.025, "slow": -0.01, "flat": -0.002, "up": 0.03}
    observations = pl.DataFrame(
        {"series": [s for s in rates for _ in (0, 1)], "year": [2015, 2020] * len(rates),
         "value": [v for r in rates.values() for v in (100.0, 100.0 * (1 + r) ** 5)]},
    )  # fmt: skip
    settings = pl.DataFrame({"series": list(rates), "target": [None] * len(rates), "direction": ["lower"] * len(rates)},
                            schema={"series": pl.String, "target": pl.Float64, "direction": pl.String})  # fmt: skip
    result = {r["series"]: r for r in progress_chart(observations, settings, "2023").to_dicts()}
    assert {s: r["status"] for s, r in result.items()} == {
        "fast": "target_met_or_almost_met", "slow": "fair_progress_acceleration_needed",
        "flat": "stagnation_or_regression", "up": "stagnation_or_regression",
    }  # fmt: skip
    assert result["fast"]["actual_growth"] == pytest.approx(-0.025)


def test_2023_projection_ratio_cut_offs_at_ten_and_ninety_five_per_cent() -> None:
    # v_2030^e = v_t (1 + CAGR_a)^(2030 − t); ratio (v_2030^e − v_b)/(v_2030 − v_b): ≥ 0.95 met or almost met,
    # 0.10 ≤ ratio < 0.95 fair progress, below stagnation or regression. Base 100 in 2015, target 200 in 2030.
    def series_reaching(ratio: float) -> float:  # the 2020 value whose constant growth gives that ratio in 2030
        return 100.0 * ((100.0 + 100.0 * ratio) / 100.0) ** (5 / 15)

    wanted = {"near": 0.96, "mid": 0.5, "low": 0.11, "stuck": 0.05}
    observations = pl.DataFrame(
        {"series": [s for s in wanted for _ in (0, 1)], "year": [2015, 2020] * len(wanted),
         "value": [v for r in wanted.values() for v in (100.0, series_reaching(r))]},
    )  # fmt: skip
    settings = pl.DataFrame({"series": list(wanted), "target": [200.0] * len(wanted), "direction": ["higher"] * 4})
    result = {r["series"]: r for r in progress_chart(observations, settings, "2023").to_dicts()}
    for series, ratio in wanted.items():
        assert result[series]["ratio"] == pytest.approx(ratio)
    assert {s: r["status"] for s, r in result.items()} == {
        "near": "target_met_or_almost_met", "mid": "fair_progress_acceleration_needed",
        "low": "fair_progress_acceleration_needed", "stuck": "stagnation_or_regression",
    }  # fmt: skip
