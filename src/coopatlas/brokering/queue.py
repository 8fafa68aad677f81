"""The broker's queue: open needs with their best candidate solution, the weakly matched ones first.

Cheaper than the match page: one ranking of the solutions per need (top 1), no passages, no
providers or experts, and the needs' stored query vectors (embedded at once when missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from coopatlas.brokering.embedders import Embedder, get_embedder
from coopatlas.brokering.index import index_for, stored_vectors
from coopatlas.brokering.services import need_query, weak_threshold
from coopatlas.brokering.text import check_need_text, guess_script_language
from coopatlas.brokering.workflow import OPEN
from coopatlas.catalogue.models import Need, Solution

#: Most needs the queue ranks in one page view.
QUEUE_LIMIT = 200


@dataclass
class QueueEntry:
    """One open need, its best candidate solution and why it needs a broker (or not)."""

    need: Need
    best: Solution | None
    score: float
    cosine: float
    weak: bool
    reason: str
    open_proposals: int


def open_needs(limit: int = QUEUE_LIMIT) -> list[Need]:
    """Published open needs with what ranking them needs prefetched, the number of open proposals annotated."""
    return list(
        Need.objects.published().filter(status__in=[Need.Status.OPEN, Need.Status.IN_BROKERING])
        .select_related("owner", "country")
        .prefetch_related("sectors", "sdg_targets", "modalities", "country__commissions")
        .annotate(open_proposal_count=Count("match_proposals", filter=Q(match_proposals__status__in=OPEN)))
        .order_by("-updated_at", "-pk")[:limit]
    )


def broker_queue(limit: int = QUEUE_LIMIT, embedder: Embedder | None = None) -> list[QueueEntry]:
    """Open needs with their best solution and score; flagged (weak or unmatchable) needs first."""
    embedder = embedder or get_embedder()
    needs = open_needs(limit)
    index, _ids = index_for("solution", embedder)
    stored = stored_vectors("need", [n.pk for n in needs], embedder.name, kind="query")
    threshold = weak_threshold(embedder.name)
    entries: list[QueueEntry] = []
    best_ids: dict[int, int] = {}
    for need in needs:
        query = need_query(need)
        check = check_need_text(query.text)
        entry = QueueEntry(need, None, 0.0, 0.0, True, "", need.open_proposal_count)  # type: ignore[attr-defined]
        entries.append(entry)
        if not check.ok:
            entry.reason = check.problems[0]
            continue
        query.text = check.text
        if query.language in ("", "other") and (script := guess_script_language(check.text)):
            query.language = script
        row = stored.get(need.pk)
        vector = row.matrix()[0] if row is not None else embedder.embed_queries([check.text])[0]
        ranking = index.rank(query, vector, top=1)
        if not ranking.matches:
            entry.reason = _("No published solution can be proposed yet.")
            continue
        match = ranking.matches[0]
        best_ids[need.pk] = int(match.candidate.key.split(":")[1])
        entry.score, entry.cosine = match.score, ranking.best_cosine
        entry.weak = ranking.best_cosine < threshold
        entry.reason = _("The best match is weak.") if entry.weak else ""
    solutions = Solution.objects.select_related("provider").in_bulk(set(best_ids.values()))
    for entry in entries:
        entry.best = solutions.get(best_ids.get(entry.need.pk, 0))
    return sorted(entries, key=lambda e: (not e.weak, e.open_proposals > 0, -e.score))
