"""Brokering tests run with the tiny hashing embedder (no model) unless a test asks for the real one."""

from __future__ import annotations

from typing import Any

import pytest

from coopatlas.brokering.tests.views_fixtures import outsider, pair, proposal  # noqa: F401 - page and API fixtures


@pytest.fixture(autouse=True)
def hashing_embedder(settings: Any) -> Any:
    """Use the deterministic hashing embedder and start with no cached match index."""
    from coopatlas.brokering.index import clear_indexes

    settings.COOPATLAS_EMBEDDER = "hashing"
    clear_indexes()
    yield
    clear_indexes()


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run background jobs at once (on commit) instead of queueing them for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}



@pytest.fixture(autouse=True)
def fresh_match_budget() -> Any:
    """Each test starts with an unused matching budget (the rate limit counts in the cache)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
