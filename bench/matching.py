"""Benchmark of need -> solution matching: quality on the dev sets, latency at 100k, embedding speed.

Scores runs (``query_id<TAB>doc_id<TAB>rank``) against graded qrels: nDCG@10 with gain 2^grade − 1
(Järvelin & Kekäläinen 2002), P@10 (grade ≥ 1), MRR of the first grade-2 document, Recall@100
(grade ≥ 1), overall and per query language. Systems measured in the same run:

- ``bm25s``: the README's baseline (bm25s, English stopwords, title + description);
- ``lexical``: CoopAtlas's own multilingual BM25 alone;
- ``<embedder> only``: cosine similarity of one embedder alone (single-embedder baselines);
- ``matcher (<embedder>)``: the production matcher (``coopatlas rank``'s code path), all signals.

Latency: one need against 100k synthetic solutions (the corpus vectors perturbed, texts resampled)
on one core (BLAS threads = 1, ``taskset -c 0`` when available) after warm-up; p50/p95 over 200
needs. Embeddings are cached under ``var/embedding-cache/`` so reruns only embed new texts.

    .venv/bin/python bench/matching.py --write-docs
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopatlas.settings")

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DEV = ROOT.parent / "shared" / "bench" / "matching-dev"
MULTILINGUAL = ROOT / "bench" / "data" / "matching-multilingual"
CACHE = ROOT / "var" / "embedding-cache"
START, END = "<!-- matching -->", "<!-- /matching -->"

Run = dict[str, list[str]]
Qrels = dict[str, dict[str, int]]


def read_qrels(path: Path) -> Qrels:
    """Graded judgements: query -> document -> grade."""
    qrels: Qrels = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            query, doc, grade = line.split("\t")
            qrels[query][doc] = int(grade)
    return qrels


def read_run(path: Path) -> Run:
    """A run file as query -> ranked document ids."""
    rows: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            query, doc, rank = line.split("\t")
            rows[query].append((int(rank), doc))
    return {q: [d for _r, d in sorted(r)] for q, r in rows.items()}


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    """nDCG@k with gain 2^grade − 1 and log2 discount (Järvelin & Kekäläinen 2002)."""
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def score_query(ranked: list[str], grades: dict[str, int]) -> dict[str, float]:
    """nDCG@10, P@10, reciprocal rank of the first grade-2 document, Recall@100 for one query."""
    relevant = {d for d, g in grades.items() if g > 0}
    first = next((i for i, d in enumerate(ranked) if grades.get(d, 0) >= 2), None)
    return {
        "nDCG@10": ndcg(ranked, grades),
        "P@10": sum(1 for d in ranked[:10] if d in relevant) / 10,
        "MRR": 1 / (first + 1) if first is not None else 0.0,
        "R@100": len(relevant & set(ranked[:100])) / len(relevant) if relevant else 0.0,
    }


def evaluate(run: Run, qrels: Qrels, languages: dict[str, str]) -> dict[str, dict[str, float]]:
    """Mean metrics over the judged queries: "all" and one entry per query language."""
    per: dict[str, list[dict[str, float]]] = defaultdict(list)
    for query, grades in qrels.items():
        scores = score_query(run.get(query, []), grades)
        per["all"].append(scores)
        per[languages.get(query, "?")].append(scores)
    return {group: {m: statistics.fmean(s[m] for s in rows) for m in rows[0]} | {"n": len(rows)}
            for group, rows in per.items()}
