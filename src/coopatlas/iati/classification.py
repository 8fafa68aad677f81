"""Classify a cooperation flow: South-South, triangular, North-South, multilateral or other.

The rule (docs/cooperation-types.md) reads the participants' roles (IATI OrganisationRole), their
countries (the organisation's country, else the prefix of its IATI organisation identifier) and
types (IATI OrganisationType), the recipient countries and regions, and direct evidence:

1. IATI CollaborationType 8 "Bilateral, triangular co-operation" -> triangular (OECD DAC CRS
   definition: providers or international organisations supporting South-South co-operation).
2. DAC purpose code 15123 "Administration of developing countries' foreign aid (including triangular
   and south-south cooperation)" -> triangular with a DAC member or multilateral participant, else
   South-South.
3. A Southern provider (a funding/accountable/extending organisation, or an implementing public
   agency, of a country on the DAC List of ODA Recipients other than the recipient countries) and
   developing recipients -> triangular when a DAC member or multilateral organisation takes part,
   else South-South (UN: "South-South cooperation is a broad framework for collaboration among
   countries of the South", A/RES/64/222; OECD triangular co-operation definition).
4. CollaborationType 2 or 4 (multilateral in/outflows) -> multilateral.
5. A DAC member as funding/accountable/extending organisation and developing recipients -> North-South.
6. A multilateral organisation as funding/accountable/extending organisation -> multilateral.
7. Otherwise -> other (domestic, unknown countries, non-DAC providers outside the ODA list).

Sources: OECD DAC List of ODA Recipients 2024-2025 and DAC membership (``iati/data/dac``), the IATI
CRSChannelCode codelist for multilateral organisations.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVIDER_ROLES = frozenset({"1", "2", "3"})
IMPLEMENTING = "4"
#: OrganisationType codes of public agencies (government, local government, other public sector).
PUBLIC_TYPES = frozenset({"10", "11", "15"})
MULTILATERAL_TYPE = "40"
SSC_SECTOR = "15123"
TRIANGULAR_COLLABORATION = "8"
MULTILATERAL_COLLABORATIONS = frozenset({"2", "4"})
_XM_DAC = re.compile(r"^XM-DAC-(\d+)")
_CHANNEL = re.compile(r"^4[1-7][0-9A-Z]{3}$")
#: Organisation identifier prefixes that are not countries (multilateral, IATI-issued).
NOT_COUNTRY_PREFIXES = frozenset({"XM", "XI", "XE", "XR", "XB"})

SOUTH_SOUTH = "south-south"
TRIANGULAR = "triangular"
NORTH_SOUTH = "north-south"
MULTILATERAL = "multilateral"
OTHER = "other"


@dataclass(frozen=True)
class Participant:
    """A participating organisation as the rule sees it."""

    role: str
    ref: str = ""
    org_type: str = ""
    country: str = ""  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Flow:
    """What the rule reads of one initiative."""

    participants: tuple[Participant, ...] = ()
    recipient_countries: tuple[str, ...] = ()  # ISO alpha-2
    recipient_regions: tuple[str, ...] = ()  # DAC region codes (vocabulary 1)
    collaboration_type: str = ""
    sectors: tuple[str, ...] = ()  # DAC 5-digit codes
    facilitated: bool = False  # the catalogue's own "facilitator" relation


@dataclass(frozen=True)
class Classification:
    """The outcome: a cooperation type, the rule that decided it and the evidence (codes)."""

    cooperation_type: str
    rule: str
    evidence: str = ""


@dataclass(frozen=True)
class ReferenceLists:
    """The DAC lists the rule needs (ISO alpha-2 codes, multilateral CRS channel codes, CRS donor codes)."""

    oda_recipients: frozenset[str]
    dac_members: frozenset[str]
    multilateral_channels: frozenset[str] = field(default_factory=frozenset)
    donor_countries: dict[str, str] = field(default_factory=dict)  # CRS donor code -> ISO alpha-2 ("EU")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@cache
def reference_lists() -> ReferenceLists:
    """The shipped DAC lists (read once per process)."""
    channels = _rows(DATA_DIR / "codelists" / "csv" / "CRSChannelCode.csv")
    parents = {row["code"]: row["category"] for row in channels}

    def is_multilateral(code: str) -> bool:
        seen = set()
        while code and code not in seen:
            if code == "40000":
                return True
            seen.add(code)
            code = parents.get(code, "")
        return False

    members = _rows(DATA_DIR / "dac" / "dac_members.csv")
    return ReferenceLists(
        oda_recipients=frozenset(r["iso2"] for r in _rows(DATA_DIR / "dac" / "oda_recipients.csv")),
        dac_members=frozenset(r["iso2"] for r in members),
        multilateral_channels=frozenset(c for c in parents if is_multilateral(c) and not c.startswith("42")),
        donor_countries={r["crs_donor_code"]: r["iso2"] for r in members},
    )


def ref_country(ref: str, lists: ReferenceLists | None = None) -> str:
    """The ISO alpha-2 country an IATI organisation identifier names, "" when it names none.

    ``GB-COH-123`` -> GB (registration agency prefix), ``GB`` -> GB (a bare country code, as IATI 1.0x
    publishers used for governments), ``XM-DAC-3-1`` -> DK (CRS donor code 3), ``XM-DAC-918-3`` -> EU.
    """
    ref = ref.strip().upper()
    match = _XM_DAC.match(ref)
    if match:
        return (lists or reference_lists()).donor_countries.get(match[1], "")
    prefix = ref[:2]
    if prefix in NOT_COUNTRY_PREFIXES or not prefix.isalpha() or len(ref) > 2 and ref[2] != "-":
        return ""
    return prefix


def is_multilateral(participant: Participant, lists: ReferenceLists) -> bool:
    """An organisation of type 40, or whose identifier is a multilateral CRS channel code."""
    if participant.org_type == MULTILATERAL_TYPE:
        return True
    ref = participant.ref.upper()
    match = _XM_DAC.match(ref)
    code = match[1] if match else ref
    return code in lists.multilateral_channels or bool(_CHANNEL.match(code)) and not code.startswith("42")


def is_dac_member(participant: Participant, lists: ReferenceLists) -> bool:
    """An organisation of a DAC member country, or an EU institution (the EU is a DAC member)."""
    ref = participant.ref.upper()
    if ref.startswith(("XI-IATI-EC", "XM-DAC-918")) or re.match(r"^(XM-DAC-)?42\d{3}", ref):
        return True
    return participant.country in lists.dac_members


def classify(flow: Flow, lists: ReferenceLists | None = None) -> Classification:
    """The cooperation type of ``flow`` by the documented rule (first matching branch wins)."""
    lists = lists or reference_lists()
    if flow.collaboration_type == TRIANGULAR_COLLABORATION:
        return Classification(TRIANGULAR, "collaboration-type-8", "CollaborationType 8")
    recipients = set(flow.recipient_countries)
    developing_recipients = sorted(recipients & lists.oda_recipients)
    has_recipient = bool(developing_recipients or flow.recipient_regions)
    supporters = sorted(
        {p.ref or p.country for p in flow.participants if is_dac_member(p, lists) or is_multilateral(p, lists)}
    )
    if SSC_SECTOR in flow.sectors:
        if supporters or flow.facilitated:
            return Classification(TRIANGULAR, "ssc-sector-with-support", f"sector 15123; {', '.join(supporters)}")
        return Classification(SOUTH_SOUTH, "ssc-sector", "sector 15123")
    southern = sorted({p.country for p in flow.participants if _southern_provider(p, recipients, lists)})
    if southern and has_recipient:
        where = ", ".join(developing_recipients or flow.recipient_regions)
        if supporters or flow.facilitated:
            support = ", ".join(supporters) or "facilitator"
            return Classification(
                TRIANGULAR, "southern-provider-with-support", f"{', '.join(southern)} -> {where}; {support}"[:300]
            )
        return Classification(SOUTH_SOUTH, "southern-provider", f"{', '.join(southern)} -> {where}"[:300])
    if flow.collaboration_type in MULTILATERAL_COLLABORATIONS:
        return Classification(
            MULTILATERAL, "collaboration-type-multilateral", f"CollaborationType {flow.collaboration_type}"
        )
    providers = [p for p in flow.participants if p.role in PROVIDER_ROLES]
    dac = sorted({p.country or p.ref for p in providers if is_dac_member(p, lists) and not is_multilateral(p, lists)})
    if dac and has_recipient:
        where = ", ".join(developing_recipients or flow.recipient_regions)
        return Classification(NORTH_SOUTH, "dac-provider", f"{', '.join(dac)} -> {where}"[:300])
    multilateral = sorted({p.ref for p in providers if is_multilateral(p, lists)})
    if multilateral:
        return Classification(MULTILATERAL, "multilateral-provider", ", ".join(multilateral)[:300])
    return Classification(OTHER, "no-rule-matched", _why_other(flow, providers, has_recipient, lists)[:300])


def _southern_provider(participant: Participant, recipients: set[str], lists: ReferenceLists) -> bool:
    """A developing-country provider outside the recipient countries (implementing: public agencies only)."""
    if participant.country not in lists.oda_recipients or participant.country in recipients:
        return False
    if participant.role in PROVIDER_ROLES:
        return True
    return participant.role == IMPLEMENTING and participant.org_type in PUBLIC_TYPES


def _why_other(flow: Flow, providers: list[Participant], has_recipient: bool, lists: ReferenceLists) -> str:
    """The evidence of an "other" flow: what the rule could not find."""
    if not has_recipient:
        return "no developing recipient country or region"
    if not providers:
        return "no funding, accountable or extending organisation"
    countries = sorted({p.country for p in providers if p.country})
    if not countries:
        return "provider countries unknown"
    return "providers " + ", ".join(countries) + " are neither DAC members nor Southern providers abroad"


def recipients_from_implementers(participants: Iterable[Participant], lists: ReferenceLists) -> tuple[str, ...]:
    """Fallback recipients when an activity names none: its implementing organisations' ODA countries."""
    return tuple(
        sorted({p.country for p in participants if p.role == IMPLEMENTING and p.country in lists.oda_recipients})
    )


def flow_of_activity(activity: dict[str, Any], country_of: Callable[[str], str]) -> Flow:
    """The flow of a canonical IATI activity; ``country_of(ref)`` gives an organisation's ISO alpha-2 country."""
    participants = tuple(
        Participant(org["role"], org["ref"], org["type"], country_of(org["ref"]) if org["ref"] else "")
        for org in activity["participating_orgs"]
    )
    reporting = activity["reporting_org"]
    participants = with_reporting_provider(
        participants,
        Participant("3", reporting.get("ref", ""), reporting.get("type", ""), country_of(reporting.get("ref", ""))),
    )
    countries = tuple(c["code"] for c in activity["recipient_countries"])
    regions = tuple(r["code"] for r in activity["recipient_regions"] if r["vocabulary"] in ("", "1"))
    if not countries and not regions:
        classifications = [t["classifications"] for t in activity["transactions"]]
        countries, regions = transaction_recipients(classifications)
    if not countries and not regions:
        countries = recipients_from_implementers(participants, reference_lists())
    sectors = tuple(s["code"] for s in activity["sectors"] if s["vocabulary"] in ("", "1"))
    return Flow(participants, countries, regions, activity["collaboration_type"], sectors)


def with_reporting_provider(participants: tuple[Participant, ...], reporting: Participant) -> tuple[Participant, ...]:
    """Participants, plus the reporting organisation as provider when no provider can be placed.

    A publisher that names no funding, accountable or extending organisation, or names them without
    an identifier, reports its own activity (IATI: the reporting organisation is "the organisation
    issuing the report").
    """
    if reporting.ref and not any(p.role in PROVIDER_ROLES and (p.ref or p.country) for p in participants):
        return (*participants, reporting)
    return participants


def transaction_recipients(classifications: Iterable[dict[str, Any]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Recipient countries and DAC regions given on transactions (IATI allows them there instead)."""
    countries, regions = set(), set()
    for item in classifications:
        if item.get("recipient_country"):
            countries.add(item["recipient_country"]["code"])
        region = item.get("recipient_region")
        if region and region.get("vocabulary", "") in ("", "1"):
            regions.add(region["code"])
    return tuple(sorted(countries)), tuple(sorted(regions))


def flow_of_initiative(initiative: Any, iso3_to_iso2: dict[str, str]) -> Flow:
    """The flow of a stored initiative: its IATI participants, else the catalogue's own relations.

    Catalogue relations count as IATI roles: funders = funding (1), providers = extending (3),
    recipients = implementing (4); a facilitator makes a Southern exchange triangular.
    """

    lists = reference_lists()

    def country(organisation: Any) -> str:
        return iso3_to_iso2.get(organisation.country_id or "", "") if organisation is not None else ""

    parts = list(initiative.participating_orgs.all())
    if parts:
        participants = tuple(
            Participant(p.role, p.ref, p.org_type, country(p.organisation) or ref_country(p.ref, lists)) for p in parts
        )
    else:
        participants = tuple(
            Participant(role, o.iati_identifier, o.organisation_type, country(o))
            for role, relation in (
                ("1", initiative.funders),
                ("3", initiative.providers),
                ("4", initiative.recipients),
                ("1", initiative.facilitators),
            )
            for o in relation.all()
        )
    if initiative.iati_reporting_org_ref:
        reporting_type = (initiative.iati_details or {}).get("reporting_org", {}).get("type", "")
        participants = with_reporting_provider(
            participants,
            Participant(
                "3",
                initiative.iati_reporting_org_ref,
                reporting_type,
                ref_country(initiative.iati_reporting_org_ref, lists),
            ),
        )
    countries = tuple(sorted(iso3_to_iso2.get(c.code, "") for c in initiative.recipient_countries.all()))
    shares = list(initiative.recipient_country_shares.all())
    if shares:
        countries = tuple(s.code for s in shares)
    regions = tuple(r.code for r in initiative.recipient_region_shares.all() if r.vocabulary in ("", "1"))
    if not countries and not regions:
        countries, regions = transaction_recipients(t.classifications for t in initiative.transactions.all())
    if not countries and not regions:
        countries = recipients_from_implementers(participants, reference_lists())
    sectors = tuple(
        sorted(
            {s.code for s in initiative.sectors.all()}
            | {s.code for s in initiative.sector_shares.all() if s.vocabulary in ("", "1")}
        )
    )
    return Flow(
        participants,
        tuple(c for c in countries if c),
        regions,
        initiative.collaboration_type,
        sectors,
        facilitated=not parts and initiative.facilitators.exists(),
    )


def classify_queryset(queryset: Any, counts: dict[str, int] | None = None, batch_size: int = 500) -> int:
    """Classify the initiatives of ``queryset``; store, log and re-index changed verdicts; return how many changed."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from coopatlas.core.models import ChangeRecord
    from coopatlas.geo.models import Country
    from coopatlas.iati.importer.upsert import refresh_derived

    iso3_to_iso2 = dict(Country.objects.exclude(iso2="").values_list("code", "iso2"))
    lists = reference_lists()
    fields = ("cooperation_type", "cooperation_type_rule", "cooperation_type_evidence")
    queryset = queryset.prefetch_related(
        "participating_orgs__organisation",
        "recipient_country_shares",
        "recipient_region_shares",
        "sector_shares",
        "transactions",
        "funders",
        "providers",
        "recipients",
        "facilitators",
        "recipient_countries",
        "sectors",
    ).order_by("pk")
    changed_total, last_pk = 0, 0
    content_type = ContentType.objects.get_for_model(queryset.model)
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return changed_total
        last_pk = batch[-1].pk
        changed, logs = [], []
        for initiative in batch:
            verdict = classify(flow_of_initiative(initiative, iso3_to_iso2), lists)
            if counts is not None:
                counts[verdict.cooperation_type] = counts.get(verdict.cooperation_type, 0) + 1
            old = tuple(getattr(initiative, name) for name in fields)
            new = (verdict.cooperation_type, verdict.rule, verdict.evidence)
            if old != new:
                for name, value in zip(fields, new, strict=True):
                    setattr(initiative, name, value)
                changed.append(initiative)
                logs.append(
                    ChangeRecord(
                        content_type=content_type,
                        object_id=initiative.pk,
                        action=ChangeRecord.Action.UPDATE,
                        version=initiative.version,
                        changes={"cooperation_type": [old[0], new[0]]},
                        comment="classified by the cooperation-type rule",
                    )
                )
        with transaction.atomic():
            queryset.model.objects.bulk_update(changed, fields)
            ChangeRecord.objects.bulk_create(logs)
            refresh_derived(changed)
        changed_total += len(changed)
