"""Turn a record's fields into label/value rows for the detail page (values escaped or sanitised)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from coopatlas.core.registry import RecordType
from coopatlas.core.templatetags.coopatlas import render_markdown


def record_url(record: Any, action: str = "detail") -> str:
    """URL of a record's page (``action`` = detail, edit, history, ...); '' when it has none."""
    from coopatlas.core import registry

    model_type = getattr(record, "RECORD_TYPE", "")
    if model_type not in registry.REGISTRY:
        return ""
    rt = registry.get(model_type)
    try:
        return reverse(f"{rt.url_namespace}:{rt.key}-{action}", args=[record.pk])
    except NoReverseMatch:
        return ""


def _list_labels() -> dict[str, dict[str, Any]]:
    """Labels of coded list values (organisation roles, languages) in the active language."""
    from coopatlas.catalogue.models import Organisation
    from coopatlas.core.models import LanguageChoices

    return {"roles": dict(Organisation.Role.choices), "languages_spoken": dict(LanguageChoices.choices)}


class _LazyLabels(dict):
    """Built on first use, so importing this module needs no app registry."""

    def get(self, key: Any, default: Any = None) -> Any:
        if not self:
            self.update(_list_labels())
        return super().get(key, default)


LIST_LABELS = _LazyLabels()


def _link(obj: Any) -> SafeString:
    url = record_url(obj)
    label = getattr(obj, "display_name", None) or str(obj)
    return format_html('<a href="{}">{}</a>', url, label) if url else conditional_escape(label)


def format_value(record: Any, field: models.Field, value: Any, translated_text: str | None = None) -> SafeString | str:
    """One field's value as safe HTML."""
    if field.many_to_many:
        items = list(value.all())
        if not items:
            return ""
        return format_html('<ul class="inline-list">{}</ul>', format_html_join("", "<li>{}</li>", ((_link(i),) for i in items)))
    if field.many_to_one:
        return _link(value) if value is not None else ""
    if field.choices:
        return conditional_escape(getattr(record, f"get_{field.name}_display")())
    if isinstance(field, models.URLField) and value:
        return format_html('<a href="{}" rel="noopener nofollow">{}</a>', value, value)
    if isinstance(field, models.EmailField) and value:
        return format_html('<a href="mailto:{}">{}</a>', value, value)
    if isinstance(field, models.JSONField):
        if isinstance(value, list):
            labels = LIST_LABELS.get(field.name, {})
            return conditional_escape(", ".join(str(labels.get(v, v)) for v in value))
        return ""
    if isinstance(field, models.TextField):
        return mark_safe(render_markdown(translated_text if translated_text is not None else value or ""))  # noqa: S308
    if value in (None, ""):
        return ""
    return conditional_escape(translated_text if translated_text is not None else str(value))


def detail_rows(record: Any, record_type: RecordType, user: Any) -> list[tuple[str, SafeString | str]]:
    """(label, html) rows for the fields the detail page shows, hiding private fields from visitors."""
    rows: list[tuple[str, SafeString | str]] = []
    for name in record_type.detail_fields:
        if name in record_type.private_fields and not user.is_authenticated:
            continue
        field = record._meta.get_field(name)
        translated = None
        if name in record.TRANSLATABLE_FIELDS:
            translated, _ = record.translated(name)
        value = getattr(record, name)
        html = format_value(record, field, value, translated)
        if html:
            rows.append((capfirst(str(field.verbose_name)), html))
    return rows
