"""Leave-no-one-behind measures on worked examples and on real disaggregated rows (tests/data/series)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from coopatlas.indicators.lnob import (
    adjusted_parity_index,
    dissimilarity_index,
    furthest_groups,
    gap_change,
    group_gaps,
    inequality,
    oda_gap,
    palma_from_decile_shares,
    sex_parity,
)

DATA = Path(__file__).resolve().parent / "data" / "series"


def test_adjusted_parity_index_is_symmetric_around_one() -> None:
    frame = pl.DataFrame({"f": [90.0, 100.0, 50.0], "m": [100.0, 80.0, 0.0]})
    assert frame.select(adjusted_parity_index(pl.col("f"), pl.col("m")))["f"].to_list() == pytest.approx(
        [0.9, 2 - 80 / 100, 2.0]
    )


def test_sex_parity_of_primary_completion_in_afghanistan() -> None:
    uis = pl.read_csv(DATA / "primary_completion_rate_by_sex_uis.csv")
    parity = sex_parity(uis.filter(pl.col("iso3") == "AFG"), ["iso3", "year"]).row(0, named=True)
    # UIS 2011: girls 26.63788 %, boys 53.74893 % -> F/M = 0.49560
    assert (parity["year"], parity["female"], parity["male"]) == (2011, 26.63788, 53.74893)
    assert parity["parity_index"] == pytest.approx(26.63788 / 53.74893)
    assert parity["adjusted_parity_index"] == pytest.approx(26.63788 / 53.74893)


def test_dissimilarity_index_worked_example() -> None:
    # ȳ = .5·10 + .3·20 + .2·60 = 23; Σ p|y − ȳ| = 6.5 + 0.9 + 7.4 = 14.8; D = 14.8 / 46
    frame = pl.DataFrame({"c": ["x"] * 3, "value": [10.0, 20.0, 60.0], "weight": [50.0, 30.0, 20.0]})
    assert dissimilarity_index(frame, ["c"])["D"][0] == pytest.approx(14.8 / 46)


def test_wealth_quintile_gaps_in_bangladesh_primary_completion() -> None:
    rows = pl.read_csv(DATA / "completion_rate_primary_by_quintile_sdgdb.csv").filter(
        (pl.col("iso3") == "BGD") & (pl.col("quantile") != "t")
    )
    gaps = furthest_groups(rows, ["iso3", "year"], "quantile")
    first = gaps.filter(pl.col("year") == 2004).row(0, named=True)
    # 2004: q1 36.41, q2 56.1, q3 66.14, q4 80.58, q5 79.66 — the fourth quintile, not the richest, is ahead.
    assert (first["furthest_behind"], first["furthest_ahead"], first["groups"]) == ("q1", "q4", 5)
    assert (first["behind_value"], first["ahead_value"], first["gap"]) == (36.41, 80.58, pytest.approx(44.17))
    moved = gap_change(gaps, ["iso3"]).row(0, named=True)
    assert moved["first_year"] == 2004 and moved["latest_year"] > 2004
    assert moved["change"] == pytest.approx(moved["latest_gap"] - moved["first_gap"])
    # Quintiles hold a fifth of the population each: D with equal weights.
    dissimilarity = dissimilarity_index(rows.with_columns(pl.lit(1.0).alias("weight")), ["iso3", "year"])
    d2004 = dissimilarity.filter(pl.col("year") == 2004).row(0, named=True)
    values = rows.filter(pl.col("year") == 2004)["value"].to_list()
    mean = sum(values) / 5
    assert d2004["D"] == pytest.approx(sum(abs(v - mean) for v in values) / 5 / (2 * mean))
    versus_richest = group_gaps(rows, ["iso3", "year"], "quantile", "q5").filter(pl.col("year") == 2004)
    assert versus_richest.filter(pl.col("quantile") == "q1")["difference"][0] == pytest.approx(36.41 - 79.66)


def test_gini_palma_theil_worked_example() -> None:
    # Incomes 1, 2, 3, 4, 10 (mean 4): Gini = Σ|xi − xj| / (2n²μ) = 80/200 = 0.4;
    # Palma = (1 − L(0.9)) / L(0.4) = 0.25 / 0.15; Theil T = (1/n) Σ (x/μ) ln(x/μ) = 0.2763636...
    result = inequality(pl.DataFrame({"c": ["a"] * 5, "value": [1.0, 2.0, 3.0, 4.0, 10.0]}), ["c"]).row(0, named=True)
    assert result["gini"] == pytest.approx(0.4)
    assert result["palma"] == pytest.approx(0.25 / 0.15)
    assert result["theil_t"] == pytest.approx(0.27636361895732137)
    assert palma_from_decile_shares([2, 3, 4, 5, 6, 7, 9, 11, 15, 38]) == pytest.approx(38 / 14)


def test_oda_shortfall_matches_what_one_published() -> None:
    tidy = pl.read_csv(DATA / "oda_pct_gni_one_extract.csv").rename(
        {"value": "oda_pct_gni", "oda_usd_million_constant_2025": "oda_amount"}
    )
    gaps = oda_gap(tidy)
    uk2000 = gaps.filter((pl.col("iso3") == "GBR") & (pl.col("year") == 2000)).row(0, named=True)
    # GNI = 7400.088 / 0.0031749 = 2,330,809 million; 0.7 % of it = 16,316; shortfall 8,916 (ONE: "8.92 billion").
    assert uk2000["gni"] == pytest.approx(7400.088327 / 0.0031749)
    assert uk2000["shortfall"] == pytest.approx(0.007 * 7400.088327 / 0.0031749 - 7400.088327)
    assert not uk2000["meets_target"]
    published = pl.read_csv(DATA / "oda_gni_single_year_ts_one_extract.csv")

    def million(text: str) -> float:
        number, unit = text.split()
        return float(number) * (1000 if unit == "billion" else 1)

    names = dict(zip(tidy["donor"], tidy["iso3"], strict=False))
    checked = 0
    for donor, year, short in published.select("Donor", "Year", "ODA short of 0.7% commitment").iter_rows():
        mine = gaps.filter((pl.col("iso3") == names[donor]) & (pl.col("year") == year))["shortfall"][0]
        assert mine == pytest.approx(million(short), abs=0.006 * max(million(short), 1000)), (donor, year)
        checked += 1
    assert checked == 28
