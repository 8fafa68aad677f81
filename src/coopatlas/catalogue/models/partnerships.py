"""Registered multi-stakeholder partnerships with commitments and yearly progress reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coopatlas.core.models import CatalogueRecord


class Partnership(CatalogueRecord):
    """A multi-stakeholder partnership (as in the UN Partnerships for the SDGs registry)."""

    RECORD_TYPE = "partnership"
    TRANSLATABLE_FIELDS = ("title", "description")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        INACTIVE = "inactive", _("Inactive")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    partners = models.ManyToManyField("catalogue.Organisation", verbose_name=_("partners"), related_name="partnerships")
    countries = models.ManyToManyField("geo.Country", verbose_name=_("countries"), blank=True, related_name="+")
    sdg_targets = models.ManyToManyField(
        "indicators.SdgTarget", verbose_name=_("SDG targets"), blank=True, related_name="+"
    )
    sectors = models.ManyToManyField("iati.Sector", verbose_name=_("DAC sectors"), blank=True, related_name="+")
    modalities = models.ManyToManyField("catalogue.Modality", verbose_name=_("modalities"), blank=True, related_name="+")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PartnershipCommitment(models.Model):
    """A commitment or deliverable a partnership promised."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ON_TRACK = "on-track", _("On track")
        DELIVERED = "delivered", _("Delivered")
        DROPPED = "dropped", _("Dropped")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="commitments")
    text = models.TextField(_("commitment or deliverable"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class PartnershipProgressReport(models.Model):
    """A partnership's progress report for one year."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="progress_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("progress"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["partnership", "year"], name="one_progress_report_per_year")]

    def __str__(self) -> str:
        return f"{self.partnership} {self.year}"
