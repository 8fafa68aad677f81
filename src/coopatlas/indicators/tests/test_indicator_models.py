"""Framework indicators, disaggregation keys and the analyst group."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from coopatlas.indicators.models import Direction, FrameworkIndicator, IndicatorFramework
from coopatlas.indicators.models.observations import dimension_key


def test_a_disaggregation_key_is_sorted_and_ignores_empty_values() -> None:
    assert dimension_key({"Sex": "Female", "Age": "15-24", "Location": ""}) == "Age=15-24|Sex=Female"
    assert dimension_key({}) == ""


def test_a_target_year_before_the_base_year_is_refused(db: Any) -> None:
    framework = IndicatorFramework.objects.create(code="escap-extra", titles={"en": "ESCAP additional indicators"})
    indicator = FrameworkIndicator(framework=framework, code="H.1", base_year=2015, target_year=2010)
    with pytest.raises(ValidationError) as error:
        indicator.clean()
    assert list(error.value.message_dict) == ["target_year"]


def test_an_exact_direction_needs_the_value_to_reach(db: Any) -> None:
    framework = IndicatorFramework.objects.create(code="gender", titles={"en": "Gender parity"})
    indicator = FrameworkIndicator(framework=framework, code="G.1", direction=Direction.EXACT)
    with pytest.raises(ValidationError) as error:
        indicator.clean()
    assert list(error.value.message_dict) == ["target_value"]
    indicator.target_value = 1.0
    indicator.clean()


def test_an_indicator_uses_its_frameworks_method_unless_it_names_one(db: Any) -> None:
    framework = IndicatorFramework.objects.create(code="mdg", titles={"en": "MDGs"}, progress_method="unsd")
    indicator = FrameworkIndicator.objects.create(framework=framework, code="4.1")
    assert indicator.effective_progress_method == "unsd"
    indicator.progress_method = "escap"
    assert indicator.effective_progress_method == "escap"


def test_the_analyst_group_may_define_indicators_but_not_delete_frameworks(db: Any) -> None:
    codenames = set(Group.objects.get(name="Analysts").permissions.values_list("codename", flat=True))
    assert {"define_indicators", "add_frameworkindicator", "change_frameworkindicator"} <= codenames
    assert "delete_indicatorframework" not in codenames


def test_private_frameworks_are_visible_to_their_owner_only(personas: Any) -> None:
    IndicatorFramework.objects.create(code="draft", titles={"en": "Draft"}, is_public=False, owner=personas.moderator)
    IndicatorFramework.objects.create(code="open", titles={"en": "Open"})
    codes = lambda user: sorted(IndicatorFramework.objects.visible_to(user).values_list("code", flat=True))  # noqa: E731
    assert codes(personas.moderator) == ["draft", "open"]
    assert codes(personas.contributor_a) == ["open"]
