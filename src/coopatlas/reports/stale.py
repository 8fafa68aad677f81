"""Keeping the catalogue alive: stale records, reminders to their owners, inactive partnerships.

A record is stale when nobody updated it for ``COOPATLAS_STALE_AFTER_DAYS`` days (default 365). A
partnership with no progress report for two years becomes inactive, as the UN Partnerships for the
SDGs registry marks partnerships that stop reporting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from coopatlas.core.search.documents import INDEXED_TYPES

DEFAULT_STALE_AFTER_DAYS = 365
PARTNERSHIP_SILENCE_YEARS = 2


def stale_after_days() -> int:
    """Days without an update after which a record is stale (setting ``COOPATLAS_STALE_AFTER_DAYS``)."""
    return int(getattr(settings, "COOPATLAS_STALE_AFTER_DAYS", DEFAULT_STALE_AFTER_DAYS))


def stale_cutoff(now: datetime | None = None) -> datetime:
    """Records last updated before this moment are stale."""
    return (now or timezone.now()) - timedelta(days=stale_after_days())


def is_stale(record: Any, now: datetime | None = None) -> bool:
    """True when a published record was not updated within the configured period."""
    return bool(record.updated_at < stale_cutoff(now))


def stale_records(record_type: str, now: datetime | None = None) -> QuerySet[Any]:
    """Alive records of ``record_type`` (a search record type: "solution", "initiative" ...) that are stale."""
    model = INDEXED_TYPES[record_type].model
    return model.objects.alive().filter(updated_at__lt=stale_cutoff(now))


def silent_partnerships(now: datetime | None = None) -> QuerySet[Any]:
    """Active partnerships whose latest progress report (or, without one, start) is two years old or more."""
    from coopatlas.catalogue.models import Partnership

    now = now or timezone.now()
    last_year_allowed = now.year - PARTNERSHIP_SILENCE_YEARS
    started_before = now.date().replace(year=now.year - PARTNERSHIP_SILENCE_YEARS)
    return (
        Partnership.objects.alive()
        .filter(status=Partnership.Status.ACTIVE)
        .annotate(last_report=Max("progress_reports__year"))
        .filter(
            Q(last_report__lte=last_year_allowed)
            | Q(last_report__isnull=True) & (Q(start_date__lte=started_before)
                                             | Q(start_date__isnull=True, created_at__lte=now.replace(
                                                 year=now.year - PARTNERSHIP_SILENCE_YEARS)))
        )
    )


@dataclass
class StaleReport:
    """What ``flag_stale`` found and did."""

    stale: dict[str, int] = field(default_factory=dict)
    deactivated: list[int] = field(default_factory=list)
    reminded_organisations: int = 0


def deactivate_silent_partnerships(now: datetime | None = None) -> list[int]:
    """Mark silent partnerships inactive through the record service (versioned, logged, reindexed)."""
    from coopatlas.catalogue.models import Partnership
    from coopatlas.core import services

    done = []
    for partnership in silent_partnerships(now):

        def apply(record: Any) -> None:
            record.status = Partnership.Status.INACTIVE

        services.update_record(partnership, None, partnership.version, apply)
        done.append(partnership.pk)
    return done


def stale_by_owner(now: datetime | None = None) -> dict[int, list[tuple[str, Any]]]:
    """{owning organisation id: [(record type, record)]} of stale records that have an owner."""
    found: dict[int, list[tuple[str, Any]]] = {}
    for record_type in INDEXED_TYPES:
        for record in stale_records(record_type, now).exclude(owner__isnull=True)[:5000]:
            owner = record.owner_organisation_id
            if owner is not None:
                found.setdefault(owner, []).append((record_type, record))
    return found
