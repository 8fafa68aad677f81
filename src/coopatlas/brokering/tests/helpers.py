"""Published needs and solutions for brokering tests, created through the record services."""

from __future__ import annotations

from typing import Any

from coopatlas.catalogue.tests.factories import make_need, make_solution
from coopatlas.core.models import WorkflowStatus
from coopatlas.iati.models import Sector


def published_solution(org: Any, user: Any, title: str, summary: str, sectors: tuple[str, ...] = ()) -> Any:
    """A published solution of ``org`` with DAC ``sectors``."""
    solution = make_solution(org, user, title=title, summary=summary, status=WorkflowStatus.PUBLISHED)
    solution.sectors.set(Sector.objects.filter(pk__in=sectors))
    return solution


def published_need(org: Any, user: Any, title: str, description: str, sectors: tuple[str, ...] = ()) -> Any:
    """A published open need of ``org``."""
    need = make_need(org, user, title=title, description=description, status=WorkflowStatus.PUBLISHED)
    need.sectors.set(Sector.objects.filter(pk__in=sectors))
    return need
