"""Shared test fixtures: the real reference data (loaded once per test database) and the personas.

Personas (Healthchecks' ``hc/test.py`` habit): an anonymous visitor, a contributor of organisation
A, a contributor of organisation B, a moderator and an administrator. Every write path is tested
for each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the real reference data (countries, M49, commissions, SDGs, IATI codelists) once."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """PASSWORD hashed once with the production hasher (Argon2 is deliberately slow)."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def make_user(password_hash: str, username: str, **fields: Any) -> Any:
    """A user whose password is PASSWORD, without paying for a fresh Argon2 hash."""
    from coopatlas.core.models import User

    user = User(username=username, email=f"{username}@example.org", password=password_hash, **fields)
    user.save()
    return user


@dataclass
class Personas:
    """The five people every permission test runs as."""

    org_a: Any
    org_b: Any
    contributor_a: Any
    contributor_b: Any
    moderator: Any
    administrator: Any

    def client_for(self, name: str) -> Client:
        """A test client signed in as persona ``name`` ("anonymous" for a visitor)."""
        client = Client()
        if name != "anonymous":
            client.force_login(getattr(self, name))
        return client


@pytest.fixture
def personas(db: Any, password_hash: str) -> Personas:
    """Two published organisations with one contributor each, a moderator and an administrator.

    The organisations are saved with the ORM (no change log, not in the search index), so tests
    count only the records they create themselves.
    """
    from coopatlas.catalogue.models import Membership, Organisation
    from coopatlas.core.models import User, WorkflowStatus
    from coopatlas.geo.models import Country

    org_a = Organisation.objects.create(
        name="Agência Brasileira de Cooperação", acronym="ABC", country=Country.objects.get(code="BRA"),
        workflow_status=WorkflowStatus.PUBLISHED, roles=["provider"], language="pt",
    )
    org_b = Organisation.objects.create(
        name="Ministère de l'Agriculture du Sénégal", country=Country.objects.get(code="SEN"),
        workflow_status=WorkflowStatus.PUBLISHED, roles=["recipient"], language="fr",
    )
    contributor_a = make_user(password_hash, "alice")
    contributor_b = make_user(password_hash, "bakary")
    Membership.objects.create(user=contributor_a, organisation=org_a)
    Membership.objects.create(user=contributor_b, organisation=org_b)
    moderator = make_user(password_hash, "mona", role=User.Role.MODERATOR)
    administrator = make_user(password_hash, "ada", role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    return Personas(org_a, org_b, contributor_a, contributor_b, moderator, administrator)


@pytest.fixture(autouse=True)
def english_by_default() -> Any:
    """Each test starts in English: a request to /fr/ leaves French active in the thread otherwise."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
