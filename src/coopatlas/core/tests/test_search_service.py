"""The search service on a small known catalogue: ranking, highlights, facets, filters, paging,
visibility per persona, hostile input and a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from coopatlas.catalogue.models import Need, Solution
from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus
from coopatlas.core.search import sql
from coopatlas.core.search.service import SearchParams, SearchResult, search
from coopatlas.core.search.sql import time_limit
from coopatlas.initiatives.models import Initiative

PUBLISHED = WorkflowStatus.PUBLISHED


def create(record: Any, user: Any, **relations: list[str]) -> Any:
    """Create ``record`` through the record service, setting its many-to-many ``relations``."""

    def save_m2m() -> None:
        for name, values in relations.items():
            getattr(record, name).set(values)

    return services.create_record(record, user, save_m2m=save_m2m)


@dataclass
class Catalogue:
    """Seven records whose facets the tests below know by heart."""

    personas: Any
    pumps: Solution
    feeding: Solution
    village_need: Need
    draft_need: Need
    lab: Initiative
    deleted: Solution
    chinese: Solution


@pytest.fixture(name="catalogue")
def catalogue_fixture(personas: Any) -> Catalogue:
    """Published, draft and deleted records of organisations A and B, in four languages."""
    p = personas
    pumps = create(
        Solution(
            owner=p.org_a,
            title="Solar water pumps for rural schools",
            language="en",
            workflow_status=PUBLISHED,
            summary="Solar powered pumps bring drinking water to schools.",
        ),
        p.contributor_a,
        countries_applied=["BRA", "SEN"],
        sdg_targets=["6.1", "7.1"],
        sectors=["14030"],
        modalities=["technology-transfer"],
    )
    feeding = create(
        Solution(
            owner=p.org_b,
            title="Alimentation scolaire avec des produits locaux",
            language="fr",
            workflow_status=PUBLISHED,
            summary="Achats auprès des agriculteurs familiaux ; la cantine a aussi de la water potable.",
        ),
        p.contributor_b,
        countries_applied=["SEN"],
        sdg_targets=["2.1"],
        sectors=["31120"],
        modalities=["training"],
    )
    village_need = create(
        Need(
            owner=p.org_b,
            title="Drinking water for villages",
            language="en",
            workflow_status=PUBLISHED,
            description="Safe drinking water for rural villages.",
            country_id="SEN",
        ),
        p.contributor_b,
        sdg_targets=["6.1"],
        sectors=["14030"],
    )
    draft_need = create(
        Need(owner=p.org_b, title="Secret draft water plan", language="en", description="Not ready.", country_id="SEN"),
        p.contributor_b,
    )
    lab = create(
        Initiative(
            owner=p.org_a,
            title="Red de laboratorios de calidad del water",
            language="es",
            workflow_status=PUBLISHED,
            description="Laboratorios para vigilar la calidad del agua.",
        ),
        p.contributor_a,
        recipient_countries=["BOL"],
        sdg_targets=["6.3"],
        sectors=["14015"],
        modalities=["training"],
    )
    deleted = create(
        Solution(owner=p.org_a, title="Deleted water idea", language="en", workflow_status=PUBLISHED, summary="Gone."),
        p.contributor_a,
        countries_applied=["BRA"],
    )
    deleted = services.soft_delete(deleted, p.contributor_a)
    chinese = create(
        Solution(
            owner=p.org_a, title="饮用水安全项目", language="zh-hans", workflow_status=PUBLISHED, summary="农村饮用水。"
        ),
        p.contributor_a,
        countries_applied=["CHN"],
    )
    return Catalogue(p, pumps, feeding, village_need, draft_need, lab, deleted, chinese)


def run(query: str, user: Any = None, **kwargs: Any) -> SearchResult:
    return search(SearchParams.from_query(QueryDict(query)), user or AnonymousUser(), **kwargs)


def ids(result: SearchResult) -> set[tuple[str, int]]:
    return {(hit.record_type, hit.object_id) for hit in result.hits}


def key(record: Any) -> tuple[str, int]:
    return (record.RECORD_TYPE, record.pk)


def counts(result: SearchResult) -> dict[str, dict[str, int]]:
    return {f["name"]: {r["value"]: r["count"] for r in f["results"]} for f in result.facets}


def test_anonymous_visitors_find_published_records_only(catalogue: Catalogue) -> None:
    result = run("q=water")
    assert result.total == 4
    assert ids(result) == {
        key(catalogue.pumps),
        key(catalogue.feeding),
        key(catalogue.village_need),
        key(catalogue.lab),
    }


@pytest.mark.parametrize(
    ("persona", "sees_draft"),
    [("contributor_a", False), ("contributor_b", True), ("moderator", True), ("administrator", True)],
)
def test_drafts_are_visible_to_their_organisation_and_moderators_only(
    catalogue: Catalogue, persona: str, sees_draft: bool
) -> None:
    result = run("q=water", getattr(catalogue.personas, persona))
    assert (key(catalogue.draft_need) in ids(result)) is sees_draft
    assert key(catalogue.deleted) not in ids(result)
    assert result.total == 4 + sees_draft


def test_browsing_without_a_query_lists_visible_records_newest_first(catalogue: Catalogue) -> None:
    result = run("")
    assert result.sort == "recent"
    assert result.total == 5
    assert [hit.object_id for hit in result.hits][0] == catalogue.chinese.pk
    assert key(catalogue.draft_need) not in ids(result)


def test_title_matches_rank_above_body_matches(catalogue: Catalogue) -> None:
    result = run("q=water")
    assert result.sort == "relevance"
    assert (result.hits[-1].record_type, result.hits[-1].object_id) == key(catalogue.feeding)


def test_matches_are_highlighted_in_titles_and_snippets(catalogue: Catalogue) -> None:
    hits = {(h.record_type, h.object_id): h for h in run("q=water").hits}
    assert hits[key(catalogue.pumps)].title_html == "Solar <mark>water</mark> pumps for rural schools"
    assert "<mark>water</mark> potable" in hits[key(catalogue.feeding)].snippet_html


def test_record_text_is_escaped_before_highlighting(personas: Any) -> None:
    create(
        Solution(
            owner=personas.org_a,
            title="<script>alert('water')</script>",
            language="en",
            workflow_status=PUBLISHED,
            summary="<img src=x onerror=alert(1)> water",
        ),
        personas.contributor_a,
    )
    hit = run("q=water").hits[0]
    assert hit.title_html == "&lt;script&gt;alert(&#x27;<mark>water</mark>&#x27;)&lt;/script&gt;"
    # PostgreSQL's ts_headline may start the passage after the "<"; either way nothing is markup.
    assert hit.snippet_html.endswith("img src=x onerror=alert(1)&gt; <mark>water</mark>")
    assert "<img" not in hit.snippet_html


def test_accents_and_case_are_ignored(catalogue: Catalogue) -> None:
    assert ids(run("q=AUPRES agriculteurs")) == {key(catalogue.feeding)}


def test_a_chinese_character_finds_the_words_that_contain_it(catalogue: Catalogue) -> None:
    result = run("q=水")
    assert ids(result) == {key(catalogue.chinese)}
    assert result.hits[0].title_html == "饮用<mark>水</mark>安全项目"
    assert ids(run("q=饮用水")) == {key(catalogue.chinese)}
    assert ids(run("q=水饮")) == set()


def test_quoted_words_must_follow_each_other(catalogue: Catalogue) -> None:
    assert ids(run('q="drinking water"')) == {key(catalogue.pumps), key(catalogue.village_need)}
    assert ids(run('q="water drinking"')) == set()


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "*",
        "NEAR(",
        "NEAR(water, 2)",
        "title:x",
        "search_title:water",
        "'); DROP TABLE core_searchentry; --",
        "water OR",
        "(",
        ")",
        "^water",
        "water*",
        "-water",
        "x" * 10_000,
        "",
        "\x00",
        "&&",
        "!!",
        ":*",
        "\\",
    ],
)
def test_hostile_input_gives_a_clear_result_never_an_error(catalogue: Catalogue, hostile: str) -> None:
    result = search(SearchParams(q=hostile), AnonymousUser())
    assert result.total >= 0
    assert isinstance(result.facets, list)


def test_operators_in_the_input_are_searched_as_words(catalogue: Catalogue) -> None:
    assert ids(run("q=water OR nothing")) == set()  # OR is a word that no record contains
    assert ids(run("q=NEAR(water")) == set()


def test_facet_counts_cover_the_whole_result(catalogue: Catalogue) -> None:
    assert counts(run("q=water")) == {
        "type": {"solution": 2, "need": 1, "initiative": 1},
        "country": {"SEN": 3, "BRA": 1, "BOL": 1},
        "region": {"002": 3, "019": 2},
        "subregion": {"202": 3, "419": 2},
        "commission": {"ECA": 3, "ECLAC": 2},
        "country_group": {"LDC": 3, "LLDC": 1},
        "income_group": {"LM": 4, "UM": 1},
        "sdg_goal": {"6": 3, "7": 1, "2": 1},
        "sdg_target": {"6.1": 2, "7.1": 1, "2.1": 1, "6.3": 1},
        "sector": {"14030": 2, "31120": 1, "14015": 1},
        "sector_category": {"140": 3, "311": 1},
        "modality": {"training": 2, "technology-transfer": 1},
        "language": {"en": 2, "fr": 1, "es": 1},
        "status": {"solution.ongoing": 2, "need.open": 1, "initiative.2": 1},
        "cooperation_type": {},
        "stale": {"no": 4},
    }


def test_a_facet_is_plain_data_with_labels_counts_and_toggle_links(catalogue: Catalogue) -> None:
    facets = {f["name"]: f for f in run("q=water").facets}
    assert facets["type"] == {
        "name": "type",
        "label": "Record type",
        "results": [
            {
                "value": "solution",
                "label": "Solution",
                "count": 2,
                "selected": False,
                "toggle_url": "?q=water&type=solution",
            },
            {
                "value": "initiative",
                "label": "Initiative",
                "count": 1,
                "selected": False,
                "toggle_url": "?q=water&type=initiative",
            },
            {"value": "need", "label": "Need", "count": 1, "selected": False, "toggle_url": "?q=water&type=need"},
        ],
        "truncated": False,
        "more_url": None,
        "estimated": False,
        "timed_out": False,
    }
    assert [(r["label"], r["count"]) for r in facets["country"]["results"]] == [
        ("Senegal", 3),
        ("Bolivia (Plurinational State of)", 1),
        ("Brazil", 1),
    ]
    assert facets["sdg_goal"]["results"][0]["label"] == "6. Clean water and sanitation"
    assert facets["commission"]["results"][0]["label"] == "ECA"
    assert facets["country_group"]["results"][1]["label"] == "Landlocked developing countries (LLDC)"
    assert facets["status"]["results"][0]["label"] == "Solution: Ongoing"
    assert facets["sector"]["results"][0]["label"] == "14030 Basic drinking water supply and basic sanitation"


def test_facet_labels_follow_the_active_language(catalogue: Catalogue) -> None:
    from django.utils import translation

    from coopatlas.geo.models import Country

    with translation.override("fr"):
        facets = {f["name"]: f for f in run("q=water").facets}
        senegal = Country.objects.get(code="SEN").name
    assert senegal.startswith("Sénégal")
    assert facets["country"]["results"][0]["label"] == senegal
    assert facets["type"]["results"][0]["label"] == "Solution"


def test_values_of_one_facet_combine_with_or_and_facets_with_and(catalogue: Catalogue) -> None:
    assert run("q=water&country=SEN").total == 3
    assert run("q=water&country=SEN&country=BOL").total == 4
    assert run("q=water&country=SEN&type=solution").total == 2
    assert run("q=water&sdg_goal=6&country_group=LLDC").total == 1


def test_a_selected_facet_still_counts_its_other_values(catalogue: Catalogue) -> None:
    result = run("q=water&country=SEN")
    country = next(f for f in result.facets if f["name"] == "country")
    assert [(r["value"], r["count"], r["selected"]) for r in country["results"]] == [
        ("SEN", 3, True),
        ("BOL", 1, False),
        ("BRA", 1, False),
    ]
    assert country["results"][0]["toggle_url"] == "?q=water"
    assert country["results"][1]["toggle_url"] == "?q=water&country=SEN&country=BOL"
    assert counts(result)["type"] == {"solution": 2, "need": 1}


def test_the_workflow_facet_is_shown_to_signed_in_users_only(catalogue: Catalogue) -> None:
    assert "workflow_status" not in counts(run("q=water"))
    assert counts(run("q=water", catalogue.personas.moderator))["workflow_status"] == {"published": 4, "draft": 1}
    assert run("q=water&workflow_status=draft", catalogue.personas.contributor_b).total == 1


def test_paging_walks_through_every_hit_once(catalogue: Catalogue) -> None:
    seen = []
    result = run("q=water&page_size=1")
    assert result.pages == 4
    while True:
        seen += [key_ for key_ in ids(result)]
        if not result.next_url:
            break
        result = run(result.next_url[1:])
    assert len(seen) == len(set(seen)) == 4
    assert result.previous_url == "?q=water&page_size=1&page=3"


@pytest.mark.parametrize(
    ("query", "page", "page_size", "sort"),
    [("page=abc&page_size=-4&sort=evil", 1, 1, ""), ("page_size=1000", 1, 100, ""), ("page=99999", 10000, 20, "")],
)
def test_bad_paging_parameters_fall_back_to_sensible_values(query: str, page: int, page_size: int, sort: str) -> None:
    params = SearchParams.from_query(QueryDict(query))
    assert (params.page, params.page_size, params.sort) == (min(page, 10_000 // params.page_size), page_size, sort)


@pytest.mark.parametrize("persona", ["anonymous", "contributor_a", "moderator"])
def test_a_page_costs_the_same_queries_whatever_its_size(catalogue: Catalogue, persona: str) -> None:
    user = AnonymousUser() if persona == "anonymous" else getattr(catalogue.personas, persona)
    sizes = []
    for page_size in (1, 2, 50):
        user.__dict__.pop("_organisation_ids", None)
        with CaptureQueriesContext(connection) as queries:
            result = run(f"q=water&page_size={page_size}", user)
        assert len(result.hits) == min(page_size, result.total)
        sizes.append(len(queries))
    assert sizes[0] == sizes[1] == sizes[2]
    assert sizes[0] <= 16  # page, snippets, facet counts, labels (+ memberships, statement timeout)


def test_facet_counts_of_a_large_result_are_estimated_from_a_sample(catalogue: Catalogue, settings: Any) -> None:
    from collections import Counter

    from coopatlas.core.models import SearchEntry

    settings.SEARCH_FACET_SAMPLE_SIZE = 2
    result = run("q=water")
    assert result.total == 4
    assert all(f["estimated"] for f in result.facets if f["name"] not in sql.COMPUTED_FACETS and f["results"])
    # 4 matches, 2 wanted: k = 2, the matches with an even entry id are counted, counts scaled by 4/sampled.
    hits = SearchEntry.objects.filter(
        record_type__in=["solution", "need", "initiative"], object_id__in=[pk for _type, pk in ids(result)]
    )
    sampled = [
        entry.record_type for entry in hits if (entry.record_type, entry.object_id) in ids(result) and entry.pk % 2 == 0
    ]
    expected = {t: round(n * 4 / len(sampled)) for t, n in Counter(sampled).items()} if sampled else {}
    assert counts(result)["type"] == expected
    assert not any(f["estimated"] for f in run("q=water&type=need").facets if f["name"] != "type")


def test_time_limit_interrupts_a_slow_statement(db: Any) -> None:
    slow = {
        "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n",
        "postgresql": "SELECT pg_sleep(5)",
    }[connection.vendor]
    with pytest.raises(OperationalError), time_limit(50) as expired, connection.cursor() as cursor:
        cursor.execute(slow)
    assert expired()


def test_facets_that_take_too_long_are_reported_and_the_total_still_counted(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.SEARCH_FACET_TIME_LIMIT_MS = 0
    expected = [hit.title_html for hit in run("q=water&page_size=2").hits]

    def too_slow(*args: Any) -> Any:
        raise OperationalError("interrupted")

    monkeypatch.setattr(sql, "page_and_counts", too_slow)
    result = run("q=water&page_size=2")
    assert result.facets_timed_out
    assert result.total == 4
    assert [hit.title_html for hit in result.hits] == expected
    assert all(f["timed_out"] and not f["results"] for f in result.facets)


# --- cooperation type and stale facets -------------------------------------------------------------


def test_the_cooperation_type_facet_counts_filters_and_follows_reclassification(catalogue: Catalogue) -> None:
    from coopatlas.core.search.indexing import index_record

    p = catalogue.personas
    triangular = create(
        Initiative(
            owner=p.org_a,
            title="Triangular water training",
            language="en",
            workflow_status=PUBLISHED,
            description="Water utilities train each other.",
            cooperation_type=Initiative.CooperationType.TRIANGULAR,
        ),
        p.contributor_a,
    )
    result = run("q=water")
    assert counts(result)["cooperation_type"] == {"triangular": 1}
    facet = next(f for f in result.facets if f["name"] == "cooperation_type")
    assert facet["results"][0]["label"] == "Triangular"
    assert ids(run("q=water&cooperation_type=triangular")) == {key(triangular)}
    assert ids(run("q=water&cooperation_type=south-south")) == set()
    # The IATI classifier writes the field in bulk and refreshes the index (iati.importer.upsert.refresh_derived).
    Initiative.objects.filter(pk=catalogue.lab.pk).update(cooperation_type=Initiative.CooperationType.SOUTH_SOUTH)
    index_record(Initiative.objects.get(pk=catalogue.lab.pk))
    result = run("q=water&cooperation_type=south-south")
    assert ids(result) == {key(catalogue.lab)}
    # Disjunctive: the selected facet still counts its other values.
    assert counts(result)["cooperation_type"] == {"south-south": 1, "triangular": 1}


def age(record: Any, days: int) -> None:
    """Make ``record`` look last updated ``days`` ago, in the record and its index entry."""
    from datetime import timedelta

    from django.utils import timezone

    from coopatlas.core.search.indexing import index_record

    type(record).objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(days=days))
    index_record(type(record).objects.get(pk=record.pk))


def test_the_stale_facet_counts_and_filters_by_the_last_update(catalogue: Catalogue, settings: Any) -> None:
    settings.COOPATLAS_STALE_AFTER_DAYS = 365
    age(catalogue.pumps, 400)
    result = run("q=water")
    assert counts(result)["stale"] == {"yes": 1, "no": 3}
    facet = next(f for f in result.facets if f["name"] == "stale")
    assert {r["value"]: r["label"] for r in facet["results"]} == {
        "yes": "Not updated for over 365 days",
        "no": "Updated within 365 days",
    }
    assert not facet["estimated"]
    stale = run("q=water&stale=yes")
    assert ids(stale) == {key(catalogue.pumps)}
    assert [hit.stale for hit in stale.hits] == [True]
    assert stale.to_dict()["hits"][0]["stale"] is True
    assert counts(stale)["stale"] == {"yes": 1, "no": 3}  # its own selection ignored
    assert key(catalogue.pumps) not in ids(run("q=water&stale=no"))
    assert len(run("q=water&stale=no").hits) == 3
    assert ids(run("q=water&stale=yes&stale=no")) == ids(run("q=water"))
    assert ids(run("q=water&stale=maybe")) == set()
    # Browsing (no text) filters the same way.
    assert ids(run("stale=yes")) == {key(catalogue.pumps)}


def test_stale_is_computed_when_searching_so_it_never_goes_out_of_date(catalogue: Catalogue, settings: Any) -> None:
    """Nothing is reindexed between these searches: only the cutoff (now - N days) moves."""
    age(catalogue.pumps, 100)
    settings.COOPATLAS_STALE_AFTER_DAYS = 365
    assert ids(run("q=water&stale=yes")) == set()
    settings.COOPATLAS_STALE_AFTER_DAYS = 99  # as if 266 more days had passed
    assert ids(run("q=water&stale=yes")) == {key(catalogue.pumps)}
    assert counts(run("q=water"))["stale"] == {"yes": 1, "no": 3}


def test_the_stale_cutoff_is_the_one_the_reminders_use(settings: Any) -> None:
    from datetime import UTC, datetime

    from coopatlas.core.search.facets import stale_cutoff
    from coopatlas.reports import stale

    now = datetime(2026, 3, 1, tzinfo=UTC)
    for days in (30, 365):
        settings.COOPATLAS_STALE_AFTER_DAYS = days
        assert stale_cutoff(now) == stale.stale_cutoff(now)


def test_stale_hits_carry_a_badge_on_the_search_page(catalogue: Catalogue, client: Any) -> None:
    age(catalogue.pumps, 800)
    html = client.get("/en/search/", {"q": "water"}).content.decode()
    assert html.count('data-testid="stale-badge"') == 1
    assert 'data-testid="facet-stale"' in html
    fresh = client.get("/en/search/", {"q": "water", "stale": "no"}).content.decode()
    assert 'data-testid="stale-badge"' not in fresh


def test_a_few_facets_are_counted_like_all_of_them(catalogue: Catalogue) -> None:
    """Up to ``SEEK_FACETS`` facets take the per-(entry, facet) index seek; the counts must not change."""
    everything = counts(run("q=water"))
    few = ["type", "country", "sdg_goal", "stale"]
    assert len(few) <= sql.SEEK_FACETS
    assert counts(run("q=water", facets=few)) == {name: everything[name] for name in few}
    assert counts(run("q=water&country=SEN", facets=few)) == {
        name: counts(run("q=water&country=SEN"))[name] for name in few
    }
