"""Map one ``<iati-activity>`` element (IATI 1.01-2.03) to the canonical activity: plain data, no database.

The canonical activity is a dict of JSON-like values (strings, dates, ``Decimal``) shaped like the
IATI 2.03 activity standard (https://iatistandard.org/en/iati-standard/203/activity-standard/): the
importer writes it to the models, the exporter reads the models back into it, so a round trip can be
compared field by field. IATI 1.0x codes are mapped onto 2.03 codes as the IATI 2.01 upgrade notes
give them (organisation roles, activity date types, transaction types, vocabularies); missing
``value-date`` attributes default to the transaction date / budget period start.

Parts IATI 2.03 requires (a transaction's type, date and value, a budget's period) are dropped with a
warning when missing or unreadable; the activity itself is rejected only when it cannot be keyed or
titled (no identifier, no reporting organisation identifier, no title).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from coopatlas.iati.importer.xmltext import (
    XML_LANG,
    Narratives,
    attr,
    code_of,
    element_date,
    first_children,
    narratives,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
)
from coopatlas.iati.validation.codelists import codelist_codes
from coopatlas.iati.validation.problems import Problem

# IATI 1.0x codes -> IATI 2.03 codes (IATI 2.01 upgrade: "codes replaced by numeric codes").
ROLES_V1 = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
DATE_TYPES_V1 = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
TRANSACTION_TYPES_V1 = {
    "IF": "1",
    "C": "2",
    "D": "3",
    "E": "4",
    "IR": "5",
    "LR": "6",
    "R": "7",
    "QP": "8",
    "QS": "9",
    "CG": "10",
}
SECTOR_VOCABULARIES_V1 = {
    "DAC": "1",
    "DAC-3": "2",
    "COFOG": "3",
    "NACE": "4",
    "NTEE": "5",
    "ADT": "6",
    "RO": "99",
    "RO2": "98",
}
POLICY_VOCABULARIES_V1 = {"DAC": "1", "RO": "99"}
RESULT_TYPES_V1 = {"output": "1", "outcome": "2", "impact": "3"}
BUDGET_TYPES_V1 = {"original": "1", "revised": "2"}

#: Fields the rejection and warning rules use (rule ids of the importer, beside the validator's).
NO_IDENTIFIER = "import.no-identifier"
NO_REPORTING_ORG = "import.no-reporting-org"
NO_TITLE = "import.no-title"
TOO_LONG = "import.too-long"
DROPPED = "import.dropped"
NOT_EXPORTABLE = "import.not-exportable"

#: Longest texts the model columns hold (longer ones are refused rather than cut).
MAX_LENGTHS = {"identifier": 200, "ref": 200, "title": 1000, "url": 2000, "code": 100}


@dataclass
class Mapping:
    """The state of mapping one activity: its default language and the problems found so far."""

    default_lang: str
    line: int | None
    identifier: str = ""
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    def warn(self, rule: str, message: str, element: etree._Element | None = None) -> None:
        """Report a problem that does not stop the import of the activity."""
        line = element.sourceline if element is not None else self.line
        self.warnings.append(Problem(rule, message, "warning", "import", line))

    def reject(self, rule: str, message: str, element: etree._Element | None = None) -> None:
        """Report a problem that stops the import of the activity."""
        line = element.sourceline if element is not None else self.line
        self.errors.append(Problem(rule, message, "error", "import", line))

    def text(self, element: etree._Element | None) -> Narratives:
        """The element's narratives in canonical form."""
        return narratives(element, self.default_lang)


def new_activity() -> dict[str, Any]:
    """An empty canonical activity (every key present, so comparisons see every field)."""
    return {
        "identifier": "",
        "last_updated": None,
        "default_language": "",
        "default_currency": "",
        "humanitarian": None,
        "hierarchy": None,
        "reporting_org": {},
        "title": {},
        "descriptions": {},
        "participating_orgs": [],
        "activity_status": "",
        "dates": {},
        "activity_scope": "",
        "recipient_countries": [],
        "recipient_regions": [],
        "locations": [],
        "sectors": [],
        "tags": [],
        "policy_markers": [],
        "collaboration_type": "",
        "default_flow_type": "",
        "default_finance_type": "",
        "default_aid_types": [],
        "default_tied_status": "",
        "budgets": [],
        "transactions": [],
        "document_links": [],
        "related_activities": [],
        "results": [],
    }


def _code(value: str, codelist: str, mapping: Mapping, element: etree._Element, what: str) -> str:
    """``value`` when it is a code of ``codelist`` (or empty), else "" with a warning."""
    if not value or value in codelist_codes(codelist):
        return value
    mapping.warn(DROPPED, f"{what} {value[:40]!r} is not a code of the IATI {codelist} codelist; left out", element)
    return ""


def _fits(value: str, limit: int, mapping: Mapping, element: etree._Element, what: str) -> bool:
    """Whether ``value`` fits its column; a warning when it does not."""
    if len(value) <= limit:
        return True
    mapping.warn(TOO_LONG, f"{what} is longer than {limit} characters; left out", element)
    return False


def _organisation(element: etree._Element, mapping: Mapping) -> dict[str, Any]:
    """Identifier, type, activity id and name of an organisation element."""
    ref = attr(element, "ref")
    return {
        "ref": ref if _fits(ref, MAX_LENGTHS["ref"], mapping, element, "organisation identifier") else "",
        "type": _code(attr(element, "type"), "OrganisationType", mapping, element, "organisation type"),
        "activity_id": (
            attr(element, "provider-activity-id")
            or attr(element, "receiver-activity-id")
            or attr(element, "activity-id")
        )[:200],
        "narratives": mapping.text(element),
    }


def _coded(element: etree._Element, mapping: Mapping, vocabularies: dict[str, str] | None = None) -> dict[str, Any]:
    """Vocabulary, vocabulary URI, code and narratives of a sector, tag, region or policy marker."""
    vocabulary = attr(element, "vocabulary")
    if vocabularies is not None:
        vocabulary = vocabularies.get(vocabulary, vocabulary)
    return {
        "vocabulary": vocabulary,
        "vocabulary_uri": attr(element, "vocabulary-uri"),
        "code": attr(element, "code"),
        "narratives": mapping.text(element),
    }


def _reporting_org(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    org = _organisation(element, mapping)
    activity["reporting_org"] = {
        "ref": org["ref"],
        "type": org["type"],
        "secondary": parse_bool(attr(element, "secondary-reporter")),
        "narratives": org["narratives"],
    }


def _title(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    activity["title"] = _merge(activity["title"], mapping.text(element))


def _description(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    kind = attr(element, "type") or "1"
    activity["descriptions"][kind] = _merge(activity["descriptions"].get(kind, {}), mapping.text(element))


def _merge(first: Narratives, second: Narratives) -> Narratives:
    """Two texts in canonical form joined language by language."""
    merged = dict(first)
    for lang, text in second.items():
        merged[lang] = f"{merged[lang]}\n{text}" if lang in merged else text
    return dict(sorted(merged.items()))


def _participating_org(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    raw_role = attr(element, "role")
    role = ROLES_V1.get(raw_role.lower(), raw_role)
    if role not in ("1", "2", "3", "4"):
        mapping.warn(
            DROPPED, f"participating-org with role {raw_role[:40]!r} (not an OrganisationRole); left out", element
        )
        return
    org = _organisation(element, mapping)
    org["role"] = role
    org["crs_channel_code"] = _code(
        attr(element, "crs-channel-code"), "CRSChannelCode", mapping, element, "crs-channel-code"
    )
    activity["participating_orgs"].append(org)


def _activity_date(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    raw_type = attr(element, "type")
    kind = DATE_TYPES_V1.get(raw_type, raw_type)
    date = element_date(element)
    if kind not in ("1", "2", "3", "4") or date is None:
        if kind in ("1", "2", "3", "4") and not (element.text or "").strip() and not attr(element, "iso-date"):
            return  # an empty 1.0x date element says nothing
        mapping.warn(DROPPED, f"activity-date of type {raw_type[:20]!r} without a readable ISO date; left out", element)
        return
    activity["dates"].setdefault(kind, date)


def _recipient_country(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    code = attr(element, "code").upper()
    if len(code) != 2:
        mapping.warn(
            DROPPED, f"recipient-country with code {code[:20]!r} (not an ISO 3166-1 alpha-2 code); left out", element
        )
        return
    activity["recipient_countries"].append(
        {
            "code": code,
            "percentage": parse_decimal(attr(element, "percentage")),
            "narratives": mapping.text(element),
        }
    )


def _recipient_region(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    region = _coded(element, mapping)
    if not region["code"] or len(region["code"]) > 20:
        mapping.warn(DROPPED, "recipient-region without a usable code; left out", element)
        return
    region["percentage"] = parse_decimal(attr(element, "percentage"))
    activity["recipient_regions"].append(region)


def _sector(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    sector = _coded(element, mapping, SECTOR_VOCABULARIES_V1)
    if not sector["code"] or len(sector["code"]) > MAX_LENGTHS["code"]:
        mapping.warn(DROPPED, "sector without a usable code; left out", element)
        return
    if sector["vocabulary"] and sector["vocabulary"] not in codelist_codes("SectorVocabulary"):
        mapping.warn(
            DROPPED, f"sector vocabulary {sector['vocabulary'][:20]!r} has no IATI 2.03 equivalent; left out", element
        )
        return
    sector["percentage"] = parse_decimal(attr(element, "percentage"))
    activity["sectors"].append(sector)


def _tag(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    tag = _coded(element, mapping)
    if not tag["vocabulary"] or len(tag["code"]) > MAX_LENGTHS["code"]:
        mapping.warn(DROPPED, "tag without a vocabulary or with an over-long code; left out", element)
        return
    activity["tags"].append(tag)


def _policy_marker(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    marker = _coded(element, mapping, POLICY_VOCABULARIES_V1)
    if not marker["code"] or len(marker["code"]) > MAX_LENGTHS["code"]:
        mapping.warn(DROPPED, "policy-marker without a usable code; left out", element)
        return
    marker["significance"] = attr(element, "significance")
    activity["policy_markers"].append(marker)


def _simple_code(key: str, codelist: str) -> Callable[[dict[str, Any], etree._Element, Mapping], None]:
    """A handler storing the ``code`` attribute of a one-code element under ``key`` (checked against ``codelist``)."""

    def handle(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
        activity[key] = _code(attr(element, "code"), codelist, mapping, element, element.tag)

    return handle


def _default_aid_type(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    code = attr(element, "code")
    if code and len(code) <= 10:
        activity["default_aid_types"].append({"code": code, "vocabulary": attr(element, "vocabulary")})


def _location(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    kids = first_children(element)
    texts = {
        name: mapping.text(kids.get(tag))
        for name, tag in (
            ("name", "name"),
            ("description", "description"),
            ("activity_description", "activity-description"),
        )
    }
    point = kids.get("point")
    pos = (point.findtext("pos") or "").strip() if point is not None else ""
    coordinates = kids.get("coordinates")  # IATI 1.0x
    if not pos and coordinates is not None and attr(coordinates, "latitude") and attr(coordinates, "longitude"):
        pos = f"{attr(coordinates, 'latitude')} {attr(coordinates, 'longitude')}"
    codes: dict[str, Any] = {
        "reach": code_of(kids.get("location-reach")),
        "exactness": code_of(kids.get("exactness")),
        "location_class": code_of(kids.get("location-class")),
        "feature_designation": code_of(kids.get("feature-designation")),
        "ids": [
            {"vocabulary": attr(e, "vocabulary"), "code": attr(e, "code")}
            for e in element.iterchildren("location-id")
            if attr(e, "code")
        ],
        "administratives": [
            {"vocabulary": attr(e, "vocabulary"), "level": attr(e, "level"), "code": attr(e, "code")}
            for e in element.iterchildren("administrative")
            if attr(e, "code")
        ],
    }
    activity["locations"].append(
        {
            "ref": attr(element, "ref")[:200],
            "texts": {k: v for k, v in texts.items() if v},
            "point": pos[:100] if len(pos.split()) == 2 else "",
            "codes": {k: v for k, v in codes.items() if v},
        }
    )


def _budget(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    kids = first_children(element)
    start, end = element_date(kids.get("period-start")), element_date(kids.get("period-end"))
    value_element = kids.get("value")
    value = parse_decimal(value_element.text or "") if value_element is not None else None
    if start is None or end is None or value is None:
        mapping.warn(
            DROPPED,
            "budget without a readable period-start, period-end and value (IATI 2.03 requires them); left out",
            element,
        )
        return
    raw_type = attr(element, "type")
    kind = _code(BUDGET_TYPES_V1.get(raw_type.lower(), raw_type), "BudgetType", mapping, element, "budget type")
    activity["budgets"].append(
        {
            "type": kind,
            "status": _code(attr(element, "status"), "BudgetStatus", mapping, element, "budget status"),
            "period_start": start,
            "period_end": end,
            "value": value,
            "currency": _currency(value_element, mapping),
            "value_date": element_date_attr(value_element) or start,
        }
    )


def element_date_attr(element: etree._Element) -> dt.date | None:
    """The ``value-date`` of a value element."""
    return parse_date(attr(element, "value-date"))


def _currency(element: etree._Element, mapping: Mapping, name: str = "currency") -> str:
    """An ISO 4217 currency attribute ("" with a warning when it is not a code of the Currency codelist)."""
    return _code(attr(element, name).upper(), "Currency", mapping, element, "currency")


def _transaction(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    kids = first_children(element)
    raw_type = code_of(kids.get("transaction-type"))
    kind = TRANSACTION_TYPES_V1.get(raw_type.upper(), raw_type)
    date = element_date(kids.get("transaction-date"))
    value_element = kids.get("value")
    value = parse_decimal(value_element.text or "") if value_element is not None else None
    if kind not in codelist_codes("TransactionType") or date is None or value is None:
        mapping.warn(
            DROPPED,
            "transaction without a readable transaction-type, transaction-date and value "
            "(IATI 2.03 requires them); left out",
            element,
        )
        return
    classifications: dict[str, Any] = {}
    for key, tag in (
        ("disbursement_channel", "disbursement-channel"),
        ("flow_type", "flow-type"),
        ("finance_type", "finance-type"),
        ("tied_status", "tied-status"),
    ):
        code = code_of(kids.get(tag))
        if code:
            classifications[key] = code
    sectors = [_coded(e, mapping, SECTOR_VOCABULARIES_V1) for e in element.iterchildren("sector")]
    if any(s["code"] for s in sectors):
        classifications["sectors"] = [s for s in sectors if s["code"]]
    aid_types = [
        {"code": attr(e, "code"), "vocabulary": attr(e, "vocabulary")}
        for e in element.iterchildren("aid-type")
        if attr(e, "code")
    ]
    if aid_types:
        classifications["aid_types"] = aid_types
    country = kids.get("recipient-country")
    if country is not None and len(attr(country, "code")) == 2:
        classifications["recipient_country"] = {
            "code": attr(country, "code").upper(),
            "narratives": mapping.text(country),
        }
    region = kids.get("recipient-region")
    if region is not None and attr(region, "code"):
        classifications["recipient_region"] = _coded(region, mapping)
    parties = {}
    for key in ("provider", "receiver"):
        party = kids.get(f"{key}-org")
        parties[key] = _organisation(party, mapping) if party is not None else {}
    activity["transactions"].append(
        {
            "ref": attr(element, "ref")[:200],
            "humanitarian": parse_bool(attr(element, "humanitarian")),
            "type": kind,
            "date": date,
            "value": value,
            "currency": _currency(value_element, mapping),
            "value_date": element_date_attr(value_element) or date,
            "description": mapping.text(kids.get("description")),
            "provider": parties["provider"],
            "receiver": parties["receiver"],
            "classifications": classifications,
        }
    )


def _document_link(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    url = attr(element, "url")
    kids = first_children(element)
    if not url or "category" not in kids:
        mapping.warn(DROPPED, "document-link without a url or a category (IATI 2.03 requires both); left out", element)
        return
    if not _fits(url, MAX_LENGTHS["url"], mapping, element, "document-link url"):
        return
    activity["document_links"].append(
        {
            "url": url,
            "format": attr(element, "format")[:200],
            "title": mapping.text(kids.get("title")),
            "description": mapping.text(kids.get("description")),
            "categories": [attr(e, "code") for e in element.iterchildren("category") if attr(e, "code")],
            "languages": [attr(e, "code") for e in element.iterchildren("language") if attr(e, "code")],
            "document_date": element_date(kids.get("document-date")),
        }
    )


def _related_activity(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    if attr(element, "ref"):
        activity["related_activities"].append({"ref": attr(element, "ref"), "type": attr(element, "type")})


def _comment(element: etree._Element | None, mapping: Mapping) -> Narratives:
    return mapping.text(element.find("comment")) if element is not None else {}


def _result(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    raw_type = attr(element, "type")
    kind = RESULT_TYPES_V1.get(raw_type.lower(), raw_type)
    indicators = []
    for indicator in element.iterchildren("indicator"):
        periods = []
        for period in indicator.iterchildren("period"):
            start, end = element_date(period.find("period-start")), element_date(period.find("period-end"))
            if start is None or end is None:
                mapping.warn(
                    DROPPED, "indicator period without a readable period-start and period-end; left out", period
                )
                continue
            periods.append(
                {
                    "period_start": start,
                    "period_end": end,
                    "targets": [
                        {"value": attr(t, "value"), "comment": _comment(t, mapping)}
                        for t in period.iterchildren("target")
                    ],
                    "actuals": [
                        {"value": attr(a, "value"), "comment": _comment(a, mapping)}
                        for a in period.iterchildren("actual")
                    ],
                }
            )
        indicators.append(
            {
                "measure": attr(indicator, "measure"),
                "ascending": parse_bool(attr(indicator, "ascending")),
                "aggregation_status": parse_bool(attr(indicator, "aggregation-status")),
                "title": mapping.text(indicator.find("title")),
                "description": mapping.text(indicator.find("description")),
                "baselines": [
                    {
                        "year": attr(b, "year"),
                        "iso_date": attr(b, "iso-date"),
                        "value": attr(b, "value"),
                        "comment": _comment(b, mapping),
                    }
                    for b in indicator.iterchildren("baseline")
                ],
                "periods": periods,
            }
        )
    if kind not in codelist_codes("ResultType") or any(
        i["measure"] not in codelist_codes("IndicatorMeasure") for i in indicators
    ):
        mapping.warn(DROPPED, "result or indicator without a ResultType / IndicatorMeasure code; left out", element)
        return
    activity["results"].append(
        {
            "type": kind,
            "aggregation_status": parse_bool(attr(element, "aggregation-status")),
            "title": mapping.text(element.find("title")),
            "description": mapping.text(element.find("description")),
            "indicators": indicators,
        }
    )


def _identifier(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    activity["identifier"] = (element.text or "").strip()


Handler = Callable[[dict[str, Any], etree._Element, Mapping], None]

#: Element -> handler (the registry of what the importer reads; other elements are not stored).
HANDLERS: dict[str, Handler] = {
    "iati-identifier": _identifier,
    "reporting-org": _reporting_org,
    "title": _title,
    "description": _description,
    "participating-org": _participating_org,
    "activity-status": _simple_code("activity_status", "ActivityStatus"),
    "activity-date": _activity_date,
    "activity-scope": _simple_code("activity_scope", "ActivityScope"),
    "recipient-country": _recipient_country,
    "recipient-region": _recipient_region,
    "location": _location,
    "sector": _sector,
    "tag": _tag,
    "policy-marker": _policy_marker,
    "collaboration-type": _simple_code("collaboration_type", "CollaborationType"),
    "default-flow-type": _simple_code("default_flow_type", "FlowType"),
    "default-finance-type": _simple_code("default_finance_type", "FinanceType"),
    "default-aid-type": _default_aid_type,
    "default-tied-status": _simple_code("default_tied_status", "TiedStatus"),
    "budget": _budget,
    "transaction": _transaction,
    "document-link": _document_link,
    "related-activity": _related_activity,
    "result": _result,
}


def map_activity(element: etree._Element, root_lang: str = "") -> tuple[dict[str, Any], Mapping]:
    """The canonical activity of ``element`` and the mapping's problems (errors mean: reject it)."""
    default_lang = (element.get(XML_LANG) or root_lang or "").strip().lower()
    mapping = Mapping(default_lang=default_lang, line=element.sourceline)
    activity = new_activity()
    activity["default_language"] = default_lang
    activity["last_updated"] = parse_datetime(attr(element, "last-updated-datetime"))
    activity["default_currency"] = _currency(element, mapping, "default-currency")
    activity["humanitarian"] = parse_bool(attr(element, "humanitarian"))
    hierarchy = attr(element, "hierarchy")
    activity["hierarchy"] = int(hierarchy) if hierarchy.isdigit() and int(hierarchy) < 32768 else None
    for child in element.iterchildren():
        handler = HANDLERS.get(child.tag) if isinstance(child.tag, str) else None
        if handler is not None:
            handler(activity, child, mapping)
    mapping.identifier = activity["identifier"]
    _check_required(activity, element, mapping)
    return activity, mapping


def _check_required(activity: dict[str, Any], element: etree._Element, mapping: Mapping) -> None:
    """Reject what cannot be keyed or titled; warn about what IATI 2.03 requires for an export."""
    if not activity["identifier"]:
        mapping.reject(NO_IDENTIFIER, "the activity has no iati-identifier, so it cannot be imported or updated")
    elif len(activity["identifier"]) > MAX_LENGTHS["identifier"]:
        mapping.reject(TOO_LONG, f"the iati-identifier is longer than {MAX_LENGTHS['identifier']} characters")
    if not activity["reporting_org"].get("ref"):
        mapping.reject(
            NO_REPORTING_ORG,
            "the reporting-org has no ref (organisation identifier): the activity "
            "is keyed by its identifier and its reporting organisation",
        )
    title = activity["title"]
    if not title:
        mapping.reject(NO_TITLE, "the activity has no title")
    elif max(len(text) for text in title.values()) > MAX_LENGTHS["title"]:
        mapping.reject(TOO_LONG, f"the title is longer than {MAX_LENGTHS['title']} characters")
    missing = [
        name
        for name, present in (
            ("reporting-org/@type", activity["reporting_org"].get("type")),
            ("participating-org", activity["participating_orgs"]),
            ("activity-status", activity["activity_status"]),
            ("activity-date", activity["dates"]),
        )
        if not present
    ]
    if missing and not mapping.errors:
        mapping.warn(
            NOT_EXPORTABLE,
            "imported, but it cannot be exported as IATI 2.03 until it has "
            + ", ".join(missing)
            + " (required since IATI 2.01)",
        )
