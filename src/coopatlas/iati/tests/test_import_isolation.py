"""A bad activity or file is reported and skipped: never half-saved, never stopping the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import DataError

from coopatlas.catalogue.models import Organisation
from coopatlas.iati.importer import ImportConfig, import_files, records
from coopatlas.initiatives import models as m
from coopatlas.initiatives.models import Initiative

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
TEARFUND = DATA / "datastore-acceptance__tearfund-cd.xml"
TITLE = "PROCOFSERVICES and P0220 for Civil Ser. Cap. Bldng. Liberia"

pytestmark = pytest.mark.django_db


def _three_copies(tmp_path: Path) -> Path:
    """The real FCDO activity three times, with identifiers -A, -B, -C (B has its own implementing org)."""
    text = FCDO.read_text(encoding="utf-8")
    activity = text[text.index("<iati-activity ") : text.index("</iati-activities>")]
    copies = []
    for suffix in "ABC":
        copy = activity.replace("GB-1-103662-101</iati-identifier>", f"GB-1-103662-101-{suffix}</iati-identifier>")
        if suffix == "B":
            copy = copy.replace('ref="GB-COH-2732176" type="70" role="4"', 'ref="GB-COH-99999999" type="70" role="4"')
        copies.append(copy)
    path = tmp_path / "three.xml"
    path.write_text(text[: text.index("<iati-activity ")] + "".join(copies) + "</iati-activities>", encoding="utf-8")
    return path


def test_an_activity_the_database_refuses_is_rejected_without_a_trace_and_the_others_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_part_rows = records.part_rows

    def failing_part_rows(activity: dict[str, Any], *args: Any) -> Any:
        if activity["identifier"].endswith("-B"):
            raise DataError("value too long for type character varying(2)")
        return real_part_rows(activity, *args)

    monkeypatch.setattr(records, "part_rows", failing_part_rows)
    report = import_files([_three_copies(tmp_path)], ImportConfig(batch_size=10))
    assert report.totals == {"read": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    problem = next(p for p in report.problems if p.is_error)
    assert (problem.rule, problem.activity) == ("import.database", "GB-1-103662-101-B")
    assert "value too long" in problem.message
    assert sorted(Initiative.objects.values_list("iati_identifier", flat=True)) == [
        "GB-1-103662-101-A",
        "GB-1-103662-101-C",
    ]
    for initiative in Initiative.objects.all():
        assert initiative.transactions.count() == 14 and initiative.participating_orgs.count() == 3
    # Nothing of B is left: no initiative, no parts, not even the organisation only B named.
    assert not Organisation.objects.filter(iati_identifier="GB-COH-99999999").exists()
    assert m.Transaction.objects.count() == 28
    assert report.organisations_created == 2


def test_a_truncated_file_keeps_the_activities_before_the_break(tmp_path: Path) -> None:
    whole = _three_copies(tmp_path).read_text(encoding="utf-8")
    cut = whole.index("GB-1-103662-101-C") + 200
    truncated = tmp_path / "truncated.xml"
    truncated.write_text(whole[:cut], encoding="utf-8")
    report = import_files([truncated])
    assert report.files[0].refused.startswith("not well-formed XML: the file is truncated")
    assert report.totals["created"] == 2
    assert report.problems[-1].rule == "0.1.1" and report.problems[-1].file == str(truncated)


def test_a_file_that_is_not_xml_is_refused_and_the_next_file_is_imported(tmp_path: Path) -> None:
    binary = tmp_path / "photo.xml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    report = import_files([binary, FCDO])
    assert report.files[0].refused == "not XML: the file contains NUL bytes (binary data?)"
    assert report.files[1].created == 1
    assert Initiative.objects.get().title == TITLE


def test_a_file_with_an_external_entity_is_refused_without_reading_the_entity(tmp_path: Path) -> None:
    hostile = tmp_path / "xxe.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE iati-activities [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        '<iati-activities version="2.03"><iati-activity><iati-identifier>&secret;</iati-identifier>'
        "</iati-activity></iati-activities>",
        encoding="utf-8",
    )
    report = import_files([hostile])
    assert report.files[0].refused.startswith("refused: the document declares entities")
    assert "root:" not in str(report.to_dict())
    assert not Initiative.objects.exists()


def test_a_missing_identifier_or_reporting_organisation_rejects_only_that_activity(tmp_path: Path) -> None:
    text = TEARFUND.read_text(encoding="utf-8")
    broken = tmp_path / "no-identifier.xml"
    broken.write_text(text.replace("<iati-identifier>GB-CHC-265464-ZAI00598-0</iati-identifier>", ""), encoding="utf-8")
    report = import_files([broken, TEARFUND], ImportConfig(validation="none"))
    assert [f.rejected for f in report.files] == [1, 0]
    assert "import.no-identifier" in {p.rule for p in report.problems}
    assert Initiative.objects.get().iati_identifier == "GB-CHC-265464-ZAI00598-0"
