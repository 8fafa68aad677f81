"""The demo content: loaded from the UN documents, published, idempotent, and refused whole when wrong.

The fact tests assert values written out from the Secretary-General's report on the state of
South-South cooperation (2019) and the interregional project document; the source tests check the
data files against the documents themselves in ../shared/seeds (skipped when ../shared is absent).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from coopatlas.catalogue import demo
from coopatlas.catalogue.demo import DEFAULT_DATA_DIR, DemoDataError, load_demo
from coopatlas.catalogue.models import Expert, Need, Organisation, Partnership, Solution
from coopatlas.core.audit import history_of
from coopatlas.core.models import ChangeRecord, User, WorkflowStatus
from coopatlas.core.services import can_edit
from coopatlas.initiatives.models import Initiative

#: How many records of each type the shipped files hold (see docs/demo-data.md).
EXPECTED_COUNTS = {Organisation: 65, Solution: 11, Partnership: 15, Initiative: 17}
SEEDS_DIR = Path(settings.BASE_DIR).parent / "shared" / "seeds"
TEXT_FIELDS = (
    "name",
    "title",
    "description",
    "summary",
    "challenge",
    "solution",
    "results",
    "sustainability",
    "replication",
    "results_summary",
)


@pytest.fixture(scope="class")
def loaded_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Load the shipped demo data once for a class of tests; roll it back afterwards. Yields the command output."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("loaded_demo")
@pytest.mark.django_db
class TestShippedDemoData:
    """The shipped files, loaded once."""

    def test_load_demo_creates_every_record_of_the_files(self) -> None:
        for model, count in EXPECTED_COUNTS.items():
            assert model.objects.count() == count, model.__name__
        assert Need.objects.count() == 0
        assert Expert.objects.count() == 0

    def test_command_reports_the_counts(self, loaded_demo: str) -> None:
        assert "organisations: 65 (65 created, 0 updated, 0 unchanged)" in loaded_demo
        assert "solutions: 11 (11 created, 0 updated, 0 unchanged)" in loaded_demo
        assert "partnerships: 15 (15 created, 0 updated, 0 unchanged)" in loaded_demo
        assert "initiatives: 17 (17 created, 0 updated, 0 unchanged)" in loaded_demo
        assert "Demo data: 108 created, 0 updated" in loaded_demo

    def test_ibsa_facility_is_a_partnership_of_india_brazil_and_south_africa(self) -> None:
        ibsa = Partnership.objects.get(
            title="India, Brazil and South Africa Facility for Poverty and Hunger Alleviation"
        )
        assert set(ibsa.countries.values_list("code", flat=True)) == {"IND", "BRA", "ZAF"}
        assert {"Government of India", "Government of Brazil", "Government of South Africa"} <= set(
            ibsa.partners.values_list("name", flat=True)
        )
        assert "In 2018, over $37 million was contributed, and 20 partners and 32 unique projects" in ibsa.description

    def test_amounts_are_the_reports_with_their_currency(self) -> None:
        window = Initiative.objects.get(
            title="Commonwealth window of the India-United Nations Development Partnership Fund"
        )
        assert (window.budget, window.currency) == (Decimal("50000000.00"), "USD")
        assert list(window.funders.values_list("name", flat=True)) == [
            "India-United Nations Development Partnership Fund"
        ]
        grant = Initiative.objects.get(funders__name="Qatar Fund for Development")
        assert (grant.budget, grant.currency) == (Decimal("564000.00"), "USD")
        pilots = Initiative.objects.get(funders__name="Government of China")
        assert pilots.budget == Decimal("1000000.00")
        assert Initiative.objects.filter(budget__isnull=False).count() == 3

    def test_facts_from_the_report_are_entered_exactly(self) -> None:
        gwopa = Partnership.objects.get(title="Global Water Operators' Partnerships Alliance")
        assert (
            "Since its creation in 2009, more than 50 per cent of the water operators' partnerships"
            in gwopa.description
        )
        assert list(gwopa.partners.values_list("acronym", flat=True)) == ["UN-Habitat"]
        women = Initiative.objects.get(title__startswith="Catalysing women's entrepreneurship")
        assert set(women.recipient_countries.values_list("code", flat=True)) == {
            "BGD",
            "KHM",
            "FJI",
            "NPL",
            "WSM",
            "VNM",
        }
        tool = Solution.objects.get(title="UNOPS public procurement capacity assessment tool for infrastructure")
        assert set(tool.countries_applied.values_list("code", flat=True)) == {"BRA", "NPL", "SRB", "GRD", "KEN"}
        assert set(tool.countries_replicated.values_list("code", flat=True)) == {"GRD", "KEN"}
        portal = Solution.objects.get(title="IFAD Rural Solutions portal")
        assert "currently hosts over 40 innovative solutions" in portal.summary
        assert set(portal.partners.values_list("acronym", flat=True)) == {"FAO", "WFP"}
        assert set(portal.sdg_goals.values_list("code", flat=True)) == {"2"}

    def test_organisations_carry_type_country_and_only_evidenced_iati_identifiers(self) -> None:
        ifad = Organisation.objects.get(acronym="IFAD")
        assert (ifad.organisation_type, ifad.country_id, ifad.iati_identifier) == ("40", None, "XM-DAC-41108")
        centres = Organisation.objects.filter(name__startswith="IFAD South-South and triangular cooperation knowledge")
        assert set(centres.values_list("country_id", flat=True)) == {"ETH", "CHN", "BRA"}
        assert Organisation.objects.get(name="Brazilian Cooperation Agency").organisation_type == "10"
        assert set(Organisation.objects.exclude(iati_identifier="").values_list("acronym", flat=True)) == {
            "UNDP",
            "UNICEF",
            "WFP",
            "IFAD",
            "FAO",
            "WHO",
        }

    def test_every_record_ends_with_its_source(self) -> None:
        unossc = Organisation.objects.get(acronym="UNOSSC")
        assert unossc.description.endswith(
            "Source: Report of the Secretary-General on the state of South-South cooperation (General Assembly, "
            "seventy-fourth session, item 23 (b); 29 August 2019), paras 11, 84, 88, 89, 94, 97."
        )
        for queryset, field in (
            (Organisation.objects, "description"),
            (Solution.objects, "summary"),
            (Partnership.objects, "description"),
            (Initiative.objects, "description"),
        ):
            for record in queryset.all():
                assert re.search(r"\n\nSources?: .+\.$", getattr(record, field)), record

    def test_every_record_is_published_and_visible_to_anonymous_visitors(self) -> None:
        for model, count in EXPECTED_COUNTS.items():
            assert model.objects.visible_to(AnonymousUser()).count() == count
            assert not model.objects.exclude(workflow_status=WorkflowStatus.PUBLISHED).exists()
            assert not model.objects.filter(published_at__isnull=True).exists()
        galaxy = Solution.objects.get(title="South-South Galaxy")
        response = Client().get(reverse("catalogue:solution-detail", args=[galaxy.pk]))
        assert response.status_code == 200
        assert "global knowledge-sharing and partnership-brokering platform" in response.content.decode()

    def test_history_shows_creation_and_publication_by_the_demo_moderator(self) -> None:
        gwopa = Partnership.objects.get(title="Global Water Operators' Partnerships Alliance")
        history = list(history_of(gwopa))
        assert [(change.action, change.user.username) for change in reversed(history)] == [
            ("create", "demo-moderator"),
            ("publish", "demo-moderator"),
        ]
        assert history[0].comment.startswith("Demo data from the UN documents: Source: Report of the Secretary-General")

    def test_demo_accounts_are_a_moderator_and_a_unossc_contributor(self, loaded_demo: str) -> None:
        moderator = User.objects.get(username="demo-moderator")
        contributor = User.objects.get(username="demo-contributor")
        assert moderator.is_moderator and not contributor.is_moderator
        unossc = Organisation.objects.get(acronym="UNOSSC")
        assert list(contributor.organisations.all()) == [unossc]
        passwords = re.findall(r"account (demo-\w+) .*password: (\S+)  \(shown once", loaded_demo)
        assert [name for name, _ in passwords] == ["demo-moderator", "demo-contributor"]
        for username, password in passwords:
            assert User.objects.get(username=username).check_password(password)

    def test_contributor_may_edit_unossc_records_but_not_other_organisations(self) -> None:
        contributor = User.objects.get(username="demo-contributor")
        assert can_edit(contributor, Solution.objects.get(title="South-South Galaxy"))
        assert not can_edit(contributor, Solution.objects.get(title="IFAD Rural Solutions portal"))

    def test_second_run_creates_and_changes_nothing(self) -> None:
        changes = ChangeRecord.objects.count()
        out = StringIO()
        call_command("load_demo", stdout=out)
        assert "Demo data: 0 created, 0 updated" in out.getvalue()
        assert "password" not in out.getvalue()
        assert ChangeRecord.objects.count() == changes
        for model, count in EXPECTED_COUNTS.items():
            assert model.objects.count() == count

    def test_edited_record_is_restored_and_a_deleted_one_stays_deleted(self) -> None:
        from coopatlas.core import services

        moderator = User.objects.get(username="demo-moderator")
        galaxy = Solution.objects.get(title="South-South Galaxy")
        services.update_record(galaxy, moderator, galaxy.version, lambda record: setattr(record, "summary", "Changed"))
        gwopa = Partnership.objects.get(title="Global Water Operators' Partnerships Alliance")
        services.soft_delete(gwopa, moderator)
        report = load_demo()
        assert (report.types["solutions"].updated, report.types["partnerships"].kept_deleted) == (1, 1)
        assert Solution.objects.get(pk=galaxy.pk).summary.startswith("A global knowledge-sharing")
        assert Partnership.objects.get(pk=gwopa.pk).is_deleted


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped demo data."""
    target = tmp_path / "demo"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


def _edit(data_dir: Path, file: str, key: str, **changes: Any) -> None:
    path = data_dir / file
    content = yaml.safe_load(path.read_text())
    (records,) = content.values()
    record = next(record for record in records if record["key"] == key)
    record.update(changes)
    path.write_text(yaml.safe_dump(content, allow_unicode=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "key", "changes", "message"),
    [
        (
            "initiatives.yaml",
            "escap-womens-entrepreneurship",
            {"recipient_countries": ["BGD", "XXX"]},
            "initiatives.yaml: record 'escap-womens-entrepreneurship': unknown country 'XXX' in recipient_countries",
        ),
        (
            "organisations.yaml",
            "gov-peru",
            {"country": "PRU"},
            "organisations.yaml: record 'gov-peru': unknown country 'PRU' in country",
        ),
        (
            "solutions.yaml",
            "harvest-it",
            {"sectors": ["99999"]},
            "solutions.yaml: record 'harvest-it': unknown DAC sector '99999' in sectors",
        ),
        (
            "partnerships.yaml",
            "gwopa",
            {"sdg_targets": ["6.1", "6.9"]},
            "partnerships.yaml: record 'gwopa': unknown SDG target '6.9' in sdg_targets",
        ),
        (
            "partnerships.yaml",
            "gwopa",
            {"modalities": ["twinning"]},
            "partnerships.yaml: record 'gwopa': unknown modality 'twinning' in modalities",
        ),
        (
            "initiatives.yaml",
            "youth4south",
            {"facilitators": ["unesco"]},
            "initiatives.yaml: record 'youth4south': unknown organisation 'unesco' in facilitators",
        ),
        (
            "solutions.yaml",
            "wipo-match",
            {"sdg_targets": [17.1]},
            "solutions.yaml: record 'wipo-match': sdg_targets: write SDG target 17.1 as a quoted string",
        ),
        (
            "initiatives.yaml",
            "qatar-grant-unossc",
            {"currency": "QAR$"},
            "initiatives.yaml: record 'qatar-grant-unossc': unknown Currency code 'QAR$' in currency",
        ),
        (
            "organisations.yaml",
            "wfp",
            {"source": {"file": "unknown.txt", "excerpt": "x"}},
            "organisations.yaml: record 'wfp': source: unknown document 'unknown.txt'",
        ),
        (
            "organisations.yaml",
            "wfp",
            {"website": "not a url"},
            "organisations.yaml: record 'wfp': website: Enter a valid URL.",
        ),
    ],
)
def test_invalid_data_fails_naming_file_and_record_and_saves_nothing(
    data_copy: Path, file: str, key: str, changes: dict[str, Any], message: str
) -> None:
    _edit(data_copy, file, key, **changes)
    with pytest.raises(DemoDataError) as error:
        load_demo(data_copy)
    assert message in str(error.value)
    assert str(error.value).startswith("The demo data is invalid; nothing was saved:")
    assert not Organisation.objects.exists()
    assert not User.objects.filter(username__startswith="demo-").exists()


@pytest.mark.django_db
def test_command_turns_invalid_data_into_a_command_error(data_copy: Path) -> None:
    _edit(data_copy, "initiatives.yaml", "escap-womens-entrepreneurship", recipient_countries=["XXX"])
    with pytest.raises(CommandError, match="unknown country 'XXX'"):
        call_command("load_demo", data_dir=data_copy, stdout=StringIO())
    assert not Initiative.objects.exists()


@pytest.fixture
def small_data(data_copy: Path) -> Path:
    """Demo data cut down to two organisations and one solution (fast to load)."""
    organisations = yaml.safe_load((data_copy / "organisations.yaml").read_text())["organisations"]
    kept = [record for record in organisations if record["key"] in {"unossc", "wfp"}]
    (data_copy / "organisations.yaml").write_text(yaml.safe_dump({"organisations": kept}, allow_unicode=True))
    solutions = yaml.safe_load((data_copy / "solutions.yaml").read_text())["solutions"]
    kept_solutions = [record for record in solutions if record["key"] == "south-south-galaxy"]
    (data_copy / "solutions.yaml").write_text(yaml.safe_dump({"solutions": kept_solutions}, allow_unicode=True))
    for label in ("partnerships", "initiatives"):
        (data_copy / f"{label}.yaml").write_text(yaml.safe_dump({label: []}))
    return data_copy


@pytest.mark.django_db
def test_failure_while_saving_rolls_back_every_record(small_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_upsert = demo.upsert_record

    def failing_upsert(spec: Any, record: dict[str, Any], *args: Any) -> Any:
        if record["key"] == "south-south-galaxy":
            raise RuntimeError("disk full")
        return real_upsert(spec, record, *args)

    monkeypatch.setattr(demo, "upsert_record", failing_upsert)
    with pytest.raises(RuntimeError):
        load_demo(small_data)
    assert not Organisation.objects.exists()
    assert not ChangeRecord.objects.exists()
    assert not User.objects.filter(username__startswith="demo-").exists()


@pytest.mark.django_db
def test_demo_password_from_the_environment_is_used_and_not_printed(
    small_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "a long demo passphrase 7")
    out = StringIO()
    call_command("load_demo", data_dir=small_data, stdout=out)
    assert "password from DEMO_PASSWORD" in out.getvalue()
    assert "a long demo passphrase 7" not in out.getvalue()
    for username in ("demo-moderator", "demo-contributor"):
        assert User.objects.get(username=username).check_password("a long demo passphrase 7")


@pytest.mark.django_db
def test_check_option_validates_and_saves_nothing() -> None:
    out = StringIO()
    call_command("load_demo", check=True, stdout=out)
    assert "is valid (nothing saved)" in out.getvalue()
    assert not Organisation.objects.exists()


# --- the data files against the documents they cite ------------------------------------------------------------

needs_seeds = pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="../shared/seeds (the source documents) is absent")


def _normalise(text: str) -> str:
    """The document's text without markup, footnote marks and line breaks, with plain quotes."""
    text = text.replace("\\$", "$")
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]", "", text)
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    return " ".join(text.split())


def _records() -> list[tuple[str, dict[str, Any]]]:
    return [
        (label, record)
        for label in demo.SPECS
        for record in yaml.safe_load((DEFAULT_DATA_DIR / f"{label}.yaml").read_text())[label]
    ]


def _sources(record: dict[str, Any]) -> list[dict[str, Any]]:
    return record["source"] if isinstance(record["source"], list) else [record["source"]]


@needs_seeds
def test_every_excerpt_is_verbatim_in_its_document() -> None:
    seeds = {path.name: _normalise(path.read_text()) for path in SEEDS_DIR.glob("*.txt")}
    for label, record in _records():
        for source in _sources(record):
            assert _normalise(source["excerpt"]) in seeds[source["file"]], (label, record["key"])
            for paragraph in source.get("paragraphs", []):
                assert re.search(rf"(^| ){paragraph}\. [A-Z]", seeds[source["file"]]), (record["key"], paragraph)


def _cited_text(source: dict[str, Any]) -> str:
    """The cited paragraphs of a document (with the footnotes printed among them), or all of it."""
    raw = (SEEDS_DIR / source["file"]).read_text()
    if not source.get("paragraphs"):
        return _normalise(raw)
    # A numbered paragraph starts a line with "N. " and runs to the next one.
    pieces = re.split(r"(?m)^(\d+)\. ", raw)
    paragraphs = {int(number): text for number, text in zip(pieces[1::2], pieces[2::2], strict=True)}
    return _normalise(" ".join(paragraphs[number] for number in source["paragraphs"]))


@needs_seeds
def test_every_number_in_a_record_is_written_in_the_paragraphs_it_cites() -> None:
    for label, record in _records():
        text = " ".join(_cited_text(source) for source in _sources(record))
        for field in TEXT_FIELDS:
            for number in re.findall(r"\d+(?:[.,]\d+)*", _normalise(record.get(field) or "")):
                number = number.rstrip(".,")
                assert re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text), (label, record["key"], field, number)


def test_every_budget_is_written_in_its_excerpt() -> None:
    for label, record in _records():
        if record.get("budget") is None:
            continue
        amount = Decimal(str(record["budget"]))
        written = f"${amount / 1_000_000:g} million" if amount % 1_000_000 == 0 else f"${amount:,.0f}"
        assert any(written in source["excerpt"] for source in _sources(record)), (label, record["key"], written)
