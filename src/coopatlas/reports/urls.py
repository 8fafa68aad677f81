"""Reports pages: dashboards, report generation and entity reporting."""

from django.urls import path

from coopatlas.reports import views, views_questionnaires

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("report/", views.report_request, name="report-request"),
    path("report/<int:pk>/", views.report_job, name="report-job"),
    path("report/<int:pk>/download/", views.report_download, name="report-download"),
    path("questionnaires/<int:year>/<int:organisation>/", views_questionnaires.answer, name="questionnaire-answer"),
    path("questionnaires/responses/<int:pk>/review/", views_questionnaires.review, name="questionnaire-review"),
]
