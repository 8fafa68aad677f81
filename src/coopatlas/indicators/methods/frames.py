"""Shared shapes for the vectorised progress methods: one long frame of observations, one frame of settings.

Every method takes ``observations`` with columns ``series`` (any text key: an indicator series, a
country's series, a region's aggregate), ``year`` (int) and ``value`` (float), and ``settings`` with one
row per series: ``target`` (float or null), ``direction`` (``higher`` / ``lower`` / ``exact``), and
optionally ``base_year``, ``target_year`` and a natural ``limit``. The arithmetic runs over all series at once
(polars group-by and windows, ``numpy.bincount``), never a Python loop per row; a series that cannot be assessed
gets a ``reason``, never NaN.
"""

from __future__ import annotations

import numpy as np
import polars as pl

DIRECTIONS = ("higher", "lower", "exact")
SETTINGS_SCHEMA: dict[str, pl.DataType] = {
    "series": pl.String(),
    "target": pl.Float64(),
    "direction": pl.String(),
    "base_year": pl.Int32(),
    "target_year": pl.Int32(),
    "limit": pl.Float64(),
}


def normalise_observations(observations: pl.DataFrame) -> pl.DataFrame:
    """``series``/``year``/``value`` typed, rows without a finite value dropped, one row per series and year."""
    missing = [c for c in ("series", "year", "value") if c not in observations.columns]
    if missing:
        raise ValueError(f"observations need the columns series, year, value (missing {', '.join(missing)})")
    frame = observations.select(
        pl.col("series").cast(pl.String),
        pl.col("year").cast(pl.Int32),
        pl.col("value").cast(pl.Float64),
    ).filter(pl.col("value").is_finite() & pl.col("year").is_not_null())
    # One integer per (series, year) — the series' categorical code in the high 32 bits, the year shifted
    # to be non-negative in the low 32 — so that the uniqueness check is one hash count over integers
    # (a struct of a string and a year takes four times as long on 1 M rows); the slow exact search
    # runs only to name a duplicate.
    key = pl.col("series").cast(pl.Categorical).to_physical().cast(pl.Int64) * (1 << 32) + (
        pl.col("year").cast(pl.Int64) + (1 << 31)
    )
    if frame.select(key.n_unique()).item() != frame.height:
        duplicated = frame.filter(pl.struct("series", "year").is_duplicated())
        first = duplicated.row(0, named=True)
        raise ValueError(f"several values for series {first['series']!r} in {first['year']}")
    return frame


def normalise_settings(settings: pl.DataFrame, base_year: int, target_year: int) -> pl.DataFrame:
    """Settings with every column present and defaults filled; unknown directions are errors."""
    frame = settings
    for name, dtype in SETTINGS_SCHEMA.items():
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype).alias(name))
    frame = frame.select(pl.col(name).cast(dtype) for name, dtype in SETTINGS_SCHEMA.items()).with_columns(
        pl.col("base_year").fill_null(base_year),
        pl.col("target_year").fill_null(target_year),
        pl.col("direction").fill_null("higher"),
    )
    unknown = frame.filter(~pl.col("direction").is_in(DIRECTIONS))
    if unknown.height:
        raise ValueError(f"direction {unknown['direction'][0]!r} is not one of {', '.join(DIRECTIONS)}")
    return frame


def sign_of_direction() -> pl.Expr:
    """+1 when higher is better, -1 when lower is better, 0 for an exact value (handled apart)."""
    return (
        pl.when(pl.col("direction") == "higher").then(1.0).when(pl.col("direction") == "lower").then(-1.0).otherwise(0.0)
    )


def value_at(year_column: str, name: str) -> pl.Expr:
    """Aggregation: the value observed in the year held in ``year_column`` (per group)."""
    return pl.col("value").filter(pl.col("year") == pl.col(year_column).first()).first().alias(name)


def weighted_trend(observations: pl.DataFrame, weight: pl.Expr, origin: int = 2000) -> pl.DataFrame:
    """Per series: intercept ``_a`` and slope ``_b`` of the weighted least-squares line value = a + b·(year − origin).

    ``weight`` is evaluated on the whole frame at once, so a per-series quantity in it takes a window
    (``pl.col("year").min().over("series")``). The five weighted sums are plain columns added up per
    series with ``numpy.bincount``, which adds each series' terms one after the other in row order: the
    same arithmetic, to the last bit, as summing each group's expression (polars' own group-by sum
    compensates and differs in the last place). A series whose years give no line has a null slope.
    """
    t = (pl.col("year") - origin).cast(pl.Float64)
    y = pl.col("value")
    # The weight is computed once (a window in it would otherwise run once per weighted sum), then the
    # five products: the same float operations in the same order as before, so the same bits.
    w = pl.col("_w")
    terms = observations.with_columns(weight.cast(pl.Float64).alias("_w")).select(
        pl.col("series"),
        w.alias("sw"),
        (w * t).alias("swt"),
        (w * y).alias("swy"),
        (w * t * t).alias("swtt"),
        (w * t * y).alias("swty"),
    )
    keys = terms.select(pl.col("series").unique(maintain_order=True)).with_row_index("_id")
    ids = terms.select("series").join(keys, on="series", how="left", maintain_order="left")["_id"].to_numpy()
    sums = keys.select("series").with_columns(
        pl.Series(name, np.bincount(ids, weights=terms[name].to_numpy(), minlength=keys.height), dtype=pl.Float64)
        for name in ("sw", "swt", "swy", "swtt", "swty")
    )
    sw, swt, swy, swtt, swty = (pl.col(name) for name in ("sw", "swt", "swy", "swtt", "swty"))
    denominator = sw * swtt - swt * swt
    slope = pl.when(denominator.abs() > 0).then((sw * swty - swt * swy) / denominator).otherwise(None)
    return sums.select("series", slope.alias("_b"), ((swy - slope * swt) / sw).alias("_a"))
