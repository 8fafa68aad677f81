"""``coopatlas report --year YEAR --lang LANG --format pdf|html --out FILE [--region CODE]``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.reports.report import build_report, render_html, render_pdf, resolve_region, weasyprint_missing


class Command(BaseCommand):
    help = "Write the yearly State of South-South and triangular cooperation report as PDF or HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--lang", default="en", choices=[code for code, _name in settings.LANGUAGES])
        parser.add_argument("--format", dest="output_format", default="pdf", choices=["pdf", "html"])
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--region", default="", help="M49 region code (e.g. 002) or commission (e.g. ECA)")

    def handle(self, *args: Any, **options: Any) -> None:
        region = options["region"]
        if region and resolve_region(region) is None:
            raise CommandError(f"Unknown region or regional commission: {region}")
        if options["output_format"] == "pdf" and (reason := weasyprint_missing()):
            raise CommandError(reason)
        started = time.perf_counter()
        report = build_report(options["year"], options["lang"], region)
        out = Path(options["out"])
        if options["output_format"] == "pdf":
            out.write_bytes(render_pdf(report))
        else:
            out.write_text(render_html(report), encoding="utf-8")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Wrote {out} ({out.stat().st_size:,} bytes) in {seconds:.1f} s: {report.dashboard.initiatives} "
            f"initiatives, budget {report.dashboard.budget.rounded} {report.dashboard.params.currency}, disbursed "
            f"{report.dashboard.disbursed.rounded} {report.dashboard.params.currency}."
        )
