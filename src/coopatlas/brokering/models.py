"""Brokering data: stored embeddings, match proposals with their history, and in-app notifications."""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordEmbedding(models.Model):
    """A record's vector (kind "record") or its sentences' vectors (kind "sentences") under one model."""

    class Kind(models.TextChoices):
        RECORD = "record", _("Whole record")
        SENTENCES = "sentences", _("Sentences")

    record_type = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    model_name = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RECORD)
    dim = models.PositiveSmallIntegerField()
    #: float32 little-endian, rows × dim (one row for a record, one per sentence).
    vectors = models.BinaryField()
    #: SHA-256 of the text embedded: the job skips records whose text did not change.
    text_hash = models.CharField(max_length=64)
    #: The sentences of kind "sentences", in row order (shown as matched passages).
    sentences = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "object_id", "model_name", "kind"], name="one_embedding_per_record_model_kind"
            )
        ]
        indexes = [models.Index(fields=["model_name", "kind", "record_type"])]

    def __str__(self) -> str:
        return f"{self.record_type} #{self.object_id} ({self.model_name}, {self.kind})"

    def matrix(self) -> np.ndarray:
        """The stored vectors as a (rows, dim) float32 array."""
        return np.frombuffer(bytes(self.vectors), dtype="<f4").reshape(-1, self.dim)


class MatchProposalQuerySet(models.QuerySet):
    """Who may see which proposals."""

    def visible_to(self, user: object) -> MatchProposalQuerySet:
        """Brokers see every proposal; members see those where their organisation is a party."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_moderator:  # type: ignore[attr-defined]
            return self.all()
        ids = user.organisation_ids()  # type: ignore[attr-defined]
        return self.filter(models.Q(need__owner_id__in=ids) | models.Q(provider_id__in=ids))


class MatchProposal(models.Model):
    """A proposed match of a need with a solution, sent to both parties until both agree or one declines."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED_BY_REQUESTER = "accepted-requester", _("Accepted by the requester")
        ACCEPTED_BY_PROVIDER = "accepted-provider", _("Accepted by the provider")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Origin(models.TextChoices):
        SYSTEM = "system", _("Proposed by CoopAtlas")
        BROKER = "broker", _("Proposed by a broker")
        REQUESTER = "requester", _("Asked for by the need's organisation")

    need = models.ForeignKey("catalogue.Need", verbose_name=_("need"), on_delete=models.CASCADE,
                             related_name="match_proposals")
    solution = models.ForeignKey("catalogue.Solution", verbose_name=_("solution"), on_delete=models.CASCADE,
                                 related_name="match_proposals")
    provider = models.ForeignKey("catalogue.Organisation", verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="match_proposals_received")
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.SYSTEM)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    score = models.FloatField(_("match score"), default=0.0)
    #: The explanation at proposal time (signals, shared tags, passages), as shown to both parties.
    explanation = models.JSONField(default=dict, blank=True)
    requester_accepted_at = models.DateTimeField(null=True, blank=True)
    provider_accepted_at = models.DateTimeField(null=True, blank=True)
    partnership = models.ForeignKey("catalogue.Partnership", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    initiative = models.ForeignKey("initiatives.Initiative", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MatchProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "solution"],
                condition=~models.Q(status__in=["declined", "withdrawn"]),
                name="one_open_proposal_per_need_solution",
            )
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.solution}"


class MatchEvent(models.Model):
    """One step of a proposal's history: who did what, from which status to which, with their message."""

    proposal = models.ForeignKey(MatchProposal, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} -> {self.to_status}"


class Notification(models.Model):
    """An in-app message to one user about a proposal (also e-mailed by a background job)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brokering_notices")
    proposal = models.ForeignKey(MatchProposal, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.event}"
