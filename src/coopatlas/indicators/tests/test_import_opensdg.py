"""``coopatlas import_opensdg``: series, observations and progress settings from an Open SDG repository."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import call_command

from coopatlas.indicators.models import Area, Observation, ProgressConfiguration, Series
from coopatlas.indicators.tests.opensdg_helpers import FIXTURE


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_canada_fixture_imports_with_its_counts(db: Any) -> None:
    report = json.loads(run("import_opensdg", str(FIXTURE), "--country", "CAN", "--dataset", "canada", "--json"))
    assert {k: report[k] for k in ("files", "indicators", "series", "observations", "configurations", "refused")} == {
        "files": 7, "indicators": 7, "series": 26, "observations": 501, "configurations": 7, "refused": 0,
    }  # fmt: skip
    assert report["rows_without_value"] == 0
    series = Series.objects.get(dataset__code="canada", indicator_code="1-2-1")
    assert (series.code, series.unit, series.sdg_indicator_id) == ("", "", "1.2.1")
    assert Observation.objects.filter(series=series).headline().count() == 9
    config = ProgressConfiguration.objects.get(dataset__code="canada", indicator_code="1-2-1")
    assert (config.auto_progress_calculation, config.options) == (True, [{"direction": "negative", "target": 7.25}])


def test_sub_national_rows_belong_to_areas_under_the_country(db: Any) -> None:
    run("import_opensdg", str(FIXTURE), "--country", "CAN", "--dataset", "canada")
    ontario = Area.objects.get(kind=Area.Kind.SUBNATIONAL, code="35")
    assert (ontario.parent.code, ontario.country_id, ontario.names) == ("CAN", "CAN", {"en": "Ontario"})


def test_a_second_import_replaces_rather_than_duplicates(db: Any) -> None:
    run("import_opensdg", str(FIXTURE), "--country", "CAN", "--dataset", "canada")
    run("import_opensdg", str(FIXTURE), "--country", "CAN", "--dataset", "canada")
    assert Observation.objects.filter(series__dataset__code="canada").count() == 501


def test_progress_from_the_database_equals_progress_from_the_files(db: Any) -> None:
    run("import_opensdg", str(FIXTURE), "--country", "CAN", "--dataset", "canada")
    from_files = json.loads(run("progress", "--method", "opensdg", "--source", str(FIXTURE), "--json"))
    from_database = json.loads(run("progress", "--method", "opensdg", "--dataset", "canada", "--json"))
    assert from_database == from_files
    assert from_database["1-2-1"]["progress_status"] == "substantial_progress"


def test_bad_files_are_reported_and_the_rest_imported(db: Any, tmp_path: Any) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "indicator_1-1-1.csv").write_text("Year,Amount\n2015,1\n", encoding="utf-8")
    (tmp_path / "data" / "indicator_1-2-1.csv").write_text("Year,Value\n2015,1\n2016,x\n", encoding="utf-8")
    report = json.loads(run("import_opensdg", str(tmp_path), "--country", "CAN", "--json"))
    assert report["refusals"] == [
        {"file": "indicator_1-1-1.csv", "line": 0, "reason": "missing column Value"},
        {"file": "indicator_1-2-1.csv", "line": 3, "reason": "Value 'x' is not a number"},
    ]
    assert report["observations"] == 1


def test_an_unknown_country_is_refused(db: Any) -> None:
    report = json.loads(run("import_opensdg", str(FIXTURE), "--country", "XXX", "--json"))
    assert (report["observations"], report["refusals"][0]["reason"]) == (0, "unknown country 'XXX' (ISO alpha-3 expected)")
