"""``coopatlas flag_stale [--remind] [--dry-run]``: count stale records, deactivate silent partnerships."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coopatlas.core.search.documents import INDEXED_TYPES
from coopatlas.reports.stale import deactivate_silent_partnerships, silent_partnerships, stale_after_days, stale_records


class Command(BaseCommand):
    help = ("Report records not updated within COOPATLAS_STALE_AFTER_DAYS, mark partnerships without a progress "
            "report for two years inactive, and (--remind) e-mail the owners of stale records.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--remind", action="store_true", help="enqueue the reminder e-mails")
        parser.add_argument("--dry-run", action="store_true", help="change nothing, only count")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Stale after {stale_after_days()} days:")
        for record_type in INDEXED_TYPES:
            self.stdout.write(f"  {record_type}: {stale_records(record_type).count()}")
        if options["dry_run"]:
            self.stdout.write(f"Partnerships that would become inactive: {silent_partnerships().count()}")
            return
        deactivated = deactivate_silent_partnerships()
        self.stdout.write(f"Partnerships marked inactive: {len(deactivated)}")
        if options["remind"]:
            from coopatlas.reports.tasks import send_stale_reminders

            send_stale_reminders.enqueue()
            self.stdout.write("Reminders enqueued.")
