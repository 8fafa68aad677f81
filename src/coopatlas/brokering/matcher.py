"""The matcher: every signal over every candidate, vectorised, combined by a documented weighted sum.

Signals (each scaled to [0, 1] per query; docs/methods/matching.md gives the sources and the tuning):

- ``semantic``: cosine similarity of the need's and the candidate's embeddings (``embedders``),
  rescaled per query from the corpus mean (0) to the best candidate (1).
- ``lexical``: BM25 (Robertson & Zaragoza 2009), divided by the query's best score.
- ``sectors``: shared DAC sectors, 1 for the same 5-digit code, 0.5 for the same 3-digit category.
  A need without sectors gets them inferred from its nearest candidates (pseudo-relevance feedback,
  Rocchio 1971 / Lavrenko & Croft 2001 "relevance models"): each neighbour votes for its sectors
  with its preliminary score; the shares become weights of the inferred sectors.
- ``sdg``: share of the need's SDG targets the candidate shares (0.5 for the same goal only).
- ``modality``: 1 when the candidate offers a modality the need seeks.
- ``geography``: 1 same sub-region, 0.7 same region, regional commission or country group (LDC/LLDC/SIDS).
- ``language``: 1 when the candidate is written in (or its people speak) the need's language.
- ``track_record``: completed initiatives of the provider in the need's sectors, log-scaled.
- ``freshness``: exp(−age / 2 years) of the candidate's last update.

Combined as ``score = Σ weight × signal`` (weights in ``Weights``). When the need's sectors are only
inferred, they are uncertain: the order is then diversified over them with xQuAD (Santos, Macdonald &
Ounis 2010, "Exploiting query reformulations for web search result diversification", WWW), so that a
need whose sector inference is split keeps candidates of each plausible sector near the top instead of
betting the whole first page on one (the main source of the differences between languages: one
wrong neighbour flips a need from all-relevant to none). The rank harness, the API and the pages all
call ``MatchIndex.rank``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

import numpy as np

from coopatlas.brokering.lexical import BM25Index

#: Above this many candidates the semantic search goes through a usearch HNSW index (Malkov & Yashunin
#: 2018) for its top EXACT_SEARCH_LIMIT neighbours; below it, exact numpy search.
EXACT_SEARCH_LIMIT = 200_000
SIGNALS = (
    "semantic", "lexical", "sectors", "sdg", "modality", "geography", "language", "track_record", "freshness",
)


@dataclass(frozen=True)
class Weights:
    """Weight of each signal in the final score (tuned on the dev sets: docs/methods/matching.md)."""

    semantic: float = 0.25
    lexical: float = 0.04
    sectors: float = 0.75
    sdg: float = 0.10
    modality: float = 0.04
    geography: float = 0.04
    language: float = 0.02
    track_record: float = 0.03
    freshness: float = 0.02
    #: Nearest candidates whose sectors are pooled to infer a need's sectors, and how far they spread.
    neighbours: int = 5
    #: Weight of the preliminary (semantic + lexical) score in choosing those neighbours.
    neighbour_lexical: float = 0.3
    #: A neighbour's vote for its sectors is its preliminary score ** vote_power (0: one vote each).
    vote_power: float = 0.0
    #: Factor on the lexical signal of candidates not written in (or translated into) the need's language:
    #: 1 keeps BM25 for all, 0 drops it where the need's words cannot be the document's words.
    cross_language_lexical: float = 1.0
    #: xQuAD trade-off between the score and covering every inferred sector (0: plain score order).
    diversity: float = 0.7
    #: Candidates (best by score) that the diversified ranking chooses from.
    diversity_pool: int = 100


@dataclass
class Candidate:
    """What the matcher knows of one candidate (solution, need, organisation, expert or bench document)."""

    key: str
    title: str
    text: str
    language: str = "en"
    owner_ids: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    sdg_targets: frozenset[str] = frozenset()
    modalities: frozenset[str] = frozenset()
    #: Geography tags: "sub:<M49>", "region:<M49>", "commission:<code>", "group:ldc" ...
    places: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    #: Completed initiatives of the provider, by DAC sector code.
    track_record: dict[str, int] = field(default_factory=dict)
    updated_at: datetime | None = None


@dataclass
class NeedQuery:
    """What is being matched: a need's text and tags (or a solution's, matched against needs)."""

    text: str
    language: str = "en"
    sectors: frozenset[str] = frozenset()
    sdg_targets: frozenset[str] = frozenset()
    modalities: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    #: Organisations (or bench publishers) whose candidates are never proposed: the requester's own.
    exclude_owner_ids: frozenset[str] = frozenset()


@dataclass
class Match:
    """One ranked candidate with its score and the score of each signal (before weighting)."""

    candidate: Candidate
    score: float
    signals: dict[str, float]
    cosine: float

    def contributions(self, weights: Weights) -> dict[str, float]:
        """Each signal's part of the score (weight × signal)."""
        return {name: getattr(weights, name) * value for name, value in self.signals.items()}


@dataclass
class Ranking:
    """The result of one query: matches and the sectors inferred for the need (sector -> weight)."""

    matches: list[Match]
    inferred_sectors: dict[str, float]
    best_cosine: float


GEO_WEIGHTS = {"sub": 1.0, "region": 0.7, "commission": 0.7, "group": 0.7}


def _postings(values: Sequence[Iterable[str]]) -> dict[str, np.ndarray]:
    lists: dict[str, list[int]] = defaultdict(list)
    for position, items in enumerate(values):
        for item in items:
            lists[item].append(position)
    return {key: np.asarray(rows, dtype=np.int32) for key, rows in lists.items()}


class MatchIndex:
    """Candidates of one kind with their vectors, a BM25 index and per-signal postings."""

    def __init__(self, candidates: Sequence[Candidate], vectors: np.ndarray, now: datetime | None = None) -> None:
        self.candidates = list(candidates)
        self.size = len(self.candidates)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.size == 0:
            self.vectors = self.vectors.reshape(0, self.vectors.shape[-1] if self.vectors.ndim == 2 else 0)
        self.bm25 = BM25Index([c.text for c in self.candidates])
        self.sector_postings = _postings([c.sectors for c in self.candidates])
        self.category_postings = _postings([{s[:3] for s in c.sectors} for c in self.candidates])
        self.target_postings = _postings([c.sdg_targets for c in self.candidates])
        self.goal_postings = _postings([{t.split(".")[0] for t in c.sdg_targets} for c in self.candidates])
        self.modality_postings = _postings([c.modalities for c in self.candidates])
        self.place_postings = _postings([c.places for c in self.candidates])
        self.language_postings = _postings([c.languages | {c.language} for c in self.candidates])
        self.owner_postings = _postings([c.owner_ids for c in self.candidates])
        self.has_sectors = np.asarray([bool(c.sectors) for c in self.candidates], dtype=bool)
        self._with_track_record = [row for row, c in enumerate(self.candidates) if c.track_record]
        now = now or datetime.now(UTC)
        ages = np.asarray(
            [(now - c.updated_at).days if c.updated_at else 3650 for c in self.candidates], dtype=np.float32
        )
        self.freshness = np.exp(-np.maximum(ages, 0) / 730.0).astype(np.float32)
        self._usearch = self._build_usearch() if self.size > EXACT_SEARCH_LIMIT else None

    def _build_usearch(self) -> object:
        from usearch.index import Index

        index = Index(ndim=self.vectors.shape[1], metric="ip", dtype="f32")
        index.add(np.arange(self.size), self.vectors)
        return index

    def cosines(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of every candidate (exact; above EXACT_SEARCH_LIMIT only the HNSW neighbours, rest 0)."""
        if self._usearch is None:
            return self.vectors @ query_vector.astype(np.float32)
        found = self._usearch.search(query_vector, EXACT_SEARCH_LIMIT)  # type: ignore[attr-defined]
        out = np.zeros(self.size, dtype=np.float32)
        out[found.keys] = 1.0 - found.distances
        return out

    def _spread(self, postings: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        """For each candidate, the highest weight among the keys it carries."""
        out = np.zeros(self.size, dtype=np.float32)
        for key, weight in weights.items():
            rows = postings.get(key)
            if rows is not None:  # rows of one key are distinct, so plain fancy indexing is exact
                out[rows] = np.maximum(out[rows], weight)
        return out

    def infer_sectors(self, preliminary: np.ndarray, allowed: np.ndarray, neighbours: int, power: float = 1.0
                      ) -> dict[str, float]:
        """Sectors of the best ``neighbours`` tagged candidates, each voting score ** power, max share = 1."""
        eligible = np.flatnonzero(allowed & self.has_sectors)
        if not len(eligible) or neighbours <= 0:
            return {}
        k = min(neighbours, len(eligible))
        top = eligible[np.argpartition(-preliminary[eligible], k - 1)[:k]]
        votes: dict[str, float] = defaultdict(float)
        for row in top:
            if preliminary[row] <= 0:  # no likeness at all: no vote, whatever the vote power
                continue
            sectors = self.candidates[row].sectors
            for sector in sectors:
                votes[sector] += float(preliminary[row]) ** power / len(sectors)
        best = max(votes.values(), default=0.0)
        return {s: v / best for s, v in votes.items() if best > 0 and v / best >= 0.05}

    def rank(self, query: NeedQuery, query_vector: np.ndarray, top: int = 10, weights: Weights | None = None
             ) -> Ranking:
        """Rank the candidates for ``query``: all signals, the weighted sum, the requester's own left out."""
        weights = weights or Weights()
        if self.size == 0:
            return Ranking([], {}, 0.0)
        allowed = np.ones(self.size, dtype=bool)
        for owner in query.exclude_owner_ids:
            rows = self.owner_postings.get(owner)
            if rows is not None:
                allowed[rows] = False
        cosine = self.cosines(query_vector)
        mean, best = float(cosine[allowed].mean()) if allowed.any() else 0.0, float(cosine[allowed].max(initial=0))
        semantic = np.clip((cosine - mean) / max(best - mean, 1e-6), 0, 1)
        bm25 = self.bm25.scores(query.text)
        if weights.cross_language_lexical != 1.0:
            same = self._spread(self.language_postings, {query.language: 1.0})
            bm25 = bm25 * (same + (1.0 - same) * weights.cross_language_lexical)
        lexical = bm25 / max(float(bm25[allowed].max(initial=0)), 1e-6)
        preliminary = semantic + weights.neighbour_lexical * lexical
        inferred = {} if query.sectors else self.infer_sectors(preliminary, allowed, weights.neighbours,
                                                                weights.vote_power)
        sector_weights = {s: 1.0 for s in query.sectors} or inferred
        category_weights: dict[str, float] = {}
        for sector, weight in sector_weights.items():
            category_weights[sector[:3]] = max(category_weights.get(sector[:3], 0.0), 0.5 * weight)
        signals = {
            "semantic": semantic,
            "lexical": lexical,
            "sectors": np.maximum(self._spread(self.sector_postings, sector_weights),
                                  self._spread(self.category_postings, category_weights)),
            "sdg": self._sdg(query),
            "modality": self._spread(self.modality_postings, {m: 1.0 for m in query.modalities}),
            "geography": self._spread(self.place_postings,
                                      {p: GEO_WEIGHTS.get(p.split(":")[0], 0.5) for p in query.places}),
            "language": self._spread(self.language_postings, {query.language: 1.0}),
            "track_record": self._track_record(sector_weights),
            "freshness": self.freshness,
        }
        total = sum(getattr(weights, name) * values for name, values in signals.items())
        total = np.where(allowed, total, -np.inf)
        k = min(max(top, weights.diversity_pool if inferred else top), int(allowed.sum()))
        if k <= 0:
            return Ranking([], inferred, 0.0)
        order = np.argpartition(-total, k - 1)[:k]
        order = order[np.lexsort((order, -total[order]))]
        if inferred and weights.diversity > 0:
            order = self._diversify(order, total, inferred, weights.diversity, min(top, 10))
        order = order[:top]
        matches = [
            Match(self.candidates[i], float(total[i]), {n: float(v[i]) for n, v in signals.items()}, float(cosine[i]))
            for i in order
        ]
        return Ranking(matches, inferred, best)

    def _diversify(self, order: np.ndarray, total: np.ndarray, inferred: dict[str, float], diversity: float,
                   depth: int) -> np.ndarray:
        """xQuAD (Santos et al. 2010) over the inferred sectors for the first ``depth`` places.

        Each place goes to the candidate maximising ``(1 − λ) · relevance + λ · Σ_s P(s) · novelty(s)``,
        with relevance the score scaled to [0, 1] over the pool, P(s) the inferred sector's share of the
        votes, and novelty(s) halved each time a chosen candidate covers s; the rest keep score order.
        """
        pool = [int(i) for i in order]
        scores = total[order]
        low, high = float(scores.min()), float(scores.max())
        relevance = {row: (float(total[row]) - low) / max(high - low, 1e-9) for row in pool}
        share_sum = sum(inferred.values())
        share = {s: w / share_sum for s, w in inferred.items()}
        novelty = dict.fromkeys(share, 1.0)
        chosen: list[int] = []
        for _place in range(min(depth, len(pool))):
            best = max(pool, key=lambda row: (1 - diversity) * relevance[row] + diversity * sum(
                share[s] * novelty[s] for s in self.candidates[row].sectors if s in share))
            chosen.append(best)
            pool.remove(best)
            for sector in self.candidates[best].sectors:
                if sector in novelty:
                    novelty[sector] *= 0.5
        return np.asarray(chosen + pool, dtype=order.dtype)

    def _sdg(self, query: NeedQuery) -> np.ndarray:
        if not query.sdg_targets:
            return np.zeros(self.size, dtype=np.float32)
        share = np.zeros(self.size, dtype=np.float32)
        for target in query.sdg_targets:
            rows = self.target_postings.get(target)
            if rows is not None:
                share[rows] += 1.0 / len(query.sdg_targets)
        goals = self._spread(self.goal_postings, {t.split(".")[0]: 0.5 for t in query.sdg_targets})
        return np.maximum(share, goals)

    def _track_record(self, sector_weights: dict[str, float]) -> np.ndarray:
        counts = np.zeros(self.size, dtype=np.float32)
        if not sector_weights:
            return counts
        for row in self._with_track_record:
            record = self.candidates[row].track_record
            counts[row] = sum(n * sector_weights.get(s, 0.0) for s, n in record.items())
        return (np.log1p(counts) / math.log1p(max(float(counts.max()), 1.0))).astype(np.float32)


def weight_names() -> list[str]:
    """Names of the signal weights (the fields of ``Weights`` that are signals)."""
    return [f.name for f in fields(Weights) if f.name in SIGNALS]
