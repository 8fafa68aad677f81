"""Keeping the dashboards' fact tables in step with the catalogue: one initiative on change, all on demand.

``refresh_initiatives(ids)`` rebuilds the facts of some initiatives (the ``record_changed`` and
transaction signals call it inside the saving transaction) and applies the difference to the
published roll-up; ``rebuild_all()`` (``coopatlas refresh_dashboard_facts``) rebuilds everything in
batches, for imports that write rows in bulk. Amounts are converted once with the dated ECB rates
(``reports.currency``; method in docs/methods/currency.md), exactly as the direct queries convert them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from coopatlas.reports import currency
from coopatlas.reports.fact_models import FACETED, FACT_CURRENCY, DashboardRollup, InitiativeFact, MemberFact, SpendFact

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


#: Dimensions left out of the per-filter-value roll-up (flows: tens of thousands of country pairs per
#: filter value; a filtered flow figure groups the facts of the chosen initiatives instead).
NOT_FACETED = ("flow",)
ROLLUP_COLUMNS = ("facet", "facet_value", "dimension", "kind", "year", "value", "currency", "initiatives", "budget",
                  "disbursed", "transactions")


def _rollup_parts(base: str, facet: str, value: str, spends: str = SPENDS) -> list[str]:
    """The five SELECTs of the roll-up rows over ``base`` (FROM ... WHERE), scoped by ``facet``/``value``."""
    spend_base = base.replace("WHERE", f"JOIN {spends} s ON s.initiative_id = f.initiative_id WHERE", 1)
    dated = "AND f.start_year IS NOT NULL AND (f.end_year IS NULL OR f.end_year >= f.start_year)"
    spend = _spend_value()
    # Constants cannot be GROUP BY keys on PostgreSQL: the unscoped parts group without them.
    scope = f"{facet}, {value}"
    keys = f"{scope}, " if facet != "''" else ""
    return [
        f"SELECT {facet} AS facet, {value} AS facet_value, m.dimension AS dimension, 'a' AS kind, 0 AS year, "
        "m.value AS value, f.budget_currency AS currency, COUNT(*) AS n, SUM(f.budget) AS budget, 0 AS disbursed, "
        f"0 AS tx {base} "
        f"GROUP BY {keys}m.dimension, m.value, f.budget_currency",
        f"SELECT {scope}, m.dimension, 'd', f.start_year, m.value, f.budget_currency, COUNT(*), SUM(f.budget), 0, 0 "
        f"{base} {dated} GROUP BY {keys}m.dimension, f.start_year, m.value, f.budget_currency",
        f"SELECT {scope}, m.dimension, 'd', f.end_year + 1, m.value, f.budget_currency, -COUNT(*), -SUM(f.budget), "
        f"0, 0 {base} {dated} AND f.end_year IS NOT NULL "
        f"GROUP BY {keys}m.dimension, f.end_year, m.value, f.budget_currency",
        # Per filter value, spending of every year is the sum of the 's' rows and of these 'x' rows (spending
        # dated outside the initiative's active years): no 'a' spending rows, a third less to aggregate.
        f"SELECT {scope}, m.dimension, 'x', s.year, {spend}, s.currency, 0, 0, SUM(s.amount), SUM(s.transactions) "
        f"{spend_base} AND NOT s.active GROUP BY {keys}m.dimension, s.year, {spend}, s.currency"
        if keys else
        f"SELECT {scope}, m.dimension, 'a', 0, {spend}, s.currency, 0, 0, SUM(s.amount), SUM(s.transactions) "
        f"{spend_base} GROUP BY {keys}m.dimension, {spend}, s.currency",
        f"SELECT {scope}, m.dimension, 's', s.year, {spend}, s.currency, 0, 0, SUM(s.amount), SUM(s.transactions) "
        f"{spend_base} AND s.active GROUP BY {keys}m.dimension, s.year, {spend}, s.currency",
    ]


def rollup_sql(restrict: str = "", tables: tuple[str, str, str] = (FACTS, MEMBERS, SPENDS)) -> str:
    """SELECT of the roll-up rows of published initiatives (all of them, or those ``restrict`` names).

    Each initiative counts once in the unscoped rows (facet '') and once under each value it has of
    each ``FACETED`` dimension (a member row joined as ``p``). ``tables`` (facts, members, spends) may
    name common table expressions holding a few initiatives' rows (``_add_contributions``).
    """
    facts, members, spends = tables
    where = f"WHERE f.workflow_status = 'published' AND f.deleted_at IS NULL {restrict}"
    base = f"FROM {facts} f JOIN {members} m ON m.initiative_id = f.initiative_id {where}"
    faceted = ", ".join(f"'{name}'" for name in FACETED)
    left_out = ", ".join(f"'{name}'" for name in NOT_FACETED)
    scoped = (f"FROM {facts} f JOIN {members} p ON p.initiative_id = f.initiative_id AND p.dimension IN ({faceted}) "
              f"AND p.value <> '' JOIN {members} m ON m.initiative_id = f.initiative_id {where} "
              f"AND m.dimension NOT IN ({left_out})")
    parts = [*_rollup_parts(base, "''", "''", spends), *_rollup_parts(scoped, "p.dimension", "p.value", spends)]
    columns = ("facet, facet_value, dimension, kind, year, value, currency, SUM(n) AS initiatives, "
               "COALESCE(SUM(budget), 0) AS budget, SUM(disbursed) AS disbursed, SUM(tx) AS transactions")
    keys = "facet, facet_value, dimension, kind, year, value, currency"
    return (f"SELECT {columns} FROM ({' UNION ALL '.join(parts)}) "
            f"parts GROUP BY {keys}")


def _delete(ids: Sequence[int]) -> None:
    marks = _placeholders(len(ids))
    with connection.cursor() as cursor:
        for table in (FACTS, MEMBERS, SPENDS):
            cursor.execute(f"DELETE FROM {table} WHERE initiative_id IN ({marks})", list(ids))


def _add_contributions(ids: Sequence[int], sign: int) -> None:
    """Add (``sign`` 1) or subtract (-1) the roll-up rows of the initiatives ``ids``, inside the database.

    One INSERT ... SELECT ... ON CONFLICT: the contributions never travel to Python, so memory stays flat
    whatever the number of per-filter-value rows an initiative touches (an IATI activity with many
    countries and SDG goals touches thousands).
    """
    if not ids:
        return
    marks = _placeholders(len(ids))
    # The chunk's rows first, materialised: the joins then work on a few hundred rows whatever the
    # planner believes about the fact tables (inside a test's transaction PostgreSQL has no statistics
    # and chose plans that took seconds per chunk).
    ctes = ", ".join(
        f"{name} AS MATERIALIZED (SELECT * FROM {table} WHERE initiative_id IN ({marks}))"
        for name, table in (("chunk_facts", FACTS), ("chunk_members", MEMBERS), ("chunk_spends", SPENDS))
    )
    sql = rollup_sql(tables=("chunk_facts", "chunk_members", "chunk_spends"))
    minus = "-" if sign < 0 else ""
    keys = "facet, facet_value, dimension, kind, year, value, currency"
    # "WHERE true" keeps SQLite's parser from reading ON CONFLICT as a join constraint.
    statement = (
        f"WITH {ctes} "
        f"INSERT INTO {ROLLUP} ({', '.join(ROLLUP_COLUMNS)}) "
        f"SELECT {keys}, {minus}c.initiatives, {minus}c.budget, {minus}c.disbursed, {minus}c.transactions "
        f"FROM ({sql}) c WHERE true "
        f"ON CONFLICT ({keys}) "
        f"DO UPDATE SET initiatives = {ROLLUP}.initiatives + excluded.initiatives, "
        f"budget = {ROLLUP}.budget + excluded.budget, disbursed = {ROLLUP}.disbursed + excluded.disbursed, "
        f"transactions = {ROLLUP}.transactions + excluded.transactions"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, list(ids) * 3)


def refresh_initiatives(ids: Iterable[int]) -> None:
    """Rebuild the facts of the initiatives ``ids`` (gone or deleted ones lose theirs) and update the roll-up."""
    for chunk in _chunks(sorted(set(ids)), 500):
        with transaction.atomic():
            _add_contributions(chunk, -1)
            _delete(chunk)
            write(collect(chunk))
            _add_contributions(chunk, 1)


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def rebuild_rollup() -> None:
    """Recompute the whole roll-up from the fact tables (one INSERT ... SELECT)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tens of millions of joined rows are grouped: in memory rather than in temporary files.
            cursor.execute("SET LOCAL work_mem = '512MB'")
        cursor.execute(f"DELETE FROM {ROLLUP}")
        cursor.execute(f"INSERT INTO {ROLLUP} ({', '.join(ROLLUP_COLUMNS)}) {rollup_sql()}")


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
    # Statistics for the planner: without them SQLite drives a filtered figure from every published fact
    # (or every member row of the dimension) instead of the chosen initiatives, 10-20 times slower.
    with connection.cursor() as cursor:
        for table in (FACTS, MEMBERS, SPENDS, ROLLUP):
            cursor.execute(f"ANALYZE {table}")
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
