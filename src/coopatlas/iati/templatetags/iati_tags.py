"""Template tags of the IATI app: the IATI 2.03 download link of a filtered catalogue search."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def iati_export_url(result: Any) -> str:
    """The IATI XML download of a search result filtered to initiatives only ('' for any other list).

    The export view (``iati:export``) reads the same query string as the search page, so the file
    holds the initiatives the list shows (every page of them), as the visitor may see them.
    """
    params = result.params
    if tuple(params.filters.get("type", ())) != ("initiative",):
        return ""
    return reverse("iati:export") + replace(params, page=1, expand=()).url()
