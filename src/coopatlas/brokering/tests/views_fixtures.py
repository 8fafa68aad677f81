"""Fixtures of the page and API tests: a need of B, a solution of A that matches it, a proposal between them."""

from __future__ import annotations

from typing import Any

import pytest

from coopatlas.brokering import workflow
from coopatlas.brokering.tests.helpers import published_need, published_solution
from coopatlas.catalogue.models import Membership, Organisation
from coopatlas.conftest import make_user
from coopatlas.core.models import WorkflowStatus
from coopatlas.geo.models import Country

PERSONAS = ["anonymous", "contributor_a", "contributor_b", "moderator", "administrator"]


@pytest.fixture
def pair(personas: Any) -> tuple[Any, Any]:
    """An open need of B (water pumps) and a published solution of A that matches it."""
    solution = published_solution(
        personas.org_a, personas.contributor_a, "Solar pumps for rural wells",
        "Solar pumps & village committees for rural drinking water wells. Villages maintain the pumps.",
        sectors=("14030",))
    need = published_need(personas.org_b, personas.contributor_b, "Rural drinking water",
                          "We need solar pumps for the rural drinking water wells of our villages.")
    return need, solution


@pytest.fixture
def proposal(personas: Any, pair: tuple[Any, Any]) -> Any:
    """The pair proposed by the moderator (a broker)."""
    return workflow.propose(*pair, personas.moderator, score=0.8, message="A good fit.")


@pytest.fixture
def outsider(personas: Any, password_hash: str) -> Any:
    """A contributor of a third organisation, party to nothing."""
    org_c = Organisation.objects.create(name="Instituto de Agua", country=Country.objects.get(code="MEX"),
                                        workflow_status=WorkflowStatus.PUBLISHED, language="es")
    user = make_user(password_hash, "carla")
    Membership.objects.create(user=user, organisation=org_c)
    return user
