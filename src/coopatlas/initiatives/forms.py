"""Initiative form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coopatlas.core.forms_records import RecordForm
from coopatlas.iati.models import CodelistItem
from coopatlas.initiatives.models import Initiative


class InitiativeForm(RecordForm):
    """Create or edit a cooperation initiative."""

    DATE_RANGES = (("start_planned", "end_planned"), ("start_actual", "end_actual"))
    currency = forms.ChoiceField(label=_("currency"), required=False)
    collaboration_type = forms.ChoiceField(label=_("collaboration type (IATI)"), required=False)

    class Meta:
        model = Initiative
        fields = ["title", "description", "iati_identifier", "activity_status", "start_planned", "start_actual",
                  "end_planned", "end_actual", "providers", "recipients", "facilitators", "funders",
                  "recipient_countries", "budget", "currency", "sectors", "sdg_targets", "modalities",
                  "collaboration_type", "results_summary", "language"]
        widgets = {name: forms.DateInput(attrs={"type": "date"})
                   for name in ("start_planned", "start_actual", "end_planned", "end_actual")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "—"), *CodelistItem.choices("Currency")]
        self.fields["collaboration_type"].choices = [("", "—"), *CodelistItem.choices("CollaborationType")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("budget") is not None and not cleaned.get("currency"):
            self.add_error("currency", _("Give the currency of the budget."))
        return cleaned
