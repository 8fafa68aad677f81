"""Build the standard URL patterns of a record type (NetBox-style: every type has the same pages)."""

from __future__ import annotations

from django.urls import URLPattern, path


def record_urlpatterns(type_key: str, prefix: str) -> list[URLPattern]:
    """Detail, create, edit, transition, delete, restore, history and translate pages of one type."""
    from coopatlas.catalogue import views

    base = f"{prefix}/" if prefix else ""
    kw = {"type_key": type_key}
    return [
        path(f"{base}", views.record_list, kw, name=f"{type_key}-list"),
        path(f"{base}new/", views.record_create, kw, name=f"{type_key}-create"),
        path(f"{base}<int:pk>/", views.record_detail, kw, name=f"{type_key}-detail"),
        path(f"{base}<int:pk>/edit/", views.record_edit, kw, name=f"{type_key}-edit"),
        path(f"{base}<int:pk>/workflow/", views.record_transition, kw, name=f"{type_key}-transition"),
        path(f"{base}<int:pk>/delete/", views.record_delete, kw, name=f"{type_key}-delete"),
        path(f"{base}<int:pk>/restore/", views.record_restore, kw, name=f"{type_key}-restore"),
        path(f"{base}<int:pk>/history/", views.record_history, kw, name=f"{type_key}-history"),
        path(f"{base}<int:pk>/translate/<str:lang>/", views.record_translate, kw, name=f"{type_key}-translate"),
    ]
