"""Reading Open SDG CSVs: bad files and rows are refused with a reason, never a crash or a silent NaN."""

from __future__ import annotations

from pathlib import Path

from coopatlas.indicators.opensdg_repository import read_indicator_csv


def write(tmp_path: Path, content: str, name: str = "indicator_9-9-9.csv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_a_file_without_value_column_is_refused_as_a_whole(tmp_path: Path) -> None:
    data = read_indicator_csv(write(tmp_path, "Year,Sex,Amount\n2015,,1\n"))
    assert data.frame is None
    assert [str(r) for r in data.refusals] == ["indicator_9-9-9.csv: missing column Value"]


def test_a_file_without_year_and_value_names_both(tmp_path: Path) -> None:
    data = read_indicator_csv(write(tmp_path, "Sex,Amount\n,1\n"))
    assert [str(r) for r in data.refusals] == ["indicator_9-9-9.csv: missing column Year, Value"]


def test_a_header_only_file_has_no_data(tmp_path: Path) -> None:
    data = read_indicator_csv(write(tmp_path, "Year,Value\n"))
    assert (data.frame, [r.reason for r in data.refusals]) == (None, ["no data rows (header only)"])


def test_bad_rows_are_refused_one_by_one_with_their_line(tmp_path: Path) -> None:
    content = "Year,Sex,Value\n2015,,1\n2015,,2\n2016,F,3\n2016,F,3\n20a,F,3\n2017,F,nan\n,F,4\n2018,F,n/a\n"
    data = read_indicator_csv(write(tmp_path, content))
    assert [str(r) for r in data.refusals] == [
        "indicator_9-9-9.csv:2: same year and disaggregation as a later line with another value",
        "indicator_9-9-9.csv:3: same year and disaggregation as line 2 with another value",
        "indicator_9-9-9.csv:5: repeats line 4",
        "indicator_9-9-9.csv:6: Year '20a' is not a year",
        "indicator_9-9-9.csv:7: Value 'nan' is not a number",
        "indicator_9-9-9.csv:8: Year is empty",
        "indicator_9-9-9.csv:9: Value 'n/a' is not a number",
    ]
    assert data.frame is not None
    assert data.frame.select("line", "Year", "Sex", "Value").rows() == [(4, 2016, "F", 3.0)]


def test_year_ranges_keep_their_first_year_and_empty_cells_are_missing(tmp_path: Path) -> None:
    data = read_indicator_csv(write(tmp_path, 'Year,"Sex",Value\n2015-2016,"",1.5\n2017,"F",\n'))
    assert data.refusals == []
    assert data.frame is not None
    assert data.frame.select("Year", "Sex", "Value").rows() == [(2015, None, 1.5), (2017, "F", None)]
    assert data.disaggregation_columns == ["Sex"]
