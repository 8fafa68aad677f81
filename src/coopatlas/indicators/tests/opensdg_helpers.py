"""Compare computed progress components with published ones (floats to 1e-9, everything else exactly)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FIXTURE = Path(__file__).resolve().parent / "data" / "opensdg-canada"
SHARED_CANADA = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "indicators" / "opensdg" / "canada-goals-1-8"


def load_components(path: Path) -> dict[str, Any]:
    """A published ``indicator_calculation_components.yml``."""
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def same(expected: Any, actual: Any) -> bool:
    """Equal, floats within 1e-9 (relative for large values); an int and the equal float are equal."""
    if isinstance(expected, float) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return abs(expected - actual) <= 1e-9 * max(1.0, abs(expected))
    return type(expected) is type(actual) and expected == actual


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, list[str]]:
    """Per series key (or indicator code for indicator-level fields): the fields that differ."""
    found: dict[str, list[str]] = {}
    for indicator, published in expected.items():
        computed = actual.get(indicator, {"progress_status": "", "score": None})
        for key, value in published.items():
            if isinstance(value, dict):
                mine = computed.get(key)
                if mine is None:
                    found[key] = ["missing"]
                    continue
                fields = [f for f in value if not same(value[f], mine.get(f))]
                if fields or set(mine) != set(value):
                    found[key] = fields or ["other fields"]
            elif not same(value, computed.get(key)):
                found.setdefault(f"{indicator} (indicator)", []).append(key)
        extra = [k for k in computed if k not in published]
        if extra:
            found.setdefault(f"{indicator} (indicator)", []).append(f"unpublished keys {extra}")
    return found
