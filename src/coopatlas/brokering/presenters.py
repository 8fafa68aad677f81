"""Match results as plain data: one dict serves the HTML pages (via templates) and the API (as JSON).

Matched passages carry the words the two sentences share (folded, stopwords left out), so a page can
highlight them after escaping the text (``highlight``) and an API client can do the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from coopatlas.brokering.services import MatchReport, MatchResult, _sector_labels
from coopatlas.brokering.text import _CJK_RUN, _TOKEN, STOPWORDS, bm25_tokens
from coopatlas.catalogue.models import Expert, Need, Organisation, Solution
from coopatlas.core.display import record_url
from coopatlas.core.search.text import fold

SIGNAL_LABELS = {
    "semantic": _("Meaning (multilingual embedding)"),
    "lexical": _("Shared words"),
    "sectors": _("DAC sectors"),
    "sdg": _("SDG targets"),
    "modality": _("Modality"),
    "geography": _("Region"),
    "language": _("Language"),
    "track_record": _("Track record"),
    "freshness": _("Freshness"),
}
RESULT_KINDS = ("solutions", "providers", "experts")


def shared_words(first: str, second: str) -> list[str]:
    """Folded words (and CJK bigrams) found in both texts, stopwords left out, sorted."""
    return sorted(set(bm25_tokens(first)) & set(bm25_tokens(second)))


def _marked_run(token: str, words: set[str]) -> str:
    """A CJK run with the characters of its shared bigrams marked."""
    marked = [False] * len(token)
    for i in range(max(1, len(token) - 1)):
        if token[i : i + 2] in words:
            marked[i] = marked[min(i + 1, len(token) - 1)] = True
    out, i = [], 0
    while i < len(token):
        j = i
        while j < len(token) and marked[j] == marked[i]:
            j += 1
        piece = escape(token[i:j])
        out.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    return "".join(out)


def highlight(sentence: str, words: Iterable[str]) -> SafeString:
    """``sentence`` escaped, with the words in ``words`` (folded) wrapped in ``<mark>``."""
    wanted = set(words)
    out: list[str] = []
    last = 0
    for found in _TOKEN.finditer(sentence):
        out.append(escape(sentence[last : found.start()]))
        token = found.group(0)
        if _CJK_RUN.match(token):
            out.append(_marked_run(token, wanted))
        elif fold(token) in wanted and fold(token) not in STOPWORDS:
            out.append(f"<mark>{escape(token)}</mark>")
        else:
            out.append(escape(token))
        last = found.end()
    out.append(escape(sentence[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def _title(record: Any) -> str:
    if "title" in getattr(record, "TRANSLATABLE_FIELDS", ()):
        return record.translated("title")[0]
    return str(record)


def _organisation_id(record: Any) -> int | None:
    if isinstance(record, Solution):
        return record.provider_id or record.owner_id
    if isinstance(record, Expert):
        return record.organisation_id or record.owner_id
    if isinstance(record, Need):
        return record.owner_id
    return None


def _organisations(results: Iterable[MatchResult]) -> dict[int, Organisation]:
    """The organisations behind the results, in one query."""
    ids = {i for r in results if (i := _organisation_id(r.record))}
    return Organisation.objects.in_bulk(ids) if ids else {}


def result_data(result: MatchResult, organisations: dict[int, Organisation]) -> dict[str, Any]:
    """One match as plain data: the record, its organisation, score, signals and reasons."""
    record = result.record
    explanation = result.explanation
    organisation = organisations.get(_organisation_id(record) or 0)
    signals = [
        {**s, "label": str(SIGNAL_LABELS.get(s["name"], s["name"])),
         "share": round(100 * s["contribution"] / result.score, 1) if result.score > 0 else 0.0}
        for s in explanation.signals
    ]
    return {
        "type": record.RECORD_TYPE, "id": record.pk, "title": _title(record), "url": record_url(record),
        "language": record.language,
        "organisation": ({"id": organisation.pk, "name": organisation.name, "url": record_url(organisation)}
                         if organisation else None),
        "score": round(result.score, 3), "signals": signals,
        "shared_sectors": explanation.shared_sectors, "shared_targets": explanation.shared_targets,
        "passages": [
            {"need_sentence": p.need_sentence, "candidate_sentence": p.candidate_sentence,
             "similarity": p.similarity, "shared_words": shared_words(p.need_sentence, p.candidate_sentence)}
            for p in explanation.passages
        ],
        "same_region": explanation.same_region, "same_language": explanation.same_language,
    }


def results_data(results: Sequence[MatchResult]) -> list[dict[str, Any]]:
    """Several matches as plain data (their organisations fetched together)."""
    organisations = _organisations(results)
    return [result_data(r, organisations) for r in results]


def report_data(report: MatchReport) -> dict[str, Any]:
    """A need's (or a draft text's) match report as plain data."""
    check = report.check
    notes = set(check.problems) | set(check.notes)
    labels = _sector_labels(report.inferred_sectors)
    return {
        "ok": check.ok, "problems": list(check.problems), "notes": list(check.notes),
        "warnings": [str(m) for m in report.messages if m not in notes], "weak": report.weak,
        "inferred_sectors": [
            {"code": code, "label": labels.get(code, code), "weight": round(weight, 3)}
            for code, weight in sorted(report.inferred_sectors.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        **{kind: results_data(getattr(report, kind)) for kind in RESULT_KINDS},
    }

