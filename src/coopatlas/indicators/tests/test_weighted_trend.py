"""The vectorised weighted least-squares trend (``frames.weighted_trend``) against a plain per-series computation."""

from __future__ import annotations

import random

import polars as pl
import pytest

from coopatlas.indicators.methods.frames import weighted_trend

WEIGHT = (pl.col("year") - pl.col("year").min().over("series") + 1).cast(pl.Float64)


def reference(points: list[tuple[int, float]], origin: int = 2000) -> tuple[float | None, float | None]:
    """Slope and intercept of one series, weight ``year − first year + 1``, sums taken in row order."""
    first = min(year for year, _ in points)
    sw = swt = swy = swtt = swty = 0.0
    for year, value in points:
        w, t = float(year - first + 1), float(year - origin)
        sw += w
        swt += w * t
        swy += w * value
        swtt += w * t * t
        swty += w * t * value
    denominator = sw * swtt - swt * swt
    if abs(denominator) == 0:
        return None, None
    slope = (sw * swty - swt * swy) / denominator
    return slope, (swy - slope * swt) / sw


def random_observations(seed: int) -> tuple[pl.DataFrame, dict[str, list[tuple[int, float]]]]:
    """Ragged series (1 to 25 years, gaps, a constant one, single points), rows shuffled across series."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    series: dict[str, list[tuple[int, float]]] = {}
    for i in range(300):
        years = sorted(rng.sample(range(2000, 2025), rng.randint(1, 25)))
        level, scale = rng.uniform(-50, 500), rng.choice([1e-3, 1.0, 1e3])
        series[f"s{i}"] = [(year, level + scale * rng.gauss(0, 1)) for year in years]
    series["constant"] = [(year, 42.0) for year in range(2003, 2020)]
    rows = [(key, year, value) for key, points in series.items() for year, value in points]
    rng.shuffle(rows)
    for key in series:  # the reference adds in the frame's row order, as a group-by would
        series[key] = [(year, value) for k, year, value in rows if k == key]
    frame = pl.DataFrame(rows, schema={"series": pl.String, "year": pl.Int32, "value": pl.Float64}, orient="row")
    return frame, series


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weighted_trend_matches_a_per_series_reference(seed: int) -> None:
    frame, series = random_observations(seed)
    result = {row["series"]: row for row in weighted_trend(frame, WEIGHT).iter_rows(named=True)}
    assert set(result) == set(series)
    for key, points in series.items():
        slope, intercept = reference(points)
        row = result[key]
        if slope is None:
            assert row["_b"] is None and row["_a"] is None, key
            continue
        assert row["_b"] == pytest.approx(slope, rel=1e-12, abs=1e-12), key
        assert row["_a"] == pytest.approx(intercept, rel=1e-12, abs=1e-12), key


def test_weighted_trend_equals_the_group_by_expressions_it_replaced() -> None:
    """Bit for bit: the earlier per-group aggregation (weights from a per-group ``min()``) gave these numbers."""
    frame, _ = random_observations(4)
    t = (pl.col("year") - 2000).cast(pl.Float64)
    w = (pl.col("year") - pl.col("year").min() + 1).cast(pl.Float64)
    sw, swt, swy = w.sum(), (w * t).sum(), (w * pl.col("value")).sum()
    swtt, swty = (w * t * t).sum(), (w * t * pl.col("value")).sum()
    denominator = sw * swtt - swt * swt
    slope = pl.when(denominator.abs() > 0).then((sw * swty - swt * swy) / denominator).otherwise(None)
    before = frame.group_by("series").agg(slope.alias("_b"), ((swy - slope * swt) / sw).alias("_a")).sort("series")
    assert weighted_trend(frame, WEIGHT).sort("series").equals(before)


def test_weighted_trend_of_no_rows_is_an_empty_frame() -> None:
    empty = pl.DataFrame(schema={"series": pl.String, "year": pl.Int32, "value": pl.Float64})
    result = weighted_trend(empty, WEIGHT)
    assert result.height == 0
    assert result.schema == pl.Schema({"series": pl.String, "_b": pl.Float64, "_a": pl.Float64})
