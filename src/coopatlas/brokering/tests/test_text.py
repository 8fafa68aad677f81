"""Text preparation: markup removed, bad input explained, tokens and sentences in every script."""

from __future__ import annotations

from coopatlas.brokering.text import (
    MAX_TEXT_CHARS,
    bm25_tokens,
    check_need_text,
    guess_script_language,
    sentences,
    strip_markup,
)


def test_markup_is_removed_and_entities_decoded():
    raw = "<p>Safe <b>water</b> &amp; sanitation</p><script>alert(1)</script> **now** [see](http://x.org)"
    assert strip_markup(raw) == "Safe water & sanitation now see"


def test_empty_text_gets_a_clear_message():
    check = check_need_text("   <p></p> ")
    assert check.problems == ["The text is empty: describe what is needed in a few sentences."]


def test_one_word_is_too_short_to_match():
    check = check_need_text("water")
    assert check.problems == [
        "The text is too short to match (1 word): describe what is needed in a sentence or more."
    ]


def test_a_megabyte_of_text_is_cut_and_the_user_told():
    check = check_need_text("water for villages " * 60_000)
    assert check.ok
    assert len(check.text) == MAX_TEXT_CHARS
    assert check.notes == ["Only the first 20,000 characters of the text were used for matching."]


def test_markup_removal_is_reported():
    assert check_need_text("<h1>Water for rural villages</h1>").notes == [
        "Markup (HTML, Markdown, links) was removed before matching."
    ]


def test_chinese_text_becomes_character_bigrams_and_latin_words_are_folded():
    assert bm25_tokens("农村饮用水") == ["农村", "村饮", "饮用", "用水"]
    assert bm25_tokens("Accès à l'eau potable et la santé") == ["acces", "eau", "potable", "sante"]


def test_sentences_split_in_latin_arabic_and_chinese():
    assert sentences("Water is scarce. Wells dry up! 水很少。井干了。هل يوجد ماء؟ نعم") == [
        "Water is scarce.", "Wells dry up!", "水很少。", "井干了。", "هل يوجد ماء؟", "نعم",
    ]


def test_the_script_tells_arabic_russian_and_chinese_apart():
    assert guess_script_language("المياه الصالحة للشرب") == "ar"
    assert guess_script_language("питьевая вода") == "ru"
    assert guess_script_language("饮用水") == "zh-hans"
    assert guess_script_language("eau potable") is None
