"""A small, fully known cooperation portfolio for the reports tests (numbers written out in the tests).

1. Cotton-4 support: BRA -> SEN, MLI, south-south, budget 1,000,000 USD, started 2019-03-01;
   disbursed 300,000 USD on 2019-06-15, spent (type 4) 200,000 USD on 2020-02-01.
2. Dairy quality: BRA -> COL with GIZ (DEU) facilitating, triangular, 500,000 EUR planned from 2019-01-10;
   disbursed 100,000 EUR, value date 2019-07-01.
3. Haiti school meals: MEX -> HTI, not classified, no budget, 2018-05-01 to 2019-02-28;
   disbursed 20,000,000 XOF on 2018-06-01 and 1,000 XDR (no ECB rate) on 2018-07-01.
4. Draft initiative (unpublished): BRA -> SEN, south-south, 999 USD from 2019-01-01, 999 USD disbursed.
5. Undated finance: BRA -> SEN, south-south, no budget, no dates, no transactions.

Initiative 1 also has a commitment (type 2) of 1,000,000 USD, which is never counted as spending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from coopatlas.catalogue.models import Modality, Organisation
from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus
from coopatlas.geo.models import Country
from coopatlas.indicators.models import SdgTarget
from coopatlas.initiatives.models import Initiative, Transaction


@dataclass
class Portfolio:
    """The five initiatives and the organisations of the portfolio."""

    cotton: Initiative
    dairy: Initiative
    haiti: Initiative
    draft: Initiative
    undated: Initiative
    amexcid: Organisation
    giz: Organisation


def _initiative(owner: Any, user: Any, title: str, providers: list[Organisation], recipients: list[str],
                modalities: list[str], targets: list[str], facilitators: list[Organisation] | None = None,
                status: str = WorkflowStatus.PUBLISHED, **fields: Any) -> Initiative:
    initiative = Initiative(owner=owner, title=title, workflow_status=status, **fields)

    def save_m2m() -> None:
        initiative.providers.set(providers)
        initiative.facilitators.set(facilitators or [])
        initiative.recipient_countries.set(Country.objects.filter(code__in=recipients))
        for code in modalities:
            Modality.objects.get_or_create(code=code)
        initiative.modalities.set(Modality.objects.filter(code__in=modalities))
        initiative.sdg_targets.set(SdgTarget.objects.filter(code__in=targets))

    return services.create_record(initiative, user, save_m2m)


def _spend(initiative: Initiative, kind: str, on: date, value: str, currency: str = "",
           value_date: date | None = None) -> Transaction:
    return Transaction.objects.create(initiative=initiative, transaction_type=kind, date=on, value=Decimal(value),
                                      currency=currency, value_date=value_date)


def build_portfolio(personas: Any) -> Portfolio:
    """The portfolio of the module docstring, owned by organisation A (Brazil's ABC)."""
    abc, user = personas.org_a, personas.contributor_a
    amexcid = Organisation.objects.create(name="AMEXCID", country=Country.objects.get(code="MEX"),
                                          workflow_status=WorkflowStatus.PUBLISHED)
    giz = Organisation.objects.create(name="GIZ", country=Country.objects.get(code="DEU"),
                                      workflow_status=WorkflowStatus.PUBLISHED)
    cotton = _initiative(abc, user, "Cotton-4 support", [abc], ["SEN", "MLI"], ["training", "technical-assistance"],
                         ["2.3", "2.4"], cooperation_type="south-south", budget=Decimal("1000000"), currency="USD",
                         start_actual=date(2019, 3, 1), end_planned=date(2021, 12, 31))
    _spend(cotton, "2", date(2019, 3, 1), "1000000")
    _spend(cotton, "3", date(2019, 6, 15), "300000")
    _spend(cotton, "4", date(2020, 2, 1), "200000", "USD")
    dairy = _initiative(abc, user, "Dairy quality", [abc], ["COL"], ["technology-transfer", "knowledge-brokering"],
                        ["2.1"], facilitators=[giz], cooperation_type="triangular", budget=Decimal("500000"),
                        currency="EUR", start_planned=date(2019, 1, 10))
    _spend(dairy, "3", date(2019, 9, 30), "100000", value_date=date(2019, 7, 1))
    haiti = _initiative(abc, user, "Haiti school meals", [amexcid], ["HTI"], ["training"], ["4.4"],
                        start_actual=date(2018, 5, 1), end_actual=date(2019, 2, 28), currency="XOF")
    _spend(haiti, "3", date(2018, 6, 1), "20000000")
    _spend(haiti, "3", date(2018, 7, 1), "1000", "XDR")
    draft = _initiative(abc, user, "Draft initiative", [abc], ["SEN"], ["training"], ["2.3"],
                        status=WorkflowStatus.DRAFT, cooperation_type="south-south", budget=Decimal("999"),
                        currency="USD", start_actual=date(2019, 1, 1))
    _spend(draft, "3", date(2019, 2, 1), "999", "USD")
    undated = _initiative(abc, user, "Undated finance", [abc], ["SEN"], ["financing"], [],
                          cooperation_type="south-south")
    return Portfolio(cotton, dairy, haiti, draft, undated, amexcid, giz)
