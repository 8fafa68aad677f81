"""The report's "progress of linked SDG indicators": indicators of the initiatives' SDG targets, with progress.

An initiative is linked to SDG targets; each target has indicators (``indicators.SdgIndicator``).
For every indicator of a target that at least one of the report's initiatives (published, active in
the year, in the region) is linked to, the report gives the number of those initiatives and, for
every dataset that configures the indicator for Open SDG's progress measure
(``ProgressConfiguration``), the status and score that measure gives
(``indicators.progress.inputs_from_dataset`` + ``assess_opensdg``, the same computation as
``coopatlas progress --method opensdg --dataset CODE``). Indicators without such data say so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from coopatlas.reports.dashboards import DashboardParams


@dataclass
class IndicatorProgress:
    """One dataset's Open SDG assessment of one indicator."""

    dataset: str
    dataset_title: str
    status: str
    status_label: str
    score: float | None


@dataclass
class LinkedIndicator:
    """An SDG indicator of a target the report's initiatives are linked to."""

    code: str
    title: str
    target: str
    initiatives: int
    search_url: str
    progress: list[IndicatorProgress] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "target": self.target, "initiatives": self.initiatives,
                "search_url": self.search_url,
                "progress": [{"dataset": p.dataset, "status": p.status, "score": p.score} for p in self.progress]}


def initiatives_per_target(params: DashboardParams) -> dict[str, int]:
    """Distinct initiatives (as an anonymous reader sees them, filtered like the dashboard) per SDG target."""
    from coopatlas.initiatives.models import Initiative
    from coopatlas.reports.direct import matching_initiatives

    chosen = matching_initiatives(params, AnonymousUser()).values("pk")
    links = Initiative.sdg_targets.through.objects.filter(initiative_id__in=chosen)
    rows = links.values("sdgtarget_id").order_by().annotate(n=Count("initiative_id", distinct=True))
    return {row["sdgtarget_id"]: row["n"] for row in rows}


def progress_by_indicator(codes: list[str]) -> dict[str, list[IndicatorProgress]]:
    """Open SDG progress of the indicators ``codes`` (``6.1.1``) in every dataset that configures them."""
    from coopatlas.indicators.models import Dataset, ProgressConfiguration
    from coopatlas.indicators.pages.common import STATUS_LABELS
    from coopatlas.indicators.progress import assess_opensdg, inputs_from_dataset, normalise_code

    wanted = {normalise_code(code): code for code in codes}
    configured = ProgressConfiguration.objects.filter(indicator_code__in=list(wanted)).filter(
        Q(auto_progress_calculation=True) | ~Q(manual_status=""))
    per_dataset: dict[int, list[str]] = defaultdict(list)
    for dataset_id, code in configured.values_list("dataset_id", "indicator_code"):
        per_dataset[dataset_id].append(code)
    progress: dict[str, list[IndicatorProgress]] = defaultdict(list)
    for dataset in Dataset.objects.filter(pk__in=list(per_dataset)).order_by("code"):
        for result in assess_opensdg(inputs_from_dataset(dataset, sorted(per_dataset[dataset.pk]))):
            status = result.progress_status or ""
            progress[wanted[result.code]].append(IndicatorProgress(
                dataset.code, dataset.title, status, str(STATUS_LABELS.get(status, status)), result.score))
    return progress


def linked_indicators(params: DashboardParams) -> list[LinkedIndicator]:
    """The report's section: linked indicators in SDG order, each with its initiatives and progress."""
    from coopatlas.indicators.models import SdgIndicator

    counts = initiatives_per_target(params)
    indicators = list(SdgIndicator.objects.filter(target_id__in=list(counts)).order_by("sort_key", "code"))
    progress = progress_by_indicator([indicator.code for indicator in indicators])
    return [
        LinkedIndicator(indicator.code, indicator.title, indicator.target_id, counts[indicator.target_id],
                        params.search_url("sdg_target", indicator.target_id), progress.get(indicator.code, []))
        for indicator in indicators
    ]
