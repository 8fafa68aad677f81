"""Indicator frameworks: the global SDG framework and user-defined ones (MDGs, a commission's own targets).

A framework indicator carries what a progress method needs: unit, desired direction, target value and
year, natural limit and disaggregation dimensions; optionally it is computed from other series by a
formula in the manner of DHIS2's indicator model (numerator / denominator x factor, sum, difference).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopatlas.core.i18n import pick
from coopatlas.indicators.models.sdg import SdgIndicator, SdgTarget


class Direction(models.TextChoices):
    """Which way is progress: up, down, or towards an exact value such as parity (1.0)."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    EXACT = "exact", _("Exact value (e.g. parity)")


class ProgressMethod(models.TextChoices):
    """The documented progress-assessment methods a framework or indicator can use."""

    OPENSDG = "opensdg", _("Open SDG progress measure")
    ESCAP = "escap", _("ESCAP current status and anticipated progress")
    UNSD = "unsd", _("UNSD SDG progress chart")


class FrameworkQuerySet(models.QuerySet["IndicatorFramework"]):
    """Queries over frameworks."""

    def visible_to(self, user: object) -> FrameworkQuerySet:
        """Public frameworks, plus the private ones the user owns."""
        if getattr(user, "is_authenticated", False):
            return self.filter(models.Q(is_public=True) | models.Q(owner=user))
        return self.filter(is_public=True)


class IndicatorFramework(models.Model):
    """A set of targets and indicators: the global SDG framework, the MDGs, or a regional framework."""

    class Kind(models.TextChoices):
        GLOBAL_SDG = "global_sdg", _("Global SDG indicator framework")
        USER = "user", _("User-defined framework")

    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.USER)
    titles = models.JSONField(default=dict)
    descriptions = models.JSONField(default=dict, blank=True)
    progress_method = models.CharField(max_length=10, choices=ProgressMethod.choices, default=ProgressMethod.OPENSDG)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        permissions = [("define_indicators", "Can define framework targets and indicators (analyst)")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.titles, fallback=self.code)


class FrameworkTarget(models.Model):
    """A target of a framework, optionally aligned with an SDG target."""

    framework = models.ForeignKey(IndicatorFramework, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(max_length=20)
    titles = models.JSONField(default=dict)
    sdg_target = models.ForeignKey(SdgTarget, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sort_key = models.CharField(max_length=40, db_index=True, default="")

    class Meta:
        ordering = ["framework", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="framework_target_code_unique")]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.code}"

    @property
    def title(self) -> str:
        return pick(self.titles, fallback=self.code)


class FormulaKind(models.TextChoices):
    """How a computed indicator combines other series (DHIS2 indicator model)."""

    NONE = "", _("Observed directly")
    RATIO = "ratio", _("Numerator / denominator x factor")
    SUM = "sum", _("Sum of series")
    DIFFERENCE = "difference", _("First series minus the others")


class FrameworkIndicator(models.Model):
    """An indicator of a framework with what progress assessment needs: direction, target, limit, dimensions."""

    framework = models.ForeignKey(IndicatorFramework, on_delete=models.CASCADE, related_name="indicators")
    target = models.ForeignKey(
        FrameworkTarget, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    code = models.CharField(max_length=30)
    titles = models.JSONField(default=dict)
    sdg_indicator = models.ForeignKey(
        SdgIndicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="framework_indicators"
    )
    unit = models.CharField(max_length=80, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    target_value = models.FloatField(null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(null=True, blank=True)
    base_year = models.PositiveSmallIntegerField(null=True, blank=True)
    natural_limit = models.FloatField(
        null=True, blank=True, help_text=_("Value that cannot be passed, e.g. 100 for a percentage or 0 for a rate")
    )
    #: Dimension codes the indicator is disaggregated by, e.g. ["sex", "age", "location"].
    disaggregation_dimensions = models.JSONField(default=list, blank=True)
    progress_method = models.CharField(max_length=10, choices=ProgressMethod.choices, blank=True)
    formula_kind = models.CharField(max_length=12, choices=FormulaKind.choices, default=FormulaKind.NONE, blank=True)
    formula_factor = models.FloatField(default=1.0, help_text=_("Multiplier of a ratio: 100 for per cent"))
    sort_key = models.CharField(max_length=40, db_index=True, default="")

    class Meta:
        ordering = ["framework", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="framework_indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.code}"

    @property
    def title(self) -> str:
        return pick(self.titles, fallback=self.code)

    @property
    def effective_progress_method(self) -> str:
        """The indicator's own method, else its framework's."""
        return self.progress_method or self.framework.progress_method

    def clean(self) -> None:
        """Refuse what no progress method can use: a target year before the base year, an exact target without value."""
        errors: dict[str, str] = {}
        if self.target_year and self.base_year and self.target_year <= self.base_year:
            errors["target_year"] = str(_("The target year must come after the base year."))
        if self.direction == Direction.EXACT and self.target_value is None:
            errors["target_value"] = str(_("An exact-value direction needs the value to reach (e.g. 1 for parity)."))
        if errors:
            raise ValidationError(errors)


class FormulaTerm(models.Model):
    """One operand of a computed indicator: a series in the numerator, the denominator, or a signed sum term."""

    class Role(models.TextChoices):
        NUMERATOR = "numerator", _("Numerator")
        DENOMINATOR = "denominator", _("Denominator")
        PLUS = "plus", _("Added")
        MINUS = "minus", _("Subtracted")

    indicator = models.ForeignKey(FrameworkIndicator, on_delete=models.CASCADE, related_name="formula_terms")
    series = models.ForeignKey("indicators.Series", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["indicator", "position"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.role} {self.series_id}"
