"""The UNSD M49 hierarchy: world, regions, sub-regions and intermediate regions in six languages."""

from __future__ import annotations

from typing import Any

from coopatlas.core.i18n import UN_LANGUAGES
from coopatlas.geo.models import Region


def test_the_hierarchy_has_the_world_5_regions_17_subregions_and_7_intermediate_regions(db: Any) -> None:
    levels = {level: Region.objects.filter(level=level).count() for level in Region.Level.values}
    assert levels == {"world": 1, "region": 5, "subregion": 17, "intermediate": 7}


def test_regions_hang_under_the_world_and_subregions_under_regions(db: Any) -> None:
    assert Region.objects.get(code="001").parent_id is None
    assert set(Region.objects.filter(level="region").values_list("parent_id", flat=True)) == {"001"}
    assert Region.objects.get(code="419").parent_id == "019"
    assert Region.objects.get(code="005").parent_id == "419"


def test_every_region_is_named_in_the_six_un_languages(db: Any) -> None:
    for names in Region.objects.values_list("names", flat=True):
        assert set(names) == set(UN_LANGUAGES)
    africa = Region.objects.get(code="002")
    assert africa.names["zh-hans"] == "非洲"
    assert africa.names["fr"] == "Afrique"


def test_the_most_frequent_spelling_wins_when_an_export_disagrees_with_itself(db: Any) -> None:
    # UNSD-fr.csv names 030 "Asie orientale" on seven rows and "Asie de l'Est" on one.
    assert Region.objects.get(code="030").names["fr"] == "Asie orientale"
    assert Region.objects.get(code="001").names["ru"] == "Весь мир"
