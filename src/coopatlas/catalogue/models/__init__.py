"""Catalogue models: organisations, solutions, needs, experts, partnerships."""

from coopatlas.catalogue.models.base import Modality, ModalityCode
from coopatlas.catalogue.models.organisations import Membership, Organisation
from coopatlas.catalogue.models.records import Expert, Need, Solution
from coopatlas.catalogue.models.partnerships import Partnership, PartnershipCommitment, PartnershipProgressReport

__all__ = [
    "Expert",
    "Membership",
    "Modality",
    "ModalityCode",
    "Need",
    "Organisation",
    "Partnership",
    "PartnershipCommitment",
    "PartnershipProgressReport",
    "Solution",
]
