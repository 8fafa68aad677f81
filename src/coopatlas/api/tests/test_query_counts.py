"""API lists run a fixed number of SQL queries whatever the page size (NetBox keeps such baselines)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from coopatlas.catalogue.models import Expert, Need, Organisation, Partnership, Solution
from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus
from coopatlas.initiatives.models import Initiative

PUBLISHED = WorkflowStatus.PUBLISHED
RECORDS = 12
#: Queries of an anonymous list on SQLite: the search service's page of hits (1), total and facet
#: counts (1) and facet labels (one per labelled facet with values: 4 to 8 here), then the page's
#: records (1) and one per many-to-many relation shown (0 to 8).
BASELINE = {"organisations": 7, "solutions": 18, "needs": 14, "experts": 13, "partnerships": 16, "initiatives": 19}
#: A token caller adds the token lookup, its last-used stamp and the caller's memberships.
TOKEN_QUERIES = 3
#: PostgreSQL bounds the facet counts with a statement timeout: a savepoint, two set_config, a release.
TIME_LIMIT_QUERIES = {"postgresql": 4}


def _create(record: Any, user: Any, **relations: list[Any]) -> Any:
    def save_m2m() -> None:
        for name, values in relations.items():
            getattr(record, name).set(values)

    return services.create_record(record, user, save_m2m=save_m2m)


def _builders(p: Any) -> dict[str, Callable[[int], Any]]:
    """One builder per record type, giving every many-to-many relation values (so prefetches matter)."""
    a, b, user = p.org_a, p.org_b, p.contributor_a
    countries = ["BRA", "SEN"]
    return {
        "organisations": lambda i: _create(
            Organisation(name=f"Agency {i}", country_id="MOZ", workflow_status=PUBLISHED, roles=["provider"]), user),
        "solutions": lambda i: _create(
            Solution(owner=a, provider=a, title=f"Solution {i}", summary="S", workflow_status=PUBLISHED), user,
            countries_applied=countries, countries_replicated=["MOZ"], sdg_goals=["2"], sdg_targets=["2.1"],
            sectors=["31120"], modalities=["training"], partners=[b]),
        "needs": lambda i: _create(
            Need(owner=a, title=f"Need {i}", description="D", country_id="BRA", workflow_status=PUBLISHED), user,
            sdg_targets=["6.1", "6.2"], sectors=["14030"], modalities=["training"]),
        "experts": lambda i: _create(
            Expert(owner=a, name=f"Expert {i}", expertise="E", organisation=a, workflow_status=PUBLISHED), user,
            sdg_goals=["6"], sectors=["14030"], countries_experience=countries),
        "partnerships": lambda i: _create(
            Partnership(owner=a, title=f"Partnership {i}", description="D", workflow_status=PUBLISHED), user,
            partners=[a, b], countries=countries, sdg_targets=["17.9"], sectors=["15110"], modalities=["financing"]),
        "initiatives": lambda i: _create(
            Initiative(owner=a, title=f"Initiative {i}", workflow_status=PUBLISHED), user,
            providers=[a], recipients=[b], facilitators=[b], funders=[a], recipient_countries=["SEN"],
            sectors=["31120"], sdg_targets=["2.1"], modalities=["training"]),
    }


@pytest.mark.parametrize("plural", list(BASELINE))
@pytest.mark.parametrize("persona", ["anonymous", "contributor_a"])
def test_a_list_costs_the_same_queries_for_5_or_50_records(api, personas, django_assert_num_queries, plural,
                                                           persona):
    build = _builders(personas)[plural]
    for i in range(RECORDS):
        build(i)
    client = api(persona)
    expected = BASELINE[plural] + (TOKEN_QUERIES if persona != "anonymous" else 0)
    expected += TIME_LIMIT_QUERIES.get(connection.vendor, 0)
    for page_size, shown in ((5, 5), (50, RECORDS)):
        with django_assert_num_queries(expected):
            response = client.get(plural, page_size=page_size)
        assert response.status == 200, response.body
        assert len(response.body["results"]) == shown
        assert all(record["type"] == plural.removesuffix("s") for record in response.body["results"])
