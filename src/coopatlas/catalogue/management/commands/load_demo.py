"""``coopatlas load_demo``: load the demo content taken from the UN source documents, and the demo accounts.

Run ``coopatlas load_reference`` first. Idempotent: a second run creates and changes nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.catalogue.demo import DemoDataError, DemoReport, load_demo


class Command(BaseCommand):
    """Validate the demo YAML files, then create or update and publish the records in one transaction."""

    help = (
        "Load the demo organisations, solutions, partnerships and initiatives taken from the UN documents, "
        "and the accounts demo-moderator and demo-contributor (password from DEMO_PASSWORD, else random, "
        "printed once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None, help="folder of the YAML files (default: shipped)")
        parser.add_argument("--check", action="store_true", help="only validate the files; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the loader and print what it did, and any new account's password, once."""
        started = time.perf_counter()
        try:
            report = load_demo(
                options["data_dir"], password=os.environ.get("DEMO_PASSWORD") or None, check_only=options["check"]
            )
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        if report.checked_only:
            self.stdout.write(self.style.SUCCESS(f"Demo data in {report.data_dir} is valid (nothing saved)."))
            return
        self._write_report(report, time.perf_counter() - started, options["verbosity"])

    def _write_report(self, report: DemoReport, elapsed: float, verbosity: int) -> None:
        if verbosity > 0:
            for type_report in report.types.values():
                self.stdout.write(f"  {type_report}")
            self.stdout.write(
                self.style.SUCCESS(f"Demo data: {report.created} created, {report.updated} updated in {elapsed:.2f} s")
            )
        for account in report.accounts:
            membership = f", member of {account.organisation}" if account.organisation else ""
            if not account.created:
                if verbosity > 0:
                    self.stdout.write(f"  account {account.username} ({account.role}{membership}): exists, unchanged")
            elif account.password_from_environment:
                self.stdout.write(
                    f"  account {account.username} ({account.role}{membership}) created, password from DEMO_PASSWORD"
                )
            else:
                # Shown once: only the password hash is stored.
                self.stdout.write(
                    self.style.WARNING(
                        f"  account {account.username} ({account.role}{membership}) created, "
                        f"password: {account.password}  (shown once, not stored)"
                    )
                )
