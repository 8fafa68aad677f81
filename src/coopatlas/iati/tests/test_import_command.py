"""``coopatlas import_iati``: the report as text or JSON, a progress bar on standard error, an exit status."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coopatlas.initiatives.models import IatiImport, Initiative

DATA = Path(__file__).resolve().parent / "data"
FCDO = DATA / "flattener-fixtures__fcdo-activity.xml"
ALBANIA = DATA / "iaticloud-oipa-media__dfid-albania-2.01.xml"

pytestmark = pytest.mark.django_db


def test_the_json_report_lists_files_counts_and_every_problem_with_its_place() -> None:
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_iati", str(ALBANIA), str(FCDO), "--json", stdout=out)
    assert failure.value.returncode == 1
    report = json.loads(out.getvalue())
    assert report["totals"] == {"read": 9, "created": 4, "updated": 0, "unchanged": 0, "rejected": 5}
    assert [(f["name"], f["created"], f["rejected"]) for f in report["files"]] == [
        (str(ALBANIA), 3, 5),
        (str(FCDO), 1, 0),
    ]
    first_error = next(p for p in report["problems"] if p["severity"] == "error")
    assert {k: first_error[k] for k in ("file", "activity", "line", "rule")} == {
        "file": str(ALBANIA),
        "activity": "GB-1-109616-101",
        "line": 99,
        "rule": "0.3.1",
    }
    assert first_error["message"] == "Element 'capital-spend': The attribute 'percentage' is required but missing."


def test_a_clean_import_prints_the_summary_and_records_the_run() -> None:
    out = StringIO()
    call_command("import_iati", str(FCDO), stdout=out)
    assert f"{FCDO}: 1 read, 1 created, 0 updated, 0 unchanged, 0 rejected" in out.getvalue()
    assert "1 file(s): 1 activities read, 1 created" in out.getvalue()
    run = IatiImport.objects.get()
    assert run.status == "done" and run.report["totals"]["created"] == 1
    assert Initiative.objects.get().iati_import == run


def test_the_progress_bar_goes_to_standard_error_with_activities_per_second(capsys: pytest.CaptureFixture) -> None:
    call_command("import_iati", str(FCDO), "--progress", stdout=StringIO())
    err = capsys.readouterr().err
    assert "\r[##############################] 100% flattener-fixtures__fcdo-activity.xml" in err
    assert "1 activities" in err and "/s" in err


def test_no_progress_bar_when_standard_error_is_not_a_terminal(capsys: pytest.CaptureFixture) -> None:
    call_command("import_iati", str(FCDO), stdout=StringIO())
    assert capsys.readouterr().err == ""


def test_a_folder_imports_every_xml_file_in_it_and_owner_sets_the_owning_organisation(personas) -> None:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_iati", str(DATA), "--owner", str(personas.org_a.pk), "--status", "draft", stdout=out)
    assert f"{len(list(DATA.glob('*.xml')))} file(s)" in out.getvalue()
    assert set(Initiative.objects.values_list("owner_id", flat=True)) == {personas.org_a.pk}
    assert set(Initiative.objects.values_list("workflow_status", flat=True)) == {"draft"}


def test_an_unknown_path_or_owner_is_an_error_before_anything_is_imported() -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_iati", "/nonexistent.xml")
    with pytest.raises(CommandError, match="no organisation"):
        call_command("import_iati", str(FCDO), "--owner", "XM-NOPE")
    assert not Initiative.objects.exists()


def test_allow_rejections_exits_cleanly_when_only_activities_were_rejected(tmp_path: Path) -> None:
    out = StringIO()
    call_command("import_iati", str(ALBANIA), "--allow-rejections", stdout=out)
    assert "3 created" in out.getvalue() and "5 rejected" in out.getvalue()
    broken = tmp_path / "truncated.xml"
    broken.write_bytes(FCDO.read_bytes()[:3000])
    with pytest.raises(CommandError, match="1 file\\(s\\) refused"):
        call_command("import_iati", str(broken), "--allow-rejections", stdout=StringIO())
