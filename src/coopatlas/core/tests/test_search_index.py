"""The index follows the records: every record service, hard deletes, and ``coopatlas reindex``."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from coopatlas.catalogue.models import Expert, Need, Organisation, Partnership, Solution
from coopatlas.core import services
from coopatlas.core.models import SearchEntry, SearchFacetValue, SearchText, WorkflowStatus
from coopatlas.core.search.service import SearchParams, search
from coopatlas.core.tests.test_search_service import create
from coopatlas.initiatives.models import Initiative


def facets_of(record: Any) -> dict[str, set[str]]:
    entry = SearchEntry.objects.get(record_type=record.RECORD_TYPE, object_id=record.pk)
    found: dict[str, set[str]] = {}
    for facet, value in entry.facet_values.values_list("facet", "value"):
        found.setdefault(facet, set()).add(value)
    return found


def titles_found(q: str, user: Any = None) -> list[str]:
    return [hit.title for hit in search(SearchParams(q=q), user or AnonymousUser()).hits]


def test_a_new_record_is_indexed_with_facets_derived_from_reference_data(personas: Any) -> None:
    solution = create(
        Solution(
            owner=personas.org_a,
            title="Mangrove restoration",
            summary="Coastal protection.",
            language="en",
            translations={"fr": {"title": "Restauration des mangroves", "summary": "Protection côtière."}},
        ),
        personas.contributor_a,
        countries_applied=["FJI"],
        countries_replicated=["BOL"],
        sdg_goals=["13"],
        sdg_targets=["14.2"],
        sectors=["41030"],
        modalities=["peer-exchange"],
    )
    entry = SearchEntry.objects.get(record_type="solution", object_id=solution.pk)
    assert (entry.title, entry.language, entry.workflow_status, entry.owner_id) == (
        "Mangrove restoration",
        "en",
        "draft",
        personas.org_a.pk,
    )
    assert entry.text.titles == {"en": "Mangrove restoration", "fr": "Restauration des mangroves"}
    assert entry.text.summaries == {"en": "Coastal protection.", "fr": "Protection côtière."}
    assert facets_of(solution) == {
        "type": {"solution"},
        "language": {"en"},
        "workflow_status": {"draft"},
        "status": {"solution.ongoing"},
        "country": {"FJI", "BOL"},
        "region": {"009", "019"},
        "subregion": {"054", "419"},
        "commission": {"ESCAP", "ECLAC"},
        "country_group": {"SIDS", "LLDC"},
        "income_group": {"UM", "LM"},
        "sdg_goal": {"13", "14"},
        "sdg_target": {"14.2"},
        "sector": {"41030"},
        "sector_category": {"410"},
        "modality": {"peer-exchange"},
    }


def test_every_record_type_is_indexed(personas: Any) -> None:
    p = personas
    records = [
        create(Need(owner=p.org_b, title="Need", description="d", country_id="SEN"), p.contributor_b),
        create(
            Expert(owner=p.org_a, name="Ana Expert", expertise="Hydrology"),
            p.contributor_a,
            countries_experience=["PER"],
            sdg_goals=["6"],
        ),
        create(Partnership(owner=p.org_a, title="Partnership", description="d"), p.contributor_a, countries=["IND"]),
        create(Initiative(owner=p.org_a, title="Initiative", activity_status="3"), p.contributor_a),
    ]
    organisation = Organisation(
        name="Centro de Excelencia", acronym="CdE", names={"fr": "Centre d'excellence"}, language="es", country_id="MEX"
    )
    records.append(services.create_record(organisation, p.administrator))
    assert facets_of(records[1])["sdg_goal"] == {"6"}
    assert facets_of(records[1])["status"] == {"expert.available"}
    assert facets_of(records[2])["country"] == {"IND"}
    assert facets_of(records[3])["status"] == {"initiative.3"}
    assert facets_of(records[4])["country"] == {"MEX"}
    assert SearchEntry.objects.get(record_type="organisation", object_id=organisation.pk).owner_id == organisation.pk
    assert titles_found("CdE", p.administrator) == ["Centro de Excelencia"]


def test_publishing_makes_a_record_visible_to_everyone(personas: Any) -> None:
    need = create(
        Need(owner=personas.org_b, title="Irrigation pumps", description="d", country_id="SEN"), personas.contributor_b
    )
    assert titles_found("irrigation") == []
    services.transition(need, personas.contributor_b, "submit")
    services.transition(need, personas.moderator, "publish")
    assert titles_found("irrigation") == ["Irrigation pumps"]
    assert facets_of(need)["workflow_status"] == {"published"}


def test_an_edit_replaces_the_old_text_and_facets(personas: Any) -> None:
    need = create(
        Need(
            owner=personas.org_b,
            title="Irrigation pumps",
            description="d",
            country_id="SEN",
            workflow_status=WorkflowStatus.PUBLISHED,
        ),
        personas.contributor_b,
    )

    def edit(record: Any) -> None:
        record.title = "Solar irrigation"
        record.country_id = "KEN"

    services.update_record(need, personas.contributor_b, need.version, edit)
    assert titles_found("pumps") == []
    assert titles_found("solar") == ["Solar irrigation"]
    assert facets_of(need)["country"] == {"KEN"}
    assert SearchFacetValue.objects.filter(entry__object_id=need.pk, value="SEN").count() == 0


def test_soft_deleted_records_disappear_and_come_back_when_restored(personas: Any) -> None:
    need = create(
        Need(
            owner=personas.org_b,
            title="Irrigation pumps",
            description="d",
            country_id="SEN",
            workflow_status=WorkflowStatus.PUBLISHED,
        ),
        personas.contributor_b,
    )
    deleted = services.soft_delete(need, personas.contributor_b)
    for user in (None, personas.contributor_b, personas.moderator):
        assert titles_found("irrigation", user) == []
    assert SearchEntry.objects.get(object_id=need.pk, record_type="need").deleted_at is not None
    services.restore(deleted, personas.moderator)
    assert titles_found("irrigation") == ["Irrigation pumps"]


def test_a_record_deleted_for_good_leaves_the_index(personas: Any) -> None:
    need = create(
        Need(
            owner=personas.org_b,
            title="Irrigation pumps",
            description="d",
            country_id="SEN",
            workflow_status=WorkflowStatus.PUBLISHED,
        ),
        personas.contributor_b,
    )
    Need.objects.filter(pk=need.pk).delete()
    assert not SearchEntry.objects.filter(record_type="need", object_id=need.pk).exists()
    assert not SearchFacetValue.objects.filter(entry__object_id=need.pk, entry__record_type="need").exists()
    assert titles_found("irrigation") == []


def test_reindex_builds_entries_for_records_saved_outside_the_services(personas: Any) -> None:
    # Forget the personas' organisations, as if they had been saved with the ORM, bypassing the services.
    SearchEntry.objects.filter(record_type="organisation").delete()
    orphan = SearchEntry.objects.create(
        record_type="need", object_id=999_999, title="orphan", language="en", workflow_status="published"
    )
    SearchText.objects.create(entry=orphan, search_title="orphan")
    out = StringIO()
    call_command("reindex", stdout=out, verbosity=2, batch_size=1)
    assert "organisation: 2/2" in out.getvalue()
    assert "Indexed 2 records" in out.getvalue()
    assert titles_found("Agricultura") == []
    assert titles_found("Agriculture") == ["Ministère de l'Agriculture du Sénégal"]
    assert titles_found("orphan") == []
    assert not SearchEntry.objects.filter(object_id=999_999).exists()


def test_reindex_twice_changes_nothing(personas: Any) -> None:
    call_command("reindex", verbosity=0)
    before = sorted(SearchFacetValue.objects.values_list("entry__object_id", "facet", "value"))
    entries = SearchEntry.objects.count()
    call_command("reindex", "organisation", verbosity=0)
    assert SearchEntry.objects.count() == entries == 2
    assert sorted(SearchFacetValue.objects.values_list("entry__object_id", "facet", "value")) == before
    assert titles_found("Cooperacao") == ["Agência Brasileira de Cooperação"]


def test_reindex_refuses_unknown_record_types(db: Any) -> None:
    with pytest.raises(CommandError, match="Unknown record type"):
        call_command("reindex", "widgets", verbosity=0)
