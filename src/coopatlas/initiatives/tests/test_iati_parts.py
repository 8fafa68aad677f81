"""The IATI parts of an initiative belong to it: one record per activity key, parts deleted with it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from coopatlas.initiatives.models import Budget, IatiImport, Initiative, ParticipatingOrg, Transaction

pytestmark = pytest.mark.django_db


def _initiative(**fields: object) -> Initiative:
    return Initiative.objects.create(
        title="Rice value chains",
        iati_identifier="XM-DAC-41108-2000001",
        iati_reporting_org_ref="XM-DAC-41108",
        **fields,
    )


def test_one_record_per_iati_identifier_and_reporting_organisation() -> None:
    _initiative()
    with pytest.raises(IntegrityError), transaction.atomic():
        _initiative()
    Initiative.objects.create(
        title="Same identifier, another publisher",
        iati_identifier="XM-DAC-41108-2000001",
        iati_reporting_org_ref="GB-GOV-1",
    )
    # Records entered in CoopAtlas have no reporting organisation identifier and are not keyed.
    Initiative.objects.create(title="A", iati_identifier="X-1")
    Initiative.objects.create(title="B", iati_identifier="X-1")


def test_deleting_an_initiative_deletes_its_iati_parts_but_not_its_import() -> None:
    run = IatiImport.objects.create()
    initiative = _initiative(iati_import=run)
    ParticipatingOrg.objects.create(initiative=initiative, role="1", ref="XM-DAC-41108")
    Budget.objects.create(
        initiative=initiative,
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        value=Decimal("-125.5"),
    )
    Transaction.objects.create(
        initiative=initiative, transaction_type="3", date=dt.date(2024, 3, 1), value=Decimal("1000000.0001")
    )
    initiative.delete()
    assert not ParticipatingOrg.objects.exists() and not Budget.objects.exists() and not Transaction.objects.exists()
    assert IatiImport.objects.filter(pk=run.pk).exists()


def test_an_initiative_is_triangular_by_its_cooperation_type_once_classified() -> None:
    initiative = _initiative()
    assert initiative.is_triangular is False
    initiative.cooperation_type = Initiative.CooperationType.TRIANGULAR
    assert initiative.is_triangular is True
    assert Initiative.CooperationType.SOUTH_SOUTH.label == "South-South"


def test_an_import_reports_its_progress_in_percent() -> None:
    assert IatiImport(bytes_total=400, bytes_done=100).progress_percent == 25
    assert IatiImport(bytes_total=0, status=IatiImport.Status.DONE).progress_percent == 100
