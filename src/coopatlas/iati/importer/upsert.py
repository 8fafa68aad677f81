"""Write mapped activities in batches: one transaction and a fixed number of statements per batch.

Each batch decides, with one query, which activities are new, changed, unchanged (same content
digest, or an older ``last-updated-datetime`` than the stored one), deleted or owned by another
organisation; then writes organisations, initiatives, their IATI parts, relations, change records
and search entries with bulk statements. When a batch fails in the database, it is rolled back and
written again one activity at a time, each in its own savepoint, so one bad activity is rejected
and never half-saved while the others are kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.utils import timezone

from coopatlas.catalogue.models import Organisation
from coopatlas.core.audit import diff, snapshot
from coopatlas.core.models import ChangeRecord, User, WorkflowStatus
from coopatlas.core.search.documents import INDEXED_TYPES, build_documents
from coopatlas.core.search.indexing import write_documents
from coopatlas.iati.classification import classify, flow_of_activity, reference_lists
from coopatlas.iati.importer import bulk, records
from coopatlas.iati.importer.organisations import OrganisationResolver, _unsaved_copy, log_created
from coopatlas.iati.models import Sector
from coopatlas.iati.validation.problems import Problem
from coopatlas.indicators.models import SdgTarget
from coopatlas.initiatives import models as m
from coopatlas.initiatives.models import Initiative

PART_MODELS = (
    m.ParticipatingOrg,
    m.RecipientCountryShare,
    m.RecipientRegionShare,
    m.SectorShare,
    m.Tag,
    m.PolicyMarker,
    m.Location,
    m.Budget,
    m.Transaction,
    m.DocumentLink,
    m.Result,
)
RELATIONS = ("providers", "recipients", "facilitators", "funders", "recipient_countries", "sectors", "sdg_targets")
DELETED = "import.deleted"
NOT_PERMITTED = "import.not-permitted"
OLDER = "import.older"
DATABASE = "import.database"


def delete_parts(initiative_ids: list[int]) -> None:
    """Delete the IATI parts of initiatives without loading them (results' indicators and periods first)."""
    results = f"SELECT id FROM {m.Result._meta.db_table} WHERE initiative_id IN ({{ids}})"  # noqa: S608
    indicators = f"SELECT id FROM {m.ResultIndicator._meta.db_table} WHERE result_id IN ({results})"  # noqa: S608
    bulk.delete_where(m.IndicatorPeriod, "indicator_id", initiative_ids, indicators)
    bulk.delete_where(m.ResultIndicator, "result_id", initiative_ids, results)
    for model in PART_MODELS:
        bulk.delete_where(model, "initiative_id", initiative_ids)


def refresh_derived(initiatives: list[Initiative], organisations: list[Organisation] | None = None) -> None:
    """Bring derived data in step with records written in bulk, inside their transaction: what the
    ``record_changed`` listeners do one record at a time (the search index and, when the reports app
    is installed, the dashboard facts), once per batch."""
    if organisations:
        write_documents(build_documents(INDEXED_TYPES["organisation"], organisations))
    if initiatives:
        write_documents(build_documents(INDEXED_TYPES["initiative"], initiatives))
    if initiatives and apps.is_installed("coopatlas.reports"):
        from coopatlas.reports.facts import refresh_initiatives

        refresh_initiatives([initiative.pk for initiative in initiatives])


@dataclass
class Prepared:
    """One mapped activity waiting to be written."""

    activity: dict[str, Any]
    file: str
    line: int | None
    version: str
    digest: str
    #: The activity's last-updated-datetime, else the file's generated-datetime (None when neither).
    freshness: Any = None

    @property
    def key(self) -> tuple[str, str]:
        return self.activity["identifier"], self.activity["reporting_org"]["ref"]

    def problem(self, rule: str, message: str, severity: str = "error") -> Problem:
        """A problem located at this activity."""
        return Problem(rule, message, severity, "import", self.line, self.activity["identifier"], self.file)


@dataclass
class Outcome:
    """What became of one prepared activity."""

    prepared: Prepared
    status: str  # created | updated | unchanged | rejected
    problem: Problem | None = None


@dataclass
class BatchWriter:
    """Writes prepared activities batch by batch for one import run."""

    resolver: OrganisationResolver
    user: User | None
    owner_id: int | None
    workflow_status: str
    import_id: int | None = None
    sector_codes: frozenset[str] = frozenset()
    target_codes: frozenset[str] = frozenset()

    @classmethod
    def create(
        cls,
        resolver: OrganisationResolver,
        user: User | None,
        owner_id: int | None,
        workflow_status: str,
        import_id: int | None = None,
    ) -> BatchWriter:
        """A writer with the codelist caches loaded (two queries per import, none per activity)."""
        return cls(
            resolver,
            user,
            owner_id,
            workflow_status,
            import_id,
            frozenset(Sector.objects.values_list("code", flat=True)),
            frozenset(SdgTarget.objects.values_list("code", flat=True)),
        )

    def write(self, batch: list[Prepared]) -> list[Outcome]:
        """Write a batch in one transaction; on a database error, each activity in its own savepoint."""
        try:
            with transaction.atomic():
                return self._write(batch)
        except DatabaseError:
            self._forget_created()
        outcomes = []
        for prepared in batch:
            try:
                with transaction.atomic():
                    outcomes += self._write([prepared])
            except DatabaseError as error:
                self._forget_created()
                message = f"the database refused the activity: {str(error).splitlines()[0][:300]}"
                outcomes.append(Outcome(prepared, "rejected", prepared.problem(DATABASE, message)))
        return outcomes

    def _forget_created(self) -> None:
        self.resolver.forget(self._created_orgs)
        self._created_orgs = []

    def _write(self, batch: list[Prepared]) -> list[Outcome]:
        """Plan and write one batch (inside the caller's transaction)."""
        self._created_orgs: list[Organisation] = []
        now = timezone.now()
        outcomes, creates, updates = self._plan(batch)
        writing = creates + [p for p, _ in updates]
        if not writing:
            return outcomes
        organisations = [p.activity["reporting_org"] for p in writing]
        organisations += [org for p in writing for org in p.activity["participating_orgs"]]
        self._created_orgs = self.resolver.ensure(organisations)
        log_created(self._created_orgs, self.user, self._comment(writing[0]))
        initiatives = self._save_initiatives(creates, updates, now)
        before = {pk: state for pk, state in self._states([pk for _, pk in updates], initiatives).items()}
        self._save_parts(writing, initiatives, [pk for _, pk in updates])
        relations = self._save_relations(writing, initiatives, [pk for _, pk in updates])
        self._log(writing, initiatives, before, relations)
        refresh_derived([initiatives[p.key] for p in writing], self._created_orgs)
        outcomes += [Outcome(p, "created") for p in creates] + [Outcome(p, "updated") for p, _ in updates]
        return outcomes

    def _plan(self, batch: list[Prepared]) -> tuple[list[Outcome], list[Prepared], list[tuple[Prepared, int]]]:
        """Split a batch into outcomes decided now, activities to create and (activity, pk) to update."""
        identifiers = [p.activity["identifier"] for p in batch]
        existing = {
            (row["iati_identifier"], row["iati_reporting_org_ref"]): row
            for row in Initiative.objects.filter(iati_identifier__in=identifiers)
            .exclude(iati_reporting_org_ref="")
            .values(
                "pk",
                "iati_identifier",
                "iati_reporting_org_ref",
                "owner_id",
                "deleted_at",
                "iati_fingerprint",
                "iati_source_datetime",
            )
        }
        outcomes: list[Outcome] = []
        creates: list[Prepared] = []
        updates: list[tuple[Prepared, int]] = []
        for prepared in batch:
            row = existing.get(prepared.key)
            incoming = prepared.freshness
            if row is None:
                creates.append(prepared)
            elif row["deleted_at"] is not None:
                outcomes.append(
                    Outcome(
                        prepared,
                        "rejected",
                        prepared.problem(DELETED, "this activity was deleted in CoopAtlas; a moderator can restore it"),
                    )
                )
            elif not self._may_update(row["owner_id"]):
                outcomes.append(
                    Outcome(
                        prepared,
                        "rejected",
                        prepared.problem(
                            NOT_PERMITTED, "this activity is owned by another organisation; you may not update it"
                        ),
                    )
                )
            elif row["iati_fingerprint"] == prepared.digest:
                outcomes.append(Outcome(prepared, "unchanged"))
            elif incoming and row["iati_source_datetime"] and incoming <= row["iati_source_datetime"]:
                # Only a newer version replaces the stored one (IATI last-updated-datetime).
                outcomes.append(
                    Outcome(
                        prepared,
                        "unchanged",
                        prepared.problem(
                            OLDER,
                            f"kept the stored version, updated {row['iati_source_datetime']:%Y-%m-%d %H:%M}: this one "
                            f"({incoming:%Y-%m-%d %H:%M}) is not newer but differs",
                            "warning",
                        ),
                    )
                )
            else:
                updates.append((prepared, row["pk"]))
        return outcomes, creates, updates

    def _may_update(self, owner_id: int | None) -> bool:
        """Command-line imports may update anything; users their organisations' records (moderators all)."""
        if self.user is None:
            return True
        return bool(self.user.is_moderator or owner_id in self.user.organisation_ids())

    def _fields(self, prepared: Prepared, now: Any) -> dict[str, Any]:
        """Every field an import sets on an initiative, classification and provenance included."""
        activity = prepared.activity
        values = records.initiative_fields(activity)
        verdict = classify(flow_of_activity(activity, self.resolver.country_iso2), reference_lists())
        reporting = self.resolver.get(activity["reporting_org"]["ref"])
        values.update(
            cooperation_type=verdict.cooperation_type,
            cooperation_type_rule=verdict.rule,
            cooperation_type_evidence=verdict.evidence,
            reporting_org_id=reporting.pk if reporting else None,
            iati_version=prepared.version[:10],
            iati_source_file=prepared.file[-300:],
            iati_imported_at=now,
            iati_import_id=self.import_id,
            iati_fingerprint=prepared.digest,
            iati_source_datetime=prepared.freshness,
        )
        return values

    def _save_initiatives(
        self, creates: list[Prepared], updates: list[tuple[Prepared, int]], now: Any
    ) -> dict[tuple[str, str], Initiative]:
        """Insert the new initiatives, read back their ids, and update the changed ones."""
        saved: dict[tuple[str, str], Initiative] = {}
        published = self.workflow_status == WorkflowStatus.PUBLISHED
        creator = self.user if self.user is not None and self.user.is_authenticated else None
        for prepared in creates:
            reporting = self.resolver.get(prepared.key[1])
            saved[prepared.key] = Initiative(
                **self._fields(prepared, now),
                owner_id=self.owner_id or (reporting.pk if reporting else None),
                workflow_status=self.workflow_status,
                published_at=now if published else None,
                created_at=now,
                updated_at=now,
                version=1,
                created_by=creator,
            )
        if creates:
            bulk.insert_objects(Initiative, list(saved.values()))
            ids = {p.activity["identifier"] for p in creates}
            rows = Initiative.objects.filter(iati_identifier__in=ids).values_list(
                "pk", "iati_identifier", "iati_reporting_org_ref"
            )
            for pk, identifier, ref in rows:
                if (identifier, ref) in saved:
                    saved[(identifier, ref)].pk = pk
        self._before = {}
        if updates:
            stored = Initiative.objects.in_bulk([pk for _, pk in updates])
            names: set[str] = set()
            for prepared, pk in updates:
                initiative = stored[pk]
                self._before[pk] = snapshot(_unsaved_copy(initiative))
                values = self._fields(prepared, now)
                names.update(values)
                for name, value in values.items():
                    setattr(initiative, name, value)
                initiative.version += 1
                initiative.updated_at = now
                saved[prepared.key] = initiative
            columns = [Initiative._meta.get_field(name).attname for name in sorted(names | {"version", "updated_at"})]
            bulk.update_objects(Initiative, [saved[p.key] for p, _ in updates], columns)
        return saved

    def _states(self, pks: list[int], initiatives: dict[tuple[str, str], Initiative]) -> dict[int, dict[str, Any]]:
        """The tracked values of updated initiatives before the import (relations read in one query each)."""
        if not pks:
            return {}
        states = {pk: dict(self._before[pk]) for pk in pks}
        for name in RELATIONS:
            for pk, related in self._relation_rows(name, pks):
                states[pk].setdefault(name, []).append(related)
        for state in states.values():
            for name in RELATIONS:
                state[name] = sorted(state.get(name, []))
        return states

    @staticmethod
    def _relation_rows(name: str, pks: list[int]) -> list[tuple[int, Any]]:
        relation = Initiative._meta.get_field(name)
        through = getattr(Initiative, name).through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        return list(through.objects.filter(**{f"{source}_id__in": pks}).values_list(f"{source}_id", f"{target}_id"))

    def _save_parts(
        self, writing: list[Prepared], initiatives: dict[tuple[str, str], Initiative], updated: list[int]
    ) -> None:
        """Replace the IATI parts of the written initiatives (an insert per part table)."""
        delete_parts(updated)
        rows: dict[type, list[dict[str, Any]]] = defaultdict(list)
        results: dict[tuple[int, int], dict[str, Any]] = {}
        for prepared in writing:
            pk = initiatives[prepared.key].pk
            for model, model_rows in records.part_rows(
                prepared.activity, pk, self._org_pk, self.resolver.iso2_to_iso3
            ).items():
                rows[model].extend(model_rows)
            for position, result in enumerate(prepared.activity["results"]):
                results[(pk, position)] = result
        for model, model_rows in rows.items():
            names = records.part_columns(model)
            bulk.insert_rows(model, names, bulk.dict_rows(names, model_rows))
        if not results:
            return
        result_ids = m.Result.objects.filter(initiative_id__in={k[0] for k in results}).values_list(
            "initiative_id", "position", "pk"
        )
        indicator_rows: list[dict[str, Any]] = []
        periods: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for initiative_id, position, pk in result_ids:
            result = results[(initiative_id, position)]
            indicator_rows += records.indicator_rows(result, pk)
            for i, indicator in enumerate(result["indicators"]):
                periods[(pk, i)] = indicator["periods"]
        names = records.part_columns(m.ResultIndicator)
        bulk.insert_rows(m.ResultIndicator, names, bulk.dict_rows(names, indicator_rows))
        indicator_ids = m.ResultIndicator.objects.filter(result_id__in={k[0] for k in periods}).values_list(
            "result_id", "position", "pk"
        )
        period_rows = [
            row
            for result_id, position, pk in indicator_ids
            for row in records.period_rows(periods[(result_id, position)], pk)
        ]
        names = records.part_columns(m.IndicatorPeriod)
        bulk.insert_rows(m.IndicatorPeriod, names, bulk.dict_rows(names, period_rows))

    def _org_pk(self, ref: str) -> int | None:
        known = self.resolver.get(ref)
        return known.pk if known else None

    def _relation_values(self, activity: dict[str, Any], cooperation_type: str) -> dict[str, set[Any]]:
        """The catalogue relations an activity implies (IATI roles -> providers, funders, recipients ...)."""
        values: dict[str, set[Any]] = {name: set() for name in RELATIONS}
        recipient_countries = {c["code"] for c in activity["recipient_countries"]}
        lists = reference_lists()
        for org in activity["participating_orgs"]:
            pk = self._org_pk(org["ref"])
            if pk is None:
                continue
            country = self.resolver.country_iso2(org["ref"])
            if org["role"] == "1":
                values["funders"].add(pk)
            elif org["role"] in ("2", "3") or country not in recipient_countries:
                values["providers"].add(pk)
            else:
                values["recipients"].add(pk)
            if (
                cooperation_type == Initiative.CooperationType.TRIANGULAR
                and org["role"] in ("1", "2", "3")
                and (country in lists.dac_members or org["type"] == "40")
            ):
                values["facilitators"].add(pk)
        for code in recipient_countries:
            if code in self.resolver.iso2_to_iso3:
                values["recipient_countries"].add(self.resolver.iso2_to_iso3[code])
        for sector in activity["sectors"]:
            if sector["vocabulary"] in ("", "1") and sector["code"] in self.sector_codes:
                values["sectors"].add(sector["code"])
            if sector["vocabulary"] == "8" and sector["code"] in self.target_codes:
                values["sdg_targets"].add(sector["code"])
        for tag in activity["tags"]:
            if tag["vocabulary"] == "3" and tag["code"] in self.target_codes:
                values["sdg_targets"].add(tag["code"])
        return values

    def _save_relations(
        self, writing: list[Prepared], initiatives: dict[tuple[str, str], Initiative], updated: list[int]
    ) -> dict[int, dict[str, list[Any]]]:
        """Replace the catalogue relations of the written initiatives; returns them by initiative."""
        state: dict[int, dict[str, list[Any]]] = {}
        for prepared in writing:
            initiative = initiatives[prepared.key]
            values = self._relation_values(prepared.activity, initiative.cooperation_type)
            state[initiative.pk] = {name: sorted(v) for name, v in values.items()}
        for name in RELATIONS:
            relation = Initiative._meta.get_field(name)
            through = getattr(Initiative, name).through
            source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
            if updated:
                through.objects.filter(**{f"{source}_id__in": updated}).delete()
            bulk.insert_rows(
                through,
                [f"{source}_id", f"{target}_id"],
                ([pk, value] for pk, values in state.items() for value in values[name]),
            )
        return state

    def _log(
        self,
        writing: list[Prepared],
        initiatives: dict[tuple[str, str], Initiative],
        before: dict[int, dict[str, Any]],
        relations: dict[int, dict[str, list[Any]]],
    ) -> None:
        """One change record per written initiative: created, or the fields an update changed."""
        content_type = ContentType.objects.get_for_model(Initiative)
        actor = self.user if self.user is not None and self.user.is_authenticated else None
        logs = []
        for prepared in writing:
            initiative = initiatives[prepared.key]
            after = {**snapshot(_unsaved_copy(initiative)), **relations[initiative.pk]}
            action = ChangeRecord.Action.UPDATE if initiative.pk in before else ChangeRecord.Action.CREATE
            logs.append(
                ChangeRecord(
                    content_type=content_type,
                    object_id=initiative.pk,
                    user=actor,
                    action=action,
                    changes=diff(before.get(initiative.pk, {}), after),
                    comment=self._comment(prepared),
                    version=initiative.version,
                )
            )
        bulk.insert_objects(ChangeRecord, logs)

    def _comment(self, prepared: Prepared) -> str:
        run = f" (import #{self.import_id})" if self.import_id else ""
        return f"IATI import of {prepared.file[-200:]}{run}"
