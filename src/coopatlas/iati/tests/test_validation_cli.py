"""``coopatlas validate_iati FILE... [--json]``: the validation report without importing, and exit codes."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

DATA = Path(__file__).resolve().parent / "data"
VALID = DATA / "fcdo-activity.xml"
INVALID = DATA / "unops-at-activity.xml"


def run(*arguments: str) -> tuple[str, CommandError | None]:
    """Standard output of the command and the CommandError it raised, if any."""
    out = StringIO()
    try:
        call_command("validate_iati", *arguments, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_json_report_lists_files_counts_summary_and_every_problem() -> None:
    output, error = run(str(VALID), str(INVALID), "--json")
    report = json.loads(output)
    assert report["files"] == [str(VALID), str(INVALID)]
    assert (report["valid"], report["activities"], report["invalid_activities"]) == (False, 4, 3)
    assert report["summary"] == {"error": 12, "warning": 0}
    first = report["problems"][0]
    assert first == {
        "rule": "7.5.3",
        "message": "Budget Period must not be longer than one year.",
        "severity": "error",
        "category": "financial",
        "line": 49,
        "activity": "41AAA-22482-001",
        "file": str(INVALID),
        "context": "the period is longer than a year",
        "scope": "activity",
    }
    assert error is not None and error.returncode == 1


def test_a_valid_file_prints_a_summary_and_does_not_fail() -> None:
    output, error = run(str(VALID))
    assert error is None
    assert "1 file(s), 1 activities read (0 with errors): 0 error(s), 0 warning(s)" in output


def test_text_output_gives_file_line_activity_severity_rule_and_message() -> None:
    output, error = run(str(INVALID))
    assert f"{INVALID}:73 [41AAA-22482-001] error 0.3.1 schema: Element 'document-link': " in output
    assert error is not None and str(error) == "12 error(s), 0 warning(s)"


def test_an_unreadable_file_is_an_error_in_the_report() -> None:
    output, error = run("/nonexistent/activities.xml", "--json")
    assert json.loads(output)["problems"][0]["rule"] == "0.1.1"
    assert error is not None


def test_the_size_limit_can_be_set_on_the_command_line() -> None:
    output, _ = run(str(VALID), "--json", "--max-bytes", "100")
    assert "larger than the 100-byte limit" in json.loads(output)["problems"][0]["message"]


@pytest.mark.parametrize(("path", "status"), [(VALID, 0), (INVALID, 1)])
def test_the_console_command_exits_non_zero_only_when_there_are_errors(
    path: Path, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        execute_from_command_line(["coopatlas", "validate_iati", "--json", str(path)])
    except SystemExit as exit_:
        exit_status = exit_.code
    else:
        exit_status = 0
    assert exit_status == status
    assert json.loads(capsys.readouterr().out)["valid"] is (status == 0)
