"""Brokering template helpers: highlighted passages, signal bars, the unread notification count."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString

from coopatlas.brokering.presenters import highlight

register = template.Library()


@register.filter(name="highlight_words")
def highlight_words(sentence: str, words: Iterable[str]) -> SafeString:
    """The sentence escaped, its shared words in ``<mark>``."""
    return highlight(sentence or "", words or ())


@register.filter(name="css_percent")
def css_percent(value: Any) -> str:
    """A 0-100 value as a CSS width ("42.0%"), clamped and never localised ("42,0" is not CSS)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "0%"
    return f"{max(0.0, min(number, 100.0)):.1f}%"


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """How many of the user's brokering notifications are unread (one COUNT query; 0 when signed out)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    from coopatlas.brokering.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()
