"""The Open SDG progress measure on small worked examples, including the inputs it must refuse."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from coopatlas.indicators.methods.opensdg import IndicatorInput, SeriesOptions, measure_progress, series_key


def assess(rows: list[tuple[int, float]], **options: Any) -> dict[str, Any]:
    """Components and reason of a one-series indicator "9-9-9" with the given (year, value) rows."""
    frame = pl.DataFrame({"Year": [y for y, _ in rows], "Value": [v for _, v in rows]},
                         schema={"Year": pl.Int32, "Value": pl.Float64})  # fmt: skip
    settings = {"auto_progress_calculation": True, "progress_calculation_options": [options]}
    (result,) = measure_progress([IndicatorInput("9-9-9", frame, settings)])
    (series,) = result.series
    return {**series.components, "reason": series.reason, "indicator_status": result.progress_status}


def test_observed_and_required_growth_give_the_ratio_and_its_score() -> None:
    # CAGR observed (80/100)^(1/5)-1 = -0.043648; required (50/100)^(1/15)-1 = -0.045158; ratio 0.966542.
    result = assess([(2015, 100.0), (2020, 80.0)], direction="negative", target=50)
    assert result["progress_value"] == pytest.approx(0.9665423041902719, abs=1e-12)
    assert result["status"] == "substantial_progress"
    assert result["score"] == pytest.approx(2.6182150246006923, abs=1e-12)


def test_without_target_the_growth_is_compared_with_thresholds_reduced_near_the_limit() -> None:
    # base 90 of a limit of 100: coefficient 1 - 0.9^4.44 = 0.373622; CAGR 0.005840 >= 0.015 x 0.373622, score 500 x 0.005840 / 0.373622 - 5.
    result = assess([(2015, 90.0), (2021, 93.2)], direction="positive", limit=100)
    assert result["progress_value"] == pytest.approx(0.005839995229728112, abs=1e-15)
    assert result["score"] == pytest.approx(2.815386645395768, abs=1e-12)
    assert result["status"] == "substantial_progress"


def test_a_missing_base_year_moves_to_the_next_year_with_data() -> None:
    result = assess([(2013, 5.0), (2017, 4.0), (2020, 3.0)], base_year=2015)
    assert (result["base_year"], result["base_value"]) == (2017.0, 4.0)


def test_a_zero_base_value_is_replaced_by_one_thousandth() -> None:
    result = assess([(2015, 0.0), (2020, 2.0)], direction="positive")
    assert result["base_value"] == 0.001
    assert result["status"] == "substantial_progress"


def test_a_single_data_point_is_insufficient_data_with_its_reason() -> None:
    result = assess([(2020, 3.0)])
    assert (result["status"], result["progress_value"], result["score"]) == ("not_available", None, None)
    assert result["reason"] == "single_point_since_base"
    assert result["indicator_status"] == "not_available"


def test_values_of_opposite_signs_are_insufficient_data_never_nan() -> None:
    result = assess([(2015, -2.0), (2020, 3.0)], direction="positive")
    assert (result["status"], result["progress_value"]) == ("not_available", None)
    assert result["reason"] == "opposite_signs"


def test_a_target_year_before_the_base_year_is_refused() -> None:
    result = assess([(2015, 10.0), (2020, 8.0)], target=5, target_year=2010)
    assert (result["status"], result["reason"]) == ("not_available", "target_year_not_after_base")


def test_a_reached_target_scores_five_even_without_growth() -> None:
    result = assess([(2015, 100.0), (2023, 100.0)], direction="positive", target=100)
    assert (result["status"], result["score"], result["progress_value"]) == ("target_achieved", 5.0, None)


def test_an_absent_configured_value_selects_nothing() -> None:
    frame = pl.DataFrame({"Year": [2015, 2020], "Sex": ["Female", "Female"], "Value": [1.0, 2.0]})
    settings = {"auto_progress_calculation": True,
                "progress_calculation_options": [{"disaggregation": [{"field": "Sex", "value": "Male"}]}]}  # fmt: skip
    (result,) = measure_progress([IndicatorInput("9-9-9", frame, settings)])
    assert result.series[0].reason == "no rows with Sex = 'Male'"
    assert result.progress_status == "not_available"


def test_groups_are_averaged_before_the_indicator_mean() -> None:
    frame = pl.DataFrame({"Year": [2015, 2020] * 3, "Series": ["a", "a", "b", "b", "c", "c"],
                          "Value": [100.0, 100.0, 100.0, 50.0, 10.0, 10.0]})  # fmt: skip
    options = [{"series": "a", "target": 100, "direction": "positive"},  # achieved: 5
               {"group": [{"series": "b", "direction": "positive"},  # deterioration: -5
                          {"series": "c", "target": 10, "direction": "positive"}]}]  # achieved: 5  # fmt: skip
    (result,) = measure_progress([IndicatorInput("9-9-9", frame,
                                                 {"auto_progress_calculation": True,
                                                  "progress_calculation_options": options})])  # fmt: skip
    assert [s.score for s in result.series] == [5.0, -5.0, 5.0]
    assert (result.score, result.progress_status) == (2.5, "substantial_progress")  # mean(5, mean(-5, 5))


def test_long_series_keys_are_shortened_like_open_sdg_shortest_parts_first() -> None:
    options = SeriesOptions(disaggregation=(
        ("Activity", "Used word processing software"),
        ("Age group", "Total, Internet users aged 15 years and over"),
        ("Highest level of education", "Total, highest certificate, diploma or degree completed"),
    ))  # fmt: skip
    assert series_key("4-4-1", options) == (
        "4-4-1 / Used word processing software / Total, Internet users aged 15 years ... / "
        "Total, highest certificate, diploma o..."
    )


def test_without_automatic_calculation_the_manual_status_is_kept() -> None:
    (result,) = measure_progress([IndicatorInput("9-9-9", None, {"progress_status": "target_achieved"})])
    assert (result.progress_status, result.score, result.series) == ("target_achieved", None, [])
