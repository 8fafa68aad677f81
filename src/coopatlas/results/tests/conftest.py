"""A published initiative of organisation A with one result, one indicator and one period, as the UI makes them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from coopatlas.core import services as core
from coopatlas.core.models import WorkflowStatus
from coopatlas.initiatives.models import Initiative
from coopatlas.results import services


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> Any:
    """Evidence files go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_initiative(personas: Any, status: str = WorkflowStatus.PUBLISHED, owner: Any = None) -> Initiative:
    """An initiative of organisation A (South-South: Brazil trains Senegalese extension workers) in 2023-2026."""
    initiative = Initiative(
        owner=owner or personas.org_a,
        title="Rice extension services training",
        description="Training of extension workers.",
        start_planned=datetime.date(2023, 1, 1),
        end_planned=datetime.date(2026, 12, 31),
        workflow_status=status,
    )
    core.create_record(initiative, personas.contributor_a)
    initiative.providers.set([personas.org_a])
    initiative.recipients.set([personas.org_b])
    return initiative


@pytest.fixture
def initiative(personas: Any) -> Initiative:
    return make_initiative(personas)


@pytest.fixture
def framework(personas: Any, initiative: Initiative) -> dict[str, Any]:
    """Result -> indicator (people trained, baseline 100) -> period 2024 (target 300)."""
    user = personas.contributor_a
    result = services.save_result(initiative, user, {"result_type": "1", "title": "Extension workers trained"})
    indicator = services.save_indicator(
        result,
        user,
        {
            "title": "Extension workers trained",
            "measure": "1",
            "unit": "people",
            "ascending": True,
            "baseline_value": Decimal("100"),
            "baseline_year": 2023,
            "sdg_indicator": None,
        },
    )
    period = services.save_period(
        indicator,
        user,
        {
            "period_start": datetime.date(2024, 1, 1),
            "period_end": datetime.date(2024, 12, 31),
            "target_value": Decimal("300"),
        },
    )
    return {"initiative": initiative, "result": result, "indicator": indicator, "period": period}


def report(personas: Any, period: Any, value: str = "250", **extra: Any) -> Any:
    """A draft update of ``period`` by contributor A."""
    data = {"value": Decimal(value), "unit": "people", "narrative": "Two cohorts trained.", **extra}
    return services.create_update(period, personas.contributor_a, data)
