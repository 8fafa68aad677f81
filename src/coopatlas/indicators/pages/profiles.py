"""Country, M49 region and regional-commission profiles: progress per goal, the largest gaps, aggregates, rankings."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import polars as pl
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from coopatlas.geo.models import Country, Region, RegionalCommission
from coopatlas.indicators import lnob
from coopatlas.indicators.methods import escap
from coopatlas.indicators.models import Area, Observation, SdgGoal, SdgIndicator, Series
from coopatlas.indicators.pages.common import (
    MAX_GAPS,
    Column,
    Page,
    Settings,
    Table,
    constant_dimensions,
    headline_frame,
    headline_keys,
    label,
    method_badges,
    opensdg_badges,
    progress_settings,
    reduced,
    sdg_code,
    series_label,
    settings_frame,
)
from coopatlas.indicators.pages.indicator import params_of
from coopatlas.indicators.reasons import row_reason
from coopatlas.indicators.regional import region_members

BUCKET_COLUMNS = (
    ("on_track", "On track"),
    ("acceleration", "Acceleration needed"),
    ("regressing", "Stagnating or regressing"),
)


def series_context(series_ids: list[int]) -> tuple[dict[int, Series], dict[int, Settings], dict[str, SdgIndicator]]:
    """The series, their target settings and their SDG indicators."""
    series = Series.objects.select_related("dataset").in_bulk(series_ids)
    settings = {pk: progress_settings(s) for pk, s in series.items()}
    codes = {sdg_code(s.indicator_code) for s in series.values()}
    indicators = SdgIndicator.objects.select_related("target").in_bulk(list(codes))
    return series, settings, indicators


def country_page(iso3: str, query: QueryDict) -> Page | None:
    """A country's profile: every indicator with its badges, progress summarised per goal, and the largest gaps."""
    country = Country.objects.filter(code=iso3.upper()).first()
    if country is None:
        return None
    area = Area.objects.filter(kind=Area.Kind.COUNTRY, code=country.code, parent=None).first()
    rows = (
        list(
            Observation.objects.filter(area=area, period="").values_list("series_id", "year", "dimension_key", "value")
        )
        if area
        else []
    )
    series, settings, indicators = series_context(sorted({r[0] for r in rows}))
    headline = headline_keys(series)
    frame = headline_frame(((s, "", y, k, v) for s, y, k, v in rows), headline)
    by_key = {str(pk): settings[pk] for pk in series}
    badges = method_badges(frame.select("series", "year", "value"), by_key)
    opensdg: dict[str, dict[str, Any]] = {}
    for dataset_id in {s.dataset_id for s in series.values()}:
        opensdg.update(
            opensdg_badges(dataset_id, [s.indicator_code for s in series.values() if s.dataset_id == dataset_id])
        )
    latest = frame.sort("year").group_by("series").agg(pl.col("year").last(), pl.col("value").last())
    latest_by = {int(r["series"]): (r["year"], r["value"]) for r in latest.iter_rows(named=True)}
    indicator_rows, goal_buckets = [], defaultdict(Counter)
    for pk, s in sorted(series.items(), key=lambda item: (indicator_sort(item[1], indicators), item[0])):
        code = sdg_code(s.indicator_code)
        found = [opensdg.get(s.indicator_code.replace(".", "-")), badges[str(pk)]["escap"], badges[str(pk)]["unsd"]]
        primary = next((b for b in found if b and b["bucket"]), None)
        goal = indicators[code].target.goal_id if code in indicators else ""
        goal_buckets[goal]["indicators"] += 1
        goal_buckets[goal][primary["bucket"] if primary else "not_assessed"] += 1
        year, value = latest_by.get(pk, (None, None))
        indicator_rows.append(
            {
                "code": code,
                "title": indicators[code].title if code in indicators else code,
                "series": series_label(s),
                "year": year,
                "value": value,
                "unit": s.unit,
                "badges": [b for b in found if b],
                "url": reverse("indicators:indicator", args=[code]) + f"?series={pk}&area={country.code}",
            }
        )
    goals = goal_table(goal_buckets)
    indicator_table = Table(
        "indicators",
        _("Indicators"),
        [
            Column("code", _("Indicator")),
            Column("series", _("Series")),
            Column("year", _("Latest year"), "year"),
            Column("value", _("Latest value"), "number"),
            Column("opensdg", _("Open SDG")),
            Column("escap", _("ESCAP")),
            Column("unsd", _("UNSD")),
        ],
        [[r["code"], r["series"], r["year"], r["value"]] + badge_cells(r["badges"]) for r in indicator_rows],
        [r["url"] for r in indicator_rows],
    )
    gaps = largest_gaps(rows, series, settings, indicators)
    page = Page(
        country.name,
        [goals, indicator_table, gaps],
        {
            "country": country,
            "indicator_rows": indicator_rows,
            "has_data": bool(rows),
            "commissions": list(country.commissions.all()),
            "region": country.region,
            "subregion": country.subregion,
        },
    )
    return page.finish(params_of(query))


def indicator_sort(series: Series, indicators: dict[str, SdgIndicator]) -> str:
    """Framework order for SDG indicators, other codes after them."""
    code = sdg_code(series.indicator_code)
    return indicators[code].sort_key if code in indicators else f"99.{code}"


def badge_cells(badges: list[dict[str, Any]]) -> list[str]:
    """The status labels of the three methods, in the table's column order ("" where not assessed)."""
    by_method = {b["method"]: b["status_label"] if b["status"] else "" for b in badges}
    return [by_method.get(m, "") for m in ("opensdg", "escap", "unsd")]


def goal_table(buckets: dict[str, Counter[str]]) -> Table:
    """Progress for every goal: indicators with data and how many are on track, need acceleration, regress."""
    rows, links = [], []
    for goal in SdgGoal.objects.all():
        counts = buckets.get(goal.code, Counter())
        rows.append(
            [f"{goal.code}. {goal.short_title}", counts["indicators"]]
            + [counts[b] for b, _t in BUCKET_COLUMNS]
            + [counts["not_assessed"]]
        )
        links.append(None)
    columns = [
        Column("goal", _("Goal")),
        Column("series", _("Series with data"), "number"),
        Column("on_track", _("On track"), "number"),
        Column("acceleration", _("Acceleration needed"), "number"),
        Column("regressing", _("Stagnating or regressing"), "number"),
        Column("not_assessed", _("Not assessed"), "number"),
    ]
    return Table("goals", _("Progress by goal"), columns, rows, links)


def gap_frame(rows: list[tuple[Any, ...]], series_ids: set[int]) -> pl.DataFrame:
    """Observations split by exactly one dimension (constant ones aside): series, dimension, group, year, value."""
    keys: dict[int, set[str]] = defaultdict(set)
    for s, _y, k, _v in rows:
        keys[s].add(k)
    constants = {s: constant_dimensions(k) for s, k in keys.items()}
    kept = []
    for s, y, k, v in rows:
        if s not in series_ids:
            continue
        dims = reduced(k, constants[s])
        if len(dims) == 1:
            ((dimension, group),) = dims.items()
            kept.append((str(s), dimension, group, y, v))
    return pl.DataFrame(
        kept,
        schema={"series": pl.String, "dimension": pl.String, "group": pl.String, "year": pl.Int32, "value": pl.Float64},
        orient="row",
    )


def furthest_by_direction(frame: pl.DataFrame, settings: dict[int, Settings]) -> pl.DataFrame:
    """``lnob.furthest_groups`` per series × dimension × year, lower-is-better series ranked the other way."""
    lower = [str(pk) for pk, s in settings.items() if s.direction == "lower"]
    by = ["series", "dimension", "year"]
    parts = [
        lnob.furthest_groups(frame.filter(~pl.col("series").is_in(lower)), by, "group", higher_is_better=True),
        lnob.furthest_groups(frame.filter(pl.col("series").is_in(lower)), by, "group", higher_is_better=False),
    ]
    return pl.concat([p for p in parts if p.height]) if any(p.height for p in parts) else parts[0]


def largest_gaps(
    rows: list[tuple[Any, ...]],
    series: dict[int, Series],
    settings: dict[int, Settings],
    indicators: dict[str, SdgIndicator],
) -> Table:
    """The largest gaps between groups in the latest year (relative to the group ahead), and how they moved."""
    frame = gap_frame(rows, set(series))
    columns = [
        Column("indicator", _("Indicator")),
        Column("dimension", _("Dimension")),
        Column("year", _("Year"), "year"),
        Column("behind", _("Furthest behind")),
        Column("behind_value", _("Value"), "number"),
        Column("ahead", _("Furthest ahead")),
        Column("ahead_value", _("Value"), "number"),
        Column("gap", _("Gap"), "number"),
        Column("relative_gap", _("Gap as a share of the group ahead"), "number"),
        Column("trend", _("Since"), "text"),
    ]
    if frame.height == 0:
        return Table("gaps", _("Largest gaps between groups"), columns, [])
    groups = furthest_by_direction(frame, settings).filter(pl.col("groups") >= 2)
    moved = lnob.gap_change(groups, ["series", "dimension"])
    latest = groups.sort("year").group_by("series", "dimension").agg(pl.all().last())
    latest = latest.with_columns(
        pl.when(pl.col("ahead_value") != 0)
        .then(100 * pl.col("gap") / pl.col("ahead_value").abs())
        .alias("relative_gap")
    ).join(moved.select("series", "dimension", "first_year", "trend"), on=["series", "dimension"], how="left")
    top = latest.filter(pl.col("relative_gap").is_not_null()).sort("relative_gap", descending=True).head(MAX_GAPS)
    trends = {
        "narrowed": _("narrowed since %(year)s"),
        "widened": _("widened since %(year)s"),
        "unchanged": _("unchanged since %(year)s"),
    }
    body, links = [], []
    for r in top.iter_rows(named=True):
        s = series[int(r["series"])]
        code = sdg_code(s.indicator_code)
        trend = trends[r["trend"]] % {"year": r["first_year"]} if r["trend"] else ""
        body.append(
            [
                code,
                label(r["dimension"]),
                r["year"],
                label(r["furthest_behind"]),
                r["behind_value"],
                label(r["furthest_ahead"]),
                r["ahead_value"],
                r["gap"],
                round(r["relative_gap"], 1),
                trend,
            ]
        )
        links.append(reverse("indicators:indicator", args=[code]) + f"?series={s.pk}")
    return Table("gaps", _("Largest gaps between groups"), columns, body, links)


def region_page(m49: str, query: QueryDict) -> Page | None:
    """An M49 region's profile (members at any level below it)."""
    region = Region.objects.filter(code=m49.zfill(3)).first()
    if region is None:
        return None
    return group_page(region.name, region_members(region.code), query, {"region": region})


def commission_page(code: str, query: QueryDict) -> Page | None:
    """A regional commission's profile (its member States)."""
    commission = RegionalCommission.objects.filter(code=code.upper()).first()
    if commission is None:
        return None
    return group_page(commission.name, region_members(commission.code), query, {"commission": commission})


def group_page(title: str, members: list[str], query: QueryDict, context: dict[str, Any]) -> Page:
    """Aggregates (simple mean of members, ESCAP), coverage and assessment per series, and a ranking of countries."""
    params = params_of(query)
    rows = list(
        Observation.objects.filter(area__kind=Area.Kind.COUNTRY, area__code__in=members, period="").values_list(
            "series_id", "area__code", "year", "dimension_key", "value"
        )
    )
    series, settings, indicators = series_context(sorted({r[0] for r in rows}))
    countries = headline_frame(rows, headline_keys(series))
    columns = [
        Column("indicator", _("Indicator")),
        Column("series", _("Series")),
        Column("countries", _("Countries with data"), "number"),
        Column("year", _("Latest year"), "year"),
        Column("mean", _("Regional mean"), "number"),
        Column("class", _("ESCAP")),
        Column("reason", _("Note")),
    ]
    body, links = [], []
    if countries.height:
        aggregate = escap.regional_aggregate(countries, min_countries=len(members) // 2 + 1)
        latest = aggregate.sort("year").group_by("series").agg(pl.col("year").last(), pl.col("value").last())
        latest_by = {r["series"]: r for r in latest.iter_rows(named=True)}
        counted = countries.group_by("series").agg(pl.col("area").n_unique().alias("n"))
        assessed = assess_groups(countries, members, {str(pk): settings[pk] for pk in series})
        for r in sorted(
            counted.iter_rows(named=True), key=lambda r: indicator_key(series[int(r["series"])], indicators)
        ):
            s = series[int(r["series"])]
            code = sdg_code(s.indicator_code)
            found = latest_by.get(r["series"], {})
            status, reason = assessed.get(r["series"], ("", _("no target known")))
            body.append([code, series_label(s), r["n"], found.get("year"), found.get("value"), status, reason])
            links.append(reverse("indicators:indicator", args=[code]) + f"?series={s.pk}")
    aggregates = Table("aggregates", _("Regional aggregates"), columns, body, links)
    ranking = ranking_table(countries, series, settings, params)
    context.update(
        {
            "members": Country.objects.filter(code__in=members).count(),
            "series_choices": [(pk, f"{sdg_code(s.indicator_code)} · {series_label(s)}") for pk, s in series.items()],
            "ranked_series": ranking[1],
        }
    )
    return Page(title, [aggregates, ranking[0]], context).finish(params)


def indicator_key(series: Series, indicators: dict[str, SdgIndicator]) -> tuple[str, int]:
    """Sort key: framework order, then series id."""
    return indicator_sort(series, indicators), series.pk


def assess_groups(
    countries: pl.DataFrame, members: list[str], settings: dict[str, Settings]
) -> dict[str, tuple[str, str]]:
    """ESCAP regional assessment (coverage, champion-area targets, CSI and API) per series: class label and reason."""
    from coopatlas.indicators.pages.common import STATUS_LABELS

    frame = settings_frame(settings)
    if frame.height == 0:
        return {}
    data = countries.filter(pl.col("series").is_in(frame["series"].implode()))
    result = escap.assess_region(data, frame, members)
    return {
        r["series"]: (str(STATUS_LABELS.get(r["classification"] or "", "")), row_reason(r))
        for r in result.iter_rows(named=True)
    }


def ranking_table(
    countries: pl.DataFrame, series: dict[int, Series], settings: dict[int, Settings], params: dict[str, list[str]]
) -> tuple[Table, Series | None]:
    """Member countries ranked by their latest value of one series (best first in the desired direction)."""
    columns = [
        Column("rank", _("Rank"), "number"),
        Column("country", _("Country")),
        Column("year", _("Year"), "year"),
        Column("value", _("Value"), "number"),
    ]
    if countries.height == 0:
        return Table("ranking", _("Ranking of countries"), columns, [], chart="bar"), None
    counted = Counter(countries.unique(["series", "area"])["series"].to_list())
    wanted = (params.get("series") or [""])[0]
    key = wanted if wanted in counted else max(counted, key=lambda k: (counted[k], -int(k)))
    chosen = series[int(key)]
    latest = (
        countries.filter(pl.col("series") == key)
        .sort("year")
        .group_by("area")
        .agg(pl.col("year").last(), pl.col("value").last())
    )
    lower = settings[chosen.pk].direction == "lower"
    latest = latest.sort(["value", "area"], descending=[not lower, False])
    names = {a.code: a.name for a in Area.objects.filter(kind=Area.Kind.COUNTRY, code__in=latest["area"].to_list())}
    body = [
        [i + 1, names.get(r["area"], r["area"]), r["year"], r["value"]]
        for i, r in enumerate(latest.iter_rows(named=True))
    ]
    links: list[str | None] = [reverse("indicators:country", args=[r["area"]]) for r in latest.iter_rows(named=True)]
    title = _("Ranking of countries: %(series)s") % {
        "series": f"{sdg_code(chosen.indicator_code)} {series_label(chosen)}"
    }
    return Table("ranking", title, columns, body, links, chart="bar"), chosen
