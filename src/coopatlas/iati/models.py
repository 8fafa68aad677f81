"""IATI codelists used by the catalogue (DAC sectors, organisation types, currencies, ...).

Source: IATI-Codelists and IATI-Codelists-NonEmbedded (CC BY 4.0, "IATI Standard"); DAC sector
codes are the OECD DAC CRS codes. Copied into ``iati/data/codelists``.
"""

from __future__ import annotations

from django.db import models

from coopatlas.core.i18n import pick


class SectorCategory(models.Model):
    """A DAC 3-digit sector category (e.g. 140 Water supply and sanitation)."""

    code = models.CharField(max_length=3, primary_key=True)
    names = models.JSONField(default=dict)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "sector categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return pick(self.names, fallback=self.code)


class Sector(models.Model):
    """A DAC 5-digit purpose code (e.g. 14030 Basic drinking water supply)."""

    code = models.CharField(max_length=5, primary_key=True)
    category = models.ForeignKey(SectorCategory, on_delete=models.PROTECT, related_name="sectors")
    names = models.JSONField(default=dict)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return pick(self.names, fallback=self.code)


class CodelistItem(models.Model):
    """One code of any other IATI codelist (OrganisationType, Currency, ActivityStatus, ...)."""

    codelist = models.CharField(max_length=60, db_index=True)
    code = models.CharField(max_length=40)
    names = models.JSONField(default=dict)
    category = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["codelist", "code"]
        constraints = [models.UniqueConstraint(fields=["codelist", "code"], name="codelist_item_unique")]

    def __str__(self) -> str:
        return f"{self.codelist}:{self.code} {self.name}"

    @property
    def name(self) -> str:
        return pick(self.names, fallback=self.code)

    @classmethod
    def choices(cls, codelist: str) -> list[tuple[str, str]]:
        """(code, name) pairs of a codelist's active items, for form choices."""
        return [(item.code, f"{item.code} – {item.name}") for item in cls.objects.filter(codelist=codelist, active=True)]
