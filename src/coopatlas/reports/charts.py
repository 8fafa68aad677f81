"""Static SVG charts drawn on the server: horizontal bar charts and the map of flows.

They serve the PDF report (WeasyPrint draws inline SVG) and the "download as image" links; the
browser dashboard draws interactive charts with plotly from the same data. The map uses Natural
Earth's 1:110m country shapes as packaged by world-atlas 2.0.2 (TopoJSON, ISO 3166-1 numeric ids,
ISC licence; ``reports/data/world-atlas-LICENSE``), in an equirectangular projection.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.html import escape

DATA_DIR = Path(__file__).resolve().parent / "data"
WORLD_FILE = DATA_DIR / "world-atlas-countries-110m.json"
PALETTE = ("#1f5f8b", "#e07b39", "#3b8b5a", "#9b59b6", "#c0392b", "#7f8c8d")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value and the value as printed."""

    label: str
    value: float
    text: str


def bar_chart_svg(title: str, bars: Sequence[Bar], width: int = 640, rtl: bool = False) -> str:
    """A horizontal bar chart with the label above each bar and its value at the bar's end."""
    row = 34
    top = 34
    height = top + row * max(len(bars), 1) + 8
    largest = max((b.value for b in bars), default=0) or 1
    usable = width - 120
    end = ' text-anchor="end"' if rtl else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-family="Noto Sans, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="{width - 4 if rtl else 4}" y="18" font-size="14" font-weight="bold"{end}>{escape(title)}</text>',
    ]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = max(usable * bar.value / largest, 1 if bar.value else 0)
        x = width - 4 - length if rtl else 4
        label_x = width - 4 if rtl else 4
        value_x = x - 6 if rtl else x + length + 6
        parts += [
            f'<text x="{label_x}" y="{y + 11}" font-size="11"{end}>{escape(bar.label[:90])}</text>',
            f'<rect x="{x:.1f}" y="{y + 15}" width="{length:.1f}" height="12" fill="{PALETTE[0]}"/>',
            f'<text x="{value_x:.1f}" y="{y + 25}" font-size="11"{end}>{escape(bar.text)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


@cache
def world_shapes() -> dict[str, list[list[tuple[float, float]]]]:
    """Country rings in longitude/latitude by ISO 3166-1 numeric code (decoded from TopoJSON)."""
    topology = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # quantised, delta-encoded positions (TopoJSON specification, "transforms")
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: Iterable[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points += arc if not points else arc[1:]
        return points

    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs", [])
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = [ring(r) for polygon in polygons for r in polygon]
        if "id" in geometry:
            shapes.setdefault(str(geometry["id"]), []).extend(rings)
    return shapes


def _project(lon: float, lat: float, width: int, height: int) -> tuple[float, float]:
    """Equirectangular projection of latitudes 85N..60S onto the map's box."""
    return (lon + 180) / 360 * width, (85 - lat) / 145 * height


def centroid(m49: str) -> tuple[float, float] | None:
    """Longitude/latitude of a country's label point: the mean of its largest ring's vertices."""
    rings = world_shapes().get(m49)
    if not rings:
        return None
    largest = max(rings, key=_ring_area)
    return sum(p[0] for p in largest) / len(largest), sum(p[1] for p in largest) / len(largest)


def _ring_area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


@dataclass(frozen=True)
class Flow:
    """A flow between two countries (M49 codes) with its weight and a tooltip."""

    provider: str
    recipient: str
    weight: float
    label: str


def flow_map_svg(title: str, flows: Sequence[Flow], width: int = 960, height: int = 386) -> str:
    """A world map: recipients shaded, an arc from each provider to each recipient, width by weight."""
    shaded = {f.recipient for f in flows}
    providers = {f.provider for f in flows}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#eef4f8"/>',
    ]
    for code, rings in world_shapes().items():
        fill = "#e07b39" if code in shaded else "#1f5f8b" if code in providers else "#d5d8dc"
        path = "".join(
            "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in (_project(lon, lat, width, height) for lon, lat in ring))
            + "Z"
            for ring in rings
            if ring
        )
        parts.append(f'<path d="{path}" fill="{fill}" stroke="#ffffff" stroke-width="0.4"/>')
    heaviest = max((f.weight for f in flows), default=1) or 1
    for flow in flows:
        start, end = centroid(flow.provider), centroid(flow.recipient)
        if start is None or end is None:
            continue
        x1, y1 = _project(*start, width, height)
        x2, y2 = _project(*end, width, height)
        bend = math.hypot(x2 - x1, y2 - y1) / 4
        cx, cy = (x1 + x2) / 2, min(y1, y2) - bend
        stroke = 1 + 5 * math.sqrt(flow.weight / heaviest)
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f}Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" fill="none" '
            f'stroke="#8e1b3f" stroke-opacity="0.75" stroke-width="{stroke:.1f}">'
            f"<title>{escape(flow.label)}</title></path>"
        )
    parts.append("</svg>")
    return "".join(parts)


def figure_bars(rows: Sequence[Any], measure: str, currency_code: str) -> list[Bar]:
    """Bars of a dashboard figure for ``measure`` (initiatives, budget or disbursed)."""
    bars = []
    for row in rows:
        if measure == "initiatives":
            bars.append(Bar(row.label, float(row.initiatives), f"{row.initiatives}"))
        else:
            money = getattr(row, measure).rounded
            bars.append(Bar(row.label, float(money), f"{money:,.0f} {currency_code}"))
    return bars
