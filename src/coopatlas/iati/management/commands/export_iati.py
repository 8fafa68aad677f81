"""``coopatlas export_iati --out FILE [filters]``: write initiatives as an IATI 2.03 activity file.

By default the published initiatives anyone can see; filters narrow them down. Records IATI 2.03
cannot express (no reporting organisation identifier, no participating organisation, no activity
status or date) are left out and listed on standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.iati.exporter import export_initiatives
from coopatlas.initiatives.models import Initiative


class Command(BaseCommand):
    """Export initiatives as IATI 2.03 XML."""

    help = "Export initiatives as an IATI 2.03 activity file (valid against the official XSD)."

    def add_arguments(self, parser: CommandParser) -> None:
        """--out and the filters."""
        parser.add_argument("--out", required=True, help="file to write ('-' for standard output)")
        parser.add_argument(
            "--publisher", action="append", default=[], help="reporting organisation identifier (repeatable)"
        )
        parser.add_argument("--owner", type=int, action="append", default=[], help="owning organisation id")
        parser.add_argument(
            "--country", action="append", default=[], help="recipient country, ISO alpha-2 or alpha-3 (repeatable)"
        )
        parser.add_argument(
            "--cooperation-type", action="append", default=[], choices=list(Initiative.CooperationType.values)
        )
        parser.add_argument("--identifier", action="append", default=[], help="IATI identifier (repeatable)")
        parser.add_argument(
            "--include-unpublished",
            action="store_true",
            help="also drafts and records waiting for moderation (never deleted ones)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Select, export, report what was left out."""
        queryset = Initiative.objects.alive() if options["include_unpublished"] else Initiative.objects.published()
        if options["publisher"]:
            queryset = queryset.filter(iati_reporting_org_ref__in=options["publisher"])
        if options["owner"]:
            queryset = queryset.filter(owner_id__in=options["owner"])
        if options["country"]:
            codes = [c.upper() for c in options["country"]]
            queryset = queryset.filter(recipient_countries__iso2__in=codes) | queryset.filter(
                recipient_countries__code__in=codes
            )
        if options["cooperation_type"]:
            queryset = queryset.filter(cooperation_type__in=options["cooperation_type"])
        if options["identifier"]:
            queryset = queryset.filter(iati_identifier__in=options["identifier"])
        queryset = queryset.distinct()
        if options["out"] == "-":
            report = export_initiatives(queryset, sys.stdout.buffer)
        else:
            try:
                with Path(options["out"]).open("wb") as stream:
                    report = export_initiatives(queryset, stream)
            except OSError as error:
                raise CommandError(f"{options['out']}: {error.strerror}") from error
        for label, reason in report.skipped:
            if options["verbosity"] >= 2:
                sys.stderr.write(f"left out {label}: {reason}\n")
        sys.stderr.write(report.summary() + "\n")
