"""Demo content taken from the UN source documents: read YAML -> validate -> upsert in one transaction -> report.

The data files in ``catalogue/data/demo`` hold organisations, solutions, partnerships and initiatives
named in the three seed documents (see docs/demo-data.md), each with the document and a verbatim
excerpt it comes from. Records are created and published through the core record services, as a
moderator would, so every one carries its change history. Loading is idempotent: records are matched
on their natural key (an organisation's name; another record's title and owning organisation), and a
second run creates and changes nothing. Reference data (``coopatlas load_reference``) must be loaded
first.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from coopatlas.catalogue.models import Membership, ModalityCode, Organisation, Partnership, Solution
from coopatlas.core import services
from coopatlas.core.models import CatalogueRecord, User, WorkflowStatus
from coopatlas.geo.models import Country
from coopatlas.iati.models import CodelistItem, Sector
from coopatlas.indicators.models import SdgGoal, SdgTarget
from coopatlas.initiatives.models import Initiative

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data" / "demo"
DOCUMENTS_FILE = "documents.yaml"
MODERATOR_USERNAME = "demo-moderator"
CONTRIBUTOR_USERNAME = "demo-contributor"
#: The organisation the demo contributor is a member of (a key of organisations.yaml).
CONTRIBUTOR_ORGANISATION = "unossc"

#: Keys every record may carry besides its fields: its id in the files, where it comes from, a remark.
BOOKKEEPING_KEYS = frozenset({"key", "source", "note"})


class DemoDataError(Exception):
    """The demo data contradicts itself or the reference data; nothing was saved."""


@dataclass(frozen=True)
class RecordSpec:
    """How one YAML file maps onto one record model.

    ``references`` names the fields holding keys or codes and what they refer to (see ``REFERENCE_KINDS``);
    ``source_field`` is the text field that ends with the record's "Source:" line.
    """

    label: str
    model: type[CatalogueRecord]
    natural_key: tuple[str, ...]
    source_field: str
    required: tuple[str, ...]
    scalars: tuple[str, ...]
    references: dict[str, str]

    @property
    def file(self) -> str:
        return f"{self.label}.yaml"

    @property
    def allowed_keys(self) -> frozenset[str]:
        return BOOKKEEPING_KEYS | set(self.scalars) | set(self.references)


#: The record types, in loading order (initiatives may point at solutions, everything at organisations).
# fmt: off
SPECS: dict[str, RecordSpec] = {
    "organisations": RecordSpec(
        label="organisations", model=Organisation, natural_key=("name",), source_field="description",
        required=("name", "organisation_type", "description"),
        scalars=("name", "acronym", "iati_identifier", "organisation_type", "roles", "website", "description"),
        references={"country": "country"},
    ),
    "solutions": RecordSpec(
        label="solutions", model=Solution, natural_key=("title", "owner"), source_field="summary",
        required=("owner", "title", "summary"),
        scalars=("title", "summary", "challenge", "solution", "results", "sustainability", "replication", "links",
                 "status"),
        references={"owner": "organisation", "provider": "organisation", "partners": "organisations",
                    "countries_applied": "countries", "countries_replicated": "countries", "sdg_goals": "sdg_goals",
                    "sdg_targets": "sdg_targets", "sectors": "sectors", "modalities": "modalities"},
    ),
    "partnerships": RecordSpec(
        label="partnerships", model=Partnership, natural_key=("title", "owner"), source_field="description",
        required=("owner", "title", "description", "partners"),
        scalars=("title", "description", "website", "status"),
        references={"owner": "organisation", "partners": "organisations", "countries": "countries",
                    "sdg_targets": "sdg_targets", "sectors": "sectors", "modalities": "modalities"},
    ),
    "initiatives": RecordSpec(
        label="initiatives", model=Initiative, natural_key=("title", "owner"), source_field="description",
        required=("owner", "title", "description"),
        scalars=("title", "description", "activity_status", "budget", "currency", "collaboration_type",
                 "results_summary"),
        references={"owner": "organisation", "providers": "organisations", "recipients": "organisations",
                    "facilitators": "organisations", "funders": "organisations", "recipient_countries": "countries",
                    "sectors": "sectors", "sdg_targets": "sdg_targets", "modalities": "modalities",
                    "solution": "solution"},
    ),
}
# fmt: on

#: Codelist-valued scalar fields checked against the loaded IATI codelists.
CODELIST_FIELDS: dict[str, str] = {
    "organisation_type": "OrganisationType",
    "currency": "Currency",
    "collaboration_type": "CollaborationType",
}


@dataclass
class DemoData:
    """The parsed data files: the source documents and each file's records, in file order."""

    data_dir: Path
    documents: dict[str, dict[str, Any]]
    records: dict[str, list[dict[str, Any]]]


@dataclass
class TypeReport:
    """What loading one record type did."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept_deleted

    def __str__(self) -> str:
        text = f"{self.label}: {self.total} ({self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.kept_deleted} left deleted)" if self.kept_deleted else ")")


@dataclass
class AccountReport:
    """A demo account; ``password`` is set only when the account was created by this run."""

    username: str
    role: str
    created: bool
    password: str | None = None
    password_from_environment: bool = False
    organisation: str = ""


@dataclass
class DemoReport:
    """The outcome of one ``load_demo`` run."""

    data_dir: Path
    types: dict[str, TypeReport] = field(default_factory=dict)
    accounts: list[AccountReport] = field(default_factory=list)
    checked_only: bool = False

    @property
    def created(self) -> int:
        return sum(report.created for report in self.types.values())

    @property
    def updated(self) -> int:
        return sum(report.updated for report in self.types.values())


# --- read ------------------------------------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise DemoDataError(f"{path.name}: file not found in {path.parent}")
    # The C loader when PyYAML has it: the pure-Python one takes a second on these files. Both are safe loaders.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=safe_loader)  # noqa: S506
    except yaml.YAMLError as error:
        raise DemoDataError(f"{path.name}: not valid YAML: {error}") from error


def read_demo_data(data_dir: Path) -> DemoData:
    """Parse documents.yaml and one file per record type; a file must hold ``{label: [records]}``."""
    content = _read_yaml(data_dir / DOCUMENTS_FILE)
    documents = content.get("documents") if isinstance(content, dict) else None
    if not isinstance(documents, dict) or not documents:
        raise DemoDataError(f"{DOCUMENTS_FILE}: expected a non-empty mapping under 'documents'")
    records: dict[str, list[dict[str, Any]]] = {}
    for label, spec in SPECS.items():
        content = _read_yaml(data_dir / spec.file)
        if not isinstance(content, dict) or set(content) != {label} or not isinstance(content[label], list):
            raise DemoDataError(f"{spec.file}: expected a mapping with one key, '{label}', holding a list of records")
        records[label] = content[label]
    return DemoData(data_dir, documents, records)


# --- validate --------------------------------------------------------------------------------------------------


@dataclass
class ReferenceCodes:
    """The codes the data may use, read once from the reference tables."""

    countries: set[str]
    sectors: set[str]
    sdg_goals: set[str]
    sdg_targets: set[str]
    codelists: dict[str, set[str]]

    @classmethod
    def from_database(cls) -> ReferenceCodes:
        """Read the loaded reference data; refuse to go on without it."""
        countries = set(Country.objects.values_list("code", flat=True))
        if not countries:
            raise DemoDataError("Reference data is missing: run `coopatlas load_reference` first.")
        codelists: dict[str, set[str]] = {name: set() for name in CODELIST_FIELDS.values()}
        for codelist, code in CodelistItem.objects.filter(codelist__in=codelists, active=True).values_list(
            "codelist", "code"
        ):
            codelists[codelist].add(code)
        return cls(
            countries=countries,
            sectors=set(Sector.objects.filter(active=True).values_list("code", flat=True)),
            sdg_goals=set(SdgGoal.objects.values_list("code", flat=True)),
            sdg_targets=set(SdgTarget.objects.values_list("code", flat=True)),
            codelists=codelists,
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_codes(name: str, values: Any, known: set[str], what: str, problem: Callable[[str], None]) -> None:
    for value in _as_list(values):
        if not isinstance(value, str):
            problem(f"{name}: write {what} {value!r} as a quoted string")
        elif value not in known:
            problem(f"unknown {what} {value!r} in {name}")


def _check_sources(
    record: dict[str, Any], documents: dict[str, dict[str, Any]], problem: Callable[[str], None]
) -> bool:
    """Whether the record names its documents and excerpts correctly (reporting each problem)."""
    sources = record.get("source")
    if not sources:
        problem("has no source: give the document (file) and a verbatim excerpt")
        return False
    valid = True
    for source in _as_list(sources):
        if not isinstance(source, dict) or not isinstance(source.get("excerpt"), str) or not source["excerpt"].strip():
            problem("source: each source needs a file and a non-empty excerpt")
            valid = False
            continue
        document = documents.get(source.get("file", ""))
        if document is None:
            problem(f"source: unknown document {source.get('file')!r} (not in {DOCUMENTS_FILE})")
            valid = False
            continue
        paragraphs = source.get("paragraphs", [])
        if not isinstance(paragraphs, list) or not all(isinstance(p, int) for p in paragraphs):
            problem("source: paragraphs must be a list of paragraph numbers")
            valid = False
        elif paragraphs and not document.get("paragraphs"):
            problem(f"source: {source['file']} has no numbered paragraphs")
    return valid


def _check_text_lengths(spec: RecordSpec, values: dict[str, Any], problem: Callable[[str], None]) -> None:
    """Text fields within the limits the forms enforce (a TextField's max_length is not checked by the model)."""
    for name, value in values.items():
        model_field = spec.model._meta.get_field(name)
        if isinstance(model_field, models.TextField) and isinstance(value, str):
            limit = model_field.max_length or settings.MAX_TEXT_LENGTH
            if len(value) > limit:
                problem(f"{name} is {len(value)} characters long, more than {limit}")


def validate_demo_data(data: DemoData, codes: ReferenceCodes) -> None:
    """Check every record against the other files and the reference data; raise one error listing all problems."""
    problems: list[str] = []
    keys: dict[str, set[str]] = {label: set() for label in SPECS}
    for label, spec in SPECS.items():
        for position, record in enumerate(data.records[label], start=1):
            key = record.get("key") if isinstance(record, dict) else None
            if isinstance(key, str) and key:
                if key in keys[label]:
                    problems.append(f"{spec.file}: record '{key}': the key is used twice")
                keys[label].add(key)
            elif isinstance(record, dict):
                problems.append(f"{spec.file}: record #{position}: missing key")

    for label, spec in SPECS.items():
        for position, record in enumerate(data.records[label], start=1):
            name = f"'{record['key']}'" if isinstance(record, dict) and record.get("key") else f"#{position}"

            def problem(message: str, file: str = spec.file, name: str = name) -> None:
                problems.append(f"{file}: record {name}: {message}")

            if not isinstance(record, dict):
                problem("is not a mapping")
                continue
            for unknown in sorted(set(record) - spec.allowed_keys):
                problem(f"unknown field '{unknown}'")
            for required in spec.required:
                if record.get(required) in (None, "", []):
                    problem(f"missing {required}")
            sources_valid = _check_sources(record, data.documents, problem)
            _check_references(spec, record, keys, codes, problem)
            _check_scalars(spec, record, codes, data.documents if sources_valid else None, problem)
    if problems:
        raise DemoDataError("The demo data is invalid; nothing was saved:\n  - " + "\n  - ".join(problems))


def _check_references(
    spec: RecordSpec,
    record: dict[str, Any],
    keys: dict[str, set[str]],
    codes: ReferenceCodes,
    problem: Callable[[str], None],
) -> None:
    known_codes: dict[str, tuple[set[str], str]] = {
        "country": (codes.countries, "country"),
        "countries": (codes.countries, "country"),
        "sectors": (codes.sectors, "DAC sector"),
        "sdg_goals": (codes.sdg_goals, "SDG goal"),
        "sdg_targets": (codes.sdg_targets, "SDG target"),
        "modalities": (set(ModalityCode.values), "modality"),
        "organisation": (keys["organisations"], "organisation"),
        "organisations": (keys["organisations"], "organisation"),
        "solution": (keys["solutions"], "solution"),
    }
    for name, kind in spec.references.items():
        value = record.get(name)
        if value in (None, [], ""):
            continue
        if kind.endswith("s") and not isinstance(value, list):
            problem(f"{name} must be a list")
            continue
        known, what = known_codes[kind]
        _check_codes(name, value, known, what, problem)


def _check_scalars(
    spec: RecordSpec,
    record: dict[str, Any],
    codes: ReferenceCodes,
    documents: dict[str, dict[str, Any]] | None,
    problem: Callable[[str], None],
) -> None:
    """Codelist codes, roles, budget and the model's own field rules, on the values that will be saved."""
    for name, codelist in CODELIST_FIELDS.items():
        if name in spec.scalars and record.get(name) not in (None, ""):
            _check_codes(name, record[name], codes.codelists[codelist], f"{codelist} code", problem)
    if "roles" in record:
        roles = record["roles"]
        if not isinstance(roles, list) or not set(roles) <= set(Organisation.Role.values):
            problem(f"roles must be a list of {', '.join(Organisation.Role.values)}")
    if record.get("budget") is not None and not record.get("currency"):
        problem("a budget needs a currency")
    try:
        values = _scalar_values(spec, record, documents)
    except (AttributeError, InvalidOperation, TypeError, ValueError) as error:
        problem(f"a value has the wrong type: {error}")
        return
    _check_text_lengths(spec, values, problem)
    instance = spec.model(**values)
    exclude = [f.name for f in spec.model._meta.get_fields() if f.is_relation]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            problem(f"{field_name}: {' '.join(messages)}")


# --- map -------------------------------------------------------------------------------------------------------


def source_line(record: dict[str, Any], documents: dict[str, dict[str, Any]]) -> str:
    """The closing line that tells the reader which document (and paragraphs) a record comes from."""
    parts = []
    for source in _as_list(record["source"]):
        citation = " ".join(str(documents[source["file"]]["citation"]).split())
        paragraphs = source.get("paragraphs") or []
        if paragraphs:
            label = "para" if len(paragraphs) == 1 else "paras"
            citation += f", {label} {', '.join(str(p) for p in paragraphs)}"
        parts.append(citation)
    return ("Source: " if len(parts) == 1 else "Sources: ") + "; ".join(parts) + "."


def _unwrap(text: str) -> str:
    """Join the lines the YAML wraps for reading, keeping blank-line paragraph breaks (the text is Markdown)."""
    paragraphs = (" ".join(paragraph.split()) for paragraph in text.split("\n\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _scalar_values(
    spec: RecordSpec, record: dict[str, Any], documents: dict[str, dict[str, Any]] | None
) -> dict[str, Any]:
    """The record's own field values, with the source line appended when ``documents`` is given."""
    values: dict[str, Any] = {}
    for name in spec.scalars:
        model_field = spec.model._meta.get_field(name)
        value = record.get(name)
        if name == "budget":
            values[name] = None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
        elif name in ("roles", "links"):
            values[name] = sorted(set(value or [])) if name == "roles" else list(value or [])
        elif value is None:
            values[name] = model_field.get_default()
        else:
            values[name] = _unwrap(str(value))
    if documents is not None:
        text = values.get(spec.source_field) or ""
        values[spec.source_field] = f"{text}\n\n{source_line(record, documents)}".strip()
    return values


@dataclass
class Resolver:
    """Turns keys and codes into database objects, caching the organisations and solutions loaded so far."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    solutions: dict[str, Solution] = field(default_factory=dict)

    def one(self, kind: str, value: str) -> models.Model:
        if kind == "organisation":
            return self.organisations[value]
        if kind == "solution":
            return self.solutions[value]
        if kind == "country":
            return Country.objects.get(code=value)
        raise ValueError(kind)

    def many(self, kind: str, values: list[str]) -> list[Any]:
        """Primary keys of the referenced rows (codes are primary keys of the reference tables)."""
        if kind == "organisations":
            return [self.organisations[key].pk for key in values]
        return list(values)


def _desired_state(
    spec: RecordSpec, record: dict[str, Any], documents: dict[str, dict[str, Any]], resolver: Resolver
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """(field values incl. foreign keys, many-to-many primary keys) the record should have."""
    values = _scalar_values(spec, record, documents)
    relations: dict[str, list[Any]] = {}
    for name, kind in spec.references.items():
        value = record.get(name)
        if kind in ("organisation", "solution", "country"):
            values[name] = resolver.one(kind, value) if value else None
        else:
            relations[name] = resolver.many(kind, list(value or []))
    if spec.model is Solution:
        # A solution's goals are those it names plus the goals of its targets, so the goal facet counts it.
        goals = set(relations.get("sdg_goals", []))
        goals |= set(
            SdgTarget.objects.filter(code__in=relations.get("sdg_targets", [])).values_list("goal_id", flat=True)
        )
        relations["sdg_goals"] = sorted(goals)
    return values, relations


# --- upsert ----------------------------------------------------------------------------------------------------


def _find_existing(spec: RecordSpec, values: dict[str, Any]) -> CatalogueRecord | None:
    lookup = {name: values[name] for name in spec.natural_key}
    existing: CatalogueRecord | None = spec.model.objects.filter(**lookup).order_by("pk").first()
    return existing


def _differences(record: CatalogueRecord, values: dict[str, Any], relations: dict[str, list[Any]]) -> bool:
    for name, value in values.items():
        current = getattr(record, name)
        if isinstance(value, models.Model) or isinstance(current, models.Model):
            if getattr(current, "pk", None) != getattr(value, "pk", None):
                return True
        elif current != value:
            return True
    for name, pks in relations.items():
        if set(getattr(record, name).values_list("pk", flat=True)) != set(pks):
            return True
    return False


def _set_relations(record: CatalogueRecord, relations: dict[str, list[Any]]) -> None:
    for name, pks in relations.items():
        getattr(record, name).set(pks)


def _apply(values: dict[str, Any], relations: dict[str, list[Any]]) -> Callable[[CatalogueRecord], None]:
    def apply(record: CatalogueRecord) -> None:
        for name, value in values.items():
            setattr(record, name, value)
        _set_relations(record, relations)

    return apply


def upsert_record(
    spec: RecordSpec,
    record: dict[str, Any],
    documents: dict[str, dict[str, Any]],
    resolver: Resolver,
    moderator: User,
    report: TypeReport,
) -> CatalogueRecord:
    """Create, update or keep one record, then publish it as the moderator (deleted records stay deleted)."""
    values, relations = _desired_state(spec, record, documents, resolver)
    existing = _find_existing(spec, values)
    saved: CatalogueRecord
    if existing is not None and existing.is_deleted:
        # A moderator deleted it: loading demo data again must not bring it back.
        report.kept_deleted += 1
        return existing
    if existing is None:
        instance = spec.model(**values)
        saved = services.create_record(instance, moderator, save_m2m=lambda: _set_relations(instance, relations))
        report.created += 1
    elif _differences(existing, values, relations):
        saved = services.update_record(existing, moderator, existing.version, _apply(values, relations))
        report.updated += 1
    else:
        saved = existing
        report.unchanged += 1
    if saved.workflow_status != WorkflowStatus.PUBLISHED:
        comment = f"Demo data from the UN documents: {source_line(record, documents)}"
        saved = services.transition(saved, moderator, "publish", comment)
    return saved


# --- accounts --------------------------------------------------------------------------------------------------


def ensure_demo_user(username: str, role: str, password: str | None) -> tuple[User, AccountReport]:
    """Create the demo account ``username`` unless it exists; only a new account gets a (random) password."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        if user.role != role:
            raise DemoDataError(f"The user {username} exists with the role {user.role}, not {role}; rename it first.")
        return user, AccountReport(username, role, created=False)
    chosen = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(username, "", chosen, role=role)
    return user, AccountReport(
        username, role, created=True, password=None if password else chosen, password_from_environment=bool(password)
    )


# --- the pipeline ----------------------------------------------------------------------------------------------


def load_demo(data_dir: Path | None = None, password: str | None = None, check_only: bool = False) -> DemoReport:
    """Validate the demo data, then create or update and publish every record in one transaction.

    ``password`` (the command passes ``DEMO_PASSWORD``) is given to demo accounts created now; without
    it each gets a random one, returned once in the report and stored nowhere but as a hash. Raises
    ``DemoDataError`` naming the file and record of every problem; then nothing is saved.
    """
    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
    data = read_demo_data(data_dir)
    validate_demo_data(data, ReferenceCodes.from_database())
    report = DemoReport(data_dir=data_dir, checked_only=check_only)
    if check_only:
        return report
    with transaction.atomic():
        moderator, moderator_account = ensure_demo_user(MODERATOR_USERNAME, User.Role.MODERATOR, password)
        resolver = Resolver()
        for label, spec in SPECS.items():
            type_report = report.types[label] = TypeReport(label)
            for record in data.records[label]:
                saved = upsert_record(spec, record, data.documents, resolver, moderator, type_report)
                if isinstance(saved, Organisation):
                    resolver.organisations[record["key"]] = saved
                elif isinstance(saved, Solution):
                    resolver.solutions[record["key"]] = saved
        contributor, contributor_account = ensure_demo_user(CONTRIBUTOR_USERNAME, User.Role.CONTRIBUTOR, password)
        organisation = resolver.organisations[CONTRIBUTOR_ORGANISATION]
        Membership.objects.get_or_create(user=contributor, organisation=organisation)
        contributor_account.organisation = organisation.name
        report.accounts = [moderator_account, contributor_account]
    return report
