"""The search facets as plain data (the shape of Datasette's ``facets.py``).

Each ``FacetDefinition`` names a facet, says how to label its values in the active language (one
query at most, for the values shown), and whether anonymous visitors see it. ``facet_results``
turns counted values into ``{name, label, results: [{value, label, count, selected, toggle_url}],
truncated, more_url, estimated, timed_out}`` (``estimated``: the counts were scaled from a sample).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coopatlas.core.models import LanguageChoices, WorkflowStatus
from coopatlas.core.search.documents import INDEXED_TYPES

#: Values listed per facet before "more" (``expand=<facet>`` lists up to ``EXPANDED_FACET_SIZE``).
FACET_SIZE = 10
EXPANDED_FACET_SIZE = 300

Labeller = Callable[[Collection[str]], dict[str, str]]


def _choices(choices: Any) -> Labeller:
    def label(values: Collection[str]) -> dict[str, str]:
        names = dict(choices.choices)
        return {v: str(names[v]) for v in values if v in names}

    return label


def _record_types(values: Collection[str]) -> dict[str, str]:
    return {v: str(INDEXED_TYPES[v].model._meta.verbose_name).capitalize() for v in values if v in INDEXED_TYPES}


def _statuses(values: Collection[str]) -> dict[str, str]:
    """Domain statuses are stored as ``<record type>.<code>``: label them "Need: Open"."""
    labels: dict[str, str] = {}
    for value in values:
        record_type, _sep, code = value.partition(".")
        indexed = INDEXED_TYPES.get(record_type)
        if indexed and indexed.status_field:
            field = indexed.model._meta.get_field(indexed.status_field)
            choice = dict(field.choices or []).get(code, code)
            labels[value] = f"{str(indexed.model._meta.verbose_name).capitalize()}: {choice}"
    return labels


def _by_model(model_label: str, render: Callable[[Any], str], fields: tuple[str, ...] = ("names",)) -> Labeller:
    """Label values with ``render(instance)`` of the reference rows they name (one query, ``fields`` only)."""

    def label(values: Collection[str]) -> dict[str, str]:
        from django.apps import apps

        rows = apps.get_model(model_label).objects.filter(pk__in=list(values)).only(*fields)
        return {str(obj.pk): render(obj) for obj in rows}

    return label


def _income_groups(values: Collection[str]) -> dict[str, str]:
    from coopatlas.geo.models import Country

    return _choices(Country.IncomeGroup)(values)


def _modalities(values: Collection[str]) -> dict[str, str]:
    from coopatlas.catalogue.models import ModalityCode

    return _choices(ModalityCode)(values)


def _cooperation_types(values: Collection[str]) -> dict[str, str]:
    from coopatlas.initiatives.models import Initiative

    return _choices(Initiative.CooperationType)(values)


#: Default of ``COOPATLAS_STALE_AFTER_DAYS`` (as ``reports.stale``, which flags and reminds).
DEFAULT_STALE_AFTER_DAYS = 365
#: Values of the computed ``stale`` facet.
STALE, CURRENT = "yes", "no"


def stale_after_days() -> int:
    """Days without an update after which a record is stale (setting ``COOPATLAS_STALE_AFTER_DAYS``)."""
    return int(getattr(settings, "COOPATLAS_STALE_AFTER_DAYS", DEFAULT_STALE_AFTER_DAYS))


def stale_cutoff(now: datetime | None = None) -> datetime:
    """Entries last updated before this moment are stale; computed per search, so never out of date."""
    return (now or timezone.now()) - timedelta(days=stale_after_days())


def _stale(values: Collection[str]) -> dict[str, str]:
    days = stale_after_days()
    labels = {
        STALE: ngettext("Not updated for over %(days)d day", "Not updated for over %(days)d days", days),
        CURRENT: ngettext("Updated within %(days)d day", "Updated within %(days)d days", days),
    }
    return {v: labels[v] % {"days": days} for v in values if v in labels}


COUNTRY_GROUPS = {
    "LDC": _("Least developed countries (LDC)"),
    "LLDC": _("Landlocked developing countries (LLDC)"),
    "SIDS": _("Small island developing States (SIDS)"),
}


def _country_groups(values: Collection[str]) -> dict[str, str]:
    return {v: str(COUNTRY_GROUPS[v]) for v in values if v in COUNTRY_GROUPS}


@dataclass(frozen=True)
class FacetDefinition:
    """One facet: its query-string name, its heading and how its values are labelled."""

    name: str
    label: Promise
    labeller: Labeller
    signed_in_only: bool = False
    #: Computed from the entry row at query time (``sql.COMPUTED_FACETS``), not stored as facet rows.
    computed: bool = False


FACETS: dict[str, FacetDefinition] = {
    f.name: f
    for f in (
        FacetDefinition("type", _("Record type"), _record_types),
        FacetDefinition("country", _("Country"), _by_model("geo.Country", lambda c: c.name)),
        FacetDefinition("region", _("Region"), _by_model("geo.Region", lambda r: r.name)),
        FacetDefinition("subregion", _("Sub-region"), _by_model("geo.Region", lambda r: r.name)),
        FacetDefinition("commission", _("UN regional commission"), _by_model("geo.RegionalCommission", str, ())),
        FacetDefinition("country_group", _("Country group"), _country_groups),
        FacetDefinition("income_group", _("Income group"), _income_groups),
        FacetDefinition(
            "sdg_goal",
            _("SDG goal"),
            _by_model(
                "indicators.SdgGoal", lambda g: f"{g.number}. {g.short_title}", ("number", "short_titles", "titles")
            ),
        ),
        FacetDefinition(
            "sdg_target",
            _("SDG target"),
            _by_model("indicators.SdgTarget", lambda t: f"{t.code} {Truncator(t.title).chars(80)}", ("titles",)),
        ),
        FacetDefinition("sector", _("DAC sector"), _by_model("iati.Sector", lambda s: f"{s.code} {s.name}")),
        FacetDefinition(
            "sector_category",
            _("DAC sector category"),
            _by_model("iati.SectorCategory", lambda s: f"{s.code} {s.name}"),
        ),
        FacetDefinition("modality", _("Modality"), _modalities),
        FacetDefinition("language", _("Language"), _choices(LanguageChoices)),
        FacetDefinition("status", _("Status"), _statuses),
        FacetDefinition("cooperation_type", _("Cooperation type"), _cooperation_types),
        FacetDefinition("stale", _("Last update"), _stale, computed=True),
        FacetDefinition("workflow_status", _("Workflow status"), _choices(WorkflowStatus), signed_in_only=True),
    )
}


def facets_for(user: Any) -> list[str]:
    """The facets ``user`` is shown (anonymous visitors only see published records: no workflow facet)."""
    signed_in = bool(getattr(user, "is_authenticated", False))
    return [name for name, f in FACETS.items() if signed_in or not f.signed_in_only]


def facet_results(
    name: str,
    counts: Mapping[str, int],
    selected: Collection[str],
    expanded: bool,
    toggle_url: Callable[[str, str], str],
    more_url: str = "",
    estimated: bool = False,
    timed_out: bool = False,
) -> dict[str, Any]:
    """One facet as plain data: the most frequent values (selected ones always), labelled, with links."""
    definition = FACETS[name]
    size = EXPANDED_FACET_SIZE if expanded else FACET_SIZE
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = [value for value, _count in ranked[:size]]
    shown += [value for value in selected if value not in shown]
    labels = definition.labeller(shown) if shown else {}
    # Selected values first, then by count, then alphabetically by label.
    shown.sort(key=lambda value: (value not in selected, -counts.get(value, 0), labels.get(value, value)))
    results = [
        {
            "value": value,
            "label": labels.get(value, value),
            "count": counts.get(value, 0),
            "selected": value in selected,
            "toggle_url": toggle_url(name, value),
        }
        for value in shown
    ]
    return {
        "name": name,
        "label": str(definition.label),
        "results": results,
        "truncated": len(ranked) > size,
        "more_url": more_url if len(ranked) > size else None,
        "estimated": estimated,
        "timed_out": timed_out,
    }
