"""Page data services: one data dict per indicator page (tables, facets, badges), rendered as HTML, JSON and CSV.

Every table a page shows is a ``Table`` (columns + rows of plain values); the HTML table, the chart
drawn from it in the browser (``static/js/indicators.js`` reads the table, no second copy of the data
is shipped), the JSON view and the CSV download all come from that one object (Datasette's habit).
Progress comes from the methods modules (``methods/opensdg.py``, ``methods/escap.py``,
``methods/unsd.py``), gaps from ``lnob.py`` and regional aggregates from ``methods/escap.py``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import polars as pl
from django.db.models import Count, Max, Min
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopatlas.indicators.methods import escap, unsd
from coopatlas.indicators.methods.opensdg import SeriesOptions, measure_progress, parse_options
from coopatlas.indicators.models import (
    Area,
    FrameworkIndicator,
    Observation,
    ProgressConfiguration,
    SdgIndicator,
    Series,
)
from coopatlas.indicators.progress import inputs_from_dataset, normalise_code
from coopatlas.indicators.reasons import reason_text

MAX_LINES = 12
MAX_GAPS = 10

#: Numeric targets stated in the SDG targets' own text (A/RES/71/313), used when no framework indicator
#: or Open SDG configuration gives one: indicator -> (direction, target value).
SDG_TARGETS: dict[str, tuple[str, float]] = {
    "3.1.1": ("lower", 70.0),  # target 3.1: MMR below 70 per 100,000 live births
    "3.2.1": ("lower", 25.0),  # target 3.2: under-5 mortality at least as low as 25 per 1,000
    "3.2.2": ("lower", 12.0),  # target 3.2: neonatal mortality at least as low as 12 per 1,000
    "4.1.2": ("higher", 100.0),  # target 4.1: all girls and boys complete primary and secondary
    "17.2.1": ("higher", 0.7),  # target 17.2: 0.7 per cent of GNI as ODA
}

METHOD_LABELS: dict[str, Promise] = {
    "opensdg": gettext_lazy("Open SDG"),
    "escap": gettext_lazy("ESCAP"),
    "unsd": gettext_lazy("UNSD progress chart"),
}
STATUS_LABELS: dict[str, Promise] = {
    "target_achieved": gettext_lazy("Target achieved"),
    "substantial_progress": gettext_lazy("Substantial progress"),
    "moderate_progress": gettext_lazy("Moderate progress"),
    "limited_progress": gettext_lazy("Limited progress"),
    "deterioration": gettext_lazy("Deterioration"),
    "not_available": gettext_lazy("Not available"),
    "maintain": gettext_lazy("Maintain progress"),
    "accelerate": gettext_lazy("Accelerate progress"),
    "reverse": gettext_lazy("Reverse the trend"),
    "target_met": gettext_lazy("Target met"),
    "target_met_or_almost_met": gettext_lazy("Target met or almost met"),
    "fair_progress_acceleration_needed": gettext_lazy("Fair progress, acceleration needed"),
    "limited_or_no_progress": gettext_lazy("Limited or no progress"),
    "stagnation_or_regression": gettext_lazy("Stagnation or regression"),
}
#: Every method's classes in three buckets, so that goals can be summarised whatever the method.
BUCKETS: dict[str, str] = {
    "target_achieved": "on_track",
    "substantial_progress": "on_track",
    "maintain": "on_track",
    "target_met": "on_track",
    "target_met_or_almost_met": "on_track",
    "moderate_progress": "acceleration",
    "limited_progress": "acceleration",
    "accelerate": "acceleration",
    "fair_progress_acceleration_needed": "acceleration",
    "deterioration": "regressing",
    "reverse": "regressing",
    "limited_or_no_progress": "regressing",
    "stagnation_or_regression": "regressing",
}
#: SDMX codes of the SDG Global Database's controlled dimensions, as people read them.
DIMENSION_LABELS: dict[str, Promise] = {
    "SEX": gettext_lazy("Sex"),
    "F": gettext_lazy("Female"),
    "M": gettext_lazy("Male"),
    "URBANISATION": gettext_lazy("Location"),
    "U": gettext_lazy("Urban"),
    "R": gettext_lazy("Rural"),
    "INCOME_WEALTH_QUANTILE": gettext_lazy("Wealth quintile"),
    "Q1": gettext_lazy("Poorest quintile"),
    "Q2": gettext_lazy("Second quintile"),
    "Q3": gettext_lazy("Middle quintile"),
    "Q4": gettext_lazy("Fourth quintile"),
    "Q5": gettext_lazy("Richest quintile"),
    "EDUCATION_LEV": gettext_lazy("Education level"),
    "ISCED11_1": gettext_lazy("Primary"),
    "ISCED11_2": gettext_lazy("Lower secondary"),
    "ISCED11_3": gettext_lazy("Upper secondary"),
    "AGE": gettext_lazy("Age"),
}


def label(code: str) -> str:
    """A dimension or value code in the reader's language where we know it, else as published."""
    return str(DIMENSION_LABELS.get(code, code))


def with_params(params: Mapping[str, Any], **changes: Any) -> str:
    """A query string (``?...``) from ``params`` with ``changes`` applied; a None value removes the key."""
    merged: dict[str, Any] = {k: v for k, v in params.items() if v not in (None, "", [])}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged, doseq=True)


@dataclass
class Column:
    """A table column: key, heading, and how to show its values (``text``, ``number``, ``year``)."""

    key: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    """One table of a page: the same rows feed the HTML table, the chart, the JSON and the CSV download."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    links: list[str | None] = field(default_factory=list)
    chart: str = ""
    truncated: bool = False
    download: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON view."""
        return {
            "key": self.key,
            "title": self.title,
            "columns": [c.key for c in self.columns],
            "labels": [c.label for c in self.columns],
            "rows": self.rows,
            "truncated": self.truncated,
        }

    def csv(self) -> str:
        """The table as CSV text (headings in the reader's language, values unformatted)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.label for c in self.columns])
        writer.writerows([["" if v is None else v for v in row] for row in self.rows])
        return out.getvalue()

    def html_rows(self) -> list[dict[str, Any]]:
        """Rows for the template: cells with their column kind, and the row's link."""
        links = self.links or [None] * len(self.rows)
        return [
            {"cells": [{"value": v, "kind": c.kind} for c, v in zip(self.columns, row, strict=True)], "link": link}
            for row, link in zip(self.rows, links, strict=True)
        ]


@dataclass
class Page:
    """A page's data: title, tables and anything else its template shows; ``as_dict`` is its JSON."""

    title: str
    tables: list[Table] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        """The table with this key, if the page has it."""
        return next((t for t in self.tables if t.key == key), None)

    def finish(self, params: Mapping[str, Any]) -> Page:
        """Give every table its CSV download link, keeping the page's filters."""
        for table in self.tables:
            table.download = with_params(params, format="csv", table=table.key)
        return self

    def as_dict(self) -> dict[str, Any]:
        """The page as JSON-ready data: title and tables."""
        return {"title": self.title, "tables": [t.as_dict() for t in self.tables]}


# --- indicators, series and settings -------------------------------------------------------------


def sdg_code(indicator_code: str) -> str:
    """An indicator code as the SDG framework writes it: ``3-2-1`` -> ``3.2.1``; other codes unchanged."""
    parts = indicator_code.split("-")
    return ".".join(parts) if len(parts) >= 3 and parts[0].isdigit() else indicator_code


def code_variants(code: str) -> list[str]:
    """The ways sources name one indicator: ``3.2.1`` and ``3-2-1``."""
    return sorted({code, normalise_code(code), sdg_code(code)})


def indicator_title(code: str, titles: Mapping[str, SdgIndicator] | None = None) -> str:
    """The SDG indicator's title in the reader's language, else the code."""
    found = (titles or {}).get(code) if titles is not None else SdgIndicator.objects.filter(code=code).first()
    return found.title if found else code


def series_label(series: Series) -> str:
    """How a series is named on a page: its code and unit, else its dataset."""
    parts = [p for p in (series.code, series.unit) if p]
    return " — ".join(parts) if parts else series.dataset.title


def headline_keys(series_ids: Iterable[int]) -> dict[int, str | None]:
    """Per series, the disaggregation key of its total: dimensions constant over the series do not count."""
    keys: dict[int, list[str]] = defaultdict(list)
    pairs = Observation.objects.filter(series_id__in=list(series_ids)).values_list("series_id", "dimension_key")
    for series_id, key in pairs.distinct():
        keys[series_id].append(key)
    result: dict[int, str | None] = {}
    for series_id, found in keys.items():
        constant = constant_dimensions(found)
        result[series_id] = next((k for k in sorted(found, key=len) if not reduced(k, constant)), None)
    return result


def parse_key(key: str) -> dict[str, str]:
    """``"Age=15-24|Sex=Female"`` -> ``{"Age": "15-24", "Sex": "Female"}``."""
    return dict(part.split("=", 1) for part in key.split("|") if "=" in part)


def constant_dimensions(keys: Iterable[str]) -> dict[str, str]:
    """Dimensions with one value wherever they appear (``Geography=Canada`` beside the total, a file of one level)."""
    values: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        for name, value in parse_key(key).items():
            values[name].add(value)
    return {name: next(iter(found)) for name, found in values.items() if len(found) == 1}


def reduced(key: str, constant: Mapping[str, str]) -> dict[str, str]:
    """A key's dimensions without the constant ones."""
    return {k: v for k, v in parse_key(key).items() if k not in constant}


@dataclass
class Settings:
    """What ESCAP and UNSD need for one series: direction, target value and year, natural limit."""

    direction: str | None = None
    target: float | None = None
    target_year: int = 2030
    limit: float | None = None
    source: str = ""


def opensdg_options(series: Series) -> SeriesOptions | None:
    """The first progress option of the series' Open SDG configuration, if the platform set one."""
    config = ProgressConfiguration.objects.filter(
        dataset_id=series.dataset_id, indicator_code=normalise_code(series.indicator_code)
    ).first()
    if config is None or not config.auto_progress_calculation:
        return None
    flat = [o for o in parse_options(config.options, []) if isinstance(o, SeriesOptions)]
    return flat[0] if flat else None


def progress_settings(series: Series) -> Settings:
    """Target settings of a series: framework indicator, else Open SDG configuration, else the SDG target's text."""
    code = sdg_code(series.indicator_code)
    indicator = FrameworkIndicator.objects.filter(sdg_indicator_id=code, target_value__isnull=False).first()
    if indicator is not None:
        return Settings(
            indicator.direction,
            indicator.target_value,
            indicator.target_year or 2030,
            indicator.natural_limit,
            "framework",
        )
    options = opensdg_options(series)
    if options is not None:
        limit = float(options.limit) if isinstance(options.limit, int | float) else None
        direction = "higher" if options.direction > 0 else "lower"
        return Settings(direction, options.target, options.target_year, limit, "opensdg")
    if code in SDG_TARGETS:
        direction, target = SDG_TARGETS[code]
        return Settings(direction, target, 2030, None, "sdg")
    return Settings()


def settings_frame(settings: Mapping[str, Settings]) -> pl.DataFrame:
    """The methods' settings frame for series keys whose direction is known."""
    known = {k: s for k, s in settings.items() if s.direction}
    return pl.DataFrame(
        {
            "series": list(known),
            "target": [s.target for s in known.values()],
            "direction": [s.direction for s in known.values()],
            "target_year": [s.target_year for s in known.values()],
            "limit": [s.limit for s in known.values()],
        },
        schema={
            "series": pl.String,
            "target": pl.Float64,
            "direction": pl.String,
            "target_year": pl.Int32,
            "limit": pl.Float64,
        },
    )


def badge(method: str, status: str | None, value: float | None = None, reason: str | None = None) -> dict[str, Any]:
    """A progress badge: method, status code and label, its measure, or why there is none.

    ``reason`` is a method's machine code (``indicators/reasons.py``) or an already translated text;
    ``reason_code`` keeps the code for JSON readers, ``reason`` is the text in the active language.
    """
    return {
        "method": method,
        "method_label": str(METHOD_LABELS[method]),
        "status": status or "",
        "status_label": str(STATUS_LABELS.get(status or "", status or "")),
        "value": value,
        "bucket": BUCKETS.get(status or "", ""),
        "reason": reason_text(str(reason)) if reason else "",
        "reason_code": str(reason) if reason else "",
    }


def method_badges(observations: pl.DataFrame, settings: Mapping[str, Settings]) -> dict[str, dict[str, dict[str, Any]]]:
    """ESCAP (anticipated progress class, current status index) and UNSD (progress chart class) per series key.

    ``observations`` has ``series``/``year``/``value``; series without a known direction get a reason.
    """
    frame = settings_frame(settings)
    result: dict[str, dict[str, dict[str, Any]]] = {
        key: {m: badge(m, None, reason=_("no direction or target known")) for m in ("escap", "unsd")}
        for key in settings
    }
    if frame.height == 0:
        return result
    data = observations.filter(pl.col("series").is_in(frame["series"].implode()))
    status = escap.current_status_index(data, frame).select("series", "current_status_index")
    anticipated = escap.anticipated_progress_index(data, frame).join(status, on="series", how="left")
    for row in anticipated.iter_rows(named=True):
        result[row["series"]]["escap"] = badge(
            "escap", row["classification"], row["current_status_index"], row["reason"]
        )
    for row in unsd.progress_chart(data, frame).iter_rows(named=True):
        measure = row["ratio"] if row["ratio"] is not None else row["directed_growth"]
        result[row["series"]]["unsd"] = badge("unsd", row["status"], measure, row["reason"])
    return result


def opensdg_badges(dataset_id: int, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Open SDG progress status and score per indicator code of a dataset that carries Open SDG configurations."""
    configured = set(
        ProgressConfiguration.objects.filter(dataset_id=dataset_id, auto_progress_calculation=True).values_list(
            "indicator_code", flat=True
        )
    )
    wanted = sorted({normalise_code(c) for c in codes} & configured)
    if not wanted:
        return {}
    from coopatlas.indicators.models import Dataset

    results = measure_progress(inputs_from_dataset(Dataset.objects.get(pk=dataset_id), wanted))
    return {r.code: badge("opensdg", r.progress_status, r.score) for r in results}


def headline_frame(rows: Iterable[tuple[Any, ...]], headline: Mapping[int, str | None]) -> pl.DataFrame:
    """``series``/``area``/``year``/``value`` of the totals among ``(series_id, area, year, key, value)`` rows."""
    kept = [(str(s), a, y, v) for s, a, y, k, v in rows if headline.get(s) == k]
    return pl.DataFrame(
        kept, schema={"series": pl.String, "area": pl.String, "year": pl.Int32, "value": pl.Float64}, orient="row"
    )


def areas_with_data() -> dict[str, list[tuple[str, str]]]:
    """Countries that have observations, as (code, name), sorted by name."""
    codes = Area.objects.filter(kind=Area.Kind.COUNTRY, observations__isnull=False).distinct()
    return {"countries": sorted(((a.code, a.name) for a in codes), key=lambda pair: pair[1])}


def indicator_summaries() -> list[dict[str, Any]]:
    """Every indicator with data, grouped by SDG goal: code, title, series, areas, years."""
    stats = (
        Observation.objects.values("series__indicator_code")
        .annotate(
            series=Count("series", distinct=True),
            areas=Count("area", distinct=True),
            first=Min("year"),
            last=Max("year"),
        )
        .order_by()
    )
    merged: dict[str, dict[str, Any]] = {}
    for row in stats:
        code = sdg_code(row["series__indicator_code"])
        entry = merged.setdefault(
            code, {"code": code, "series": 0, "areas": 0, "first": row["first"], "last": row["last"]}
        )
        entry["series"] += row["series"]
        entry["areas"] = max(entry["areas"], row["areas"])
        entry["first"], entry["last"] = min(entry["first"], row["first"]), max(entry["last"], row["last"])
    titles = SdgIndicator.objects.select_related("target").in_bulk(list(merged))
    for code, entry in merged.items():
        found = titles.get(code)
        entry["title"] = found.title if found else code
        entry["goal"] = found.target.goal_id if found else ""
        entry["sort_key"] = found.sort_key if found else f"99.{code}"
    return sorted(merged.values(), key=lambda e: e["sort_key"])
