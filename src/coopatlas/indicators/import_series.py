"""Import series files (tidy CSV, SDMX-CSV, SDMX-ML): read -> validate (``series_io``) -> map areas -> upsert -> report.

Areas: an ISO alpha-3 code is a country (it must be a known one); otherwise an M49 code is the country
with that M49 code, else an M49 region; otherwise another code (World Bank aggregate, Gapminder geo)
is an "other group" area. A re-import replaces the dataset's observations of each series it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from coopatlas.geo.models import Country, Region
from coopatlas.indicators.models import Area, Dataset, Observation, ObservationStatus, Series
from coopatlas.indicators.models.observations import dimension_key
from coopatlas.indicators.opensdg_repository import Refusal
from coopatlas.indicators.series_io import SeriesData, read_series_file

#: What the shipped tidy files measure: file stem -> (indicator code, unit). Others keep their stem.
KNOWN_FILES: dict[str, tuple[str, str]] = {
    "under5_mortality_igme": ("3.2.1", "deaths per 1,000 live births"),
    "under5_mortality_by_sex_sdgdb": ("3.2.1", "deaths per 1,000 live births"),
    "maternal_mortality_ratio_sdgdb": ("3.1.1", "per 100,000 live births"),
    "poverty_headcount_1.90usd_2011ppp_sdgdb": ("1.1.1", "percent"),
    "poverty_headcount_2.15usd_2017ppp_wdi_2024": ("1.1.1", "percent"),
    "poverty_headcount_3.00usd_2021ppp_wdi_2025": ("1.1.1", "percent"),
    "working_poverty_1.90usd_by_sex_age_sdgdb": ("1.1.1", "percent of employed"),
    "oda_pct_gni_dac_donors_2000_2017_sdgdb": ("17.2.1", "percent of GNI"),
    "oda_pct_gni_dac_donors_2000_2025_one": ("17.2.1", "percent of GNI"),
    "oda_pct_gni_dac_donors_1960_2008_gapminder": ("17.2.1", "percent of GNI"),
    "completion_rate_by_wealth_quintile_sex_location_sdgdb": ("4.1.2", "percent"),
    "primary_completion_rate_uis": ("4.1.2", "percent"),
    "primary_completion_rate_by_sex_uis": ("4.1.2", "percent"),
}


@dataclass
class SeriesImportReport:
    """Per file: rows read, series and observations created, and every refusal with its line and reason."""

    dataset: str
    files: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def observations(self) -> int:
        return sum(f["observations"] for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for ``--json``)."""
        return {
            "dataset": self.dataset,
            "files": self.files,
            "observations": self.observations,
            "refused": len(self.refusals),
            "refusals": [refusal.as_dict() for refusal in self.refusals],
        }


class AreaResolver:
    """Maps the area columns of a row to an ``Area`` (created on first use), or says why it cannot."""

    def __init__(self) -> None:
        self.countries = {c.code: c for c in Country.objects.all()}
        self.by_m49 = {c.m49.lstrip("0"): c for c in self.countries.values() if c.m49}
        self.regions = {r.code.lstrip("0"): r for r in Region.objects.all()}
        self.areas: dict[tuple[str, str], Area] = {
            (a.kind, a.code): a for a in Area.objects.filter(parent__isnull=True)
        }

    def area(self, kind: str, code: str, names: dict[str, str], **links: Any) -> Area:
        """The root area of this kind and code, created if new."""
        found = self.areas.get((kind, code))
        if found is None:
            found = Area.objects.create(kind=kind, code=code, names=names, **links)
            self.areas[(kind, code)] = found
        return found

    def resolve(self, iso3: str | None, m49: str | None, other: str | None, name: str | None) -> Area | str:
        """The area, or the reason for refusing the row."""
        if iso3:
            country = self.countries.get(iso3)
            if country is None:
                return f"unknown ISO alpha-3 code {iso3!r}"
            return self.area(Area.Kind.COUNTRY, country.code, country.names, country=country)
        if m49:
            if m49 in self.by_m49:
                country = self.by_m49[m49]
                return self.area(Area.Kind.COUNTRY, country.code, country.names, country=country)
            region = self.regions.get(m49)
            if region is not None:
                return self.area(Area.Kind.REGION, region.code, region.names, region=region)
            return self.area(Area.Kind.GROUP, f"M49:{m49}", {"en": name or m49})
        assert other
        return self.area(Area.Kind.GROUP, other, {"en": name or other})


def import_series_files(
    paths: list[Path], dataset_code: str | None = None, series: str | None = None, licence: str = ""
) -> SeriesImportReport:
    """Import each file into its dataset (``tidy-<stem>`` unless one code is given for all), in one transaction."""
    report = SeriesImportReport(dataset_code or "tidy-<file>")
    with transaction.atomic():
        resolver = AreaResolver()
        for path in paths:
            data = read_series_file(path, series=series)
            report.refusals.extend(data.refusals)
            entry: dict[str, Any] = {"file": path.name, "format": data.format, "rows": data.rows_read,
                                     "series": 0, "observations": 0, "refused": len(data.refusals)}  # fmt: skip
            report.files.append(entry)
            if data.frame is None:
                continue
            dataset, _ = Dataset.objects.update_or_create(
                code=(dataset_code or f"tidy-{path.stem}")[:60].replace(".", "-"),
                defaults={"title": f"Series file {path.name}", "licence": licence, "imported_at": timezone.now()},
            )
            refused = upsert_series(dataset, path, data, resolver, entry)
            report.refusals.extend(refused)
            entry["refused"] += len(refused)
    report.refusals.sort(key=lambda r: (r.file, r.line))
    return report


def upsert_series(
    dataset: Dataset, path: Path, data: SeriesData, resolver: AreaResolver, entry: dict[str, Any]
) -> list[Refusal]:
    """Replace the dataset's observations of each series in the file with the rows read."""
    assert data.frame is not None
    indicator_code, unit = KNOWN_FILES.get(path.stem, (path.stem, ""))
    refusals: list[Refusal] = []
    series_by_code: dict[str, Series] = {}
    for code in data.frame["series"].unique().sort().to_list():
        series, _ = Series.objects.update_or_create(
            dataset=dataset, indicator_code=indicator_code[:30], code=code, unit=unit if code == path.stem else "",
            defaults={"sdg_indicator_id": None},
        )  # fmt: skip
        Observation.objects.filter(series=series).delete()
        series_by_code[code] = series
    entry["series"] = len(series_by_code)
    areas: dict[tuple[Any, ...], Area | str] = {}
    observations = []
    area_columns = ("iso3", "m49", "area_other", "area_name")
    for row in data.frame.iter_rows(named=True):
        area_key = tuple(row[c] for c in area_columns)
        if area_key not in areas:
            areas[area_key] = resolver.resolve(*area_key)
        area = areas[area_key]
        if isinstance(area, str):
            refusals.append(Refusal(path.name, row["line"], area))
            continue
        values = {d: str(row[d]) for d in data.dimensions if row[d] is not None}
        status = row["status"] if row["status"] in ObservationStatus.values else ObservationStatus.NORMAL
        observations.append(
            Observation(series=series_by_code[row["series"]], area=area, year=row["year"],
                        period=(row["period"] or "")[:20], dimension_key=dimension_key(values), dimensions=values,
                        value=row["value"], status=status, footnote=row["footnote"] or "", source=path.name)
        )  # fmt: skip
    Observation.objects.bulk_create(observations, batch_size=5000)
    entry["observations"] = len(observations)
    return refusals


def observations_frame(queryset: Any) -> pl.DataFrame:
    """Observations as a long frame: series, indicator, unit, area kind/code, M49, year, period, value, status, dimensions."""
    fields = ("series__code", "series__indicator_code", "series__unit", "area__kind", "area__code",
              "area__country__m49", "area__region__code", "year", "period", "value", "status", "dimensions")  # fmt: skip
    rows = [
        {"series": s, "indicator": i, "unit": u, "area_kind": k, "area": a, "m49": cm or rm, "year": y,
         "period": p, "value": v, "status": st, **dims}
        for s, i, u, k, a, cm, rm, y, p, v, st, dims in queryset.values_list(*fields).iterator(chunk_size=5000)
    ]  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
