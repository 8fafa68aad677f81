"""``coopatlas reindex``: rebuild the search index from the records, batch by batch."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.core.search.documents import INDEXED_TYPES
from coopatlas.core.search.indexing import BATCH_SIZE, reindex


class Command(BaseCommand):
    """Rebuild every search entry (or those of the given record types) and report progress."""

    help = "Rebuild the catalogue search index (entries, facet values and the full-text index)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record_types", nargs="*", help=f"Only these types: {', '.join(INDEXED_TYPES)}.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Records per batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run ``core.search.reindex`` and print one progress line per batch (verbosity 2) or per type."""
        unknown = [t for t in options["record_types"] if t not in INDEXED_TYPES]
        if unknown:
            raise CommandError(f"Unknown record type(s): {', '.join(unknown)}. Known: {', '.join(INDEXED_TYPES)}.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()
        verbosity = options["verbosity"]
        indexed = 0
        for progress in reindex(options["record_types"] or None, batch_size=options["batch_size"]):
            finished_type = progress.done == progress.total
            if verbosity >= 2 or (verbosity == 1 and finished_type):
                rate = (indexed + progress.done) / max(time.perf_counter() - started, 1e-6)
                self.stdout.write(f"  {progress.record_type}: {progress.done}/{progress.total} ({rate:.0f} records/s)")
            if finished_type:
                indexed += progress.total
        if verbosity:
            elapsed = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Indexed {indexed} records in {elapsed:.1f} s"))
