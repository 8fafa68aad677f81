"""The cooperation-type and stale facets through the API: list and search filters, counts, bad values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from coopatlas.api.tests.conftest import make_need
from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus
from coopatlas.core.search.indexing import index_record
from coopatlas.initiatives.models import Initiative

PUBLISHED = WorkflowStatus.PUBLISHED


@pytest.fixture
def records(personas: Any) -> dict[str, Any]:
    """Two published initiatives (triangular, South-South), a draft triangular one of B, an old need."""

    def initiative(owner: Any, user: Any, title: str, kind: str, status: str = PUBLISHED) -> Initiative:
        record = Initiative(
            owner=owner,
            title=title,
            description="Water utilities learn from each other.",
            language="en",
            workflow_status=status,
            cooperation_type=kind,
        )
        return services.create_record(record, user)

    p = personas
    triangular = initiative(p.org_a, p.contributor_a, "Triangular water partnership", "triangular")
    south = initiative(p.org_b, p.contributor_b, "South-South water exchange", "south-south")
    draft = initiative(p.org_b, p.contributor_b, "Draft triangular water plan", "triangular", WorkflowStatus.DRAFT)
    old = make_need(p.org_a, p.contributor_a, title="Old water need", status=PUBLISHED)
    type(old).objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=900))
    index_record(type(old).objects.get(pk=old.pk))
    return {"triangular": triangular, "south": south, "draft": draft, "old": old}


def titles(response: Any, key: str = "results") -> list[str]:
    assert response.status == 200, response.body
    return sorted(item["title"] for item in response.body[key])


def facet(response: Any, name: str) -> dict[str, int]:
    found = next(f for f in response.body["facets"] if f["name"] == name)
    return {r["value"]: r["count"] for r in found["results"]}


def test_initiative_lists_filter_and_count_by_cooperation_type(api: Any, records: dict[str, Any]) -> None:
    anonymous = api("anonymous")
    assert titles(anonymous.get("initiatives", cooperation_type="triangular")) == ["Triangular water partnership"]
    response = anonymous.get("initiatives")
    assert facet(response, "cooperation_type") == {"triangular": 1, "south-south": 1}
    both = anonymous.get("initiatives", cooperation_type=["triangular", "south-south"])
    assert titles(both) == ["South-South water exchange", "Triangular water partnership"]
    # Organisation B's contributor also sees, and counts, B's draft.
    member = api("contributor_b").get("initiatives", cooperation_type="triangular")
    assert titles(member) == ["Draft triangular water plan", "Triangular water partnership"]
    assert facet(member, "cooperation_type") == {"triangular": 2, "south-south": 1}


def test_search_filters_stale_records_and_marks_them(api: Any, records: dict[str, Any]) -> None:
    response = api("anonymous").get("search", q="water", stale="yes")
    assert titles(response, "hits") == ["Old water need"]
    assert [hit["stale"] for hit in response.body["hits"]] == [True]
    assert facet(response, "stale") == {"yes": 1, "no": 2}
    fresh = api("anonymous").get("search", q="water", stale="no")
    assert titles(fresh, "hits") == ["South-South water exchange", "Triangular water partnership"]
    assert not any(hit["stale"] for hit in fresh.body["hits"])
    assert titles(api("anonymous").get("needs", stale="yes")) == ["Old water need"]


def test_a_bad_stale_value_is_refused_with_a_field_message(api: Any, records: dict[str, Any]) -> None:
    response = api("anonymous").get("search", q="water", stale="maybe")
    assert response.status == 422
    assert "stale" in str(response.body)
