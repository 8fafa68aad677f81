"""Cooperation dashboards: one data object (``Dashboard``) rendered as HTML, JSON, CSV and SVG.

``build_dashboard(params, user)`` counts initiatives and sums their budgets and disbursements per
dimension (``reports.dimensions``), converted into one currency at dated ECB rates
(``reports.currency``). The initiatives are those ``user`` may see, narrowed by the catalogue's own
facet filters (``SearchParams.from_query``: country, region, commission, SDG, sector, modality ...,
applied through the search index exactly as the catalogue search applies them) and by a year.

Money, following IATI: budget = the initiative's budget (IATI: revised budgets where given, see
``iati.importer.records.total_budget``) dated by its start (actual, else planned, else the day it was
recorded); disbursements = transactions of IATI TransactionType 3 (disbursement) and 4 (expenditure),
in the transaction's currency (else the initiative's) at its value date (else its date).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.db.models import Value
from django.urls import reverse
from django.utils.translation import gettext as _

from coopatlas.core.search.service import SearchParams
from coopatlas.reports import currency
from coopatlas.reports.dimensions import DIMENSIONS, MISSING, Dimension
from coopatlas.reports.direct import Breakdown, direct_breakdown, disbursements_by, matching_initiatives, spending
from coopatlas.reports.direct import budgets_by as direct_budgets
from coopatlas.reports.fact_models import FACT_CURRENCY
from coopatlas.reports.fact_queries import Sums, figure_sums
from coopatlas.reports.money import MONEY_PLACES, Money

YEAR_RANGE = (1950, 2100)


@dataclass(frozen=True)
class DashboardParams:
    """What the dashboard shows: the catalogue's facet filters, a year and the currency of the figures."""

    search: SearchParams = field(default_factory=SearchParams)
    year: int | None = None
    currency: str = currency.DEFAULT_CURRENCY

    @classmethod
    def from_query(cls, query: Any) -> DashboardParams:
        """Read a ``QueryDict``; an unknown currency or a year out of range falls back to the default."""
        search = SearchParams.from_query(query)
        filters = {name: values for name, values in search.filters.items() if name != "type"}
        try:
            year: int | None = int(query.get("year", ""))
        except (TypeError, ValueError):
            year = None
        if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            year = None
        code = (query.get("currency") or currency.DEFAULT_CURRENCY).upper()
        if code not in currency.ecb_rates().currencies():
            code = currency.DEFAULT_CURRENCY
        return cls(SearchParams(filters=filters), year, code)

    def as_pairs(self) -> list[tuple[str, str]]:
        """The parameters as query-string pairs (defaults left out)."""
        pairs = [(name, value) for name, values in self.search.filters.items() for value in values]
        if self.year:
            pairs.append(("year", str(self.year)))
        if self.currency != currency.DEFAULT_CURRENCY:
            pairs.append(("currency", self.currency))
        return pairs

    def url(self, **extra: str) -> str:
        """The dashboard page for these parameters (plus ``extra``, e.g. ``format=csv``)."""
        pairs = self.as_pairs() + list(extra.items())
        return reverse("reports:dashboard") + ("?" + urlencode(pairs) if pairs else "")

    def search_url(self, facet: str | None = None, value: str | None = None) -> str:
        """The catalogue search for the same initiatives (optionally narrowed to one facet value)."""
        params = replace(self.search, filters={**self.search.filters, "type": ("initiative",)})
        if facet and value and value not in params.filters.get(facet, ()):
            params = params.toggled(facet, value)
        return reverse("catalogue:search") + params.url()

    def with_filter(self, facet: str, value: str) -> DashboardParams:
        """These parameters narrowed to ``facet=value``."""
        return replace(self, search=self.search.toggled(facet, value))


@dataclass
class DashboardRow:
    """One value of a dimension: initiatives, budget, disbursements, share and links."""

    value: str
    label: str
    initiatives: int
    budget: Money
    disbursed: Money
    share: float
    search_url: str | None
    dashboard_url: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value, "label": self.label, "initiatives": self.initiatives,
            "budget": str(self.budget.rounded), "disbursed": str(self.disbursed.rounded),
            "share": round(self.share, 4),
            "budget_unconverted": {k: str(v.quantize(MONEY_PLACES)) for k, v in self.budget.unconverted.items()},
            "disbursed_unconverted": {k: str(v.quantize(MONEY_PLACES)) for k, v in self.disbursed.unconverted.items()},
            "search_url": self.search_url, "dashboard_url": self.dashboard_url,
        }


@dataclass
class Figure:
    """One breakdown of the dashboard (a table, a chart, a CSV file)."""

    key: str
    title: str
    rows: list[DashboardRow]
    truncated: bool
    query_url: str
    search_url: str

    def csv_rows(self, currency_code: str) -> Iterator[list[str]]:
        """Header then one row per value (amounts in ``currency_code``, two decimals)."""
        yield ["value", "label", "initiatives", "share_of_initiatives", f"budget_{currency_code}",
               f"disbursed_{currency_code}", "budget_not_converted", "disbursed_not_converted"]
        for row in self.rows:
            yield [row.value, row.label, str(row.initiatives), f"{row.share:.4f}", str(row.budget.rounded),
                   str(row.disbursed.rounded), _unconverted(row.budget), _unconverted(row.disbursed)]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "truncated": self.truncated, "query_url": self.query_url,
                "search_url": self.search_url, "rows": [row.to_dict() for row in self.rows]}


def _unconverted(money: Money) -> str:
    return "; ".join(f"{amount.quantize(MONEY_PLACES)} {code}" for code, amount in sorted(money.unconverted.items()))


@dataclass
class Dashboard:
    """Headline totals, shares of South-South and triangular cooperation, and every figure."""

    params: DashboardParams
    initiatives: int
    undated: int
    budget: Money
    disbursed: Money
    figures: dict[str, Figure]
    rates: dict[str, str]

    def share(self, cooperation_type: str) -> float:
        """Share of initiatives of one cooperation type (0 when there are none)."""
        rows = {row.value: row for row in self.figures["cooperation_type"].rows}
        row = rows.get(cooperation_type)
        return row.share if row else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (``?format=json``)."""
        return {
            "filters": {name: list(v) for name, v in self.params.search.filters.items()},
            "year": self.params.year, "currency": self.params.currency,
            "initiatives": self.initiatives, "undated_initiatives": self.undated,
            "budget": str(self.budget.rounded), "disbursed": str(self.disbursed.rounded),
            "budget_unconverted": {k: str(v.quantize(MONEY_PLACES)) for k, v in self.budget.unconverted.items()},
            "disbursed_unconverted": {k: str(v.quantize(MONEY_PLACES)) for k, v in self.disbursed.unconverted.items()},
            "share_south_south": round(self.share("south-south"), 4),
            "share_triangular": round(self.share("triangular"), 4),
            "exchange_rates": self.rates,
            "figures": {key: figure.to_dict() for key, figure in self.figures.items()},
        }


def build_figure(dimension: Dimension, params: DashboardParams, breakdown: Breakdown, total: int) -> Figure:
    """One dimension's rows from its counts, converted budgets and disbursements: shares, order and links."""
    counts, budgets, disbursed = breakdown
    if dimension.key == "flow":
        # A flow needs both ends: drop pairs where the provider's or the recipient's country is unknown.
        keep = {v for v in {*counts, *disbursed} if all(v.partition(">")[::2])}
        counts = {v: n for v, n in counts.items() if v in keep}
        disbursed = {v: m for v, m in disbursed.items() if v in keep}
        budgets = {v: m for v, m in budgets.items() if v in keep}
    values = list(dict.fromkeys([*counts, *disbursed]))
    if dimension.natural_order:
        values.sort(key=lambda v: (v == MISSING, _natural(v)))
    else:
        values.sort(key=lambda v: (-counts.get(v, 0), -disbursed.get(v, Money()).converted, v))
    truncated = dimension.top is not None and len(values) > dimension.top
    shown = values[: dimension.top] if dimension.top is not None else values
    labels = dimension.labels(shown)
    rows = [
        DashboardRow(
            value=value, label=labels[value], initiatives=counts.get(value, 0),
            budget=budgets.get(value, Money()), disbursed=disbursed.get(value, Money()),
            share=counts.get(value, 0) / total if total else 0.0,
            search_url=params.search_url(dimension.facet, value) if dimension.facet and value else None,
            dashboard_url=params.with_filter(dimension.facet, value).url() if dimension.facet and value else None,
        )
        for value in shown
    ]
    return Figure(dimension.key, str(dimension.title), rows, truncated,
                  params.url() + f"#figure-{dimension.key}", params.search_url())


def _fact_breakdown(sums: dict[str, Sums]) -> Breakdown:
    """Counts, budgets and disbursements from fact sums (values with spending only have no count)."""
    counts = {value: s.initiatives for value, s in sums.items() if s.initiatives}
    budgets = {value: Money(s.budget, s.budget_unconverted) for value, s in sums.items()}
    disbursed = {value: Money(s.disbursed, s.disbursed_unconverted) for value, s in sums.items() if s.transactions}
    return counts, budgets, disbursed


def uses_facts(params: DashboardParams) -> bool:
    """Whether the figures can come from the fact tables (amounts there are in FACT_CURRENCY only)."""
    return params.currency == FACT_CURRENCY


def _natural(value: str) -> tuple[int, str]:
    """Numbers in numeric order (SDG goals 1..17, years), other codes alphabetically."""
    return (int(value), "") if value.isdigit() else (10**6, value)


def build_dashboard(
    params: DashboardParams, user: Any, keys: Mapping[str, Dimension] | None = None, source: str = "auto"
) -> Dashboard:
    """Every figure of the dashboard for ``params`` as ``user`` sees the catalogue.

    ``source`` "auto" reads the fact tables when the currency is theirs (``uses_facts``), else the
    catalogue tables; "facts" or "direct" force one (the tests compare them).
    """
    dimensions = keys or DIMENSIONS
    if source == "facts" or source == "auto" and uses_facts(params):
        return _from_facts(params, user, dimensions)
    return _direct(params, user, dimensions)


def _from_facts(params: DashboardParams, user: Any, dimensions: Mapping[str, Dimension]) -> Dashboard:
    filters = params.search.filters
    totals = figure_sums("total", user, filters, params.year).get("all", Sums())
    undated = figure_sums("year", user, filters, None).get(MISSING, Sums()).initiatives
    figures = {
        key: build_figure(
            dimension, params, _fact_breakdown(figure_sums(key, user, filters, params.year, dimension.top)),
            totals.initiatives)
        for key, dimension in dimensions.items()
    }
    return Dashboard(params, totals.initiatives, undated, Money(totals.budget, totals.budget_unconverted),
                     Money(totals.disbursed, totals.disbursed_unconverted), figures, currency.source_description())


def _direct(params: DashboardParams, user: Any, dimensions: Mapping[str, Dimension]) -> Dashboard:
    initiatives = matching_initiatives(params, user)
    transactions = spending(params, initiatives.values("pk"))
    total = initiatives.count()
    undated = matching_initiatives(replace(params, year=None), user).filter(
        start_actual__isnull=True, start_planned__isnull=True
    ).count()
    everything = Value("all")
    budget = direct_budgets(initiatives, everything, params.currency).get("all", Money())
    disbursed = disbursements_by(transactions, everything, params.currency).get("all", Money())
    figures = {
        key: build_figure(dimension, params, direct_breakdown(dimension, params, initiatives, transactions), total)
        for key, dimension in dimensions.items()
    }
    return Dashboard(params, total, undated, budget, disbursed, figures, currency.source_description())


def describe_filters(params: DashboardParams) -> list[str]:
    """The filters in words ("Region: Africa"), for headings and the report's notes."""
    from coopatlas.core.search.facets import FACETS

    parts = []
    for name, values in params.search.filters.items():
        definition = FACETS[name]
        labels = definition.labeller(values)
        parts.append(f"{definition.label}: {', '.join(labels.get(v, v) for v in values)}")
    if params.year:
        parts.append(_("Year: %(year)s") % {"year": params.year})
    return parts
