"""Cooperation initiatives, with fields aligned to IATI 2.03 activities.

Mapping to IATI (used by the IATI importer/exporter): ``iati_identifier`` = iati-identifier,
``title``/``description`` = title/description narratives, ``activity_status`` = ActivityStatus
codelist, ``*_planned``/``*_actual`` dates = activity-date types 1-4, ``providers``/``funders``/
``recipients``/``facilitators`` = participating-org roles, ``recipient_countries`` =
recipient-country, ``sectors`` = DAC sector (vocabulary 1), ``sdg_targets`` = tag vocabulary 3,
``budget``/``currency`` = budget value / default-currency, ``collaboration_type`` = CollaborationType.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopatlas.core.models import CatalogueRecord


class Initiative(CatalogueRecord):
    """A cooperation project between providers and recipients, possibly with a facilitator (triangular)."""

    RECORD_TYPE = "initiative"
    TRANSLATABLE_FIELDS = ("title", "description", "results_summary")

    class ActivityStatus(models.TextChoices):
        """IATI ActivityStatus codelist."""

        PIPELINE = "1", _("Pipeline/identification")
        IMPLEMENTATION = "2", _("Implementation")
        FINALISATION = "3", _("Finalisation")
        CLOSED = "4", _("Closed")
        CANCELLED = "5", _("Cancelled")
        SUSPENDED = "6", _("Suspended")

    iati_identifier = models.CharField(_("IATI identifier"), max_length=200, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    activity_status = models.CharField(
        _("status"), max_length=2, choices=ActivityStatus.choices, default=ActivityStatus.IMPLEMENTATION
    )
    start_planned = models.DateField(_("planned start"), null=True, blank=True)
    start_actual = models.DateField(_("actual start"), null=True, blank=True)
    end_planned = models.DateField(_("planned end"), null=True, blank=True)
    end_actual = models.DateField(_("actual end"), null=True, blank=True)
    providers = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("providers"), blank=True, related_name="initiatives_provided"
    )
    recipients = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("recipients"), blank=True, related_name="initiatives_received"
    )
    facilitators = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("facilitators"), blank=True, related_name="initiatives_facilitated"
    )
    funders = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("funders"), blank=True, related_name="initiatives_funded"
    )
    recipient_countries = models.ManyToManyField(
        "geo.Country", verbose_name=_("recipient countries"), blank=True, related_name="+"
    )
    budget = models.DecimalField(
        _("budget"), max_digits=18, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    sectors = models.ManyToManyField("iati.Sector", verbose_name=_("DAC sectors"), blank=True, related_name="+")
    sdg_targets = models.ManyToManyField(
        "indicators.SdgTarget", verbose_name=_("SDG targets"), blank=True, related_name="+"
    )
    modalities = models.ManyToManyField("catalogue.Modality", verbose_name=_("modalities"), blank=True, related_name="+")
    collaboration_type = models.CharField(_("collaboration type (IATI)"), max_length=2, blank=True)
    results_summary = models.TextField(_("results"), blank=True)
    need = models.ForeignKey(
        "catalogue.Need", verbose_name=_("need"), on_delete=models.SET_NULL, null=True, blank=True, related_name="initiatives"
    )
    solution = models.ForeignKey(
        "catalogue.Solution", verbose_name=_("solution"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="initiatives",
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0), name="initiative_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_triangular(self) -> bool:
        """A facilitator or funder supporting the exchange makes it triangular (refined by the IATI issue)."""
        return self.facilitators.exists()
