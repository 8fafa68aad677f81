"""Invalid data is refused with field messages (the UI form's own) and nothing is saved."""

from __future__ import annotations

import json

import pytest

from coopatlas.catalogue.models import Need, Solution
from coopatlas.core.models import ChangeRecord
from coopatlas.initiatives.models import Initiative


def need_body(personas, **changes):
    body = {"owner": personas.org_a.pk, "title": "Valid need", "description": "Text", "country": "BRA"}
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "XXX"}, "country", "Select a valid choice. That choice is not one of the available choices."),
        ({"sdg_targets": ["6.1", "99.99"]}, "sdg_targets",
         "Select a valid choice. 99.99 is not one of the available choices."),
        ({"sectors": ["00000"]}, "sectors", "Select a valid choice. 00000 is not one of the available choices."),
        ({"description": "x" * 30_000}, "description",
         "Ensure this value has at most 20000 characters (it has 30000)."),
        ({"modalities": ["teleportation"]}, "modalities",
         "Select a valid choice. teleportation is not one of the available choices."),
        ({"title": ""}, "title", "This field is required."),
        ({"deadline": "2027-02-30"}, "deadline", "Input should be a valid date or datetime, day value is outside "
                                                 "expected range"),
    ],
)
def test_a_need_with_a_bad_value_is_refused_with_a_field_message(api, personas, changes, field, message):
    response = api("contributor_a").post("needs", need_body(personas, **changes))
    assert response.status == 422
    assert response.body == {"detail": "The data is not valid: see the messages of each field.",
                             "errors": {field: [message]}}
    assert not Need.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_end_before_start_is_refused(api, personas):
    body = {"owner": personas.org_a.pk, "title": "T", "summary": "S", "start_date": "2020-05-01",
            "end_date": "2019-01-01"}
    response = api("contributor_a").post("solutions", body)
    assert response.status == 422
    assert response.body["errors"] == {"end_date": ["The end date is before the start date."]}
    assert not Solution.objects.exists()


def test_negative_budget_is_refused(api, personas):
    body = {"owner": personas.org_a.pk, "title": "T", "budget": -5, "currency": "USD"}
    response = api("contributor_a").post("initiatives", body)
    assert response.status == 422
    assert response.body["errors"] == {"budget": ["Ensure this value is greater than or equal to 0."]}
    assert not Initiative.objects.exists()


def test_every_bad_field_is_reported_at_once(api, personas):
    body = {"owner": personas.org_a.pk, "title": "T", "budget": "-1", "start_planned": "2021-01-01",
            "end_planned": "2020-01-01", "sdg_targets": ["99.99"], "recipient_countries": ["XXX"],
            "description": "x" * 30_000}
    response = api("contributor_a").post("initiatives", body)
    assert response.status == 422
    assert set(response.body["errors"]) == {"budget", "currency", "end_planned", "sdg_targets",
                                            "recipient_countries", "description"}
    assert not Initiative.objects.exists()


def test_an_invalid_update_changes_nothing(api, personas, published_of_b):
    published_of_b.sdg_targets.set(["6.1"])
    response = api("contributor_b").patch(f"needs/{published_of_b.pk}", {
        "version": 1, "title": "New title", "sdg_targets": ["6.2", "99.99"], "country": "XXX",
    })
    assert response.status == 422
    assert set(response.body["errors"]) == {"sdg_targets", "country"}
    published_of_b.refresh_from_db()
    assert published_of_b.title == "Published need of B"
    assert published_of_b.version == 1
    assert list(published_of_b.sdg_targets.values_list("code", flat=True)) == ["6.1"]
    assert not ChangeRecord.objects.filter(action="update").exists()


def test_a_value_of_the_wrong_json_type_is_named_by_its_path(api, personas):
    response = api("contributor_a").post("needs", need_body(personas, sdg_targets=["6.1", {"code": "6.2"}]))
    assert response.status == 422
    assert list(response.body["errors"]) == ["sdg_targets.1"]


def test_links_must_be_web_addresses(api, personas):
    body = {"owner": personas.org_a.pk, "title": "T", "summary": "S",
            "links": ["https://example.org/a", "javascript:alert(1)"]}
    response = api("contributor_a").post("solutions", body)
    assert response.status == 422
    assert list(response.body["errors"]) == ["links"]


def test_a_body_that_is_not_json_is_refused(personas, api):
    client = api("contributor_a").client
    token = api("contributor_a").token
    response = client.post("/api/v1/needs", "{not json", content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert not Need.objects.exists()


def test_field_messages_speak_the_callers_language(api, personas):
    client = api("contributor_a")
    response = client.client.post("/api/v1/needs", json.dumps(need_body(personas, title="")),
                                  content_type="application/json",
                                  headers={"Authorization": f"Bearer {client.token}", "Accept-Language": "fr"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"title": ["Ce champ est obligatoire."]}
