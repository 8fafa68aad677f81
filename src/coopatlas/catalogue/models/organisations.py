"""Organisations and their members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopatlas.core.i18n import pick
from coopatlas.core.models import CatalogueRecord


class Organisation(CatalogueRecord):
    """A government agency, UN entity, fund, NGO, centre of excellence or other cooperation actor.

    An organisation owns itself: its members edit it and the records it owns.
    """

    OWNER_LOOKUP = "pk"
    RECORD_TYPE = "organisation"
    TRANSLATABLE_FIELDS = ("description",)

    class Role(models.TextChoices):
        PROVIDER = "provider", _("Provider")
        RECIPIENT = "recipient", _("Recipient")
        FACILITATOR = "facilitator", _("Facilitator")
        FUNDER = "funder", _("Funder")

    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    names = models.JSONField(_("names in other languages"), default=dict, blank=True)
    acronyms = models.JSONField(_("acronyms in other languages"), default=dict, blank=True)
    iati_identifier = models.CharField(_("IATI organisation identifier"), max_length=150, blank=True, db_index=True)
    organisation_type = models.CharField(_("type (IATI OrganisationType)"), max_length=3, blank=True)
    country = models.ForeignKey(
        "geo.Country", verbose_name=_("country"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organisations")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def owner_organisation_id(self) -> int | None:
        return self.pk

    @property
    def display_name(self) -> str:
        """Name in the active language when the organisation has one, else its own name."""
        return pick(self.names, fallback=self.name) if self.names else self.name

    @property
    def title(self) -> str:
        return self.display_name


class Membership(models.Model):
    """A user's membership of an organisation."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"
