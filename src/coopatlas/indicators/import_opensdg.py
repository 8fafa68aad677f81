"""Import an Open SDG data repository: read -> validate -> map -> upsert in one transaction -> report.

Each indicator CSV becomes series (one per ``Series`` x ``Units`` pair) and observations; national rows
(no ``GeoCode``) belong to the country, rows with a ``GeoCode`` to a sub-national area under it;
every other non-attribute column is a disaggregation. ``indicator-config`` settings that drive
progress (``auto_progress_calculation``, ``progress_calculation_options``, ``data_start_values``,
a manual ``progress_status``) are kept as published in ``ProgressConfiguration``. A re-import replaces
the dataset's observations of each indicator it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from coopatlas.geo.models import Country
from coopatlas.indicators.models import (
    Area,
    Dataset,
    Observation,
    ObservationStatus,
    ProgressConfiguration,
    SdgIndicator,
    Series,
)
from coopatlas.indicators.models.observations import dimension_key
from coopatlas.indicators.opensdg_repository import (
    ATTRIBUTE_COLUMN,
    PROGRESS_COLUMN,
    Refusal,
    Repository,
    read_indicator_csv,
)

#: Open SDG "Observation status" labels -> SDMX OBS_STATUS codes.
STATUS_CODES: dict[str, str] = {
    "normal": ObservationStatus.NORMAL,
    "estimated": ObservationStatus.ESTIMATED,
    "forecast": ObservationStatus.FORECAST,
    "imputed": ObservationStatus.IMPUTED,
    "provisional": ObservationStatus.PROVISIONAL,
    "break": ObservationStatus.BREAK,
    "time": ObservationStatus.BREAK,
}


@dataclass
class ImportReport:
    """What an import read, created and refused, per file and row."""

    dataset: str
    files: int = 0
    indicators: int = 0
    series: int = 0
    observations: int = 0
    rows_without_value: int = 0
    configurations: int = 0
    refusals: list[Refusal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for ``--json``)."""
        return {
            "dataset": self.dataset,
            "files": self.files,
            "indicators": self.indicators,
            "series": self.series,
            "observations": self.observations,
            "rows_without_value": self.rows_without_value,
            "configurations": self.configurations,
            "refused": len(self.refusals),
            "refusals": [refusal.as_dict() for refusal in self.refusals],
        }


def observation_status(label: Any) -> str:
    """An SDMX OBS_STATUS code for an Open SDG status label ("Normal value" -> A); unknown labels read as normal."""
    if not label:
        return ObservationStatus.NORMAL
    return STATUS_CODES.get(str(label).split()[0].lower(), ObservationStatus.NORMAL)


def country_area(country: Country) -> Area:
    """The national area of a country (created on first use)."""
    area, _ = Area.objects.get_or_create(
        kind=Area.Kind.COUNTRY, code=country.code, parent=None, defaults={"names": country.names, "country": country}
    )
    return area


def import_opensdg(root: Path, country_code: str, dataset_code: str | None = None) -> ImportReport:
    """Import every indicator CSV and configuration of an Open SDG repository for one country."""
    repository = Repository(root)
    code = dataset_code or f"opensdg-{repository.name}"
    report = ImportReport(code)
    country = Country.objects.filter(code=country_code.upper()).first()
    if country is None:
        report.refusals.append(Refusal(str(root), 0, f"unknown country {country_code!r} (ISO alpha-3 expected)"))
        return report
    files = repository.data_files()
    settings, config_refusals = repository.configurations()
    report.refusals.extend(config_refusals)
    if not files and not settings:
        report.refusals.append(Refusal(str(root), 0, "no data/indicator_*.csv and no indicator-config/*.yml"))
        return report
    licence_file = root / "LICENSE"
    with transaction.atomic():
        dataset, _ = Dataset.objects.update_or_create(
            code=code,
            defaults={
                "title": f"Open SDG platform data: {repository.name}",
                "licence": licence_file.read_text(encoding="utf-8", errors="replace").splitlines()[0][:200]
                if licence_file.is_file()
                else "",
                "imported_at": timezone.now(),
            },
        )
        national = country_area(country)
        sdg_indicators = set(SdgIndicator.objects.values_list("code", flat=True))
        subnational: dict[str, Area] = {
            area.code: area for area in Area.objects.filter(kind=Area.Kind.SUBNATIONAL, parent=national)
        }
        for indicator_code, path in files.items():
            report.files += 1
            data = read_indicator_csv(path)
            report.refusals.extend(data.refusals)
            if data.frame is None:
                continue
            report.indicators += 1
            upsert_indicator(dataset, indicator_code, data.frame, data.disaggregation_columns, national,
                             subnational, sdg_indicators, report)  # fmt: skip
        for indicator_code, values in settings.items():
            if not any(k in values for k in ("auto_progress_calculation", "progress_calculation_options")):
                continue
            options = values.get("progress_calculation_options") or []
            if not isinstance(options, list):
                report.refusals.append(Refusal(f"{indicator_code}.yml", 0, "progress_calculation_options is not a list"))
                options = []
            ProgressConfiguration.objects.update_or_create(
                dataset=dataset,
                indicator_code=indicator_code,
                defaults={
                    "auto_progress_calculation": values.get("auto_progress_calculation") is True,
                    "options": options,
                    "data_start_values": values.get("data_start_values") or [],
                    "manual_status": str(values.get("progress_status") or ""),
                },
            )
            report.configurations += 1
    return report


def upsert_indicator(
    dataset: Dataset,
    indicator_code: str,
    frame: pl.DataFrame,
    dimensions: list[str],
    national: Area,
    subnational: dict[str, Area],
    sdg_indicators: set[str],
    report: ImportReport,
) -> None:
    """Replace one indicator's series and observations in the dataset with the rows read."""
    without_value = frame.filter(pl.col("Value").is_null()).height
    report.rows_without_value += without_value
    frame = frame.filter(pl.col("Value").is_not_null())
    Observation.objects.filter(series__dataset=dataset, series__indicator_code=indicator_code).delete()
    sdg_code = indicator_code.replace("-", ".")
    series_by_pair: dict[tuple[str, str], Series] = {}
    # Open SDG names them Series/Units; SDMX-coded platforms (Kazakhstan) SERIES/UNIT_MEASURE.
    series_column = next((c for c in ("Series", "SERIES") if c in frame.columns), None)
    unit_column = next((c for c in ("Units", "UNIT_MEASURE") if c in frame.columns), None)
    frame = frame.with_columns(
        (pl.col(series_column) if series_column else pl.lit(None, pl.String)).fill_null("").alias("_series"),
        (pl.col(unit_column) if unit_column else pl.lit(None, pl.String)).fill_null("").alias("_unit"),
    )
    pairs = frame.select(pl.col("_series").alias("s"), pl.col("_unit").alias("u")).unique()
    for series_code, unit in pairs.sort("s", "u").iter_rows():
        series, _ = Series.objects.update_or_create(
            dataset=dataset,
            indicator_code=indicator_code,
            code=series_code,
            unit=unit,
            defaults={"sdg_indicator_id": sdg_code if sdg_code in sdg_indicators else None},
        )
        series_by_pair[(series_code, unit)] = series
        report.series += 1
    attributes = [c for c in frame.columns if ATTRIBUTE_COLUMN.match(c) and c.startswith("COMMENT")]
    observations: list[Observation] = []
    seen: dict[tuple[int, int, str, int, str], int] = {}
    file_name = f"indicator_{indicator_code}.csv"
    for row in frame.iter_rows(named=True):
        geocode = row.get("GeoCode")
        area = national
        if geocode:
            area = subnational.get(geocode)  # type: ignore[assignment]
            if area is None:
                label = row.get("Geography") or geocode
                area = Area.objects.create(
                    kind=Area.Kind.SUBNATIONAL, code=geocode, parent=national, country=national.country,
                    names={"en": str(label)},
                )  # fmt: skip
                subnational[geocode] = area
        values = {name: str(row[name]) for name in dimensions if row.get(name) is not None}
        pair = (row["_series"], row["_unit"])
        period = row.get("period") or ""
        cell = (series_by_pair[pair].pk, area.pk, dimension_key(values), row["Year"], period)
        if cell in seen:
            reason = f"same series, area, disaggregation and period {period or row['Year']} as line {seen[cell]}"
            report.refusals.append(Refusal(file_name, row["line"], reason))
            continue
        seen[cell] = row["line"]
        observations.append(
            Observation(
                series=series_by_pair[pair],
                area=area,
                year=row["Year"],
                period=period[:20],
                dimension_key=dimension_key(values),
                dimensions=values,
                value=row["Value"],
                progress_value=row.get(PROGRESS_COLUMN),
                status=observation_status(row.get("Observation status")),
                footnote="\n".join(str(row[c]) for c in attributes if row.get(c)),
                source=dataset.code,
            )
        )
    Observation.objects.bulk_create(observations, batch_size=2000)
    report.observations += len(observations)
