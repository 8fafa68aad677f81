"""Brokering forms: describe a need, propose a match, answer a proposal. The pages and the API share them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coopatlas.brokering.text import TextCheck, check_need_text
from coopatlas.core.i18n import UN_LANGUAGES
from coopatlas.core.models import LanguageChoices

#: Longest message a party may send with a proposal step.
MAX_MESSAGE = 5000


def language_choices() -> list[tuple[str, Any]]:
    """"Detect" and the six UN languages, each named in its own words' translation."""
    names = dict(LanguageChoices.choices)
    return [("", _("Detect from the text")), *[(code, names[code]) for code in UN_LANGUAGES]]


class DescribeNeedForm(forms.Form):
    """A need written freely, in any of the six languages, to match before it is saved."""

    text = forms.CharField(
        label=_("Describe what you need"), required=False, strip=True,
        widget=forms.Textarea(attrs={"rows": 8, "data-testid": "need-text"}),
        help_text=_("A few sentences in Arabic, Chinese, English, French, Russian or Spanish. "
                    "Only the first 20,000 characters are used."),
    )
    language = forms.ChoiceField(label=_("Language of the text"), required=False, choices=language_choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check: TextCheck | None = None

    def clean_text(self) -> str:
        """Refuse empty and one-word texts with the matcher's own message; keep its notes for the page."""
        self.check = check_need_text(self.cleaned_data.get("text") or "")
        if not self.check.ok:
            raise forms.ValidationError(self.check.problems)
        return self.cleaned_data["text"]


class ProposeForm(forms.Form):
    """Propose a solution for a need, with a message to both parties."""

    need = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    solution = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    message = forms.CharField(
        label=_("Message to both parties"), required=False, max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RespondForm(forms.Form):
    """Accept or decline a proposal; declining needs a message."""

    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))],
                                 widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        """A decline without a reason is refused on the message field."""
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("message") or "").strip():
            self.add_error("message", _("Say why you decline: a message is required."))
        return data


class WithdrawForm(forms.Form):
    """A broker withdraws an open proposal, optionally saying why."""

    message = forms.CharField(label=_("Why it is withdrawn"), required=False, max_length=MAX_MESSAGE,
                              widget=forms.Textarea(attrs={"rows": 2}))
