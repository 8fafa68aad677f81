"""``coopatlas import_series FILE ... [--dataset CODE] [--json]``: import tidy CSV, SDMX-CSV or SDMX-ML series files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.indicators.import_series import import_series_files


class Command(BaseCommand):
    """Import series files; report per file and per row what was refused and why."""

    help = "Import tidy long CSV, SDMX-CSV or SDMX-ML (UN SDG Global Database structure) series files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--dataset", help="one dataset code for all files (default: tidy-<file name>)")
        parser.add_argument("--series", help="series code for a tidy file (default: the file name)")
        parser.add_argument("--licence", default="", help="licence or attribution to record")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the import and print the report; refusals never stop the import."""
        missing = [str(p) for p in options["files"] if not p.is_file()]
        if missing:
            raise CommandError(f"not a file: {', '.join(missing)}")
        report = import_series_files(options["files"], options["dataset"], options["series"], options["licence"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        for refusal in report.refusals:
            self.stdout.write(f"  refused {refusal}")
        for entry in report.files:
            self.stdout.write(
                f"{entry['file']} ({entry['format']}): {entry['rows']} rows, {entry['series']} series, "
                f"{entry['observations']} observations, {entry['refused']} refused"
            )
        self.stdout.write(self.style.SUCCESS(f"{report.observations} observations, {len(report.refusals)} refused"))
