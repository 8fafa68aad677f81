"""``coopatlas load_reference``: load or refresh the reference data shipped in the repository.

Geography (M49 regions, countries, regional commissions, income groups), the SDG framework and the
IATI codelists. Idempotent: a second run creates and updates nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from coopatlas.geo.services import load_geography
from coopatlas.geo.sync import TableReport
from coopatlas.iati.services import load_codelists
from coopatlas.indicators.services import load_sdg_framework

#: The loaders, in dependency order.
LOADERS: tuple[Callable[[], list[TableReport]], ...] = (load_geography, load_sdg_framework, load_codelists)


class Command(BaseCommand):
    """Load countries, M49 regions, regional commissions, SDGs and IATI codelists from the shipped files."""

    help = "Load or refresh the shipped reference data (countries, M49, commissions, SDGs, IATI codelists)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Run every loader in one transaction and print counts per table unless verbosity is 0."""
        started = time.perf_counter()
        with transaction.atomic():
            reports = [report for loader in LOADERS for report in loader()]
        elapsed = time.perf_counter() - started
        if options["verbosity"] == 0:
            return
        for report in reports:
            self.stdout.write(f"  {report}")
        created = sum(report.created for report in reports)
        updated = sum(report.updated for report in reports)
        total = sum(report.total for report in reports)
        self.stdout.write(
            self.style.SUCCESS(f"Reference data: {total} rows, {created} created, {updated} updated in {elapsed:.2f} s")
        )
