"""API lists filter, count and page exactly like the search page, for the records the caller may see."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from coopatlas.api.tests.conftest import make_need, make_solution
from coopatlas.core.models import WorkflowStatus
from coopatlas.core.search.indexing import index_record

PUBLISHED = WorkflowStatus.PUBLISHED


@pytest.fixture
def needs(personas):
    """Two published needs (Brazil, Senegal), a draft of B, and a solution that must never be listed."""
    brazil = make_need(personas.org_a, personas.contributor_a, title="Drinking water in the sertão", country="BRA",
                       status=PUBLISHED)
    brazil.sdg_targets.set(["6.1"])
    senegal = make_need(personas.org_b, personas.contributor_b, title="Semences de riz résistantes", country="SEN",
                        status=PUBLISHED, language="fr", description="Des semences pour la saison des pluies.")
    senegal.sdg_targets.set(["2.1"])
    # Re-index after setting relations outside the service (the UI sets them inside, through save_m2m).
    index_record(brazil)
    index_record(senegal)
    draft = make_need(personas.org_b, personas.contributor_b, title="Draft water plan of B")
    make_solution(personas.org_a, personas.contributor_a, title="Water solution", status=PUBLISHED)
    return {"brazil": brazil, "senegal": senegal, "draft": draft}


def titles(response):
    assert response.status == 200, response.body
    return [record["title"] for record in response.body["results"]]


def test_a_country_filter_keeps_the_records_of_that_country(api, needs):
    assert titles(api("anonymous").get("needs", country="SEN")) == ["Semences de riz résistantes"]


def test_values_of_one_filter_combine_with_or(api, needs):
    response = api("anonymous").get("needs?country=SEN&country=BRA")
    assert sorted(titles(response)) == ["Drinking water in the sertão", "Semences de riz résistantes"]


def test_filters_on_sdg_target_and_language(api, needs):
    assert titles(api("anonymous").get("needs", sdg_target="6.1")) == ["Drinking water in the sertão"]
    assert titles(api("anonymous").get("needs", language="fr")) == ["Semences de riz résistantes"]
    assert titles(api("anonymous").get("needs", sdg_goal="2")) == ["Semences de riz résistantes"]
    assert titles(api("anonymous").get("needs", region="019")) == ["Drinking water in the sertão"]


def test_text_search_stays_within_the_type_and_the_callers_visibility(api, needs):
    assert titles(api("anonymous").get("needs", q="water")) == ["Drinking water in the sertão"]
    assert sorted(titles(api("contributor_b").get("needs", q="water"))) == [
        "Draft water plan of B", "Drinking water in the sertão",
    ]


def test_the_list_returns_the_search_services_facets(api, needs):
    body = api("anonymous").get("needs", country="SEN").body
    names = [facet["name"] for facet in body["facets"]]
    assert "type" not in names
    assert "workflow_status" not in names  # anonymous visitors see published records only
    country = next(facet for facet in body["facets"] if facet["name"] == "country")
    assert country == {
        "name": "country",
        "label": "Country",
        "results": [
            {"value": "SEN", "label": "Senegal", "count": 1, "selected": True, "toggle_url": "?type=need"},
            {"value": "BRA", "label": "Brazil", "count": 1, "selected": False,
             "toggle_url": "?type=need&country=SEN&country=BRA"},
        ],
        "truncated": False,
        "more_url": None,
        "estimated": False,
        "timed_out": False,
    }


def test_signed_in_callers_get_the_workflow_facet(api, needs):
    body = api("contributor_b").get("needs").body
    workflow = next(facet for facet in body["facets"] if facet["name"] == "workflow_status")
    assert {(v["value"], v["count"]) for v in workflow["results"]} == {("published", 2), ("draft", 1)}


def test_pages_split_the_result(api, needs):
    first = api("anonymous").get("needs", page_size=1)
    second = api("anonymous").get("needs", page_size=1, page=2)
    assert first.body["count"] == second.body["count"] == 2
    assert (first.body["page"], first.body["page_size"], second.body["page"]) == (1, 1, 2)
    assert titles(first) != titles(second)
    assert len(titles(first)) == len(titles(second)) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page": 0}, "page"), ({"page": "two"}, "page"), ({"page_size": 101}, "page_size"),
     ({"page_size": 0}, "page_size"), ({"sort": "alphabetical"}, "sort")],
)
def test_bad_paging_values_are_refused_with_a_field_message(api, needs, params, field):
    response = api("anonymous").get("needs", **params)
    assert response.status == 422
    assert list(response.body["errors"]) == [field]


def test_search_endpoint_returns_the_search_pages_json_export(api, needs, personas):
    query = "q=water&page_size=5&sdg_goal=6"
    from_api = api("anonymous").get(f"search?{query}")
    export = Client().get(f"/en/search/?{query}&format=json")
    assert from_api.status == 200
    assert from_api.body == json.loads(export.content)
    assert [(hit["type"], hit["title"]) for hit in from_api.body["hits"]] == [
        ("need", "Drinking water in the sertão"),
    ]


def test_search_endpoint_shows_a_token_caller_their_drafts(api, needs):
    hits = api("contributor_b").get("search", q="draft").body["hits"]
    assert [hit["title"] for hit in hits] == ["Draft water plan of B"]
    assert api("anonymous").get("search", q="draft").body["hits"] == []
