"""Dashboards: counts, converted money, shares, filters and the HTML/JSON/CSV/SVG renderings."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from coopatlas.reports.dashboards import DashboardParams, build_dashboard
from coopatlas.reports.dimensions import DIMENSIONS
from coopatlas.reports.tests.builders import build_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(personas: Any) -> Any:
    return build_portfolio(personas)


def dashboard_for(query: str = "", user: Any = None) -> Any:
    return build_dashboard(DashboardParams.from_query(QueryDict(query)), user or AnonymousUser())


def rows(dashboard: Any, key: str) -> dict[str, tuple[int, str, str]]:
    return {r.value: (r.initiatives, str(r.budget.rounded), str(r.disbursed.rounded)) for r in
            dashboard.figures[key].rows}


def test_visitor_sees_published_totals_converted_at_dated_ecb_rates(portfolio: Any) -> None:
    dashboard = dashboard_for()
    assert dashboard.initiatives == 4
    assert dashboard.undated == 1
    # 1,000,000 USD + 500,000 EUR x 1.1535 (ECB, 2019-01-10)
    assert dashboard.budget.rounded == Decimal("1576750.00")
    # 300,000 + 200,000 USD + 100,000 EUR x 1.1349 (2019-07-01) + 20,000,000 XOF / 655.957 x 1.1669 (2018-06-01)
    assert dashboard.disbursed.rounded == Decimal("649068.55")
    assert dashboard.disbursed.unconverted == {"XDR": Decimal("1000")}


def test_contributor_also_counts_own_organisations_drafts(portfolio: Any, personas: Any) -> None:
    dashboard = dashboard_for(user=personas.contributor_a)
    assert dashboard.initiatives == 5
    assert dashboard.budget.rounded == Decimal("1577749.00")
    assert dashboard_for(user=personas.contributor_b).initiatives == 4


def test_shares_of_south_south_and_triangular_cooperation(portfolio: Any) -> None:
    dashboard = dashboard_for()
    assert rows(dashboard, "cooperation_type") == {
        "south-south": (2, "1000000.00", "500000.00"),
        "triangular": (1, "576750.00", "113490.00"),
        "": (1, "0.00", "35578.55"),
    }
    assert dashboard.share("south-south") == 0.5
    assert dashboard.share("triangular") == 0.25
    labels = {r.value: r.label for r in dashboard.figures["cooperation_type"].rows}
    assert labels[""] == "Not classified"


def test_modalities_count_each_initiative_under_each_of_its_modalities(portfolio: Any) -> None:
    assert rows(dashboard_for(), "modality") == {
        "training": (2, "1000000.00", "535578.55"),
        "technical-assistance": (1, "1000000.00", "500000.00"),
        "technology-transfer": (1, "576750.00", "113490.00"),
        "knowledge-brokering": (1, "576750.00", "113490.00"),
        "financing": (1, "0.00", "0.00"),
    }


def test_an_initiative_with_two_targets_or_countries_is_counted_once_per_goal_and_commission(portfolio: Any) -> None:
    dashboard = dashboard_for()
    assert rows(dashboard, "sdg_goal") == {
        "2": (2, "1576750.00", "613490.00"),
        "4": (1, "0.00", "35578.55"),
        "": (1, "0.00", "0.00"),
    }
    assert rows(dashboard, "commission") == {
        "ECA": (2, "1000000.00", "500000.00"),
        "ECLAC": (2, "576750.00", "149068.55"),
    }
    assert rows(dashboard, "region") == {
        "002": (2, "1000000.00", "500000.00"),
        "019": (2, "576750.00", "149068.55"),
    }


def test_years_count_initiatives_by_start_and_money_by_transaction_date(portfolio: Any) -> None:
    assert rows(dashboard_for(), "year") == {
        "2018": (1, "0.00", "35578.55"),
        "2019": (2, "1576750.00", "413490.00"),
        "2020": (0, "0.00", "200000.00"),
        "": (1, "0.00", "0.00"),
    }


def test_flows_from_provider_to_recipient_countries(portfolio: Any) -> None:
    flows = rows(dashboard_for(), "flow")
    assert flows == {
        "BRA>SEN": (2, "1000000.00", "500000.00"),
        "BRA>MLI": (1, "1000000.00", "500000.00"),
        "BRA>COL": (1, "576750.00", "113490.00"),
        "MEX>HTI": (1, "0.00", "35578.55"),
    }
    labels = {r.value: r.label for r in dashboard_for().figures["flow"].rows}
    assert labels["BRA>SEN"] == "Brazil → Senegal"


def test_year_keeps_initiatives_active_that_year_and_money_spent_in_it(portfolio: Any) -> None:
    dashboard = dashboard_for("year=2019")
    assert dashboard.initiatives == 3
    assert dashboard.budget.rounded == Decimal("1576750.00")
    assert dashboard.disbursed.rounded == Decimal("413490.00")
    assert dashboard.undated == 1


def test_catalogue_filters_apply_through_the_search_index(portfolio: Any) -> None:
    africa = dashboard_for("region=002")
    assert (africa.initiatives, africa.budget.rounded, africa.disbursed.rounded) == (2, Decimal("1000000.00"),
                                                                                     Decimal("500000.00"))
    eclac_training = dashboard_for("commission=ECLAC&modality=training")
    assert eclac_training.initiatives == 1
    assert eclac_training.figures["provider"].rows[0].label == "AMEXCID"


def test_other_currency_uses_the_same_dated_rates(portfolio: Any) -> None:
    dashboard = dashboard_for("currency=EUR")
    # 1,000,000 USD / 1.1383 (ECB USD rate of 2019-03-01) + 500,000 EUR
    assert dashboard.budget.rounded == Decimal("1378503.03")
    assert DashboardParams.from_query(QueryDict("currency=XYZ&year=20000")) == DashboardParams()


def test_rows_link_to_the_catalogue_search_and_the_narrowed_dashboard(portfolio: Any) -> None:
    row = next(r for r in dashboard_for("year=2019").figures["modality"].rows if r.value == "training")
    assert row.search_url == "/en/search/?type=initiative&modality=training"
    assert row.dashboard_url == "/en/reports/dashboard/?modality=training&year=2019"
    figure = dashboard_for("year=2019").figures["modality"]
    assert figure.query_url == "/en/reports/dashboard/?year=2019#figure-modality"


def test_dashboard_page_json_csv_and_svg(portfolio: Any, client: Any) -> None:
    page = client.get("/en/reports/dashboard/?year=2019")
    assert page.status_code == 200
    assert b'data-testid="total-initiatives">3<' in page.content
    assert b"plotly-4.1.2.min.js" in page.content
    data = client.get("/en/reports/dashboard/?format=json").json()
    assert (data["initiatives"], data["budget"], data["share_triangular"]) == (4, "1576750.00", 0.25)
    assert data["exchange_rates"]["name"].startswith("European Central Bank")
    response = client.get("/en/reports/dashboard/?format=csv&figure=modality")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:6] == ["value", "label", "initiatives", "share_of_initiatives", "budget_USD", "disbursed_USD"]
    assert table[1] == ["training", "Training and capacity building", "2", "0.5000", "1000000.00", "535578.55", "",
                        "1000.00 XDR"]
    svg = client.get("/en/reports/dashboard/?format=svg&figure=flow")
    assert svg["Content-Type"] == "image/svg+xml" and b"Brazil \xe2\x86\x92 Senegal: 2" in svg.content
    assert client.get("/en/reports/dashboard/?format=csv&figure=nonsense").status_code == 404


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar", "zh-hans", "ru"])
def test_dashboard_page_renders_in_six_languages(portfolio: Any, client: Any, lang: str) -> None:
    page = client.get(f"/{lang}/reports/dashboard/")
    assert page.status_code == 200
    assert f'lang="{lang}"'.encode() in page.content
    assert (b'dir="rtl"' in page.content) == (lang == "ar")


@pytest.mark.parametrize("query", ["", "region=002&year=2019"])
def test_every_figure_downloads_as_csv_and_as_an_image_with_its_rows(portfolio: Any, client: Any, query: str) -> None:
    page = client.get(f"/en/reports/dashboard/?{query}").content.decode()
    data = client.get(f"/en/reports/dashboard/?{query}{'&' if query else ''}format=json").json()
    assert set(data["figures"]) == set(DIMENSIONS)
    for key, figure in data["figures"].items():
        links = {}
        for kind in ("csv", "svg"):
            link = f"/en/reports/dashboard/?{query.replace('&', '&amp;')}{'&amp;' if query else ''}" \
                   f"format={kind}&amp;figure={key}"
            assert f'href="{link}"' in page, (key, kind)
            links[kind] = client.get(link.replace("&amp;", "&"))
        assert links["svg"]["Content-Type"] == "image/svg+xml" and links["svg"].content.startswith(b"<svg"), key
        text = b"".join(links["csv"].streaming_content).decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text)))[1:]
        assert [(r[0], int(r[2]), r[5]) for r in table] == [
            (row["value"], row["initiatives"], row["disbursed"]) for row in figure["rows"]], key
        assert f'id="figure-{key}"' in page and figure["query_url"].endswith(f"#figure-{key}")
