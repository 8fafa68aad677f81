"""Dashboard figures from the fact tables: one GROUP BY per figure, amounts already in USD.

Without catalogue filters, or with one value of one facet that is a dimension (``rollup_scope``),
the published initiatives come from the roll-up (a few hundred rows per figure; with a year, a
prefix sum of the 'd' rows up to that year plus the 's' rows of that year) and what else the user
may see (their organisations' drafts; everything alive for moderators) is added from the fact
tables: the two sets are disjoint, so every count and sum adds up. With other filters (several
values, several facets, facets that are not dimensions) and for flows with any filter, the chosen
initiatives are grouped directly: ``InitiativeFact.objects.visible_to`` (the catalogue's own
visibility rule), the year, and each facet filter — through the member rows for the facets that are
dimensions (their values are built from the same relations as the search index's), through the
search index for the others (sector, country group, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from coopatlas.core.models import WorkflowStatus
from coopatlas.reports.fact_models import FACETED, InitiativeFact, MemberFact
from coopatlas.reports.facts import MEMBERS, NOT_FACETED, ROLLUP, SPENDS

# ruff: noqa: S608 - SQL assembled from table names, constants and ORM-compiled subqueries; values are bound.

#: Catalogue facets that are also dimensions of the facts: filter through the member rows.
FACET_DIMENSIONS = {"country": "recipient_country", "region": "region", "commission": "commission",
                    "sdg_goal": "sdg_goal", "modality": "modality"}


@dataclass
class Sums:
    """One value of a dimension: initiatives, budget and spending (converted, and unconverted by currency)."""

    initiatives: int = 0
    transactions: int = 0
    budget: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    budget_unconverted: dict[str, Decimal] = field(default_factory=dict)
    disbursed_unconverted: dict[str, Decimal] = field(default_factory=dict)

    def add(self, code: str, initiatives: Any, budget: Any, disbursed: Any, transactions: Any) -> None:
        """Add one grouped row (``code`` '' for converted amounts, else the unconverted amounts' currency)."""
        self.initiatives += int(initiatives or 0)
        self.transactions += int(transactions or 0)
        budget, disbursed = Decimal(str(budget or 0)), Decimal(str(disbursed or 0))
        if not code:
            self.budget += budget
            self.disbursed += disbursed
            return
        if budget:
            self.budget_unconverted[code] = self.budget_unconverted.get(code, Decimal(0)) + budget
        if disbursed:
            self.disbursed_unconverted[code] = self.disbursed_unconverted.get(code, Decimal(0)) + disbursed


Filters = Mapping[str, Sequence[str]]


def chosen_facts(user: Any, filters: Filters, year: int | None, unpublished_only: bool = False) -> QuerySet[Any]:
    """Facts of the initiatives ``user`` may see, active in ``year``, with a value of every filtered facet."""
    from coopatlas.core.search.sql import visible_entries

    facts = InitiativeFact.objects.visible_to(user)
    if unpublished_only:
        facts = facts.exclude(workflow_status=WorkflowStatus.PUBLISHED)
    if year:
        facts = facts.filter(Q(start_year__lte=year), Q(end_year__isnull=True) | Q(end_year__gte=year))
    others = {}
    for name, values in filters.items():
        if name in FACET_DIMENSIONS:
            members = MemberFact.objects.filter(dimension=FACET_DIMENSIONS[name], value__in=list(values))
            facts = facts.filter(initiative_id__in=members.values("initiative_id"))
        else:
            others[name] = values
    if others:
        entries = visible_entries(user, others).filter(record_type="initiative")
        facts = facts.filter(initiative_id__in=entries.values("object_id"))
    return facts


Rows = tuple[str, list[Any]]


def _fetch(rows: Rows, top: int | None = None) -> list[tuple[Any, ...]]:
    """Run a rows statement; with ``top``, keep the ``top`` + 1 largest values (as ``build_figure`` orders them)."""
    sql, params = rows
    if top is not None:
        collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
        sql = (
            f"WITH g (value, currency, n, budget, disbursed, tx) AS ({sql}), "
            "top_values AS (SELECT value FROM g GROUP BY value HAVING SUM(n) > 0 OR SUM(tx) > 0 "
            "ORDER BY SUM(n) DESC, SUM(CASE WHEN currency = '' THEN disbursed ELSE 0 END) DESC, "
            f"value{collate} LIMIT %s) SELECT * FROM g WHERE value IN (SELECT value FROM top_values)"
        )
        params = [*params, top + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _direct_rows(dimension: str, facts: QuerySet[Any], year: int | None) -> Rows:
    """(value, currency, initiatives, budget, disbursed, transactions) of ``facts`` grouped by ``dimension``."""
    chosen_sql, chosen_params = facts.values("initiative_id", "budget_currency", "budget").query.sql_with_params()
    value = "CASE WHEN m.dimension = 'year' THEN CAST(s.year AS VARCHAR(4)) ELSE m.value END"
    spend_year = "AND s.year = %s AND s.active" if year else ""
    joined = f"FROM chosen f JOIN {MEMBERS} m ON m.initiative_id = f.initiative_id AND m.dimension = %s"
    sql = (
        f"WITH chosen AS ({chosen_sql}) "
        f"SELECT m.value, f.budget_currency, COUNT(*), SUM(f.budget), 0, 0 {joined} "
        "GROUP BY m.value, f.budget_currency "
        f"UNION ALL SELECT {value}, s.currency, 0, 0, SUM(s.amount), SUM(s.transactions) {joined} "
        f"JOIN {SPENDS} s ON s.initiative_id = f.initiative_id {spend_year} GROUP BY {value}, s.currency"
    )
    return sql, [*chosen_params, dimension, dimension, *([year] if year else [])]


def _rollup_rows(dimension: str, year: int | None, scope: tuple[str, str] = ("", "")) -> Rows:
    """The same rows for every published initiative (or those with the value ``scope``), from the roll-up."""
    params: list[Any] = [*scope, dimension]
    if year:
        where = "((kind = 'd' AND year <= %s) OR (kind = 's' AND year = %s))"
        params += [year, year]
    elif scope == ("", ""):
        where = "kind = 'a'"
    else:
        where = "kind IN ('a', 's', 'x')"  # spending per filter value is kept by year only
    sql = (f"SELECT value, currency, SUM(initiatives), SUM(budget), SUM(disbursed), SUM(transactions) "
           f"FROM {ROLLUP} WHERE facet = %s AND facet_value = %s AND dimension = %s AND {where} "
           "GROUP BY value, currency")
    return sql, params


def rollup_scope(dimension: str, filters: Filters) -> tuple[str, str] | None:
    """The roll-up rows that answer ``filters`` for ``dimension``: ('', '') without filters, (facet, value)
    for one value of one facet that is a dimension, None when the facts must be grouped directly."""
    if not filters:
        return "", ""
    if len(filters) != 1 or dimension in NOT_FACETED:
        return None
    (name, values), = filters.items()
    if name not in FACET_DIMENSIONS or len(values) != 1 or FACET_DIMENSIONS[name] not in FACETED:
        return None
    return FACET_DIMENSIONS[name], values[0]


def figure_sums(dimension: str, user: Any, filters: Filters, year: int | None, top: int | None = None) -> dict[
        str, Sums]:
    """Per value of ``dimension``: distinct initiatives, budget and spending, as ``user`` sees the catalogue.

    With ``top``, only the ``top`` + 1 largest values (the figure shows ``top`` and says there are more);
    for signed-in users reading the roll-up every value is read, since their drafts add to it.
    """
    scope = rollup_scope(dimension, filters)
    if scope is None:
        rows = _fetch(_direct_rows(dimension, chosen_facts(user, filters, year), year), top)
    elif not getattr(user, "is_authenticated", False):
        rows = _fetch(_rollup_rows(dimension, year, scope), top)
    else:
        rows = _fetch(_rollup_rows(dimension, year, scope))
        rows += _fetch(_direct_rows(dimension, chosen_facts(user, filters, year, unpublished_only=True), year))
    sums: dict[str, Sums] = {}
    for value, code, initiatives, budget, disbursed, transactions in rows:
        sums.setdefault(str(value or ""), Sums()).add(code or "", initiatives, budget, disbursed, transactions)
    return {value: s for value, s in sums.items() if s.initiatives > 0 or s.transactions > 0}
