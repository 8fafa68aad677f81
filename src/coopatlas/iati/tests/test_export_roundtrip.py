"""Import -> export -> import leaves every record identical, on all 49 real activity files the product ships.

The files are the product's copy of ``shared/data/iati/activities`` (``iati/data/activities``), so
this test never needs ``../shared``. Activities that import with a warning that IATI 2.03 cannot
express them (IATI 1.0x data without participating organisations or dates) are left out of the
export, and only those.
"""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from coopatlas.iati.exporter import export_initiatives, load_activity, load_parts
from coopatlas.iati.importer import import_files
from coopatlas.iati.importer.upsert import delete_parts
from coopatlas.iati.validation.schemas import load_schema
from coopatlas.initiatives.models import Initiative
from coopatlas.reports.facts import bulk_changes

ACTIVITIES = Path(__file__).resolve().parent.parent / "data" / "activities"
#: What a record is besides its IATI activity: the catalogue fields the import derives.
RECORD_FIELDS = (
    "title",
    "description",
    "translations",
    "language",
    "budget",
    "currency",
    "activity_status",
    "cooperation_type",
    "cooperation_type_rule",
    "cooperation_type_evidence",
    "workflow_status",
    "owner_id",
    "reporting_org_id",
)
RELATIONS = ("providers", "recipients", "funders", "facilitators", "recipient_countries", "sectors", "sdg_targets")

pytestmark = pytest.mark.django_db


def _records() -> dict[tuple[str, str], dict[str, Any]]:
    """Every stored initiative as its canonical IATI activity plus its catalogue fields and relations."""
    initiatives = list(Initiative.objects.order_by("pk"))
    parts = load_parts([i.pk for i in initiatives])
    relations: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for name in RELATIONS:
        field = Initiative._meta.get_field(name)
        through = getattr(Initiative, name).through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        for pk, value in through.objects.order_by(source, target).values_list(source, target):
            relations[pk][name].append(value)
    records = {}
    for initiative in initiatives:
        record = load_activity(initiative, parts[initiative.pk])
        record.update({name: getattr(initiative, name) for name in RECORD_FIELDS})
        record.update({name: relations[initiative.pk][name] for name in RELATIONS})
        records[(initiative.iati_identifier, initiative.iati_reporting_org_ref)] = record
    return records


def test_every_real_file_round_trips_through_a_valid_iati_203_export(tmp_path: Path) -> None:
    files = sorted(ACTIVITIES.glob("*.xml"))
    assert len(files) == 49
    first = import_files(files)
    assert first.totals["created"] > 1200
    not_exportable = {(p.file, p.activity) for p in first.problems if p.rule == "import.not-exportable"}
    before = _records()

    stream = io.BytesIO()
    export = export_initiatives(Initiative.objects.all(), stream)
    document = etree.fromstring(stream.getvalue())
    schema = load_schema("2.03")
    assert schema.validate(document), [e.message for e in list(schema.error_log)[:5]]
    assert export.written == len(document) == len(before) - len(export.skipped)
    # Every record left out was announced by the import (a later, newer version may have replaced a warned one).
    assert {identifier for identifier, _ in export.skipped} <= {identifier for _, identifier in not_exportable}
    assert {reason for _, reason in export.skipped} <= {
        "missing participating-org",
        "missing activity-date",
        "missing activity-status",
        "missing reporting-org/@type",
        "missing participating-org, activity-status",
        "missing reporting-org/@type, activity-status",
    }

    with bulk_changes():  # the dashboard facts are rebuilt once, not per record
        delete_parts(list(Initiative.objects.values_list("pk", flat=True)))  # one statement per table
        Initiative.objects.all().delete()
    path = tmp_path / "export.xml"
    path.write_bytes(stream.getvalue())
    second = import_files([path])
    assert second.totals == {
        "read": export.written,
        "created": export.written,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert [p for p in second.problems if p.is_error] == []
    after = _records()
    exported = {(a.findtext("iati-identifier"), a.find("reporting-org").get("ref")) for a in document}
    differences = [
        (key, name) for key in sorted(exported) for name in before[key] if before[key][name] != after[key][name]
    ]
    assert differences == []
