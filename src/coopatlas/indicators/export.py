"""Export observations — CSV (tidy long), SDMX-CSV, SDMX-ML and JSON — from one long frame (``observations_frame``).

One data frame, several renderers (the Datasette habit): every format carries the same rows.
SDMX-CSV follows SDMX-CSV 1.0 (first column ``DATAFLOW``, then dimensions, ``OBS_VALUE``, attributes);
dimension and attribute identifiers are those of the UN SDG Global Database DSD.
"""

from __future__ import annotations

import json

import polars as pl

from coopatlas.indicators.sdmx_structure import AGENCY, DATAFLOW, to_sdmx_ml
from coopatlas.indicators.series_io import SDG_DIMENSIONS

FIXED_COLUMNS = ("series", "indicator", "unit", "area_kind", "area", "m49", "year", "period", "value", "status")


def dimension_columns(frame: pl.DataFrame) -> list[str]:
    """The disaggregation columns of an observations frame, in SDG DSD order first."""
    extra = [c for c in frame.columns if c not in FIXED_COLUMNS]
    return sorted(extra, key=lambda c: (SDG_DIMENSIONS.index(c) if c in SDG_DIMENSIONS else len(SDG_DIMENSIONS), c))


def to_csv(frame: pl.DataFrame) -> str:
    """Tidy long CSV: series, indicator, unit, area, year, period, disaggregations, value, status."""
    columns = ["series", "indicator", "unit", "area_kind", "area", "year", "period", *dimension_columns(frame),
               "value", "status"]  # fmt: skip
    return frame.select(c for c in columns if c in frame.columns).write_csv()


def sdmx_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with SDMX-CSV columns: SERIES, REF_AREA (M49 where known), TIME_PERIOD, OBS_VALUE, dimensions, attributes."""
    dimensions = dimension_columns(frame)
    return frame.select(
        pl.lit(f"{AGENCY}:{DATAFLOW}(1.0)").alias("DATAFLOW"),
        pl.col("series").alias("SERIES"),
        pl.coalesce(pl.col("m49"), pl.col("area")).alias("REF_AREA"),
        *[pl.col(d).fill_null("_T").alias(d) for d in dimensions],
        pl.coalesce(pl.when(pl.col("period") != "").then(pl.col("period")), pl.col("year").cast(pl.String)).alias(
            "TIME_PERIOD"
        ),
        pl.col("value").alias("OBS_VALUE"),
        pl.col("unit").alias("UNIT_MEASURE"),
        pl.col("status").alias("OBS_STATUS"),
    )


def to_sdmx_csv(frame: pl.DataFrame) -> str:
    """SDMX-CSV 1.0 text."""
    return sdmx_rows(frame).write_csv()


def to_sdmx_xml(frame: pl.DataFrame) -> bytes:
    """SDMX-ML 2.1 structure-specific data (sdmx1 writer)."""
    return to_sdmx_ml(sdmx_rows(frame).drop("DATAFLOW"))


def to_json(frame: pl.DataFrame) -> str:
    """JSON: ``{"columns": [...], "rows": [[...], ...]}`` in the CSV's column order."""
    columns = ["series", "indicator", "unit", "area_kind", "area", "year", "period", *dimension_columns(frame),
               "value", "status"]  # fmt: skip
    selected = frame.select(c for c in columns if c in frame.columns)
    return json.dumps({"columns": selected.columns, "rows": selected.rows()}, ensure_ascii=False)
