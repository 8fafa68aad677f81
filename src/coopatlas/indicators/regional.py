"""Regional and national assessments from series files or imported datasets, by the ESCAP and UNSD methods.

Inputs become the long frames the methods take (``series``/``area``/``year``/``value``); the method per
framework or indicator comes from ``FrameworkIndicator.effective_progress_method`` (``METHODS``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from coopatlas.indicators.methods import escap, unsd
from coopatlas.indicators.models import FrameworkIndicator, Observation, ProgressMethod
from coopatlas.indicators.series_io import read_series_file


def panel_frame(path: Path, headline_only: bool = True) -> tuple[pl.DataFrame, list[str]]:
    """A series file as ``series``/``area``/``year``/``value`` (countries by ISO3; headline rows only), plus refusals."""
    data = read_series_file(path)
    refusals = [str(r) for r in data.refusals]
    if data.frame is None:
        return pl.DataFrame(schema={"series": pl.String, "area": pl.String, "year": pl.Int32, "value": pl.Float64}), refusals
    frame = data.frame.filter(pl.col("iso3").is_not_null() & pl.col("period").is_null())
    if headline_only and data.dimensions:
        frame = frame.filter(pl.all_horizontal(pl.col(d).is_null() for d in data.dimensions))
    return frame.select("series", pl.col("iso3").alias("area"), "year", "value"), refusals


def population_frame(path: Path) -> pl.DataFrame:
    """``area``/``year``/``population`` from a tidy population file (panels/population_wdi.csv)."""
    frame, _ = panel_frame(path)
    return frame.select("area", "year", pl.col("value").alias("population"))


def region_members(region: str) -> list[str]:
    """ISO3 codes of a regional commission's members, or of the countries in an M49 region at any level."""
    from django.db.models import Q

    from coopatlas.geo.models import Country

    code = region.upper()
    countries = Country.objects.filter(
        Q(commissions__code=code) | Q(region_id=region) | Q(subregion_id=region) | Q(intermediate_region_id=region)
    )
    return sorted(set(countries.values_list("code", flat=True)))


def settings_frame(series: list[str], target: float | None, direction: str, target_year: int,
                   limit: float | None = None) -> pl.DataFrame:  # fmt: skip
    """One settings row per series with the same target, direction, target year and natural limit."""
    n = len(series)
    return pl.DataFrame(
        {"series": series, "target": [target] * n, "direction": [direction] * n, "target_year": [target_year] * n,
         "limit": [limit] * n},
        schema={"series": pl.String, "target": pl.Float64, "direction": pl.String, "target_year": pl.Int32,
                "limit": pl.Float64},
    )  # fmt: skip


def assess_escap_region(countries: pl.DataFrame, members: list[str], options: dict[str, Any],
                        population: pl.DataFrame | None = None) -> pl.DataFrame:  # fmt: skip
    """ESCAP assessment of the region formed by ``members`` for every series in ``countries``."""
    series = countries["series"].unique().sort().to_list()
    settings = settings_frame(series, options.get("target"), options["direction"], options["target_year"],
                              options.get("limit"))  # fmt: skip
    return escap.assess_region(countries, settings, members, population, base_year=options["base_year"],
                               target_year=options["target_year"], data_start=options["data_start"],
                               champion_share=options["champion_share"])  # fmt: skip


def assess_unsd_areas(countries: pl.DataFrame, options: dict[str, Any]) -> pl.DataFrame:
    """UNSD progress chart per area (one series per area and file series)."""
    frame = countries.with_columns(pl.format("{} / {}", "series", "area").alias("series"))
    settings = settings_frame(frame["series"].unique().sort().to_list(), options.get("target"), options["direction"],
                              options["target_year"])  # fmt: skip
    return unsd.progress_chart(frame.select("series", "year", "value"), settings, options["edition"],
                               options["base_year"], options["target_year"])  # fmt: skip


def indicator_frame(indicator: FrameworkIndicator) -> pl.DataFrame:
    """An indicator's headline observations over all its series, one series key per series and area."""
    rows = Observation.objects.filter(series__indicator=indicator, dimension_key="", period="").values_list(
        "series_id", "area__code", "year", "value"
    )
    return pl.DataFrame(
        [(f"{s}/{a}", y, v) for s, a, y, v in rows], schema={"series": pl.String, "year": pl.Int32, "value": pl.Float64},
        orient="row",
    )  # fmt: skip


def assess_indicator(indicator: FrameworkIndicator) -> pl.DataFrame:
    """Assess a framework indicator's observations with its own (or its framework's) method: ESCAP or UNSD."""
    method = indicator.effective_progress_method
    frame = indicator_frame(indicator)
    settings = pl.DataFrame(
        {"series": frame["series"].unique().to_list()},
        schema={"series": pl.String},
    ).with_columns(
        pl.lit(indicator.target_value, pl.Float64).alias("target"),
        pl.lit(indicator.direction).alias("direction"),
        pl.lit(indicator.base_year, pl.Int32).alias("base_year"),
        pl.lit(indicator.target_year, pl.Int32).alias("target_year"),
        pl.lit(indicator.natural_limit, pl.Float64).alias("limit"),
    )
    if method not in METHODS:
        raise ValueError(f"method {method!r} assesses Open SDG repositories; use assess_opensdg")
    return METHODS[method](frame, settings)


METHODS: dict[str, Callable[[pl.DataFrame, pl.DataFrame], pl.DataFrame]] = {
    ProgressMethod.ESCAP: lambda frame, settings: escap.current_status_index(frame, settings).join(
        escap.anticipated_progress_index(frame, settings).select(
            "series", "projected_value", "anticipated_gap", "classification"
        ),
        on="series",
        how="left",
    ),
    ProgressMethod.UNSD: lambda frame, settings: unsd.progress_chart(frame, settings),
}
