"""country_code_from_name_or_code: our codes and names first, then hdx-python-country's offline fuzzy matcher."""

from __future__ import annotations

from typing import Any

import pytest

from coopatlas.geo.models import Country
from coopatlas.geo.services import country_code_from_name_or_code, country_names_index


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("SEN", "SEN"),
        ("sen", "SEN"),
        ("SN", "SEN"),
        ("686", "SEN"),
        ("76", "BRA"),
        ("076", "BRA"),
        (" Brazil ", "BRA"),
        ("Sénégal", "SEN"),
        ("Republic of Senegal", "SEN"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Democratic Republic of Congo", "COD"),
        ("Tanzania", "TZA"),
        ("UAE", "ARE"),
    ],
)
def test_country_is_found_by_code_or_name(db: Any, text: str, iso3: str) -> None:
    assert country_code_from_name_or_code(text) == iso3


@pytest.mark.parametrize("text", ["", "   ", "ZZZ", "999", "Atlantis", "Kosovo"])
def test_unknown_text_gives_none(db: Any, text: str) -> None:
    assert country_code_from_name_or_code(text) is None


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Sénégal (le)", "SEN"),
        ("السنغال", "SEN"),
        ("塞内加尔", "SEN"),
        ("巴西", "BRA"),
        ("la République fédérative du Brésil", "BRA"),
        ("china, hong kong special administrative region", "HKG"),
    ],
)
def test_country_is_found_by_its_name_in_any_un_language(db: Any, text: str, iso3: str) -> None:
    assert country_code_from_name_or_code(text) == iso3


def test_every_short_name_in_every_language_finds_its_country_with_a_prebuilt_index(db: Any) -> None:
    index = country_names_index()
    for code, names in Country.objects.values_list("code", "names"):
        for name in names.values():
            assert country_code_from_name_or_code(name, index) == code, name
