"""IATI results map both ways: imported results are the framework; an approved actual is exported and re-imported."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from coopatlas.core.services import WorkflowError
from coopatlas.iati.exporter import export_initiatives
from coopatlas.iati.importer import ImportConfig, import_files
from coopatlas.iati.validation.schemas import load_schema
from coopatlas.initiatives.models import IndicatorPeriod, Initiative
from coopatlas.results import rollup, services
from coopatlas.results.models import PeriodUpdate

pytestmark = pytest.mark.django_db

GDIHUB = (
    Path(rollup.__file__).resolve().parent.parent
    / "iati"
    / "data"
    / "activities"
    / "flattener-fixtures__gdihub-activity.xml"
)
CLUSTER2 = "GB-COH-11126312-Cluster2"
ACCELERATOR = "Establishment of Innovate Now"


def _accelerator_period() -> IndicatorPeriod:
    """Cluster 2's accelerator indicator, period 2021-03-31 to 2022-03-31 (target 5, actual 4 in the file)."""
    periods = IndicatorPeriod.objects.filter(
        indicator__result__initiative__iati_identifier=CLUSTER2, period_end="2022-03-31"
    ).select_related("indicator")
    return next(p for p in periods if services.text_of(p.indicator.title).startswith(ACCELERATOR))


def _export(identifier: str) -> bytes:
    stream = io.BytesIO()
    export_initiatives(Initiative.objects.filter(iati_identifier=identifier), stream)
    return stream.getvalue()


def _actuals_in(xml: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(xml)
    return [
        (period.find("period-end").get("iso-date"), actual.get("value"))
        for indicator in root.iter("indicator")
        if indicator.findtext("title/narrative", "").startswith(ACCELERATOR)
        for period in indicator.iter("period")
        for actual in period.iter("actual")
    ]


@pytest.fixture
def imported(personas, tmp_path):
    report = import_files([GDIHUB], ImportConfig(owner_id=personas.org_a.pk))
    assert report.total("created") == 4, report.totals
    return Initiative.objects.get(iati_identifier=CLUSTER2)


def test_imported_iati_results_are_shown_as_the_framework(personas, imported):
    page = personas.client_for("anonymous").get(reverse("results:initiative", args=[imported.pk])).content.decode()
    period = _accelerator_period()
    assert "Establishment of Innovate Now" in page
    assert f'data-testid="actual-{period.pk}">4<' in page


def test_an_approved_actual_is_exported_and_survives_a_round_trip(personas, imported, tmp_path):
    period = _accelerator_period()
    assert services.first_value(period.actuals) == Decimal(4)
    update = services.create_update(
        period, personas.contributor_a, {"value": Decimal(5), "unit": "", "narrative": "Fifth accelerator opened."}
    )
    services.submit_update(update, personas.contributor_a)
    # Not approved yet: the export still carries the file's figure.
    assert ("2022-03-31", "4") in _actuals_in(_export(CLUSTER2))
    services.approve_update(update, personas.moderator)

    xml = _export(CLUSTER2)
    schema = load_schema("2.03")
    assert schema.validate(etree.fromstring(xml)), [e.message for e in schema.error_log]
    assert ("2022-03-31", "5") in _actuals_in(xml)
    assert b"Fifth accelerator opened." in xml

    # An update still waiting for approval when a newer version of the activity is imported.
    other = (
        IndicatorPeriod.objects.filter(indicator__result__initiative=imported, period_end="2020-03-31")
        .exclude(pk=period.pk)
        .first()
    )
    pending = services.create_update(other, personas.contributor_a, {"value": Decimal(2), "unit": ""})
    services.submit_update(pending, personas.contributor_a)
    overview = personas.client_for("moderator").get(reverse("results:overview")).content.decode()
    assert f'data-testid="awaiting-{pending.pk}"' in overview

    # Importing the file again over the stored activity, as its publisher would after updating it,
    # replaces the parts (raw DELETEs) even though updates point at them.
    root = etree.fromstring(xml)
    root.find("iati-activity").set("last-updated-datetime", "2099-01-01T00:00:00Z")
    exported = tmp_path / "cluster2.xml"
    exported.write_bytes(etree.tostring(root))
    report = import_files([exported], ImportConfig(owner_id=personas.org_a.pk))
    assert (report.total("updated"), report.total("rejected")) == (1, 0), (report.totals, report.problems)
    assert services.first_value(_accelerator_period().actuals) == Decimal(5)
    assert (
        personas.client_for("contributor_a").get(reverse("results:initiative", args=[imported.pk])).status_code == 200
    )
    # The pending update lost its period: it cannot be approved and is no longer listed for review.
    with pytest.raises(WorkflowError, match="replaced this update's period"):
        services.approve_update(pending, personas.moderator)
    overview = personas.client_for("moderator").get(reverse("results:overview")).content.decode()
    assert f'data-testid="awaiting-{pending.pk}"' not in overview

    # ... and into a database that does not have it: the approved figure comes back.
    Initiative.objects.all().delete()
    assert not PeriodUpdate.objects.exists()
    report = import_files([exported], ImportConfig(owner_id=personas.org_a.pk))
    assert report.total("created") == 1, report.totals
    assert _accelerator_period().actuals == [{"value": "5", "comment": {"": "Fifth accelerator opened."}}]
    progress = {p.title: p for p in rollup.indicator_progress(Initiative.objects.all())}
    assert progress[next(t for t in progress if t.startswith(ACCELERATOR))].share == 1.0


def test_results_of_an_initiative_entered_in_coopatlas_are_in_its_iati_activity(personas, framework):
    """The exporter reads the framework of a non-imported initiative too: an approved actual reaches IATI."""
    from coopatlas.iati.exporter import load_activity
    from coopatlas.results.tests.conftest import report

    update = report(personas, framework["period"], value="250")
    services.submit_update(update, personas.contributor_a)
    services.approve_update(update, personas.moderator)

    initiative = Initiative.objects.get(pk=framework["initiative"].pk)
    assert not initiative.iati_reporting_org_ref  # entered in CoopAtlas, not imported
    activity = load_activity(initiative)
    [result] = activity["results"]
    [indicator] = result["indicators"]
    [period] = indicator["periods"]
    assert str(period["period_end"]) == "2024-12-31"
    assert [Decimal(str(a["value"])) for a in period["actuals"]] == [Decimal("250")]
