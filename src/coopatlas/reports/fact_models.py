"""The dashboards' star schema: one fact row per initiative, bridge rows per dimension value, spending per year.

Derived data only, rebuilt from the catalogue by ``reports.facts`` (one initiative when it changes, all
of them with ``coopatlas refresh_dashboard_facts``). Money is converted once, at the dated ECB rate
(docs/methods/currency.md), into ``FACT_CURRENCY``; an amount that cannot be converted keeps its own
currency in ``currency`` (never guessed). ``DashboardRollup`` pre-aggregates the published initiatives,
all of them and those with one value of each filterable dimension, so that an unfiltered or a
one-filter figure reads a few hundred rows instead of every initiative.
"""

from __future__ import annotations

from django.db import models

from coopatlas.core.models import RecordQuerySet

#: The currency the facts hold converted amounts in (other currencies are computed directly).
FACT_CURRENCY = "USD"


class InitiativeFact(models.Model):
    """One initiative as the dashboards see it: visibility, active years and budget in USD (or unconverted)."""

    OWNER_LOOKUP = "owner_id"

    initiative_id = models.BigIntegerField(primary_key=True)
    owner_id = models.BigIntegerField(null=True)
    workflow_status = models.CharField(max_length=20)
    deleted_at = models.DateTimeField(null=True)
    #: Years of the actual (else planned) start and end; no start: in no year; no end: open.
    start_year = models.SmallIntegerField(null=True)
    end_year = models.SmallIntegerField(null=True)
    #: '' = ``budget`` is in FACT_CURRENCY; else the currency of an amount that could not be converted.
    budget_currency = models.CharField(max_length=3, blank=True)
    budget = models.DecimalField(max_digits=26, decimal_places=6, null=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["workflow_status", "start_year"], name="reports_fact_status_start")]

    def __str__(self) -> str:
        return f"facts of initiative {self.initiative_id}"


class MemberFact(models.Model):
    """An initiative's value of one dimension (one row per distinct value; '' when it has none)."""

    initiative_id = models.BigIntegerField()
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "value", "initiative_id"], name="reports_member_unique"),
        ]
        # Joining from a chosen set of initiatives to their values of one dimension.
        indexes = [models.Index(fields=["initiative_id", "dimension", "value"], name="reports_member_initiative")]

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.dimension}={self.value}"


class SpendFact(models.Model):
    """Disbursements and expenditure (IATI types 3, 4) of one initiative in one year, in one currency key."""

    initiative_id = models.BigIntegerField()
    year = models.SmallIntegerField()
    #: Whether the initiative was active in ``year`` (the year filter counts only those).
    active = models.BooleanField()
    #: '' = ``amount`` is in FACT_CURRENCY; else the currency of amounts that could not be converted.
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=26, decimal_places=6)
    transactions = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["initiative_id", "year"], name="reports_spend_initiative_year")]

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.year}: {self.amount} {self.currency or FACT_CURRENCY}"


#: Dimensions the dashboard filters by (catalogue facets) whose single values get their own roll-up rows.
# Recipient country is left out: an IATI activity can name dozens of countries (58 on average in the
# benchmark's World Bank-heavy file), and each value multiplies the roll-up rows the activity maintains
# (import 3x slower when it was included); a one-country figure groups the facts of that country's
# initiatives instead, a small set read through the member index.
FACETED = ("region", "commission", "sdg_goal", "modality")


class DashboardRollup(models.Model):
    """Sums over published initiatives per (dimension, value), by kind of row.

    ``facet`` '' (``facet_value`` ''): every published initiative; else only those with the value
    ``facet_value`` of the dimension ``facet`` (one of ``FACETED``), so a one-filter figure is one
    indexed read.

    ``kind`` 'a': every year (``year`` 0); 'd': changes of the initiatives active from ``year`` on
    (+ at the start year, - the year after the end), so a prefix sum over years gives the active ones;
    's': spending dated in ``year`` by initiatives active that year; 'x' (rows per filter value only, which
    have no 'a' spending rows): spending dated in ``year`` outside the initiative's active years.
    """

    facet = models.CharField(max_length=20, blank=True, default="")
    facet_value = models.CharField(max_length=40, blank=True, default="")
    dimension = models.CharField(max_length=20)
    kind = models.CharField(max_length=1)
    year = models.SmallIntegerField()
    value = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    initiatives = models.BigIntegerField()
    budget = models.DecimalField(max_digits=30, decimal_places=6)
    disbursed = models.DecimalField(max_digits=30, decimal_places=6)
    transactions = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facet", "facet_value", "dimension", "kind", "year", "value", "currency"],
                                    name="reports_rollup_facet_unique"),
        ]

    def __str__(self) -> str:
        scope = f" [{self.facet}={self.facet_value}]" if self.facet else ""
        return f"{self.dimension}={self.value} {self.kind}{self.year}{scope}"
