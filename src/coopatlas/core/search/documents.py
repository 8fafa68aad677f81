"""What the index holds for each kind of record: a registry of ``IndexedType`` and the document builder.

A document is plain data built from one record and the reference maps (countries -> regions,
commissions, groups; SDG targets -> goals; DAC sectors -> categories). Relations are read from the
many-to-many tables in one query per relation per batch, so indexing 1,000 records costs the same
handful of queries as indexing one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db import models

from coopatlas.core.models import CatalogueRecord
from coopatlas.core.search.text import clean_text, index_form

#: Longest summary kept for display (characters).
SUMMARY_LENGTH = 300


@dataclass(frozen=True)
class IndexedType:
    """How one record model is indexed: which fields give the title, text and facet values."""

    record_type: str
    model_label: str
    title_field: str
    text_fields: tuple[str, ...]
    summary_field: str
    url_name: str
    countries: tuple[str, ...] = ()
    sdg_goals: tuple[str, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    status_field: str | None = None
    #: (facet, field) pairs: a plain field of the record whose non-empty value is a facet value.
    facet_fields: tuple[tuple[str, str], ...] = ()

    @property
    def model(self) -> type[CatalogueRecord]:
        return apps.get_model(self.model_label)

    def relation_fields(self) -> tuple[str, ...]:
        """Every field that yields facet values (foreign keys and many-to-many)."""
        return self.countries + self.sdg_goals + self.sdg_targets + self.sectors + self.modalities


#: Every record type the catalogue search covers. Contact details (names, e-mails, phones) are never
#: indexed: snippets are shown to anonymous visitors.
INDEXED_TYPES: dict[str, IndexedType] = {
    t.record_type: t
    for t in (
        IndexedType(
            "solution",
            "catalogue.Solution",
            "title",
            ("summary", "challenge", "solution", "results", "sustainability", "replication"),
            "summary",
            "catalogue:solution-detail",
            countries=("countries_applied", "countries_replicated"),
            sdg_goals=("sdg_goals",),
            sdg_targets=("sdg_targets",),
            sectors=("sectors",),
            modalities=("modalities",),
            status_field="status",
        ),
        IndexedType(
            "need",
            "catalogue.Need",
            "title",
            ("description", "rationale"),
            "description",
            "catalogue:need-detail",
            countries=("country",),
            sdg_targets=("sdg_targets",),
            sectors=("sectors",),
            modalities=("modalities",),
            status_field="status",
        ),
        IndexedType(
            "initiative",
            "initiatives.Initiative",
            "title",
            ("description", "results_summary", "iati_identifier"),
            "description",
            "initiatives:initiative-detail",
            countries=("recipient_countries",),
            sdg_targets=("sdg_targets",),
            sectors=("sectors",),
            modalities=("modalities",),
            status_field="activity_status",
            facet_fields=(("cooperation_type", "cooperation_type"),),
        ),
        IndexedType(
            "partnership",
            "catalogue.Partnership",
            "title",
            ("description",),
            "description",
            "catalogue:partnership-detail",
            countries=("countries",),
            sdg_targets=("sdg_targets",),
            sectors=("sectors",),
            modalities=("modalities",),
            status_field="status",
        ),
        IndexedType(
            "organisation",
            "catalogue.Organisation",
            "name",
            ("acronym", "description", "iati_identifier"),
            "description",
            "catalogue:organisation-detail",
            countries=("country",),
        ),
        IndexedType(
            "expert",
            "catalogue.Expert",
            "name",
            ("expertise",),
            "expertise",
            "catalogue:expert-detail",
            countries=("countries_experience",),
            sdg_goals=("sdg_goals",),
            sectors=("sectors",),
            status_field="availability",
        ),
    )
}


def indexed_type_of(record: models.Model) -> IndexedType | None:
    """The ``IndexedType`` of a record instance, or None when its model is not searchable."""
    indexed = INDEXED_TYPES.get(getattr(record, "RECORD_TYPE", ""))
    return indexed if indexed and isinstance(record, indexed.model) else None


@dataclass(frozen=True)
class CountryFacts:
    """What a country adds to a record's facets besides itself."""

    region: str | None
    subregion: str | None
    commissions: tuple[str, ...]
    groups: tuple[str, ...]
    income_group: str


@dataclass
class ReferenceMaps:
    """Reference data needed to derive facet values: loaded once per batch (or once for a reindex)."""

    countries: dict[str, CountryFacts] = field(default_factory=dict)
    target_goals: dict[str, str] = field(default_factory=dict)
    sector_categories: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        countries: Collection[str] | None = None,
        targets: Collection[str] | None = None,
        sectors: Collection[str] | None = None,
    ) -> ReferenceMaps:
        """Load the facts of the given codes (None: all of them; empty: none, without a query)."""
        from coopatlas.geo.models import Country
        from coopatlas.iati.models import Sector
        from coopatlas.indicators.models import SdgTarget

        def scoped(qs: models.QuerySet, codes: Collection[str] | None) -> models.QuerySet:
            return qs if codes is None else qs.filter(pk__in=codes)

        maps = cls()
        if countries is None or countries:
            commissions: dict[str, list[str]] = defaultdict(list)
            memberships = Country.commissions.through.objects.values_list("country_id", "regionalcommission_id")
            if countries is not None:
                memberships = memberships.filter(country_id__in=countries)
            for code, commission in memberships:
                commissions[code].append(commission)
            for country in scoped(Country.objects.all(), countries).only(
                "code", "region_id", "subregion_id", "is_ldc", "is_lldc", "is_sids", "income_group"
            ):
                maps.countries[country.code] = CountryFacts(
                    country.region_id,
                    country.subregion_id,
                    tuple(sorted(commissions[country.code])),
                    tuple(country.country_groups()),
                    country.income_group,
                )
        if targets is None or targets:
            maps.target_goals = dict(scoped(SdgTarget.objects.all(), targets).values_list("code", "goal_id"))
        if sectors is None or sectors:
            maps.sector_categories = dict(scoped(Sector.objects.all(), sectors).values_list("code", "category_id"))
        return maps


@dataclass
class SearchDocument:
    """Everything the index stores about one record (written by ``indexing.write_documents``)."""

    record_type: str
    object_id: int
    title: str
    titles: dict[str, str]
    summaries: dict[str, str]
    search_title: str
    search_body: str
    language: str
    workflow_status: str
    owner_id: int | None
    deleted_at: datetime | None
    updated_at: datetime
    facets: dict[str, set[str]]


def related_codes(indexed: IndexedType, records: list[CatalogueRecord]) -> dict[str, dict[int, list[str]]]:
    """{relation field: {record pk: [related pks]}} for every relation of ``indexed``, one query each."""
    model = indexed.model
    pks = [r.pk for r in records]
    codes: dict[str, dict[int, list[str]]] = {}
    for name in indexed.relation_fields():
        relation = model._meta.get_field(name)
        found: dict[int, list[str]] = defaultdict(list)
        if relation.many_to_many:
            through = getattr(model, name).through
            source = relation.m2m_field_name()
            target = relation.m2m_reverse_field_name()
            rows = through.objects.filter(**{f"{source}__in": pks}).values_list(f"{source}_id", f"{target}_id")
            for pk, code in rows:
                found[pk].append(str(code))
        else:
            for record in records:
                value = getattr(record, relation.attname)
                if value is not None:
                    found[record.pk].append(str(value))
        codes[name] = found
    return codes


def build_documents(
    indexed: IndexedType, records: list[CatalogueRecord], maps: ReferenceMaps | None = None
) -> list[SearchDocument]:
    """Documents for ``records`` (all of type ``indexed``); loads the reference facts they need."""
    relations = related_codes(indexed, records)
    if maps is None:
        maps = ReferenceMaps.load(
            countries=_all_codes(relations, indexed.countries),
            targets=_all_codes(relations, indexed.sdg_targets),
            sectors=_all_codes(relations, indexed.sectors),
        )
    return [_document(indexed, record, relations, maps) for record in records]


def _all_codes(relations: dict[str, dict[int, list[str]]], names: Iterable[str]) -> set[str]:
    return {code for name in names for codes in relations[name].values() for code in codes}


def _document(
    indexed: IndexedType, record: CatalogueRecord, relations: dict[str, dict[int, list[str]]], maps: ReferenceMaps
) -> SearchDocument:
    def codes(names: tuple[str, ...]) -> set[str]:
        return {code for name in names for code in relations[name].get(record.pk, [])}

    titles, summaries, title_texts, body_texts = _texts(indexed, record)
    countries = codes(indexed.countries)
    targets = codes(indexed.sdg_targets)
    sectors = codes(indexed.sectors)
    facts = [maps.countries[c] for c in countries if c in maps.countries]
    facets: dict[str, set[str]] = {
        "type": {indexed.record_type},
        "language": {record.language},
        "workflow_status": {record.workflow_status},
        "country": countries,
        "region": {f.region for f in facts if f.region},
        "subregion": {f.subregion for f in facts if f.subregion},
        "commission": {c for f in facts for c in f.commissions},
        "country_group": {g for f in facts for g in f.groups},
        "income_group": {f.income_group for f in facts if f.income_group},
        "sdg_goal": codes(indexed.sdg_goals) | {maps.target_goals[t] for t in targets if t in maps.target_goals},
        "sdg_target": targets,
        "sector": sectors,
        "sector_category": {maps.sector_categories[s] for s in sectors if s in maps.sector_categories},
        "modality": codes(indexed.modalities),
    }
    for facet, field_name in indexed.facet_fields:
        if getattr(record, field_name, None):
            facets[facet] = {str(getattr(record, field_name))}
    if indexed.status_field and getattr(record, indexed.status_field):
        facets["status"] = {f"{indexed.record_type}.{getattr(record, indexed.status_field)}"}
    title = clean_text(titles[record.language])
    return SearchDocument(
        record_type=indexed.record_type,
        object_id=record.pk,
        title=title[:500],
        titles=titles,
        summaries=summaries,
        search_title=index_form("\n".join(title_texts)),
        search_body=index_form("\n".join(body_texts)),
        language=record.language,
        workflow_status=record.workflow_status,
        owner_id=record.owner_organisation_id,
        deleted_at=record.deleted_at,
        updated_at=record.updated_at,
        facets={name: values for name, values in facets.items() if values},
    )


Texts = tuple[dict[str, str], dict[str, str], list[str], list[str]]


def _texts(indexed: IndexedType, record: CatalogueRecord) -> Texts:
    """Display titles/summaries by language, and the title and body texts to index (all languages)."""
    translations: dict[str, dict[str, str]] = record.translations or {}
    original_title = getattr(record, indexed.title_field) or ""
    titles = {record.language: original_title}
    summaries = {record.language: _summary(getattr(record, indexed.summary_field, ""))}
    for lang, fields in translations.items():
        if isinstance(fields, dict):
            if fields.get(indexed.title_field):
                titles[lang] = str(fields[indexed.title_field])
            if fields.get(indexed.summary_field):
                summaries[lang] = _summary(str(fields[indexed.summary_field]))
    # Organisations keep their names in other languages apart from the translations.
    for lang, name in (getattr(record, "names", None) or {}).items():
        if name:
            titles.setdefault(lang, str(name))
    body = [str(getattr(record, name) or "") for name in indexed.text_fields]
    body += [str(v) for v in (getattr(record, "acronyms", None) or {}).values() if v]
    for fields in translations.values():
        if isinstance(fields, dict):
            body += [str(text) for name, text in fields.items() if name != indexed.title_field and text]
    return titles, summaries, list(dict.fromkeys(titles.values())), [text for text in body if text]


def _summary(text: str | None) -> str:
    text = " ".join(clean_text(text).split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
