"""Indicator pages: list, indicator, country, region and commission profiles, map."""

from django.urls import path

from coopatlas.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("map/", views.choropleth, name="map"),
    path("countries/<str:iso3>/", views.country, name="country"),
    path("regions/<str:code>/", views.region, name="region"),
    path("commissions/<str:code>/", views.commission, name="commission"),
    path("<str:code>/", views.indicator, name="indicator"),
]
