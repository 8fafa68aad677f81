"""The SDG global indicator framework loaded from open-sdg/sdg-translations in the six UN languages."""

from __future__ import annotations

from typing import Any

import pytest

from coopatlas.core.i18n import UN_LANGUAGES
from coopatlas.indicators.models import SdgGoal, SdgIndicator, SdgTarget
from coopatlas.indicators.services import sdg_sort_key


def test_the_framework_has_17_goals_169_targets_and_252_indicator_entries(db: Any) -> None:
    # 252 entries: some indicators repeat under several targets (e.g. 1.5.1 = 11.5.1 = 13.1.1).
    assert (SdgGoal.objects.count(), SdgTarget.objects.count(), SdgIndicator.objects.count()) == (17, 169, 252)


def test_goal_6_is_titled_in_chinese_and_french(db: Any) -> None:
    goal = SdgGoal.objects.get(code="6")
    assert goal.number == 6
    assert goal.titles["zh-hans"] == "为所有人提供水和环境卫生并对其进行可持续管理"
    assert goal.short_titles["fr"] == "Eau propre et assainissement"


def test_every_goal_target_and_indicator_has_six_languages(db: Any) -> None:
    for model, field in (
        (SdgGoal, "titles"),
        (SdgGoal, "short_titles"),
        (SdgTarget, "titles"),
        (SdgIndicator, "titles"),
    ):
        for titles in model.objects.values_list(field, flat=True):
            assert set(titles) == set(UN_LANGUAGES)
            assert all(titles.values())


def test_targets_and_indicators_point_at_their_parents(db: Any) -> None:
    assert SdgTarget.objects.get(code="17.9").goal_id == "17"
    assert SdgTarget.objects.get(code="6.a").goal_id == "6"
    assert SdgIndicator.objects.get(code="17.19.2").target_id == "17.19"
    assert SdgIndicator.objects.get(code="1.a.1").target_id == "1.a"


def test_targets_sort_in_framework_order(db: Any) -> None:
    codes = list(SdgTarget.objects.filter(goal_id="1").values_list("code", flat=True))
    assert codes == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.a", "1.b"]
    codes = list(SdgTarget.objects.filter(goal_id="17").values_list("code", flat=True))
    assert codes[:3] == ["17.1", "17.2", "17.3"] and codes[-2:] == ["17.18", "17.19"]


@pytest.mark.parametrize(
    ("code", "key"), [("1", "01"), ("1.2", "01.02"), ("1.10", "01.10"), ("1.a", "01.a"), ("17.19.2", "17.19.02")]
)
def test_sort_key_pads_numbers_and_keeps_letters(code: str, key: str) -> None:
    assert sdg_sort_key(code) == key


def test_sort_key_puts_1_2_before_1_10_and_letters_after_numbers() -> None:
    codes = ["1.a", "1.10", "1.2", "1.1", "1.b"]
    assert sorted(codes, key=sdg_sort_key) == ["1.1", "1.2", "1.10", "1.a", "1.b"]
