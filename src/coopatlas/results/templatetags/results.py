"""The results block shown on an initiative's page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("results/_initiative_block.html", takes_context=True)
def initiative_results_block(context: dict[str, Any], initiative: Any) -> dict[str, Any]:
    """Indicators of ``initiative`` with their latest figures and share of target, as ``user`` may see them."""
    from coopatlas.results.views import framework_context

    data = framework_context(initiative, context["request"].user)
    return {**data, "request": context["request"]}


@register.filter
def percent(share: float | None) -> str:
    """A share of target (0–1) as a whole percentage; a dash when undefined."""
    return "–" if share is None else f"{round(share * 100)} %"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """``mapping[key]`` in a template (None when absent)."""
    return mapping.get(key)


@register.filter
def plain_number(value: Any) -> str:
    """A decimal without exponent or trailing zeros (250, 3.1); empty for None."""
    from coopatlas.results.services import format_number

    return "" if value is None else format_number(value)
