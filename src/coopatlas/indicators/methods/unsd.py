"""UNSD's SDG Progress Chart: the ratio of actual to required growth, and its classes.

Sources (read on 2026-11-26; details in docs/methods/unsd.md, section "Checked against"):

* UN Statistics Division, "Sustainable Development Goals Progress Chart 2022 — Technical Note"
  (https://unstats.un.org/sdgs/report/2022/Progress_Chart_Technical_Note_2022.pdf; table of contents read
  from a public copy): "II. The Proposed Methodology by the Task Team on SDG Progress Chart: a) Measuring
  the trend for indicators without an explicit numerical target; b) Measuring the trend for indicators
  with an explicit numerical target". Its formulas and cut-offs could not be read: edition "2022" (the
  ratio ``CR_a / CR_r`` of actual ``CR_a = (x_t / x_t0)^(1/(t − t0)) − 1`` to required
  ``CR_r = (x_T / x_t0)^(1/(T − t0)) − 1`` growth, cut-offs 0.95 / 0.5 / −0.1, no-target cut-offs
  2 % / 0.5 % / −0.5 %) is a documented choice.
* UNSD, "Progress Chart Technical Note 2023"
  (https://unstats.un.org/sdgs/files/report/2023/Progress_Chart_Technical_Note_2023.pdf), as implemented
  and quoted by Eustat's SDG platform (https://github.com/EUSTAT-DES/site, ``_pages/en/metodologia.md``,
  "Indicadores con valores objetivo para 2030" and "sin valores objetivo numéricos"):
  ``CAGR_a = (v_t / v_b)^(1/(t − b)) − 1``, ``v_2030^e = v_t × (1 + CAGR_a)^(2030 − t)``, classes on
  ``(v_2030^e − v_b) / (v_2030 − v_b)`` at 0.95 and 0.10; without a target, ``CAGR_a`` at 2 % and 0.5 %
  (−2 % and −0.5 % when a decrease is desirable); "when the last value meets the target, the target is
  considered achieved, whatever the trend" (exception 1). Edition "2023" follows these exactly.

Thresholds are parameters (``EDITIONS``). A series that cannot be assessed carries a ``reason`` (a
machine code, text in ``indicators/reasons.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from coopatlas.indicators.methods.escap import achieved, endpoints
from coopatlas.indicators.methods.frames import normalise_observations, normalise_settings, sign_of_direction

BASE_YEAR = 2015
TARGET_YEAR = 2030
TARGET_MET = "target_met"


@dataclass(frozen=True)
class Edition:
    """One edition of the chart's rules: which ratio, its class thresholds (descending) and the no-target ones."""

    name: str
    ratio: str  # "growth" (CR_a / CR_r) or "projection" ((v_2030^e − v_b) / (v_2030 − v_b))
    target_classes: tuple[tuple[float, str], ...]
    trend_classes: tuple[tuple[float, str], ...]
    lowest: str


EDITIONS: dict[str, Edition] = {
    "2022": Edition(
        "2022",
        "growth",
        ((0.95, "substantial_progress"), (0.5, "fair_progress_acceleration_needed"), (-0.1, "limited_or_no_progress")),
        ((0.02, "substantial_progress"), (0.005, "fair_progress_acceleration_needed"), (-0.005, "limited_or_no_progress")),
        "deterioration",
    ),
    "2023": Edition(
        "2023",
        "projection",
        ((0.95, "target_met_or_almost_met"), (0.10, "fair_progress_acceleration_needed")),
        ((0.02, "target_met_or_almost_met"), (0.005, "fair_progress_acceleration_needed")),
        "stagnation_or_regression",
    ),
}


def classify(value: pl.Expr, classes: tuple[tuple[float, str], ...], lowest: str) -> pl.Expr:
    """The first class whose threshold the value reaches (thresholds in descending order), else the lowest class."""
    expression: pl.Expr | pl.When | pl.Then | None = None
    for threshold, label in classes:
        condition = value >= threshold
        expression = (pl.when(condition) if expression is None else expression.when(condition)).then(pl.lit(label))  # type: ignore[union-attr]
    assert expression is not None
    return expression.otherwise(pl.lit(lowest))  # type: ignore[union-attr]


def progress_chart(
    observations: pl.DataFrame,
    settings: pl.DataFrame,
    edition: str = "2022",
    base_year: int = BASE_YEAR,
    target_year: int = TARGET_YEAR,
) -> pl.DataFrame:
    """Assess every series by the SDG Progress Chart rules of ``edition``: growth ratio (or CAGR without target) and class."""
    rules = EDITIONS[edition]
    observations = normalise_observations(observations)
    settings = normalise_settings(settings, base_year, target_year)
    frame = endpoints(observations, settings, data_start=0).join(settings, on="series", how="right")
    elapsed = pl.col("current_year") - pl.col("base_year_used")
    actual = (pl.col("current_value") / pl.col("base_value")) ** (1 / elapsed) - 1
    required = (pl.col("target") / pl.col("base_value")) ** (1 / (pl.col("target_year") - pl.col("base_year_used"))) - 1
    expected_2030 = pl.col("current_value") * (1 + pl.col("actual_growth")) ** (
        pl.col("target_year") - pl.col("current_year")
    )
    reason = (
        pl.when(pl.col("points").is_null()).then(pl.lit("no_data"))
        .when(pl.col("target").is_null() & (pl.col("direction") == "exact"))
        .then(pl.lit("exact_needs_target"))
        .when(elapsed <= 0).then(pl.lit("single_point_since_base"))
        .when((pl.col("base_value") <= 0) | (pl.col("current_value") <= 0))
        .then(pl.lit("not_positive"))
        .when(pl.col("target").is_not_null() & (pl.col("target_year") <= pl.col("base_year_used")))
        .then(pl.lit("target_year_not_after_base"))
        .when(pl.col("target").is_not_null() & (pl.col("direction") == "exact"))
        .then(pl.lit("exact_target_no_growth"))
        .when(pl.col("target").is_not_null() & (pl.col("target") == pl.col("base_value"))
              & ~achieved(pl.col("current_value")))
        .then(pl.lit("base_equals_target_no_growth"))
        .when((rules.ratio == "growth") & (pl.col("target") <= 0))
        .then(pl.lit("target_not_positive"))
    )  # fmt: skip
    frame = frame.with_columns(reason.alias("reason"))
    ok = pl.col("reason").is_null()
    frame = frame.with_columns(
        pl.when(ok).then(actual).alias("actual_growth"),
        pl.when(ok & pl.col("target").is_not_null()).then(required).alias("required_growth"),
    ).with_columns(pl.when(ok & pl.col("target").is_not_null()).then(expected_2030).alias("expected_value"))
    if rules.ratio == "growth":
        ratio = pl.col("actual_growth") / pl.col("required_growth")
    else:
        ratio = (pl.col("expected_value") - pl.col("base_value")) / (pl.col("target") - pl.col("base_value"))
    with_target = pl.col("target").is_not_null()
    met = with_target & achieved(pl.col("current_value"))
    frame = frame.with_columns(
        pl.when(ok & with_target & ~met).then(ratio).alias("ratio"),
        pl.when(ok & ~with_target).then(pl.col("actual_growth") * sign_of_direction()).alias("directed_growth"),
    )
    status = (
        pl.when(~ok).then(None)
        .when(met).then(pl.lit(TARGET_MET))
        .when(with_target).then(classify(pl.col("ratio"), rules.target_classes, rules.lowest))
        .otherwise(classify(pl.col("directed_growth"), rules.trend_classes, rules.lowest))
    )  # fmt: skip
    return frame.with_columns(status.alias("status"), pl.lit(rules.name).alias("edition")).select(
        "series", "direction", "target", "target_year", "base_year_used", "base_value", "current_year",
        "current_value", "actual_growth", "required_growth", "expected_value", "ratio", "directed_growth",
        "status", "edition", "reason",
    ).sort("series")  # fmt: skip
