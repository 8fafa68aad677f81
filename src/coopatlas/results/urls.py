"""Results pages (under /<lang>/results/)."""

from django.urls import path

from coopatlas.results import views

app_name = "results"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("initiatives/<int:pk>/", views.initiative_results, name="initiative"),
    path("initiatives/<int:pk>/results/new/", views.result_edit, name="result-create"),
    path("initiatives/<int:pk>/results/<int:result_pk>/edit/", views.result_edit, name="result-edit"),
    path("initiatives/<int:pk>/results/<int:result_pk>/indicators/new/", views.indicator_edit, name="indicator-create"),
    path("initiatives/<int:pk>/indicators/<int:indicator_pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("initiatives/<int:pk>/indicators/<int:indicator_pk>/periods/new/", views.period_edit, name="period-create"),
    path("initiatives/<int:pk>/periods/<int:period_pk>/edit/", views.period_edit, name="period-edit"),
    path("initiatives/<int:pk>/periods/<int:period_pk>/updates/new/", views.update_create, name="update-create"),
    path("initiatives/<int:pk>/<str:kind>/<int:part_pk>/delete/", views.part_delete, name="part-delete"),
    path("updates/<int:update_pk>/delete/", views.update_delete, name="update-delete"),
    path("updates/<int:update_pk>/edit/", views.update_edit, name="update-edit"),
    path("updates/<int:update_pk>/workflow/", views.update_workflow, name="update-workflow"),
    path("evidence/<int:pk>/", views.attachment_download, name="attachment"),
]
