"""API test helpers: a JSON client per persona (with its API token) and records made through the services."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from coopatlas.catalogue.models import Need, Organisation, Solution
from coopatlas.core import services
from coopatlas.core.models import WorkflowStatus
from coopatlas.core.tokens import issue_token
from coopatlas.geo.models import Country

PERSONAS = ["anonymous", "contributor_a", "contributor_b", "moderator", "administrator"]
BASE = "/api/v1"


@dataclass
class ApiResponse:
    """Status and decoded JSON body of an API call."""

    status: int
    body: Any
    headers: Any


class ApiClient:
    """Calls the API as one persona: with its bearer token, or as an anonymous caller."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, body: Any = None, params: Any = None) -> ApiResponse:
        """Send one request; ``body`` is sent as JSON, ``params`` as the query string."""
        send = getattr(self.client, method)
        url = path if path.startswith("/") else f"{BASE}/{path}"
        if body is None and method in ("get", "delete"):
            response = send(url, params or {}, headers=self._headers())
        else:
            response = send(url, json.dumps(body if body is not None else {}), content_type="application/json",
                            headers=self._headers())
        content = response.content.decode()
        return ApiResponse(response.status_code, json.loads(content) if content else None, response)

    def get(self, path: str, **params: Any) -> ApiResponse:
        return self.call("get", path, params=params)

    def post(self, path: str, body: Any = None) -> ApiResponse:
        return self.call("post", path, body)

    def put(self, path: str, body: Any) -> ApiResponse:
        return self.call("put", path, body)

    def patch(self, path: str, body: Any) -> ApiResponse:
        return self.call("patch", path, body)

    def delete(self, path: str) -> ApiResponse:
        return self.call("delete", path)


@pytest.fixture
def api(personas: Any) -> Any:
    """``api("contributor_a")``: an API client holding that persona's token ("anonymous": none)."""

    def client_for(name: str) -> ApiClient:
        if name == "anonymous":
            return ApiClient()
        _token, raw = issue_token(getattr(personas, name), "tests")
        return ApiClient(raw)

    return client_for


def make_need(owner: Organisation, user: Any, title: str = "Rural drinking water",
              status: str = WorkflowStatus.DRAFT, country: str = "SEN", **fields: Any) -> Need:
    """A need owned by ``owner``, created through the record service."""
    need = Need(owner=owner, title=title, description=fields.pop("description", "Safe water for rural villages."),
                country=Country.objects.get(code=country), workflow_status=status, **fields)
    return services.create_record(need, user)


def make_solution(owner: Organisation, user: Any, title: str = "School feeding with local produce",
                  status: str = WorkflowStatus.DRAFT, **fields: Any) -> Solution:
    """A solution owned by ``owner``, created through the record service."""
    solution = Solution(owner=owner, provider=owner, title=title,
                        summary=fields.pop("summary", "Buying from family farmers for school meals."),
                        workflow_status=status, **fields)
    return services.create_record(solution, user)


@pytest.fixture
def draft_of_b(personas: Any) -> Need:
    """A draft need of organisation B."""
    return make_need(personas.org_b, personas.contributor_b, title="Draft need of B")


@pytest.fixture
def published_of_b(personas: Any) -> Need:
    """A published need of organisation B."""
    return make_need(personas.org_b, personas.contributor_b, title="Published need of B",
                     status=WorkflowStatus.PUBLISHED)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 makes each persona cost ~0.5 s to create; the API tests never check a password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_after_each_test() -> Any:
    """LocaleMiddleware activates the request's language in the test thread and never resets it."""
    yield
    translation.deactivate()
