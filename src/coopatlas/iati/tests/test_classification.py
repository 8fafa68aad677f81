"""Each branch of the cooperation-type rule (docs/cooperation-types.md), on real activities.

None of the 49 real files has a Southern provider working abroad, collaboration type 8 or DAC
sector 15123; for those branches a real activity is imported with only the named element changed.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from coopatlas.core.models import ChangeRecord, WorkflowStatus
from coopatlas.core.services import create_record
from coopatlas.geo.models import Country
from coopatlas.iati.classification import Flow, Participant, classify, ref_country
from coopatlas.iati.importer import import_files
from coopatlas.initiatives.models import Initiative

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
UNOPS_FRAGMENT = DATA / "datastore-fixtures__iati_activity_JP.xml"
ADAPTATION_FUND = DATA / "csv2iati-backup__af-14__1397049497.46.xml"
SOS_KENYA = DATA / "csv2iati-backup__soscvkenya-001__1442398280.44.xml"
KENYAN_FUNDER = (
    '<participating-org ref="KE-NGC-3372" role="Funding" type="INGO">I Choose Life Africa</participating-org>'
)

pytestmark = pytest.mark.django_db


def _import(path: Path, tmp_path: Path | None = None, **replacements: str) -> Initiative:
    """Import a real file, with ``old=new`` text replacements when given; the one initiative it holds."""
    if replacements:
        text = path.read_text(encoding="utf-8")
        for old, new in replacements.values():
            assert old in text
            text = text.replace(old, new)
        path = tmp_path / path.name
        path.write_text(text, encoding="utf-8")
    report = import_files([path])
    assert report.totals["created"] >= 1, report.problems
    return Initiative.objects.latest("pk")


def test_a_dac_member_funding_a_developing_country_is_north_south() -> None:
    initiative = _import(FCDO)
    assert (initiative.cooperation_type, initiative.cooperation_type_rule) == ("north-south", "dac-provider")
    assert initiative.cooperation_type_evidence == "GB -> LR"


def test_a_multilateral_provider_is_multilateral() -> None:
    import_files([ADAPTATION_FUND])
    initiative = Initiative.objects.get(iati_identifier="47111-038-M-KHM-F-R")
    assert (initiative.cooperation_type, initiative.cooperation_type_rule) == ("multilateral", "multilateral-provider")
    assert initiative.cooperation_type_evidence == "47111"


def test_collaboration_type_multilateral_outflows_is_multilateral() -> None:
    initiative = _import(UNOPS_FRAGMENT)
    assert initiative.collaboration_type == "2"
    assert (initiative.cooperation_type, initiative.cooperation_type_rule) == (
        "multilateral",
        "collaboration-type-multilateral",
    )


def test_a_developing_country_funding_work_in_its_own_country_is_other() -> None:
    initiative = _import(SOS_KENYA)
    assert (initiative.cooperation_type, initiative.cooperation_type_rule) == ("other", "no-rule-matched")
    assert initiative.cooperation_type_evidence == (
        "providers KE are neither DAC members nor Southern providers abroad"
    )


def test_a_developing_country_funding_work_in_another_developing_country_is_south_south(tmp_path: Path) -> None:
    initiative = _import(
        SOS_KENYA, tmp_path, country=('<recipient-country code="KE">Kenya', '<recipient-country code="SO">Somalia')
    )
    assert (initiative.cooperation_type, initiative.cooperation_type_rule) == ("south-south", "southern-provider")
    assert initiative.cooperation_type_evidence == "KE -> SO"


def test_a_dac_member_supporting_a_south_south_exchange_makes_it_triangular(tmp_path: Path) -> None:
    initiative = _import(
        SOS_KENYA,
        tmp_path,
        country=('<recipient-country code="KE">Kenya', '<recipient-country code="SO">Somalia'),
        funder=(
            KENYAN_FUNDER,
            KENYAN_FUNDER + '<participating-org ref="GB-GOV-1" role="Funding" '
            'type="10">Foreign, Commonwealth and Development Office</participating-org>',
        ),
    )
    assert (initiative.cooperation_type, initiative.cooperation_type_rule) == (
        "triangular",
        "southern-provider-with-support",
    )
    assert initiative.cooperation_type_evidence == "KE -> SO; GB-GOV-1"
    assert list(initiative.facilitators.values_list("iati_identifier", flat=True)) == ["GB-GOV-1"]
    assert initiative.is_triangular


def test_collaboration_type_8_is_direct_evidence_of_triangular_cooperation(tmp_path: Path) -> None:
    initiative = _import(
        FCDO, tmp_path, collaboration=('<collaboration-type code="1" />', '<collaboration-type code="8" />')
    )
    assert (initiative.cooperation_type, initiative.cooperation_type_rule) == ("triangular", "collaboration-type-8")


def test_dac_sector_15123_is_south_south_without_support_and_triangular_with_it(tmp_path: Path) -> None:
    kenyan = _import(SOS_KENYA, tmp_path, sector=("<sector>EDUCATION</sector>", '<sector code="15123" />'))
    assert (kenyan.cooperation_type, kenyan.cooperation_type_rule) == ("south-south", "ssc-sector")
    british = _import(FCDO, tmp_path, sector=('<sector code="15110">', '<sector code="15123">'))
    assert (british.cooperation_type, british.cooperation_type_rule) == ("triangular", "ssc-sector-with-support")


def test_an_initiative_entered_in_coopatlas_is_classified_from_its_organisations(personas) -> None:
    initiative = create_record(
        Initiative(owner=personas.org_a, title="Cashew value chain", workflow_status=WorkflowStatus.PUBLISHED),
        personas.contributor_a,
    )
    initiative.providers.add(personas.org_a)  # ABC, Brazil
    initiative.recipient_countries.add(Country.objects.get(code="SEN"))
    out = StringIO()
    call_command("classify_initiatives", stdout=out)
    initiative.refresh_from_db()
    assert (initiative.cooperation_type, initiative.cooperation_type_evidence) == ("south-south", "BR -> SN")
    assert "south-south: 1" in out.getvalue() and "1 changed" in out.getvalue()
    assert ChangeRecord.objects.filter(object_id=initiative.pk, changes__cooperation_type=["", "south-south"]).exists()
    initiative.facilitators.add(personas.org_b)
    call_command("classify_initiatives", stdout=StringIO())
    initiative.refresh_from_db()
    assert initiative.cooperation_type == "triangular"


def test_organisation_identifiers_name_their_country() -> None:
    assert [
        ref_country(ref)
        for ref in (
            "GB-COH-2732176",
            "GB",
            "XM-DAC-3-1",
            "XM-DAC-918-3",
            "XM-DAC-41108",
            "41AAA",
            "XI-IATI-EC_INTPA",
            "KE-NGC-3372",
        )
    ] == ["GB", "GB", "DK", "EU", "", "", "", "KE"]


def test_the_rule_reads_only_the_flow_it_is_given() -> None:
    flow = Flow(
        participants=(Participant("1", "BR-CNPJ-1", "10", "BR"), Participant("1", "XM-DAC-41108", "40")),
        recipient_countries=("MZ",),
    )
    assert classify(flow).cooperation_type == "triangular"
    assert classify(Flow(participants=(Participant("1", "", "", "AE"),), recipient_countries=("YE",))).evidence == (
        "providers AE are neither DAC members nor Southern providers abroad"
    )
    assert classify(Flow(participants=(Participant("1", "GB-1", "10", "GB"),))).evidence == (
        "no developing recipient country or region"
    )
