"""``coopatlas reindex_vectors``: embed every matchable record and rebuild the vector indexes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coopatlas.brokering.embedders import get_embedder
from coopatlas.brokering.index import EMBEDDED_MODELS, reindex_vectors
from coopatlas.brokering.tagging import label_vectors


class Command(BaseCommand):
    help = "Embed changed (or, with --force, all) solutions, needs, experts and organisations; drop orphans."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("record_types", nargs="*", help=f"some of: {', '.join(EMBEDDED_MODELS)}")
        parser.add_argument("--force", action="store_true", help="embed even records whose text did not change")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = set(options["record_types"]) - set(EMBEDDED_MODELS)
        if unknown:
            raise CommandError(f"Unknown record types: {', '.join(sorted(unknown))}")
        embedder = get_embedder()
        last: dict[str, int] = {}
        for record_type, done, total in reindex_vectors(options["record_types"] or None, embedder, options["force"]):
            last[record_type] = total
            if options["verbosity"] > 1:
                self.stdout.write(f"{record_type}: {done}/{total}")
        for kind in ("dac-sector", "sdg-target"):
            codes, _vectors = label_vectors(kind, embedder)
            last[kind] = len(codes)
        summary = ", ".join(f"{n} {t}" for t, n in last.items())
        self.stdout.write(f"Vectors up to date with {embedder.name}: {summary}.")
