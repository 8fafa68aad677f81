"""Core models: users, the change log, and the abstract catalogue record.

Every catalogue record shares one life cycle: it belongs to an owning organisation, moves through
the moderation workflow (draft -> submitted -> published, or returned with a comment), is soft
deleted, carries a version number for optimistic locking, and records every change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coopatlas.core.i18n import current_language

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class User(AbstractUser):
    """A person who signs in; their role decides what they may moderate or administer."""

    class Role(models.TextChoices):
        CONTRIBUTOR = "contributor", _("Contributor")
        MODERATOR = "moderator", _("Moderator")
        ADMINISTRATOR = "administrator", _("Administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )

    @property
    def is_moderator(self) -> bool:
        """Moderators and administrators may moderate every organisation's records."""
        return self.is_superuser or self.role in (self.Role.MODERATOR, self.Role.ADMINISTRATOR)

    @property
    def is_administrator(self) -> bool:
        """Administrators manage users and reference data."""
        return self.is_superuser or self.role == self.Role.ADMINISTRATOR

    def organisation_ids(self) -> list[int]:
        """Ids of the organisations this user is a member of (cached on the instance)."""
        if not hasattr(self, "_organisation_ids"):
            self._organisation_ids = list(self.memberships.values_list("organisation_id", flat=True))
        return self._organisation_ids

    def forget_organisations(self) -> None:
        """Drop the cached organisation ids (after a membership changed in this request)."""
        self.__dict__.pop("_organisation_ids", None)


class ApiToken(models.Model):
    """A bearer token for writing through the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginAttempt(models.Model):
    """A failed sign-in, kept to throttle guessing (per username and per client address)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)


class ChangeRecord(models.Model):
    """One recorded change of a record: who, when, what action, and which fields went old -> new."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        RESTORE = "restore", _("Restored")
        SUBMIT = "submit", _("Submitted for review")
        PUBLISH = "publish", _("Published")
        RETURN = "return", _("Returned to the author")
        UNPUBLISH = "unpublish", _("Withdrawn")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.content_type.model} #{self.object_id}"


class WorkflowStatus(models.TextChoices):
    """The moderation workflow every catalogue record follows."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned")


class RecordQuerySet(models.QuerySet):
    """Visibility and permission rules shared by every catalogue record (NetBox's ``restrict``)."""

    def alive(self) -> RecordQuerySet:
        """Records that are not soft-deleted."""
        return self.filter(deleted_at__isnull=True)

    def published(self) -> RecordQuerySet:
        """Records anyone may read."""
        return self.alive().filter(workflow_status=WorkflowStatus.PUBLISHED)

    def _owned_by(self, organisation_ids: list[int]) -> models.Q:
        lookup = f"{self.model.OWNER_LOOKUP}__in"
        return models.Q(**{lookup: organisation_ids})

    def visible_to(self, user: User | AnonymousUser) -> RecordQuerySet:
        """Published records, plus the user's own organisations' drafts; moderators see all alive."""
        if not user.is_authenticated:
            return self.published()
        if user.is_moderator:
            return self.alive()
        return self.alive().filter(
            models.Q(workflow_status=WorkflowStatus.PUBLISHED) | self._owned_by(user.organisation_ids())
        )

    def editable_by(self, user: User | AnonymousUser) -> RecordQuerySet:
        """Records the user may change: their organisations' records; moderators every record."""
        if not user.is_authenticated:
            return self.none()
        if user.is_moderator:
            return self.alive()
        return self.alive().filter(self._owned_by(user.organisation_ids()))

    def deleted(self) -> RecordQuerySet:
        """Soft-deleted records (moderators may restore them)."""
        return self.filter(deleted_at__isnull=False)


class LanguageChoices(models.TextChoices):
    """Languages a record's text may be written in: the six UN languages and other common ones."""

    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")
    CHINESE = "zh-hans", _("Chinese")
    RUSSIAN = "ru", _("Russian")
    PORTUGUESE = "pt", _("Portuguese")
    OTHER = "other", _("Other")


class CatalogueRecord(models.Model):
    """Abstract base of every catalogue record: ownership, workflow, soft delete, version, language.

    ``OWNER_LOOKUP`` names the path to the owning organisation; ``TRANSLATABLE_FIELDS`` the text
    fields that may carry translations in ``translations`` ({lang: {field: text}});
    ``TRACKED_FIELDS`` (default: all concrete editable fields) are recorded in the change log.
    """

    OWNER_LOOKUP = "owner"
    TRANSLATABLE_FIELDS: tuple[str, ...] = ()
    RECORD_TYPE = ""

    owner = models.ForeignKey(
        "catalogue.Organisation",
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    language = models.CharField(_("language of the text"), max_length=10, choices=LanguageChoices.choices, default="en")
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    workflow_status = models.CharField(
        _("workflow status"), max_length=20, choices=WorkflowStatus.choices, default=WorkflowStatus.DRAFT, db_index=True
    )
    moderation_comment = models.TextField(_("moderator's comment"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def owner_organisation_id(self) -> int | None:
        """Id of the organisation that owns this record."""
        return self.owner_id

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def translated(self, field: str, lang: str | None = None) -> tuple[str, bool]:
        """The text of ``field`` in ``lang`` (active language by default) and whether it is a translation.

        Falls back to the original text, so the page can say it shows the original language.
        """
        lang = lang or current_language()
        original: str = getattr(self, field) or ""
        if lang == self.language:
            return original, False
        text = (self.translations or {}).get(lang, {}).get(field)
        if text:
            return text, True
        return original, False

    def shows_original_language(self, lang: str | None = None) -> bool:
        """True when the record has no translation into the active language."""
        lang = lang or current_language()
        return lang != self.language and not (self.translations or {}).get(lang)

    def tracked_values(self) -> dict[str, Any]:
        """Current values of the tracked fields, serialised for the change log (m2m as sorted ids)."""
        from coopatlas.core.audit import snapshot

        return snapshot(self)


from coopatlas.core.models_search import SearchEntry, SearchFacetValue, SearchText  # noqa: E402,F401 - search index
