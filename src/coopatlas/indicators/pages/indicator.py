"""Indicator list, indicator page (chart, filters, table, metadata, sources, progress badges) and the map."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import polars as pl
from django.db.models import Count
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from coopatlas.geo.models import Region, RegionalCommission
from coopatlas.indicators.models import Area, Observation, SdgGoal, SdgIndicator, Series
from coopatlas.indicators.pages.common import (
    MAX_LINES,
    Column,
    Page,
    Table,
    areas_with_data,
    badge,
    code_variants,
    constant_dimensions,
    headline_keys,
    indicator_summaries,
    indicator_title,
    label,
    method_badges,
    opensdg_badges,
    progress_settings,
    reduced,
    sdg_code,
    series_label,
    with_params,
)


def params_of(query: QueryDict) -> dict[str, list[str]]:
    """The query string as lists of values, without the renderer's own keys."""
    return {k: query.getlist(k) for k in query if k not in ("format", "table")}


def index_page() -> Page:
    """Indicators with data by goal, countries with data, M49 regions and the regional commissions."""
    indicators = indicator_summaries()
    goals = {g.code: g for g in SdgGoal.objects.all()}
    by_goal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in indicators:
        by_goal[entry["goal"]].append(entry)
    grouped = [{"goal": goals.get(code), "indicators": entries} for code, entries in by_goal.items()]
    regions = Region.objects.filter(level__in=[Region.Level.REGION, Region.Level.SUBREGION]).order_by("code")
    table = Table(
        "indicators",
        _("Indicators with data"),
        [
            Column("code", _("Indicator")),
            Column("title", _("Title")),
            Column("series", _("Series"), "number"),
            Column("areas", _("Areas"), "number"),
            Column("first", _("First year"), "year"),
            Column("last", _("Latest year"), "year"),
        ],
        [[e["code"], e["title"], e["series"], e["areas"], e["first"], e["last"]] for e in indicators],
    )
    return Page(
        _("SDG indicators"),
        [table],
        {
            "grouped": grouped,
            "countries": areas_with_data()["countries"],
            "regions": list(regions),
            "commissions": list(RegionalCommission.objects.all()),
        },
    )


def area_param(area: Area) -> str:
    """How an area is named in the query string: its code, under its parent's code for a sub-national one."""
    return f"{area.parent.code}/{area.code}" if area.parent_id and area.parent else area.code


def indicator_page(code: str, query: QueryDict) -> Page | None:
    """An indicator's page: series and area chosen by the query, lines filtered by disaggregation, badges per method."""
    all_series = list(
        Series.objects.filter(indicator_code__in=code_variants(code))
        .select_related("dataset")
        .order_by("dataset__code", "pk")
    )
    if not all_series:
        return None
    params = params_of(query)
    code = sdg_code(code)
    chosen = next((s for s in all_series if str(s.pk) in params.get("series", [])), all_series[0])
    # Yearly rows where the series has them; else its periods ("2016/2017"), each under its first year.
    period = {"period": ""} if Observation.objects.filter(series=chosen, period="").exists() else {}
    counts = Observation.objects.filter(series=chosen, **period).values("area").annotate(n=Count("id")).order_by()
    count_by_area = {row["area"]: row["n"] for row in counts}
    areas = sorted(
        Area.objects.filter(pk__in=count_by_area).select_related("parent"),
        key=lambda a: (a.parent_id is not None, a.kind != Area.Kind.COUNTRY, a.name),
    )
    wanted = (params.get("area") or [""])[0]
    area = next((a for a in areas if area_param(a) == wanted), None)
    if area is None and areas:
        roots = [a for a in areas if a.parent_id is None] or areas
        area = max(roots, key=lambda a: (a.kind == Area.Kind.COUNTRY, count_by_area[a.pk]))
    rows = list(
        Observation.objects.filter(series=chosen, area=area, **period)
        .values_list("year", "dimension_key", "value", "status", "footnote")
        .order_by("year")
    )
    keys = sorted({r[1] for r in rows}, key=lambda k: (len(k), k))
    constant = constant_dimensions(keys)
    selected = {k[4:]: v for k, v in params.items() if k.startswith("dim.")}
    lines, truncated = choose_lines(keys, constant, selected)
    table = line_table(rows, lines, constant)
    table.truncated = truncated
    facets = dimension_facets(rows, keys, constant, selected, params)
    settings = progress_settings(chosen)
    badges = indicator_badges(chosen, area, rows, settings, keys, constant)
    footnotes = [n for n, _count in Counter(r[4] for r in rows if r[4] and r[1] in lines).most_common(8)]
    sdg = SdgIndicator.objects.filter(code=code).select_related("target__goal").first()
    page = Page(
        f"{code} {indicator_title(code)}" if sdg else code,
        [table],
        {
            "code": code,
            "sdg": sdg,
            "series": chosen,
            "series_choices": [(s.pk, series_label(s)) for s in all_series],
            "area": area,
            "area_choices": [(area_param(a), a.name, a.get_kind_display()) for a in areas],
            "area_value": area_param(area) if area else "",
            "facets": facets,
            "badges": badges,
            "settings": settings,
            "footnotes": footnotes,
            "statuses": sorted({r[3] for r in rows}),
            "sources": sources(all_series),
            "constant": [(label(k), label(v)) for k, v in constant.items()],
            "map_url": reverse("indicators:map") + with_params({"series": chosen.pk}),
        },
    )
    return page.finish(params)


def choose_lines(keys: list[str], constant: dict[str, str], selected: dict[str, list[str]]) -> tuple[list[str], bool]:
    """The disaggregation keys to draw: the total, plus the groups matching every selected filter."""
    total = [k for k in keys if not reduced(k, constant)]
    if not selected:
        if total:
            return total[:1], False
        fewest = min(len(reduced(k, constant)) for k in keys) if keys else 0
        matching = [k for k in keys if len(reduced(k, constant)) == fewest]
        return matching[:MAX_LINES], len(matching) > MAX_LINES
    matching = [
        k
        for k in keys
        if set(reduced(k, constant)) == set(selected) and all(reduced(k, constant)[d] in v for d, v in selected.items())
    ]
    lines = total[:1] + matching
    return lines[:MAX_LINES], len(lines) > MAX_LINES


def line_name(key: str, constant: dict[str, str]) -> str:
    """A line's heading: its groups ("Sex: Female, Age: 15-24"), or "Total"."""
    dims = reduced(key, constant)
    return ", ".join(f"{label(d)}: {label(v)}" for d, v in sorted(dims.items())) or _("Total")


def line_table(rows: list[tuple[Any, ...]], lines: list[str], constant: dict[str, str]) -> Table:
    """Years down, one column per line: the table under the chart and its CSV."""
    values: dict[int, dict[str, float]] = defaultdict(dict)
    for year, key, value, _status, _note in rows:
        if key in lines:
            values[year][key] = value
    columns = [Column("year", _("Year"), "year")] + [
        Column(f"v{i}", line_name(k, constant), "number") for i, k in enumerate(lines)
    ]
    body = [[year] + [values[year].get(k) for k in lines] for year in sorted(values)]
    return Table("data", _("Data"), columns, body, chart="line")


def dimension_facets(
    rows: list[tuple[Any, ...]],
    keys: list[str],
    constant: dict[str, str],
    selected: dict[str, list[str]],
    params: dict[str, list[str]],
) -> list[dict[str, Any]]:
    """Facets as plain data: per dimension its values with counts, whether selected, and the link that toggles them."""
    counts: Counter[tuple[str, str]] = Counter()
    per_key = Counter(r[1] for r in rows)
    for key in keys:
        for dim, value in reduced(key, constant).items():
            counts[(dim, value)] += per_key[key]
    facets = []
    for dim in sorted({d for d, _v in counts}):
        chosen = selected.get(dim, [])
        results = []
        for (d, value), count in sorted(counts.items()):
            if d != dim:
                continue
            toggled = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
            results.append(
                {
                    "value": value,
                    "label": label(value),
                    "count": count,
                    "selected": value in chosen,
                    "toggle_url": with_params(params, **{f"dim.{dim}": toggled or None}),
                }
            )
        facets.append({"name": dim, "label": label(dim), "results": results[:50], "truncated": len(results) > 50})
    return facets


def indicator_badges(
    series: Series,
    area: Area | None,
    rows: list[tuple[Any, ...]],
    settings: Any,
    keys: list[str],
    constant: dict[str, str],
) -> list[dict[str, Any]]:
    """Open SDG status and score (national Open SDG data), ESCAP and UNSD classes of the area's total."""
    result = []
    if area is not None and area.parent_id is None:
        found = opensdg_badges(series.dataset_id, [series.indicator_code])
        result.append(
            found.get(series.indicator_code.replace(".", "-"))
            or badge("opensdg", None, reason=_("no Open SDG progress configuration"))
        )
    total = next((k for k in keys if not reduced(k, constant)), None)
    frame = pl.DataFrame(
        [("s", y, v) for y, k, v, _st, _n in rows if k == total],
        schema={"series": pl.String, "year": pl.Int32, "value": pl.Float64},
        orient="row",
    )
    if total is None or frame.height == 0:
        return result + [badge(m, None, reason=_("no total series")) for m in ("escap", "unsd")]
    found_methods = method_badges(frame, {"s": settings})["s"]
    return result + [found_methods["escap"], found_methods["unsd"]]


def sources(all_series: list[Series]) -> list[dict[str, str]]:
    """The datasets behind an indicator's series, with licence and attribution."""
    seen: dict[int, dict[str, str]] = {}
    for s in all_series:
        d = s.dataset
        seen.setdefault(
            d.pk,
            {"title": d.title, "licence": d.licence, "attribution": d.attribution, "url": d.source_url, "code": d.code},
        )
    return list(seen.values())


def map_page(query: QueryDict) -> Page:
    """A choropleth of one series' country totals for one year (default: the year with most countries)."""
    params = params_of(query)
    per_series = dict(
        Observation.objects.filter(area__kind=Area.Kind.COUNTRY, period="")
        .values("series")
        .annotate(n=Count("area", distinct=True))
        .order_by()
        .values_list("series", "n")
    )
    choices = sorted(
        Series.objects.filter(pk__in=[s for s, n in per_series.items() if n >= 2]).select_related("dataset"),
        key=lambda s: (sdg_code(s.indicator_code), -per_series[s.pk]),
    )
    wanted = (params.get("series") or [""])[0]
    chosen = next((s for s in choices if str(s.pk) == wanted), None)
    if chosen is None and choices:
        chosen = max(choices, key=lambda s: per_series[s.pk])
    context: dict[str, Any] = {
        "series": chosen,
        "series_choices": [(s.pk, f"{sdg_code(s.indicator_code)} · {series_label(s)}") for s in choices],
    }
    if chosen is None:
        return Page(_("Map"), [], context).finish(params)
    headline = headline_keys([chosen.pk]).get(chosen.pk)
    rows = Observation.objects.filter(
        series=chosen, area__kind=Area.Kind.COUNTRY, period="", dimension_key=headline or ""
    )
    years = Counter(rows.values_list("year", flat=True))
    year_param = (params.get("year") or [""])[0]
    year = int(year_param) if year_param.isdigit() and int(year_param) in years else None
    if year is None and years:
        year = max(years, key=lambda y: (years[y], y))
    found = rows.filter(year=year).values_list("area__code", "area__country__m49", "value")
    names = {a.code: a.name for a in Area.objects.filter(kind=Area.Kind.COUNTRY, code__in=[r[0] for r in found])}
    body = sorted(([names.get(c, c), c, (m or "").zfill(3), v] for c, m, v in found), key=lambda r: r[0])
    table = Table(
        "map",
        _("Values by country"),
        [
            Column("country", _("Country")),
            Column("iso3", _("ISO code")),
            Column("m49", _("M49 code")),
            Column("value", chosen.unit or _("Value"), "number"),
        ],
        body,
        links=[reverse("indicators:country", args=[r[1]]) for r in body],
        chart="map",
    )
    code = sdg_code(chosen.indicator_code)
    context.update(
        {
            "year": year,
            "years": sorted(years, reverse=True),
            "code": code,
            "indicator_title": indicator_title(code),
            "series_name": series_label(chosen),
        }
    )
    return Page(_("Map"), [table], context).finish(params)
