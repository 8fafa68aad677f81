"""BM25 over the matching texts, in numpy (Robertson & Zaragoza 2009, "The Probabilistic Relevance
Framework: BM25 and Beyond", Foundations and Trends in IR 3(4)).

Tokens come from ``text.bm25_tokens`` (case and accent folded, common function words of English,
French, Spanish and Russian dropped, Chinese/Japanese as character bigrams), so the index works in
every language the catalogue is written in. Postings are numpy arrays, so scoring one query against
100k documents touches only the documents that share a term with it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from coopatlas.brokering.text import bm25_tokens


class BM25Index:
    """An inverted index scoring documents with Okapi BM25 (k1, b as in Robertson & Zaragoza 2009)."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(texts)
        self.k1, self.b = k1, b
        postings: dict[str, tuple[list[int], list[int]]] = {}
        lengths = np.zeros(self.size, dtype=np.float32)
        for doc, text in enumerate(texts):
            counts = Counter(bm25_tokens(text))
            lengths[doc] = sum(counts.values())
            for term, tf in counts.items():
                docs, tfs = postings.setdefault(term, ([], []))
                docs.append(doc)
                tfs.append(tf)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        norm = k1 * (1 - b + b * lengths / average)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (docs, tfs) in postings.items():
            doc_ids = np.asarray(docs, dtype=np.int32)
            tf = np.asarray(tfs, dtype=np.float32)
            idf = math.log(1 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            # Precomputed per-posting weight: idf * tf (k1 + 1) / (tf + k1 (1 - b + b |d| / avgdl)).
            self._postings[term] = (doc_ids, (idf * tf * (k1 + 1) / (tf + norm[doc_ids])).astype(np.float32))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (a query term counts once per occurrence)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, count in Counter(bm25_tokens(query)).items():
            posting = self._postings.get(term)
            if posting is not None:
                out[posting[0]] += count * posting[1]
        return out

    def matched_terms(self, query: str, text: str) -> list[str]:
        """Query terms that also occur in ``text`` (for explanations), rarest first."""
        shared = set(bm25_tokens(query)) & set(bm25_tokens(text))
        return sorted(shared, key=lambda t: len(self._postings.get(t, ((), ()))[0]))
