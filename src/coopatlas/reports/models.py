"""Reports: generated report files (background jobs) and the yearly entity-reporting questionnaire."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coopatlas.core.i18n import pick


class ReportJob(models.Model):
    """One generation of the yearly report (page or command): parameters, progress and the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        HTML = "html", "HTML"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    output_format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    region = models.CharField(_("region or regional commission"), max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Report {self.year} ({self.language}, {self.output_format}) #{self.pk}"

    @property
    def download_name(self) -> str:
        region = f"-{self.region}" if self.region else ""
        return f"coopatlas-state-of-ssc-{self.year}{region}-{self.language}.{self.output_format}"


class Questionnaire(models.Model):
    """The yearly questionnaire reporting organisations answer (questions set by an administrator)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    titles = models.JSONField(_("title by language"), default=dict)
    deadline = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.titles, fallback=f"Questionnaire {self.year}")

    def is_open(self, now: timezone.datetime | None = None) -> bool:
        """Answers are accepted until the deadline."""
        return (now or timezone.now()) <= self.deadline


class Question(models.Model):
    """A question: yes/no, number, choice or text; ``statement`` phrases its aggregate for the report.

    ``statement`` placeholders: ``{count}`` (yes answers, or answers), ``{total}`` (accepted responses),
    ``{percent}``, ``{sum}``; a choice question's statement is built from each choice's ``phrase``.
    """

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        TEXT = "text", _("Text")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    texts = models.JSONField(_("question by language"), default=dict)
    #: [{"value": "capacity", "labels": {"en": "Capacity building"}, "phrases": {"en": "built capacity"}}]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    statements = models.JSONField(_("statement by language"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return pick(self.texts, fallback=self.code)

    def choice_values(self) -> list[str]:
        return [str(c["value"]) for c in self.choices]

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if str(choice["value"]) == value:
                return pick(choice.get("labels"), fallback=value)
        return value


class QuestionnaireResponse(models.Model):
    """One organisation's answers to one questionnaire: draft -> submitted -> accepted, or returned."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    organisation = models.ForeignKey("catalogue.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "organisation"], name="one_response_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.questionnaire.year}"


class Answer(models.Model):
    """The answer to one question (the column that matches the question's kind is filled)."""

    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    yes = models.BooleanField(null=True, blank=True)
    number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    choice = models.CharField(max_length=60, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question.code}"


# The dashboards' fact tables live in their own module (derived data, rebuilt by ``reports.facts``).
from coopatlas.reports.fact_models import (  # noqa: E402, F401
    DashboardRollup,
    InitiativeFact,
    MemberFact,
    SpendFact,
)
