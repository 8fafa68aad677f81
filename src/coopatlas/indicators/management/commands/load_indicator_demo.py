"""``coopatlas load_indicator_demo``: import the indicator demo data shipped in ``indicators/data/demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from coopatlas.indicators.import_opensdg import import_opensdg
from coopatlas.indicators.import_series import import_series_files
from coopatlas.indicators.models import Dataset

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
CANADA_LICENCE = "Statistics Canada Open Licence"
CANADA_ATTRIBUTION = "Source: Statistics Canada, SDG data hub (sdg-data-canada-odd-donnees), Open SDG format"
SERIES_LICENCE = "CC BY 4.0 — UN Global SDG Indicators Database / Gapminder (UN IGME, UIS, OECD DAC)"


class Command(BaseCommand):
    """Import a subset of Canada's Open SDG data and three tidy panels (see data/demo/README.md)."""

    help = "Import the indicator demo data: Canada Open SDG subset, under-5 mortality, completion, ODA."

    def handle(self, *args: Any, **options: Any) -> None:
        """Run both importers; refusals are reported, never fatal."""
        canada = import_opensdg(DEMO_DIR / "opensdg-canada", "CAN", dataset_code="demo-opensdg-canada")
        Dataset.objects.filter(code=canada.dataset).update(
            licence=CANADA_LICENCE,
            attribution=CANADA_ATTRIBUTION,
            source_url="https://github.com/sdg-data-canada-odd-donnees/sdg-data-donnees-odd",
        )
        self.stdout.write(
            f"{canada.dataset}: {canada.files} files, {canada.series} series, {canada.observations} observations, "
            f"{len(canada.refusals)} refused"
        )
        files = sorted((DEMO_DIR / "series").glob("*.csv"))
        series = import_series_files(files, licence=SERIES_LICENCE)
        for entry in series.files:
            self.stdout.write(f"{entry['file']}: {entry['observations']} observations, {entry['refused']} refused")
        self.stdout.write(self.style.SUCCESS(f"{canada.observations + series.observations} observations imported"))
