"""The IATI upload form: a file and the organisation that will own the imported records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from coopatlas.catalogue.models import Organisation
from coopatlas.iati.safe_xml import max_upload_bytes


class IatiUploadForm(forms.Form):
    """Upload one IATI activity file (XML, up to ``IATI_MAX_UPLOAD_BYTES``) on behalf of an organisation."""

    file = forms.FileField(label=_("IATI activity file (XML)"))
    owner = forms.ModelChoiceField(
        label=_("Owning organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("New records belong to this organisation; its members can edit and withdraw them."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = Organisation.objects.editable_by(user).order_by("name")
        if user.is_moderator:
            self.fields["owner"].empty_label = _("Each activity's reporting organisation")
        else:
            self.fields["owner"].required = True
            self.fields["owner"].empty_label = None

    def clean_file(self) -> Any:
        """Refuse files over the size limit and files that do not look like XML."""
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if limit and upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        head = upload.read(512)
        upload.seek(0)
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise forms.ValidationError(_("This is not an XML file."))
        return upload
