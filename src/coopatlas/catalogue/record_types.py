"""Registration of the six catalogue record types."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coopatlas.catalogue import forms
from coopatlas.catalogue.models import Expert, Need, Organisation, Partnership, Solution
from coopatlas.core.registry import RecordType, register
from coopatlas.initiatives.forms import InitiativeForm
from coopatlas.initiatives.models import Initiative

ORGANISATION = register(RecordType(
    key="organisation", create_label=_("New organisation"), model=Organisation, form=forms.OrganisationForm, label=_("Organisation"),
    label_plural=_("Organisations"), url_namespace="catalogue", url_prefix="organisations",
    detail_fields=("acronym", "iati_identifier", "organisation_type", "country", "roles", "website", "description"),
    prefetch=(),
))
SOLUTION = register(RecordType(
    key="solution", create_label=_("New solution"), model=Solution, form=forms.SolutionForm, label=_("Solution"), label_plural=_("Solutions"),
    url_namespace="catalogue", url_prefix="solutions",
    detail_fields=("summary", "challenge", "solution", "results", "sustainability", "replication", "provider",
                   "partners", "countries_applied", "countries_replicated", "sdg_goals", "sdg_targets", "sectors",
                   "modalities", "status", "start_date", "end_date", "contact_name", "contact_email", "links"),
    prefetch=("partners", "countries_applied", "countries_replicated", "sdg_goals", "sdg_targets", "sectors",
              "modalities"),
))
NEED = register(RecordType(
    key="need", create_label=_("New need"), model=Need, form=forms.NeedForm, label=_("Need"), label_plural=_("Needs"), url_namespace="catalogue",
    url_prefix="needs",
    detail_fields=("description", "rationale", "country", "sdg_targets", "sectors", "modalities", "deadline", "status"),
    prefetch=("sdg_targets", "sectors", "modalities"),
))
EXPERT = register(RecordType(
    key="expert", create_label=_("New expert"), model=Expert, form=forms.ExpertForm, label=_("Expert"), label_plural=_("Experts"),
    url_namespace="catalogue", url_prefix="experts",
    detail_fields=("organisation", "expertise", "sdg_goals", "sectors", "languages_spoken", "countries_experience",
                   "availability", "email", "phone"),
    private_fields=("email", "phone"),
    prefetch=("sdg_goals", "sectors", "countries_experience"),
))
PARTNERSHIP = register(RecordType(
    key="partnership", create_label=_("New partnership"), model=Partnership, form=forms.PartnershipForm, label=_("Partnership"),
    label_plural=_("Partnerships"), url_namespace="catalogue", url_prefix="partnerships",
    detail_fields=("description", "partners", "countries", "sdg_targets", "sectors", "modalities", "start_date",
                   "end_date", "website", "status"),
    prefetch=("partners", "countries", "sdg_targets", "sectors", "modalities"),
))
INITIATIVE = register(RecordType(
    key="initiative", create_label=_("New initiative"), model=Initiative, form=InitiativeForm, label=_("Initiative"), label_plural=_("Initiatives"),
    url_namespace="initiatives", url_prefix="",
    detail_fields=("description", "iati_identifier", "activity_status", "start_planned", "start_actual",
                   "end_planned", "end_actual", "providers", "recipients", "facilitators", "funders",
                   "recipient_countries", "budget", "currency", "sectors", "sdg_targets", "modalities",
                   "collaboration_type", "cooperation_type", "results_summary", "need", "solution"),
    prefetch=("providers", "recipients", "facilitators", "funders", "recipient_countries", "sectors", "sdg_targets",
              "modalities"),
))
