"""The dimensions a dashboard breaks cooperation down by: how to read each from the database and label it.

Each ``Dimension`` gives the value of an initiative (for counts and budgets) and of a transaction
(for disbursements), the catalogue facet its rows link to, and a labeller for the active language.
An initiative with several values (two modalities, three recipient countries) counts under each:
the rows of such a dimension are not additive (the page says so).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat, ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Labeller = Callable[[Collection[Any]], dict[Any, str]]
#: The value of an initiative with no value of a dimension (no modality, no recipient country ...).
MISSING = ""


def _model_labels(model_label: str, render: Callable[[Any], str]) -> Labeller:
    def label(values: Collection[Any]) -> dict[Any, str]:
        from django.apps import apps

        model = apps.get_model(model_label)
        return {str(obj.pk): render(obj) for obj in model.objects.filter(pk__in=[v for v in values if v])}

    return label


def _modality_labels(values: Collection[Any]) -> dict[Any, str]:
    from coopatlas.catalogue.models import ModalityCode

    names = dict(ModalityCode.choices)
    return {v: str(names[v]) for v in values if v in names}


def _cooperation_type_labels(values: Collection[Any]) -> dict[Any, str]:
    from coopatlas.initiatives.models import Initiative

    names = dict(Initiative.CooperationType.choices)
    labels = {v: str(names[v]) for v in values if v in names}
    labels[MISSING] = str(_("Not classified"))
    return labels


def _year_labels(values: Collection[Any]) -> dict[Any, str]:
    return {v: str(v) for v in values if v}


def _flow_labels(values: Collection[Any]) -> dict[Any, str]:
    from coopatlas.geo.models import Country

    codes = {code for value in values for code in str(value).split(">") if code}
    names = {c.code: c.name for c in Country.objects.filter(code__in=codes)}
    labels = {}
    for value in values:
        provider, _sep, recipient = str(value).partition(">")
        labels[value] = f"{names.get(provider, provider)} → {names.get(recipient, recipient)}"
    return labels


def _country_name(country: Any) -> str:
    return str(country.name)


@dataclass(frozen=True)
class Dimension:
    """One breakdown: its key, heading, value expressions, linked catalogue facet and labeller."""

    key: str
    title: Promise
    initiative_value: Any
    transaction_value: Any
    labeller: Labeller
    facet: str | None = None
    #: Rows shown (largest first when ``natural_order`` is False); None: every value.
    top: int | None = None
    #: List values in their own order (years, SDG goals) rather than largest first.
    natural_order: bool = False
    missing_label: Promise = _("Not specified")

    def labels(self, values: Collection[Any]) -> dict[Any, str]:
        """Labels of ``values`` in the active language; unknown values keep their code."""
        labels = self.labeller(values)
        return {v: labels.get(v) or (str(self.missing_label) if v == MISSING else str(v)) for v in values}


def _start_year() -> Any:
    return ExtractYear(Coalesce("start_actual", "start_planned"))


def _via_initiative(path: str) -> F:
    return F(f"initiative__{path}")


def _flow(prefix: str) -> Concat:
    return Concat(f"{prefix}providers__country", Value(">"), f"{prefix}recipient_countries")


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("cooperation_type", _("Type of cooperation"), F("cooperation_type"),
                  _via_initiative("cooperation_type"), _cooperation_type_labels,
                  missing_label=_("Not classified")),
        Dimension("modality", _("Modality"), F("modalities"), _via_initiative("modalities"), _modality_labels,
                  facet="modality"),
        Dimension("sdg_goal", _("SDG goal"), F("sdg_targets__goal"), _via_initiative("sdg_targets__goal"),
                  _model_labels("indicators.SdgGoal", lambda g: f"{g.number}. {g.short_title}"), facet="sdg_goal",
                  natural_order=True),
        Dimension("region", _("Recipient region"), F("recipient_countries__region"),
                  _via_initiative("recipient_countries__region"), _model_labels("geo.Region", lambda r: r.name),
                  facet="region"),
        Dimension("commission", _("UN regional commission"), F("recipient_countries__commissions"),
                  _via_initiative("recipient_countries__commissions"),
                  _model_labels("geo.RegionalCommission", lambda c: c.name), facet="commission"),
        Dimension("provider", _("Provider"), F("providers"), _via_initiative("providers"),
                  _model_labels("catalogue.Organisation", lambda o: o.display_name), top=15),
        Dimension("provider_country", _("Provider country"), F("providers__country"),
                  _via_initiative("providers__country"), _model_labels("geo.Country", _country_name), top=15),
        Dimension("recipient_country", _("Recipient country"), F("recipient_countries"),
                  _via_initiative("recipient_countries"), _model_labels("geo.Country", _country_name),
                  facet="country", top=15),
        Dimension("year", _("Year"), _start_year(), ExtractYear("date"), _year_labels,
                  missing_label=_("No date"), natural_order=True),
        Dimension("flow", _("Flows from provider to recipient countries"), _flow(""), _flow("initiative__"),
                  _flow_labels, top=25),
    )
}
