"""Build ``income_groups.csv`` from the WDI GNI-per-capita panel (run by hand; not used at run time).

Method: the World Bank classifies economies each 1 July by GNI per capita in current US dollars,
Atlas method (WDI series NY.GNP.PCAP.CD), of the previous calendar year, against fixed thresholds
("How are the income group thresholds determined?", World Bank Data Help Desk, and "World Bank
country classifications by income level for 2025-2026", World Bank Data Blog, 1 July 2025). This
script takes each country's latest available value and applies the FY2026 thresholds (based on
2024 GNI). Countries whose latest value is older than 2024 are classified on that older value with
the same thresholds; ``gni_year`` makes this visible. Countries with no value are left out, so the
loader leaves their income group blank.

Usage (from the repository root)::

    .venv/bin/python src/coopatlas/geo/data/build_income_groups.py \
        ../shared/data/indicators/panels/gni_per_capita_atlas_current_usd_wdi.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

#: FY2026 upper bounds (US$, inclusive) for low, lower-middle and upper-middle income; above is high.
FY2026_THRESHOLDS: tuple[tuple[int, str], ...] = ((1135, "L"), (4495, "LM"), (13935, "UM"))
HIGH_INCOME = "H"

DEFAULT_PANEL = Path("../shared/data/indicators/panels/gni_per_capita_atlas_current_usd_wdi.csv")
OUTPUT = Path(__file__).with_name("income_groups.csv")


def income_group(gni_per_capita: float) -> str:
    """The World Bank income group code (L, LM, UM, H) of a GNI per capita under FY2026 thresholds."""
    for upper_bound, group in FY2026_THRESHOLDS:
        if gni_per_capita <= upper_bound:
            return group
    return HIGH_INCOME


def latest_values(panel: Path) -> dict[str, tuple[int, float]]:
    """Each ISO3 country's latest (year, value) in the tidy panel (rows without ISO3 are aggregates or Kosovo)."""
    latest: dict[str, tuple[int, float]] = {}
    with panel.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            iso3, year, value = row["iso3"].strip(), row["year"].strip(), row["value"].strip()
            if not (iso3 and year and value):
                continue
            if iso3 not in latest or int(year) > latest[iso3][0]:
                latest[iso3] = (int(year), float(value))
    return latest


def write_income_groups(latest: dict[str, tuple[int, float]], output: Path) -> int:
    """Write iso3, gni_year, gni_per_capita, income_group sorted by ISO3; return the number of rows."""
    with output.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["iso3", "gni_year", "gni_per_capita", "income_group"])
        for iso3, (year, value) in sorted(latest.items()):
            writer.writerow([iso3, year, format(value, "f").rstrip("0").rstrip("."), income_group(value)])
    return len(latest)


def main(argv: list[str]) -> int:
    """Command-line entry point: optional path to the panel CSV."""
    panel = Path(argv[1]) if len(argv) > 1 else DEFAULT_PANEL
    count = write_income_groups(latest_values(panel), OUTPUT)
    sys.stdout.write(f"{OUTPUT}: {count} countries\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
