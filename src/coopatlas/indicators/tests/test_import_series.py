"""``coopatlas import_series``: tidy CSV, SDMX-CSV and SDMX-ML files, refusals per file and row, and the exporters."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management import call_command

from coopatlas.indicators.export import to_csv, to_json, to_sdmx_csv, to_sdmx_xml
from coopatlas.indicators.import_series import observations_frame
from coopatlas.indicators.models import Area, Observation
from coopatlas.indicators.series_io import read_series_file

DATA = Path(__file__).resolve().parent / "data" / "series"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_tidy_sdmx_csv_and_sdmx_ml_give_the_same_observations(db: Any) -> None:
    files = [DATA / "under5_mortality_by_sex_sdgdb.csv", DATA / "sdg_sh_dyn_mort_bgd.sdmx.csv",
             DATA / "sdg_sh_dyn_mort_bgd.xml"]  # fmt: skip
    report = json.loads(run("import_series", *map(str, files), "--json"))
    assert [(f["format"], f["rows"], f["observations"], f["refused"]) for f in report["files"]] == [
        ("tidy", 45, 45, 0), ("sdmx-csv", 15, 15, 0), ("sdmx-ml", 15, 15, 0),
    ]  # fmt: skip
    tidy = Observation.objects.filter(series__dataset__code="tidy-under5_mortality_by_sex_sdgdb", area__code="BGD")
    sdmx_csv = Observation.objects.filter(series__dataset__code="tidy-sdg_sh_dyn_mort_bgd-sdmx")
    sdmx_ml = Observation.objects.filter(series__dataset__code="tidy-sdg_sh_dyn_mort_bgd")
    cells = {(o.year, o.dimensions.get("SEX", ""), o.value) for o in tidy}
    assert cells == {(o.year, o.dimensions.get("SEX", ""), o.value) for o in sdmx_csv}
    assert cells == {(o.year, o.dimensions.get("SEX", ""), o.value) for o in sdmx_ml}
    female_2015 = tidy.get(year=2015, dimension_key="SEX=F")
    assert (female_2015.value, female_2015.area.kind, tidy.get(year=2015, dimension_key="").value) == (35.2, "country", 37.5)
    assert sdmx_ml.get(year=2015, dimension_key="AGE=<5Y|SEX=F").value == 35.2


def test_bad_rows_are_refused_with_their_reasons(db: Any, tmp_path: Path) -> None:
    (tmp_path / "no_value.csv").write_text("iso3,year,amount\nBGD,2015,1\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text(
        "iso3,year,sex,value\nBGD,2015,female,1\nBGD,2016,female,x\nBGD,2017,alien,3\nBGD,2018,male,4\n"
        "BGD,2018,male,5\nBGD,2019,male,6\nBGD,2019,male,6\nXXX,2019,male,6\nBGD,20x9,male,6\n",
        encoding="utf-8",
    )
    report = json.loads(run("import_series", str(tmp_path / "no_value.csv"), str(tmp_path / "bad.csv"), "--json"))
    assert report["refusals"] == [
        {"file": "bad.csv", "line": 3, "reason": "Value 'x' is not a number"},
        {"file": "bad.csv", "line": 4, "reason": "unknown SEX value 'alien' (expected one of F, M, _T)"},
        {"file": "bad.csv", "line": 5, "reason": "duplicated row: same series, area, year and disaggregation as a later line with another value"},  # noqa: E501
        {"file": "bad.csv", "line": 6, "reason": "duplicated row: same series, area, year and disaggregation as line 5 with another value"},  # noqa: E501
        {"file": "bad.csv", "line": 8, "reason": "duplicated row: repeats line 7"},
        {"file": "bad.csv", "line": 9, "reason": "unknown ISO alpha-3 code 'XXX'"},
        {"file": "bad.csv", "line": 10, "reason": "Year '20x9' is not a year"},
        {"file": "no_value.csv", "line": 0, "reason": "missing column Value"},
    ]
    assert report["observations"] == 2


def test_groups_without_codes_and_extra_measures_are_kept(db: Any) -> None:
    report = json.loads(run("import_series", str(DATA / "oda_pct_gni_one_extract.csv"), "--json"))
    assert report["files"][0]["series"] == 2  # ODA/GNI and the ODA amount in constant 2025 USD
    assert report["observations"] == 56
    assert Area.objects.filter(kind=Area.Kind.COUNTRY, code="GBR").exists()


def test_exports_carry_the_same_rows_in_every_format(db: Any) -> None:
    run("import_series", str(DATA / "sdg_sh_dyn_mort_bgd.sdmx.csv"))
    frame = observations_frame(Observation.objects.filter(series__dataset__code="tidy-sdg_sh_dyn_mort_bgd-sdmx"))
    assert pl.read_csv(StringIO(to_csv(frame))).height == 15
    sdmx_csv = pl.read_csv(StringIO(to_sdmx_csv(frame)))
    assert sdmx_csv.columns[:5] == ["DATAFLOW", "SERIES", "REF_AREA", "SEX", "AGE"]
    assert sorted(sdmx_csv["SEX"].unique().to_list()) == ["F", "M", "_T"]
    assert sdmx_csv["REF_AREA"].unique().to_list() == [50]
    assert len(json.loads(to_json(frame))["rows"]) == 15
    xml = DATA.parent.parent / "exported.xml"
    try:
        xml.write_bytes(to_sdmx_xml(frame))
        again = read_series_file(xml)
        assert again.refusals == [] and again.frame is not None and again.frame.height == 15
    finally:
        xml.unlink(missing_ok=True)
