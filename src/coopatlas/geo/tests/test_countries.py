"""Countries loaded from country-codes.csv (UNSD M49, UNTERM names) with flags and income groups."""

from __future__ import annotations

from typing import Any

from coopatlas.core.i18n import UN_LANGUAGES
from coopatlas.geo.models import Country


def test_every_country_or_area_with_an_m49_code_is_loaded(db: Any) -> None:
    assert Country.objects.count() == 249
    assert Country.objects.filter(m49="").count() == 0


def test_codes_are_zero_padded_and_iso2_is_kept(db: Any) -> None:
    algeria = Country.objects.get(code="DZA")
    assert (algeria.iso2, algeria.m49) == ("DZ", "012")


def test_senegal_has_its_unterm_short_names_exactly_as_in_the_source(db: Any) -> None:
    senegal = Country.objects.get(code="SEN")
    assert senegal.names["fr"] == "Sénégal (le)"
    assert senegal.names["ar"] == "السنغال"
    assert senegal.names["zh-hans"] == "塞内加尔"
    assert senegal.formal_names["fr"] == "la République du Sénégal"


def test_every_country_has_a_short_name_in_all_six_languages(db: Any) -> None:
    for names in Country.objects.values_list("names", flat=True):
        assert set(names) == set(UN_LANGUAGES)


def test_territories_without_unterm_names_fall_back_to_m49_names(db: Any) -> None:
    aruba = Country.objects.get(code="ABW")
    assert aruba.names["fr"] == "Aruba"
    assert aruba.formal_names == {}


def test_unterm_footnote_marks_are_removed_from_names(db: Any) -> None:
    palestine = Country.objects.get(code="PSE")
    assert palestine.names["en"] == "State of Palestine (the)"
    assert palestine.formal_names["en"] == "the State of Palestine"


def test_cote_divoire_english_name_is_corrected_by_the_override_file(db: Any) -> None:
    cote_divoire = Country.objects.get(code="CIV")
    assert cote_divoire.names["en"] == "Côte d’Ivoire"
    assert cote_divoire.names["fr"] == "Côte d’Ivoire"


def test_brazil_is_in_the_americas_latin_america_and_south_america(db: Any) -> None:
    brazil = Country.objects.get(code="BRA")
    assert (brazil.region_id, brazil.subregion_id, brazil.intermediate_region_id) == ("019", "419", "005")


def test_senegal_is_in_sub_saharan_western_africa(db: Any) -> None:
    senegal = Country.objects.get(code="SEN")
    assert (senegal.region_id, senegal.subregion_id, senegal.intermediate_region_id) == ("002", "202", "011")


def test_antarctica_belongs_to_no_region(db: Any) -> None:
    assert Country.objects.get(code="ATA").region_id is None


def test_ldc_lldc_and_sids_flags_follow_the_un_lists(db: Any) -> None:
    assert Country.objects.get(code="SEN").country_groups() == ["LDC"]
    assert Country.objects.get(code="NPL").country_groups() == ["LDC", "LLDC"]
    assert Country.objects.get(code="FJI").country_groups() == ["SIDS"]
    assert Country.objects.get(code="BRA").country_groups() == []
    assert Country.objects.filter(is_ldc=True).count() == 45
    assert Country.objects.filter(is_lldc=True).count() == 32
    assert Country.objects.filter(is_sids=True).count() == 53


def test_income_groups_come_from_the_derived_table(db: Any) -> None:
    codes = dict(
        Country.objects.filter(code__in=["BRA", "SEN", "USA", "AFG", "ATA"]).values_list("code", "income_group")
    )
    assert codes == {"BRA": "UM", "SEN": "LM", "USA": "H", "AFG": "L", "ATA": ""}
    assert Country.objects.exclude(income_group="").count() == 205
