"""Export as IATI 2.03: valid against the official XSD, from the command line and as a download of a filtered list."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from lxml import etree

from coopatlas.core.models import WorkflowStatus
from coopatlas.core.services import create_record
from coopatlas.geo.models import Country
from coopatlas.iati.exporter import export_initiatives
from coopatlas.iati.importer import ImportConfig, import_files
from coopatlas.iati.models import Sector
from coopatlas.iati.validation.schemas import load_schema
from coopatlas.indicators.models import SdgTarget
from coopatlas.initiatives.models import Initiative

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
TEARFUND = DATA / "datastore-acceptance__tearfund-cd.xml"

pytestmark = pytest.mark.django_db


def _export(queryset: object = None) -> etree._Element:
    stream = io.BytesIO()
    export_initiatives(queryset if queryset is not None else Initiative.objects.all(), stream)
    return etree.fromstring(stream.getvalue())


def _assert_valid(document: etree._Element) -> None:
    schema = load_schema("2.03")
    assert schema.validate(document), [e.message for e in schema.error_log]


def test_an_imported_activity_is_exported_as_valid_iati_203_with_its_values() -> None:
    import_files([FCDO])
    document = _export()
    _assert_valid(document)
    assert document.get("version") == "2.03"
    activity = document.find("iati-activity")
    assert activity.get("last-updated-datetime") == "2010-03-31T00:00:00+00:00"
    assert activity.get("default-currency") == "GBP"
    assert activity.findtext("iati-identifier") == "GB-1-103662-101"
    assert activity.findtext("title/narrative") == "PROCOFSERVICES and P0220 for Civil Ser. Cap. Bldng. Liberia"
    assert [(p.get("role"), p.get("ref")) for p in activity.findall("participating-org")] == [
        ("4", "GB-COH-2732176"),
        ("1", "GB-GOV-1"),
        ("2", "GB-GOV-1"),
    ]
    assert [b.findtext("value") for b in activity.findall("budget")] == ["514717", "939770", "1276100", "-9077"]
    transaction = activity.find("transaction")
    assert (
        transaction.get("ref"),
        transaction.find("transaction-type").get("code"),
        transaction.find("value").get("value-date"),
        transaction.findtext("value"),
    ) == ("3861965", "3", "2010-05-27", "1232")
    assert [e.tag for e in activity][:6] == [
        "iati-identifier",
        "reporting-org",
        "title",
        "description",
        "participating-org",
        "participating-org",
    ]


def test_an_iati_103_activity_is_written_back_in_203_codes() -> None:
    import_files([TEARFUND])
    activity = _export().find("iati-activity")
    assert [p.get("role") for p in activity.findall("participating-org")] == ["2", "1", "4", "4", "4"]
    assert {t.find("transaction-type").get("code") for t in activity.findall("transaction")} == {"1", "3", "4"}
    assert activity.find("title/narrative").text == "Water, Sanitation and HIV/sexual violence support in DRC"


def test_an_initiative_entered_in_coopatlas_is_exported_from_its_catalogue_fields(personas) -> None:
    personas.org_a.iati_identifier, personas.org_a.organisation_type = "BR-CNPJ-00394718000100", "10"
    personas.org_a.save()
    initiative = create_record(
        Initiative(
            owner=personas.org_a,
            title="Cashew value chain",
            description="Brazil shares its cashew research.",
            iati_identifier="BR-CNPJ-00394718000100-CASHEW",
            activity_status="2",
            start_planned="2024-01-01",
            workflow_status=WorkflowStatus.PUBLISHED,
            translations={"fr": {"title": "Filière anacarde"}},
        ),
        personas.contributor_a,
    )
    initiative.providers.add(personas.org_a)
    initiative.recipients.add(personas.org_b)
    initiative.recipient_countries.add(Country.objects.get(code="SEN"))
    initiative.sectors.add(Sector.objects.get(code="31120"))
    initiative.sdg_targets.add(SdgTarget.objects.get(code="17.9"))
    document = _export()
    _assert_valid(document)
    activity = document.find("iati-activity")
    assert activity.find("reporting-org").get("ref") == "BR-CNPJ-00394718000100"
    assert [
        (n.get("{http://www.w3.org/XML/1998/namespace}lang"), n.text) for n in activity.findall("title/narrative")
    ] == [(None, "Cashew value chain"), ("fr", "Filière anacarde")]
    assert [(p.get("role"), p.findtext("narrative")) for p in activity.findall("participating-org")] == [
        ("3", "Agência Brasileira de Cooperação"),
        ("4", "Ministère de l'Agriculture du Sénégal"),
    ]
    assert activity.find("recipient-country").get("code") == "SN"
    assert (activity.find("sector").get("code"), activity.find("tag").get("code")) == ("31120", "17.9")


def test_records_iati_cannot_express_are_left_out_and_listed(personas) -> None:
    create_record(Initiative(owner=personas.org_a, title="No IATI identifier", workflow_status="published"), None)
    import_files([FCDO])
    stream = io.BytesIO()
    report = export_initiatives(Initiative.objects.all(), stream)
    assert report.written == 1
    assert report.skipped == [
        (
            f"initiative #{Initiative.objects.get(title='No IATI identifier').pk}",
            "missing iati-identifier, reporting-org/@ref, reporting-org/@type, participating-org, activity-date",
        )
    ]


def test_the_command_writes_the_published_initiatives_matching_the_filters(tmp_path: Path, personas) -> None:
    import_files([FCDO, TEARFUND])
    import_files([DATA / "datastore-fixtures__iati_activity_JP.xml"], ImportConfig(workflow_status="draft"))
    out = tmp_path / "export.xml"
    err = StringIO()
    call_command("export_iati", "--out", str(out), stderr=err)
    document = etree.parse(str(out)).getroot()
    _assert_valid(document)
    assert sorted(a.findtext("iati-identifier") for a in document) == ["GB-1-103662-101", "GB-CHC-265464-ZAI00598-0"]
    call_command("export_iati", "--out", str(out), "--country", "CD")
    assert [a.findtext("iati-identifier") for a in etree.parse(str(out)).getroot()] == ["GB-CHC-265464-ZAI00598-0"]
    call_command("export_iati", "--out", str(out), "--publisher", "41AAA", "--include-unpublished")
    assert [a.findtext("iati-identifier") for a in etree.parse(str(out)).getroot()] == ["41AAA-00081406"]


def test_the_download_of_a_filtered_list_holds_only_what_the_visitor_may_see(personas) -> None:
    import_files([FCDO, TEARFUND])
    import_files(
        [DATA / "datastore-fixtures__iati_activity_JP.xml"],
        ImportConfig(owner_id=personas.org_a.pk, workflow_status="draft"),
    )
    response = personas.client_for("anonymous").get("/en/iati/export/", {"country": "LBR"})
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"].startswith('attachment; filename="coopatlas-iati-')
    document = etree.fromstring(b"".join(response.streaming_content))
    _assert_valid(document)
    assert [a.findtext("iati-identifier") for a in document] == ["GB-1-103662-101"]
    everything = personas.client_for("anonymous").get("/en/iati/export/")
    assert len(etree.fromstring(b"".join(everything.streaming_content))) == 2
    own = personas.client_for("contributor_a").get("/en/iati/export/")
    assert len(etree.fromstring(b"".join(own.streaming_content))) == 3
