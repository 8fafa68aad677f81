"""Re-importing is an upsert keyed by iati-identifier and reporting organisation: idempotent, newest wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from coopatlas.core.models import ChangeRecord
from coopatlas.iati.importer import ImportConfig, import_files
from coopatlas.initiatives.models import Initiative

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
IDENTIFIER = "GB-1-103662-101"
TITLE = "PROCOFSERVICES and P0220 for Civil Ser. Cap. Bldng. Liberia"

pytestmark = pytest.mark.django_db


def _variant(tmp_path: Path, last_updated: str, title: str) -> Path:
    """The real FCDO activity with another last-updated-datetime and title."""
    text = FCDO.read_text(encoding="utf-8")
    text = text.replace('last-updated-datetime="2010-03-31T00:00:00"', f'last-updated-datetime="{last_updated}"')
    path = tmp_path / f"fcdo-{last_updated[:4]}.xml"
    path.write_text(text.replace(TITLE, title), encoding="utf-8")
    return path


def _history(initiative: Initiative) -> list[str]:
    return list(
        ChangeRecord.objects.filter(content_type__model="initiative", object_id=initiative.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_importing_the_same_file_twice_changes_nothing() -> None:
    import_files([FCDO])
    before = Initiative.objects.get(iati_identifier=IDENTIFIER)
    parts = before.transactions.count(), before.participating_orgs.count()
    report = import_files([FCDO])
    assert report.totals == {"read": 1, "created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    after = Initiative.objects.get(iati_identifier=IDENTIFIER)
    assert (after.version, after.updated_at, after.iati_imported_at) == (
        before.version,
        before.updated_at,
        before.iati_imported_at,
    )
    assert (after.transactions.count(), after.participating_orgs.count()) == parts
    assert _history(after) == ["create"]


def test_a_newer_last_updated_datetime_replaces_the_stored_activity_and_is_logged(tmp_path: Path) -> None:
    import_files([FCDO])
    report = import_files([_variant(tmp_path, "2021-06-01T00:00:00", "Civil service capacity building, Liberia")])
    assert report.totals["updated"] == 1
    initiative = Initiative.objects.get(iati_identifier=IDENTIFIER)
    assert initiative.title == "Civil service capacity building, Liberia" and initiative.version == 2
    assert Initiative.objects.filter(iati_identifier=IDENTIFIER).count() == 1
    assert initiative.transactions.count() == 14  # parts are replaced, not added again
    assert _history(initiative) == ["create", "update"]
    update = ChangeRecord.objects.filter(object_id=initiative.pk, action="update").get()
    assert update.changes["title"] == [TITLE, "Civil service capacity building, Liberia"]
    assert "transactions" not in update.changes


def test_an_older_version_of_an_activity_does_not_replace_a_newer_one(tmp_path: Path) -> None:
    import_files([_variant(tmp_path, "2021-06-01T00:00:00", "Newer title")])
    report = import_files([_variant(tmp_path, "2015-01-01T00:00:00", "Older title")])
    assert report.totals["unchanged"] == 1
    assert Initiative.objects.get(iati_identifier=IDENTIFIER).title == "Newer title"
    older = [p for p in report.problems if p.rule == "import.older"]
    assert len(older) == 1 and older[0].severity == "warning" and older[0].activity == IDENTIFIER


def test_the_same_identifier_from_another_reporting_organisation_is_another_record(tmp_path: Path) -> None:
    import_files([FCDO])
    other = tmp_path / "other-publisher.xml"
    other.write_text(
        FCDO.read_text(encoding="utf-8").replace('<reporting-org ref="GB-GOV-1"', '<reporting-org ref="GB-COH-2732176"')
    )
    report = import_files([other])
    assert report.totals["created"] == 1
    assert sorted(
        Initiative.objects.filter(iati_identifier=IDENTIFIER).values_list("iati_reporting_org_ref", flat=True)
    ) == ["GB-COH-2732176", "GB-GOV-1"]


def test_an_activity_deleted_in_coopatlas_is_not_brought_back_by_an_import(tmp_path: Path) -> None:
    import_files([FCDO])
    Initiative.objects.filter(iati_identifier=IDENTIFIER).update(deleted_at=timezone.now())
    report = import_files([_variant(tmp_path, "2021-06-01T00:00:00", "Newer title")])
    assert report.totals["rejected"] == 1
    assert [p.rule for p in report.problems] == ["import.deleted"]
    assert Initiative.objects.get(iati_identifier=IDENTIFIER).title == TITLE


def test_a_contributor_cannot_update_activities_owned_by_another_organisation(personas, tmp_path: Path) -> None:
    import_files([FCDO], ImportConfig(owner_id=personas.org_b.pk))
    newer = _variant(tmp_path, "2021-06-01T00:00:00", "Newer title")
    refused = import_files([newer], ImportConfig(user=personas.contributor_a, owner_id=personas.org_a.pk))
    assert refused.totals["rejected"] == 1 and refused.problems[0].rule == "import.not-permitted"
    assert Initiative.objects.get(iati_identifier=IDENTIFIER).title == TITLE
    allowed = import_files([newer], ImportConfig(user=personas.contributor_b, owner_id=personas.org_b.pk))
    assert allowed.totals["updated"] == 1
    initiative = Initiative.objects.get(iati_identifier=IDENTIFIER)
    assert initiative.owner == personas.org_b and initiative.title == "Newer title"
    assert ChangeRecord.objects.filter(object_id=initiative.pk, action="update").get().user == personas.contributor_b


def test_a_moderator_may_update_any_organisations_activities(personas, tmp_path: Path) -> None:
    import_files([FCDO], ImportConfig(owner_id=personas.org_b.pk))
    report = import_files(
        [_variant(tmp_path, "2021-06-01T00:00:00", "Newer title")], ImportConfig(user=personas.moderator)
    )
    assert report.totals["updated"] == 1
    assert Initiative.objects.get(iati_identifier=IDENTIFIER).owner == personas.org_b


def test_a_repeated_identifier_in_one_file_keeps_the_first_activity(tmp_path: Path) -> None:
    text = FCDO.read_text(encoding="utf-8")
    activity = text[text.index("<iati-activity ") : text.index("</iati-activities>")]
    doubled = tmp_path / "doubled.xml"
    doubled.write_text(
        text.replace("</iati-activities>", activity.replace(TITLE, "Second copy") + "</iati-activities>"),
        encoding="utf-8",
    )
    for _ in range(2):
        report = import_files([doubled])
        assert report.totals["rejected"] == 1
        assert [p.rule for p in report.problems if p.is_error] == ["1.1.2"]
    assert report.totals["unchanged"] == 1
    assert Initiative.objects.get(iati_identifier=IDENTIFIER).title == TITLE
