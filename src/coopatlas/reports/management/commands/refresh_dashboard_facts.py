"""``coopatlas refresh_dashboard_facts``: rebuild the dashboards' fact tables and roll-up (after bulk imports)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coopatlas.reports.facts import BATCH_SIZE, rebuild_all


class Command(BaseCommand):
    help = ("Rebuild the dashboards' facts (amounts converted to USD at dated ECB rates) and the published "
            "roll-up from the catalogue. Run it after imports that write initiatives or transactions in bulk.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="initiatives per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done:,} / {total:,} initiatives")

        count = rebuild_all(options["batch_size"], progress)
        self.stdout.write(f"Dashboard facts rebuilt for {count:,} initiatives in {time.perf_counter() - started:.1f} s.")
