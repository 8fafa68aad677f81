"""Progress services: gather an indicator's data (from an Open SDG repository or the database) and assess it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from coopatlas.indicators.methods.opensdg import IndicatorInput, IndicatorResult, measure_progress
from coopatlas.indicators.models import Area, Dataset, Observation, ProgressConfiguration
from coopatlas.indicators.opensdg_repository import PROGRESS_COLUMN, Repository, read_indicator_csv


def normalise_code(code: str) -> str:
    """Indicator codes as Open SDG files name them: ``1.2.1`` -> ``1-2-1``."""
    return code.strip().replace(".", "-")


def inputs_from_repository(root: Path, only: Iterable[str] = ()) -> list[IndicatorInput]:
    """Every indicator of an Open SDG repository on disk (data file and/or configuration), or only some."""
    repository = Repository(root)
    files = repository.data_files()
    settings, _ = repository.configurations()
    wanted = {normalise_code(code) for code in only}
    codes = sorted(wanted or (set(files) | set(settings)))
    inputs = []
    for code in codes:
        frame = read_indicator_csv(files[code]).frame if code in files else None
        inputs.append(IndicatorInput(code, frame, settings.get(code, {})))
    return inputs


def inputs_from_dataset(dataset: Dataset, only: Iterable[str] = ()) -> list[IndicatorInput]:
    """The dataset's observations rebuilt as Open SDG frames, with its stored progress configurations."""
    wanted = {normalise_code(code) for code in only}
    configurations = ProgressConfiguration.objects.filter(dataset=dataset)
    observations = Observation.objects.filter(series__dataset=dataset)
    if wanted:
        configurations = configurations.filter(indicator_code__in=wanted)
        observations = observations.filter(series__indicator_code__in=wanted)
    settings = {
        c.indicator_code: {
            "auto_progress_calculation": c.auto_progress_calculation,
            "progress_calculation_options": c.options,
            "data_start_values": c.data_start_values,
            **({"progress_status": c.manual_status} if c.manual_status else {}),
        }
        for c in configurations
    }
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    fields = ("series__indicator_code", "series__code", "series__unit", "area__kind", "area__code", "year",
              "dimensions", "value", "progress_value")  # fmt: skip
    for code, series, unit, area_kind, area_code, year, dimensions, value, progress in observations.values_list(
        *fields
    ).iterator(chunk_size=5000):
        row = {"Year": year, "Series": series or None, "Units": unit or None, **dimensions, "Value": value}
        row["GeoCode"] = area_code if area_kind == Area.Kind.SUBNATIONAL else None
        row[PROGRESS_COLUMN] = progress
        rows[code].append(row)
    inputs = []
    for code in sorted(wanted or (set(rows) | set(settings))):
        frame = None
        if rows.get(code):
            frame = pl.DataFrame(rows[code], infer_schema_length=None)
            if frame[PROGRESS_COLUMN].null_count() == frame.height:
                frame = frame.drop(PROGRESS_COLUMN)
        inputs.append(IndicatorInput(code, frame, settings.get(code, {})))
    return inputs


def opensdg_components(results: list[IndicatorResult]) -> dict[str, Any]:
    """Open SDG's ``indicator_calculation_components.yml`` structure: indicator -> series key -> components."""
    return {result.code: result.components() for result in results}


def assess_opensdg(inputs: list[IndicatorInput]) -> list[IndicatorResult]:
    """Run the Open SDG progress measure (see ``methods/opensdg.py``)."""
    return measure_progress(inputs)
