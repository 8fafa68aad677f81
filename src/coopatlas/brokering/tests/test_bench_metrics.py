"""bench/matching.py: the metrics it reports, on runs small enough to check by hand."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[4] / "bench" / "matching.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_matching", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ndcg_uses_gain_two_to_the_grade_minus_one(bench):
    grades = {"a": 2, "b": 1}
    assert bench.ndcg(["a", "b"], grades) == pytest.approx(1.0)
    expected = (1 / math.log2(2) + 3 / math.log2(3)) / (3 / math.log2(2) + 1 / math.log2(3))
    assert bench.ndcg(["b", "a"], grades) == pytest.approx(expected)


def test_precision_mrr_and_recall_of_one_query(bench):
    scores = bench.score_query(["x", "b", "a"], {"a": 2, "b": 1, "c": 1})
    assert scores == {"nDCG@10": pytest.approx(scores["nDCG@10"]), "P@10": 0.2, "MRR": pytest.approx(1 / 3),
                      "R@100": pytest.approx(2 / 3)}


def test_results_are_averaged_per_language(bench):
    qrels = {"q-en": {"a": 2}, "q-fr": {"a": 2}}
    result = bench.evaluate({"q-en": ["a"], "q-fr": ["z", "a"]}, qrels, {"q-en": "en", "q-fr": "fr"})
    assert result["en"]["MRR"] == 1.0 and result["fr"]["MRR"] == 0.5
    assert result["all"]["MRR"] == 0.75 and result["all"]["n"] == 2


def test_the_docs_section_is_replaced_between_its_markers(bench, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "benchmarks.md").write_text("# B\n\n<!-- matching -->old<!-- /matching -->\nafter\n")
    bench.write_docs("<!-- matching -->new<!-- /matching -->")
    assert (tmp_path / "docs" / "benchmarks.md").read_text() == "# B\n\n<!-- matching -->new<!-- /matching -->\nafter\n"


def test_the_weak_flag_threshold_is_where_the_fitted_hit_rate_falls_to_a_third(bench):
    # Hit rate rises with the cosine: 0 of 3 at 0.2, 1 of 3 at 0.4, 2 of 3 at 0.6, 3 of 3 at 0.8.
    cosines = [0.2] * 3 + [0.4] * 3 + [0.6] * 3 + [0.8] * 3
    hits = [False] * 3 + [True] + [False] * 2 + [True] * 2 + [False] + [True] * 3
    threshold = bench.weak_flag_calibration(cosines, hits)
    assert 0.38 < threshold < 0.46


def test_all_languages_of_one_need_fall_in_the_same_half(bench):
    halves = {bench.need_half(f"q3ed093db45-{lang}") for lang in ("ar", "en", "es", "fr", "ru", "zh")}
    assert len(halves) == 1 and halves <= {"A", "B"}
