"""Administrators configure the yearly questionnaires and their questions here."""

from django.contrib import admin

from coopatlas.reports.models import Question, Questionnaire, QuestionnaireResponse, ReportJob


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("year", "deadline")
    inlines = [QuestionInline]


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(admin.ModelAdmin):
    list_display = ("questionnaire", "organisation", "status", "submitted_at")
    list_filter = ("status", "questionnaire")


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ("year", "language", "output_format", "region", "status", "created_at")
