"""Writes need a valid API token; a session cookie alone never writes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coopatlas.api.tests.conftest import ApiClient
from coopatlas.catalogue.models import Need
from coopatlas.core.models import ApiToken
from coopatlas.core.tokens import issue_token


def body(personas):
    return {"owner": personas.org_a.pk, "title": "T", "description": "D", "country": "BRA"}


def test_a_write_without_a_token_is_unauthorised(personas):
    response = ApiClient().post("needs", body(personas))
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "Authorization: Bearer" in response.body["detail"]
    assert not Need.objects.exists()


@pytest.mark.parametrize("raw", ["ca_not-a-real-token", "not-even-the-prefix", ""])
def test_an_unknown_token_is_unauthorised(personas, raw):
    response = ApiClient(raw or " ").post("needs", body(personas))
    assert response.status == 401
    assert not Need.objects.exists()


def test_a_revoked_token_is_unauthorised_for_writes_and_reads(personas):
    token, raw = issue_token(personas.contributor_a, "laptop")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert ApiClient(raw).post("needs", body(personas)).status == 401
    read = ApiClient(raw).get("needs")
    assert read.status == 401
    assert read.body == {"detail": "This API token is unknown, revoked, or its account is inactive."}


def test_the_token_of_an_inactive_account_is_unauthorised(personas):
    _token, raw = issue_token(personas.contributor_a, "laptop")
    personas.contributor_a.is_active = False
    personas.contributor_a.save()
    assert ApiClient(raw).post("needs", body(personas)).status == 401


def test_a_signed_in_browser_session_cannot_write_without_a_token(personas):
    response = ApiClient(client=personas.client_for("contributor_a")).post("needs", body(personas))
    assert response.status == 401
    assert not Need.objects.exists()


def test_a_valid_token_writes_and_is_marked_as_used(personas):
    token, raw = issue_token(personas.contributor_a, "laptop")
    assert ApiClient(raw).post("needs", body(personas)).status == 201
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_reads_without_a_token_are_anonymous(personas, api):
    assert ApiClient().get("needs").status == 200
