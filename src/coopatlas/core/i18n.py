"""Helpers for text that exists in several languages (reference names, record translations)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import get_language

#: The six official UN languages, as Django language codes.
UN_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "zh-hans", "ru")


def current_language() -> str:
    """The active interface language, normalised to one of the six UN codes (default English)."""
    lang = (get_language() or "en").lower()
    if lang.startswith("zh"):
        return "zh-hans"
    lang = lang.split("-")[0]
    return lang if lang in UN_LANGUAGES else "en"


def pick(names: Mapping[str, str] | None, lang: str | None = None, fallback: str = "") -> str:
    """The name in ``lang`` (the active language by default), else English, else any."""
    if not names:
        return fallback
    lang = lang or current_language()
    for code in (lang, "en"):
        value = names.get(code)
        if value:
            return value
    return next((v for v in names.values() if v), fallback)
