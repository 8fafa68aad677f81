"""Validating activities and files: per-activity verdicts for the importer, file reports for the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from coopatlas.iati.safe_xml import iter_activities
from coopatlas.iati.validation import ActivityContext, Report, validate_activity, validate_file, validate_files

DATA = Path(__file__).resolve().parent / "data"
SHARED_ACTIVITIES = Path(__file__).resolve().parents[5] / "shared" / "data" / "iati" / "activities"
NOW = datetime(2025, 1, 1, tzinfo=UTC)

#: A minimal activity valid against the 2.03 schema, rulesets and codelists ({n}: a number).
GOOD = (
    "<iati-activity xml:lang='en'><iati-identifier>XM-DAC-41114-{n}</iati-identifier>"
    "<reporting-org ref='XM-DAC-41114' type='40'><narrative>UNDP</narrative></reporting-org>"
    "<title><narrative>Rice seed exchange</narrative></title>"
    "<description><narrative>South-South exchange of rice seeds.</narrative></description>"
    "<participating-org role='1' ref='XM-DAC-41114'/><activity-status code='2'/>"
    "<activity-date type='2' iso-date='2020-01-01'/><recipient-country code='BR'/><sector code='11110'/>"
    "</iati-activity>"
)


def document(*activities: str, root: str = '<iati-activities version="2.03">') -> bytes:
    """An IATI file with the given activities."""
    return (root + "\n" + "\n".join(activities) + "\n</iati-activities>").encode()


def rules_of(report: Report) -> list[tuple[str, str | None]]:
    """(rule, activity) of each problem."""
    return [(problem.rule, problem.activity) for problem in report.problems]


def test_a_valid_real_file_has_no_problem() -> None:
    report = validate_file(DATA / "fcdo-activity.xml")
    assert (report.activities, report.invalid_activities, report.problems) == (1, 0, [])
    assert not report.has_errors


def test_a_real_file_with_errors_lists_each_with_activity_line_rule_and_severity() -> None:
    report = validate_file(DATA / "unops-at-activity.xml", now=NOW)
    assert (report.activities, report.invalid_activities) == (3, 3)
    assert [(problem.activity, problem.line, problem.rule) for problem in report.problems] == [
        ("41AAA-22482-001", 49, "7.5.3"),
        ("41AAA-22482-001", 73, "0.3.1"),
        ("41AAA-22482-001", 73, "0.3.1"),
        ("41AAA-22482-001", 73, "0.3.1"),
        ("41AAA-23652-001", 121, "7.5.3"),
        ("41AAA-23652-001", 145, "0.3.1"),
        ("41AAA-23652-001", 145, "0.3.1"),
        ("41AAA-23652-001", 145, "0.3.1"),
        ("41AAA-20543-003", 193, "7.5.3"),
        ("41AAA-20543-003", 217, "0.3.1"),
        ("41AAA-20543-003", 217, "0.3.1"),
        ("41AAA-20543-003", 217, "0.3.1"),
    ]
    budget = report.problems[0]
    assert (budget.severity, budget.category, budget.message) == (
        "error",
        "financial",
        "Budget Period must not be longer than one year.",
    )
    assert budget.file == str(DATA / "unops-at-activity.xml")


def test_the_importer_can_reject_a_bad_activity_and_keep_the_others() -> None:
    content = document(
        GOOD.format(n=1),
        "<iati-activity><iati-identifier>XM-DAC-41114-2</iati-identifier><bogus/></iati-activity>",
        GOOD.format(n=3),
    )
    verdicts = {}
    for activity in iter_activities(content):
        problems = validate_activity(activity, context=ActivityContext.of(activity, "upload.xml", now=NOW))
        verdicts[activity.findtext("iati-identifier")] = sorted(
            {problem.rule for problem in problems if problem.is_schema_error}
        )
    assert verdicts == {"XM-DAC-41114-1": [], "XM-DAC-41114-2": ["0.3.1"], "XM-DAC-41114-3": []}


def test_an_activity_can_be_validated_on_its_own_with_a_given_version() -> None:
    activity = next(iter_activities(document(GOOD.format(n=1)).replace(b' version="2.03"', b"")))
    assert validate_activity(activity, "2.03", ActivityContext(now=NOW)) == []
    problems = validate_activity(
        activity, "2.03", ActivityContext(root_attributes={"version": "2.03", "generated-datetime": "soon"})
    )
    assert [(problem.rule, problem.scope) for problem in problems] == [("0.3.1", "file")]


def test_an_attribute_error_on_the_root_is_reported_once_for_the_file() -> None:
    content = document(
        GOOD.format(n=1), GOOD.format(n=2), root='<iati-activities version="2.03" generated-datetime="yesterday">'
    )
    report = validate_file(content, now=NOW)
    assert rules_of(report) == [("0.3.1", None)]
    assert report.problems[0].line == 1
    assert (report.activities, report.invalid_activities) == (2, 0)


def test_duplicate_activity_identifiers_are_a_file_error() -> None:
    report = validate_file(document(GOOD.format(n=1), GOOD.format(n=1), GOOD.format(n=1)), now=NOW)
    assert rules_of(report) == [("1.1.2", "XM-DAC-41114-1")]
    assert report.problems[0].context == "Duplicate found for iati-identifier = 'XM-DAC-41114-1'"
    assert report.problems[0].line == 3


def test_a_version_2_file_without_version_is_validated_as_2_03_and_flagged_as_an_error() -> None:
    content = document(GOOD.format(n=1), root="<iati-activities>")
    report = validate_file(content, now=NOW)
    assert [(problem.rule, problem.severity) for problem in report.problems] == [("0.6.2", "error")]
    assert "validated as IATI 2.03" in report.problems[0].message


def test_a_version_1_fragment_without_version_is_validated_as_1_03_with_a_warning() -> None:
    fragment = b"<iati-activity><iati-identifier>GB-1-1</iati-identifier><title>Old style</title></iati-activity>"
    report = validate_file(fragment)
    assert [(problem.rule, problem.severity) for problem in report.problems] == [("0.6.2", "warning")]
    assert not report.has_errors


def test_version_1_files_are_checked_against_their_own_schema_only() -> None:
    content = document(
        "<iati-activity><iati-identifier>GB-1-1</iati-identifier><title>Old</title></iati-activity>",
        root='<iati-activities version="1.01">',
    )
    assert validate_file(content).problems == []


def test_an_unsupported_version_is_reported_once_and_activities_are_still_counted() -> None:
    report = validate_file(document(GOOD.format(n=1), GOOD.format(n=2), root='<iati-activities version="3.0">'))
    assert rules_of(report) == [("0.6.1", None)]
    assert report.activities == 2


def test_a_refused_file_is_one_xml_error() -> None:
    report = validate_file(b"\x00\x01binary")
    assert [(problem.rule, problem.category, problem.scope) for problem in report.problems] == [
        ("0.1.1", "iati", "file")
    ]
    assert report.has_errors


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    report = validate_file(tmp_path / "missing.xml")
    assert rules_of(report) == [("0.1.1", None)]


def test_a_truncated_file_reports_what_was_read_and_where_it_stops() -> None:
    content = (DATA / "unops-at-activity.xml").read_bytes()[:5000]
    report = validate_file(content, now=NOW)
    assert report.activities == 2
    assert (report.problems[-1].rule, report.problems[-1].line) == ("0.1.1", 147)
    assert "truncated" in report.problems[-1].message


def test_several_files_make_one_report() -> None:
    report = validate_files([DATA / "fcdo-activity.xml", DATA / "unops-at-activity.xml"])
    assert (len(report.files), report.activities, report.invalid_activities) == (2, 4, 3)


def test_the_report_as_data_has_files_counts_summary_and_problems() -> None:
    data = validate_file(DATA / "unops-at-activity.xml", now=NOW).to_dict()
    assert set(data) == {"valid", "files", "activities", "invalid_activities", "summary", "problems"}
    assert (data["valid"], data["activities"], data["summary"]) == (False, 3, {"error": 12, "warning": 0})
    assert set(data["problems"][0]) == {
        "rule",
        "message",
        "severity",
        "category",
        "line",
        "activity",
        "file",
        "context",
        "scope",
    }


@pytest.mark.skipif(not SHARED_ACTIVITIES.is_dir(), reason=f"{SHARED_ACTIVITIES} is not available")
@pytest.mark.parametrize(
    ("name", "activities", "schema_errors"),
    [
        ("schemas-testdata__worldbank.xml", 16, 348),
        ("schemas-testdata__globalfund-IATIfromGF.xml", 7, 56),
        ("datastore-fixtures__missing_dates.xml", 49, 49),
        ("flattener-fixtures__canada-activity.xml", 1, 7),
        ("flattener-fixtures__beis-activity.xml", 9, 0),
        ("csv2iati-backup__pa-2018_q1__1507210308.08.xml", 419, 996),
    ],
)
def test_real_files_give_the_schema_error_counts_of_the_staging_manifest(
    name: str, activities: int, schema_errors: int
) -> None:
    report = validate_file(SHARED_ACTIVITIES / name)
    assert report.activities == activities
    assert sum(problem.rule == "0.3.1" for problem in report.problems) == schema_errors
