"""Solutions (good practices), needs and experts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopatlas.core.models import CatalogueRecord


class Solution(CatalogueRecord):
    """A solution or good practice that one country offers to others (South-South Galaxy's core)."""

    RECORD_TYPE = "solution"
    TRANSLATABLE_FIELDS = ("title", "summary", "challenge", "solution", "results", "sustainability", "replication")

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        REPLICATED = "replicated", _("Replicated")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=2000)
    challenge = models.TextField(_("challenge"), blank=True)
    solution = models.TextField(_("the solution"), blank=True)
    results = models.TextField(_("results and evidence"), blank=True)
    sustainability = models.TextField(_("sustainability"), blank=True)
    replication = models.TextField(_("conditions for replication and transfer"), blank=True)
    countries_applied = models.ManyToManyField("geo.Country", verbose_name=_("applied in"), blank=True, related_name="+")
    countries_replicated = models.ManyToManyField(
        "geo.Country", verbose_name=_("replicated in"), blank=True, related_name="+"
    )
    sdg_goals = models.ManyToManyField("indicators.SdgGoal", verbose_name=_("SDG goals"), blank=True, related_name="+")
    sdg_targets = models.ManyToManyField(
        "indicators.SdgTarget", verbose_name=_("SDG targets"), blank=True, related_name="+"
    )
    sectors = models.ManyToManyField("iati.Sector", verbose_name=_("DAC sectors"), blank=True, related_name="+")
    modalities = models.ManyToManyField("catalogue.Modality", verbose_name=_("modalities"), blank=True, related_name="+")
    provider = models.ForeignKey(
        "catalogue.Organisation",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solutions_provided",
    )
    partners = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("partner organisations"), blank=True, related_name="solutions_partnered"
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ONGOING)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Need(CatalogueRecord):
    """What a country's institution asks for, and why (the start of brokering)."""

    RECORD_TYPE = "need"
    TRANSLATABLE_FIELDS = ("title", "description", "rationale")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_BROKERING = "in-brokering", _("In brokering")
        MATCHED = "matched", _("Matched")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("what is needed"))
    rationale = models.TextField(_("why it is needed"), blank=True)
    country = models.ForeignKey("geo.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="+")
    sdg_targets = models.ManyToManyField(
        "indicators.SdgTarget", verbose_name=_("SDG targets"), blank=True, related_name="+"
    )
    sectors = models.ManyToManyField("iati.Sector", verbose_name=_("DAC sectors"), blank=True, related_name="+")
    modalities = models.ManyToManyField(
        "catalogue.Modality", verbose_name=_("modality sought"), blank=True, related_name="+"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Expert(CatalogueRecord):
    """A person whose expertise can be deployed; contact details are shown to signed-in users only."""

    RECORD_TYPE = "expert"
    TRANSLATABLE_FIELDS = ("expertise",)

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available")
        LIMITED = "limited", _("Limited availability")
        UNAVAILABLE = "unavailable", _("Not available")

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "catalogue.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="experts",
    )
    expertise = models.TextField(_("areas of expertise"))
    sdg_goals = models.ManyToManyField("indicators.SdgGoal", verbose_name=_("SDG goals"), blank=True, related_name="+")
    sectors = models.ManyToManyField("iati.Sector", verbose_name=_("DAC sectors"), blank=True, related_name="+")
    languages_spoken = models.JSONField(_("languages spoken"), default=list, blank=True)
    countries_experience = models.ManyToManyField(
        "geo.Country", verbose_name=_("countries of experience"), blank=True, related_name="+"
    )
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices, default=Availability.AVAILABLE
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return self.name
