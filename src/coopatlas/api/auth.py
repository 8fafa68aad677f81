"""Who is calling the API: a bearer token for writes; reads are open and show each caller what the UI shows them.

Writes need ``Authorization: Bearer <token>`` (tokens are issued on the account's API tokens page),
never the session cookie, so the API needs no CSRF token. Reads accept the token, the session of a
signed-in browser, or nobody (an anonymous visitor sees published records only).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from coopatlas.core.tokens import user_for_token


class ApiTokenAuth(HttpBearer):
    """Bearer token authentication; an unknown or revoked token is refused with 401, even on reads."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """The token's active user; raises ``AuthenticationError`` when the token is not valid."""
        user = user_for_token(token.strip())
        if user is None:
            raise AuthenticationError(message=_("This API token is unknown, revoked, or its account is inactive."))
        return user


def session_or_anonymous(request: HttpRequest) -> Any:
    """The signed-in browser user, or the anonymous visitor (reads only: never used for writes)."""
    return request.user


token_auth = ApiTokenAuth()

#: Authentication of write operations: the token only.
WRITE_AUTH = [token_auth]
#: Authentication of read operations: the token when sent, else the session, else anonymous.
READ_AUTH = [token_auth, session_or_anonymous]
