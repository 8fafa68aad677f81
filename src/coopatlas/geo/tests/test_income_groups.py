"""The derived World Bank income-group table and the script that builds it (geo/data/build_income_groups.py)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from coopatlas.geo.services import DATA_DIR

REPO_ROOT = Path(__file__).resolve().parents[4]
PANEL = REPO_ROOT.parent / "shared/data/indicators/panels/gni_per_capita_atlas_current_usd_wdi.csv"


def build_script() -> ModuleType:
    """The build script, imported from its file (geo/data is data, not a package)."""
    spec = importlib.util.spec_from_file_location("build_income_groups", DATA_DIR / "build_income_groups.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("gni", "group"),
    [(370, "L"), (1135, "L"), (1136, "LM"), (4495, "LM"), (4496, "UM"), (13935, "UM"), (13936, "H")],
)
def test_fy2026_thresholds_classify_gni_per_capita(gni: int, group: str) -> None:
    assert build_script().income_group(gni) == group


def test_shipped_table_matches_a_rebuild_from_the_wdi_panel(tmp_path: Path) -> None:
    if not PANEL.exists():
        pytest.skip(f"{PANEL} is not available (../shared is only present in development and CI)")
    script = build_script()
    rebuilt = tmp_path / "income_groups.csv"
    script.write_income_groups(script.latest_values(PANEL), rebuilt)
    assert rebuilt.read_text(encoding="utf-8") == (DATA_DIR / "income_groups.csv").read_text(encoding="utf-8")


def test_shipped_table_records_the_gni_year_used() -> None:
    with (DATA_DIR / "income_groups.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["iso3"]: row for row in csv.DictReader(stream)}
    assert rows["SEN"] == {"iso3": "SEN", "gni_year": "2024", "gni_per_capita": "1680", "income_group": "LM"}
    assert rows["SSD"]["gni_year"] == "2015"
