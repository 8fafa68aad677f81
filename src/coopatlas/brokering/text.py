"""Text preparation for matching: markup removal, length limits, sentences, BM25 tokens, script detection.

Bad input is reported, not swallowed: ``check_need_text`` returns the problems a person can fix
(empty text, a single word) and the documented truncation of very long text (``MAX_TEXT_CHARS``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from coopatlas.core.search.text import clean_text, fold

#: Longest text considered for matching; longer text is cut here (and the user told so).
MAX_TEXT_CHARS = 20_000
#: Fewest words a need must have to be matched on its text.
MIN_WORDS = 3

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,500}>", re.IGNORECASE | re.DOTALL)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_SYNTAX = re.compile(r"(^|\s)[#>*+\-|=`~_]{1,6}(?=\s)|[*_`~|]{2,}|^\s*\d+\.\s", re.MULTILINE)
_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？؟])\s+|(?<=[。！？؟])|\n+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+", re.UNICODE)
_CJK_RUN = re.compile(f"^[{_CJK}]+$")
_SCRIPTS = {
    "ar": re.compile(r"[\u0600-\u06ff\u0750-\u077f]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "zh-hans": re.compile(f"[{_CJK}]"),
}
#: English, French and Spanish function words that carry no topic (BM25 "English stopwords" and kin).
STOPWORDS = frozenset(
    """a an and are as at be by for from has have in is it its of on or that the this to was were will with
    which their they these those such not but all also can into other more been its our we us
    le la les de des du un une et en est pour par sur dans au aux que qui ou avec ce ces sont son sa ses
    el los las del y para por con una su sus que es al lo se como o
    и в во на с по для из к о от что это как а""".split()
)


def strip_markup(text: str) -> str:
    """``text`` without HTML tags, Markdown syntax, URLs and control characters; entities decoded."""
    text = clean_text(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _MD_SYNTAX.sub(" ", text)
    text = _SPACE.sub(" ", text)
    return _LINES.sub("\n", text).strip()


def compose(*parts: str | None) -> str:
    """One matching text from a record's fields: each cleaned, joined by newlines, cut at MAX_TEXT_CHARS."""
    return "\n".join(p for p in (strip_markup(part or "") for part in parts) if p)[:MAX_TEXT_CHARS]


def sentences(text: str, limit: int = 40) -> list[str]:
    """The first ``limit`` sentences of ``text`` (Latin, Arabic and CJK sentence ends), each ≥ 3 characters."""
    parts = (s.strip() for s in _SENTENCE_END.split(text))
    return [s[:500] for s in parts if len(s) >= 3][:limit]


def bm25_tokens(text: str) -> list[str]:
    """Folded word tokens without stopwords; CJK runs become overlapping character bigrams."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if _CJK_RUN.match(token):
            out.extend(token[i : i + 2] for i in range(max(1, len(token) - 1)))
            continue
        token = fold(token)
        if len(token) > 1 and token not in STOPWORDS and not token.isdigit():
            out.append(token)
    return out


def word_count(text: str) -> int:
    """Words in ``text`` (a CJK character counts as one word)."""
    return sum(len(t) if _CJK_RUN.match(t) else 1 for t in _TOKEN.findall(text))


def guess_script_language(text: str) -> str | None:
    """"ar", "ru" or "zh-hans" when most letters are in that script; None for Latin or mixed text."""
    letters = sum(1 for c in text if c.isalpha()) or 1
    for language, pattern in _SCRIPTS.items():
        if len(pattern.findall(text)) / letters > 0.5:
            return language
    return None


@dataclass
class TextCheck:
    """What matching made of a text: the cleaned text, blocking problems and notes for the user."""

    text: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_need_text(raw: str) -> TextCheck:
    """Clean a text to match on and say what is wrong with it (empty, one word) or what was cut."""
    cleaned = strip_markup(raw or "")
    check = TextCheck(cleaned[:MAX_TEXT_CHARS])
    if len(cleaned) > MAX_TEXT_CHARS:
        check.notes.append(
            str(_("Only the first %(n)s characters of the text were used for matching.") % {"n": f"{MAX_TEXT_CHARS:,}"})
        )
    if cleaned != (raw or "").strip() and cleaned:
        check.notes.append(str(_("Markup (HTML, Markdown, links) was removed before matching.")))
    words = word_count(check.text)
    if words == 0:
        check.problems.append(str(_("The text is empty: describe what is needed in a few sentences.")))
    elif words < MIN_WORDS:
        check.problems.append(
            str(_("The text is too short to match (%(n)s word): describe what is needed in a sentence or more.")
                % {"n": words})
        )
    return check
