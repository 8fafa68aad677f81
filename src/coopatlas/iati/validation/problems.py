"""What validation reports: one ``Problem`` per finding, gathered in a ``Report`` per run.

Rule identifiers, categories and messages follow the official IATI Validator
(https://validator.iatistandard.org/, IATI/js-validator-api): ``0.1.1`` XML not well-formed,
``0.2.1`` not an IATI file, ``0.3.1`` schema error, ``0.6.1`` unsupported version, ``1.1.2``
duplicate activity identifier, ``9.x.y`` codelist rules, other ids from the IATI Rulesets. The
validator's "critical" severity (schema and file errors) is reported here as ``error``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

XML_ERROR = "0.1.1"
NOT_IATI = "0.2.1"
SCHEMA_ERROR = "0.3.1"
UNSUPPORTED_VERSION = "0.6.1"
VERSION_MISSING = "0.6.2"
DUPLICATE_IDENTIFIER = "1.1.2"

Scope = Literal["activity", "file"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: which rule, how serious, where (file, activity, line) and why."""

    rule: str
    message: str
    severity: Severity = "error"
    category: str = "schema"
    line: int | None = None
    activity: str | None = None
    file: str | None = None
    context: str = ""
    #: "file" for problems of the file as a whole (its root element, version, duplicates).
    scope: Scope = "activity"

    @property
    def is_error(self) -> bool:
        """Errors make an activity (or file) invalid; warnings do not."""
        return self.severity == "error"

    @property
    def is_schema_error(self) -> bool:
        """Whether the XSD rejected the activity (the importer rejects such activities)."""
        return self.rule in (SCHEMA_ERROR, XML_ERROR, NOT_IATI)

    def located(self, file: str | None, activity: str | None) -> Problem:
        """The same problem with its file and activity filled in."""
        return Problem(
            self.rule, self.message, self.severity, self.category, self.line, activity, file, self.context, self.scope
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.file, self.line) if part)
        activity = f" [{self.activity}]" if self.activity else ""
        context = f" ({self.context})" if self.context else ""
        return f"{where}{activity} {self.severity} {self.rule} {self.category}: {self.message}{context}".strip()


@dataclass(slots=True)
class Report:
    """The outcome of validating one or more files: counts and every problem found."""

    files: list[str] = field(default_factory=list)
    activities: int = 0
    invalid_activities: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity ``warning``."""
        return [problem for problem in self.problems if not problem.is_error]

    @property
    def has_errors(self) -> bool:
        """Whether any error was found (the CLI then exits non-zero)."""
        return any(problem.is_error for problem in self.problems)

    def summary(self) -> dict[str, int]:
        """Counts by severity, like the official validator's summary."""
        counts: Counter[str] = Counter(problem.severity for problem in self.problems)
        return {"error": counts["error"], "warning": counts["warning"]}

    def extend(self, other: Report) -> None:
        """Add another report's files, counts and problems to this one."""
        self.files.extend(other.files)
        self.activities += other.activities
        self.invalid_activities += other.invalid_activities
        self.problems.extend(other.problems)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report: files, counts, summary and problems."""
        return {
            "valid": not self.has_errors,
            "files": list(self.files),
            "activities": self.activities,
            "invalid_activities": self.invalid_activities,
            "summary": self.summary(),
            "problems": [problem.to_dict() for problem in self.problems],
        }
