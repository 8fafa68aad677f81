"""The matcher: signals, their weighted sum, sector inference and the requester's own left out."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from coopatlas.brokering.embedders import HashingEmbedder
from coopatlas.brokering.matcher import Candidate, MatchIndex, NeedQuery, Weights

NOW = datetime(2025, 1, 1, tzinfo=UTC)
ONLY = dict.fromkeys(("semantic", "lexical", "sectors", "sdg", "modality", "geography", "language", "track_record",
                      "freshness"), 0.0)


def _index(candidates: list[Candidate]) -> tuple[MatchIndex, HashingEmbedder]:
    embedder = HashingEmbedder()
    return MatchIndex(candidates, embedder.embed_passages([c.text for c in candidates]), now=NOW), embedder


CORPUS = [
    Candidate("water-br", "Wells", "rural drinking water wells and pumps", owner_ids=frozenset({"BR"}),
              sectors=frozenset({"14030"}), places=frozenset({"sub:202"}), updated_at=NOW),
    Candidate("water-own", "Own wells", "rural drinking water wells and pumps", owner_ids=frozenset({"SN"}),
              sectors=frozenset({"14030"})),
    Candidate("sanitation-in", "Latrines", "village latrines and hygiene", owner_ids=frozenset({"IN"}),
              sectors=frozenset({"14031"})),
    Candidate("tax-mx", "Tax", "corporate income tax administration reform", owner_ids=frozenset({"MX"}),
              sectors=frozenset({"15114"})),
]


def test_the_requesters_own_candidates_are_never_proposed():
    index, embedder = _index(CORPUS)
    need = NeedQuery("rural drinking water wells", exclude_owner_ids=frozenset({"SN"}))
    ranking = index.rank(need, embedder.embed_queries([need.text])[0], top=10)
    assert [m.candidate.key for m in ranking.matches] == ["water-br", "sanitation-in", "tax-mx"]


def test_sectors_of_the_nearest_candidates_are_inferred_for_an_untagged_need():
    index, embedder = _index(CORPUS)
    need = NeedQuery("rural drinking water wells", exclude_owner_ids=frozenset({"SN"}))
    ranking = index.rank(need, embedder.embed_queries([need.text])[0], weights=Weights(neighbours=1))
    assert ranking.inferred_sectors == {"14030": 1.0}
    signals = {m.candidate.key: m.signals["sectors"] for m in ranking.matches}
    assert signals == {"water-br": 1.0, "sanitation-in": 0.5, "tax-mx": 0.0}


def test_the_score_is_the_weighted_sum_of_the_signals():
    index, embedder = _index(CORPUS)
    need = NeedQuery("water wells", sectors=frozenset({"14030"}), places=frozenset({"sub:202"}),
                     exclude_owner_ids=frozenset({"SN"}))
    weights = Weights(**(ONLY | {"sectors": 0.5, "geography": 0.25, "freshness": 0.25}))
    best = index.rank(need, embedder.embed_queries([need.text])[0], weights=weights).matches[0]
    assert best.candidate.key == "water-br"
    assert best.signals["sectors"] == 1.0 and best.signals["geography"] == 1.0 and best.signals["freshness"] == 1.0
    assert best.score == pytest.approx(1.0)
    assert best.contributions(weights)["geography"] == pytest.approx(0.25)


def test_sdg_targets_count_by_share_and_the_same_goal_counts_half():
    candidates = [
        Candidate("a", "A", "x", sdg_targets=frozenset({"6.1", "6.2"})),
        Candidate("b", "B", "y", sdg_targets=frozenset({"6.3"})),
        Candidate("c", "C", "z", sdg_targets=frozenset({"1.1"})),
    ]
    index, _embedder = _index(candidates)
    need = NeedQuery("x y z", sdg_targets=frozenset({"6.1", "6.2"}))
    ranking = index.rank(need, np.zeros(256, dtype=np.float32), weights=Weights(**(ONLY | {"sdg": 1.0})))
    assert {m.candidate.key: m.signals["sdg"] for m in ranking.matches} == {"a": 1.0, "b": 0.5, "c": 0.0}


def test_an_empty_index_returns_no_matches_rather_than_failing():
    index, embedder = _index([])
    assert index.rank(NeedQuery("water"), embedder.embed_queries(["water"])[0]).matches == []



SPLIT = [
    Candidate("wells-1", "Wells", "solar pumps for village wells", sectors=frozenset({"14030"})),
    Candidate("wells-2", "Wells", "solar pumps for village wells and tanks", sectors=frozenset({"14030"})),
    Candidate("grid-1", "Grid", "solar pumps for village mini grids", sectors=frozenset({"23230"})),
    Candidate("grid-2", "Grid", "solar pumps for mini grids and batteries", sectors=frozenset({"23230"})),
    Candidate("tax", "Tax", "corporate income tax reform", sectors=frozenset({"15114"})),
]


def test_a_need_with_split_inferred_sectors_sees_each_sector_near_the_top():
    index, embedder = _index(SPLIT)
    need = NeedQuery("solar pumps for village wells")
    vector = embedder.embed_queries([need.text])[0]
    plain = index.rank(need, vector, top=4, weights=Weights(diversity=0.0))
    assert set(plain.inferred_sectors) == {"14030", "23230"}
    assert [m.candidate.key for m in plain.matches] == ["wells-1", "wells-2", "grid-1", "grid-2"]
    diversified = index.rank(need, vector, top=4)
    assert [m.candidate.key for m in diversified.matches] == ["wells-1", "grid-1", "wells-2", "grid-2"]


def test_a_need_tagged_by_its_author_is_not_diversified():
    index, embedder = _index(SPLIT)
    need = NeedQuery("solar pumps for village wells", sectors=frozenset({"14030"}))
    ranking = index.rank(need, embedder.embed_queries([need.text])[0], top=4)
    assert ranking.inferred_sectors == {}
    assert [m.candidate.key for m in ranking.matches] == ["wells-1", "wells-2", "grid-1", "grid-2"]
