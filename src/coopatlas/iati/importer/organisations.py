"""Organisations of imported activities: found by IATI organisation identifier, created when new.

An IATI organisation identifier starts with the code of its registration agency, whose first two
letters are the agency's country (IATI guidance "Organisation identifiers",
https://iatistandard.org/en/guidance/preparing-organisation/organisation-account/how-to-create-your-iati-organisation-identifier/):
``GB-COH-…`` is a UK company, ``BR-CNPJ-…`` a Brazilian one; ``XM-``/``XI-``/``XE-`` prefixes are not
countries. New organisations get that country, their IATI type and name, and are published (they
exist in public IATI data); existing organisations are never changed by an import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from coopatlas.catalogue.models import Organisation
from coopatlas.core.audit import diff, snapshot
from coopatlas.core.models import ChangeRecord, User, WorkflowStatus
from coopatlas.geo.models import Country
from coopatlas.iati.classification import ref_country

NAME_LENGTH = Organisation._meta.get_field("name").max_length or 300
REF_LENGTH = Organisation._meta.get_field("iati_identifier").max_length or 150


def country_of_ref(ref: str, iso2_to_iso3: dict[str, str]) -> str | None:
    """The ISO alpha-3 code of the country an organisation identifier names, if any (``ref_country``)."""
    return iso2_to_iso3.get(ref_country(ref)) if ref else None


@dataclass
class KnownOrganisation:
    """What the importer needs to know about an organisation: its id and country (ISO alpha-3)."""

    pk: int
    country: str | None


@dataclass
class OrganisationResolver:
    """Organisations by IATI identifier, loaded once per import and extended as new ones are created."""

    user: User | None = None
    iso2_to_iso3: dict[str, str] = field(default_factory=dict)
    iso3_to_iso2: dict[str, str] = field(default_factory=dict)
    known: dict[str, KnownOrganisation] = field(default_factory=dict)
    created: list[Organisation] = field(default_factory=list)

    @classmethod
    def load(cls, user: User | None = None) -> OrganisationResolver:
        """A resolver knowing every organisation that has an IATI identifier (two queries)."""
        pairs = [(iso2, iso3) for iso3, iso2 in Country.objects.exclude(iso2="").values_list("code", "iso2")]
        resolver = cls(user=user, iso2_to_iso3=dict(pairs), iso3_to_iso2={iso3: iso2 for iso2, iso3 in pairs})
        rows = Organisation.objects.exclude(iati_identifier="").order_by("pk")
        for pk, ref, country in rows.values_list("pk", "iati_identifier", "country_id"):
            resolver.known.setdefault(ref.upper(), KnownOrganisation(pk, country))
        return resolver

    def get(self, ref: str) -> KnownOrganisation | None:
        """The organisation with this IATI identifier (case-insensitive), if known."""
        return self.known.get(ref.upper()) if ref else None

    def country_iso2(self, ref: str) -> str:
        """The ISO alpha-2 country of an organisation: its record's country, else its identifier's (``ref_country``)."""
        known = self.get(ref)
        if known is not None and known.country:
            return self.iso3_to_iso2.get(known.country, "")
        return ref_country(ref) if ref else ""

    def ensure(self, organisations: list[dict[str, Any]]) -> list[Organisation]:
        """Create (in one statement) the organisations not known yet; returns the new ones.

        ``organisations`` are canonical IATI organisations ({ref, type, narratives}); the first one
        seen for an identifier gives the name and type.
        """
        new: dict[str, Organisation] = {}
        now = timezone.now()
        for org in organisations:
            ref = org.get("ref", "")
            key = ref.upper()
            if not ref or len(ref) > REF_LENGTH or key in self.known or key in new:
                continue
            texts = org.get("narratives") or {}
            name = (texts.get("") or next(iter(texts.values()), "") or ref)[:NAME_LENGTH]
            new[key] = Organisation(
                name=name,
                iati_identifier=ref,
                organisation_type=org.get("type", "")[:3],
                country_id=country_of_ref(ref, self.iso2_to_iso3),
                names={lang: text[:NAME_LENGTH] for lang, text in texts.items() if lang},
                workflow_status=WorkflowStatus.PUBLISHED,
                published_at=now,
                created_at=now,
                updated_at=now,
                created_by=self.user if self.user is not None and self.user.is_authenticated else None,
            )
        created = Organisation.objects.bulk_create(list(new.values()))
        for organisation in created:
            self.known[organisation.iati_identifier.upper()] = KnownOrganisation(
                organisation.pk, organisation.country_id
            )
        self.created.extend(created)
        return created

    def forget(self, organisations: list[Organisation]) -> None:
        """Drop organisations whose creation was rolled back."""
        for organisation in organisations:
            self.known.pop(organisation.iati_identifier.upper(), None)
        gone = {id(o) for o in organisations}
        self.created = [o for o in self.created if id(o) not in gone]


def log_created(organisations: list[Organisation], user: User | None, comment: str) -> None:
    """One ``ChangeRecord`` per new organisation, in one statement."""
    if not organisations:
        return
    content_type = ContentType.objects.get_for_model(Organisation)
    actor = user if user is not None and user.is_authenticated else None
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                content_type=content_type,
                object_id=o.pk,
                user=actor,
                action=ChangeRecord.Action.CREATE,
                changes=diff({}, snapshot(_unsaved_copy(o))),
                comment=comment,
                version=o.version,
            )
            for o in organisations
        ]
    )


def _unsaved_copy(record: Any) -> Any:
    """A copy without primary key, so ``snapshot`` reads its fields without querying relations."""
    copy = type(record)(**{f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields})
    copy.pk = None
    return copy
