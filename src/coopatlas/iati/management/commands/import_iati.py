"""``coopatlas import_iati PATH... [--json]``: import IATI activity files (IATI 1.01-2.03) into the catalogue.

Streams each file (one activity in memory at a time), rejects activities that are invalid against
the XSD of their IATI version or cannot be keyed, and upserts the others by ``iati-identifier`` and
reporting organisation (see docs/iati-import.md). Shows a progress bar with activities per second on
standard error when it is a terminal (or with ``--progress``). Exits with status 1 when an activity
was rejected or a file refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coopatlas.catalogue.models import Organisation
from coopatlas.core.models import WorkflowStatus
from coopatlas.iati.importer import ImportConfig, ImportReport, Progress, import_files
from coopatlas.iati.importer.pipeline import VALIDATION_MODES
from coopatlas.initiatives.models import IatiImport

BAR_WIDTH = 30


def progress_line(progress: Progress) -> str:
    """A one-line progress bar: file share done, megabytes, activities and activities per second."""
    share = progress.bytes_done / progress.bytes_total if progress.bytes_total else 1.0
    filled = round(BAR_WIDTH * min(share, 1.0))
    return (
        f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {share:4.0%} {Path(progress.file).name[:40]} "
        f"{progress.bytes_done / 1e6:.1f}/{progress.bytes_total / 1e6:.1f} MB  {progress.activities_read:,} "
        f"activities  {progress.activities_per_second:,.0f}/s"
    )


class Command(BaseCommand):
    """Import IATI activity files and print the report as text or JSON."""

    help = "Import IATI activity files (versions 1.01-2.03) as initiatives and organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        """PATH..., --json, --owner, --status, --validation, --batch-size, --max-bytes, --progress."""
        parser.add_argument("paths", nargs="+", metavar="PATH", help="IATI activity XML files or folders of them")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--owner",
            help="owning organisation of new records (id or IATI identifier); "
            "default: each activity's reporting organisation",
        )
        parser.add_argument(
            "--status",
            default=WorkflowStatus.PUBLISHED,
            choices=list(WorkflowStatus.values),
            help="workflow status of new records (default: published)",
        )
        parser.add_argument(
            "--validation",
            default="schema",
            choices=VALIDATION_MODES,
            help="schema: reject activities invalid against their IATI XSD (default); full: also "
            "report IATI Ruleset and codelist findings; none: no validation",
        )
        parser.add_argument("--batch-size", type=int, default=200, help="activities written per transaction")
        parser.add_argument("--max-bytes", type=int, default=0, help="refuse larger files (default 0: no limit)")
        parser.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
        parser.add_argument(
            "--allow-rejections",
            action="store_true",
            help="exit 0 when only activities were rejected (invalid data is reported, not fatal; "
            "files refused still fail)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Import, print the report, fail when something was rejected."""
        paths = self._paths(options["paths"])
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        show = options["progress"] or sys.stderr.isatty()
        run = IatiImport.objects.create(
            status=IatiImport.Status.RUNNING,
            started_at=timezone.now(),
            file_names=[str(p) for p in paths],
            bytes_total=sum(p.stat().st_size for p in paths),
        )
        config = ImportConfig(
            owner_id=self._owner(options["owner"]),
            workflow_status=options["status"],
            validation=options["validation"],
            batch_size=options["batch_size"],
            max_bytes=options["max_bytes"],
            import_id=run.pk,
            progress=self._show_progress if show else None,
        )
        report = import_files(paths, config)
        if show:
            sys.stderr.write("\n")
        run.status, run.finished_at, run.report = IatiImport.Status.DONE, timezone.now(), report.to_dict()
        run.activities_read, run.bytes_done = report.total("read"), run.bytes_total
        run.save()
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str))
        else:
            self._write_text(report, options["verbosity"])
        refused = sum(1 for f in report.files if f.refused)
        if report.errors and not (options["allow_rejections"] and refused == 0):
            raise CommandError(
                f"{report.total('rejected')} activities rejected, "
                f"{sum(1 for f in report.files if f.refused)} file(s) refused",
                returncode=1,
            )

    @staticmethod
    def _paths(arguments: list[str]) -> list[Path]:
        paths: list[Path] = []
        for argument in arguments:
            path = Path(argument)
            if path.is_dir():
                paths += sorted(path.glob("*.xml"))
            elif path.exists():
                paths.append(path)
            else:
                raise CommandError(f"{argument}: no such file or folder")
        return paths

    @staticmethod
    def _owner(value: str | None) -> int | None:
        if not value:
            return None
        owner = Organisation.objects.filter(pk=int(value)).first() if value.isdigit() else None
        owner = owner or Organisation.objects.filter(iati_identifier__iexact=value).first()
        if owner is None:
            raise CommandError(f"--owner {value}: no organisation with this id or IATI identifier")
        return owner.pk

    @staticmethod
    def _show_progress(progress: Progress) -> None:
        sys.stderr.write(progress_line(progress))
        sys.stderr.flush()

    def _write_text(self, report: ImportReport, verbosity: int) -> None:
        """One line per problem (verbosity 1: errors only; 2: warnings too), per file counts, the totals."""
        for problem in report.problems:
            if verbosity >= 2 or (verbosity == 1 and problem.is_error):
                self.stdout.write(str(problem))
        if report.problems_left_out:
            self.stdout.write(f"... and {report.problems_left_out} more problems")
        if verbosity >= 1:
            for f in report.files:
                refused = f"  REFUSED: {f.refused}" if f.refused else ""
                self.stdout.write(
                    f"{f.name}: {f.read} read, {f.created} created, {f.updated} updated, "
                    f"{f.unchanged} unchanged, {f.rejected} rejected{refused}"
                )
        style = self.style.ERROR if report.errors else self.style.SUCCESS
        self.stdout.write(style(report.summary()))
