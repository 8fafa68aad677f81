"""Export initiatives as IATI 2.03 XML (https://iatistandard.org/en/iati-standard/203/activity-standard/).

``load_activity`` reads a stored initiative back into the canonical activity the importer writes
(``iati.importer.activity``), so import -> export -> import can be compared record by record;
``activity_element`` writes the canonical activity in the element order of the IATI 2.03 schema
(``iati-activities-schema.xsd``: a sequence, so order matters); ``write_activities`` streams a whole
file with ``lxml.etree.xmlfile``, one activity in memory at a time. Records that lack what the 2.03
schema requires (a reporting organisation identifier, a participating organisation, an activity
status or date) are left out and listed in the ``ExportReport``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from coopatlas.iati.importer.activity import new_activity
from coopatlas.iati.importer.records import INDICATOR_KEYS, PART_SECTIONS, PERIOD_KEYS, RESULT_KEYS
from coopatlas.iati.importer.xmltext import XML_LANG, format_decimal, parse_date
from coopatlas.initiatives import models as m
from coopatlas.initiatives.models import Initiative

VERSION = "2.03"
#: IATI language code of each catalogue translation key that differs (inverse of the importer's map).
IATI_LANGUAGES = {"zh-hans": "zh"}
#: Initiatives read per query when exporting.
CHUNK_SIZE = 500


@dataclass
class ExportReport:
    """What an export wrote and what it left out (with the reason)."""

    written: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line: counts."""
        return f"{self.written} activities written, {len(self.skipped)} left out"


def _iati_lang(key: str) -> str:
    return IATI_LANGUAGES.get(key, key)


def _texts(original: str, translations: dict[str, dict[str, str]], name: str) -> dict[str, str]:
    """A record field and its translations as canonical narratives."""
    texts = {"": original} if original else {}
    for key, fields in (translations or {}).items():
        if isinstance(fields, dict) and fields.get(name):
            texts[_iati_lang(key)] = fields[name]
    return dict(sorted(texts.items()))


def _date(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


Parts = dict[str, list[dict[str, Any]]]


def _grouped(
    model: type, key: str, ids: list[int], keys: tuple[tuple[str, str], ...], extra: tuple[str, ...] = ()
) -> dict[int, list[dict[str, Any]]]:
    """Rows of ``model`` whose ``key`` is in ``ids``, in position order, as canonical dicts grouped by ``key``."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    rows = (
        model.objects.filter(**{f"{key}__in": ids})
        .order_by(key, "position")
        .values(key, *extra, *(attname for _, attname in keys))
    )
    for row in rows:
        item = {name: row[attname] for name, attname in keys}
        for name in extra:
            item[f"_{name}"] = row[name]
        grouped.setdefault(row[key], []).append(item)
    return grouped


def load_parts(initiative_ids: list[int]) -> dict[int, Parts]:
    """The stored IATI parts of several initiatives: one query per part table, no model instances."""
    parts: dict[int, Parts] = {pk: {} for pk in initiative_ids}
    for section, (model, keys) in PART_SECTIONS.items():
        for pk, items in _grouped(model, "initiative_id", initiative_ids, keys).items():
            parts[pk][section] = items
    results = _grouped(m.Result, "initiative_id", initiative_ids, RESULT_KEYS, ("id",))
    result_ids = [r["_id"] for items in results.values() for r in items]
    indicators = _grouped(m.ResultIndicator, "result_id", result_ids, INDICATOR_KEYS, ("id",))
    periods = _grouped(
        m.IndicatorPeriod, "indicator_id", [i["_id"] for items in indicators.values() for i in items], PERIOD_KEYS
    )
    for pk, items in results.items():
        for result in items:
            result["indicators"] = indicators.get(result.pop("_id"), [])
            for indicator in result["indicators"]:
                indicator["periods"] = periods.get(indicator.pop("_id"), [])
        parts[pk]["results"] = items
    return parts


def load_activity(initiative: Initiative, parts: Parts | None = None) -> dict[str, Any]:
    """The canonical IATI activity of a stored initiative (imported or entered in CoopAtlas).

    ``parts`` are the initiative's stored IATI parts (``load_parts``); read here when not given.
    """
    activity = new_activity()
    details = initiative.iati_details or {}
    reporting = details.get("reporting_org", {})
    activity.update(
        identifier=initiative.iati_identifier,
        last_updated=initiative.iati_last_updated,
        default_language=initiative.iati_default_language,
        default_currency=initiative.currency,
        humanitarian=details.get("humanitarian"),
        hierarchy=initiative.hierarchy,
        title=_texts(initiative.title, initiative.translations, "title"),
        activity_status=initiative.activity_status,
        dates={
            k: v
            for k, v in (
                ("1", initiative.start_planned),
                ("2", initiative.start_actual),
                ("3", initiative.end_planned),
                ("4", initiative.end_actual),
            )
            if v
        },
        activity_scope=initiative.activity_scope,
        collaboration_type=initiative.collaboration_type,
        default_flow_type=initiative.default_flow_type,
        default_finance_type=initiative.default_finance_type,
        default_aid_types=initiative.default_aid_types or [],
        default_tied_status=initiative.default_tied_status,
        related_activities=details.get("related_activities", []),
    )
    description = _texts(initiative.description, initiative.translations, "description")
    activity["descriptions"] = {**({"1": description} if description else {}), **details.get("descriptions", {})}
    activity["descriptions"] = dict(sorted(activity["descriptions"].items()))
    if initiative.iati_reporting_org_ref:
        activity["reporting_org"] = {
            "ref": initiative.iati_reporting_org_ref,
            "type": reporting.get("type", ""),
            "secondary": reporting.get("secondary"),
            "narratives": reporting.get("narratives", {}),
        }
        activity.update(parts if parts is not None else load_parts([initiative.pk])[initiative.pk])
    else:
        _load_catalogue_relations(initiative, activity)
        # Results entered in CoopAtlas's results framework are stored in the same IATI tables.
        stored = parts if parts is not None else load_parts([initiative.pk])[initiative.pk]
        activity["results"] = stored.get("results", [])
    return activity


def _load_catalogue_relations(initiative: Initiative, activity: dict[str, Any]) -> None:
    """An initiative entered in CoopAtlas: its organisations, countries, sectors and SDG targets as IATI."""
    reporting = initiative.owner
    if reporting is not None and reporting.iati_identifier:
        activity["reporting_org"] = {
            "ref": reporting.iati_identifier,
            "type": reporting.organisation_type,
            "secondary": None,
            "narratives": {"": reporting.name},
        }
    roles = (
        ("1", initiative.funders),
        ("1", initiative.facilitators),
        ("3", initiative.providers),
        ("4", initiative.recipients),
    )
    activity["participating_orgs"] = [
        {
            "ref": o.iati_identifier,
            "type": o.organisation_type,
            "activity_id": "",
            "narratives": {"": o.name},
            "role": role,
            "crs_channel_code": "",
        }
        for role, relation in roles
        for o in relation.all()
    ]
    activity["recipient_countries"] = [
        {"code": c.iso2, "percentage": None, "narratives": {}} for c in initiative.recipient_countries.all() if c.iso2
    ]
    activity["sectors"] = [
        {"vocabulary": "1", "vocabulary_uri": "", "code": s.code, "narratives": {}, "percentage": None}
        for s in initiative.sectors.all()
    ]
    activity["tags"] = [
        {"vocabulary": "3", "vocabulary_uri": "", "code": t.code, "narratives": {}}
        for t in initiative.sdg_targets.all()
    ]


def missing_for_export(activity: dict[str, Any]) -> list[str]:
    """What the IATI 2.03 schema requires that the activity lacks (empty: it can be exported)."""
    required = (
        ("iati-identifier", activity["identifier"]),
        ("reporting-org/@ref", activity["reporting_org"].get("ref")),
        ("reporting-org/@type", activity["reporting_org"].get("type")),
        ("title", activity["title"]),
        ("participating-org", activity["participating_orgs"]),
        ("activity-status", activity["activity_status"]),
        ("activity-date", activity["dates"]),
    )
    return [name for name, present in required if not present]


# --- writing XML -------------------------------------------------------------------------------


def _set(element: etree._Element, **attributes: Any) -> etree._Element:
    """Set the attributes that have a value (``foo_bar`` -> ``foo-bar``; booleans as 1/0)."""
    for name, value in attributes.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "1" if value else "0"
        elif hasattr(value, "normalize"):
            value = format_decimal(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        element.set(name.replace("_", "-"), str(value))
    return element


def _narratives(parent: etree._Element, texts: dict[str, str], required: bool = False) -> None:
    """One ``<narrative>`` per language ("" = the activity's default language: no ``xml:lang``)."""
    for lang, text in sorted(texts.items()):
        narrative = etree.SubElement(parent, "narrative")
        if lang:
            narrative.set(XML_LANG, lang)
        narrative.text = text
    if required and not texts:
        etree.SubElement(parent, "narrative")


def _child(parent: etree._Element, tag: str, texts: dict[str, str] | None = None, **attributes: Any) -> etree._Element:
    element = _set(etree.SubElement(parent, tag), **attributes)
    if texts:
        _narratives(element, texts)
    return element


def _coded(parent: etree._Element, tag: str, item: dict[str, Any], **extra: Any) -> None:
    _child(
        parent,
        tag,
        item.get("narratives"),
        vocabulary=item.get("vocabulary"),
        vocabulary_uri=item.get("vocabulary_uri"),
        code=item.get("code"),
        **extra,
    )


def _organisation(parent: etree._Element, tag: str, org: dict[str, Any], id_attribute: str) -> None:
    element = _set(
        etree.SubElement(parent, tag),
        ref=org.get("ref"),
        type=org.get("type"),
        **{id_attribute: org.get("activity_id")},
    )
    _narratives(element, org.get("narratives") or {})


def _value(parent: etree._Element, value: Any, currency: str, value_date: Any) -> None:
    element = _set(etree.SubElement(parent, "value"), currency=currency, value_date=_date(value_date))
    element.text = format_decimal(value)


def activity_element(activity: dict[str, Any]) -> etree._Element:
    """An ``<iati-activity>`` element, children in the order of the IATI 2.03 schema."""
    root = etree.Element("iati-activity")
    if activity["last_updated"]:
        root.set("last-updated-datetime", activity["last_updated"].isoformat())
    if activity["default_language"]:
        root.set(XML_LANG, activity["default_language"])
    _set(
        root,
        default_currency=activity["default_currency"],
        humanitarian=activity["humanitarian"],
        hierarchy=activity["hierarchy"],
    )
    etree.SubElement(root, "iati-identifier").text = activity["identifier"]
    reporting = activity["reporting_org"]
    _set(
        _child(
            root, "reporting-org", reporting.get("narratives"), ref=reporting.get("ref"), type=reporting.get("type")
        ),
        secondary_reporter=reporting.get("secondary"),
    )
    _narratives(etree.SubElement(root, "title"), activity["title"], required=True)
    descriptions = activity["descriptions"] or {"1": {}}
    for kind, texts in sorted(descriptions.items()):
        _narratives(_set(etree.SubElement(root, "description"), type=kind), texts, required=True)
    for org in activity["participating_orgs"]:
        _child(
            root,
            "participating-org",
            org["narratives"],
            ref=org["ref"],
            type=org["type"],
            role=org["role"],
            activity_id=org["activity_id"],
            crs_channel_code=org["crs_channel_code"],
        )
    _child(root, "activity-status", code=activity["activity_status"])
    for kind, date in sorted(activity["dates"].items()):
        _child(root, "activity-date", type=kind, iso_date=date)
    if activity["activity_scope"]:
        _child(root, "activity-scope", code=activity["activity_scope"])
    for country in activity["recipient_countries"]:
        _child(root, "recipient-country", country["narratives"], code=country["code"], percentage=country["percentage"])
    for region in activity["recipient_regions"]:
        _coded(root, "recipient-region", region, percentage=region["percentage"])
    for location in activity["locations"]:
        _location(root, location)
    for sector in activity["sectors"]:
        _coded(root, "sector", sector, percentage=sector["percentage"])
    for tag in activity["tags"]:
        _coded(root, "tag", tag)
    for marker in activity["policy_markers"]:
        _coded(root, "policy-marker", marker, significance=marker["significance"])
    for name in ("collaboration_type", "default_flow_type", "default_finance_type"):
        if activity[name]:
            _child(root, name.replace("_", "-"), code=activity[name])
    for aid_type in activity["default_aid_types"]:
        _child(root, "default-aid-type", code=aid_type["code"], vocabulary=aid_type.get("vocabulary"))
    if activity["default_tied_status"]:
        _child(root, "default-tied-status", code=activity["default_tied_status"])
    for budget in activity["budgets"]:
        element = _set(etree.SubElement(root, "budget"), type=budget["type"], status=budget["status"])
        _child(element, "period-start", iso_date=budget["period_start"])
        _child(element, "period-end", iso_date=budget["period_end"])
        _value(element, budget["value"], budget["currency"], budget["value_date"])
    for transaction in activity["transactions"]:
        _transaction(root, transaction)
    for link in activity["document_links"]:
        _document_link(root, link)
    for related in activity["related_activities"]:
        _child(root, "related-activity", ref=related["ref"], type=related["type"])
    for result in activity["results"]:
        _result(root, result)
    return root


def _location(parent: etree._Element, location: dict[str, Any]) -> None:
    element = _set(etree.SubElement(parent, "location"), ref=location["ref"])
    codes, texts = location["codes"], location["texts"]
    if codes.get("reach"):
        _child(element, "location-reach", code=codes["reach"])
    for item in codes.get("ids", []):
        _child(element, "location-id", vocabulary=item["vocabulary"], code=item["code"])
    for name, tag in (
        ("name", "name"),
        ("description", "description"),
        ("activity_description", "activity-description"),
    ):
        if texts.get(name):
            _narratives(etree.SubElement(element, tag), texts[name])
    for item in codes.get("administratives", []):
        _child(element, "administrative", vocabulary=item["vocabulary"], level=item["level"], code=item["code"])
    if location["point"]:
        point = etree.SubElement(element, "point", srsName="http://www.opengis.net/def/crs/EPSG/0/4326")
        etree.SubElement(point, "pos").text = location["point"]
    for name, tag in (
        ("exactness", "exactness"),
        ("location_class", "location-class"),
        ("feature_designation", "feature-designation"),
    ):
        if codes.get(name):
            _child(element, tag, code=codes[name])


def _transaction(parent: etree._Element, transaction: dict[str, Any]) -> None:
    element = _set(
        etree.SubElement(parent, "transaction"), ref=transaction["ref"], humanitarian=transaction["humanitarian"]
    )
    extra = transaction["classifications"]
    _child(element, "transaction-type", code=transaction["type"])
    _child(element, "transaction-date", iso_date=transaction["date"])
    _value(element, transaction["value"], transaction["currency"], transaction["value_date"])
    if transaction["description"]:
        _narratives(etree.SubElement(element, "description"), transaction["description"])
    if transaction["provider"]:
        _organisation(element, "provider-org", transaction["provider"], "provider_activity_id")
    if transaction["receiver"]:
        _organisation(element, "receiver-org", transaction["receiver"], "receiver_activity_id")
    if extra.get("disbursement_channel"):
        _child(element, "disbursement-channel", code=extra["disbursement_channel"])
    for sector in extra.get("sectors", []):
        _coded(element, "sector", sector)
    if extra.get("recipient_country"):
        _child(
            element,
            "recipient-country",
            extra["recipient_country"]["narratives"],
            code=extra["recipient_country"]["code"],
        )
    if extra.get("recipient_region"):
        _coded(element, "recipient-region", extra["recipient_region"])
    for name in ("flow_type", "finance_type"):
        if extra.get(name):
            _child(element, name.replace("_", "-"), code=extra[name])
    for aid_type in extra.get("aid_types", []):
        _child(element, "aid-type", code=aid_type["code"], vocabulary=aid_type.get("vocabulary"))
    if extra.get("tied_status"):
        _child(element, "tied-status", code=extra["tied_status"])


def _document_link(parent: etree._Element, link: dict[str, Any]) -> None:
    element = _set(etree.SubElement(parent, "document-link"), format=link["format"], url=link["url"])
    _narratives(etree.SubElement(element, "title"), link["title"], required=True)
    if link["description"]:
        _narratives(etree.SubElement(element, "description"), link["description"])
    for code in link["categories"]:
        _child(element, "category", code=code)
    for code in link["languages"]:
        _child(element, "language", code=code)
    if link["document_date"]:
        _child(element, "document-date", iso_date=_date(link["document_date"]))


def _comment(parent: etree._Element, texts: dict[str, str]) -> None:
    if texts:
        _narratives(etree.SubElement(parent, "comment"), texts)


def _result(parent: etree._Element, result: dict[str, Any]) -> None:
    element = _set(
        etree.SubElement(parent, "result"), type=result["type"], aggregation_status=result["aggregation_status"]
    )
    _narratives(etree.SubElement(element, "title"), result["title"], required=True)
    if result["description"]:
        _narratives(etree.SubElement(element, "description"), result["description"])
    for indicator in result["indicators"]:
        ind = _set(
            etree.SubElement(element, "indicator"),
            measure=indicator["measure"],
            ascending=indicator["ascending"],
            aggregation_status=indicator["aggregation_status"],
        )
        _narratives(etree.SubElement(ind, "title"), indicator["title"], required=True)
        if indicator["description"]:
            _narratives(etree.SubElement(ind, "description"), indicator["description"])
        for baseline in indicator["baselines"]:
            _comment(
                _set(
                    etree.SubElement(ind, "baseline"),
                    year=baseline["year"],
                    iso_date=baseline["iso_date"],
                    value=baseline["value"],
                ),
                baseline["comment"],
            )
        for period in indicator["periods"]:
            element_period = etree.SubElement(ind, "period")
            _child(element_period, "period-start", iso_date=_date(period["period_start"]))
            _child(element_period, "period-end", iso_date=_date(period["period_end"]))
            for tag, items in (("target", period["targets"]), ("actual", period["actuals"])):
                for item in items:
                    _comment(_set(etree.SubElement(element_period, tag), value=item["value"]), item["comment"])


# --- whole files -------------------------------------------------------------------------------


def iter_activities(
    queryset: QuerySet[Initiative], report: ExportReport, ids: Sequence[int] | None = None
) -> Iterator[dict[str, Any]]:
    """The canonical activities of ``queryset`` (only ``ids`` when given) that IATI 2.03 can express.

    Initiatives are read ``CHUNK_SIZE`` at a time with their parts (a fixed number of queries per
    chunk), so memory stays flat however many are exported; the others go to the report.
    """
    queryset = queryset.select_related("owner").order_by("pk")
    last_pk, offset = 0, 0
    while True:
        if ids is None:
            chunk = list(queryset.filter(pk__gt=last_pk)[:CHUNK_SIZE])
        else:
            chunk = list(queryset.filter(pk__in=ids[offset : offset + CHUNK_SIZE]))
            offset += CHUNK_SIZE
        if not chunk and (ids is None or offset >= len(ids)):
            return
        last_pk = chunk[-1].pk if chunk else last_pk
        parts = load_parts([i.pk for i in chunk if i.iati_reporting_org_ref])
        for initiative in chunk:
            activity = load_activity(initiative, parts.get(initiative.pk))
            missing = missing_for_export(activity)
            if missing:
                label = initiative.iati_identifier or f"initiative #{initiative.pk}"
                report.skipped.append((label, "missing " + ", ".join(missing)))
                continue
            yield activity


def write_activities(activities: Iterable[dict[str, Any]], stream: IO[bytes], report: ExportReport) -> None:
    """Write an ``<iati-activities version="2.03">`` file, one activity element at a time."""
    generated = timezone.now().replace(microsecond=0).isoformat()
    with etree.xmlfile(stream, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element("iati-activities", version=VERSION, **{"generated-datetime": generated}):
            for activity in activities:
                xml.write(activity_element(activity))
                report.written += 1


def export_initiatives(queryset: QuerySet[Initiative], stream: IO[bytes]) -> ExportReport:
    """Write the exportable initiatives of ``queryset`` as an IATI 2.03 file to ``stream``."""
    report = ExportReport()
    write_activities(iter_activities(queryset, report), stream, report)
    return report


__all__ = [
    "ExportReport",
    "activity_element",
    "export_initiatives",
    "load_activity",
    "missing_for_export",
    "write_activities",
]
