"""IATI pages: upload and import jobs, IATI 2.03 download of filtered initiatives."""

from django.urls import path

from coopatlas.iati import views

app_name = "iati"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("export/", views.export, name="export"),
]
