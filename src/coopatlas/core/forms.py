"""Account forms: sign-in with throttling, sign-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from coopatlas.core import throttle
from coopatlas.core.models import User


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts once a username or address has failed too often."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed sign-in attempts. Wait a few minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        address = throttle.client_address(self.request) if self.request else None
        if throttle.is_throttled(username, address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.clear_failures(username)
        return cleaned


class SignUpForm(forms.ModelForm):
    """Create an account; passwords are checked by Django's validators and hashed with Argon2."""

    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ["username", "email", "first_name", "last_name", "preferred_language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(username=cleaned.get("username") or "", email=cleaned.get("email") or "")
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        user.role = User.Role.CONTRIBUTOR
        if commit:
            user.save()
        return user
