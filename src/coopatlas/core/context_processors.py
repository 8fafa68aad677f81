"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language_bidi

from coopatlas import __version__


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name, version and text direction for the base template."""
    return {"SITE_NAME": "CoopAtlas", "VERSION": __version__, "TEXT_DIRECTION": "rtl" if get_language_bidi() else "ltr"}
