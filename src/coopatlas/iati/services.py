"""IATI services: load the shipped IATI codelists (read -> map -> upsert -> report).

Source: IATI/IATI-Codelists (version-2.03, embedded lists) and IATI/IATI-Codelists-NonEmbedded (master),
"IATI Standard" (CC BY 4.0; lists replicated from ISO, OECD DAC and the UN keep their owners' terms),
copied into ``iati/data/codelists`` as XML with a CSV rendering of each list (columns code, name,
name_fr, description, category, status, withdrawal_date). See that folder's README.md.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.db import transaction

from coopatlas.geo.sync import TableReport, sync_rows
from coopatlas.iati.models import CodelistItem, Sector, SectorCategory

CODELIST_DIR = Path(__file__).resolve().parent / "data" / "codelists" / "csv"

#: Codelists shipped but not loaded into CodelistItem, with the reason.
NOT_CODELIST_ITEMS: dict[str, str] = {
    "Sector": "loaded into the Sector model",
    "SectorCategory": "loaded into the SectorCategory model",
    "FileFormat": "IANA media types: 1,652 codes, some longer than CodelistItem.code allows, not used by the catalogue",
}

#: Codelists the catalogue and the IATI importer rely on; loading fails if one is missing.
REQUIRED_CODELISTS: tuple[str, ...] = (
    "OrganisationType",
    "OrganisationRole",
    "ActivityStatus",
    "Currency",
    "CollaborationType",
    "FlowType",
    "FinanceType",
    "AidType",
    "TiedStatus",
    "ActivityScope",
    "Language",
    "Country",
    "Region",
    "SectorVocabulary",
    "TagVocabulary",
    "TransactionType",
    "BudgetType",
    "DocumentCategory",
    "PolicyMarker",
    "PolicySignificance",
    "IndicatorMeasure",
    "ResultType",
)


def read_codelist(name: str, directory: Path = CODELIST_DIR) -> list[dict[str, str]]:
    """The rows of one codelist CSV."""
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def codelist_names(directory: Path = CODELIST_DIR) -> list[str]:
    """Names of the codelists to load into CodelistItem: every shipped CSV but NOT_CODELIST_ITEMS."""
    names = sorted(path.stem for path in directory.glob("*.csv") if path.stem not in NOT_CODELIST_ITEMS)
    missing = set(REQUIRED_CODELISTS) - set(names)
    if missing:
        raise ValueError(f"{directory}: required codelists missing: {sorted(missing)}")
    return names


def item_names(row: dict[str, str]) -> dict[str, str]:
    """Names by language: English always, French where the list has it."""
    names = {"en": row["name"].strip()}
    if row.get("name_fr", "").strip():
        names["fr"] = row["name_fr"].strip()
    return names


def is_active(row: dict[str, str]) -> bool:
    """Withdrawn codes are kept (old data uses them) but marked inactive."""
    return row["status"].strip() != "withdrawn"


def map_sector_categories(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """SectorCategory rows (DAC 3-digit codes)."""
    return [{"code": row["code"].strip(), "names": item_names(row)} for row in rows]


def map_sectors(rows: list[dict[str, str]], categories: set[str]) -> list[dict[str, Any]]:
    """Sector rows (DAC 5-digit purpose codes); the category is the code's first three digits."""
    sectors = []
    for row in rows:
        code = row["code"].strip()
        if len(code) != 5 or code[:3] not in categories:
            raise ValueError(f"Sector.csv: {code!r} is not a 5-digit code of a known category")
        sectors.append({"code": code, "category_id": code[:3], "names": item_names(row), "active": is_active(row)})
    return sectors


def map_codelist_items(codelist: str, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """CodelistItem rows of one codelist."""
    return [
        {
            "codelist": codelist,
            "code": row["code"].strip(),
            "names": item_names(row),
            "category": row["category"].strip(),
            "active": is_active(row),
        }
        for row in rows
    ]


def load_codelists(directory: Path = CODELIST_DIR) -> list[TableReport]:
    """Upsert DAC sector categories, sectors and the other codelists from the shipped CSVs."""
    categories = map_sector_categories(read_codelist("SectorCategory", directory))
    sectors = map_sectors(read_codelist("Sector", directory), {row["code"] for row in categories})
    items = [
        item for name in codelist_names(directory) for item in map_codelist_items(name, read_codelist(name, directory))
    ]
    with transaction.atomic():
        return [
            sync_rows(SectorCategory, categories, key=("code",)),
            sync_rows(Sector, sectors, key=("code",)),
            sync_rows(CodelistItem, items, key=("codelist", "code")),
        ]
