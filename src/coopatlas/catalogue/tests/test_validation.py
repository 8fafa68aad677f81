"""Bad input gets field messages and saves nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coopatlas.catalogue.models import Need, Solution
from coopatlas.initiatives.models import Initiative


def _need_data(personas, **changes):
    data = {"owner": personas.org_a.pk, "title": "Valid need", "description": "Text", "country": "BRA",
            "status": "open", "language": "en"}
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "XXX"}, "country"),
        ({"sdg_targets": ["99.99"]}, "sdg_targets"),
        ({"sectors": ["00000"]}, "sectors"),
        ({"description": "x" * 20_001}, "description"),
        ({"title": ""}, "title"),
        ({"modalities": ["teleportation"]}, "modalities"),
    ],
)
def test_need_form_refuses_bad_values_with_a_field_message(personas, changes, field):
    response = personas.client_for("contributor_a").post(reverse("catalogue:need-create"), _need_data(personas, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Need.objects.exists()


def test_solution_end_before_start_is_refused(personas):
    data = {"owner": personas.org_a.pk, "title": "T", "summary": "S", "status": "ongoing", "language": "en",
            "start_date": "2020-05-01", "end_date": "2019-01-01"}
    response = personas.client_for("contributor_a").post(reverse("catalogue:solution-create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["end_date"] == ["The end date is before the start date."]
    assert not Solution.objects.exists()


def test_initiative_negative_budget_is_refused(personas):
    data = {"owner": personas.org_a.pk, "title": "T", "activity_status": "2", "budget": "-5", "currency": "USD",
            "language": "en"}
    response = personas.client_for("contributor_a").post(reverse("initiatives:initiative-create"), data)
    assert response.status_code == 400
    assert "budget" in response.context["form"].errors
    assert not Initiative.objects.exists()


def test_initiative_budget_needs_a_currency(personas):
    data = {"owner": personas.org_a.pk, "title": "T", "activity_status": "2", "budget": "1000", "language": "en"}
    response = personas.client_for("contributor_a").post(reverse("initiatives:initiative-create"), data)
    assert response.status_code == 400
    assert "currency" in response.context["form"].errors


def test_links_must_be_web_addresses(personas):
    data = {"owner": personas.org_a.pk, "title": "T", "summary": "S", "status": "ongoing", "language": "en",
            "links": "https://example.org/a\njavascript:alert(1)"}
    response = personas.client_for("contributor_a").post(reverse("catalogue:solution-create"), data)
    assert response.status_code == 400
    assert "links" in response.context["form"].errors
