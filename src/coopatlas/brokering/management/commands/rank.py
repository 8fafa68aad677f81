"""``coopatlas rank``: rank a benchmark corpus for each query with the production matcher."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coopatlas.brokering import harness
from coopatlas.brokering.embedders import CachedEmbedder, Embedder, get_embedder


class Command(BaseCommand):
    help = "Rank CORPUS documents (as solutions) for each query (as a need); write query_id<TAB>doc_id<TAB>rank."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--corpus", required=True, type=Path)
        parser.add_argument("--queries", required=True, type=Path)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--top", type=int, default=100)
        parser.add_argument("--embedder", help="embedder name (default: the COOPATLAS_EMBEDDER setting)")
        parser.add_argument("--embedding-cache", type=Path,
                            help="npz file caching embeddings by text hash (speeds up repeated runs)")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("corpus", "queries"):
            if not options[name].is_file():
                raise CommandError(f"--{name}: no such file: {options[name]}")
        try:
            embedder: Embedder = get_embedder(options["embedder"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["embedding_cache"]:
            embedder = CachedEmbedder(embedder, options["embedding_cache"])
        started = time.perf_counter()
        candidates = harness.corpus_candidates(options["corpus"])
        queries = harness.read_queries(options["queries"])
        index = harness.build_index(candidates, embedder)
        run = harness.rank_queries(index, queries, embedder, top=options["top"])
        harness.write_run(run, options["out"])
        self.stdout.write(
            f"Ranked {len(candidates)} documents for {len(queries)} queries with {embedder.name} "
            f"in {time.perf_counter() - started:.1f} s -> {options['out']}"
        )
