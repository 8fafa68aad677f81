"""Bad input: wrong units, periods outside the initiative's dates, values that are not numbers, reporting twice.

Each gives a clear message on the field and leaves nothing saved: no update, no file, no history entry.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coopatlas.core.audit import history_of
from coopatlas.core.models import ChangeRecord
from coopatlas.results import services
from coopatlas.results.models import EvidenceAttachment, PeriodUpdate
from coopatlas.results.tests.conftest import report

pytestmark = pytest.mark.django_db


def _post_update(personas, framework, data, files=None):
    url = reverse("results:update-create", args=[framework["initiative"].pk, framework["period"].pk])
    return personas.client_for("contributor_a").post(url, {**data, **(files or {})})


def _nothing_saved(framework, changes_before):
    assert not PeriodUpdate.objects.exists()
    assert not EvidenceAttachment.objects.exists()
    assert history_of(framework["initiative"]).count() == changes_before


def test_a_value_in_another_unit_is_refused_on_the_unit_field(personas, framework):
    before = history_of(framework["initiative"]).count()
    response = _post_update(personas, framework, {"value": "250", "unit": "hectares"})
    assert response.status_code == 400
    assert response.context["form"].errors["unit"] == [
        "This indicator is measured in “people”: give the value in “people”."
    ]
    _nothing_saved(framework, before)


@pytest.mark.parametrize("value", ["twelve", "1,250", "12 people", "NaN", "Infinity", "1e400000"])
def test_a_value_that_is_not_a_number_is_refused(personas, framework, value):
    before = history_of(framework["initiative"]).count()
    response = _post_update(personas, framework, {"value": value, "unit": "people"})
    assert response.status_code == 400
    assert response.context["form"].errors["value"]
    _nothing_saved(framework, before)


def test_an_empty_value_is_refused(personas, framework):
    response = _post_update(personas, framework, {"value": "", "unit": "people"})
    assert response.context["form"].errors["value"] == ["This field is required."]


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (
            "2022-06-01",
            "2022-12-31",
            "period_start",
            "The initiative starts on 2023-01-01: the period cannot start before it.",
        ),
        (
            "2026-01-01",
            "2027-03-31",
            "period_end",
            "The initiative ends on 2026-12-31: the period cannot end after it.",
        ),
        ("2025-12-31", "2025-01-01", "period_end", "The period ends before it starts."),
    ],
)
def test_a_period_outside_the_initiative_is_refused(personas, framework, start, end, field, message):
    url = reverse("results:period-create", args=[framework["initiative"].pk, framework["indicator"].pk])
    response = personas.client_for("contributor_a").post(
        url, {"period_start": start, "period_end": end, "target_value": "5"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert framework["indicator"].periods.count() == 1


def test_the_service_refuses_a_period_outside_the_initiative_too(personas, framework):
    with pytest.raises(ValidationError) as error:
        services.save_period(
            framework["indicator"],
            personas.contributor_a,
            {
                "period_start": datetime.date(2030, 1, 1),
                "period_end": datetime.date(2030, 12, 31),
                "target_value": None,
            },
        )
    assert "period_end" in error.value.message_dict
    assert framework["indicator"].periods.count() == 1


def test_a_target_that_is_not_a_number_is_refused(personas, framework):
    url = reverse("results:period-create", args=[framework["initiative"].pk, framework["indicator"].pk])
    response = personas.client_for("contributor_a").post(
        url, {"period_start": "2025-01-01", "period_end": "2025-12-31", "target_value": "a lot"}
    )
    assert "target_value" in response.context["form"].errors


def test_a_value_for_a_period_that_has_not_begun_is_refused(personas, framework):
    period = services.save_period(
        framework["indicator"],
        personas.contributor_a,
        {
            "period_start": datetime.date.today() + datetime.timedelta(days=30),
            "period_end": datetime.date(2026, 12, 31),
            "target_value": Decimal(400),
        },
    )
    if period.period_start > period.period_end:
        pytest.skip("the initiative ended before today + 30 days")
    with pytest.raises(ValidationError, match="report its actual value once it has begun"):
        services.create_update(period, personas.contributor_a, {"value": Decimal(1), "unit": "people"})


def test_reporting_a_second_value_while_one_is_open_is_refused(personas, framework):
    report(personas, framework["period"])
    before = history_of(framework["initiative"]).count()
    response = _post_update(personas, framework, {"value": "300", "unit": "people"})
    assert response.status_code == 400
    assert "already has an update in progress" in response.content.decode()
    assert PeriodUpdate.objects.count() == 1
    assert history_of(framework["initiative"]).count() == before


def test_a_stale_form_does_not_overwrite_a_newer_change(personas, framework):
    update = report(personas, framework["period"])
    services.edit_update(update, personas.contributor_a, update.version, {"value": Decimal(260), "unit": "people"})
    response = personas.client_for("contributor_a").post(
        reverse("results:update-edit", args=[update.pk]), {"value": "270", "unit": "people", "version": update.version}
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    update.refresh_from_db()
    assert update.value == Decimal(260)


def test_a_refused_file_leaves_no_update_and_no_stored_file(personas, framework, media_in_tmp):
    before = history_of(framework["initiative"]).count()
    html = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = _post_update(personas, framework, {"value": "250", "unit": "people"}, {"evidence": html})
    assert response.status_code == 400
    assert response.context["form"].errors["evidence"]
    _nothing_saved(framework, before)
    assert not media_in_tmp.exists() or not any(p.is_file() for p in media_in_tmp.rglob("*"))


def test_a_failure_after_the_file_was_stored_removes_it(personas, framework, media_in_tmp, monkeypatch):
    def broken_log(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.core, "log_child_change", broken_log)
    pdf = SimpleUploadedFile("ok.pdf", b"%PDF-1.7\n%%EOF\n")
    with pytest.raises(RuntimeError):
        services.create_update(
            framework["period"], personas.contributor_a, {"value": Decimal(5), "unit": "people"}, pdf
        )
    assert not PeriodUpdate.objects.exists()
    assert not any(p.is_file() for p in media_in_tmp.rglob("*"))
    assert ChangeRecord.objects.filter(changes__has_key="period update 1").count() == 0
