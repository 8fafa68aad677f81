"""Membership of the five UN regional commissions, compiled from their member lists (geo/data/README.md)."""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

import pytest

from coopatlas.core.i18n import UN_LANGUAGES
from coopatlas.geo.models import Country, RegionalCommission
from coopatlas.geo.services import DATA_DIR

#: (member States, associate members) per commission, as documented in geo/data/README.md.
DOCUMENTED_COUNTS = {"ECA": (54, 0), "ECE": (56, 0), "ECLAC": (46, 14), "ESCAP": (53, 9), "ESCWA": (21, 0)}


def test_the_membership_file_has_the_documented_members_and_associates() -> None:
    with (DATA_DIR / "regional_commissions.csv").open(encoding="utf-8", newline="") as stream:
        counts = Counter((row["commission"], row["membership"]) for row in csv.DictReader(stream))
    for commission, (members, associates) in DOCUMENTED_COUNTS.items():
        assert (counts[(commission, "member")], counts[(commission, "associate")]) == (members, associates)


def test_each_commission_has_its_documented_number_of_members_and_associates(db: Any) -> None:
    counts = {commission.code: commission.countries.count() for commission in RegionalCommission.objects.all()}
    assert counts == {code: members + associates for code, (members, associates) in DOCUMENTED_COUNTS.items()}


@pytest.mark.parametrize(
    ("commission", "iso3"),
    [
        ("ESCAP", "THA"),
        ("ESCAP", "CHN"),
        ("ESCAP", "HKG"),
        ("ECLAC", "BRA"),
        ("ECLAC", "FRA"),
        ("ECLAC", "PRI"),
        ("ESCWA", "EGY"),
        ("ESCWA", "PSE"),
        ("ECA", "SEN"),
        ("ECE", "USA"),
    ],
)
def test_country_belongs_to_commission(db: Any, commission: str, iso3: str) -> None:
    assert Country.objects.get(code=iso3).commissions.filter(code=commission).exists()


def test_countries_can_belong_to_several_commissions(db: Any) -> None:
    assert set(Country.objects.get(code="EGY").commissions.values_list("code", flat=True)) == {"ECA", "ESCWA"}
    assert set(Country.objects.get(code="FRA").commissions.values_list("code", flat=True)) == {"ECE", "ECLAC", "ESCAP"}
    assert not Country.objects.get(code="BRA").commissions.exclude(code="ECLAC").exists()


def test_commissions_are_named_in_six_languages_and_cite_their_member_list(db: Any) -> None:
    eca = RegionalCommission.objects.get(code="ECA")
    assert set(eca.names) == set(UN_LANGUAGES)
    assert eca.names["fr"] == "Commission économique pour l'Afrique"
    assert eca.names["zh-hans"] == "非洲经济委员会"
    assert all(url.startswith("https://") for url in RegionalCommission.objects.values_list("source_url", flat=True))
