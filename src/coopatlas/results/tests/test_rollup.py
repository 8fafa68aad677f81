"""Roll-ups of progress compared with figures worked out by hand, on built frameworks and on a real IATI file."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from coopatlas.core.models import WorkflowStatus
from coopatlas.iati.importer import ImportConfig, import_files
from coopatlas.indicators.models import SdgIndicator, SdgTarget
from coopatlas.initiatives.models import Initiative
from coopatlas.results import rollup, services
from coopatlas.results.tests.conftest import make_initiative

pytestmark = pytest.mark.django_db

GDIHUB = (
    Path(rollup.__file__).resolve().parent.parent
    / "iati"
    / "data"
    / "activities"
    / "flattener-fixtures__gdihub-activity.xml"
)


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "share"),
    [
        (100, 300, 250, 0.75),
        (50, 20, 30, 2 / 3),  # falling indicator: 20 of the 30 to lose
        (10, 20, 5, 0.0),  # below the baseline: clipped to 0
        (None, 4, 6, 1.0),  # no baseline counts as 0; beyond the target: clipped to 1
        (7, 7, 9, None),  # target equals baseline: undefined
        (0, 10, None, None),
    ],
)
def test_share_of_target(baseline, target, actual, share):
    as_decimal = lambda v: None if v is None else Decimal(v)  # noqa: E731
    result = rollup.share_of_target(as_decimal(baseline), as_decimal(target), as_decimal(actual))
    assert result == pytest.approx(share) if share is not None else result is None


def _indicator(personas, user, initiative, title, baseline, target, actual, sdg=None, unit="people"):
    """An indicator with one 2024 period whose actual is reported, submitted and approved."""
    result = initiative.results.first() or services.save_result(
        initiative, user, {"result_type": "1", "title": "Outputs"}
    )
    indicator = services.save_indicator(
        result,
        user,
        {
            "title": title,
            "measure": "1",
            "unit": unit,
            "baseline_value": None if baseline is None else Decimal(baseline),
            "sdg_indicator": SdgIndicator.objects.get(code=sdg) if sdg else None,
        },
    )
    period = services.save_period(
        indicator,
        user,
        {
            "period_start": datetime.date(2024, 1, 1),
            "period_end": datetime.date(2024, 12, 31),
            "target_value": Decimal(target),
        },
    )
    update = services.create_update(period, user, {"value": Decimal(actual), "unit": unit})
    services.submit_update(update, user)
    services.approve_update(update, personas.moderator)
    return indicator


@pytest.fixture
def two_initiatives(personas):
    a = make_initiative(personas)
    alice, bakary = personas.contributor_a, personas.contributor_b
    i1 = _indicator(personas, alice, a, "Workers trained", 100, 300, 250, sdg="2.3.1")
    i2 = _indicator(personas, alice, a, "Days to certify seed", 50, 20, 30, sdg="3.8.1", unit="days")
    _indicator(personas, alice, a, "Stable indicator", 7, 7, 9)
    _indicator(personas, alice, a, "Demonstration plots", 10, 20, 5)
    _indicator(personas, alice, a, "Manuals", None, 4, 6)
    b = make_initiative(personas, owner=personas.org_b)
    b.providers.set([personas.org_b])
    b.sdg_targets.set(SdgTarget.objects.filter(code__in=["2.3", "17.9"]))
    i6 = _indicator(personas, bakary, b, "Cooperatives registered", 0, 10, 5)
    # A later period whose update is only submitted: not an actual yet, so it does not count.
    later = services.save_period(
        i6,
        bakary,
        {
            "period_start": datetime.date(2025, 1, 1),
            "period_end": datetime.date(2025, 12, 31),
            "target_value": Decimal(20),
        },
    )
    services.submit_update(services.create_update(later, bakary, {"value": Decimal(20), "unit": "people"}), bakary)
    # A draft initiative with a perfect score: left out of the public overview.
    hidden = make_initiative(personas, status=WorkflowStatus.DRAFT)
    _indicator(personas, alice, hidden, "Hidden", 0, 10, 10)
    return a, b, i1, i2, i6


def test_rollups_per_initiative_provider_and_sdg_target_match_hand_computation(personas, two_initiatives):
    a, b, i1, i2, i6 = two_initiatives
    groups = rollup.rollups(Initiative.objects.published())
    by_initiative = {g.key: g for g in groups["initiatives"]}
    assert set(by_initiative) == {a.pk, b.pk}
    # A: 0.75, 2/3, (undefined), 0, 1 -> mean of four.
    assert (by_initiative[a.pk].indicators, by_initiative[a.pk].measured) == (5, 4)
    assert by_initiative[a.pk].mean_share == pytest.approx((0.75 + 2 / 3 + 0 + 1) / 4)
    assert by_initiative[b.pk].mean_share == pytest.approx(0.5)
    by_provider = {g.key: g for g in groups["providers"]}
    assert by_provider[personas.org_a.pk].mean_share == pytest.approx((0.75 + 2 / 3 + 0 + 1) / 4)
    assert (by_provider[personas.org_b.pk].initiatives, by_provider[personas.org_b.pk].mean_share) == (1, 0.5)
    by_target = {g.key: (g.indicators, g.mean_share) for g in groups["sdg_targets"]}
    # 2.3: i1 through its SDG indicator 2.3.1, i6 through B's tag; 3.8: i2; 17.9: i6.
    assert by_target == {"2.3": (2, pytest.approx(0.625)), "3.8": (1, pytest.approx(2 / 3)), "17.9": (1, 0.5)}
    assert [g.key for g in groups["sdg_targets"]] == ["2.3", "3.8", "17.9"]


def test_the_overview_page_shows_the_rollups(personas, two_initiatives):
    a, b, *_ = two_initiatives
    page = personas.client_for("anonymous").get(reverse("results:overview")).content.decode()
    assert f'data-testid="rollup-initiative-{a.pk}"' in page
    row = page.split(f'data-testid="rollup-initiative-{a.pk}"')[1].split("</tr>")[0]
    assert "<td>5</td><td>4</td><td>60 %</td>" in row
    assert "Hidden" not in page
    assert 'data-testid="rollup-sdg-17.9"' in page


def test_moderators_see_the_updates_awaiting_approval_on_the_overview(personas, two_initiatives):
    page = personas.client_for("moderator").get(reverse("results:overview")).content.decode()
    assert "Updates awaiting approval" in page and "awaiting-" in page
    page = personas.client_for("anonymous").get(reverse("results:overview")).content.decode()
    assert "Updates awaiting approval" not in page


def test_rollups_of_a_real_iati_file(personas):
    """flattener-fixtures gdihub: four activities, latest periods worked out by hand from the XML."""
    report = import_files([GDIHUB], ImportConfig(owner_id=personas.org_a.pk))
    assert report.total("created") == 4, report.totals
    ids = dict(Initiative.objects.values_list("iati_identifier", "pk"))
    groups = {g.key: g for g in rollup.rollups(Initiative.objects.published())["initiatives"]}
    cluster = lambda n: groups[ids[f"GB-COH-11126312-Cluster{n}"]]  # noqa: E731
    # Cluster 1: 60 of 50, 31 of 30, 34760 of 31500 (baseline 0): all beyond target.
    assert (cluster(1).indicators, cluster(1).measured, cluster(1).mean_share) == (3, 3, 1.0)
    # Cluster 2: 30 of 23 -> 1; 4 of 5 -> 0.8 (period 2021-03-31 to 2022-03-31).
    assert (cluster(2).indicators, cluster(2).measured) == (2, 2)
    assert cluster(2).mean_share == pytest.approx(0.9)
    # Cluster 4: the matched-funding indicator's values ("£13,594,502") are not numbers: left out.
    assert (cluster(4).indicators, cluster(4).measured, cluster(4).mean_share) == (4, 3, 1.0)
