"""The import pipeline: stream -> validate -> map -> batch upsert -> report, with progress callbacks."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from coopatlas.core.models import User, WorkflowStatus
from coopatlas.iati.importer.activity import NOT_EXPORTABLE, TOO_LONG, map_activity
from coopatlas.iati.importer.organisations import OrganisationResolver
from coopatlas.iati.importer.records import fingerprint, length_problems
from coopatlas.iati.importer.report import FileReport, ImportReport
from coopatlas.iati.importer.upsert import BatchWriter, Outcome, Prepared
from coopatlas.iati.importer.xmltext import XML_LANG, parse_datetime
from coopatlas.iati.safe_xml import XMLRefusedError, document_version, iter_activities
from coopatlas.iati.validation.activity import ActivityContext, validate_activity
from coopatlas.iati.validation.files import refusal_problem
from coopatlas.iati.validation.problems import DUPLICATE_IDENTIFIER, XML_ERROR, Problem
from coopatlas.iati.validation.schemas import infer_version

#: What validation runs on each activity: none, the XSD of its version, or XSD + codelists + Rulesets.
VALIDATION_MODES = ("none", "schema", "full")


@dataclass(frozen=True)
class Progress:
    """How far an import got: bytes of the current file, activities so far, elapsed seconds."""

    file: str
    bytes_done: int
    bytes_total: int
    activities_read: int
    seconds: float

    @property
    def activities_per_second(self) -> float:
        return self.activities_read / self.seconds if self.seconds else 0.0


@dataclass
class ImportConfig:
    """How to import: who (user, owning organisation), as what workflow status, with which checks."""

    user: User | None = None
    #: Owner of new records; None: the record of each activity's reporting organisation.
    owner_id: int | None = None
    workflow_status: str = WorkflowStatus.PUBLISHED
    validation: str = "schema"
    batch_size: int = 200
    #: Largest file accepted (None: the ``IATI_MAX_UPLOAD_BYTES`` setting; 0: no limit).
    max_bytes: int | None = None
    import_id: int | None = None
    progress: Callable[[Progress], None] | None = None
    #: Display names of the files (e.g. an upload's original name), by path.
    names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.validation not in VALIDATION_MODES:
            raise ValueError(f"validation must be one of {VALIDATION_MODES}")


def import_files(paths: Sequence[str | os.PathLike[str]], config: ImportConfig | None = None) -> ImportReport:
    """Import IATI activity files; never raises for bad data (it goes into the report)."""
    config = config or ImportConfig()
    report = ImportReport()
    started = time.monotonic()
    resolver = OrganisationResolver.load(config.user)
    writer = BatchWriter.create(resolver, config.user, config.owner_id, config.workflow_status, config.import_id)
    run = _Run(config, report, writer, started)
    for path in paths:
        run.import_file(Path(path))
    report.organisations_created = len(resolver.created)
    report.seconds = time.monotonic() - started
    return report


@dataclass
class _Run:
    """The state of one import run across its files."""

    config: ImportConfig
    report: ImportReport
    writer: BatchWriter
    started: float
    pending: list[Prepared] = field(default_factory=list)
    read: int = 0
    _root_lang: str = ""
    _generated: datetime.datetime | None = None

    def import_file(self, path: Path) -> None:
        """Stream one file into batches; a refused file (unsafe, truncated ...) keeps what came before."""
        label = self.config.names.get(str(path), str(path))
        file_report = FileReport(label)
        self.report.files.append(file_report)
        try:
            file_report.bytes = path.stat().st_size
            with path.open("rb") as stream:
                self._stream(stream, label, file_report)
        except XMLRefusedError as error:
            file_report.refused = error.message
            self.report.add_problem(refusal_problem(error, label))
        except OSError as error:
            file_report.refused = f"cannot read the file: {error.strerror}"
            self.report.add_problem(Problem(XML_ERROR, file_report.refused, "error", "iati", None, None, label))
        finally:
            self._flush(file_report)
            self._progress(label, file_report.bytes, file_report.bytes)

    def _stream(self, stream: Any, label: str, file_report: FileReport) -> None:
        context: ActivityContext | None = None
        version = ""
        seen: set[tuple[str, str]] = set()
        file_level: set[tuple[str, str]] = set()
        for element in iter_activities(stream, max_bytes=self.config.max_bytes):
            file_report.read += 1
            self.read += 1
            if context is None:
                version = document_version(element) or infer_version(element)
                context = ActivityContext.of(element, label, rules=self.config.validation == "full")
                root = element.getparent()
                self._root_lang = (root.get(XML_LANG) or "") if root is not None else ""
                self._generated = parse_datetime(root.get("generated-datetime") or "") if root is not None else None
            prepared = self._prepare(element, version, label, context, file_report, file_level)
            if prepared is None:
                continue
            if prepared.key in seen:
                # IATI rule 1.1.2: identifiers are unique in a file. Keeping the first one makes a
                # second import of the same file change nothing.
                file_report.rejected += 1
                self.report.add_problem(
                    prepared.problem(
                        DUPLICATE_IDENTIFIER,
                        "the activity identifier appears earlier in this file (IATI rule 1.1.2: "
                        "identifiers are unique); the first activity was kept",
                    )
                )
                continue
            seen.add(prepared.key)
            self.pending.append(prepared)
            if len(self.pending) >= self.config.batch_size:
                self._flush(file_report)
                self._progress(label, stream.tell(), file_report.bytes)

    def _prepare(
        self,
        element: Any,
        version: str,
        label: str,
        context: ActivityContext,
        file_report: FileReport,
        file_level: set[tuple[str, str]],
    ) -> Prepared | None:
        """Validate and map one activity; None (and the problems reported) when it is rejected."""
        activity, mapping = map_activity(element, self._root_lang)
        identifier = activity["identifier"] or None
        problems: list[Problem] = []
        if self.config.validation != "none":
            for problem in validate_activity(element, version, context):
                if problem.activity is None and identifier is not None:
                    key = (problem.rule, problem.message)
                    if key in file_level:
                        continue
                    file_level.add(key)
                problems.append(problem)
        schema_errors = [p for p in problems if p.is_schema_error and (p.activity is not None or identifier is None)]
        if not mapping.errors:
            for message in length_problems(activity):
                mapping.reject(TOO_LONG, message)
        rejected = bool(schema_errors or mapping.errors)
        # What an export would lack is moot for an activity that is not imported.
        located = [
            p.located(label, identifier)
            for p in mapping.errors + mapping.warnings
            if not (rejected and p.rule == NOT_EXPORTABLE)
        ]
        for problem in problems + located:
            self.report.add_problem(problem)
        if rejected:
            file_report.rejected += 1
            return None
        return Prepared(
            activity,
            label,
            element.sourceline,
            version,
            fingerprint(activity),
            activity["last_updated"] or self._generated,
        )

    def _flush(self, file_report: FileReport) -> None:
        """Write the pending batch and count its outcomes."""
        batch, self.pending = self.pending, []
        if batch:
            for outcome in self.writer.write(batch):
                self._count(outcome, file_report)

    def _count(self, outcome: Outcome, file_report: FileReport) -> None:
        setattr(file_report, outcome.status, getattr(file_report, outcome.status) + 1)
        if outcome.problem is not None:
            self.report.add_problem(outcome.problem)

    def _progress(self, label: str, done: int, total: int) -> None:
        if self.config.progress is not None:
            self.config.progress(Progress(label, done, total, self.read, time.monotonic() - self.started))


def default_max_bytes() -> int:
    """The upload size limit in bytes (``IATI_MAX_UPLOAD_BYTES``, default 200 MB)."""
    from coopatlas.iati.safe_xml import DEFAULT_MAX_UPLOAD_BYTES, MAX_UPLOAD_SETTING

    return int(getattr(settings, MAX_UPLOAD_SETTING, DEFAULT_MAX_UPLOAD_BYTES))
