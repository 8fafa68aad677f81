"""``coopatlas import_opensdg DIR --country ISO3 [--json]``: import an Open SDG data repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.indicators.import_opensdg import import_opensdg


class Command(BaseCommand):
    """Import data/*.csv and indicator-config/*.yml of an Open SDG repository; report refusals per file and row."""

    help = "Import an Open SDG data repository (data/, meta/, indicator-config/) for one country."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-3 code of the platform's country")
        parser.add_argument("--dataset", help="dataset code (default: opensdg-<folder name>)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the import and print the report; refusals never stop the import."""
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        report = import_opensdg(directory, options["country"], options["dataset"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        for refusal in report.refusals:
            self.stdout.write(f"  refused {refusal}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.dataset}: {report.files} files, {report.indicators} indicators, {report.series} series, "
                f"{report.observations} observations, {report.configurations} progress configurations; "
                f"{len(report.refusals)} refused, {report.rows_without_value} rows without a value"
            )
        )
