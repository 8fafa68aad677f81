"""What a results framework adds to an initiative's IATI results.

The results, indicators and periods themselves are the IATI parts of the initiative
(``initiatives.Result`` -> ``ResultIndicator`` -> ``IndicatorPeriod``), so the IATI importer fills
them and the exporter writes them back unchanged. This app adds, per indicator, its unit and its link
to an SDG indicator (``IndicatorProfile``), and per period the updates contributors report
(``PeriodUpdate``: actual value, narrative, evidence) with their approval workflow. Approving an update
writes its value into the period's IATI ``actuals``.

The links to the IATI parts carry no database constraint (``db_constraint=False``): the IATI importer
replaces an activity's parts with raw ``DELETE`` statements when the activity is imported again, and a
constraint would make that re-import fail. The ORM still cascades when a part is deleted through it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndicatorProfile(models.Model):
    """The unit of an indicator's values and the SDG indicator it contributes to."""

    indicator = models.OneToOneField(
        "initiatives.ResultIndicator",
        on_delete=models.CASCADE,
        related_name="profile",
        db_constraint=False,
    )
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    sdg_indicator = models.ForeignKey(
        "indicators.SdgIndicator",
        verbose_name=_("SDG indicator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("indicator profile")

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.unit}"


class UpdateStatus(models.TextChoices):
    """The approval workflow of a period update."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


#: Statuses of an update that is still being worked on: at most one per period at a time.
OPEN_STATUSES = (UpdateStatus.DRAFT, UpdateStatus.SUBMITTED, UpdateStatus.RETURNED)


class PeriodUpdateQuerySet(models.QuerySet["PeriodUpdate"]):
    """Which updates a person may see."""

    def approved(self) -> PeriodUpdateQuerySet:
        """Updates whose figures are public (on initiatives the person may see)."""
        return self.filter(status=UpdateStatus.APPROVED)

    def awaiting_review(self) -> PeriodUpdateQuerySet:
        """Updates a moderator has to approve or return."""
        return self.filter(status=UpdateStatus.SUBMITTED)

    def attached(self) -> PeriodUpdateQuerySet:
        """Updates whose period still exists (a newer IATI import may have replaced it)."""
        from coopatlas.initiatives.models import IndicatorPeriod

        return self.filter(models.Exists(IndicatorPeriod.objects.filter(pk=models.OuterRef("period_id"))))


class PeriodUpdate(models.Model):
    """An actual value reported for one indicator period, with a narrative and evidence, awaiting approval."""

    period = models.ForeignKey(
        "initiatives.IndicatorPeriod",
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="updates",
        db_constraint=False,
    )
    #: Kept besides ``period`` so an update stays attached to its initiative's history.
    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="period_updates", editable=False
    )
    value = models.DecimalField(_("actual value"), max_digits=24, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT, db_index=True
    )
    moderation_comment = models.TextField(_("moderator's comment"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PeriodUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("period update")
        constraints = [
            # Reporting twice (a double click, two tabs) cannot leave two open updates for one period.
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(status__in=["draft", "submitted", "returned"]),
                name="results_one_open_update_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.unit} ({self.get_status_display()})".strip()

    @property
    def is_editable(self) -> bool:
        """Drafts and returned updates may still be changed; submitted and approved ones may not."""
        return self.status in (UpdateStatus.DRAFT, UpdateStatus.RETURNED)


def evidence_path(instance: EvidenceAttachment, filename: str) -> str:
    """A random name with no extension under ``evidence/``: the uploader's name is never a path."""
    import secrets

    return f"evidence/{timezone.now():%Y}/{secrets.token_hex(16)}"


class EvidenceAttachment(models.Model):
    """A file proving a period update (PDF, image, spreadsheet, document), checked by content on upload."""

    update = models.ForeignKey(PeriodUpdate, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence attachment")

    def __str__(self) -> str:
        return self.original_name
