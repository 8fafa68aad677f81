"""The import report: per file, activities read / created / updated / unchanged / rejected, and every problem.

One data structure serves the command line (text and ``--json``), the upload page and the
background job's stored result (``IatiImport.report``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coopatlas.iati.validation.problems import Problem

COUNTS = ("read", "created", "updated", "unchanged", "rejected")
#: Problems kept in a report; beyond it they are counted, not listed (a bad 500 MB file has millions).
MAX_PROBLEMS = 10_000


@dataclass
class FileReport:
    """What happened to one file."""

    name: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    bytes: int = 0
    refused: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {
            "name": self.name,
            "bytes": self.bytes,
            "refused": self.refused,
            **{name: getattr(self, name) for name in COUNTS},
        }


@dataclass
class ImportReport:
    """The outcome of one import run."""

    files: list[FileReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problems_left_out: int = 0
    organisations_created: int = 0
    seconds: float = 0.0

    def add_problem(self, problem: Problem) -> None:
        """Keep a problem (up to ``MAX_PROBLEMS``; the rest are counted)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_left_out += 1

    def total(self, name: str) -> int:
        """A count summed over the files."""
        return sum(getattr(f, name) for f in self.files)

    @property
    def totals(self) -> dict[str, int]:
        """Every count summed over the files."""
        return {name: self.total(name) for name in COUNTS}

    @property
    def errors(self) -> int:
        """Problems that rejected an activity or refused a file."""
        return sum(1 for p in self.problems if p.is_error)

    @property
    def activities_per_second(self) -> float:
        return self.total("read") / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "files": [f.to_dict() for f in self.files],
            "totals": self.totals,
            "organisations_created": self.organisations_created,
            "seconds": round(self.seconds, 3),
            "activities_per_second": round(self.activities_per_second, 1),
            "problems": [p.to_dict() for p in self.problems],
            "problems_left_out": self.problems_left_out,
        }

    def summary(self) -> str:
        """One line: the totals."""
        t = self.totals
        return (
            f"{len(self.files)} file(s): {t['read']} activities read, {t['created']} created, "
            f"{t['updated']} updated, {t['unchanged']} unchanged, {t['rejected']} rejected; "
            f"{self.organisations_created} organisations created; "
            f"{self.seconds:.1f} s ({self.activities_per_second:.0f} activities/s)"
        )
