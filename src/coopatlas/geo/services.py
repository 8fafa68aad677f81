"""Geography services: load the shipped reference data (read -> map -> upsert -> report) and look up countries.

Sources (copied into ``geo/data``, see its README.md and docs/data-sources.md):
- ``country-codes.csv`` and ``unsd-m49/UNSD-*.csv``: datasets/country-codes (ODC-PDDL-1.0), which repackages
  the UNSD M49 standard (https://unstats.un.org/unsd/methodology/m49/) and UNTERM country names;
- ``regional_commissions.csv`` and ``regional_commission_names.csv``: each commission's member list;
- ``income_groups.csv``: World Bank income groups derived by ``build_income_groups.py``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from coopatlas.core.i18n import UN_LANGUAGES
from coopatlas.geo.models import Country, Region, RegionalCommission
from coopatlas.geo.sync import TableReport, sync_links, sync_rows

DATA_DIR = Path(__file__).resolve().parent / "data"

#: UNSD M49 export file suffix -> our language code (UNSD names Chinese "cn").
M49_FILE_LANGUAGES: dict[str, str] = {"en": "en", "fr": "fr", "es": "es", "ar": "ar", "cn": "zh-hans", "ru": "ru"}

#: Language code -> the word country-codes.csv uses in its UNTERM column names.
UNTERM_LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "zh-hans": "Chinese",
    "ru": "Russian",
}

#: Language code -> suffix of the ``official_name_*`` columns (UNSD M49 names), the fallback for short names.
OFFICIAL_NAME_SUFFIXES: dict[str, str] = {"en": "en", "fr": "fr", "es": "es", "ar": "ar", "zh-hans": "cn", "ru": "ru"}

#: M49 column prefixes of the hierarchy, from the top down, with the level each one names.
M49_LEVELS: tuple[tuple[str, str], ...] = (
    ("Global", Region.Level.WORLD),
    ("Region", Region.Level.REGION),
    ("Sub-region", Region.Level.SUBREGION),
    ("Intermediate Region", Region.Level.INTERMEDIATE),
)

# UNTERM marks non-member observer States with "*" and States not members of the UN with "**".
FOOTNOTE_MARK = re.compile(r"\s*\*+$")


@dataclass
class M49Area:
    """A region of the M49 hierarchy as read from the UNSD exports, before it becomes a Region row."""

    code: str
    level: str
    parent: str | None
    names: dict[str, str]


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file (with or without a byte-order mark) as dicts."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def m49_code(value: str) -> str:
    """An M49 code zero-padded to three digits ("2" -> "002"); blank stays blank."""
    value = value.strip()
    return value.zfill(3) if value else ""


def read_m49_areas(directory: Path = DATA_DIR / "unsd-m49") -> dict[str, M49Area]:
    """The M49 hierarchy with names in six languages, from the UNSD exports (UNSD-{ar,cn,en,es,fr,ru}.csv).

    Each export repeats a region's name on every country row, and a few rows spell it differently
    (e.g. 030 in Arabic and French); the most frequent spelling wins.
    """
    votes: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    levels: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for suffix, language in M49_FILE_LANGUAGES.items():
        for row in read_csv(directory / f"UNSD-{suffix}.csv"):
            parent: str | None = None
            for prefix, level in M49_LEVELS:
                code = m49_code(row[f"{prefix} Code"])
                if not code:
                    continue
                if parents.setdefault(code, parent) != parent or levels.setdefault(code, level) != level:
                    raise ValueError(f"M49 {code}: inconsistent parent or level in UNSD-{suffix}.csv")
                votes[code][language][row[f"{prefix} Name"].strip()] += 1
                parent = code
    return {
        code: M49Area(
            code=code,
            level=levels[code],
            parent=parents[code],
            names={language: counter.most_common(1)[0][0] for language, counter in by_language.items()},
        )
        for code, by_language in votes.items()
    }


def map_regions(areas: dict[str, M49Area]) -> list[dict[str, Any]]:
    """Region rows, parents before children."""
    depth = {level: index for index, (_, level) in enumerate(M49_LEVELS)}
    ordered = sorted(areas.values(), key=lambda area: (depth[area.level], area.code))
    return [{"code": a.code, "level": a.level, "parent_id": a.parent, "names": a.names} for a in ordered]


def clean_name(value: str) -> str:
    """A UNTERM name without its footnote mark ("State of Palestine (the) *" -> "State of Palestine (the)")."""
    return FOOTNOTE_MARK.sub("", value.strip())


def country_names(row: dict[str, str], kind: str) -> dict[str, str]:
    """UNTERM ``kind`` ("Short" or "Formal") names by language; short names fall back to the M49 names."""
    names = {}
    for language in UN_LANGUAGES:
        name = clean_name(row[f"UNTERM {UNTERM_LANGUAGES[language]} {kind}"])
        if not name and kind == "Short":
            name = row[f"official_name_{OFFICIAL_NAME_SUFFIXES[language]}"].strip()
        if name:
            names[language] = name
    return names


def read_name_overrides(path: Path = DATA_DIR / "country_name_overrides.csv") -> dict[str, dict[str, str]]:
    """Corrections to country short names, by ISO3 then language (each row gives its reason)."""
    overrides: dict[str, dict[str, str]] = defaultdict(dict)
    for row in read_csv(path):
        overrides[row["iso3"]][row["language"]] = row["name"]
    return overrides


def read_income_groups(path: Path = DATA_DIR / "income_groups.csv") -> dict[str, str]:
    """World Bank income group (L, LM, UM, H) by ISO3, as derived by ``build_income_groups.py``."""
    groups = {row["iso3"]: row["income_group"] for row in read_csv(path)}
    unknown = set(groups.values()) - set(Country.IncomeGroup.values)
    if unknown:
        raise ValueError(f"income_groups.csv: unknown income groups {sorted(unknown)}")
    return groups


def map_countries(
    rows: list[dict[str, str]],
    areas: dict[str, M49Area],
    overrides: dict[str, dict[str, str]],
    income_groups: dict[str, str],
) -> list[dict[str, Any]]:
    """Country rows from country-codes.csv, keeping only rows with an M49 code."""
    countries = []
    for row in rows:
        code, m49 = row["ISO3166-1-Alpha-3"].strip(), m49_code(row["M49"])
        if not (code and m49):
            continue
        hierarchy = [m49_code(row[f"{prefix} Code"]) or None for prefix, _level in M49_LEVELS[1:]]
        for area in hierarchy:
            if area and area not in areas:
                raise ValueError(f"{code}: M49 area {area} is not in the UNSD exports")
        countries.append(
            {
                "code": code,
                "iso2": row["ISO3166-1-Alpha-2"].strip(),
                "m49": m49,
                "names": country_names(row, "Short") | overrides.get(code, {}),
                "formal_names": country_names(row, "Formal"),
                "region_id": hierarchy[0],
                "subregion_id": hierarchy[1],
                "intermediate_region_id": hierarchy[2],
                "is_ldc": row["Least Developed Countries (LDC)"].strip() == "x",
                "is_lldc": row["Land Locked Developing Countries (LLDC)"].strip() == "x",
                "is_sids": row["Small Island Developing States (SIDS)"].strip() == "x",
                "income_group": income_groups.get(code, ""),
            }
        )
    return countries


def map_commissions(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """RegionalCommission rows from regional_commission_names.csv (official names in the six languages)."""
    return [
        {"code": row["code"], "source_url": row["source_url"], "names": {lang: row[lang] for lang in UN_LANGUAGES}}
        for row in rows
    ]


def map_memberships(rows: list[dict[str, str]], commissions: set[str], countries: set[str]) -> set[tuple[str, str]]:
    """(country, commission) pairs from regional_commissions.csv; members and associate members alike."""
    pairs = set()
    for row in rows:
        if row["commission"] not in commissions or row["iso3"] not in countries:
            raise ValueError(f"regional_commissions.csv: unknown commission or country in {row}")
        if row["membership"] not in ("member", "associate"):
            raise ValueError(f"regional_commissions.csv: membership must be member or associate in {row}")
        pairs.add((row["iso3"], row["commission"]))
    return pairs


def load_geography(data_dir: Path = DATA_DIR) -> list[TableReport]:
    """Upsert regions, regional commissions, countries and commission memberships from ``data_dir``."""
    areas = read_m49_areas(data_dir / "unsd-m49")
    countries = map_countries(
        read_csv(data_dir / "country-codes.csv"),
        areas,
        read_name_overrides(data_dir / "country_name_overrides.csv"),
        read_income_groups(data_dir / "income_groups.csv"),
    )
    commissions = map_commissions(read_csv(data_dir / "regional_commission_names.csv"))
    memberships = map_memberships(
        read_csv(data_dir / "regional_commissions.csv"),
        {row["code"] for row in commissions},
        {row["code"] for row in countries},
    )
    with transaction.atomic():
        return [
            sync_rows(Region, map_regions(areas), key=("code",)),
            sync_rows(RegionalCommission, commissions, key=("code",)),
            sync_rows(Country, countries, key=("code",)),
            sync_links(Country._meta.get_field("commissions"), memberships),
        ]


def country_names_index() -> dict[str, str]:
    """ISO3 by case-folded short and formal name in every language, from the Country table."""
    index: dict[str, str] = {}
    for code, names, formal_names in Country.objects.values_list("code", "names", "formal_names"):
        for name in [*names.values(), *formal_names.values()]:
            index.setdefault(name.casefold(), code)
    return index


def country_code_from_name_or_code(text: str, names_index: dict[str, str] | None = None) -> str | None:
    """The ISO3 code of a country given as ISO2, ISO3, M49 code or name, if it is in the Country table.

    Codes and exact names (UNTERM and M49, six languages) are looked up in our own table; other
    names go to hdx-python-country's fuzzy matcher (``Country.get_iso3_country_code_fuzzy``) on the
    OCHA countries file shipped inside that package (``use_live=False``: no network). Callers
    resolving many names pass ``names_index`` (from ``country_names_index``) to build it once.
    """
    value = text.strip()
    if not value:
        return None
    lookup: dict[str, str] = {}
    if value.isdigit() and len(value) <= 3:
        lookup = {"m49": value.zfill(3)}
    elif value.isascii() and value.isalpha() and len(value) in (2, 3):
        lookup = {"iso2" if len(value) == 2 else "code": value.upper()}
    if lookup:
        code = Country.objects.filter(**lookup).values_list("code", flat=True).first()
        if code:
            return code
    index = country_names_index() if names_index is None else names_index
    if value.casefold() in index:
        return index[value.casefold()]
    # Imported here: hdx pulls in a large dependency tree that most processes never need.
    from hdx.location.country import Country as HdxCountry

    iso3, _exact = HdxCountry.get_iso3_country_code_fuzzy(value, use_live=False)
    if iso3 and Country.objects.filter(code=iso3).exists():
        return str(iso3)
    return None
