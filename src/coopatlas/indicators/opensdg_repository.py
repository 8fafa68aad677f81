"""Read an Open SDG data repository: ``data/indicator_*.csv``, ``indicator-config/*.yml`` and ``meta/``.

The layout and column conventions are those of Open SDG and sdg-build (open-sdg/sdg-build,
``sdg/inputs/InputCsvData.py``, ``sdg/open_sdg.py``): one tidy CSV per indicator with ``Year``, any
disaggregation columns, optional ``Series``/``Units``/``GeoCode``/``Progress``/observation-attribute
columns, and ``Value``. Reading never raises on bad content: every refused file and row is reported
with its reason (parse -> validate -> report; the caller maps and upserts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

#: Columns that are not disaggregations (sdg-build ``open_sdg_indicator_options_defaults``).
NON_DISAGGREGATION_COLUMNS: tuple[str, ...] = (
    "Year",
    "Units",
    "Series",
    "Value",
    "GeoCode",
    "Observation status",
    "Unit multiplier",
    "Unit measure",
    "UNIT_MEASURE",
    "SERIES",
)
#: Observation attributes (footnotes, statuses): carried along, never disaggregations.
ATTRIBUTE_COLUMN = re.compile(r"^(COMMENT_OBS(_\d+)?|COMMENT_TS|Observation status|Unit multiplier|Unit measure)$")
PROGRESS_COLUMN = "Progress"
#: Columns the reader adds: the CSV line and the period text when it is not a plain year ("2000 Q1").
INTERNAL_COLUMNS: tuple[str, ...] = ("line", "period")
INDICATOR_FILE = re.compile(r"^indicator_(?P<code>[0-9]+-[0-9a-z]+-[0-9a-z]+(?:-[0-9a-z]+)*)\.csv$")
YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Refusal:
    """Why a file or a row was not taken: file name, CSV line (0 for the whole file) and reason."""

    file: str
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line else f"{self.file}: {self.reason}"


@dataclass
class IndicatorData:
    """One indicator's rows as read: Year (int), Value (float), Progress (float) and text columns."""

    code: str
    frame: pl.DataFrame | None
    refusals: list[Refusal] = field(default_factory=list)
    rows_read: int = 0

    @property
    def disaggregation_columns(self) -> list[str]:
        """Columns that split the indicator into sub-series."""
        if self.frame is None:
            return []
        return [
            c
            for c in self.frame.columns
            if c not in NON_DISAGGREGATION_COLUMNS
            and c not in (PROGRESS_COLUMN, *INTERNAL_COLUMNS)
            and not ATTRIBUTE_COLUMN.match(c)
        ]


def parse_number(column: pl.Expr) -> pl.Expr:
    """A text column as float: null when empty, NaN-free (``nan``/``inf`` are treated as not numeric)."""
    number = column.str.strip_chars().cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number).otherwise(None)


def read_indicator_csv(path: Path) -> IndicatorData:
    """Read one ``indicator_*.csv``; refuse the file without Year/Value, and rows with bad years, values or duplicates."""
    match = INDICATOR_FILE.match(path.name)
    code = match["code"] if match else path.stem
    name = path.name
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as error:
        return IndicatorData(code, None, [Refusal(name, 0, f"not a readable CSV file: {error}")])
    missing = [column for column in ("Year", "Value") if column not in raw.columns]
    if missing:
        return IndicatorData(code, None, [Refusal(name, 0, f"missing column {', '.join(missing)}")])
    if raw.height == 0:
        return IndicatorData(code, None, [Refusal(name, 0, "no data rows (header only)")])
    # pandas (and so sdg-build) reads "" as missing; do the same for every text column. One lazy query for
    # the parsing, then one for all the checks: the per-row refusals are looked for only where a check
    # fails (most files have none), so a clean file costs three queries rather than a dozen.
    year_text = pl.col("Year").str.strip_chars()
    has_progress = PROGRESS_COLUMN in raw.columns
    parsed = (
        raw.lazy()
        .with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in raw.columns)
        .with_row_index("line", offset=2)
        .with_columns(
            # Open SDG allows year ranges ("2015-2016"); sdg-build's progress measure keeps the first year.
            year_text.str.slice(0, 4).cast(pl.Int32, strict=False).alias("_year"),
            parse_number(pl.col("Value")).alias("_value"),
            *([parse_number(pl.col(PROGRESS_COLUMN)).alias("_progress")] if has_progress else []),
        )
        .collect()
    )
    year_bad = pl.col("_year").is_null() | (year_text.str.len_chars() < 4)
    value_bad = pl.col("Value").is_not_null() & pl.col("_value").is_null()
    progress_bad = pl.col(PROGRESS_COLUMN).is_not_null() & pl.col("_progress").is_null() if has_progress else None
    bad = year_bad | value_bad if progress_bad is None else year_bad | value_bad | progress_bad
    refusals: list[Refusal] = []
    good = parsed
    if parsed.select(bad.any()).item():
        for line, year in parsed.filter(year_bad).select("line", "Year").iter_rows():
            refusals.append(Refusal(name, line, f"Year {year!r} is not a year" if year else "Year is empty"))
        for line, value in parsed.filter(value_bad).select("line", "Value").iter_rows():
            refusals.append(Refusal(name, line, f"Value {value!r} is not a number"))
        if progress_bad is not None:
            for line, value in parsed.filter(progress_bad).select("line", PROGRESS_COLUMN).iter_rows():
                refusals.append(Refusal(name, line, f"Progress {value!r} is not a number"))
        refused_lines = {r.line for r in refusals}
        good = parsed.filter(~pl.col("line").is_in(list(refused_lines)))
    key_columns = [c for c in raw.columns if c not in ("Value", PROGRESS_COLUMN) and not ATTRIBUTE_COLUMN.match(c)]
    # Identical repeats keep the first line; rows that disagree on the value are all refused (no silent choice).
    cells = good.with_columns(
        pl.col("line").min().over(key_columns).alias("_first"),
        pl.col("_value").n_unique().over(key_columns).alias("_values"),
    )
    if cells.select(((pl.col("_values") > 1) | (pl.col("line") != pl.col("_first"))).any()).item():
        conflicting = cells.filter(pl.col("_values") > 1)
        repeated = cells.filter((pl.col("_values") == 1) & (pl.col("line") != pl.col("_first")))
        for line, first in conflicting.filter(pl.col("line") != pl.col("_first")).select("line", "_first").iter_rows():
            refusals.append(Refusal(name, line, f"same year and disaggregation as line {first} with another value"))
        for line in conflicting.filter(pl.col("line") == pl.col("_first"))["line"].to_list():
            refusals.append(Refusal(name, line, "same year and disaggregation as a later line with another value"))
        for line, first in repeated.select("line", "_first").iter_rows():
            refusals.append(Refusal(name, line, f"repeats line {first}"))
        dropped = set(conflicting["line"].to_list()) | set(repeated["line"].to_list())
        if dropped:
            good = good.filter(~pl.col("line").is_in(list(dropped)))
    columns = [
        pl.col("line"),
        pl.col("_year").alias("Year"),
        pl.when(year_text.str.contains(r"^\d{4}$")).then(None).otherwise(year_text).alias("period"),
        *[pl.col(c) for c in raw.columns if c not in ("Year", "Value", PROGRESS_COLUMN)],
        *([pl.col("_progress").alias(PROGRESS_COLUMN)] if PROGRESS_COLUMN in raw.columns else []),
        pl.col("_value").alias("Value"),
    ]
    refusals.sort(key=lambda r: r.line)
    return IndicatorData(code, good.select(columns), refusals, rows_read=raw.height)


def read_yaml(path: Path) -> tuple[dict[str, Any] | None, Refusal | None]:
    """A YAML mapping, or the reason it cannot be used."""
    try:
        with path.open(encoding="utf-8") as stream:
            content = yaml.load(stream, Loader=YamlLoader)  # noqa: S506 - CSafeLoader/SafeLoader only
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        return None, Refusal(path.name, 0, f"not readable YAML: {error}")
    if content is None:
        return {}, None
    if not isinstance(content, dict):
        return None, Refusal(path.name, 0, "expected a mapping of settings")
    return content, None


def read_markdown_front_matter(path: Path) -> tuple[dict[str, Any] | None, Refusal | None]:
    """The YAML front matter of an Open SDG ``meta/*.md`` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, Refusal(path.name, 0, f"not readable: {error}")
    if not text.startswith("---"):
        return {}, None
    parts = text.split("---", 2)
    if len(parts) < 3:
        return None, Refusal(path.name, 0, "front matter is not closed by ---")
    try:
        content = yaml.load(parts[1], Loader=YamlLoader)  # noqa: S506 - CSafeLoader/SafeLoader only
    except yaml.YAMLError as error:
        return None, Refusal(path.name, 0, f"front matter is not YAML: {error}")
    return (content if isinstance(content, dict) else {}), None


@dataclass
class Repository:
    """An Open SDG data repository on disk: data files by indicator, configurations and metadata."""

    root: Path

    @property
    def name(self) -> str:
        return self.root.name

    def data_files(self) -> dict[str, Path]:
        """``indicator_*.csv`` files by indicator code (``1-2-1``)."""
        folder = self.root / "data"
        files: dict[str, Path] = {}
        if folder.is_dir():
            for path in sorted(folder.glob("indicator_*.csv")):
                match = INDICATOR_FILE.match(path.name)
                if match:
                    files[match["code"]] = path
        return files

    def configurations(self) -> tuple[dict[str, dict[str, Any]], list[Refusal]]:
        """Indicator settings by code: ``indicator-config/*.yml`` merged over ``meta/*.yml|*.md`` front matter."""
        settings: dict[str, dict[str, Any]] = {}
        refusals: list[Refusal] = []
        for folder, pattern, reader in (
            ("meta", "*.md", read_markdown_front_matter),
            ("meta", "*.yml", read_yaml),
            ("indicator-config", "*.yml", read_yaml),
        ):
            directory = self.root / folder
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob(pattern)):
                content, refusal = reader(path)
                if refusal is not None:
                    refusals.append(refusal)
                    continue
                settings.setdefault(path.stem, {}).update(content or {})
        return settings, refusals
