"""Progress of results: the share of each indicator's target reached, rolled up per initiative,
per provider organisation and per SDG target.

Per indicator (method documented in docs/results.md)::

    share = (actual - baseline) / (target - baseline), clipped to [0, 1]

taken from the indicator's latest period (by end date) that has both a numeric target and a numeric
actual; the baseline is the indicator's first numeric baseline, 0 when it has none. The formula
serves indicators that should fall as well as rise (target below baseline: both differences are
negative). It is undefined, and the indicator left out, when the target equals the baseline. This
is the "distance to target" normalisation used for SDG progress assessments (UN ESCAP, Asia and the
Pacific SDG Progress Report 2024, technical note: current status index), applied to one indicator.

A roll-up is the mean share of the indicators it pools, each weighing the same; only actual values
stored on the periods count, which are imported IATI figures and approved updates, never drafts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from coopatlas.catalogue.models import Organisation
from coopatlas.indicators.models import SdgTarget
from coopatlas.initiatives.models import IndicatorPeriod, Initiative, Result, ResultIndicator
from coopatlas.results.models import IndicatorProfile
from coopatlas.results.services import first_value, number, text_of


def share_of_target(baseline: Decimal | None, target: Decimal | None, actual: Decimal | None) -> float | None:
    """(actual − baseline) / (target − baseline) clipped to [0, 1]; None when it is undefined."""
    if target is None or actual is None:
        return None
    start = baseline if baseline is not None else Decimal(0)
    if target == start:
        return None
    share = float((actual - start) / (target - start))
    return min(1.0, max(0.0, share))


@dataclass
class IndicatorProgress:
    """Where one indicator stands: its latest period with a target and an actual, and the share reached."""

    indicator_id: int
    initiative_id: int
    title: str
    unit: str
    sdg_target: str | None
    baseline: Decimal | None
    target: Decimal | None = None
    actual: Decimal | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    share: float | None = None


@dataclass
class Rollup:
    """A pooled group of indicators (one initiative, provider or SDG target) and its mean share."""

    key: Any
    label: str
    indicators: int = 0
    shares: list[float] = field(default_factory=list)
    initiative_ids: set[int] = field(default_factory=set)

    @property
    def measured(self) -> int:
        """Indicators with a share (a target and an actual)."""
        return len(self.shares)

    @property
    def mean_share(self) -> float | None:
        return sum(self.shares) / len(self.shares) if self.shares else None

    @property
    def initiatives(self) -> int:
        return len(self.initiative_ids)

    def add(self, progress: IndicatorProgress) -> None:
        self.indicators += 1
        self.initiative_ids.add(progress.initiative_id)
        if progress.share is not None:
            self.shares.append(progress.share)


def indicator_progress(initiatives: QuerySet[Initiative] | list[int]) -> list[IndicatorProgress]:
    """The progress of every indicator of ``initiatives`` (a queryset or ids), in four queries."""
    results = dict(Result.objects.filter(initiative__in=initiatives).values_list("id", "initiative_id"))
    indicators = list(
        ResultIndicator.objects.filter(result_id__in=list(results))
        .order_by("result__position", "result_id", "position", "id")
        .values("id", "result_id", "title", "measure", "baselines")
    )
    ids = [row["id"] for row in indicators]
    profiles = {
        row["indicator_id"]: row
        for row in IndicatorProfile.objects.filter(indicator_id__in=ids).values(
            "indicator_id", "unit", "sdg_indicator__target_id"
        )
    }
    periods: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        IndicatorPeriod.objects.filter(indicator_id__in=ids)
        .order_by("period_end", "period_start", "position")
        .values("indicator_id", "period_start", "period_end", "targets", "actuals")
    ):
        periods[row["indicator_id"]].append(row)
    progress = []
    for row in indicators:
        profile = profiles.get(row["id"], {})
        baseline = next((v for v in (number(b.get("value")) for b in row["baselines"] or []) if v is not None), None)
        item = IndicatorProgress(
            indicator_id=row["id"],
            initiative_id=results[row["result_id"]],
            title=text_of(row["title"]),
            unit=profile.get("unit") or ("%" if row["measure"] == "2" else ""),
            sdg_target=profile.get("sdg_indicator__target_id"),
            baseline=baseline,
        )
        for period in reversed(periods[row["id"]]):
            target, actual = first_value(period["targets"]), first_value(period["actuals"])
            if target is not None and actual is not None:
                item.target, item.actual = target, actual
                item.period_start, item.period_end = period["period_start"], period["period_end"]
                item.share = share_of_target(baseline, target, actual)
                break
        progress.append(item)
    return progress


def initiative_summary(initiative: Initiative) -> tuple[list[IndicatorProgress], Rollup]:
    """The indicators of one initiative and their mean share."""
    progress = indicator_progress([initiative.pk])
    summary = Rollup(initiative.pk, initiative.title)
    for item in progress:
        summary.add(item)
    return progress, summary


def _sorted(groups: dict[Any, Rollup]) -> list[Rollup]:
    return sorted(groups.values(), key=lambda g: (-g.measured, -g.indicators, g.label))


def rollups(initiatives: QuerySet[Initiative]) -> dict[str, list[Rollup]]:
    """Mean shares per initiative, per provider organisation and per SDG target over ``initiatives``.

    An indicator counts for the SDG target of the SDG indicator it is linked to; an indicator with no
    link counts for every SDG target its initiative is tagged with.
    """
    progress = indicator_progress(initiatives)
    initiative_ids = sorted({p.initiative_id for p in progress})
    titles = dict(Initiative.objects.filter(pk__in=initiative_ids).values_list("pk", "title"))
    providers: dict[int, list[int]] = defaultdict(list)
    for initiative_id, organisation_id in Initiative.providers.through.objects.filter(
        initiative_id__in=initiative_ids
    ).values_list("initiative_id", "organisation_id"):
        providers[initiative_id].append(organisation_id)
    tagged: dict[int, list[str]] = defaultdict(list)
    for initiative_id, target_id in Initiative.sdg_targets.through.objects.filter(
        initiative_id__in=initiative_ids
    ).values_list("initiative_id", "sdgtarget_id"):
        tagged[initiative_id].append(target_id)
    organisation_names = dict(
        Organisation.objects.filter(pk__in={o for ids in providers.values() for o in ids}).values_list("pk", "name")
    )
    target_codes = {p.sdg_target for p in progress if p.sdg_target} | {t for ts in tagged.values() for t in ts}
    target_titles = {t.code: t for t in SdgTarget.objects.filter(code__in=target_codes)}

    by_initiative: dict[int, Rollup] = {}
    by_provider: dict[int, Rollup] = {}
    by_target: dict[str, Rollup] = {}
    for item in progress:
        key = item.initiative_id
        by_initiative.setdefault(key, Rollup(key, titles.get(key, ""))).add(item)
        for organisation_id in providers.get(key, []):
            by_provider.setdefault(organisation_id, Rollup(organisation_id, organisation_names[organisation_id])).add(
                item
            )
        for code in [item.sdg_target] if item.sdg_target else tagged.get(key, []):
            target = target_titles.get(code)
            label = str(target) if target is not None else code
            by_target.setdefault(code, Rollup(code, label)).add(item)
    return {
        "initiatives": _sorted(by_initiative),
        "providers": _sorted(by_provider),
        "sdg_targets": sorted(
            by_target.values(), key=lambda g: target_titles[g.key].sort_key if g.key in target_titles else g.key
        ),
    }
