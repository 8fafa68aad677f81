"""Forms for catalogue records; the API validates with the same forms (one set of rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from coopatlas.catalogue.models import Expert, Need, Organisation, Partnership, Solution
from coopatlas.core.forms_records import RecordForm
from coopatlas.core.models import LanguageChoices
from coopatlas.iati.models import CodelistItem


class OrganisationForm(RecordForm):
    """Create or edit an organisation."""

    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Organisation.Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    organisation_type = forms.ChoiceField(label=_("type (IATI OrganisationType)"), required=False)

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "iati_identifier", "organisation_type", "country", "roles", "website",
                  "description", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation_type"].choices = [("", "—"), *CodelistItem.choices("OrganisationType")]

    def clean_roles(self) -> list[str]:
        return sorted(set(self.cleaned_data.get("roles") or []))


class LinksField(forms.CharField):
    """Links as one URL per line, stored as a list; each must be an http(s) URL."""

    widget = forms.Textarea

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(value)
        return value or ""

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            lines = [str(v).strip() for v in value if str(v).strip()]
        else:
            lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            validate(line)
        return lines

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class SolutionForm(RecordForm):
    """Create or edit a solution / good practice."""

    DATE_RANGES = (("start_date", "end_date"),)
    links = LinksField(label=_("links (one per line)"), required=False)

    class Meta:
        model = Solution
        fields = ["title", "summary", "challenge", "solution", "results", "sustainability", "replication",
                  "countries_applied", "countries_replicated", "sdg_goals", "sdg_targets", "sectors", "modalities",
                  "provider", "partners", "contact_name", "contact_email", "links", "status", "start_date",
                  "end_date", "language"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}), "end_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["summary"].max_length = 2000
        self.fields["summary"].widget.attrs["maxlength"] = "2000"


class NeedForm(RecordForm):
    """Create or edit a need."""

    class Meta:
        model = Need
        fields = ["title", "description", "rationale", "country", "sdg_targets", "sectors", "modalities", "deadline",
                  "status", "language"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}


class ExpertForm(RecordForm):
    """Create or edit an expert profile."""

    languages_spoken = forms.MultipleChoiceField(
        label=_("languages spoken"), choices=LanguageChoices.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Expert
        fields = ["name", "organisation", "expertise", "sdg_goals", "sectors", "languages_spoken",
                  "countries_experience", "availability", "email", "phone", "language"]


class PartnershipForm(RecordForm):
    """Create or edit a partnership."""

    DATE_RANGES = (("start_date", "end_date"),)

    class Meta:
        model = Partnership
        fields = ["title", "description", "partners", "countries", "sdg_targets", "sectors", "modalities", "start_date",
                  "end_date", "website", "status", "language"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}), "end_date": forms.DateInput(attrs={"type": "date"})}


class TranslationForm(forms.Form):
    """Translations of a record's translatable fields into one language."""

    def __init__(self, *args: Any, record: Any, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = (record.translations or {}).get(lang, {})
        for name in record.TRANSLATABLE_FIELDS:
            model_field = record._meta.get_field(name)
            widget = forms.TextInput if model_field.get_internal_type() == "CharField" else forms.Textarea
            self.fields[name] = forms.CharField(
                label=model_field.verbose_name, required=False, widget=widget, initial=existing.get(name, ""),
                max_length=getattr(model_field, "max_length", None) or 20_000,
                help_text=(getattr(record, name) or "")[:300],
            )
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=record.version)


class ProgressReportForm(forms.ModelForm):
    """A partnership's progress report for one year."""

    class Meta:
        from coopatlas.catalogue.models import PartnershipProgressReport

        model = PartnershipProgressReport
        fields = ["year", "text"]

    def __init__(self, *args: Any, partnership: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["year"].min_value = 1950
        self.fields["text"].max_length = 20_000

    def clean_year(self) -> int:
        import datetime

        year = self.cleaned_data["year"]
        if year < 1950 or year > datetime.date.today().year:
            raise forms.ValidationError(_("Give a year between 1950 and this year."))
        if self.partnership and self.partnership.progress_reports.filter(year=year).exists():
            raise forms.ValidationError(_("This partnership already has a progress report for %(year)s.") % {"year": year})
        return year


class CommitmentForm(forms.ModelForm):
    """A commitment or deliverable of a partnership."""

    class Meta:
        from coopatlas.catalogue.models import PartnershipCommitment

        model = PartnershipCommitment
        fields = ["text", "due_date", "status"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}


class AddMemberForm(forms.Form):
    """Add an existing user to an organisation by username or email."""

    user = forms.CharField(label=_("username or email"), max_length=254)
    role = forms.ChoiceField(label=_("role"), choices=[("member", _("Member")), ("manager", _("Manager"))])

    def clean_user(self) -> Any:
        from django.db.models import Q

        from coopatlas.core.models import User

        text = self.cleaned_data["user"].strip()
        user = User.objects.filter(Q(username__iexact=text) | Q(email__iexact=text)).first()
        if user is None:
            raise forms.ValidationError(_("No account with this username or email."))
        return user
