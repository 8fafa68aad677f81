"""The load_reference command: idempotent, fast, and reporting counts per table."""

from __future__ import annotations

import io
import re
import time
from typing import Any

from django.core.management import call_command

from coopatlas.geo.models import Country, Region, RegionalCommission
from coopatlas.iati.models import CodelistItem, Sector
from coopatlas.indicators.models import SdgIndicator


def table_counts() -> dict[str, int]:
    """Row counts of the reference tables."""
    models = (Region, RegionalCommission, Country, Country.commissions.through, SdgIndicator, Sector, CodelistItem)
    return {model._meta.label: model.objects.count() for model in models}


def test_running_load_reference_again_changes_nothing(db: Any) -> None:
    before = table_counts()
    output = io.StringIO()
    started = time.perf_counter()
    call_command("load_reference", stdout=output)
    elapsed = time.perf_counter() - started
    print(f"load_reference on loaded tables: {elapsed:.2f} s")  # timing only, shown by pytest -s
    assert table_counts() == before
    summary = output.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"Reference data: \d+ rows, 0 created, 0 updated in [\d.]+ s", summary), summary


def test_summary_lists_counts_per_table(db: Any) -> None:
    output = io.StringIO()
    call_command("load_reference", stdout=output)
    assert "  geo.Country: 249 rows (0 created, 0 updated)" in output.getvalue().splitlines()
    assert "  indicators.SdgGoal: 17 rows (0 created, 0 updated)" in output.getvalue().splitlines()


def test_verbosity_zero_prints_nothing(db: Any) -> None:
    output = io.StringIO()
    call_command("load_reference", verbosity=0, stdout=output)
    assert output.getvalue() == ""


def test_a_changed_row_is_updated_and_a_deleted_row_recreated(db: Any) -> None:
    Country.objects.filter(code="SEN").update(names={"en": "Senegal"}, income_group="")
    Country.commissions.through.objects.filter(country_id="SEN").delete()
    Sector.objects.filter(code="15123").delete()
    output = io.StringIO()
    call_command("load_reference", stdout=output)
    lines = output.getvalue().splitlines()
    assert "  geo.Country: 249 rows (0 created, 1 updated)" in lines
    assert "  geo.Country_commissions: 253 rows (1 created, 0 updated)" in lines
    assert "  iati.Sector: 325 rows (1 created, 0 updated)" in lines
    senegal = Country.objects.get(code="SEN")
    assert (senegal.names["fr"], senegal.income_group) == ("Sénégal (le)", "LM")
