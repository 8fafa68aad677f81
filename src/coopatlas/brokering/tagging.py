"""Auto-tagging: suggest SDG targets and DAC sectors for a text while it is being written.

Two sources, both shown to the author as suggestions to accept: the labels (SDG target titles, DAC
sector names) nearest to the text by embedding, kept when their cosine is above ``TAG_MIN_COSINE``
and within ``TAG_MARGIN`` of the best; and the tags of the published solutions nearest to the text
(k-nearest-neighbour voting, the matcher's sector inference).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from coopatlas.brokering.embedders import Embedder, get_embedder
from coopatlas.brokering.index import index_for, text_hash
from coopatlas.brokering.matcher import NeedQuery, Weights
from coopatlas.brokering.models import RecordEmbedding
from coopatlas.brokering.services import TAG_MARGIN, TAG_MIN_COSINE
from coopatlas.brokering.text import check_need_text
from coopatlas.core.i18n import pick

MAX_SUGGESTIONS = 5
_lock = threading.Lock()


@dataclass(frozen=True)
class Suggestion:
    """A suggested tag, its label, how strongly it is suggested (0-1) and why."""

    code: str
    label: str
    score: float
    source: str


def _labels(kind: str) -> dict[str, str]:
    """English labels of all SDG targets or all active DAC sectors, by code."""
    if kind == "sdg-target":
        from coopatlas.indicators.models import SdgTarget

        return {t.pk: pick(t.titles, "en", t.pk) for t in SdgTarget.objects.order_by("pk")}
    from coopatlas.iati.models import Sector

    return {s.pk: pick(s.names, "en", s.pk) for s in Sector.objects.filter(active=True).order_by("pk")}


def label_vectors(kind: str, embedder: Embedder) -> tuple[list[str], np.ndarray]:
    """Codes and passage vectors of the labels of ``kind``, stored once per model (one row per set)."""
    labels = _labels(kind)
    digest = text_hash("\n".join(f"{c}\t{t}" for c, t in labels.items()))
    with _lock:
        row = RecordEmbedding.objects.filter(record_type=kind, object_id=0, model_name=embedder.name,
                                             kind="sentences").first()
        if row is not None and row.text_hash == digest:
            return list(row.sentences), row.matrix()
        vectors = embedder.embed_passages(list(labels.values())) if labels else np.zeros((0, embedder.dim))
        RecordEmbedding.objects.update_or_create(
            record_type=kind, object_id=0, model_name=embedder.name, kind="sentences",
            defaults={"dim": embedder.dim, "vectors": np.ascontiguousarray(vectors, dtype="<f4").tobytes(),
                      "text_hash": digest, "sentences": list(labels)},
        )
        return list(labels), vectors


def _nearest_labels(kind: str, vector: np.ndarray, embedder: Embedder) -> list[Suggestion]:
    codes, vectors = label_vectors(kind, embedder)
    if not codes:
        return []
    cosines = vectors @ vector
    best = float(cosines.max())
    floor = max(TAG_MIN_COSINE.get(embedder.name, 0.0), best - TAG_MARGIN.get(embedder.name, 0.05))
    names = _labels(kind)
    order = [int(i) for i in np.argsort(-cosines)[:MAX_SUGGESTIONS] if cosines[i] >= floor]
    return [Suggestion(codes[i], names.get(codes[i], codes[i]), round(float(cosines[i]), 3), "label")
            for i in order]


def suggest_tags(text: str, embedder: Embedder | None = None) -> dict[str, list[Suggestion]]:
    """Suggested DAC sectors and SDG targets for ``text`` (empty lists for text too short to judge)."""
    embedder = embedder or get_embedder()
    check = check_need_text(text)
    if not check.ok:
        return {"sectors": [], "sdg_targets": []}
    vector = embedder.embed_queries([check.text])[0]
    sectors = {s.code: s for s in _nearest_labels("dac-sector", vector, embedder)}
    targets = {t.code: t for t in _nearest_labels("sdg-target", vector, embedder)}
    index, _ids = index_for("solution", embedder)
    if index.size:
        ranking = index.rank(NeedQuery(text=check.text), vector, top=Weights().neighbours)
        sector_names = _labels("dac-sector")
        for code, weight in sorted(ranking.inferred_sectors.items(), key=lambda kv: -kv[1]):
            if weight >= 0.3 and code not in sectors:
                sectors[code] = Suggestion(code, sector_names.get(code, code), round(weight, 3), "similar solutions")
        target_votes: dict[str, float] = {}
        for match in ranking.matches:
            for target in match.candidate.sdg_targets:
                target_votes[target] = target_votes.get(target, 0.0) + 1.0 / len(ranking.matches)
        target_names = _labels("sdg-target")
        for code, weight in sorted(target_votes.items(), key=lambda kv: -kv[1]):
            if weight >= 0.3 and code not in targets:
                targets[code] = Suggestion(code, target_names.get(code, code), round(weight, 3), "similar solutions")
    by_score = sorted(sectors.values(), key=lambda s: -s.score)[:MAX_SUGGESTIONS]
    return {"sectors": by_score, "sdg_targets": sorted(targets.values(), key=lambda s: -s.score)[:MAX_SUGGESTIONS]}
