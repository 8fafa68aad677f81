"""Forms of the reports pages: dashboard filters, report requests and questionnaire answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coopatlas.reports import currency
from coopatlas.reports.models import Question, ReportJob


def _choices(model_label: str, render: Any) -> list[tuple[str, str]]:
    from django.apps import apps

    return [("", "—")] + [(str(obj.pk), render(obj)) for obj in apps.get_model(model_label).objects.all()]


class DashboardFilterForm(forms.Form):
    """The dashboard's most used filters (every catalogue facet also works in the query string)."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=1950, max_value=2100)
    region = forms.ChoiceField(label=_("Recipient region"), required=False)
    commission = forms.ChoiceField(label=_("UN regional commission"), required=False)
    modality = forms.ChoiceField(label=_("Modality"), required=False)
    sdg_goal = forms.ChoiceField(label=_("SDG goal"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from coopatlas.catalogue.models import ModalityCode

        self.fields["region"].choices = [("", "—")] + [
            (r.code, r.name) for r in _region_queryset()
        ]
        self.fields["commission"].choices = _choices("geo.RegionalCommission", lambda c: c.name)
        self.fields["modality"].choices = [("", "—"), *ModalityCode.choices]
        self.fields["sdg_goal"].choices = _choices("indicators.SdgGoal", lambda g: f"{g.number}. {g.short_title}")
        self.fields["currency"].choices = [(c, c) for c in currency.ecb_rates().currencies()]
        self.fields["currency"].initial = currency.DEFAULT_CURRENCY


def _region_queryset() -> Any:
    from coopatlas.geo.models import Region

    return Region.objects.filter(level=Region.Level.REGION)


class ReportRequestForm(forms.Form):
    """Year, language, format and optional region of a report to generate."""

    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    output_format = forms.ChoiceField(label=_("Format"), choices=ReportJob.Format.choices)
    region = forms.CharField(label=_("Region (M49 code) or regional commission"), required=False, max_length=10)

    def clean_region(self) -> str:
        from coopatlas.reports.report import resolve_region

        value: str = self.cleaned_data["region"].strip()
        if value and resolve_region(value) is None:
            raise forms.ValidationError(_("Unknown region or regional commission: %(code)s"), params={"code": value})
        return value


class AnswersForm(forms.Form):
    """One field per question of a questionnaire, typed by the question's kind."""

    def __init__(self, questions: list[Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q_{question.code}"
            if question.kind == Question.Kind.YES_NO:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text, required=False, coerce=lambda v: v == "yes", empty_value=None,
                    choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))])
            elif question.kind == Question.Kind.NUMBER:
                self.fields[name] = forms.DecimalField(label=question.text, required=False, max_digits=18,
                                                       decimal_places=4, min_value=0)
            elif question.kind == Question.Kind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.text, required=False,
                    choices=[("", "—")] + [(v, question.choice_label(v)) for v in question.choice_values()])
            else:
                self.fields[name] = forms.CharField(label=question.text, required=False, widget=forms.Textarea,
                                                    max_length=settings.MAX_TEXT_LENGTH)

    def answers(self) -> dict[str, Any]:
        """{question code: value} of the cleaned form (None/"" when left empty)."""
        return {q.code: self.cleaned_data.get(f"q_{q.code}") for q in self.questions}
