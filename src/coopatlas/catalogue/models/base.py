"""Shared vocabulary of the catalogue: cooperation modalities."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModalityCode(models.TextChoices):
    """How cooperation is delivered (South-South Galaxy and the SG report's categories)."""

    TECHNICAL_ASSISTANCE = "technical-assistance", _("Technical assistance")
    TRAINING = "training", _("Training and capacity building")
    PEER_EXCHANGE = "peer-exchange", _("Peer exchange / study visit")
    EXPERT_DEPLOYMENT = "expert-deployment", _("Expert deployment")
    TECHNOLOGY_TRANSFER = "technology-transfer", _("Technology transfer")
    FINANCING = "financing", _("Financing")
    POLICY_DIALOGUE = "policy-dialogue", _("Policy dialogue")
    KNOWLEDGE_BROKERING = "knowledge-brokering", _("Knowledge sharing and brokering")
    PARTNERSHIP_FACILITATION = "partnership-facilitation", _("Partnership facilitation")


class Modality(models.Model):
    """A modality as a row, so records can carry several and facets can count them."""

    code = models.CharField(max_length=40, primary_key=True, choices=ModalityCode.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = _("modalities")

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> str:
        return str(ModalityCode(self.code).label)
