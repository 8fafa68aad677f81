"""ESCAP current status and anticipated progress indices, champion-area targets, regional aggregates, coverage."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from coopatlas.indicators.methods.escap import (
    anticipated_progress_index,
    assess_region,
    champion_area_targets,
    coverage,
    current_status_index,
    regional_aggregate,
)
from coopatlas.indicators.reasons import row_reason
from coopatlas.indicators.regional import panel_frame, population_frame

DATA = Path(__file__).resolve().parent / "data" / "series"
SOUTHERN_ASIA = ["AFG", "BGD", "BTN", "IND", "IRN", "LKA", "MDV", "NPL", "PAK"]


def frame(rows: dict[str, list[tuple[int, float]]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(series, year, value) for series, points in rows.items() for year, value in points],
        schema={"series": pl.String, "year": pl.Int32, "value": pl.Float64}, orient="row",
    )  # fmt: skip


def settings(**targets: tuple[float | None, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [(s, t, d) for s, (t, d) in targets.items()],
        schema={"series": pl.String, "target": pl.Float64, "direction": pl.String}, orient="row",
    )  # fmt: skip


def test_the_time_weighted_projection_gives_more_weight_to_recent_years() -> None:
    # Years 2015, 2017, 2020 (t = 15, 17, 20 from 2000) get weights 1, 3, 6. Weighted least squares:
    # Σw = 10, Σwt = 186, Σwy = 342, Σwt² = 3492, Σwty = 6384 -> slope = 228/324 = 19/27,
    # intercept = (342 − 186·19/27)/10 = 190/9, value in 2030 = 190/9 + 30·19/27 = 380/9.
    # Gap = (50 − 380/9) / (50 − 30) = 7/18: projected short of the target, moving towards it.
    result = anticipated_progress_index(frame({"a": [(2015, 30.0), (2017, 34.0), (2020, 35.0)]}),
                                        settings(a=(50.0, "higher"))).row(0, named=True)  # fmt: skip
    assert result["trend_per_year"] == pytest.approx(19 / 27)
    assert result["projected_value"] == pytest.approx(380 / 9)
    assert result["anticipated_gap"] == pytest.approx(7 / 18)
    assert result["classification"] == "accelerate"


def test_projections_reaching_the_target_maintain_and_wrong_way_trends_reverse() -> None:
    observations = frame({
        "u5": [(2000, 80.0), (2010, 60.0), (2015, 50.0), (2020, 40.0)],  # on the line 80 − 2t: 20 in 2030
        "worse": [(2015, 10.0), (2020, 9.0)],
        "parity": [(2015, 0.8), (2018, 0.85), (2021, 0.9)],
    })  # fmt: skip
    result = anticipated_progress_index(
        observations, settings(u5=(25.0, "lower"), worse=(20.0, "higher"), parity=(1.0, "exact"))
    )
    assert dict(zip(result["series"], result["classification"], strict=True)) == {
        "parity": "maintain", "u5": "maintain", "worse": "reverse",
    }  # fmt: skip
    assert result.filter(pl.col("series") == "u5")["projected_value"][0] == pytest.approx(20.0)
    # worse: slope −0.2/yr -> 2030: 7; gap = (20 − 7)/(20 − 10) = 1.3
    assert result.filter(pl.col("series") == "worse")["anticipated_gap"][0] == pytest.approx(1.3)


def test_current_status_index_is_progress_made_over_progress_needed() -> None:
    observations = frame({
        "u5": [(2000, 80.0), (2015, 50.0), (2020, 40.0)],
        "parity": [(2015, 0.8), (2021, 0.9)],
        "done": [(2015, 70.0), (2019, 96.0)],
        "back": [(2015, 10.0), (2022, 8.0)],
    })  # fmt: skip
    result = current_status_index(
        observations,
        settings(u5=(25.0, "lower"), parity=(1.0, "exact"), done=(95.0, "higher"), back=(20.0, "higher")),
    )
    rows = {row["series"]: row for row in result.to_dicts()}
    assert rows["u5"]["current_status_index"] == pytest.approx((40 - 50) / (25 - 50))  # 0.4
    assert rows["u5"]["expected_progress"] == pytest.approx(5 / 15)
    assert rows["u5"]["on_track_to_date"] is True
    assert rows["parity"]["current_status_index"] == pytest.approx(1 - 0.1 / 0.2)  # 0.5
    assert rows["done"]["current_status_index"] == 1.0
    assert rows["back"]["current_status_index"] == pytest.approx(-0.2)
    assert rows["back"]["on_track_to_date"] is False


def test_series_that_cannot_be_assessed_say_why_and_carry_no_number() -> None:
    observations = frame({"one": [(2018, 5.0)], "none": [(2016, 5.0), (2020, 6.0)], "flat": [(2015, 3.0), (2020, 4.0)]})
    result = current_status_index(
        observations, settings(one=(1.0, "lower"), none=(None, "higher"), flat=(3.0, "lower"), gone=(1.0, "lower"))
    )
    reasons = dict(zip(result["series"], result["reason"], strict=True))
    assert reasons == {
        "flat": "base_equals_target",
        "gone": "no_data",
        "none": "no_target",
        "one": "single_point_since_base",
    }
    assert result["current_status_index"].null_count() == 4


def test_champion_area_target_is_the_regional_base_grown_at_the_best_tenth_pace() -> None:
    # Ten countries; the best 10 % (one country) halves its rate each 10 years: g = 0.5^(1/10) − 1.
    countries = pl.DataFrame(
        [("m", f"C{i}", 2005, 100.0) for i in range(10)]
        + [("m", f"C{i}", 2015, 100.0 - i) for i in range(9)] + [("m", "C9", 2015, 50.0)],
        schema={"series": pl.String, "area": pl.String, "year": pl.Int32, "value": pl.Float64}, orient="row",
    )  # fmt: skip
    regional = frame({"m": [(2015, 60.0)]})
    targets = champion_area_targets(countries, regional, settings(m=(None, "lower"))).row(0, named=True)
    rate = 0.5 ** (1 / 10) - 1
    assert targets["champions"] == ["C9"]
    assert targets["champion_growth_rate"] == pytest.approx(rate)
    assert targets["target"] == pytest.approx(60.0 * (1 + rate) ** 15)  # 21.21...
    assert targets["target_source"] == "champion_area"


def test_coverage_needs_two_points_for_more_than_half_of_the_members() -> None:
    countries = pl.DataFrame(
        {"series": ["s"] * 5, "area": ["A", "A", "B", "B", "C"], "year": [2001, 2010, 2005, 2015, 2012],
         "value": [1.0] * 5},
    )  # fmt: skip
    assert coverage(countries, ["A", "B", "C", "D"])["covered"].to_list() == [False]  # 2 of 4 is not more than half
    assert coverage(countries, ["A", "B", "C"])["covered"].to_list() == [True]  # 2 of 3


def test_southern_asia_under_five_mortality_simple_and_population_weighted() -> None:
    countries, refusals = panel_frame(DATA / "under5_mortality_igme_southern_asia.csv")
    assert refusals == []
    simple = regional_aggregate(countries).filter(pl.col("year") == 2015).row(0, named=True)
    # Simple mean of the nine 2015 values (UN IGME), ESCAP's convention.
    assert simple["countries"] == 9
    assert simple["value"] == pytest.approx(38.70084444444444)
    weighted = regional_aggregate(countries, population_frame(DATA / "population_wdi_southern_asia.csv"))
    # Σ pop·u5 / Σ pop over the nine 2015 values: India (46.3, 1.33 bn) and Pakistan (78.0) weigh most.
    assert weighted.filter(pl.col("year") == 2015)["value"][0] == pytest.approx(48.14790109483964)
    region = assess_region(countries, settings(under5_mortality_igme_southern_asia=(25.0, "lower")), SOUTHERN_ASIA)
    row = region.row(0, named=True)
    assert (row["covered"], row["countries_with_two_points"], row["classification"]) == (True, 9, "maintain")
    assert row["current_status_index"] == pytest.approx((27.265177777777776 - 38.70084444444444) / (25 - 38.70084444444444))


def test_a_region_without_enough_data_is_refused_with_the_coverage_rule() -> None:
    countries, _ = panel_frame(DATA / "primary_completion_rate_uis_southern_asia.csv")
    region = assess_region(countries.filter(pl.col("area").is_in(["BGD", "NPL", "IND"])),
                           settings(primary_completion_rate_uis_southern_asia=(100.0, "higher")), SOUTHERN_ASIA)  # fmt: skip
    row = region.row(0, named=True)
    assert (row["reason"], row["countries_with_two_points"], row["members"]) == ("coverage", 3, 9)
    assert row_reason(row) == "coverage: 3 of 9 countries have two or more data points (more than half needed)"
    assert row["current_status_index"] is None


def test_only_a_trend_away_from_the_target_is_reverse() -> None:
    # UNECE SDG progress report 2025, "How is progress assessed?": red "if the currently observed trend runs
    # counter to the desired direction". "behind": the weighted line rises (towards 50) but its 2030 value
    # stays below the 2015 value, so the gap exceeds 1 — still "accelerate", not "reverse".
    observations = frame({
        "behind": [(2000, 0.0), (2014, 10.0), (2015, 40.0), (2016, 10.0), (2017, 12.0)],
        "away": [(2015, 40.0), (2020, 38.0)],
    })  # fmt: skip
    result = anticipated_progress_index(observations, settings(behind=(50.0, "higher"), away=(50.0, "higher")))
    rows = {row["series"]: row for row in result.to_dicts()}
    assert rows["behind"]["trend_per_year"] > 0
    assert rows["behind"]["anticipated_gap"] > 1
    assert rows["behind"]["classification"] == "accelerate"
    assert rows["away"]["trend_per_year"] == pytest.approx(-0.4)
    assert rows["away"]["classification"] == "reverse"


def test_a_flat_series_has_a_zero_trend_whatever_the_order_of_its_rows() -> None:
    # Equal values: slope exactly 0 and the value itself as the 2030 projection (before, the rounding residue
    # of the weighted sums, ±1e-16, decided between "accelerate" and "reverse" with the row order).
    points = [(year, 0.1 * 3) for year in range(2003, 2021)]
    forward = frame({"flat": points})
    backward = frame({"flat": points[::-1]})
    target = settings(flat=(0.9, "higher"))
    first = anticipated_progress_index(forward, target).row(0, named=True)
    second = anticipated_progress_index(backward, target).row(0, named=True)
    assert first == second
    assert (first["trend_per_year"], first["projected_value"]) == (0.0, 0.1 * 3)
    assert (first["anticipated_gap"], first["classification"]) == (1.0, "accelerate")


def test_unece_coverage_counts_countries_instead_of_a_share() -> None:
    # UNECE technical notes 2022: "at least two data points are available for at least 15 UNECE countries".
    rows = [("s", f"C{i}", year, 1.0) for i in range(15) for year in (2005, 2015)] + [("s", "C15", 2010, 1.0)]
    countries = pl.DataFrame(rows, schema=["series", "area", "year", "value"], orient="row")
    members = [f"C{i}" for i in range(40)]
    assert coverage(countries, members)["covered"].to_list() == [False]  # 15 of 40 is not more than half
    assert coverage(countries, members, min_countries=15)["covered"].to_list() == [True]
    assert coverage(countries.filter(pl.col("area") != "C0"), members, min_countries=15)["covered"].to_list() == [False]
