"""Open SDG's progress measure, as sdg-build computes it and Open SDG platforms publish it.

Source: Open SDG progress methodology (open-sdg.org, "Progress status" and "Progress calculation"
pages) and its implementation in open-sdg/sdg-build ``sdg/ProgressMeasure.py`` (classes
``IndicatorProgress`` and ``SeriesProgress``). For each configured series:

* observed growth is the compound annual growth rate (CAGR) from the base year to the latest year;
  without a target (method 1) it is compared with thresholds 1.5 % / 0.5 % / 0, reduced near a
  natural ``limit`` by the coefficient ``1 - (base/limit)^4.44``; with a target (method 2) the ratio of
  observed to required CAGR is compared with 0.95 / 0.6 / 0;
* a score in [-5, 5] follows from piecewise-linear functions of that value (5 when the target is
  achieved); the indicator's score is the mean over its series (and nested ``group`` entries),
  its status follows from the score (2.5 / 0 / -2.5), "target achieved" only if every scored
  series achieved its target.

Conventions reproduced from the published results (Canada's ``indicator_calculation_components.yml``):
a configured field value that is absent selects nothing; the other disaggregation columns must be
empty; base value 0 and target 0 become 0.001; a base value equal to the target gives no progress
value (the required growth is zero); series keys longer than 122 characters have their parts
shortened, shortest parts first, each cut part ending in "...".

Selection is per configuration (small frames); the arithmetic is vectorised over all series at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from coopatlas.indicators.opensdg_repository import (
    ATTRIBUTE_COLUMN,
    INTERNAL_COLUMNS,
    NON_DISAGGREGATION_COLUMNS,
    PROGRESS_COLUMN,
)

SERIES_COLUMN = "Series"
UNIT_COLUMN = "Units"
KEY_MAX_LENGTH = 122
METHOD1_THRESHOLDS = {"high": 0.015, "med": 0.005, "low": 0.0}
METHOD2_THRESHOLDS = {"high": 0.95, "med": 0.6, "low": 0.0}
LIMIT_EXPONENT = 4.44
STATUS_ORDER = ("target_achieved", "substantial_progress", "moderate_progress", "limited_progress", "deterioration")


@dataclass(frozen=True)
class SeriesOptions:
    """One entry of ``progress_calculation_options``: which rows, and the target, limit and direction to use."""

    series: str | None = None
    unit: str | None = None
    disaggregation: tuple[tuple[str, str], ...] = ()
    base_year: int = 2015
    target: float | None = None
    target_year: int = 2030
    direction: int = -1
    limit: Any = None
    thresholds: tuple[tuple[str, float], ...] = ()

    @property
    def method(self) -> int:
        """1 without a target (qualitative), 2 with one (quantitative)."""
        return 1 if self.target is None else 2


@dataclass
class OptionsGroup:
    """A ``group:`` entry: its members are averaged first, then count as one entry of the parent."""

    members: list[SeriesOptions | OptionsGroup]


def text(value: Any) -> str:
    """A configured value as the text it matches in a CSV (YAML may give 2 or 2.0 for "2")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def number(value: Any, name: str, problems: list[str]) -> float | None:
    """A configured number, or None with a problem noted."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            return float(str(value))
        except ValueError:
            problems.append(f"{name} {value!r} is not a number")
            return None
    return float(value)


def parse_options(entries: Any, problems: list[str]) -> list[SeriesOptions | OptionsGroup]:
    """``progress_calculation_options`` as typed options; malformed entries are noted and skipped."""
    if not entries:
        return [SeriesOptions()]
    if not isinstance(entries, list):
        problems.append("progress_calculation_options is not a list")
        return []
    parsed: list[SeriesOptions | OptionsGroup] = []
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append(f"progress option {entry!r} is not a mapping")
            continue
        if "group" in entry:
            parsed.append(OptionsGroup(parse_options(entry["group"] or [], problems)))
            continue
        disaggregation: list[tuple[str, str]] = []
        for item in entry.get("disaggregation") or []:
            if isinstance(item, dict) and "field" in item and "value" in item:
                disaggregation.append((str(item["field"]), text(item["value"])))
            else:
                problems.append(f"disaggregation {item!r} needs a field and a value")
        target = number(entry.get("target"), "target", problems)
        if target == 0:
            target = 0.001  # sdg-build: a zero target would divide by zero
        thresholds = entry.get("progress_thresholds") or {}
        parsed.append(
            SeriesOptions(
                series=None if entry.get("series") is None else text(entry["series"]),
                unit=None if entry.get("unit") is None else text(entry["unit"]),
                disaggregation=tuple(disaggregation),
                base_year=int(entry.get("base_year", 2015)),
                target=target,
                target_year=int(entry.get("target_year", 2030)),
                direction=1 if entry.get("direction") == "positive" else -1,
                limit=entry.get("limit"),
                thresholds=tuple((str(k), float(v)) for k, v in thresholds.items() if k in ("high", "med", "low")),
            )
        )
    return parsed


def series_key(indicator: str, options: SeriesOptions) -> str:
    """The key Open SDG publishes: ``indicator / series / unit / values``, parts shortened beyond 122 characters."""
    parts = [p for p in (options.series, options.unit) if p is not None] + [v for _, v in options.disaggregation]
    full = " / ".join([indicator, *parts])
    if len(full) <= KEY_MAX_LENGTH:
        return full
    budget = KEY_MAX_LENGTH - len(indicator) - 3 * len(parts)
    shortened = list(parts)
    remaining = len(parts)
    for index in sorted(range(len(parts)), key=lambda i: len(parts[i])):
        allowance = budget // remaining
        if len(parts[index]) > allowance:
            shortened[index] = parts[index][: max(allowance - 3, 0)] + "..."
        budget -= len(shortened[index])
        remaining -= 1
    return " / ".join([indicator, *shortened])


def select_rows(frame: pl.DataFrame | None, options: SeriesOptions) -> tuple[pl.DataFrame, str | None]:
    """The (Year, Value) rows of one configured series, or no rows and the reason."""
    empty = pl.DataFrame(schema={"Year": pl.Int32, "Value": pl.Float64})
    if frame is None or frame.height == 0:
        return empty, "no_data"
    data = frame
    if PROGRESS_COLUMN in data.columns:
        # sdg-build: a Progress column replaces the values for the calculation.
        data = data.with_columns(pl.col(PROGRESS_COLUMN).alias("Value"))
    wanted = [(UNIT_COLUMN, options.unit), (SERIES_COLUMN, options.series), *options.disaggregation]
    for column, value in wanted:
        if value is None:
            continue
        if column not in data.columns:
            return empty, f"column {column!r} not in the data"
        data = data.filter(pl.col(column) == value)
        if data.height == 0:
            return empty, f"no rows with {column} = {value!r}"
    used = {column for column, _ in options.disaggregation}
    others = [
        c
        for c in data.columns
        if c not in NON_DISAGGREGATION_COLUMNS
        and c not in used
        and c not in (PROGRESS_COLUMN, *INTERNAL_COLUMNS)
        and not ATTRIBUTE_COLUMN.match(c)
    ]
    if others:
        data = data.filter(pl.all_horizontal(pl.col(c).is_null() for c in others))
    for column in (SERIES_COLUMN, UNIT_COLUMN):
        if column in data.columns and data[column].n_unique() > 1:
            values = sorted(str(v) for v in data[column].unique().to_list())
            return empty, f"several sub-series remain in {column}: {', '.join(values[:4])}; name one in the options"
    data = data.filter(pl.col("Value").is_not_null()).select("Year", "Value")
    if data.height == 0:
        return empty, "no_values"
    duplicated = data.filter(pl.col("Year").is_duplicated())["Year"].unique().sort().to_list()
    if duplicated:
        return empty, f"several values for year {', '.join(map(str, duplicated))} in the selected rows"
    return data, None


def threshold_columns(options: SeriesOptions) -> dict[str, float]:
    """Default thresholds of the method, updated by the configured ones (before any limit reduction)."""
    thresholds = dict(METHOD1_THRESHOLDS if options.method == 1 else METHOD2_THRESHOLDS)
    thresholds.update(dict(options.thresholds))
    return thresholds


def growth(current: pl.Expr, base: pl.Expr, years: pl.Expr) -> pl.Expr:
    """Compound annual growth rate: (current / base)^(1 / years) - 1 (sdg-build ``growth_calculation``)."""
    return (current / base) ** (1.0 / years) - 1.0


def assess(rows: pl.DataFrame, parameters: pl.DataFrame) -> pl.DataFrame:
    """Vectorised progress components of many series: ``rows`` (sid, Year, Value) x ``parameters`` (one row per sid)."""
    keyed = rows.join(parameters.select("sid", "base_year_config"), on="sid")
    latest = keyed.group_by("sid").agg(
        pl.col("Year").max().alias("current_year"),
        pl.col("Value").sort_by("Year").last().alias("current_value"),
        pl.when((pl.col("Year") == pl.col("base_year_config")).any())
        .then(pl.col("base_year_config").first())
        .otherwise(pl.col("Year").filter(pl.col("Year") > pl.col("base_year_config")).min())
        .alias("base_year_found"),
    )
    base = latest.join(
        keyed.select("sid", pl.col("Year").alias("base_year_found"), pl.col("Value").alias("base_value_found")),
        on=["sid", "base_year_found"],
        how="left",
    )
    frame = parameters.join(base, on="sid", how="left")
    has_data = pl.col("current_year").is_not_null()
    found = pl.col("base_value_found")
    method1 = pl.col("target").is_null()
    direction = pl.col("direction").cast(pl.Float64)
    frame = frame.with_columns(
        pl.when(has_data).then(pl.when(found < 0).then(-1).otherwise(1)).otherwise(None).alias("sign"),
        pl.when(has_data).then(pl.when(found == 0).then(0.001).otherwise(found)).alias("base_value"),
        pl.when(has_data).then(pl.col("base_year_found")).otherwise(pl.col("base_year_config")).alias("base_year"),
    )
    base_abs, limit_abs = found.abs(), pl.col("limit_value").abs()
    coefficient = (
        pl.when(method1.not_() | pl.col("limit_value").is_null() | found.is_null())
        .then(1.0)
        .when(base_abs >= 2 * limit_abs)
        .then(1.0)
        .when(base_abs <= limit_abs)
        .then(1.0 - (base_abs / limit_abs) ** LIMIT_EXPONENT)
        .otherwise(1.0 - ((2 * limit_abs - base_abs) / limit_abs) ** LIMIT_EXPONENT)
    )
    frame = frame.with_columns(coefficient.alias("coefficient"))
    reduce = pl.when(method1).then(pl.col("coefficient")).otherwise(1.0)
    frame = frame.with_columns((pl.col(k) * reduce).alias(k) for k in ("high", "med", "low"))
    bv, cv = pl.col("base_value"), pl.col("current_value")
    by, cy = pl.col("base_year").cast(pl.Float64), pl.col("current_year").cast(pl.Float64)
    target, target_year = pl.col("target"), pl.col("target_year").cast(pl.Float64)
    reason = (
        pl.when(has_data.not_())
        .then(pl.col("selection_problem"))
        .when(pl.col("base_year_found").is_null())
        .then(pl.lit("all_before_base"))
        .when(((bv > 0) & (cv < 0)) | ((bv < 0) & (cv > 0)))
        .then(pl.lit("opposite_signs"))
        .when(cy - by < 1)
        .then(pl.lit("single_point_since_base"))
        .when(method1.not_() & (target_year <= by))
        .then(pl.lit("target_year_not_after_base"))
        .when(method1.not_() & (target / bv <= 0))
        .then(pl.lit("target_base_opposite_signs"))
        .when(method1.not_() & (growth(target, bv, target_year - by) == 0))
        .then(pl.lit("base_equals_target_no_growth"))
        .otherwise(None)
    )
    frame = frame.with_columns(reason.alias("reason"))
    observed = growth(cv, bv, cy - by)
    required = growth(target, bv, target_year - by)
    sign_direction = pl.col("sign").cast(pl.Float64) * direction
    progress = pl.when(method1).then(sign_direction * observed).otherwise(sign_direction * observed / required.abs())
    achieved = (
        method1.not_()
        & has_data
        & (((direction == -1) & (cv <= target)) | ((direction == 1) & (cv >= target)))
    )
    frame = frame.with_columns(
        pl.when(pl.col("reason").is_null()).then(progress).otherwise(None).alias("progress_value"),
        achieved.fill_null(False).alias("target_achieved"),
    )
    pv, high, med, low, coeff = (pl.col(c) for c in ("progress_value", "high", "med", "low", "coefficient"))
    status = (
        pl.when(pl.col("target_achieved"))
        .then(pl.lit("target_achieved"))
        .when(pv.is_null())
        .then(pl.lit("not_available"))
        .when(pv >= high)
        .then(pl.lit("substantial_progress"))
        .when(pv >= med)
        .then(pl.lit("moderate_progress"))
        .when(pv >= low)
        .then(pl.lit("limited_progress"))
        .otherwise(pl.lit("deterioration"))
    )
    # Score functions of sdg-build ``SeriesProgress.get_score`` (fixed to the default thresholds' shape).
    score1 = (
        pl.when(pv < low)
        .then(pl.max_horizontal(125 * pv - 2.5, pl.lit(-5.0)))
        .when(coeff == 0)
        .then(5.0)
        .when(pv >= high)
        .then(pl.min_horizontal(500 * pv / coeff - 5, pl.lit(5.0)))
        .when(pv >= med)
        .then(250 * pv / coeff - 1.25)
        .otherwise(500 * pv / coeff - 2.5)
    )
    score2 = (
        pl.when(pv >= med)
        .then(pl.min_horizontal(7.1429 * pv - 4.2857, pl.lit(5.0)))
        .otherwise(pl.max_horizontal(4.1667 * pv - 2.5, pl.lit(-5.0)))
    )
    score = (
        pl.when(pl.col("target_achieved"))
        .then(5.0)
        .when(pv.is_null())
        .then(None)
        .when(method1)
        .then(score1)
        .otherwise(score2)
    )
    return frame.with_columns(status.alias("status"), score.alias("score")).sort("sid")


@dataclass
class SeriesResult:
    """The published components of one series, plus why it has no progress value when it has none."""

    key: str
    components: dict[str, Any]
    target_achieved: bool
    reason: str | None

    @property
    def score(self) -> float | None:
        return self.components["score"]


@dataclass
class IndicatorResult:
    """An indicator's progress status and score, with its series' components."""

    code: str
    progress_status: str
    score: float | None
    series: list[SeriesResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def components(self) -> dict[str, Any]:
        """The structure of Open SDG's ``indicator_calculation_components.yml`` for this indicator."""
        result: dict[str, Any] = {"progress_status": self.progress_status, "score": self.score}
        for series in self.series:
            result[series.key] = series.components
        return result


def flatten(entries: list[SeriesOptions | OptionsGroup]) -> list[SeriesOptions]:
    """Every series option of a (nested) list, in order."""
    flat: list[SeriesOptions] = []
    for entry in entries:
        flat.extend(flatten(entry.members) if isinstance(entry, OptionsGroup) else [entry])
    return flat


def to_python(value: Any) -> Any:
    """NaN never leaves this module: it becomes None."""
    if isinstance(value, float) and value != value:
        return None
    return value


def status_from_score(score: float | None, target_achieved: bool) -> str:
    """sdg-build ``get_progress_status_from_score``: 2.5 / 0 / -2.5 cut the [-5, 5] range into four statuses."""
    if target_achieved:
        return "target_achieved"
    if score is None:
        return "not_available"
    if score >= 2.5:
        return "substantial_progress"
    if score >= 0:
        return "moderate_progress"
    if score >= -2.5:
        return "limited_progress"
    return "deterioration"


def roll_up(entries: list[SeriesOptions | OptionsGroup], results: dict[int, SeriesResult]) -> tuple[float | None, bool]:
    """Mean score of the entries that have one (groups averaged first) and whether all of them achieved the target."""
    scores: list[float] = []
    achieved: list[bool] = []
    for entry in entries:
        if isinstance(entry, OptionsGroup):
            score, reached = roll_up(entry.members, results)
        else:
            result = results[id(entry)]
            score, reached = result.score, result.target_achieved
        if score is not None:
            scores.append(score)
            achieved.append(reached)
    if not scores:
        return None, False
    return sum(scores) / len(scores), all(achieved)


@dataclass
class IndicatorInput:
    """What the method needs for one indicator: its data frame and its Open SDG settings."""

    code: str
    frame: pl.DataFrame | None
    settings: dict[str, Any]


def measure_progress(indicators: list[IndicatorInput]) -> list[IndicatorResult]:
    """Open SDG progress of many indicators at once (Open SDG progress methodology; sdg-build ProgressMeasure)."""
    plans: list[tuple[IndicatorInput, list[SeriesOptions | OptionsGroup], list[str]]] = []
    parameter_rows: list[dict[str, Any]] = []
    row_frames: list[pl.DataFrame] = []
    by_sid: list[tuple[str, SeriesOptions]] = []
    for indicator in indicators:
        problems: list[str] = []
        if indicator.settings.get("auto_progress_calculation") is not True:
            plans.append((indicator, [], problems))
            continue
        entries = parse_options(indicator.settings.get("progress_calculation_options"), problems)
        plans.append((indicator, entries, problems))
        for options in flatten(entries):
            sid = len(by_sid)
            by_sid.append((series_key(indicator.code, options), options))
            rows, problem = select_rows(indicator.frame, options)
            row_frames.append(rows.with_columns(pl.lit(sid, dtype=pl.Int64).alias("sid")))
            parameter_rows.append(
                {
                    "sid": sid,
                    "base_year_config": options.base_year,
                    "target": options.target,
                    "target_year": options.target_year,
                    "direction": options.direction,
                    "limit_value": None if options.limit is None else float(options.limit),
                    "selection_problem": problem,
                    **threshold_columns(options),
                }
            )
    computed: dict[int, SeriesResult] = {}
    if parameter_rows:
        schema = {
            "sid": pl.Int64, "base_year_config": pl.Int32, "target": pl.Float64, "target_year": pl.Int32,
            "direction": pl.Int8, "limit_value": pl.Float64, "selection_problem": pl.String,
            "high": pl.Float64, "med": pl.Float64, "low": pl.Float64,
        }  # fmt: skip
        parameters = pl.DataFrame(parameter_rows, schema=schema)
        rows = pl.concat([f.select("sid", pl.col("Year").cast(pl.Int32), "Value") for f in row_frames])
        for record in assess(rows, parameters).iter_rows(named=True):
            key, options = by_sid[record["sid"]]
            computed[id(options)] = series_result(key, options, record)
    results: list[IndicatorResult] = []
    for indicator, entries, problems in plans:
        if indicator.settings.get("auto_progress_calculation") is not True:
            manual = indicator.settings.get("progress_status", "")
            results.append(IndicatorResult(indicator.code, str(manual or ""), None, problems=problems))
            continue
        score, achieved = roll_up(entries, computed)
        series = [computed[id(options)] for options in flatten(entries)]
        status = status_from_score(score, achieved)
        results.append(IndicatorResult(indicator.code, status, score, series, problems))
    return results


def series_result(key: str, options: SeriesOptions, record: dict[str, Any]) -> SeriesResult:
    """One computed row as the components Open SDG publishes (floats where sdg-build writes floats)."""

    def as_float(value: Any) -> float | None:
        value = to_python(value)
        return None if value is None else float(value)

    has_data = record["current_year"] is not None
    components = {
        "base_value": as_float(record["base_value"]) if has_data else None,
        "base_year": as_float(record["base_year"]),
        "current_value": as_float(record["current_value"]),
        "current_year": as_float(record["current_year"]),
        "direction": options.direction,
        "limit": options.limit,
        "progress_value": as_float(record["progress_value"]),
        "score": as_float(record["score"]),
        "sign": record["sign"],
        "status": record["status"],
        "target": options.target,
        "target_year": float(options.target_year),
    }
    return SeriesResult(key, components, bool(record["target_achieved"]), record["reason"])
