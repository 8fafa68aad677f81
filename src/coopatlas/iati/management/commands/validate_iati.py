"""``coopatlas validate_iati FILE... [--json]``: validate IATI activity files without importing them.

Checks each file as the official IATI Validator does (schema, IATI Rulesets, codelist rules; see
docs/iati-validation.md) and lists every problem with its file, activity, line, rule and severity.
Exits with status 1 when any error is found (warnings alone exit 0).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.iati.validation import Report, validate_file


class Command(BaseCommand):
    """Validate IATI files and report problems as text or JSON."""

    help = "Validate IATI activity files (XSD, IATI Rulesets, codelists) without importing them."

    def add_arguments(self, parser: CommandParser) -> None:
        """FILE..., --json and --max-bytes."""
        parser.add_argument("files", nargs="+", metavar="FILE", help="IATI activity XML files")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="refuse files larger than this (default: the IATI_MAX_UPLOAD_BYTES setting; 0 = no limit)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Validate each file, print the report, fail when there are errors."""
        report = Report()
        for path in options["files"]:
            report.extend(validate_file(path, max_bytes=options["max_bytes"]))
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            self._write_text(report, options["verbosity"])
        if report.has_errors:
            counts = report.summary()
            raise CommandError(f"{counts['error']} error(s), {counts['warning']} warning(s)", returncode=1)

    def _write_text(self, report: Report, verbosity: int) -> None:
        """One line per problem, then a summary line."""
        if verbosity > 0:
            for problem in report.problems:
                self.stdout.write(str(problem))
        counts = report.summary()
        summary = (
            f"{len(report.files)} file(s), {report.activities} activities read "
            f"({report.invalid_activities} with errors): {counts['error']} error(s), {counts['warning']} warning(s)"
        )
        self.stdout.write(self.style.ERROR(summary) if report.has_errors else self.style.SUCCESS(summary))
