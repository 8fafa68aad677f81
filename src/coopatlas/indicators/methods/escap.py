"""ESCAP's SDG progress assessment, used by all five UN regional commissions.

Sources (quoted and discussed in docs/methods/escap.md):

* ESCAP Statistics Division, Working Paper SD/WP/05 (May 2017), A. Bidarbakht Nia, "Tracking progress
  towards the SDGs: measuring the otherwise ambiguous progress": target setting by the "champion area"
  and two measures, one "the gap between expected and targeted progress by 2030", the other "the
  progress made since 2000 in relation to the progress needed during 2000 to 2030"; with its
  companion SD/WP/04 (2017) on the data situation.
* ESCAP, Asia and the Pacific SDG Progress Report, Annex "Technical notes" (data.unescap.org,
  "Progress assessment methodology"): current status index and anticipated progress index, simple
  averages for regional aggregates, indicator selection by "two or more data points for more than
  50 per cent of the countries".
* UNECE, SDG progress report technical notes (w3.unece.org/sdg2022, sdg2023, sdg2026): 2030 values
  from a "time-weighted linear regression [that] gives more importance to more recent data"; the index
  reports "the anticipated gap between the target value and the projected value for 2030 relative to
  the progress required between 2015 and 2030".

Every function works on all series at once (see ``frames.py``); a series that cannot be assessed
carries a ``reason`` and null measures.
"""

from __future__ import annotations

import math

import polars as pl

from coopatlas.indicators.methods.frames import (
    normalise_observations,
    normalise_settings,
    sign_of_direction,
    value_at,
    weighted_trend,
)

BASE_YEAR = 2015
TARGET_YEAR = 2030
DATA_START = 2000
CHAMPION_SHARE = 0.10
COVERAGE_SHARE = 0.5
MAINTAIN, ACCELERATE, REVERSE = "maintain", "accelerate", "reverse"


def endpoints(observations: pl.DataFrame, settings: pl.DataFrame, data_start: int) -> pl.DataFrame:
    """Per series: the year closest to the base year (earlier on a tie) and its value, the latest year and value."""
    joined = observations.filter(pl.col("year") >= data_start).join(settings, on="series", how="inner")
    distance = (pl.col("year") - pl.col("base_year")).abs() * 2 + (pl.col("year") > pl.col("base_year")).cast(pl.Int32)
    ranked = joined.with_columns(distance.alias("_distance"))
    return ranked.group_by("series").agg(
        pl.col("year").sort_by("_distance").first().alias("base_year_used"),
        pl.col("value").sort_by("_distance").first().alias("base_value"),
        pl.col("year").max().alias("current_year"),
        pl.col("value").sort_by("year").last().alias("current_value"),
        pl.col("year").n_unique().alias("points"),
    )


def achieved(value: pl.Expr) -> pl.Expr:
    """Whether ``value`` is at or beyond the target in the desired direction (equal for an exact target)."""
    return (
        pl.when(pl.col("direction") == "higher")
        .then(value >= pl.col("target"))
        .when(pl.col("direction") == "lower")
        .then(value <= pl.col("target"))
        .otherwise(value == pl.col("target"))
    )


def current_status_index(
    observations: pl.DataFrame,
    settings: pl.DataFrame,
    base_year: int = BASE_YEAR,
    target_year: int = TARGET_YEAR,
    data_start: int = DATA_START,
) -> pl.DataFrame:
    """ESCAP current status index: progress made since the base year relative to the progress needed by 2030.

    ESCAP technical notes, "Current Status Index", step 1: for a target value TV,
    ``CSI = (I_current − I_base) / (TV − I_base)``; 1 when the target is already achieved, negative
    for regression; for an exact target (parity) ``CSI = 1 − |TV − I_current| / |TV − I_base|``.
    ``expected`` is the share of the period already elapsed, ``(t − base) / (2030 − base)``: a series
    is on track to date when ``CSI ≥ expected``.
    """
    observations = normalise_observations(observations)
    settings = normalise_settings(settings, base_year, target_year)
    ends = endpoints(observations, settings, data_start).join(settings, on="series", how="right")
    needed = pl.col("target") - pl.col("base_value")
    made = pl.col("current_value") - pl.col("base_value")
    linear = made / needed
    parity = 1 - (pl.col("target") - pl.col("current_value")).abs() / needed.abs()
    reason = (
        pl.when(pl.col("points").is_null())
        .then(pl.lit("no data"))
        .when(pl.col("target").is_null())
        .then(pl.lit("no target value (set one, or use the champion-area target)"))
        .when(pl.col("current_year") <= pl.col("base_year_used"))
        .then(pl.lit("a single data point since the base year"))
        .when(pl.col("target_year") <= pl.col("base_year_used"))
        .then(pl.lit("target year not after the base year"))
        .when((needed == 0) & ~achieved(pl.col("current_value")))
        .then(pl.lit("base value equals the target but the current value does not"))
    )
    result = ends.with_columns(reason.alias("reason"))
    index = (
        pl.when(pl.col("reason").is_not_null())
        .then(None)
        .when(achieved(pl.col("current_value")))
        .then(1.0)
        .when(pl.col("direction") == "exact")
        .then(parity)
        .otherwise(linear)
    )
    expected = (pl.col("current_year") - pl.col("base_year_used")) / (pl.col("target_year") - pl.col("base_year_used"))
    return result.with_columns(
        index.alias("current_status_index"),
        pl.when(pl.col("reason").is_null()).then(expected).alias("expected_progress"),
    ).with_columns(
        (pl.col("current_status_index") >= pl.col("expected_progress")).alias("on_track_to_date")
    ).select(
        "series", "direction", "target", "base_year_used", "base_value", "current_year", "current_value",
        "current_status_index", "expected_progress", "on_track_to_date", "reason",
    ).sort("series")  # fmt: skip


def anticipated_progress_index(
    observations: pl.DataFrame,
    settings: pl.DataFrame,
    base_year: int = BASE_YEAR,
    target_year: int = TARGET_YEAR,
    data_start: int = DATA_START,
) -> pl.DataFrame:
    """ESCAP anticipated progress index: the gap between the projected 2030 value and the target.

    The 2030 value comes from a time-weighted least-squares line over the data since ``data_start``,
    weight ``w = year − first year + 1`` (recent data weigh more; UNECE technical notes). The gap is
    ``G = (TV − Î_2030) / (TV − I_base)`` — the part of the progress required from the base year that
    the projection leaves undone (for an exact target, ``|TV − Î_2030| / |TV − I_base|``). Classes:
    ``maintain`` when the projection reaches the target (G ≤ 0), ``reverse`` when the fitted trend does
    not move towards the target or the projection is no better than the base value (G ≥ 1), else
    ``accelerate``.
    """
    observations = normalise_observations(observations)
    settings = normalise_settings(settings, base_year, target_year)
    window = observations.filter(pl.col("year") >= data_start)
    weight = (pl.col("year") - pl.col("year").min().over("series") + 1).cast(pl.Float64)
    trends = weighted_trend(window, weight)
    ends = endpoints(observations, settings, data_start).join(settings, on="series", how="right")
    frame = ends.join(trends, on="series", how="left")
    projected = pl.col("_a") + pl.col("_b") * (pl.col("target_year") - 2000)
    needed = pl.col("target") - pl.col("base_value")
    frame = frame.with_columns(projected.alias("projected_value"))
    towards = pl.col("_b") * needed
    reason = (
        pl.when(pl.col("points").is_null())
        .then(pl.lit("no data"))
        .when(pl.col("target").is_null())
        .then(pl.lit("no target value (set one, or use the champion-area target)"))
        .when(pl.col("points") < 2)
        .then(pl.lit("a single data point"))
        .when(pl.col("target_year") <= pl.col("base_year_used"))
        .then(pl.lit("target year not after the base year"))
        .when((needed == 0) & ~achieved(pl.col("projected_value")))
        .then(pl.lit("base value equals the target but the projection does not"))
    )
    frame = frame.with_columns(reason.alias("reason"))
    gap = pl.when(pl.col("direction") == "exact").then(
        (pl.col("target") - pl.col("projected_value")).abs() / needed.abs()
    ).otherwise((pl.col("target") - pl.col("projected_value")) / needed)
    crossed = pl.when(pl.col("direction") == "exact").then(
        (pl.col("target") - pl.col("projected_value")) * needed <= 0
    ).otherwise(achieved(pl.col("projected_value")))
    ok = pl.col("reason").is_null()
    classification = (
        pl.when(~ok).then(None)
        .when(crossed).then(pl.lit(MAINTAIN))
        .when((towards <= 0) | (gap >= 1)).then(pl.lit(REVERSE))
        .otherwise(pl.lit(ACCELERATE))
    )  # fmt: skip
    return frame.with_columns(
        pl.when(ok).then(pl.col("projected_value")).alias("projected_value"),
        pl.when(ok & ~crossed).then(gap).when(ok).then(0.0).alias("anticipated_gap"),
        classification.alias("classification"),
        pl.when(ok).then(pl.col("_b")).alias("trend_per_year"),
    ).select(
        "series", "direction", "target", "target_year", "base_year_used", "base_value", "points", "trend_per_year",
        "projected_value", "anticipated_gap", "classification", "reason",
    ).sort("series")  # fmt: skip


def growth_rates(countries: pl.DataFrame, data_start: int = DATA_START) -> pl.DataFrame:
    """Per series and area: compound annual growth rate from the first year since ``data_start`` to the latest."""
    window = countries.filter((pl.col("year") >= data_start) & pl.col("value").is_finite())
    ends = window.group_by("series", "area").agg(
        pl.col("year").min().alias("first_year"),
        pl.col("year").max().alias("last_year"),
        pl.col("value").sort_by("year").first().alias("first_value"),
        pl.col("value").sort_by("year").last().alias("last_value"),
    )
    usable = (pl.col("last_year") > pl.col("first_year")) & (pl.col("first_value") > 0) & (pl.col("last_value") > 0)
    rate = (pl.col("last_value") / pl.col("first_value")) ** (1 / (pl.col("last_year") - pl.col("first_year"))) - 1
    return ends.with_columns(pl.when(usable).then(rate).alias("growth_rate"))


def champion_area_targets(
    countries: pl.DataFrame,
    regional: pl.DataFrame,
    settings: pl.DataFrame,
    share: float = CHAMPION_SHARE,
    base_year: int = BASE_YEAR,
    target_year: int = TARGET_YEAR,
    data_start: int = DATA_START,
) -> pl.DataFrame:
    """Fill missing targets by ESCAP's champion area (SD/WP/05): the 2030 value the region would reach at the champions' pace.

    The champion area is the best-performing ``share`` of the region's countries (at least one) ranked
    by their compound annual growth rate in the desired direction; its pace is the mean of their rates;
    the target is ``I_region,base × (1 + g_champion)^(target_year − base_year)``, kept within the
    natural ``limit`` when the settings give one. Exact-value targets
    (parity) are never derived. Returns the settings with ``target`` filled and ``target_source``.
    """
    settings = normalise_settings(settings, base_year, target_year)
    rates = growth_rates(countries, data_start).filter(pl.col("growth_rate").is_not_null())
    ranked = rates.join(settings.select("series", "direction"), on="series").filter(pl.col("direction") != "exact")
    ranked = ranked.with_columns((pl.col("growth_rate") * sign_of_direction()).alias("_merit"))
    ranked = ranked.with_columns(
        pl.col("_merit").rank("ordinal", descending=True).over("series").alias("_rank"),
        pl.len().over("series").alias("_countries"),
    )
    champions = ranked.filter(
        pl.col("_rank") <= (pl.col("_countries").cast(pl.Float64) * share).ceil().clip(lower_bound=1)
    ).group_by("series").agg(
        pl.col("growth_rate").mean().alias("champion_growth_rate"), pl.col("area").sort().alias("champions")
    )
    base = endpoints(normalise_observations(regional), settings, data_start).select("series", "base_value")
    derived = settings.join(champions, on="series", how="left").join(base, on="series", how="left")
    champion_target = pl.col("base_value") * (1 + pl.col("champion_growth_rate")) ** (
        pl.col("target_year") - base_year
    )
    # A derived target never passes the natural limit (100 for a percentage, 0 for a rate).
    champion_target = (
        pl.when(pl.col("limit").is_null()).then(champion_target)
        .when(pl.col("direction") == "higher").then(pl.min_horizontal(champion_target, pl.col("limit")))
        .otherwise(pl.max_horizontal(champion_target, pl.col("limit")))
    )  # fmt: skip
    return derived.with_columns(
        pl.when(pl.col("target").is_not_null()).then(pl.lit("given"))
        .when(champion_target.is_not_null()).then(pl.lit("champion_area")).alias("target_source"),
        pl.coalesce(pl.col("target"), champion_target).alias("target"),
    ).drop("base_value")  # fmt: skip


def interpolate_countries(countries: pl.DataFrame) -> pl.DataFrame:
    """Each country's series filled linearly between its first and last observed years (never extrapolated)."""
    observed = countries.filter(pl.col("value").is_finite()).select("series", "area", "year", "value")
    grid = (
        observed.group_by("series", "area")
        .agg(pl.int_ranges(pl.col("year").min(), pl.col("year").max() + 1).first().alias("year"))
        .explode("year")
        .with_columns(pl.col("year").cast(pl.Int32))
    )
    filled = grid.join(observed, on=["series", "area", "year"], how="left").sort("series", "area", "year")
    return filled.with_columns(pl.col("value").interpolate_by("year").over("series", "area"))


def regional_aggregate(
    countries: pl.DataFrame,
    population: pl.DataFrame | None = None,
    interpolate: bool = True,
    min_countries: int = 1,
) -> pl.DataFrame:
    """Regional value per series and year: the simple mean of the countries with data (ESCAP), or population-weighted.

    With ``interpolate`` each country's values are first filled linearly between its observed years,
    so that a year's mean does not jump when a country without a survey that year drops out; years
    with fewer than ``min_countries`` countries are left out. ``population`` has ``area``, ``year``,
    ``population``; countries without a population that year are left out of the weighted mean
    (``countries`` says how many entered each value).
    """
    frame = interpolate_countries(countries) if interpolate else countries.filter(pl.col("value").is_finite())
    if population is None:
        aggregate = frame.group_by("series", "year").agg(
            pl.col("value").mean().alias("value"), pl.col("area").n_unique().alias("countries")
        )
    else:
        weighted = frame.join(population.select("area", "year", "population"), on=["area", "year"], how="inner")
        aggregate = weighted.group_by("series", "year").agg(
            ((pl.col("value") * pl.col("population")).sum() / pl.col("population").sum()).alias("value"),
            pl.col("area").n_unique().alias("countries"),
        )
    return aggregate.filter(pl.col("countries") >= min_countries).sort("series", "year")


def coverage(
    countries: pl.DataFrame, members: list[str], data_start: int = DATA_START, share: float = COVERAGE_SHARE
) -> pl.DataFrame:
    """ESCAP's selection rule per series: two or more data points for more than ``share`` of the region's countries."""
    points = (
        countries.filter((pl.col("year") >= data_start) & pl.col("area").is_in(members) & pl.col("value").is_finite())
        .group_by("series", "area")
        .agg(pl.col("year").n_unique().alias("points"))
    )
    counted = points.group_by("series").agg((pl.col("points") >= 2).sum().alias("countries_with_two_points"))
    return counted.with_columns(
        pl.lit(len(members)).alias("members"),
        (pl.col("countries_with_two_points") > share * len(members)).alias("covered"),
    ).sort("series")


def assess_region(
    countries: pl.DataFrame,
    settings: pl.DataFrame,
    members: list[str],
    population: pl.DataFrame | None = None,
    base_year: int = BASE_YEAR,
    target_year: int = TARGET_YEAR,
    data_start: int = DATA_START,
    champion_share: float = CHAMPION_SHARE,
) -> pl.DataFrame:
    """A region's assessment per series: coverage, aggregate, targets (given or champion area), CSI and API."""
    members = sorted(set(members))
    in_region = countries.filter(pl.col("area").is_in(members))
    covered = coverage(in_region, members, data_start)
    # Years where at most half of the members have (interpolated) data would average a different region.
    regional = regional_aggregate(in_region, population, min_countries=len(members) // 2 + 1)
    targets = champion_area_targets(in_region, regional, settings, champion_share, base_year, target_year, data_start)
    assessable = regional.join(covered.filter(pl.col("covered")).select("series"), on="series", how="semi")
    status = current_status_index(assessable.select("series", "year", "value"), targets, base_year, target_year,
                                  data_start)  # fmt: skip
    anticipated = anticipated_progress_index(assessable.select("series", "year", "value"), targets, base_year,
                                             target_year, data_start)  # fmt: skip
    result = (
        targets.select("series", "target_source", "champion_growth_rate", "champions")
        .join(covered, on="series", how="left")
        .join(status.drop("reason"), on="series", how="left")
        .join(anticipated.select("series", "trend_per_year", "projected_value", "anticipated_gap",
                                 "classification", "reason"), on="series", how="left")  # fmt: skip
    )
    not_covered = pl.format(
        "coverage: {} of {} countries have two or more data points (more than half needed)",
        pl.col("countries_with_two_points").fill_null(0), pl.lit(len(members)),
    )  # fmt: skip
    return result.with_columns(
        pl.when(~pl.col("covered").fill_null(False)).then(not_covered).otherwise(pl.col("reason")).alias("reason")
    ).sort("series")


def rows_as_dicts(frame: pl.DataFrame) -> list[dict[str, object]]:
    """A result frame as JSON-ready rows: NaN never leaks (it becomes null)."""
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                row[key] = None
    return rows
