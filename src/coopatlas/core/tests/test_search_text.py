"""Query parsing, escaping for both engines, CJK spacing and HTML-safe highlighting (no database)."""

from __future__ import annotations

import pytest

from coopatlas.core.search.backends import PostgresBackend, SqliteFts5Backend
from coopatlas.core.search.text import (
    MARK_END,
    MARK_START,
    MAX_PHRASES,
    display_form,
    highlight,
    index_form,
    marked_to_html,
    parse_query,
)


def test_words_become_separate_phrases_and_quotes_keep_a_phrase() -> None:
    assert parse_query('drinking "school feeding" water').phrases == ("drinking", "school feeding", "water")


@pytest.mark.parametrize(
    ("raw", "phrases"),
    [
        ('"', ()),
        ("*", ()),
        ("NEAR(", ("NEAR",)),
        ("NEAR(water school, 2)", ("NEAR water", "school", "2")),
        ("title:x", ("title x",)),
        ("'); DROP TABLE core_searchentry; --", ("DROP", "TABLE", "core searchentry")),
        ("water*", ("water",)),
        ("a AND b OR NOT c", ("a", "AND", "b", "OR", "NOT", "c")),
        ('"unbalanced quote', ("unbalanced quote",)),
        ("", ()),
        ("   ", ()),
        ("\x00\ue000water\ue001", ("water",)),
    ],
)
def test_hostile_input_is_reduced_to_literal_phrases(raw: str, phrases: tuple[str, ...]) -> None:
    assert parse_query(raw).phrases == phrases


def test_very_long_input_is_cut_not_refused() -> None:
    query = parse_query("water " * 2000)
    assert len(query.text) <= 256
    assert len(query.phrases) == MAX_PHRASES


def test_fts5_expression_quotes_every_phrase_so_operators_are_text() -> None:
    query = parse_query('NEAR( title:x "a AND b" *')
    assert SqliteFts5Backend.expression(query) == '"NEAR" "title x" "a AND b"'


def test_fts5_expression_doubles_inner_quotes() -> None:
    query = parse_query("x")
    object.__setattr__(query, "phrases", ('say "hi"',))
    assert SqliteFts5Backend.expression(query) == '"say ""hi"""'


def test_postgres_query_binds_each_phrase_as_a_parameter() -> None:
    sql, params = PostgresBackend.tsquery(parse_query("water 'x' \"school feeding\""))
    assert sql == (
        "phraseto_tsquery('coopatlas_search', %s) && phraseto_tsquery('coopatlas_search', %s)"
        " && phraseto_tsquery('coopatlas_search', %s)"
    )
    assert params == ("water", "x", "school feeding")


def test_chinese_is_indexed_one_character_per_token_and_displayed_without_spaces() -> None:
    assert index_form("饮用水安全 water") == "饮 用 水 安 全 water"
    assert parse_query("饮用水").phrases == ("饮 用 水",)
    marked = f"饮 用 {MARK_START}水{MARK_END} 安 全"
    assert display_form(marked) == f"饮用{MARK_START}水{MARK_END}安全"
    # A phrase marked character by character becomes one mark.
    assert display_form(f"{MARK_START}饮{MARK_END} {MARK_START}用{MARK_END}") == f"{MARK_START}饮用{MARK_END}"


def test_engine_output_is_escaped_before_matches_are_marked() -> None:
    html = marked_to_html(f"<script>alert(1)</script> {MARK_START}water{MARK_END} & <b>")
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>water</mark> &amp; &lt;b&gt;"


def test_an_unclosed_mark_is_closed() -> None:
    assert marked_to_html(f"{MARK_START}water") == "<mark>water</mark>"


def test_highlight_marks_words_ignoring_case_and_accents_and_escapes_the_rest() -> None:
    phrases = parse_query("cooperation ecoles").folded_phrases
    html = highlight("<i>Coopération</i> pour les écoles", phrases)
    assert html == "&lt;i&gt;<mark>Coopération</mark>&lt;/i&gt; pour les <mark>écoles</mark>"


def test_highlight_marks_a_phrase_only_where_its_words_follow_each_other() -> None:
    phrases = parse_query('"school feeding"').folded_phrases
    assert highlight("school meals, school feeding", phrases) == "school meals, <mark>school feeding</mark>"


def test_highlight_finds_a_chinese_character_inside_a_word() -> None:
    assert highlight("饮用水安全", parse_query("水").folded_phrases) == "饮用<mark>水</mark>安全"
