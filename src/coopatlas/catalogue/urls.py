"""Catalogue pages: search, and the standard pages of each record type."""

from django.urls import path

from coopatlas.catalogue import views
from coopatlas.core.urlkit import record_urlpatterns

app_name = "catalogue"

urlpatterns = [
    *record_urlpatterns("organisation", "organisations"),
    *record_urlpatterns("solution", "solutions"),
    *record_urlpatterns("need", "needs"),
    *record_urlpatterns("expert", "experts"),
    *record_urlpatterns("partnership", "partnerships"),
    path("partnerships/<int:pk>/progress/", views.partnership_progress, name="partnership-progress"),
    path("partnerships/<int:pk>/commitments/", views.partnership_commitment, name="partnership-commitment"),
    path("organisations/<int:pk>/members/", views.organisation_add_member, name="organisation-add-member"),
]

# Search and export (catalogue/search_views.py).
try:
    from coopatlas.catalogue import search_views

    urlpatterns += search_views.urlpatterns
except ImportError:  # pragma: no cover - the search module is being written
    pass
