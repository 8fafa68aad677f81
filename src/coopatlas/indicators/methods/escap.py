"""ESCAP's SDG progress assessment, used by all five UN regional commissions.

Sources (read on 2026-11-26; what each settles is in docs/methods/escap.md, section "Checked against"):

* ESCAP, "Progress Assessment Methodology — Technical notes", SDG Gateway
  (https://data.unescap.org/resource-guides/progress-assessment-methodology and the 2026 update,
  https://data.unescap.org/index.php/resources/progress-assessment-methodology, "Last update: 4 March
  2026"): the current status index ("How much progress has been made since 2015?") and the anticipated
  progress index ("the gap between predicted value of the indicator and the specified target value"),
  both "constructed at the level of sub-indicator"; regional values are simple averages "to avoid bias
  towards bigger countries"; selection: "two or more data points for more than 50 per cent of the
  countries". The earlier edition (https://data.unescap.org/dataviz/methodology/technical-notes.html)
  measures the current status from 2000: "the progress made since 2000, in relation to the progress
  needed to reach the SDG target by 2030", in two steps (indicator metric, then goal average).
* UNECE, "Technical notes on the progress assessment", SDG progress reports 2022, 2023, 2026
  (https://w3.unece.org/sdg2022/technical-notes.html, /sdg2023/, /sdg2026/), section "Assessment
  measure": "Recent data are given more weight [...]. For targets that will not be achieved, the Index
  reports the anticipated gap between the target value and the projected value for 2030 relative to the
  progress required between 2015 and 2030"; "The time-weighted linear regression used for the estimation
  gives more importance to more recent data". The 2026 notes cite ESCAP (2025), Annex 1 "Technical notes
  – methodology to measure progress", pp. 55–59 of the Asia and the Pacific SDG progress report 2025.
* UNECE, "Progress in the UNECE region — How is progress assessed?", 2025
  (https://w3.unece.org/sdg2025/progress-assessment.html): targets without an explicit 2030 value get one
  by "the 'champion area' approach"; green "if the pace of progress is sufficient to reach the target
  value by 2030; yellow if progress needs to accelerate [...]; and red if the currently observed trend
  runs counter to the desired direction" — the rule of ``anticipated_progress_index``'s classes.
* UNECA, "SDG Progress Assessment Graphs 2019" (https://iprt.uneca.org/eca-progress/ProgressAssessment.html):
  "If a bar reaches or crosses the 2019 line, the country has made the expected progress to date"
  (``on_track_to_date``); classes "MAINTAIN progress", "ACCELERATE progress", "REVERSE trend".
* ESCAP Statistics Division Working Papers SD/WP/04 (March 2017), "Weighted extrapolation method for
  measuring SDGs" (https://www.unescap.org/resources/working-paper-series-sdwp04march-2017-weighted-extrapolation-method-measuring-sdgs:
  "a time-related weighting system that increases accuracy of extrapolation methods"), and SD/WP/05
  (May 2017), A. Bidarbakht Nia, "Tracking progress towards the SDGs: measuring the otherwise ambiguous
  progress" (target setting by the "champion area"; two measures). Only their abstracts and front
  matter could be read: the weight formula and the champion share are documented choices.

Every function works on all series at once (see ``frames.py``); a series that cannot be assessed
carries a ``reason`` — a machine code whose text is in ``indicators/reasons.py`` — and null measures.
"""

from __future__ import annotations

import math

import polars as pl

from coopatlas.indicators.methods.frames import (
    normalise_observations,
    normalise_settings,
    sign_of_direction,
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

    ESCAP technical notes (data.unescap.org/dataviz/methodology/technical-notes.html, "Current Status
    Index", step 1): "the values for the current year and the [base] year can be used to measure the
    progress made [...] in relation to the progress needed to reach the SDG target by 2030", i.e.
    ``CSI = (I_current − I_base) / (TV − I_base)``; 1 when the target is already achieved, negative for
    regression. The notes' formula image could not be read: the ratio is the quoted definition, and the
    exact-target (parity) form ``CSI = 1 − |TV − I_current| / |TV − I_base|`` is our choice (an
    independent implementation, UNICEF MENARO's SDG trend scripts, uses the same two forms ×10). Base
    year 2015 (2026 notes; the earlier edition used 2000: ``base_year=2000``). ``expected`` is the share
    of the period elapsed, ``(t − base) / (2030 − base)``: on track to date when ``CSI ≥ expected``
    (UNECA 2019: "If a bar reaches or crosses the 2019 line, the country has made the expected progress").
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
        .then(pl.lit("no_data"))
        .when(pl.col("target").is_null())
        .then(pl.lit("no_target"))
        .when(pl.col("current_year") <= pl.col("base_year_used"))
        .then(pl.lit("single_point_since_base"))
        .when(pl.col("target_year") <= pl.col("base_year_used"))
        .then(pl.lit("target_year_not_after_base"))
        .when((needed == 0) & ~achieved(pl.col("current_value")))
        .then(pl.lit("base_equals_target"))
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
    weight ``w = year − first year + 1`` (UNECE technical notes: "gives more importance to more recent
    data"; the linear weights are our choice, SD/WP/04's formula could not be read). The gap is
    ``G = (TV − Î_2030) / (TV − I_base)``, "the anticipated gap between the target value and the projected
    value for 2030 relative to the progress required between 2015 and 2030" (UNECE technical notes); for
    an exact target ``|TV − Î_2030| / |TV − I_base|``. Classes (UNECE 2025, "How is progress assessed?"):
    ``maintain`` when the projection reaches the target (G ≤ 0); ``reverse`` when "the currently observed
    trend runs counter to the desired direction" (fitted slope away from the target); else ``accelerate``
    — also when the slope is exactly 0 (a flat trend does not run counter: our reading) or when the
    projection ends below the base value while the trend moves towards the target (G > 1).
    """
    observations = normalise_observations(observations)
    settings = normalise_settings(settings, base_year, target_year)
    window = observations.filter(pl.col("year") >= data_start)
    weight = (pl.col("year") - pl.col("year").min().over("series") + 1).cast(pl.Float64)
    # A series whose values in the window are all equal has a flat trend: slope exactly 0 and the value itself,
    # not the rounding residue of the weighted sums (about 1e-16 of either sign, which made its class flip
    # between "accelerate" and "reverse" with the order of the input rows).
    flat = window.group_by("series").agg(
        (pl.col("value").max() == pl.col("value").min()).alias("_flat"), pl.col("value").first().alias("_level")
    )
    level = pl.col("_flat") & pl.col("_b").is_not_null()
    trends = (
        weighted_trend(window, weight)
        .join(flat, on="series", how="left")
        .select(
            "series",
            pl.when(level).then(0.0).otherwise(pl.col("_b")).alias("_b"),
            pl.when(level).then(pl.col("_level")).otherwise(pl.col("_a")).alias("_a"),
        )
    )
    ends = endpoints(observations, settings, data_start).join(settings, on="series", how="right")
    frame = ends.join(trends, on="series", how="left")
    projected = pl.col("_a") + pl.col("_b") * (pl.col("target_year") - 2000)
    needed = pl.col("target") - pl.col("base_value")
    frame = frame.with_columns(projected.alias("projected_value"))
    towards = pl.col("_b") * needed
    reason = (
        pl.when(pl.col("points").is_null())
        .then(pl.lit("no_data"))
        .when(pl.col("target").is_null())
        .then(pl.lit("no_target"))
        .when(pl.col("points") < 2)
        .then(pl.lit("single_point"))
        .when(pl.col("target_year") <= pl.col("base_year_used"))
        .then(pl.lit("target_year_not_after_base"))
        .when((needed == 0) & ~achieved(pl.col("projected_value")))
        .then(pl.lit("base_equals_target_projection"))
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
        .when(towards < 0).then(pl.lit(REVERSE))
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
    natural ``limit`` when the settings give one. Sources: the method's name and purpose, SD/WP/05
    ("A method based on the concept of 'champion area' provides objective and feasible target values");
    its use for "the others" (targets without a 2030 value in the 2030 Agenda), UNECE 2025 "How is
    progress assessed?". The paper's formula could not be read: the share (10 %), ranking by growth
    rate since 2000 and the mean of the champions' rates are documented choices. Exact-value targets
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
    countries: pl.DataFrame,
    members: list[str],
    data_start: int = DATA_START,
    share: float = COVERAGE_SHARE,
    min_countries: int | None = None,
) -> pl.DataFrame:
    """ESCAP's selection rule per series: two or more data points for more than ``share`` of the region's countries.

    ESCAP technical notes, "Selection of indicators": "Availability of two or more data points for more
    than 50 per cent of the countries in the corresponding region or country group". UNECE's variant
    (technical notes 2022, "Estimation and aggregation": "at least two data points are available for at
    least 15 UNECE countries") is ``min_countries=15``, which replaces the share.
    """
    points = (
        countries.filter((pl.col("year") >= data_start) & pl.col("area").is_in(members) & pl.col("value").is_finite())
        .group_by("series", "area")
        .agg(pl.col("year").n_unique().alias("points"))
    )
    counted = points.group_by("series").agg((pl.col("points") >= 2).sum().alias("countries_with_two_points"))
    return counted.with_columns(
        pl.lit(len(members)).alias("members"),
        (
            pl.col("countries_with_two_points") >= min_countries
            if min_countries is not None
            else pl.col("countries_with_two_points") > share * len(members)
        ).alias("covered"),
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
    # The reason is the code "coverage"; its message takes countries_with_two_points and members from the row.
    return result.with_columns(pl.lit(len(members)).alias("members")).with_columns(
        pl.when(~pl.col("covered").fill_null(False)).then(pl.lit("coverage")).otherwise(pl.col("reason")).alias("reason")
    ).sort("series")


def rows_as_dicts(frame: pl.DataFrame) -> list[dict[str, object]]:
    """A result frame as JSON-ready rows: NaN never leaks (it becomes null)."""
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                row[key] = None
    return rows
