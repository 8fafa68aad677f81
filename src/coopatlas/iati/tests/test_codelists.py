"""IATI codelists: DAC sectors and categories, and the other codelists as CodelistItem rows."""

from __future__ import annotations

from typing import Any

import pytest

from coopatlas.iati.models import CodelistItem, Sector, SectorCategory
from coopatlas.iati.services import REQUIRED_CODELISTS


def test_all_dac_sectors_and_categories_are_loaded_with_withdrawn_codes_inactive(db: Any) -> None:
    assert (SectorCategory.objects.count(), Sector.objects.count()) == (44, 325)
    assert Sector.objects.filter(active=False).count() == 30


def test_sector_has_english_and_french_names_and_its_category(db: Any) -> None:
    sector = Sector.objects.get(code="11110")
    assert sector.names == {
        "en": "Education policy and administrative management",
        "fr": "Politique de l'éducation et gestion administrative",
    }
    assert sector.category_id == "111"
    assert SectorCategory.objects.get(code="111").names["fr"] == "Education, Niveau non spécifié"


def test_south_south_cooperation_sector_is_present(db: Any) -> None:
    assert Sector.objects.get(code="15123").category_id == "151"


#: Items per required codelist, active and withdrawn, as in the shipped CSVs (iati/data/codelists/README.md).
REQUIRED_COUNTS = {
    "OrganisationType": 16,
    "OrganisationRole": 4,
    "ActivityStatus": 6,
    "Currency": 176,
    "CollaborationType": 7,
    "FlowType": 10,
    "FinanceType": 68,
    "AidType": 24,
    "TiedStatus": 3,
    "ActivityScope": 8,
    "Language": 181,
    "Country": 251,
    "Region": 26,
    "SectorVocabulary": 14,
    "TagVocabulary": 6,
    "TransactionType": 13,
    "BudgetType": 2,
    "DocumentCategory": 30,
    "PolicyMarker": 12,
    "PolicySignificance": 5,
    "IndicatorMeasure": 5,
    "ResultType": 4,
}


@pytest.mark.parametrize(("codelist", "count"), sorted(REQUIRED_COUNTS.items()))
def test_required_codelist_is_loaded_in_full(db: Any, codelist: str, count: int) -> None:
    assert CodelistItem.objects.filter(codelist=codelist).count() == count


def test_the_loader_requires_exactly_the_lists_tested_here() -> None:
    assert set(REQUIRED_CODELISTS) == set(REQUIRED_COUNTS)


def test_withdrawn_codes_are_kept_inactive(db: Any) -> None:
    assert CodelistItem.objects.filter(codelist="Currency", active=False).count() == 9
    assert CodelistItem.objects.filter(codelist="FinanceType", active=False).count() == 21


def test_triangular_cooperation_code_has_french_name_and_choices_skip_inactive_codes(db: Any) -> None:
    triangular = CodelistItem.objects.get(codelist="CollaborationType", code="8")
    assert triangular.names["en"] == "Bilateral, triangular co-operation"
    assert "fr" in triangular.names
    assert len(CodelistItem.choices("Currency")) == 167


def test_file_formats_are_not_loaded(db: Any) -> None:
    assert not CodelistItem.objects.filter(codelist="FileFormat").exists()
