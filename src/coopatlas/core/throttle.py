"""Sign-in throttling: refuse further attempts after too many failures for a username or address.

Follows OWASP's Authentication Cheat Sheet advice (limit failed attempts per account and per
source, with a time window) without locking accounts permanently.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from coopatlas.core.models import LoginAttempt


def client_address(request: HttpRequest) -> str | None:
    """The client's address as seen by this server (proxies must be configured to set REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


def is_throttled(username: str, ip_address: str | None) -> bool:
    """Whether recent failures for this username or address reached the limit."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)
    recent = LoginAttempt.objects.filter(attempted_at__gte=since)
    by_user = recent.filter(username__iexact=username).count() if username else 0
    by_ip = recent.filter(ip_address=ip_address).count() if ip_address else 0
    # An address may try several accounts (a shared office), so it gets a larger allowance.
    return by_user >= settings.LOGIN_THROTTLE_ATTEMPTS or by_ip >= settings.LOGIN_THROTTLE_ATTEMPTS * 4


def record_failure(username: str, ip_address: str | None) -> None:
    """Remember a failed sign-in."""
    LoginAttempt.objects.create(username=username[:150], ip_address=ip_address)


def clear_failures(username: str) -> None:
    """Forget failures for a username after a successful sign-in."""
    LoginAttempt.objects.filter(Q(username__iexact=username)).delete()
