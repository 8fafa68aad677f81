"""The base form of every catalogue record: size limits, date order, and the version for optimistic locking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class RecordForm(forms.ModelForm):
    """ModelForm with a hidden ``version`` (optimistic locking) and shared validation rules.

    Subclasses name date pairs in ``DATE_RANGES`` (start, end) that must not run backwards.
    """

    DATE_RANGES: tuple[tuple[str, str], ...] = ()

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self._limit_organisation_choices()
        if self.instance and self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = settings.MAX_TEXT_LENGTH
                field.validators.append(MaxLengthValidator(settings.MAX_TEXT_LENGTH))
                field.widget.attrs["maxlength"] = str(settings.MAX_TEXT_LENGTH)

    def _limit_organisation_choices(self) -> None:
        """Offer organisations the user can see; the owner must be one of the user's organisations."""
        from coopatlas.catalogue.models import Organisation

        visible = Organisation.objects.visible_to(self.user) if self.user is not None else Organisation.objects.published()
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Organisation:
                field.queryset = visible
        if self._meta.model is Organisation or "owner" in self.fields:
            return
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            owners = Organisation.objects.editable_by(self.user)
            owner_field = forms.ModelChoiceField(
                label=_("owning organisation"), queryset=owners, required=True,
                initial=self.instance.owner_id if self.instance.pk else owners.values_list("pk", flat=True).first(),
                help_text=_("The organisation that publishes this record; its members may edit it."),
            )
            self.fields = {"owner": owner_field, **self.fields}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for start, end in self.DATE_RANGES:
            if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
                self.add_error(end, _("The end date is before the start date."))
        return cleaned

    def save_record_fields(self, instance: Any) -> Any:
        """Copy cleaned values onto ``instance`` (not saved), including the owning organisation."""
        from django.forms.models import construct_instance

        construct_instance(self, instance, fields=self._meta.fields, exclude=self._meta.exclude)
        if "owner" in self.cleaned_data:
            instance.owner = self.cleaned_data["owner"]
        return instance

    def save_m2m_to(self, instance: Any) -> None:
        """Save many-to-many values onto ``instance`` (which must have a primary key)."""
        for field in instance._meta.many_to_many:
            if field.name in self.cleaned_data and field.name in (self._meta.fields or []):
                getattr(instance, field.name).set(self.cleaned_data[field.name])

    def expected_version(self) -> int:
        """The version the editor loaded (the instance's current one when the form did not send it)."""
        value = self.cleaned_data.get("version")
        return int(value) if value else int(self.instance.version)


def list_field_from_lines(text: str) -> list[str]:
    """Split a textarea into non-empty trimmed lines (links, languages)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
