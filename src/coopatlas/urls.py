"""URL configuration: every page under a language prefix (/en/, /fr/, /ar/ ...); the API unprefixed."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from coopatlas.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("coopatlas.catalogue.urls")),
    path("initiatives/", include("coopatlas.initiatives.urls")),
    path("results/", include("coopatlas.results.urls")),
    path("iati/", include("coopatlas.iati.urls")),
    path("reports/", include("coopatlas.reports.urls")),
    path("brokering/", include("coopatlas.brokering.urls")),
    path("indicators/", include("coopatlas.indicators.urls")),
    path("", include("coopatlas.core.urls")),
    prefix_default_language=True,
)
