"""BM25: the textbook formula, in every language the catalogue uses."""

from __future__ import annotations

import math

import numpy as np

from coopatlas.brokering.lexical import BM25Index


def test_bm25_scores_follow_robertson_and_zaragoza():
    index = BM25Index(["rural water supply", "water tax", "school meals programme for rural pupils"])
    scores = index.scores("rural water")
    idf_rural = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    idf_water = idf_rural
    average = (3 + 2 + 5) / 3  # "for" is a stopword: 3, 2 and 5 tokens
    def part(idf, tf, length):
        return idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
    expected = [part(idf_rural, 1, 3) + part(idf_water, 1, 3), part(idf_water, 1, 2), part(idf_rural, 1, 5)]
    assert np.allclose(scores, expected, rtol=1e-5)
    assert list(np.argsort(-scores)) == [0, 1, 2]


def test_chinese_and_accented_queries_find_their_documents():
    index = BM25Index(["农村饮用水供应", "税收政策改革", "Accès à l'eau potable"])
    assert int(np.argmax(index.scores("饮用水"))) == 0
    assert int(np.argmax(index.scores("acces eau"))) == 2


def test_a_query_sharing_no_term_scores_zero_everywhere():
    assert BM25Index(["water", "tax"]).scores("fisheries").tolist() == [0.0, 0.0]
