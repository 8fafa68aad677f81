"""``coopatlas rank``: the benchmark harness writes ranked runs with the production matcher."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

DOCS = [
    {"id": "d1", "publisher": "BR", "lang": "en", "title": "Rural wells", "description": "Drinking water wells",
     "sectors": ["14030"]},
    {"id": "d2", "publisher": "SN", "lang": "en", "title": "Village water", "description": "Drinking water pumps",
     "sectors": ["14030"]},
    {"id": "d3", "publisher": "MX", "lang": "en", "title": "Tax reform", "description": "Income tax administration",
     "sectors": ["15114"]},
]
QUERIES = [{"id": "q1-en", "publisher": "SN", "lang": "en", "text": "Drinking water wells for villages"}]


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_rank_writes_query_doc_rank_lines_without_the_querys_own_publisher(tmp_path):
    corpus, queries, out = _write(tmp_path / "c.jsonl", DOCS), _write(tmp_path / "q.jsonl", QUERIES), tmp_path / "r"
    call_command("rank", corpus=corpus, queries=queries, out=out, top=100, embedder="hashing")
    assert out.read_text().splitlines() == ["q1-en\td1\t1", "q1-en\td3\t2"]


def test_rank_stops_at_top(tmp_path):
    corpus, queries, out = _write(tmp_path / "c.jsonl", DOCS), _write(tmp_path / "q.jsonl", QUERIES), tmp_path / "r"
    call_command("rank", corpus=corpus, queries=queries, out=out, top=1, embedder="hashing")
    assert out.read_text() == "q1-en\td1\t1\n"


def test_rank_says_which_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="--corpus: no such file"):
        call_command("rank", corpus=tmp_path / "none.jsonl", queries=tmp_path / "q", out=tmp_path / "r")


def test_rank_caches_embeddings_for_repeated_runs(tmp_path):
    corpus, queries, out = _write(tmp_path / "c.jsonl", DOCS), _write(tmp_path / "q.jsonl", QUERIES), tmp_path / "r"
    cache = tmp_path / "cache.npz"
    call_command("rank", corpus=corpus, queries=queries, out=out, embedder="hashing", embedding_cache=cache)
    import numpy as np

    with np.load(cache) as stored:
        assert len(stored.files) == 4  # three passages and one query
