"""Forms of the results pages; the services repeat every check, so the forms only give field messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coopatlas.indicators.models import SdgIndicator
from coopatlas.initiatives.models import IndicatorPeriod, Initiative, ResultIndicator
from coopatlas.results import attachments, services

NUMBER_MESSAGES = {
    "invalid": _("Enter a number, such as 1250 or 12.5, without units or thousands separators."),
    "max_digits": _("This number is too long."),
    "max_decimal_places": _("Give at most 4 decimal places."),
    "max_whole_digits": _("This number is too large."),
}

#: IATI ResultType codes offered when defining a result.
RESULT_TYPES = [("1", _("Output")), ("2", _("Outcome")), ("3", _("Impact")), ("9", _("Other"))]
#: IATI IndicatorMeasure codes with numeric values (the only ones a share of target can be computed for).
MEASURES = [("1", _("Unit (a count or amount)")), ("2", _("Percentage"))]


def _number(label: Any, required: bool = False, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=20,
        decimal_places=4,
        error_messages=NUMBER_MESSAGES,
        help_text=help_text,
    )


def _text(label: Any, required: bool = True, rows: int = 0, max_length: int | None = None) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, required=required, widget=widget, max_length=max_length or settings.MAX_TEXT_LENGTH
    )


class ResultForm(forms.Form):
    """A result of an initiative: its IATI type, title and description."""

    result_type = forms.ChoiceField(label=_("Type of result"), choices=RESULT_TYPES)
    title = _text(_("Title"), max_length=1000)
    description = _text(_("Description"), required=False, rows=4)


class IndicatorForm(forms.Form):
    """An indicator: what is measured, in which unit, from which baseline, for which SDG indicator."""

    title = _text(_("Title"), max_length=1000)
    description = _text(_("Description"), required=False, rows=3)
    measure = forms.ChoiceField(label=_("Measure"), choices=MEASURES)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=60,
        required=False,
        help_text=_("What the values count, e.g. “people trained”, “hectares”, “%”. Every update must use it."),
    )
    ascending = forms.BooleanField(
        label=_("Higher is better"),
        required=False,
        initial=True,
        help_text=_("Untick for indicators that should fall, such as a waiting time."),
    )
    baseline_value = _number(_("Baseline value"))
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False, min_value=1950, max_value=2100)
    sdg_indicator = forms.ModelChoiceField(
        label=_("SDG indicator"),
        queryset=SdgIndicator.objects.order_by("sort_key"),
        required=False,
        help_text=_("The SDG indicator this indicator contributes to, if any."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sdg_indicator"].label_from_instance = lambda i: f"{i.code} {i.title[:90]}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("measure") == "2" and not data.get("unit"):
            data["unit"] = "%"
        if data.get("baseline_year") and data.get("baseline_value") is None:
            self.add_error("baseline_value", _("Give the baseline value for the baseline year."))
        return data

    @classmethod
    def initial_for(cls, indicator: ResultIndicator) -> dict[str, Any]:
        """The form's values for an existing indicator."""
        profile = getattr(indicator, "profile", None)
        baseline = (indicator.baselines or [{}])[0] if indicator.baselines else {}
        return {
            "title": services.text_of(indicator.title),
            "description": services.text_of(indicator.description),
            "measure": indicator.measure,
            "unit": services.indicator_unit(indicator),
            "ascending": indicator.ascending is not False,
            "baseline_value": services.baseline_of(indicator),
            "baseline_year": baseline.get("year") or None,
            "sdg_indicator": profile.sdg_indicator_id if profile else None,
        }


class PeriodForm(forms.Form):
    """A reporting period of an indicator and its target; it must lie within the initiative's dates."""

    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    target_value = _number(_("Target value"), help_text=_("The value the indicator should reach by the period's end."))

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        self.initiative = initiative
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period_start") and data.get("period_end"):
            try:
                services.check_period_dates(self.initiative, data["period_start"], data["period_end"])
            except ValidationError as error:
                self.add_error(None, error)
        return data

    @classmethod
    def initial_for(cls, period: IndicatorPeriod) -> dict[str, Any]:
        """The form's values for an existing period."""
        return {
            "period_start": period.period_start,
            "period_end": period.period_end,
            "target_value": services.first_value(period.targets),
        }


class UpdateForm(forms.Form):
    """An actual value for a period, in the indicator's unit, with a narrative and optional evidence."""

    value = _number(_("Actual value"), required=True)
    unit = forms.CharField(label=_("Unit"), max_length=60, required=False)
    narrative = _text(_("Narrative"), required=False, rows=5)
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("A PDF, PNG, JPEG, CSV, XLSX or DOCX file."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, period: IndicatorPeriod, **kwargs: Any) -> None:
        self.period = period
        super().__init__(*args, **kwargs)
        unit = services.indicator_unit(period.indicator)
        self.fields["unit"].initial = unit
        self.fields["unit"].help_text = (
            _("This indicator is measured in “%(unit)s”.") % {"unit": unit}
            if unit
            else _("This indicator has no unit.")
        )
        self.fields["evidence"].help_text = _("A PDF, PNG, JPEG, CSV, XLSX or DOCX file of at most %(limit)s MB.") % {
            "limit": round(attachments.max_bytes() / 1024 / 1024, 1)
        }

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if upload:
            attachments.check_upload(upload, upload.name, upload.size)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            services.check_unit(self.period.indicator, data.get("unit", "") or "")
            services.check_period_started(self.period)
        except ValidationError as error:
            self.add_error(None, error)
        return data


class ReviewForm(forms.Form):
    """A workflow step on an update; returning needs a comment (checked by the service)."""

    action = forms.ChoiceField(choices=[("submit", "submit"), ("approve", "approve"), ("return", "return")])
    comment = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
