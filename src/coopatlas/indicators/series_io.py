"""Read series files — tidy long CSV, SDMX-CSV, SDMX-ML (UN SDG Global Database structure) — into one checked frame.

parse -> validate -> (``import_series.py``) map -> upsert -> report. The canonical frame has one row per
observation: ``line``, ``series``, ``year``, ``period``, ``value``, area columns (``iso3``, ``m49``,
``area_other``, ``area_name``), ``status``, ``footnote`` and one column per disaggregation named by
its SDMX concept of the SDG Data Structure Definition (``SEX``, ``AGE``, ``URBANISATION``,
``INCOME_WEALTH_QUANTILE``, ``EDUCATION_LEV``, ...). Totals (``_T``) are not disaggregations: a row
whose dimensions are all totals is the headline. Nothing raises on bad content: refusals are kept
per file and row.

Sources: SDMX 2.1 (ISO 17369) SDMX-ML and SDMX-CSV; the UN SDG Global Database DSD (``DSD_SDG``,
dataflow ``DF_SDG_GLH`` of agency ``IAEG-SDGs``) and its code lists (CL_SEX, CL_URBANISATION,
CL_INCOME_WEALTH_QUANTILE, CL_EDUCATION_LEV_ISCED11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from coopatlas.indicators.opensdg_repository import Refusal, parse_number

#: The dimensions of the SDG DSD, in its order (TIME_PERIOD last); the first two are not disaggregations.
SDG_DIMENSIONS: tuple[str, ...] = (
    "FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA", "SEX", "AGE", "URBANISATION", "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV", "OCCUPATION", "CUST_BREAKDOWN", "COMPOSITE_BREAKDOWN", "DISABILITY_STATUS", "ACTIVITY",
    "PRODUCT",
)  # fmt: skip
SDG_ATTRIBUTES: tuple[str, ...] = ("UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS", "NATURE", "SOURCE_DETAIL", "COMMENT_OBS",
                                   "BASE_PER", "TIME_DETAIL", "UPPER_BOUND", "LOWER_BOUND")  # fmt: skip
NOT_DISAGGREGATIONS = {"FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA", "TIME_PERIOD", "DATAFLOW", "OBS_VALUE"}
TOTAL = "_T"
#: Controlled code lists (SDMX codes), and the codes tidy files use for the same things.
CONTROLLED: dict[str, set[str]] = {
    "SEX": {"_T", "F", "M"},
    "URBANISATION": {"_T", "U", "R"},
    "INCOME_WEALTH_QUANTILE": {"_T", "Q1", "Q2", "Q3", "Q4", "Q5", "B40", "B50"},
    "EDUCATION_LEV": {"_T", "ISCED11_1", "ISCED11_2", "ISCED11_3"},
}
TIDY_CODES: dict[str, dict[str, str]] = {
    "SEX": {"bothsex": "_T", "total": "_T", "female": "F", "male": "M"},
    "URBANISATION": {"allarea": "_T", "urban": "U", "rural": "R"},
    "INCOME_WEALTH_QUANTILE": {"t": "_T", **{f"q{i}": f"Q{i}" for i in range(1, 6)}, "b40": "B40", "b50": "B50"},
    "EDUCATION_LEV": {"primar": "ISCED11_1", "lowsec": "ISCED11_2", "uppsec": "ISCED11_3"},
}
#: Tidy column name -> SDMX concept.
TIDY_DIMENSIONS = {"sex": "SEX", "age": "AGE", "location": "URBANISATION", "quantile": "INCOME_WEALTH_QUANTILE",
                   "education_level": "EDUCATION_LEV"}  # fmt: skip
YEAR_COLUMNS = ("year", "Year", "TIME_PERIOD")
VALUE_COLUMNS = ("value", "Value", "OBS_VALUE")
LABEL_COLUMNS = {"country", "area_name", "donor", "Country Name"}
AREA_OTHER_COLUMNS = ("wb_code", "gapminder_geo")
#: Columns that describe an observation without splitting the series.
ATTRIBUTE_COLUMNS = {"nature": "NATURE", "wb_code_is_iso3": None, **{a: a for a in SDG_ATTRIBUTES}}
#: Further numeric columns that are measures of their own (a second series in the same file).
EXTRA_MEASURES = {"oda_usd_million_constant_2025": "ODA, constant 2025 USD million"}


@dataclass
class SeriesData:
    """One file as read: the checked observations, the refusals, and what was found in it."""

    path: Path
    format: str
    frame: pl.DataFrame | None
    dimensions: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    rows_read: int = 0


def detect_format(path: Path) -> str:
    """``sdmx-ml`` for XML, ``sdmx-csv`` for a CSV with OBS_VALUE and TIME_PERIOD, else ``tidy``."""
    if path.suffix.lower() == ".xml":
        return "sdmx-ml"
    with path.open(encoding="utf-8", errors="replace") as stream:
        header = stream.readline()
    return "sdmx-csv" if "OBS_VALUE" in header and "TIME_PERIOD" in header else "tidy"


def read_sdmx_ml(path: Path) -> pl.DataFrame:
    """An SDMX-ML 2.1 data message (generic or structure-specific with the SDG DSD) as a text frame, via sdmx1."""
    import sdmx  # sdmx1: imported here, only SDMX-ML needs it

    from coopatlas.indicators.sdmx_structure import sdg_structure

    message = sdmx.read_sdmx(path, structure=sdg_structure())
    rows: list[dict[str, str | None]] = []
    for dataset in message.data:
        for observation in dataset.obs:
            row: dict[str, str | None] = {str(k): str(v.value) for k, v in observation.key.values.items()}
            for attribute, value in observation.attrib.items():
                row[str(attribute)] = str(value.value)
            row["OBS_VALUE"] = None if observation.value is None else str(observation.value)
            rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None).cast(pl.String) if rows else pl.DataFrame()


def read_table(path: Path, file_format: str) -> tuple[pl.DataFrame | None, Refusal | None]:
    """The file as text columns ("" read as missing), or why it cannot be read."""
    try:
        if file_format == "sdmx-ml":
            raw = read_sdmx_ml(path)
        else:
            raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as error:
        return None, Refusal(path.name, 0, f"not a readable {file_format} file: {error}")
    except Exception as error:  # noqa: BLE001 - sdmx1 raises many kinds of errors on malformed XML; report, never crash
        return None, Refusal(path.name, 0, f"not a readable SDMX-ML data message: {type(error).__name__}: {error}")
    return raw.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c).str.strip_chars()).alias(c)
        for c in raw.columns
    ), None


def canonical_code(dimension: str, value: pl.Expr) -> pl.Expr:
    """A disaggregation value in SDMX codes: tidy codes mapped (case-insensitive), SDMX codes kept; unknown ones null."""
    if dimension not in CONTROLLED:
        return value
    mapping = {**{code.lower(): code for code in CONTROLLED[dimension]}, **TIDY_CODES.get(dimension, {})}
    return value.str.to_lowercase().replace_strict(mapping, default=None)


def read_series_file(path: Path, file_format: str | None = None, series: str | None = None) -> SeriesData:
    """Read and check one file; refuse it without a year or value column, refuse bad rows with their reason."""
    file_format = file_format or detect_format(path)
    name = path.name
    raw, refusal = read_table(path, file_format)
    if raw is None:
        return SeriesData(path, file_format, None, refusals=[refusal] if refusal else [])
    year_column = next((c for c in YEAR_COLUMNS if c in raw.columns), None)
    value_column = next((c for c in VALUE_COLUMNS if c in raw.columns), None)
    missing = [label for label, column in (("Year", year_column), ("Value", value_column)) if column is None]
    if missing:
        return SeriesData(path, file_format, None, refusals=[Refusal(name, 0, f"missing column {', '.join(missing)}")])
    if raw.height == 0:
        return SeriesData(path, file_format, None, refusals=[Refusal(name, 0, "no data rows (header only)")])
    assert year_column is not None and value_column is not None
    sdmx = file_format != "tidy"
    dimension_columns: dict[str, str] = {}  # source column -> concept
    attributes: dict[str, str] = {}
    for column in raw.columns:
        if column in (year_column, value_column) or column in LABEL_COLUMNS or column in AREA_OTHER_COLUMNS:
            continue
        if column in ("iso3", "m49") or (sdmx and column in NOT_DISAGGREGATIONS) or column in EXTRA_MEASURES:
            continue
        if column in ATTRIBUTE_COLUMNS:
            if ATTRIBUTE_COLUMNS[column]:
                attributes[column] = str(ATTRIBUTE_COLUMNS[column])
            continue
        dimension_columns[column] = column if sdmx else TIDY_DIMENSIONS.get(column, column)
    frame = raw.with_row_index("line", offset=1 if file_format == "sdmx-ml" else 2)
    measures = [(value_column, series or ("SERIES" if sdmx and "SERIES" in raw.columns else path.stem))]
    measures += [(c, c) for c in EXTRA_MEASURES if c in raw.columns]
    refusals: list[Refusal] = []
    parts = []
    for measure_column, series_code in measures:
        part = frame.filter(pl.col(measure_column).is_not_null()) if measure_column != value_column else frame
        series_expr = pl.col("SERIES") if series_code == "SERIES" else pl.lit(series_code)
        parts.append(part.with_columns(series_expr.alias("series"), pl.col(measure_column).alias("_value_text"),
                                       pl.col(year_column).alias("_year_text")))
    frame = pl.concat(parts, how="vertical")
    year_text = pl.col("_year_text")
    area_columns = [
        (pl.col("iso3") if "iso3" in raw.columns else pl.lit(None, pl.String)).str.to_uppercase().alias("iso3"),
        (pl.col("REF_AREA") if sdmx and "REF_AREA" in raw.columns else pl.col("m49") if "m49" in raw.columns
         else pl.lit(None, pl.String)).str.strip_chars_start("0").alias("m49"),
        # A row with no code but a name (ONE's "DAC countries" total) becomes a group area keyed by that name.
        pl.coalesce([pl.col(c) for c in (*AREA_OTHER_COLUMNS, *sorted(LABEL_COLUMNS)) if c in raw.columns]
                    or [pl.lit(None, pl.String)]).alias("area_other"),
        pl.coalesce([pl.col(c) for c in LABEL_COLUMNS if c in raw.columns] or [pl.lit(None, pl.String)]).alias(
            "area_name"
        ),
    ]  # fmt: skip
    checked = frame.with_columns(
        year_text.str.slice(0, 4).cast(pl.Int32, strict=False).alias("year"),
        pl.when(year_text.str.contains(r"^\d{4}$")).then(None).otherwise(year_text).alias("period"),
        parse_number(pl.col("_value_text")).alias("value"),
        *area_columns,
        *[canonical_code(concept, pl.col(column)).alias(f"_dim_{concept}") for column, concept in
          dimension_columns.items()],
        (pl.col("OBS_STATUS") if "OBS_STATUS" in raw.columns else pl.lit(None, pl.String)).alias("status"),
        pl.concat_str([pl.format(f"{concept}={{}}", pl.col(column)) for column, concept in attributes.items()]
                      or [pl.lit(None, pl.String)], separator="; ", ignore_nulls=True).alias("footnote"),
    )  # fmt: skip
    reasons = [
        (pl.col("year").is_null() | (year_text.str.len_chars() < 4),
         pl.when(year_text.is_null()).then(pl.lit("Year is empty")).otherwise(pl.format("Year '{}' is not a year", year_text))),  # noqa: E501
        (pl.col("_value_text").is_null(), pl.lit("Value is empty")),
        (pl.col("value").is_null(), pl.format("Value '{}' is not a number", pl.col("_value_text"))),
        (pl.col("iso3").is_null() & pl.col("m49").is_null() & pl.col("area_other").is_null(),
         pl.lit("no area code (iso3, m49/REF_AREA or another code)")),
    ]  # fmt: skip
    for column, concept in dimension_columns.items():
        if concept in CONTROLLED:
            reasons.append((
                pl.col(column).is_not_null() & pl.col(f"_dim_{concept}").is_null(),
                pl.format(f"unknown {concept} value '{{}}' (expected one of {', '.join(sorted(CONTROLLED[concept]))})",
                          pl.col(column)),
            ))  # fmt: skip
    reason: pl.Expr | None = None
    for condition, text in reversed(reasons):
        reason = pl.when(condition).then(text).otherwise(reason if reason is not None else pl.lit(None, pl.String))
    checked = checked.with_columns(reason.alias("_reason"))  # type: ignore[union-attr]
    for line, text in checked.filter(pl.col("_reason").is_not_null()).select("line", "_reason").iter_rows():
        refusals.append(Refusal(name, line, text))
    good = checked.filter(pl.col("_reason").is_null()).drop(
        [c for c in dimension_columns if c in dimension_columns.values()]
    ).rename(
        {f"_dim_{concept}": concept for concept in dimension_columns.values()}
    )
    dimensions = list(dimension_columns.values())
    good = good.with_columns(pl.when(pl.col(d) != TOTAL).then(pl.col(d)).alias(d) for d in dimensions)
    good, duplicates = drop_repeated_cells(good, ["series", "iso3", "m49", "area_other", "year", "period", *dimensions])
    refusals.extend(Refusal(name, line, text) for line, text in duplicates)
    refusals.sort(key=lambda r: r.line)
    columns = ["line", "series", "year", "period", "value", "iso3", "m49", "area_other", "area_name", "status",
               "footnote", *dimensions]  # fmt: skip
    return SeriesData(path, file_format, good.select(columns), dimensions, refusals, rows_read=raw.height)


def drop_repeated_cells(frame: pl.DataFrame, key: list[str]) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """Identical repeats keep their first line; rows of one cell that disagree on the value are all refused."""
    cells = frame.with_columns(
        pl.col("line").min().over(key).alias("_first"), pl.col("value").n_unique().over(key).alias("_values")
    )
    refused: list[tuple[int, str]] = []
    conflicting = cells.filter(pl.col("_values") > 1)
    for line, first in conflicting.select("line", "_first").iter_rows():
        other = "a later line" if line == first else f"line {first}"
        refused.append((line, f"duplicated row: same series, area, year and disaggregation as {other} with another value"))
    repeated = cells.filter((pl.col("_values") == 1) & (pl.col("line") != pl.col("_first")))
    refused.extend((line, f"duplicated row: repeats line {first}") for line, first in repeated.select("line", "_first").iter_rows())
    dropped = [line for line, _ in refused]
    return cells.filter(~pl.col("line").is_in(dropped)).drop("_first", "_values"), refused


SERIES_FILE = re.compile(r"\.(csv|xml)$", re.IGNORECASE)
