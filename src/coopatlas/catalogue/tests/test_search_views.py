"""The search page: full page and htmx partial, links that work without JavaScript, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coopatlas.catalogue.search_views import spreadsheet_safe
from coopatlas.core.tests.test_search_service import Catalogue, catalogue_fixture, key  # noqa: F401 - fixture

URL = "/en/search/"


def test_the_search_url_is_language_prefixed() -> None:
    assert reverse("catalogue:search") == URL


def test_the_full_page_has_the_form_results_and_facet_links(catalogue: Catalogue) -> None:
    response = catalogue.personas.client_for("anonymous").get(URL, {"q": "water"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<form id="search-form"' in html and 'method="get"' in html
    assert "<!DOCTYPE html>" in html
    assert "4 records found" in html
    assert 'href="?q=water&amp;country=SEN"' in html  # a plain link: works without JavaScript
    assert "Solar <mark>water</mark> pumps for rural schools" in html
    assert f'href="/en/solutions/{catalogue.pumps.pk}/"' in html
    assert "Secret draft water plan" not in html


def test_htmx_requests_get_only_the_results_partial(catalogue: Catalogue) -> None:
    client = catalogue.personas.client_for("anonymous")
    response = client.get(URL, {"q": "water", "country": "SEN"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<!DOCTYPE html>" not in html and '<form id="search-form"' not in html
    assert "3 records found" in html
    assert '<input type="hidden" form="search-form" name="country" value="SEN">' in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_whole_page(catalogue: Catalogue) -> None:
    client = catalogue.personas.client_for("anonymous")
    response = client.get(URL, {"q": "water"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<!DOCTYPE html>" in response.content.decode()


@pytest.mark.parametrize("lang", ["fr", "es", "ar", "zh-hans", "ru"])
def test_the_page_and_its_facets_are_translated(catalogue: Catalogue, lang: str) -> None:
    from django.utils import translation

    response = catalogue.personas.client_for("anonymous").get(f"/{lang}/search/", {"q": "water"})
    html = response.content.decode()
    with translation.override(lang):
        heading, facet = translation.gettext("Search the catalogue"), translation.gettext("Record type")
    assert response.status_code == 200
    assert heading != "Search the catalogue" and heading in html
    assert facet != "Record type" and facet in html


def test_drafts_show_for_their_organisation_with_a_status_badge(catalogue: Catalogue) -> None:
    html = catalogue.personas.client_for("contributor_b").get(URL, {"q": "secret"}).content.decode()
    assert "Secret draft <mark>water</mark> plan" not in html  # the word searched was "secret"
    assert "<mark>Secret</mark> draft water plan" in html
    assert '<span class="badge draft">Draft</span>' in html
    assert "Secret" not in catalogue.personas.client_for("contributor_a").get(URL, {"q": "secret"}).content.decode()


@pytest.mark.parametrize("hostile", ['"', "NEAR(", "title:x", "'); DROP TABLE x; --", "*", "x" * 10_000])
def test_hostile_queries_answer_200(catalogue: Catalogue, hostile: str) -> None:
    client = catalogue.personas.client_for("anonymous")
    for params in ({"q": hostile}, {"q": hostile, "format": "json"}, {"country": hostile, "page": hostile}):
        assert client.get(URL, params).status_code == 200


def test_an_empty_result_says_what_to_do(catalogue: Catalogue) -> None:
    html = catalogue.personas.client_for("anonymous").get(URL, {"q": "zzzz"}).content.decode()
    assert "0 records found" in html
    assert "Try fewer words, or remove a filter." in html


def test_json_export_is_the_same_result_as_the_page(catalogue: Catalogue) -> None:
    response = catalogue.personas.client_for("anonymous").get(URL, {"q": "water", "type": "solution", "format": "json"})
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert (data["q"], data["total"], data["page"], data["pages"], data["filters"]) == (
        "water",
        2,
        1,
        1,
        {"type": ["solution"]},
    )
    assert {(h["type"], h["id"]) for h in data["hits"]} == {key(catalogue.pumps), key(catalogue.feeding)}
    pumps = next(h for h in data["hits"] if h["id"] == catalogue.pumps.pk)
    assert pumps["title_html"] == "Solar <mark>water</mark> pumps for rural schools"
    assert pumps["url"] == f"/en/solutions/{catalogue.pumps.pk}/"
    facet_type = next(f for f in data["facets"] if f["name"] == "type")
    assert facet_type["results"][0] == {
        "value": "solution",
        "label": "Solution",
        "count": 2,
        "selected": True,
        "toggle_url": "?q=water",
    }


def test_csv_export_streams_every_matching_row_not_just_the_page(catalogue: Catalogue) -> None:
    response = catalogue.personas.client_for("anonymous").get(URL, {"q": "water", "page_size": "1", "format": "csv"})
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="coopatlas-search-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 4
    by_title = {row["title"]: row for row in rows}
    assert by_title["Solar water pumps for rural schools"] == {
        "type": "solution",
        "id": str(catalogue.pumps.pk),
        "title": "Solar water pumps for rural schools",
        "language": "en",
        "workflow_status": "published",
        "updated_at": catalogue.pumps.updated_at.isoformat(),
        "url": f"/en/solutions/{catalogue.pumps.pk}/",
        "country": "BRA; SEN",
        "sdg_goal": "6; 7",
        "sdg_target": "6.1; 7.1",
        "sector": "14030",
        "modality": "technology-transfer",
        "status": "solution.ongoing",
    }
    assert rows[-1]["title"] == "Alimentation scolaire avec des produits locaux"  # same order as the page


def test_csv_export_respects_visibility(catalogue: Catalogue) -> None:
    def titles(persona: str) -> set[str]:
        response = catalogue.personas.client_for(persona).get(URL, {"q": "water", "format": "csv"})
        return {row["title"] for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}

    assert "Secret draft water plan" not in titles("anonymous")
    assert "Secret draft water plan" in titles("contributor_b")


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert spreadsheet_safe("-1+2") == "'-1+2"
    assert spreadsheet_safe("Water") == "Water"


def test_the_search_page_costs_the_same_queries_whatever_the_page_size(catalogue: Catalogue) -> None:
    client = catalogue.personas.client_for("contributor_a")
    counts = []
    for page_size in (1, 3, 100):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"q": "water", "page_size": page_size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


def test_facet_values_beyond_the_first_ten_are_one_click_away(personas: Any) -> None:
    from coopatlas.catalogue.models import Solution
    from coopatlas.core.models import WorkflowStatus
    from coopatlas.core.tests.test_search_service import create

    countries = ["ARG", "BOL", "BRA", "CHL", "COL", "ECU", "GUY", "PRY", "PER", "SUR", "URY", "VEN"]
    create(
        Solution(owner=personas.org_a, title="Andean water", summary="s", workflow_status=WorkflowStatus.PUBLISHED),
        personas.contributor_a,
        countries_applied=countries,
    )
    data = json.loads(personas.client_for("anonymous").get(URL, {"q": "water", "format": "json"}).content)
    country = next(f for f in data["facets"] if f["name"] == "country")
    assert (len(country["results"]), country["truncated"], country["more_url"]) == (10, True, "?q=water&expand=country")
    data = json.loads(personas.client_for("anonymous").get(URL + country["more_url"] + "&format=json").content)
    country = next(f for f in data["facets"] if f["name"] == "country")
    assert (len(country["results"]), country["truncated"]) == (12, False)
