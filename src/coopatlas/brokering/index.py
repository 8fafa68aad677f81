"""From stored records to matchable candidates: texts, tags, stored embeddings and the cached indexes.

Embeddings live in ``RecordEmbedding`` (one row per record, model and kind), written by the
background job on every change (``tasks.embed_record``) and by ``coopatlas reindex_vectors``. The
in-memory ``MatchIndex`` of a record type is rebuilt when its stamp (number and latest change of the
stored embeddings and records) moves, so every process sees the same data; SQLite and PostgreSQL
hold the same bytes, hence the same results.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone

from coopatlas.brokering.embedders import Embedder, get_embedder
from coopatlas.brokering.matcher import Candidate, MatchIndex
from coopatlas.brokering.models import RecordEmbedding
from coopatlas.brokering.text import compose, sentences
from coopatlas.catalogue.models import Expert, Need, Organisation, Solution
from coopatlas.core.models import CatalogueRecord

#: Sentences per record kept for matched passages.
MAX_SENTENCES = 12
EMBEDDED_MODELS: dict[str, type[CatalogueRecord]] = {
    "solution": Solution, "need": Need, "expert": Expert, "organisation": Organisation,
}
#: Initiative statuses that count as a completed track record (IATI ActivityStatus 3 and 4).
COMPLETED_STATUSES = ("3", "4")


def record_text(record: CatalogueRecord) -> str:
    """The text a record is matched on (its own language; markup removed, length capped)."""
    if isinstance(record, Solution):
        return compose(record.title, record.summary, record.challenge, record.solution, record.results,
                       record.replication)
    if isinstance(record, Need):
        return compose(record.title, record.description, record.rationale)
    if isinstance(record, Expert):
        return compose(record.expertise)
    if isinstance(record, Organisation):
        titles = Solution.objects.published().filter(provider=record).values_list("title", flat=True)[:20]
        return compose(record.name, record.description, "\n".join(titles))
    raise TypeError(f"{type(record).__name__} records are not matched")


def text_hash(text: str) -> str:
    """SHA-256 of a text (decides whether a record must be embedded again)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store(record_type: str, object_id: int, model_name: str, kind: str, vectors: np.ndarray, digest: str,
           parts: Sequence[str] = ()) -> None:
    RecordEmbedding.objects.update_or_create(
        record_type=record_type, object_id=object_id, model_name=model_name, kind=kind,
        defaults={"dim": vectors.shape[1], "vectors": np.ascontiguousarray(vectors, dtype="<f4").tobytes(),
                  "text_hash": digest, "sentences": list(parts), "updated_at": timezone.now()},
    )


def embed_records(records: Sequence[CatalogueRecord], embedder: Embedder | None = None, force: bool = False) -> int:
    """Store the embeddings of ``records`` whose text changed (all with ``force``); returns how many."""
    embedder = embedder or get_embedder()
    todo: list[tuple[CatalogueRecord, str, str]] = []
    for record in records:
        text = record_text(record)
        digest = text_hash(text)
        stored = RecordEmbedding.objects.filter(
            record_type=record.RECORD_TYPE, object_id=record.pk, model_name=embedder.name, kind="record"
        ).values_list("text_hash", flat=True).first()
        if force or stored != digest:
            todo.append((record, text, digest))
    if not todo:
        return 0
    passages = embedder.embed_passages([text for _r, text, _d in todo])
    with transaction.atomic():
        for (record, text, digest), vector in zip(todo, passages, strict=True):
            _store(record.RECORD_TYPE, record.pk, embedder.name, "record", vector[None, :], digest)
            parts = sentences(text, MAX_SENTENCES)
            if parts:
                _store(record.RECORD_TYPE, record.pk, embedder.name, "sentences", embedder.embed_passages(parts),
                       digest, parts)
            if isinstance(record, Need):
                _store("need", record.pk, embedder.name, "query", embedder.embed_queries([text]), digest)
    return len(todo)


def remove_embeddings(record_type: str, object_ids: Iterable[int]) -> None:
    """Drop the embeddings of records that no longer exist."""
    RecordEmbedding.objects.filter(record_type=record_type, object_id__in=list(object_ids)).delete()


def stored_vectors(record_type: str, object_ids: Sequence[int], model_name: str, kind: str = "record"
                   ) -> dict[int, RecordEmbedding]:
    """Stored embeddings of ``object_ids`` by id."""
    rows = RecordEmbedding.objects.filter(record_type=record_type, model_name=model_name, kind=kind,
                                          object_id__in=list(object_ids))
    return {row.object_id: row for row in rows}


def _places(countries: Iterable[Any]) -> frozenset[str]:
    tags: set[str] = set()
    for country in countries:
        if country is None:
            continue
        if country.subregion_id:
            tags.add(f"sub:{country.subregion_id}")
        if country.region_id:
            tags.add(f"region:{country.region_id}")
        tags.update(f"commission:{c.pk}" for c in country.commissions.all())
        tags.update(f"group:{g}" for g, flag in (("ldc", country.is_ldc), ("lldc", country.is_lldc),
                                                  ("sids", country.is_sids)) if flag)
    return frozenset(tags)


def place_tags(countries: Iterable[Any]) -> frozenset[str]:
    """Geography tags (sub-region, region, regional commissions, country groups) of some countries."""
    return _places(countries)


def track_records(organisation_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Completed initiatives per provider organisation and DAC sector."""
    from coopatlas.initiatives.models import Initiative

    ids = [i for i in set(organisation_ids) if i]
    counts: dict[int, Counter[str]] = {}
    rows = (Initiative.objects.published().filter(activity_status__in=COMPLETED_STATUSES, providers__in=ids)
            .values_list("providers", "sectors"))
    for organisation_id, sector in rows:
        if sector:
            counts.setdefault(organisation_id, Counter())[sector] += 1
    return {k: dict(v) for k, v in counts.items()}


def _languages(record: CatalogueRecord) -> frozenset[str]:
    spoken = getattr(record, "languages_spoken", None) or []
    return frozenset({record.language, *(record.translations or {}).keys(), *spoken})


def candidate_for(record: CatalogueRecord, records_by_org: dict[int, dict[str, int]]) -> Candidate:
    """A stored record as a candidate of the matcher."""
    if isinstance(record, Solution):
        owners = {record.owner_id, record.provider_id}
        countries = [*record.countries_applied.all(), getattr(record.provider, "country", None)]
        targets = {t.pk for t in record.sdg_targets.all()}
        modalities = {m.pk for m in record.modalities.all()}
        track = records_by_org.get(record.provider_id or 0, {})
    elif isinstance(record, Need):
        owners, countries = {record.owner_id}, [record.country]
        targets = {t.pk for t in record.sdg_targets.all()}
        modalities, track = {m.pk for m in record.modalities.all()}, {}
    elif isinstance(record, Expert):
        owners = {record.owner_id, record.organisation_id}
        countries = [*record.countries_experience.all(), getattr(record.organisation, "country", None)]
        targets, modalities, track = set(), {"expert-deployment"}, records_by_org.get(record.organisation_id or 0, {})
    else:
        owners, countries = {record.pk}, [record.country]
        targets, modalities, track = set(), set(), records_by_org.get(record.pk, {})
    # An organisation works in the sectors of its completed initiatives.
    sectors = set(track) if isinstance(record, Organisation) else {s.pk for s in record.sectors.all()}
    return Candidate(
        key=f"{record.RECORD_TYPE}:{record.pk}", title=str(record), text=record_text(record), language=record.language,
        owner_ids=frozenset(str(o) for o in owners if o), sectors=frozenset(sectors),
        sdg_targets=frozenset(targets), modalities=frozenset(modalities), places=_places(countries),
        languages=_languages(record), track_record=track, updated_at=record.updated_at,
    )


def matchable(record_type: str) -> models.QuerySet:
    """Published, alive records of a type that may be proposed (needs: only open ones)."""
    model = EMBEDDED_MODELS[record_type]
    records = model.objects.published()
    if record_type == "need":
        records = records.filter(status__in=[Need.Status.OPEN, Need.Status.IN_BROKERING])
    prefetch = {"solution": ["sectors", "sdg_targets", "modalities", "countries_applied__commissions",
                             "provider__country__commissions"],
                "need": ["sectors", "sdg_targets", "modalities", "country__commissions"],
                "expert": ["sectors", "countries_experience__commissions", "organisation__country__commissions"],
                "organisation": ["country__commissions"]}[record_type]
    return records.prefetch_related(*prefetch).order_by("pk")


@dataclass
class _Cached:
    stamp: tuple[Any, ...]
    index: MatchIndex
    ids: list[int]


_indexes: dict[tuple[str, str], _Cached] = {}
_lock = threading.Lock()


def _stamp(record_type: str, model_name: str) -> tuple[Any, ...]:
    embeddings = RecordEmbedding.objects.filter(record_type=record_type, model_name=model_name, kind="record")
    agg = embeddings.aggregate(n=Count("id"), latest=Max("updated_at"))
    records = matchable(record_type).aggregate(n=Count("id"), latest=Max("updated_at"))
    return agg["n"], agg["latest"], records["n"], records["latest"]


def index_for(record_type: str, embedder: Embedder | None = None) -> tuple[MatchIndex, list[int]]:
    """The match index of one record type (rebuilt when records or embeddings changed) and its record ids.

    Records without a stored embedding yet (the job has not run) are embedded now.
    """
    embedder = embedder or get_embedder()
    key = (record_type, embedder.name)
    stamp = _stamp(record_type, embedder.name)
    with _lock:
        cached = _indexes.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached.index, cached.ids
    records = list(matchable(record_type))
    stored = stored_vectors(record_type, [r.pk for r in records], embedder.name)
    missing = [r for r in records if r.pk not in stored]
    if missing:
        embed_records(missing, embedder)
        stored = stored_vectors(record_type, [r.pk for r in records], embedder.name)
        stamp = _stamp(record_type, embedder.name)
    owners = [getattr(r, "provider_id", None) or getattr(r, "organisation_id", None) or
              (r.pk if isinstance(r, Organisation) else None) for r in records]
    by_org = track_records(o for o in owners if o)
    candidates = [candidate_for(r, by_org) for r in records]
    vectors = np.stack([stored[r.pk].matrix()[0] for r in records]) if records else np.zeros((0, embedder.dim))
    index = MatchIndex(candidates, vectors)
    with _lock:
        _indexes[key] = _Cached(stamp, index, [r.pk for r in records])
    return index, [r.pk for r in records]


def clear_indexes() -> None:
    """Forget the cached indexes (after ``reindex_vectors``; tests)."""
    with _lock:
        _indexes.clear()


def reindex_vectors(record_types: Sequence[str] | None = None, embedder: Embedder | None = None,
                    force: bool = False, batch_size: int = 64) -> Iterable[tuple[str, int, int]]:
    """Embed every matchable record (changed ones only unless ``force``), drop orphans, yield progress."""
    embedder = embedder or get_embedder()
    for record_type in record_types or list(EMBEDDED_MODELS):
        model = EMBEDDED_MODELS[record_type]
        records = list(model.objects.filter(deleted_at__isnull=True).order_by("pk"))
        done = 0
        for start in range(0, len(records), batch_size):
            batch = records[start : start + batch_size]
            embed_records(batch, embedder, force=force)
            done += len(batch)
            yield record_type, done, len(records)
        alive = set(model.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True))
        stale = set(RecordEmbedding.objects.filter(record_type=record_type).values_list("object_id", flat=True))
        remove_embeddings(record_type, stale - alive)
        yield record_type, done, len(records)
    clear_indexes()
