"""Dashboard facts: the same figures as the direct queries, kept in step on every change, rebuilt by command."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus
from coopatlas.core.signals import record_changed
from coopatlas.initiatives.models import Transaction
from coopatlas.reports.dashboards import DashboardParams, build_dashboard
from coopatlas.reports.fact_models import DashboardRollup, InitiativeFact, MemberFact, SpendFact
from coopatlas.reports.facts import rebuild_all, rebuild_rollup
from coopatlas.reports.tests.builders import build_portfolio

pytestmark = pytest.mark.django_db
QUERIES = ["", "year=2019", "year=2018", "year=2020", "year=2030", "region=002", "commission=ECLAC&modality=training",
           "commission=ECLAC", "country=HTI&year=2018", "modality=training&year=2019", "country=XXX",
           "country=SEN&year=2019", "sdg_goal=2", "sdg_goal=4&year=2018", "modality=financing",
           "sdg_target=2.3", "region=019&sdg_target=4.4&year=2019", "country=COL&country=HTI"]


@pytest.fixture
def portfolio(personas: Any) -> Any:
    return build_portfolio(personas)


def both(query: str, user: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    params = DashboardParams.from_query(QueryDict(query))
    return (build_dashboard(params, user, source="facts").to_dict(),
            build_dashboard(params, user, source="direct").to_dict())


#: Enough to cover the roll-up, the drafts added to it, and filtered reads for the signed-in personas.
SIGNED_IN_QUERIES = ["", "year=2019", "region=002", "sdg_target=2.3&year=2019"]


def assert_facts_match_direct(users: list[Any], queries: list[str] = QUERIES) -> None:
    for user in users:
        for query in queries:
            facts, direct = both(query, user)
            assert facts == direct, (query, user)


def rollup_rows() -> set[tuple[Any, ...]]:
    """The roll-up's non-empty rows, amounts rounded to cents (floating-point sums on SQLite)."""
    return {
        (r.dimension, r.kind, r.year, r.value, r.currency, r.initiatives, round(Decimal(r.budget), 2),
         round(Decimal(r.disbursed), 2), r.transactions)
        for r in DashboardRollup.objects.all()
        if r.initiatives or r.transactions or round(Decimal(r.budget), 2) or round(Decimal(r.disbursed), 2)
    }


def test_fact_figures_equal_the_direct_queries_for_every_persona_and_filter(portfolio: Any, personas: Any) -> None:
    assert_facts_match_direct([AnonymousUser()])
    assert_facts_match_direct([personas.contributor_a, personas.contributor_b, personas.moderator], SIGNED_IN_QUERIES)


def test_facts_hold_usd_converted_once_and_unconverted_amounts_apart(portfolio: Any) -> None:
    dairy = InitiativeFact.objects.get(initiative_id=portfolio.dairy.pk)
    assert (dairy.start_year, dairy.end_year, dairy.budget_currency) == (2019, None, "")
    assert round(Decimal(dairy.budget), 2) == Decimal("576750.00")  # 500,000 EUR x 1.1535 (2019-01-10)
    haiti = {(s.year, s.currency): round(Decimal(s.amount), 2) for s in SpendFact.objects.filter(
        initiative_id=portfolio.haiti.pk)}
    assert haiti == {(2018, ""): Decimal("35578.55"), (2018, "XDR"): Decimal("1000.00")}
    flows = set(MemberFact.objects.filter(initiative_id=portfolio.cotton.pk, dimension="flow").values_list(
        "value", flat=True))
    assert flows == {"BRA>SEN", "BRA>MLI"}


def statements(query: str, django_assert_max_num_queries: Any) -> tuple[list[str], list[str]]:
    """The statements over the facts and over the roll-up of one dashboard (labels and rates cached)."""
    params = DashboardParams.from_query(QueryDict(query))
    build_dashboard(params, AnonymousUser())  # labels and rates are cached after the first call
    with django_assert_max_num_queries(2 + 10 + 10) as captured:
        build_dashboard(params, AnonymousUser())
    sql = [q["sql"] for q in captured.captured_queries]
    return [s for s in sql if "reports_memberfact" in s], [s for s in sql if "reports_dashboardrollup" in s]


def test_each_figure_is_one_statement_over_the_facts(portfolio: Any, django_assert_max_num_queries: Any) -> None:
    facts, rollup = statements("year=2019&region=002&modality=training", django_assert_max_num_queries)
    assert (len(facts), len(rollup)) == (12, 0)  # total, undated, ten figures


def test_one_filter_value_reads_the_rollup_except_flows(portfolio: Any, django_assert_max_num_queries: Any) -> None:
    for query in ("year=2019&region=002", "commission=ECLAC", "sdg_goal=4", "modality=training"):
        facts, rollup = statements(query, django_assert_max_num_queries)
        assert (len(facts), len(rollup)) == (1, 11), query  # the flow figure; total, undated, nine figures
        assert "'flow'" not in " ".join(rollup)
    facts, rollup = statements("country=COL&country=HTI", django_assert_max_num_queries)
    assert (len(facts), len(rollup)) == (12, 0)  # two values of a facet: the facts
    facts, rollup = statements("country=SEN&year=2019", django_assert_max_num_queries)
    assert (len(facts), len(rollup)) == (12, 0)  # recipient country has no per-value rows (FACETED)


def test_the_rollup_per_filter_value_holds_the_initiatives_with_that_value(portfolio: Any) -> None:
    region = MemberFact.objects.filter(dimension="region").values_list("value", flat=True).first()
    scoped = DashboardRollup.objects.filter(facet="region", facet_value=region, dimension="total", kind="a")
    chosen = InitiativeFact.objects.filter(workflow_status="published", deleted_at__isnull=True, initiative_id__in=
                                           MemberFact.objects.filter(dimension="region", value=region)
                                           .values("initiative_id"))
    assert sum(r.initiatives for r in scoped) == chosen.count() > 0
    assert not DashboardRollup.objects.filter(facet="recipient_country").exists()
    assert not DashboardRollup.objects.filter(facet="", facet_value__gt="").exists()
    assert not DashboardRollup.objects.exclude(facet="").filter(dimension="flow").exists()


def test_changes_keep_the_facts_and_the_rollup_in_step(portfolio: Any, personas: Any) -> None:
    moderator = personas.moderator
    haiti = portfolio.haiti

    def retitle(record: Any) -> None:
        record.budget, record.currency, record.end_actual = Decimal("250000"), "EUR", None
        record.recipient_countries.set(["HTI", "SEN"])

    services.update_record(haiti, moderator, haiti.version, retitle)
    Transaction.objects.create(initiative=portfolio.cotton, transaction_type="3", date=date(2021, 5, 1),
                               value=Decimal("1234.5"), currency="BRL")
    Transaction.objects.filter(initiative=portfolio.dairy).get().delete()
    portfolio.draft.workflow_status = WorkflowStatus.PUBLISHED
    portfolio.draft.save()
    record_changed.send(sender=type(portfolio.draft), record=portfolio.draft)
    portfolio.undated.deleted_at = portfolio.undated.updated_at
    portfolio.undated.save()
    record_changed.send(sender=type(portfolio.undated), record=portfolio.undated)
    assert_facts_match_direct([AnonymousUser(), personas.contributor_a], SIGNED_IN_QUERIES)
    incremental = rollup_rows()
    rebuild_rollup()
    assert rollup_rows() == incremental
    assert both("", AnonymousUser())[0]["initiatives"] == 4  # the draft now published, the undated one deleted


def test_refresh_command_rebuilds_what_bulk_writes_bypassed(portfolio: Any) -> None:
    # A bulk import writes rows without signals; the command brings the facts back in step.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_memberfact")
        cursor.execute("DELETE FROM reports_dashboardrollup")
    assert both("", AnonymousUser())[0]["initiatives"] == 0
    out = io.StringIO()
    call_command("refresh_dashboard_facts", stdout=out)
    assert "Dashboard facts rebuilt for 5 initiatives" in out.getvalue()
    facts, direct = both("", AnonymousUser())
    assert facts == direct and facts["initiatives"] == 4
    before = rollup_rows()
    assert rebuild_all(batch_size=2) == 5 and rollup_rows() == before


def test_spending_outside_the_active_years_counts_per_filter_value_without_a_year(portfolio: Any) -> None:
    # Cotton-4 support runs 2019-2021; a disbursement dated 2018 counts in "every year" but in no year's figure.
    Transaction.objects.create(initiative=portfolio.cotton, transaction_type="3", date=date(2018, 11, 5),
                               value=Decimal("4000"), currency="USD")
    assert DashboardRollup.objects.filter(facet="region", facet_value="002", kind="x", year=2018).exists()
    assert_facts_match_direct([AnonymousUser()], ["region=002", "region=002&year=2018", "modality=training",
                                                  "country=SEN&year=2019", ""])
    facts, _direct = both("region=002", AnonymousUser())
    assert facts["disbursed"] == "504000.00"  # 300,000 + 200,000 + 4,000 USD
    assert both("region=002&year=2018", AnonymousUser())[0]["disbursed"] == "0.00"
