"""Dashboard figures computed directly from the catalogue tables (the original method, and the oracle).

Used for a currency other than the facts' (USD): each amount is converted at its own date into that
currency, so nothing can be pre-aggregated. The tests compare the fact-based figures with these.
Money is summed over distinct (initiative or transaction, value) pairs, so multi-hop joins never
double count; each (value, currency, day) group is converted in Python (``reports.money.Money``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncDate

from coopatlas.core.search.sql import visible_entries
from coopatlas.reports.dimensions import MISSING, Dimension
from coopatlas.reports.facts import SPEND_TYPES
from coopatlas.reports.money import Money

if TYPE_CHECKING:
    from coopatlas.reports.dashboards import DashboardParams

Breakdown = tuple[dict[str, int], dict[str, Money], dict[str, Money]]


def matching_initiatives(params: DashboardParams, user: Any) -> QuerySet[Any]:
    """Initiatives ``user`` may see that match the filters and, with a year, were active during it.

    Active during year Y: started (actual, else planned) on or before 31 December Y and not ended
    (actual, else planned) before 1 January Y. Initiatives without a start date are in no year.
    """
    from coopatlas.initiatives.models import Initiative

    initiatives = Initiative.objects.visible_to(user)
    if params.search.filters:
        entries = visible_entries(user, params.search.filters).filter(record_type="initiative")
        initiatives = initiatives.filter(pk__in=entries.values("object_id"))
    if params.year:
        initiatives = initiatives.annotate(
            start=Coalesce("start_actual", "start_planned"), end=Coalesce("end_actual", "end_planned")
        ).filter(
            Q(start__lte=date(params.year, 12, 31)), Q(end__isnull=True) | Q(end__gte=date(params.year, 1, 1))
        )
    return initiatives


def spending(params: DashboardParams, initiative_ids: QuerySet[Any]) -> QuerySet[Any]:
    """Disbursement and expenditure transactions of the initiatives (in the year, when one is set)."""
    from coopatlas.initiatives.models import Transaction

    transactions = Transaction.objects.filter(initiative_id__in=initiative_ids, transaction_type__in=SPEND_TYPES)
    if params.year:
        transactions = transactions.filter(date__year=params.year)
    return transactions


def _grouped_sums(pairs: QuerySet[Any]) -> list[tuple[Any, str, Any, Any]]:
    """``(dim, currency, day, sum)`` over distinct (item, dim) pairs, so multi-hop joins never double count."""
    inner_sql, inner_params = pairs.query.sql_with_params()
    sql = (
        f"SELECT dim, money_currency, day, SUM(amount) FROM ({inner_sql}) pairs "  # noqa: S608 - ORM-compiled SQL
        "WHERE amount IS NOT NULL GROUP BY dim, money_currency, day"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, inner_params)
        return cursor.fetchall()


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _key(value: Any) -> str:
    return MISSING if value is None else str(value)


def _money_by(rows: list[tuple[Any, str, Any, Any]], target: str) -> dict[str, Money]:
    sums: dict[str, Money] = defaultdict(Money)
    for dim, code, day, total in rows:
        sums[_key(dim)].add(Decimal(str(total)), code or "", _day(day), target)
    return sums


def budgets_by(initiatives: QuerySet[Any], value: Any, target: str) -> dict[str, Money]:
    """Budgets per dimension value, each converted at the rate of the initiative's start."""
    pairs = initiatives.values(
        iid=F("pk"), dim=value, money_currency=F("currency"),
        day=Coalesce("start_actual", "start_planned", TruncDate("created_at")), amount=F("budget"),
    ).order_by().distinct()
    return _money_by(_grouped_sums(pairs), target)


def disbursements_by(transactions: QuerySet[Any], value: Any, target: str) -> dict[str, Money]:
    """Disbursements and expenditure per dimension value, each converted at its value date."""
    pairs = transactions.values(
        tid=F("pk"), dim=value,
        money_currency=Coalesce(NullIf("currency", Value("")), NullIf("initiative__currency", Value("")), Value("")),
        day=Coalesce("value_date", "date"), amount=F("value"),
    ).order_by().distinct()
    return _money_by(_grouped_sums(pairs), target)


def counts_by(initiatives: QuerySet[Any], value: Any) -> dict[str, int]:
    """Number of distinct initiatives per dimension value."""
    rows = initiatives.values(dim=value).order_by().annotate(n=Count("pk", distinct=True))
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[_key(row["dim"])] += row["n"]
    return counts


def direct_breakdown(
    dimension: Dimension, params: DashboardParams, initiatives: QuerySet[Any], transactions: QuerySet[Any]
) -> Breakdown:
    """Counts, budgets and disbursements of one dimension, computed from the catalogue tables."""
    return (counts_by(initiatives, dimension.initiative_value),
            budgets_by(initiatives, dimension.initiative_value, params.currency),
            disbursements_by(transactions, dimension.transaction_value, params.currency))
