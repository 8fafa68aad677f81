"""Indicator services: load the SDG global indicator framework in the six UN languages (read -> map -> upsert).

Source: open-sdg/sdg-translations (MIT), ``translations/<lang>/global_{goals,targets,indicators}.yml``,
copied into ``indicators/data/framework`` (see its README.md). The text is the UN global indicator
framework (A/RES/71/313 and its annual refinements) and its official translations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from coopatlas.geo.sync import TableReport, sync_rows
from coopatlas.indicators.models import SdgGoal, SdgIndicator, SdgTarget

FRAMEWORK_DIR = Path(__file__).resolve().parent / "data" / "framework"

#: Our language code -> the sdg-translations folder name.
FRAMEWORK_LANGUAGES: dict[str, str] = {"en": "en", "fr": "fr", "es": "es", "ar": "ar", "zh-hans": "zh-Hans", "ru": "ru"}

# Keys as sdg-translations writes them: "6-title", "6-short", "6-a-title", "6-a-1-title".
GOAL_KEY = re.compile(r"^(?P<goal>\d+)-(?P<kind>title|short)$")
TARGET_KEY = re.compile(r"^(?P<goal>\d+)-(?P<target>[0-9a-z]+)-title$")
INDICATOR_KEY = re.compile(r"^(?P<goal>\d+)-(?P<target>[0-9a-z]+)-(?P<indicator>\d+)-title$")

# The C loader is ten times faster than the pure-Python one; fall back when libyaml is missing.
YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Framework:
    """The SDG framework as read from the translation files: titles by code, then by language."""

    goal_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    goal_short_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    target_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    indicator_titles: dict[str, dict[str, str]] = field(default_factory=dict)


def sdg_sort_key(code: str) -> str:
    """A key that sorts SDG codes in framework order: numbers zero-padded, letters after numbers.

    "1.2" -> "01.02", "1.10" -> "01.10", "1.a" -> "01.a", "17.19.2" -> "17.19.02"; digits sort
    before lower-case letters in every collation we use (ASCII, UTF-8, PostgreSQL "C" and ICU).
    """
    return ".".join(part.zfill(2) if part.isdigit() else part for part in code.split("."))


def read_translation(path: Path) -> dict[str, str]:
    """One sdg-translations YAML file as a flat dict of key -> text."""
    with path.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=YamlLoader)  # noqa: S506 - CSafeLoader/SafeLoader only
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of keys to titles")
    return {str(key): str(value).strip() for key, value in data.items()}


def read_framework(directory: Path = FRAMEWORK_DIR) -> Framework:
    """Goals, targets and indicators with titles in the six languages; unknown keys are errors."""
    framework = Framework()
    for language, folder in FRAMEWORK_LANGUAGES.items():
        for key, text in read_translation(directory / folder / "global_goals.yml").items():
            match = GOAL_KEY.match(key)
            if not match:
                raise ValueError(f"{folder}/global_goals.yml: unexpected key {key!r}")
            titles = framework.goal_titles if match["kind"] == "title" else framework.goal_short_titles
            titles.setdefault(match["goal"], {})[language] = text
        for key, text in read_translation(directory / folder / "global_targets.yml").items():
            match = TARGET_KEY.match(key)
            if not match:
                raise ValueError(f"{folder}/global_targets.yml: unexpected key {key!r}")
            framework.target_titles.setdefault(f"{match['goal']}.{match['target']}", {})[language] = text
        for key, text in read_translation(directory / folder / "global_indicators.yml").items():
            match = INDICATOR_KEY.match(key)
            if not match:
                raise ValueError(f"{folder}/global_indicators.yml: unexpected key {key!r}")
            code = f"{match['goal']}.{match['target']}.{match['indicator']}"
            framework.indicator_titles.setdefault(code, {})[language] = text
    return framework


def map_goals(framework: Framework) -> list[dict[str, Any]]:
    """SdgGoal rows ("1".."17")."""
    return [
        {"code": code, "number": int(code), "titles": titles, "short_titles": framework.goal_short_titles.get(code, {})}
        for code, titles in sorted(framework.goal_titles.items(), key=lambda item: int(item[0]))
    ]


def map_targets(framework: Framework) -> list[dict[str, Any]]:
    """SdgTarget rows ("1.1", "1.a"), each pointing at its goal."""
    rows = []
    for code, titles in framework.target_titles.items():
        goal = code.split(".")[0]
        if goal not in framework.goal_titles:
            raise ValueError(f"target {code}: goal {goal} is not in global_goals.yml")
        rows.append({"code": code, "goal_id": goal, "titles": titles, "sort_key": sdg_sort_key(code)})
    return sorted(rows, key=lambda row: row["sort_key"])


def map_indicators(framework: Framework) -> list[dict[str, Any]]:
    """SdgIndicator rows ("1.1.1"), each pointing at its target."""
    rows = []
    for code, titles in framework.indicator_titles.items():
        target = code.rsplit(".", 1)[0]
        if target not in framework.target_titles:
            raise ValueError(f"indicator {code}: target {target} is not in global_targets.yml")
        rows.append({"code": code, "target_id": target, "titles": titles, "sort_key": sdg_sort_key(code)})
    return sorted(rows, key=lambda row: row["sort_key"])


def load_sdg_framework(directory: Path = FRAMEWORK_DIR) -> list[TableReport]:
    """Upsert the 17 goals, their targets and indicators from the shipped translation files."""
    framework = read_framework(directory)
    with transaction.atomic():
        return [
            sync_rows(SdgGoal, map_goals(framework), key=("code",)),
            sync_rows(SdgTarget, map_targets(framework), key=("code",)),
            sync_rows(SdgIndicator, map_indicators(framework), key=("code",)),
        ]
