"""Template helpers: safe Markdown, record text in the active language, query-string editing."""

from __future__ import annotations

from typing import Any

import markdown as markdown_lib
import nh3
from django import template
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

#: Tags a user's Markdown may produce; everything else (script, style, iframe, on* attributes) is removed.
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4", "table",
                "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """User text as sanitised HTML: Markdown rendered, then cleaned by nh3 (an allow-list sanitiser)."""
    html = markdown_lib.markdown(text or "", extensions=["tables"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render user Markdown safely (see ``render_markdown``)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - nh3 has sanitised it


@register.simple_tag
def record_text(record: Any, field: str) -> str:
    """A record's field in the active language when translated, else the original."""
    text, _is_translation = record.translated(field)
    return text


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes a parameter)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
