"""The benchmark harness: corpus documents become solution candidates, queries become needs.

``coopatlas rank`` and ``bench/matching.py`` use it; ranking itself is ``MatchIndex.rank``, the code
the matching service runs. The corpus is held in memory (no database): each document is turned into
a ``Candidate`` exactly as ``index.solution_candidate`` turns a stored solution into one (title +
description as the text, its DAC sectors, its publisher as the owning organisation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coopatlas.brokering.embedders import Embedder
from coopatlas.brokering.matcher import Candidate, MatchIndex, NeedQuery, Weights
from coopatlas.brokering.text import compose


@dataclass(frozen=True)
class BenchQuery:
    """One query of a benchmark file."""

    id: str
    publisher: str
    language: str
    text: str


def read_jsonl(path: Path) -> Iterator[dict]:
    """The JSON objects of a JSON-lines file."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def corpus_candidates(path: Path) -> list[Candidate]:
    """The corpus documents as solution candidates."""
    return [
        Candidate(
            key=doc["id"], title=doc.get("title", ""), text=compose(doc.get("title"), doc.get("description")),
            language=doc.get("lang", "en"), owner_ids=frozenset({doc.get("publisher", "")}),
            sectors=frozenset(doc.get("sectors") or ()),
        )
        for doc in read_jsonl(path)
    ]


def read_queries(path: Path) -> list[BenchQuery]:
    """The benchmark queries."""
    return [BenchQuery(q["id"], q.get("publisher", ""), q.get("lang", "en"), q["text"]) for q in read_jsonl(path)]


def need_query(query: BenchQuery) -> NeedQuery:
    """A benchmark query as a need: its text only, the publisher's own documents excluded."""
    return NeedQuery(text=compose(query.text), language=query.language,
                     exclude_owner_ids=frozenset({query.publisher}))


def build_index(candidates: list[Candidate], embedder: Embedder) -> MatchIndex:
    """Embed the candidates as passages and index them."""
    return MatchIndex(candidates, embedder.embed_passages([c.text for c in candidates]))


def rank_queries(index: MatchIndex, queries: list[BenchQuery], embedder: Embedder, top: int = 100,
                 weights: Weights | None = None) -> dict[str, list[str]]:
    """For each query id, the ranked candidate keys."""
    needs = [need_query(q) for q in queries]
    vectors = embedder.embed_queries([n.text for n in needs]) if needs else np.zeros((0, 1))
    return {
        q.id: [m.candidate.key for m in index.rank(need, vector, top=top, weights=weights).matches]
        for q, need, vector in zip(queries, needs, vectors, strict=True)
    }


def write_run(run: dict[str, list[str]], path: Path) -> None:
    """Write a run as ``query_id<TAB>doc_id<TAB>rank`` lines (rank from 1)."""
    with path.open("w", encoding="utf-8") as out:
        for query_id, keys in run.items():
            for position, key in enumerate(keys, start=1):
                out.write(f"{query_id}\t{key}\t{position}\n")
