"""A per-client limit on matching requests: embedding a text and ranking it is CPU-heavy, and the
"describe a need" and match pages are open to anonymous visitors.

A fixed-window counter in Django's cache (IETF RFC 6585 §4 "429 Too Many Requests" with a
``Retry-After`` header): at most ``COOPATLAS_MATCH_RATE_LIMIT`` matching requests per
``COOPATLAS_MATCH_RATE_WINDOW`` seconds per client address (``core.throttle.client_address``, the same
address sign-in throttling uses); a signed-in person is counted per account instead, so colleagues
behind one office address do not share a budget. With the default per-process cache the limit holds
per server process; configure a shared cache (``CACHES``) to make it global.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coopatlas.core.throttle import client_address


def client_key(request: HttpRequest, user: Any = None) -> str:
    """Whom a request is counted against: the account when signed in, else the client address."""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"addr:{client_address(request) or 'unknown'}"


def retry_after(request: HttpRequest, user: Any = None) -> int | None:
    """Count this matching request; None when allowed, else the seconds until the window reopens."""
    limit = int(getattr(settings, "COOPATLAS_MATCH_RATE_LIMIT", 0))
    window = max(int(getattr(settings, "COOPATLAS_MATCH_RATE_WINDOW", 60)), 1)
    if limit <= 0:
        return None
    now = int(time.time())
    start = now - now % window
    key = f"brokering:match-rate:{client_key(request, user)}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return None if count <= limit else max(start + window - now, 1)


def too_many_requests(request: HttpRequest, seconds: int) -> HttpResponse:
    """The 429 page (or htmx partial), in the request's language, saying when to try again."""
    template = "brokering/_rate_limited.html" if getattr(request, "htmx", False) else "brokering/rate_limited.html"
    response = render(request, template, {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def match_rate_limited(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse a matching view with 429 once the client has used its budget; only ``methods`` (the
    requests that run the matcher) are counted, so opening the empty form costs nothing."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods and (seconds := retry_after(request)) is not None:
                return too_many_requests(request, seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
