"""Text handling shared by both search engines: the query parser, CJK spacing and safe highlighting.

User input never reaches an engine as query syntax: ``parse_query`` turns it into a list of
phrases (bare words, or "quoted phrases"), and each backend quotes every phrase as a literal
(FTS5 strings, https://sqlite.org/fts5.html#fts5_strings; PostgreSQL ``phraseto_tsquery``,
https://www.postgresql.org/docs/15/textsearch-controls.html#TEXTSEARCH-PARSING-QUERIES).

Chinese and Japanese are written without spaces, so neither FTS5's ``unicode61`` tokenizer nor
PostgreSQL's default parser can find 水 inside 饮用水: both see one long token. The index therefore
stores every Han/Kana character as its own token (``index_form`` puts a space between them) and a
CJK query becomes a phrase of single characters, which matches the characters in sequence.
``display_form`` removes those spaces again in snippets.

Highlights are HTML-safe by construction: the engines mark matches with two private-use characters
(stripped from every indexed text, so records cannot forge them), the marked text is escaped, and
only then are the markers turned into ``<mark>`` elements.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Start and end of a highlighted match, as the engines emit them (Unicode private use area).
MARK_START = "\ue000"
MARK_END = "\ue001"
#: Longest query text considered, and most phrases in one query (longer input is cut, not refused).
MAX_QUERY_LENGTH = 256
MAX_PHRASES = 16

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_ANY = re.compile(f"[{_CJK}]")
_CJK_PAIR = re.compile(f"(?<=[{_CJK}])(?=[{_CJK}])")
_CJK_SPACE = re.compile(f"(?<=[{_CJK}])({MARK_END}?) ({MARK_START}?)(?=[{_CJK}])")
#: Characters that must never reach the index or a snippet: our markers and other control characters.
_FORBIDDEN = re.compile(f"[{MARK_START}{MARK_END}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHRASE_OR_WORD = re.compile(r'"([^"]*)"?|(\S+)')
#: A token as the engines see it: one CJK character, or a run of letters/digits (no underscore).
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u0900-\u0903\u093a-\u094f"
_TOKEN = re.compile(f"[{_CJK}]|(?:[^\\W_{_CJK}]|[{_MARKS}])+")


def clean_text(text: str | None) -> str:
    """``text`` without control characters or highlight markers (safe to index and display)."""
    return _FORBIDDEN.sub(" ", text or "")


def index_form(text: str | None) -> str:
    """Text as stored in the index: cleaned, with each Han/Kana character a token of its own."""
    text = clean_text(text)
    return _CJK_PAIR.sub(" ", text) if _CJK_ANY.search(text) else text


def display_form(text: str) -> str:
    """Undo ``index_form``'s CJK spacing in engine output, merging adjacent highlighted characters."""
    if not _CJK_ANY.search(text):
        return text
    return _CJK_SPACE.sub(r"\1\2", text).replace(MARK_END + MARK_START, "")


def fold(token: str) -> str:
    """Case- and accent-insensitive form of a token (as ``unicode61 remove_diacritics 2`` and unaccent)."""
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """The tokens of ``text`` as the engines see them."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class ParsedQuery:
    """A user's query reduced to literal phrases; empty when there is nothing to search for."""

    text: str
    phrases: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.phrases)

    @property
    def folded_phrases(self) -> tuple[tuple[str, ...], ...]:
        """Each phrase as a tuple of folded tokens (for highlighting text the engine did not mark)."""
        return tuple(tuple(fold(t) for t in tokens(phrase)) for phrase in self.phrases)


def parse_query(raw: str | None) -> ParsedQuery:
    """Split user input into phrases: "quoted text" stays one phrase, other words one phrase each.

    Everything else (operators, brackets, stars, column filters, unbalanced quotes) is plain text:
    a phrase keeps its characters, and the engine's tokenizer later drops punctuation inside it.
    Phrases without any letter or digit are dropped, so ``"*"`` or ``NEAR(`` alone search nothing.
    """
    text = clean_text(raw)[:MAX_QUERY_LENGTH].strip()
    phrases: list[str] = []
    for match in _PHRASE_OR_WORD.finditer(text):
        chunk = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        if tokens(chunk):
            phrases.append(index_form(" ".join(tokens(chunk))))
        if len(phrases) == MAX_PHRASES:
            break
    return ParsedQuery(text=text, phrases=tuple(phrases))


def marked_to_html(marked: str) -> SafeString:
    """Escape engine output, then turn the private markers into ``<mark>`` (unbalanced ones closed)."""
    html = escape(display_form(marked))
    opened = html.count(MARK_START) - html.count(MARK_END)
    html = html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html + "</mark>" * max(opened, 0))  # noqa: S308 - escaped above


def highlight(text: str, phrases: Sequence[Sequence[str]]) -> SafeString:
    """``text`` escaped, with every occurrence of a query phrase (folded tokens, in order) marked."""
    spans = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]
    marked: list[tuple[int, int]] = []
    for phrase in phrases:
        size = len(phrase)
        if not size:
            continue
        for i in range(len(spans) - size + 1):
            if all(spans[i + k][2] == phrase[k] for k in range(size)):
                marked.append((spans[i][0], spans[i + size - 1][1]))
    return _wrap(text, _merge(marked))


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _wrap(text: str, ranges: list[tuple[int, int]]) -> SafeString:
    parts: list[str] = []
    position = 0
    for start, end in ranges:
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped
