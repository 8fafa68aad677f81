"""Keeping the dashboards' fact tables in step with the catalogue: one initiative on change, all on demand.

``refresh_initiatives(ids)`` rebuilds the facts of some initiatives (the ``record_changed`` and
transaction signals call it inside the saving transaction) and applies the difference to the
published roll-up; ``rebuild_all()`` (``coopatlas refresh_dashboard_facts``) rebuilds everything in
batches, for imports that write rows in bulk. Amounts are converted once with the dated ECB rates
(``reports.currency``; method in docs/methods/currency.md), exactly as the direct queries convert them.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from coopatlas.reports import currency
from coopatlas.reports.fact_models import FACT_CURRENCY, DashboardRollup, InitiativeFact, MemberFact, SpendFact

#: IATI TransactionType codes counted as money spent: 3 disbursement, 4 expenditure.
SPEND_TYPES = ("3", "4")
BATCH_SIZE = 5000
# ruff: noqa: S608 - SQL below is assembled from table names and constants; values are bound parameters.
FACTS, MEMBERS, SPENDS, ROLLUP = (m._meta.db_table for m in (InitiativeFact, MemberFact, SpendFact, DashboardRollup))


@dataclass
class FactRows:
    """The rows of a batch of initiatives, ready for ``executemany``."""

    facts: list[tuple[Any, ...]] = field(default_factory=list)
    members: list[tuple[Any, ...]] = field(default_factory=list)
    spends: list[tuple[Any, ...]] = field(default_factory=list)


def _budget_day(start_actual: date | None, start_planned: date | None, created_at: datetime | None) -> date | None:
    """The day a budget is converted at: actual start, else planned start, else the day it was recorded."""
    if start_actual or start_planned:
        return start_actual or start_planned
    if created_at is None:
        return None
    return timezone.localtime(created_at).date() if timezone.is_aware(created_at) else created_at.date()


def _to_fact_currency(amount: Decimal, code: str, day: date | None) -> tuple[str, Decimal]:
    """('', amount in FACT_CURRENCY), or (the currency key, amount) when no rate applies."""
    value = currency.convert(amount, code, day, FACT_CURRENCY) if day is not None else None
    return ("", value) if value is not None else (code or "?", amount)


def _years(start: date | None, end: date | None) -> tuple[int | None, int | None]:
    return (start.year if start else None), (end.year if end else None)


def _active(year: int, start_year: int | None, end_year: int | None) -> bool:
    return start_year is not None and start_year <= year and (end_year is None or end_year >= year)


def _relations(ids: Sequence[int]) -> dict[str, dict[int, set[str]]]:
    """Each initiative's values of the multi-valued dimensions (recipient geography, providers, SDG, modality)."""
    from coopatlas.geo.models import Country
    from coopatlas.initiatives.models import Initiative

    values: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    commissions: dict[str, list[str]] = defaultdict(list)
    for code, commission in Country.commissions.through.objects.values_list("country_id", "regionalcommission_id"):
        commissions[code].append(commission)
    recipients = Initiative.recipient_countries.through.objects.filter(initiative_id__in=ids)
    recipient_codes: dict[int, set[str]] = defaultdict(set)
    for pk, code, region in recipients.values_list("initiative_id", "country_id", "country__region_id"):
        recipient_codes[pk].add(code)
        values["recipient_country"][pk].add(code)
        values["region"][pk].add(region or "")
        values["commission"][pk].update(commissions.get(code) or [""])
    providers = Initiative.providers.through.objects.filter(initiative_id__in=ids)
    provider_rows = providers.values_list("initiative_id", "organisation_id", "organisation__country_id")
    for pk, organisation, country in provider_rows:
        values["provider"][pk].add(str(organisation))
        values["provider_country"][pk].add(country or "")
        # A flow needs both ends (the direct query drops pairs where either country is unknown).
        values["flow"][pk].update(f"{country}>{code}" for code in recipient_codes[pk] if country)
    modalities = Initiative.modalities.through.objects.filter(initiative_id__in=ids)
    for pk, modality in modalities.values_list("initiative_id", "modality_id"):
        values["modality"][pk].add(modality)
    targets = Initiative.sdg_targets.through.objects.filter(initiative_id__in=ids)
    for pk, goal in targets.values_list("initiative_id", "sdgtarget__goal_id"):
        values["sdg_goal"][pk].add(str(goal))
    return values


#: Dimensions read from the relations; an initiative without any value has the value '' (except flows).
RELATED = ("modality", "sdg_goal", "region", "commission", "provider", "provider_country", "recipient_country")


def collect(ids: Sequence[int]) -> FactRows:
    """Fact, member and spending rows of the (not deleted) initiatives ``ids``."""
    from coopatlas.initiatives.models import Initiative, Transaction

    rows = FactRows()
    columns = ("pk", "owner_id", "workflow_status", "deleted_at", "cooperation_type", "start_actual",
               "start_planned", "end_actual", "end_planned", "budget", "currency", "created_at")
    initiatives = Initiative.objects.filter(pk__in=ids, deleted_at__isnull=True).values_list(*columns)
    years: dict[int, tuple[int | None, int | None]] = {}
    currencies: dict[int, str] = {}
    for pk, owner, status, deleted, kind, start_a, start_p, end_a, end_p, budget, code, created in initiatives:
        start_year, end_year = _years(start_a or start_p, end_a or end_p)
        years[pk], currencies[pk] = (start_year, end_year), code or ""
        budget_key, amount = ("", None) if budget is None else _to_fact_currency(
            budget, code or "", _budget_day(start_a, start_p, created))
        rows.facts.append((pk, owner, status, deleted, start_year, end_year, budget_key, amount))
        rows.members += [(pk, "total", "all"), (pk, "cooperation_type", kind or ""),
                         (pk, "year", str(start_year) if start_year else "")]
    if not years:
        return rows
    kept = list(years)
    related = _relations(kept)
    for pk in kept:
        for dimension in (*RELATED, "flow"):
            found = related[dimension].get(pk) or ({""} if dimension != "flow" else set())
            rows.members += [(pk, dimension, value[:40]) for value in sorted(found)]
    spent: dict[tuple[int, int, str], list[Any]] = {}
    transactions = Transaction.objects.filter(initiative_id__in=kept, transaction_type__in=SPEND_TYPES,
                                              value__isnull=False)
    for pk, code, value_date, day, value in transactions.values_list("initiative_id", "currency", "value_date",
                                                                     "date", "value"):
        key, amount = _to_fact_currency(value, code or currencies[pk], value_date or day)
        total = spent.setdefault((pk, day.year, key), [Decimal(0), 0])
        total[0] += amount
        total[1] += 1
    for (pk, year, key), (amount, count) in spent.items():
        rows.spends.append((pk, year, _active(year, *years[pk]), key, amount, count))
    return rows


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def write(rows: FactRows) -> None:
    """Insert the rows (the caller has removed the initiatives' old rows): COPY on PostgreSQL, multi-row INSERT."""
    from coopatlas.iati.importer.bulk import insert_rows

    insert_rows(InitiativeFact, ("initiative_id", "owner_id", "workflow_status", "deleted_at", "start_year",
                                 "end_year", "budget_currency", "budget"), rows.facts)
    insert_rows(MemberFact, ("initiative_id", "dimension", "value"), rows.members)
    insert_rows(SpendFact, ("initiative_id", "year", "active", "currency", "amount", "transactions"), rows.spends)


def _spend_value() -> str:
    # The year dimension breaks spending down by the transaction's year, not the initiative's start.
    return "CASE WHEN m.dimension = 'year' THEN CAST(s.year AS VARCHAR(4)) ELSE m.value END"


def rollup_sql(restrict: str = "") -> str:
    """SELECT of the roll-up rows of published initiatives (all of them, or those ``restrict`` names)."""
    base = (f"FROM {FACTS} f JOIN {MEMBERS} m ON m.initiative_id = f.initiative_id "
            f"WHERE f.workflow_status = 'published' AND f.deleted_at IS NULL {restrict}")
    spend_base = base.replace("WHERE", f"JOIN {SPENDS} s ON s.initiative_id = f.initiative_id WHERE", 1)
    dated = "AND f.start_year IS NOT NULL AND (f.end_year IS NULL OR f.end_year >= f.start_year)"
    value = _spend_value()
    parts = [
        f"SELECT m.dimension AS dimension, 'a' AS kind, 0 AS year, m.value AS value, f.budget_currency AS currency, "
        f"COUNT(*) AS n, SUM(f.budget) AS budget, 0 AS disbursed, 0 AS tx {base} "
        "GROUP BY m.dimension, m.value, f.budget_currency",
        f"SELECT m.dimension, 'd', f.start_year, m.value, f.budget_currency, COUNT(*), SUM(f.budget), 0, 0 "
        f"{base} {dated} GROUP BY m.dimension, f.start_year, m.value, f.budget_currency",
        f"SELECT m.dimension, 'd', f.end_year + 1, m.value, f.budget_currency, -COUNT(*), -SUM(f.budget), 0, 0 "
        f"{base} {dated} AND f.end_year IS NOT NULL GROUP BY m.dimension, f.end_year, m.value, f.budget_currency",
        f"SELECT m.dimension, 'a', 0, {value}, s.currency, 0, 0, SUM(s.amount), SUM(s.transactions) "
        f"{spend_base} GROUP BY m.dimension, {value}, s.currency",
        f"SELECT m.dimension, 's', s.year, {value}, s.currency, 0, 0, SUM(s.amount), SUM(s.transactions) "
        f"{spend_base} AND s.active GROUP BY m.dimension, s.year, {value}, s.currency",
    ]
    return ("SELECT dimension, kind, year, value, currency, SUM(n), COALESCE(SUM(budget), 0), SUM(disbursed), "
            f"SUM(tx) FROM ({' UNION ALL '.join(parts)}) parts GROUP BY dimension, kind, year, value, currency")


RollupKey = tuple[str, str, int, str, str]


def contributions(ids: Sequence[int]) -> dict[RollupKey, list[Decimal]]:
    """What the initiatives ``ids`` now add to the roll-up, by row."""
    if not ids:
        return {}
    restrict = f"AND f.initiative_id IN ({_placeholders(len(ids))})"
    sql = rollup_sql(restrict)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids) * sql.count(restrict))
        return {tuple(row[:5]): [Decimal(str(v)) for v in row[5:]] for row in cursor.fetchall()}  # type: ignore[misc]


def _apply(before: dict[RollupKey, list[Decimal]], after: dict[RollupKey, list[Decimal]]) -> None:
    """Add ``after - before`` to the roll-up (upsert; rows are never negative in total)."""
    changes = []
    for key in before.keys() | after.keys():
        old, new = before.get(key, [Decimal(0)] * 4), after.get(key, [Decimal(0)] * 4)
        delta = [b - a for a, b in zip(old, new, strict=True)]
        if any(delta):
            changes.append((*key, int(delta[0]), delta[1], delta[2], int(delta[3])))
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {ROLLUP} (dimension, kind, year, value, currency, initiatives, budget, disbursed, "
            f"transactions) VALUES ({_placeholders(9)}) ON CONFLICT (dimension, kind, year, value, currency) "
            f"DO UPDATE SET initiatives = {ROLLUP}.initiatives + excluded.initiatives, "
            f"budget = {ROLLUP}.budget + excluded.budget, disbursed = {ROLLUP}.disbursed + excluded.disbursed, "
            f"transactions = {ROLLUP}.transactions + excluded.transactions", changes)


def _delete(ids: Sequence[int]) -> None:
    marks = _placeholders(len(ids))
    with connection.cursor() as cursor:
        for table in (FACTS, MEMBERS, SPENDS):
            cursor.execute(f"DELETE FROM {table} WHERE initiative_id IN ({marks})", list(ids))


def refresh_initiatives(ids: Iterable[int]) -> None:
    """Rebuild the facts of the initiatives ``ids`` (gone or deleted ones lose theirs) and update the roll-up."""
    for chunk in _chunks(sorted(set(ids)), 500):
        with transaction.atomic():
            before = contributions(chunk)
            _delete(chunk)
            write(collect(chunk))
            _apply(before, contributions(chunk))


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def rebuild_rollup() -> None:
    """Recompute the whole roll-up from the fact tables (one INSERT ... SELECT)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROLLUP}")
        cursor.execute(f"INSERT INTO {ROLLUP} (dimension, kind, year, value, currency, initiatives, budget, "
                       f"disbursed, transactions) {rollup_sql()}")


def rebuild_all(batch_size: int = BATCH_SIZE, progress: Any = None) -> int:
    """Rebuild every fact and the roll-up (after bulk imports); returns the number of initiatives."""
    from coopatlas.initiatives.models import Initiative

    with connection.cursor() as cursor:
        for table in (FACTS, MEMBERS, SPENDS):
            cursor.execute(f"DELETE FROM {table}")
    ids = list(Initiative.objects.filter(deleted_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for done, chunk in enumerate(_chunks(ids, batch_size), start=1):
        with transaction.atomic():
            write(collect(chunk))
        if progress:
            progress(min(done * batch_size, len(ids)), len(ids))
    rebuild_rollup()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {FACTS}; ANALYZE {MEMBERS}; ANALYZE {SPENDS}; ANALYZE {ROLLUP}")
    return len(ids)


_bulk = threading.local()


@contextmanager
def bulk_changes() -> Iterator[None]:
    """Suspend the per-record refresh during a bulk write (a mass delete), then rebuild everything once.

    Refreshing row by row costs a few statements per initiative and per transaction; a bulk writer
    that changes thousands of them wraps its work in this block instead.
    """
    depth = getattr(_bulk, "depth", 0)
    _bulk.depth = depth + 1
    try:
        yield
    finally:
        _bulk.depth = depth
    if depth == 0:
        rebuild_all()


def _suspended() -> bool:
    return getattr(_bulk, "depth", 0) > 0


def _record_changed(sender: Any, record: Any, **kwargs: Any) -> None:
    """An initiative changed: rebuild its facts; an organisation changed: those of the initiatives it provides."""
    if _suspended():
        return
    from coopatlas.catalogue.models import Organisation
    from coopatlas.initiatives.models import Initiative

    if isinstance(record, Initiative):
        refresh_initiatives([record.pk])
    elif isinstance(record, Organisation):
        through = Initiative.providers.through.objects.filter(organisation_id=record.pk)
        refresh_initiatives(through.values_list("initiative_id", flat=True))


def _transaction_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A transaction was saved or deleted one by one (bulk imports run the refresh command instead)."""
    if _suspended():
        return
    refresh_initiatives([instance.initiative_id])


def _initiative_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An initiative deleted for good loses its facts (soft deletes come through ``record_changed``)."""
    if _suspended():
        return
    refresh_initiatives([instance.pk])


def connect_receivers() -> None:
    """Listen to the catalogue's changes (called from ``ReportsConfig.ready``)."""
    from django.db.models.signals import post_delete, post_save

    from coopatlas.core.signals import record_changed

    record_changed.connect(_record_changed, dispatch_uid="coopatlas.reports.facts")
    for signal in (post_save, post_delete):
        signal.connect(_transaction_changed, sender="initiatives.Transaction",
                       dispatch_uid=f"coopatlas.reports.facts.transaction.{id(signal)}")
    post_delete.connect(_initiative_deleted, sender="initiatives.Initiative",
                        dispatch_uid="coopatlas.reports.facts.initiative")
