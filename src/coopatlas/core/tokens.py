"""API tokens: random secrets shown once; only their SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from coopatlas.core.models import ApiToken, User

TOKEN_PREFIX = "ca_"


def digest(raw: str) -> str:
    """SHA-256 hex digest of a raw token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the stored token and the raw secret (shown once)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100] or "token", digest=digest(raw), prefix=raw[:8])
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The active user a raw token belongs to, or None (revoked, unknown or inactive)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
