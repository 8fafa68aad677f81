"""Small builders for test records, going through the same services as the UI."""

from __future__ import annotations

from typing import Any

from coopatlas.catalogue.models import Need, Solution
from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus
from coopatlas.geo.models import Country


def make_need(owner: Any, user: Any, title: str = "Rural drinking water", status: str = WorkflowStatus.DRAFT,
              country: str = "SEN", **fields: Any) -> Need:
    """A need of ``owner``'s organisation, created through the record service."""
    need = Need(owner=owner, title=title, description=fields.pop("description", "Safe water for rural villages."),
                country=Country.objects.get(code=country), workflow_status=status, **fields)
    return services.create_record(need, user)


def make_solution(owner: Any, user: Any, title: str = "School feeding with local produce",
                  status: str = WorkflowStatus.DRAFT, **fields: Any) -> Solution:
    """A solution of ``owner``'s organisation, created through the record service."""
    solution = Solution(owner=owner, provider=owner, title=title,
                        summary=fields.pop("summary", "Buying from family farmers for school meals."),
                        workflow_status=status, **fields)
    return services.create_record(solution, user)
