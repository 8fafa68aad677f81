"""Importing real IATI files maps every part of an activity (IATI 2.03, 2.01, 1.03, fragments, languages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from coopatlas.catalogue.models import Organisation
from coopatlas.core.models import ChangeRecord
from coopatlas.core.models_search import SearchEntry
from coopatlas.iati.importer import ImportConfig, import_files
from coopatlas.initiatives.models import IatiImport, Initiative
from coopatlas.reports.fact_models import InitiativeFact

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
TEARFUND = DATA / "datastore-acceptance__tearfund-cd.xml"
UNOPS_FRAGMENT = DATA / "datastore-fixtures__iati_activity_JP.xml"
ALBANIA = DATA / "iaticloud-oipa-media__dfid-albania-2.01.xml"
DPORTAL = DATA / "hdx-iati-viz__foodsecurity-dportal.xml"

pytestmark = pytest.mark.django_db


def test_an_iati_203_activity_becomes_a_published_initiative_with_its_fields() -> None:
    report = import_files([FCDO])
    assert report.totals == {"read": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    initiative = Initiative.objects.get(iati_identifier="GB-1-103662-101")
    assert initiative.title == "PROCOFSERVICES and P0220 for Civil Ser. Cap. Bldng. Liberia"
    assert initiative.description.startswith("This activity (PROCOFSERVICES and P0220")
    assert initiative.workflow_status == "published" and initiative.published_at is not None
    assert initiative.language == "en" and initiative.iati_default_language == "en"
    assert initiative.iati_reporting_org_ref == "GB-GOV-1"
    assert initiative.activity_status == "4"
    assert (initiative.start_planned, initiative.start_actual) == (dt.date(2006, 12, 1), dt.date(2006, 12, 1))
    assert (initiative.end_planned, initiative.end_actual) == (dt.date(2010, 3, 31), dt.date(2010, 3, 31))
    assert (
        initiative.collaboration_type,
        initiative.default_flow_type,
        initiative.default_finance_type,
        initiative.default_tied_status,
    ) == ("1", "10", "110", "5")
    assert initiative.default_aid_types == [{"code": "C01", "vocabulary": ""}]
    assert initiative.currency == "GBP" and initiative.hierarchy == 2
    assert initiative.iati_last_updated == dt.datetime(2010, 3, 31, tzinfo=dt.UTC)
    # The four revised budgets add up to the "budget of £2,721,510" the description states.
    assert initiative.budget == Decimal("2721510.00")
    assert list(initiative.recipient_countries.values_list("code", flat=True)) == ["LBR"]
    assert list(initiative.sectors.values_list("code", flat=True)) == ["15110"]
    assert initiative.iati_details["related_activities"] == [
        {"ref": "GB-1-103662", "type": "1"},
        {"ref": "GB-1-103662-102", "type": "3"},
    ]


def test_participating_organisations_keep_their_roles_and_become_catalogue_organisations() -> None:
    import_files([FCDO])
    initiative = Initiative.objects.get(iati_identifier="GB-1-103662-101")
    parts = [(p.role, p.ref, p.org_type, p.narratives) for p in initiative.participating_orgs.all()]
    assert parts == [
        ("4", "GB-COH-2732176", "70", {"": "Adam Smith International"}),
        ("1", "GB-GOV-1", "10", {"": "Foreign, Commonwealth and Development Office"}),
        ("2", "GB-GOV-1", "10", {"": "Foreign, Commonwealth and Development Office"}),
    ]
    fcdo = Organisation.objects.get(iati_identifier="GB-GOV-1")
    assert fcdo.name == "Foreign, Commonwealth and Development Office"
    assert fcdo.country_id == "GBR" and fcdo.organisation_type == "10" and fcdo.workflow_status == "published"
    assert initiative.reporting_org == fcdo and initiative.owner == fcdo
    assert list(initiative.funders.all()) == [fcdo]
    assert set(initiative.providers.values_list("iati_identifier", flat=True)) == {"GB-GOV-1", "GB-COH-2732176"}


def test_budgets_and_transactions_are_kept_with_values_dates_and_organisations() -> None:
    import_files([FCDO])
    initiative = Initiative.objects.get(iati_identifier="GB-1-103662-101")
    budgets = [(b.budget_type, b.period_start, b.value) for b in initiative.iati_budgets.all()]
    assert budgets == [
        ("2", dt.date(2007, 4, 1), Decimal("514717")),
        ("2", dt.date(2008, 4, 1), Decimal("939770")),
        ("2", dt.date(2009, 4, 1), Decimal("1276100")),
        ("2", dt.date(2010, 4, 1), Decimal("-9077")),
    ]
    assert initiative.transactions.count() == 14
    first = initiative.transactions.first()
    assert (first.ref, first.transaction_type, first.date, first.value, first.currency) == (
        "3861965",
        "3",
        dt.date(2010, 5, 27),
        Decimal("1232"),
        "GBP",
    )
    assert first.description == {"": "Technical & Advisory services"}
    assert first.provider_ref == "GB-GOV-1"
    assert first.receiver == {
        "ref": "GB-COH-2732176",
        "type": "70",
        "activity_id": "",
        "narratives": {"": "Adam Smith International"},
    }


def test_an_iati_103_file_is_mapped_onto_the_203_codes() -> None:
    report = import_files([TEARFUND])
    assert report.totals["created"] == 1
    initiative = Initiative.objects.get(iati_identifier="GB-CHC-265464-ZAI00598-0")
    assert initiative.title == "Water, Sanitation and HIV/sexual violence support in DRC"
    assert initiative.iati_version == "1.03"
    roles = [(p.role, p.ref, p.narratives[""]) for p in initiative.participating_orgs.all()]
    assert roles[:2] == [("2", "GB-CHC-265465", "Tearfund"), ("1", "GB-1", "DFID")]
    assert [r for r, *_ in roles[2:]] == ["4", "4", "4"]
    # v1 transaction codes IF and D are IATI 2.03 types 1 (incoming funds) and 3 (disbursement).
    assert [t.transaction_type for t in initiative.transactions.all()][:3] == ["1", "1", "3"]
    assert [(s.vocabulary, s.code, s.percentage) for s in initiative.sector_shares.all()] == [
        ("1", "14081", Decimal("34")),
        ("1", "12261", Decimal("33")),
        ("1", "15164", Decimal("33")),
    ]
    # Revised budgets (type 2) supersede the original one: 271,573 + 1,290,200 + 311,024.
    assert initiative.budget == Decimal("1872797.00")
    assert (initiative.start_actual, initiative.end_planned) == (dt.date(2012, 1, 1), dt.date(2014, 12, 31))


def test_a_single_activity_fragment_without_a_root_is_imported() -> None:
    report = import_files([UNOPS_FRAGMENT])
    assert report.totals["created"] == 1
    initiative = Initiative.objects.get(iati_identifier="41AAA-00081406")
    assert initiative.title == "Human Resources Services for UNHCR Representation in Japan"
    assert [(r.code, r.percentage) for r in initiative.recipient_region_shares.all()] == [("789", Decimal("100"))]


def test_narratives_in_other_languages_become_translations_of_the_record() -> None:
    import_files([DPORTAL])
    german = Initiative.objects.get(iati_identifier="DE-1-202033942-0")
    assert german.iati_default_language == "de" and german.language == "other"
    assert german.title.startswith("Nachhaltiges Management der Ökosysteme")
    assert german.translations["en"]["title"] == (
        "Sustainable management of ecosystems in communities in the Department of Nippes"
    )
    assert german.translated("title", "en") == (german.translations["en"]["title"], True)


def test_activities_invalid_against_their_schema_are_rejected_and_explained() -> None:
    report = import_files([ALBANIA])
    assert report.totals == {"read": 8, "created": 3, "updated": 0, "unchanged": 0, "rejected": 5}
    rejected = {p.activity for p in report.problems if p.rule == "0.3.1"}
    assert rejected == {"GB-1-109616-101", "GB-1-109635-101", "GB-1-109635-102", "GB-1-109636-101", "GB-1-109636-102"}
    problem = next(p for p in report.problems if p.activity == "GB-1-109616-101")
    assert (problem.file, problem.line, problem.severity) == (str(ALBANIA), 99, "error")
    assert "capital-spend" in problem.message and "percentage" in problem.message
    assert set(Initiative.objects.values_list("iati_identifier", flat=True)) == {
        "GB-1-109616",
        "GB-1-109635",
        "GB-1-109636",
    }


def test_each_import_is_recorded_with_provenance_history_search_entries_and_facts() -> None:
    run = IatiImport.objects.create()
    import_files([FCDO], ImportConfig(import_id=run.pk))
    initiative = Initiative.objects.get(iati_identifier="GB-1-103662-101")
    assert initiative.iati_source_file == str(FCDO) and initiative.iati_import == run
    assert initiative.iati_imported_at is not None
    change = ChangeRecord.objects.get(object_id=initiative.pk, content_type__model="initiative")
    assert change.action == "create" and change.comment == f"IATI import of {FCDO} (import #{run.pk})"
    assert change.changes["title"] == [None, initiative.title]
    entry = SearchEntry.objects.get(record_type="initiative", object_id=initiative.pk)
    assert entry.title == initiative.title and entry.workflow_status == "published"
    assert set(entry.facet_values.filter(facet="country").values_list("value", flat=True)) == {"LBR"}
    assert SearchEntry.objects.filter(record_type="organisation").count() == Organisation.objects.count()
    # The dashboards' facts follow in the same transaction (reports.facts.refresh_initiatives per batch).
    fact = InitiativeFact.objects.get(initiative_id=initiative.pk)
    assert (fact.start_year, fact.end_year, fact.workflow_status) == (2006, 2010, "published")
