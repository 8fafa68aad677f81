"""The results pages: every language renders, query counts stay flat as frameworks grow, forms work without JS."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coopatlas.results import services
from coopatlas.results.tests.conftest import make_initiative, report

pytestmark = pytest.mark.django_db


def _grow(personas, initiative, indicators: int) -> None:
    user = personas.contributor_a
    result = services.save_result(initiative, user, {"result_type": "1", "title": "Outputs"})
    for n in range(indicators):
        indicator = services.save_indicator(
            result, user, {"title": f"Indicator {n}", "measure": "1", "unit": "people", "baseline_value": Decimal(0)}
        )
        period = services.save_period(
            indicator,
            user,
            {
                "period_start": datetime.date(2024, 1, 1),
                "period_end": datetime.date(2024, 12, 31),
                "target_value": Decimal(10),
            },
        )
        services.submit_update(report(personas, period, value="5"), user)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_framework_page_costs_the_same_queries_for_one_or_four_indicators(personas):
    small, large = make_initiative(personas), make_initiative(personas)
    _grow(personas, small, 1)
    _grow(personas, large, 4)
    client = personas.client_for("moderator")
    assert _count(client, reverse("results:initiative", args=[small.pk])) == _count(
        client, reverse("results:initiative", args=[large.pk])
    )


def test_the_overview_costs_the_same_queries_for_one_or_three_initiatives(personas):
    client = personas.client_for("moderator")
    _grow(personas, make_initiative(personas), 2)
    one = _count(client, reverse("results:overview"))
    for _ in range(2):
        _grow(personas, make_initiative(personas), 2)
    assert _count(client, reverse("results:overview")) == one


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar", "zh-hans", "ru"])
def test_pages_render_in_the_six_languages(personas, framework, lang):
    report(personas, framework["period"])
    client = personas.client_for("contributor_a")
    with translation.override(lang):
        urls = [
            reverse("results:overview"),
            reverse("results:initiative", args=[framework["initiative"].pk]),
            reverse("initiatives:initiative-detail", args=[framework["initiative"].pk]),
            reverse("results:update-create", args=[framework["initiative"].pk, framework["period"].pk]),
            reverse("results:indicator-edit", args=[framework["initiative"].pk, framework["indicator"].pk]),
        ]
    for url in urls:
        assert url.startswith(f"/{lang}/")
        response = client.get(url)
        # The period already has an open update: the report form still renders (it is refused on save).
        assert response.status_code == 200, url


def test_forms_post_without_javascript_and_carry_csrf(personas, framework):
    client = personas.client_for("contributor_a")
    page = client.get(reverse("results:update-create", args=[framework["initiative"].pk, framework["period"].pk]))
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert 'value="people"' in html  # the unit field starts with the indicator's unit
