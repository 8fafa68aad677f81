"""Canonical activity -> model values: the Initiative's fields and the rows of its IATI parts.

Pure functions (no queries): the batch writer (``upsert``) calls them and writes the rows in bulk.
Title and general description go to the record's own text fields in the activity's default
language, their other languages to ``translations`` ({language: {field: text}}), as every
catalogue record keeps its translations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from coopatlas.core.models import LanguageChoices
from coopatlas.initiatives import models as m

#: IATI language codes -> catalogue record language codes (where they differ).
RECORD_LANGUAGES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-hans": "zh-hans"}
_RECORD_LANGUAGE_CODES = {code for code, _label in LanguageChoices.choices}
BUDGET_LIMIT = Decimal(10) ** 16


#: Canonical section -> (part model, [(canonical key, model attribute)]): how stored parts read back.
PART_SECTIONS: dict[str, tuple[type, tuple[tuple[str, str], ...]]] = {
    "participating_orgs": (
        m.ParticipatingOrg,
        (
            ("ref", "ref"),
            ("type", "org_type"),
            ("activity_id", "activity_id"),
            ("narratives", "narratives"),
            ("role", "role"),
            ("crs_channel_code", "crs_channel_code"),
        ),
    ),
    "recipient_countries": (
        m.RecipientCountryShare,
        (("code", "code"), ("percentage", "percentage"), ("narratives", "narratives")),
    ),
    "recipient_regions": (
        m.RecipientRegionShare,
        (
            ("vocabulary", "vocabulary"),
            ("vocabulary_uri", "vocabulary_uri"),
            ("code", "code"),
            ("narratives", "narratives"),
            ("percentage", "percentage"),
        ),
    ),
    "locations": (m.Location, (("ref", "ref"), ("texts", "texts"), ("point", "point"), ("codes", "codes"))),
    "sectors": (
        m.SectorShare,
        (
            ("vocabulary", "vocabulary"),
            ("vocabulary_uri", "vocabulary_uri"),
            ("code", "code"),
            ("narratives", "narratives"),
            ("percentage", "percentage"),
        ),
    ),
    "tags": (
        m.Tag,
        (
            ("vocabulary", "vocabulary"),
            ("vocabulary_uri", "vocabulary_uri"),
            ("code", "code"),
            ("narratives", "narratives"),
        ),
    ),
    "policy_markers": (
        m.PolicyMarker,
        (
            ("vocabulary", "vocabulary"),
            ("vocabulary_uri", "vocabulary_uri"),
            ("code", "code"),
            ("narratives", "narratives"),
            ("significance", "significance"),
        ),
    ),
    "budgets": (
        m.Budget,
        (
            ("type", "budget_type"),
            ("status", "status"),
            ("period_start", "period_start"),
            ("period_end", "period_end"),
            ("value", "value"),
            ("currency", "currency"),
            ("value_date", "value_date"),
        ),
    ),
    "transactions": (
        m.Transaction,
        (
            ("ref", "ref"),
            ("humanitarian", "humanitarian"),
            ("type", "transaction_type"),
            ("date", "date"),
            ("value", "value"),
            ("currency", "currency"),
            ("value_date", "value_date"),
            ("description", "description"),
            ("provider", "provider"),
            ("receiver", "receiver"),
            ("classifications", "classifications"),
        ),
    ),
    "document_links": (
        m.DocumentLink,
        (
            ("url", "url"),
            ("format", "file_format"),
            ("title", "title"),
            ("description", "description"),
            ("categories", "categories"),
            ("languages", "languages"),
            ("document_date", "document_date"),
        ),
    ),
}
RESULT_KEYS = (
    ("type", "result_type"),
    ("aggregation_status", "aggregation_status"),
    ("title", "title"),
    ("description", "description"),
)
INDICATOR_KEYS = (
    ("measure", "measure"),
    ("ascending", "ascending"),
    ("aggregation_status", "aggregation_status"),
    ("title", "title"),
    ("description", "description"),
    ("baselines", "baselines"),
)
PERIOD_KEYS = (
    ("period_start", "period_start"),
    ("period_end", "period_end"),
    ("targets", "targets"),
    ("actuals", "actuals"),
)


@cache
def _max_length(model: type, attname: str) -> int | None:
    return getattr(model._meta.get_field(attname), "max_length", None)


def length_problems(activity: dict[str, Any]) -> list[str]:
    """Values longer than their column allows (SQLite would keep them, PostgreSQL refuses them: refuse both)."""
    found = []

    def check(model: type, attname: str, value: Any, where: str) -> None:
        limit = _max_length(model, attname)
        if limit and isinstance(value, str) and len(value) > limit:
            found.append(f"{where}: {value[:40]!r} is longer than {limit} characters")

    for name, value in initiative_fields(activity).items():
        check(m.Initiative, name, value, name)
    for section, (model, keys) in PART_SECTIONS.items():
        for item in activity[section]:
            for key, attname in keys:
                check(model, attname, item[key], f"{section} {key}")
    for result in activity["results"]:
        for key, attname in RESULT_KEYS:
            check(m.Result, attname, result[key], f"result {key}")
        for indicator in result["indicators"]:
            for key, attname in INDICATOR_KEYS:
                check(m.ResultIndicator, attname, indicator[key], f"indicator {key}")
    return found


def record_language(iati_lang: str) -> str:
    """The catalogue language of an IATI ``xml:lang`` ("other" when the catalogue has no such choice)."""
    lang = RECORD_LANGUAGES.get(iati_lang, iati_lang)
    if not lang:
        return "en"
    return lang if lang in _RECORD_LANGUAGE_CODES else "other"


def translation_key(iati_lang: str) -> str:
    """The key of a narrative's language in ``translations`` (the catalogue's code where it has one)."""
    return RECORD_LANGUAGES.get(iati_lang, iati_lang)


def fingerprint(activity: dict[str, Any]) -> str:
    """A digest of the canonical activity: equal digests mean an import would change nothing."""
    text = json.dumps(activity, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def original_and_translations(texts: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The text in the default language (else the first one) and the texts in other languages."""
    original = texts.get("", "") or next(iter(texts.values()), "")
    return original, {translation_key(lang): text for lang, text in texts.items() if lang}


def text_fields(activity: dict[str, Any]) -> dict[str, Any]:
    """Title, description, language and translations of the record."""
    title, title_translations = original_and_translations(activity["title"])
    description, description_translations = original_and_translations(activity["descriptions"].get("1", {}))
    translations: dict[str, dict[str, str]] = {}
    for name, texts in (("title", title_translations), ("description", description_translations)):
        for lang, text in texts.items():
            translations.setdefault(lang, {})[name] = text
    return {
        "title": title,
        "description": description,
        "translations": translations,
        "language": record_language(activity["default_language"]),
    }


def total_budget(activity: dict[str, Any]) -> Decimal | None:
    """The activity's budget in its default currency: revised budgets where given, else the original ones.

    IATI BudgetType 2 (revised) supersedes 1 (original) for the same period; budgets in another
    currency are left out. None when there is none, or when the sum is negative or too large.
    """
    budgets = activity["budgets"]
    revised = [b for b in budgets if b["type"] == "2"]
    chosen = revised or [b for b in budgets if b["type"] != "2"]
    currency = activity["default_currency"]
    values = [b["value"] for b in chosen if (b["currency"] or currency) == currency]
    if not values:
        return None
    total = sum(values, Decimal(0)).quantize(Decimal("0.01"))
    return total if Decimal(0) <= total < BUDGET_LIMIT else None


def initiative_fields(activity: dict[str, Any]) -> dict[str, Any]:
    """Every Initiative field the canonical activity decides (not ownership, workflow or provenance)."""
    dates = activity["dates"]
    reporting = activity["reporting_org"]
    details: dict[str, Any] = {
        "reporting_org": {
            "type": reporting.get("type", ""),
            "secondary": reporting.get("secondary"),
            "narratives": reporting.get("narratives", {}),
        },
    }
    other_descriptions = {k: v for k, v in activity["descriptions"].items() if k != "1"}
    if other_descriptions:
        details["descriptions"] = other_descriptions
    if activity["related_activities"]:
        details["related_activities"] = activity["related_activities"]
    if activity["humanitarian"] is not None:
        details["humanitarian"] = activity["humanitarian"]
    return {
        **text_fields(activity),
        "iati_identifier": activity["identifier"],
        "iati_reporting_org_ref": reporting.get("ref", ""),
        "activity_status": activity["activity_status"],
        "start_planned": dates.get("1"),
        "start_actual": dates.get("2"),
        "end_planned": dates.get("3"),
        "end_actual": dates.get("4"),
        "budget": total_budget(activity),
        "currency": activity["default_currency"],
        "collaboration_type": activity["collaboration_type"],
        "activity_scope": activity["activity_scope"],
        "default_flow_type": activity["default_flow_type"],
        "default_finance_type": activity["default_finance_type"],
        "default_tied_status": activity["default_tied_status"],
        "default_aid_types": activity["default_aid_types"],
        "hierarchy": activity["hierarchy"],
        "iati_details": details,
        "iati_default_language": activity["default_language"],
        "iati_last_updated": activity["last_updated"],
    }


def _jsonable(value: Any) -> Any:
    """Dates inside JSON columns are stored as ISO strings."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def part_rows(
    activity: dict[str, Any], initiative_id: int, org_pk: Callable[[str], int | None], iso2_to_iso3: dict[str, str]
) -> dict[type, list[dict[str, Any]]]:
    """Rows (attribute -> value) of every IATI part of the activity (results without their indicators)."""
    rows: dict[type, list[dict[str, Any]]] = {}

    def add(model: type, **values: Any) -> None:
        model_rows = rows.setdefault(model, [])
        model_rows.append(
            {**part_defaults(model), "initiative_id": initiative_id, "position": len(model_rows), **values}
        )

    for org in activity["participating_orgs"]:
        add(
            m.ParticipatingOrg,
            organisation_id=org_pk(org["ref"]),
            role=org["role"],
            ref=org["ref"],
            org_type=org["type"],
            activity_id=org["activity_id"],
            crs_channel_code=org["crs_channel_code"],
            narratives=org["narratives"],
        )
    for country in activity["recipient_countries"]:
        add(
            m.RecipientCountryShare,
            country_id=iso2_to_iso3.get(country["code"]),
            code=country["code"],
            percentage=country["percentage"],
            narratives=country["narratives"],
        )
    for region in activity["recipient_regions"]:
        add(
            m.RecipientRegionShare,
            code=region["code"],
            vocabulary=region["vocabulary"],
            vocabulary_uri=region["vocabulary_uri"],
            percentage=region["percentage"],
            narratives=region["narratives"],
        )
    for sector in activity["sectors"]:
        add(
            m.SectorShare,
            vocabulary=sector["vocabulary"],
            vocabulary_uri=sector["vocabulary_uri"],
            code=sector["code"],
            percentage=sector["percentage"],
            narratives=sector["narratives"],
        )
    for tag in activity["tags"]:
        add(
            m.Tag,
            vocabulary=tag["vocabulary"],
            vocabulary_uri=tag["vocabulary_uri"],
            code=tag["code"],
            narratives=tag["narratives"],
        )
    for marker in activity["policy_markers"]:
        add(
            m.PolicyMarker,
            vocabulary=marker["vocabulary"],
            vocabulary_uri=marker["vocabulary_uri"],
            code=marker["code"],
            significance=marker["significance"],
            narratives=marker["narratives"],
        )
    for location in activity["locations"]:
        add(m.Location, ref=location["ref"], texts=location["texts"], point=location["point"], codes=location["codes"])
    for budget in activity["budgets"]:
        add(
            m.Budget,
            budget_type=budget["type"],
            status=budget["status"],
            period_start=budget["period_start"],
            period_end=budget["period_end"],
            value=budget["value"],
            currency=budget["currency"],
            value_date=budget["value_date"],
        )
    for tx in activity["transactions"]:
        add(
            m.Transaction,
            ref=tx["ref"],
            humanitarian=tx["humanitarian"],
            transaction_type=tx["type"],
            date=tx["date"],
            value=tx["value"],
            currency=tx["currency"],
            value_date=tx["value_date"],
            description=tx["description"],
            provider_ref=tx["provider"].get("ref", ""),
            provider=tx["provider"],
            receiver_ref=tx["receiver"].get("ref", ""),
            receiver=tx["receiver"],
            classifications=tx["classifications"],
        )
    for link in activity["document_links"]:
        add(
            m.DocumentLink,
            url=link["url"],
            file_format=link["format"],
            title=link["title"],
            description=link["description"],
            categories=link["categories"],
            languages=link["languages"],
            document_date=link["document_date"],
        )
    for result in activity["results"]:
        add(
            m.Result,
            result_type=result["type"],
            aggregation_status=result["aggregation_status"],
            title=result["title"],
            description=result["description"],
        )
    return rows


def indicator_rows(result: dict[str, Any], result_id: int) -> list[dict[str, Any]]:
    """Rows of the indicators of a saved result."""
    return [
        {
            **part_defaults(m.ResultIndicator),
            "result_id": result_id,
            "position": i,
            "measure": ind["measure"],
            "ascending": ind["ascending"],
            "aggregation_status": ind["aggregation_status"],
            "title": ind["title"],
            "description": ind["description"],
            "baselines": _jsonable(ind["baselines"]),
        }
        for i, ind in enumerate(result["indicators"])
    ]


def period_rows(periods: list[dict[str, Any]], indicator_id: int) -> list[dict[str, Any]]:
    """Rows of the periods of a saved indicator."""
    return [
        {
            **part_defaults(m.IndicatorPeriod),
            "indicator_id": indicator_id,
            "position": i,
            "period_start": p["period_start"],
            "period_end": p["period_end"],
            "targets": _jsonable(p["targets"]),
            "actuals": _jsonable(p["actuals"]),
        }
        for i, p in enumerate(periods)
    ]


@cache
def part_columns(model: type) -> tuple[str, ...]:
    """The attribute names a part row has: every concrete field but the primary key."""
    return tuple(f.attname for f in model._meta.concrete_fields if not f.primary_key)


@cache
def _defaults(model: type) -> tuple[tuple[str, Any], ...]:
    return tuple((f.attname, f.get_default()) for f in model._meta.concrete_fields if not f.primary_key)


def part_defaults(model: type) -> dict[str, Any]:
    """A fresh row of ``model`` with every column at its default (JSON defaults are new objects)."""
    return {name: (type(value)() if isinstance(value, dict | list) else value) for name, value in _defaults(model)}
