"""Series and observations: one value per series x area x year x disaggregation.

Disaggregations are stored twice on purpose (see docs/indicators.md): ``dimensions`` (JSON, e.g.
``{"Sex": "Female", "Age": "15-24"}``) for display and JSON lookups, and ``dimension_key``, a canonical
text form of the same mapping (``"Age=15-24|Sex=Female"``, empty for the headline/total), which is
what the unique constraint and the covering index use. Equality on one indexed text column is faster
on SQLite and PostgreSQL than JSON containment, and it makes "the headline series" a plain
``dimension_key=""`` filter.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _

from coopatlas.core.i18n import pick
from coopatlas.geo.models import Country, Region
from coopatlas.indicators.models.frameworks import FrameworkIndicator
from coopatlas.indicators.models.sdg import SdgIndicator


def dimension_key(dimensions: Mapping[str, str]) -> str:
    """The canonical text form of a disaggregation: sorted ``name=value`` pairs joined by ``|``."""
    return "|".join(f"{name}={dimensions[name]}" for name in sorted(dimensions) if dimensions[name] != "")


class Dataset(models.Model):
    """Where observations come from: an Open SDG platform, a tidy panel, an SDMX file, with its licence."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=300, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Area(models.Model):
    """A geography an observation is about: a country, an M49 region, or a sub-national unit (GeoCode)."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        REGION = "region", _("M49 region")
        SUBNATIONAL = "subnational", _("Sub-national area")
        GROUP = "group", _("Other group or aggregate")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=40, help_text=_("ISO alpha-3, M49 code, or the GeoCode within its country"))
    names = models.JSONField(default=dict)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code", "parent"], name="area_kind_code_parent_unique"),
            models.UniqueConstraint(
                fields=["kind", "code"], condition=models.Q(parent__isnull=True), name="area_kind_code_root_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names, fallback=self.code)


class Dimension(models.Model):
    """A disaggregation dimension (sex, age, location, wealth quintile, disability, ...); controlled ones list values."""

    code = models.SlugField(max_length=60, unique=True)
    titles = models.JSONField(default=dict)
    controlled = models.BooleanField(default=False, help_text=_("Refuse values that are not listed"))

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return pick(self.titles, fallback=self.code)


class DimensionValue(models.Model):
    """A value of a dimension (``female``, ``Q1``, ``urban``) with labels in the six languages."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(max_length=120)
    titles = models.JSONField(default=dict)
    is_total = models.BooleanField(default=False)

    class Meta:
        ordering = ["dimension", "code"]
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="dimension_value_unique")]

    def __str__(self) -> str:
        return pick(self.titles, fallback=self.code)


class Series(models.Model):
    """A statistical series measuring an indicator, e.g. SI_POV_DAY1 or an Open SDG "Series" x "Units" pair."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="series")
    indicator = models.ForeignKey(
        FrameworkIndicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="series"
    )
    sdg_indicator = models.ForeignKey(SdgIndicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.CharField(max_length=300, blank=True, help_text=_("Series code or label; empty for the only one"))
    unit = models.CharField(max_length=200, blank=True)
    titles = models.JSONField(default=dict, blank=True)
    indicator_code = models.CharField(
        max_length=30, db_index=True, help_text=_("The indicator as the source names it, e.g. 1-2-1 or 1.2.1")
    )

    class Meta:
        ordering = ["dataset", "indicator_code", "code", "unit"]
        verbose_name_plural = _("series")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "indicator_code", "code", "unit"], name="series_unique")
        ]

    def __str__(self) -> str:
        return " / ".join(part for part in (self.indicator_code, self.code, self.unit) if part)


class ObservationStatus(models.TextChoices):
    """SDMX OBS_STATUS codes used by the UN SDG Global Database and Open SDG."""

    NORMAL = "A", _("Normal value")
    ESTIMATED = "E", _("Estimated value")
    FORECAST = "F", _("Forecast value")
    IMPUTED = "I", _("Imputed value")
    PROVISIONAL = "P", _("Provisional value")
    BREAK = "B", _("Time series break")
    MODELLED = "N", _("Non-significant / modelled")


class ObservationQuerySet(models.QuerySet["Observation"]):
    """Queries over observations."""

    def headline(self) -> ObservationQuerySet:
        """Observations of the total (no disaggregation)."""
        return self.filter(dimension_key="")

    def disaggregated_by(self, **dimensions: str) -> ObservationQuerySet:
        """Observations with exactly these disaggregation values."""
        return self.filter(dimension_key=dimension_key(dimensions))


class Observation(models.Model):
    """One value of a series for an area, a year and a disaggregation, with unit, source, footnote and status."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="observations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    year = models.SmallIntegerField()
    period = models.CharField(
        max_length=20, blank=True, default="", help_text=_("The period as published when not a plain year: 2000 Q1")
    )
    dimension_key = models.CharField(max_length=500, default="", blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    value = models.FloatField()
    progress_value = models.FloatField(
        null=True, blank=True, help_text=_("Value the progress measure uses instead (Open SDG Progress column)")
    )
    unit = models.CharField(max_length=200, blank=True, help_text=_("Only when it differs from the series unit"))
    source = models.CharField(max_length=300, blank=True)
    footnote = models.TextField(blank=True)
    status = models.CharField(max_length=1, choices=ObservationStatus.choices, default=ObservationStatus.NORMAL)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["series", "area", "dimension_key", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "area", "dimension_key", "year", "period"], name="observation_unique_cell"
            )
        ]
        indexes = [models.Index(fields=["area", "year"], name="observation_area_year")]

    def __str__(self) -> str:
        return f"{self.series} {self.area_id} {self.year} {self.dimension_key or 'total'} = {self.value}"


class ProgressConfiguration(models.Model):
    """A platform's progress settings for one indicator (Open SDG ``indicator-config``), kept as published."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="progress_configurations")
    indicator_code = models.CharField(max_length=30)
    auto_progress_calculation = models.BooleanField(default=False)
    #: Open SDG ``progress_calculation_options``: a list of series options or ``{"group": [...]}``.
    options = models.JSONField(default=list, blank=True)
    data_start_values = models.JSONField(default=list, blank=True)
    manual_status = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["dataset", "indicator_code"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "indicator_code"], name="progress_configuration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.code} {self.indicator_code}"
