"""Geography reference data: countries, the M49 hierarchy, regional commissions and country groups.

Sources (copied into ``geo/data`` with attribution, see docs/data-sources.md): UNSD M49 via
datasets/country-codes (names in the six UN languages, LDC/LLDC/SIDS flags), each regional
commission's published member list, and World Bank income groups.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from coopatlas.core.i18n import pick


class Region(models.Model):
    """An M49 area: the world (001), a region, sub-region or intermediate region (code is the 3-digit M49 code)."""

    class Level(models.TextChoices):
        WORLD = "world", _("World")
        REGION = "region", _("Region")
        SUBREGION = "subregion", _("Sub-region")
        INTERMEDIATE = "intermediate", _("Intermediate region")

    code = models.CharField(max_length=3, primary_key=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    names = models.JSONField(default=dict)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return pick(self.names, fallback=self.code)


class RegionalCommission(models.Model):
    """One of the five UN regional commissions (ECA, ECE, ECLAC, ESCAP, ESCWA)."""

    code = models.CharField(max_length=10, primary_key=True)
    names = models.JSONField(default=dict)
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return pick(self.names, fallback=self.code)


class Country(models.Model):
    """A country or area of the M49 standard, keyed by its ISO 3166-1 alpha-3 code."""

    class IncomeGroup(models.TextChoices):
        LOW = "L", _("Low income")
        LOWER_MIDDLE = "LM", _("Lower-middle income")
        UPPER_MIDDLE = "UM", _("Upper-middle income")
        HIGH = "H", _("High income")

    code = models.CharField(_("ISO alpha-3"), max_length=3, primary_key=True)
    iso2 = models.CharField(max_length=2, blank=True, db_index=True)
    m49 = models.CharField(max_length=3, blank=True, db_index=True)
    names = models.JSONField(default=dict)
    formal_names = models.JSONField(default=dict, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subregion = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    intermediate_region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_ldc = models.BooleanField(_("least developed country"), default=False)
    is_lldc = models.BooleanField(_("landlocked developing country"), default=False)
    is_sids = models.BooleanField(_("small island developing State"), default=False)
    income_group = models.CharField(max_length=2, choices=IncomeGroup.choices, blank=True)
    commissions = models.ManyToManyField(RegionalCommission, blank=True, related_name="countries")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """Short name in the active language (UNTERM)."""
        return pick(self.names, fallback=self.code)

    def country_groups(self) -> list[str]:
        """The UN country groups this country belongs to: LDC, LLDC, SIDS."""
        return [g for g, flag in (("LDC", self.is_ldc), ("LLDC", self.is_lldc), ("SIDS", self.is_sids)) if flag]
