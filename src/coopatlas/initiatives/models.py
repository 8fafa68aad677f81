"""Cooperation initiatives, with fields aligned to IATI 2.03 activities.

Mapping to IATI (used by the IATI importer/exporter): ``iati_identifier`` = iati-identifier,
``title``/``description`` = title/description narratives, ``activity_status`` = ActivityStatus
codelist, ``*_planned``/``*_actual`` dates = activity-date types 1-4, ``providers``/``funders``/
``recipients``/``facilitators`` = participating-org roles, ``recipient_countries`` =
recipient-country, ``sectors`` = DAC sector (vocabulary 1), ``sdg_targets`` = tag vocabulary 3,
``budget``/``currency`` = budget value / default-currency, ``collaboration_type`` = CollaborationType.

The IATI importer (``coopatlas.iati.importer``) also keeps the rest of an IATI 2.03 activity
(https://iatistandard.org/en/iati-standard/203/activity-standard/) in the models below: participating
organisations with their roles, recipient countries and regions with percentages, locations, sectors
and tags of every vocabulary, policy markers, budgets, transactions, document links and results
(indicators, periods). Narratives are kept as ``{language: text}`` ("" = the activity's default
language), so every text the file had in any language is written back by the exporter.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coopatlas.core.models import CatalogueRecord


class Initiative(CatalogueRecord):
    """A cooperation project between providers and recipients, possibly with a facilitator (triangular)."""

    RECORD_TYPE = "initiative"
    TRANSLATABLE_FIELDS = ("title", "description", "results_summary")

    class ActivityStatus(models.TextChoices):
        """IATI ActivityStatus codelist."""

        PIPELINE = "1", _("Pipeline/identification")
        IMPLEMENTATION = "2", _("Implementation")
        FINALISATION = "3", _("Finalisation")
        CLOSED = "4", _("Closed")
        CANCELLED = "5", _("Cancelled")
        SUSPENDED = "6", _("Suspended")

    class CooperationType(models.TextChoices):
        """How the flow is classified (rule and sources: docs/cooperation-types.md)."""

        SOUTH_SOUTH = "south-south", _("South-South")
        TRIANGULAR = "triangular", _("Triangular")
        NORTH_SOUTH = "north-south", _("North-South")
        MULTILATERAL = "multilateral", _("Multilateral")
        OTHER = "other", _("Other")

    iati_identifier = models.CharField(_("IATI identifier"), max_length=200, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=1000)
    description = models.TextField(_("description"), blank=True)
    activity_status = models.CharField(
        _("status"), max_length=2, choices=ActivityStatus.choices, default=ActivityStatus.IMPLEMENTATION
    )
    start_planned = models.DateField(_("planned start"), null=True, blank=True)
    start_actual = models.DateField(_("actual start"), null=True, blank=True)
    end_planned = models.DateField(_("planned end"), null=True, blank=True)
    end_actual = models.DateField(_("actual end"), null=True, blank=True)
    providers = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("providers"), blank=True, related_name="initiatives_provided"
    )
    recipients = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("recipients"), blank=True, related_name="initiatives_received"
    )
    facilitators = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("facilitators"), blank=True, related_name="initiatives_facilitated"
    )
    funders = models.ManyToManyField(
        "catalogue.Organisation", verbose_name=_("funders"), blank=True, related_name="initiatives_funded"
    )
    recipient_countries = models.ManyToManyField(
        "geo.Country", verbose_name=_("recipient countries"), blank=True, related_name="+"
    )
    budget = models.DecimalField(
        _("budget"), max_digits=18, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    sectors = models.ManyToManyField("iati.Sector", verbose_name=_("DAC sectors"), blank=True, related_name="+")
    sdg_targets = models.ManyToManyField(
        "indicators.SdgTarget", verbose_name=_("SDG targets"), blank=True, related_name="+"
    )
    modalities = models.ManyToManyField(
        "catalogue.Modality", verbose_name=_("modalities"), blank=True, related_name="+"
    )
    collaboration_type = models.CharField(_("collaboration type (IATI)"), max_length=2, blank=True)
    results_summary = models.TextField(_("results"), blank=True)
    cooperation_type = models.CharField(
        _("cooperation type"), max_length=20, choices=CooperationType.choices, blank=True, db_index=True
    )
    cooperation_type_rule = models.CharField(_("classification rule"), max_length=40, blank=True, editable=False)
    cooperation_type_evidence = models.CharField(
        _("classification evidence"), max_length=300, blank=True, editable=False
    )
    # IATI activity fields beyond the catalogue's own (codes of the IATI codelists named).
    reporting_org = models.ForeignKey(
        "catalogue.Organisation",
        verbose_name=_("reporting organisation (IATI)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    iati_reporting_org_ref = models.CharField(_("reporting organisation identifier"), max_length=200, blank=True)
    activity_scope = models.CharField(_("scope (IATI ActivityScope)"), max_length=3, blank=True)
    default_flow_type = models.CharField(_("flow type (IATI FlowType)"), max_length=3, blank=True)
    default_finance_type = models.CharField(_("finance type (IATI FinanceType)"), max_length=4, blank=True)
    default_tied_status = models.CharField(_("tied status (IATI TiedStatus)"), max_length=2, blank=True)
    default_aid_types = models.JSONField(_("aid types (IATI AidType)"), default=list, blank=True)
    hierarchy = models.PositiveSmallIntegerField(_("hierarchy (IATI)"), null=True, blank=True)
    iati_details = models.JSONField(_("other IATI data"), default=dict, blank=True, editable=False)
    # Provenance of imported activities.
    iati_version = models.CharField(_("IATI version of the source"), max_length=10, blank=True, editable=False)
    iati_default_language = models.CharField(
        _("default language (xml:lang)"), max_length=10, blank=True, editable=False
    )
    iati_last_updated = models.DateTimeField(_("last updated (IATI)"), null=True, blank=True, editable=False)
    #: The activity's last-updated-datetime, else its file's generated-datetime: which version is newer.
    iati_source_datetime = models.DateTimeField(null=True, blank=True, editable=False)
    iati_source_file = models.CharField(_("source file"), max_length=300, blank=True, editable=False)
    iati_imported_at = models.DateTimeField(_("imported at"), null=True, blank=True, editable=False)
    iati_import = models.ForeignKey(
        "initiatives.IatiImport",
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    iati_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    need = models.ForeignKey(
        "catalogue.Need",
        verbose_name=_("need"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
    )
    solution = models.ForeignKey(
        "catalogue.Solution",
        verbose_name=_("solution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0), name="initiative_budget_not_negative"
            ),
            # The IATI upsert key: one record per activity identifier and reporting organisation.
            models.UniqueConstraint(
                fields=["iati_identifier", "iati_reporting_org_ref"],
                name="initiative_iati_key",
                condition=~models.Q(iati_reporting_org_ref=""),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_triangular(self) -> bool:
        """Triangular by the classification rule (docs/cooperation-types.md), else when it has a facilitator."""
        if self.cooperation_type:
            return self.cooperation_type == self.CooperationType.TRIANGULAR
        return self.facilitators.exists()


def _narratives(verbose_name: str) -> models.JSONField:
    """A text in several languages, ``{language: text}`` ("" = the activity's default language)."""
    return models.JSONField(verbose_name, default=dict, blank=True)


def _value(verbose_name: str) -> models.DecimalField:
    """An IATI value (negative values are allowed: corrections, reimbursements)."""
    return models.DecimalField(verbose_name, max_digits=24, decimal_places=4, null=True, blank=True)


def _percentage() -> models.DecimalField:
    return models.DecimalField(_("percentage"), max_digits=7, decimal_places=4, null=True, blank=True)


class IatiPart(models.Model):
    """Abstract base of the parts of an imported IATI activity, kept in the order the file gave them."""

    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position"]


class ParticipatingOrg(IatiPart):
    """An IATI participating-org: an organisation and its role (OrganisationRole: 1 funding, 2 accountable,
    3 extending, 4 implementing)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="participating_orgs")
    organisation = models.ForeignKey(
        "catalogue.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=2)
    ref = models.CharField(_("identifier"), max_length=200, blank=True)
    org_type = models.CharField(_("type"), max_length=3, blank=True)
    activity_id = models.CharField(_("activity identifier"), max_length=200, blank=True)
    crs_channel_code = models.CharField(_("CRS channel code"), max_length=10, blank=True)
    narratives = _narratives(_("name"))

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.ref or self.narratives.get('', '?')} (role {self.role})"


class RecipientCountryShare(IatiPart):
    """An IATI recipient-country with its percentage of the activity (ISO 3166-1 alpha-2 code)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="recipient_country_shares")
    country = models.ForeignKey("geo.Country", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.CharField(_("country code"), max_length=2)
    percentage = _percentage()
    narratives = _narratives(_("name"))

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.code} {self.percentage or ''}".strip()


class RecipientRegionShare(IatiPart):
    """An IATI recipient-region (RegionVocabulary 1 = OECD DAC regions) with its percentage."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="recipient_region_shares")
    code = models.CharField(_("region code"), max_length=20)
    vocabulary = models.CharField(_("vocabulary"), max_length=3, blank=True)
    vocabulary_uri = models.CharField(_("vocabulary URI"), max_length=500, blank=True)
    percentage = _percentage()
    narratives = _narratives(_("name"))

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.vocabulary}:{self.code} {self.percentage or ''}".strip()


class SectorShare(IatiPart):
    """An IATI sector of any SectorVocabulary (1 DAC 5-digit, 2 DAC 3-digit, 7/8/9 SDG goal/target/indicator)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="sector_shares")
    vocabulary = models.CharField(_("vocabulary"), max_length=3, blank=True)
    vocabulary_uri = models.CharField(_("vocabulary URI"), max_length=500, blank=True)
    code = models.CharField(_("code"), max_length=100)
    percentage = _percentage()
    narratives = _narratives(_("name"))

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.vocabulary or '1'}:{self.code} {self.percentage or ''}".strip()


class Tag(IatiPart):
    """An IATI tag (TagVocabulary 2 = SDG goals, 3 = SDG targets, 99 = the reporting organisation's own)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="tags")
    vocabulary = models.CharField(_("vocabulary"), max_length=3)
    vocabulary_uri = models.CharField(_("vocabulary URI"), max_length=500, blank=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    narratives = _narratives(_("name"))

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.vocabulary}:{self.code}"


class PolicyMarker(IatiPart):
    """An IATI policy-marker (PolicyMarker codelist, e.g. 1 gender equality) and its PolicySignificance."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="policy_markers")
    vocabulary = models.CharField(_("vocabulary"), max_length=3, blank=True)
    vocabulary_uri = models.CharField(_("vocabulary URI"), max_length=500, blank=True)
    code = models.CharField(_("code"), max_length=100)
    significance = models.CharField(_("significance"), max_length=2, blank=True)
    narratives = _narratives(_("name"))

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.vocabulary or '1'}:{self.code} ({self.significance})"


class Location(IatiPart):
    """An IATI location: a name and description, a point (WGS 84 "lat lon") and the location codes."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="locations")
    ref = models.CharField(_("reference"), max_length=200, blank=True)
    texts = models.JSONField(_("name and descriptions"), default=dict, blank=True)
    point = models.CharField(_("point (lat lon)"), max_length=100, blank=True)
    codes = models.JSONField(_("location codes"), default=dict, blank=True)

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return self.ref or self.point or f"location {self.position}"


class Budget(IatiPart):
    """An IATI budget (BudgetType 1 original, 2 revised; BudgetStatus 1 indicative, 2 committed)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="iati_budgets")
    budget_type = models.CharField(_("type"), max_length=2, blank=True)
    status = models.CharField(_("status"), max_length=2, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = _value(_("value"))
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    value_date = models.DateField(_("value date"), null=True, blank=True)

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.period_start}-{self.period_end}: {self.value} {self.currency}"


class Transaction(IatiPart):
    """An IATI transaction (TransactionType: 1 incoming funds, 2 commitment, 3 disbursement, 4 expenditure ...)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="transactions")
    ref = models.CharField(_("reference"), max_length=200, blank=True)
    humanitarian = models.BooleanField(null=True, blank=True)
    transaction_type = models.CharField(_("type"), max_length=2)
    date = models.DateField(_("date"))
    value = _value(_("value"))
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    description = _narratives(_("description"))
    provider_ref = models.CharField(_("provider identifier"), max_length=200, blank=True)
    provider = models.JSONField(_("provider organisation"), default=dict, blank=True)
    receiver_ref = models.CharField(_("receiver identifier"), max_length=200, blank=True)
    receiver = models.JSONField(_("receiver organisation"), default=dict, blank=True)
    #: Disbursement channel, sectors, recipient country/region, flow/finance/aid type, tied status.
    classifications = models.JSONField(_("classifications"), default=dict, blank=True)

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.date}: {self.value} {self.currency}"


class DocumentLink(IatiPart):
    """An IATI document-link: a web address, its format, title, categories (DocumentCategory) and languages."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="document_links")
    url = models.CharField(_("address"), max_length=2000)
    file_format = models.CharField(_("format"), max_length=200, blank=True)
    title = _narratives(_("title"))
    description = _narratives(_("description"))
    categories = models.JSONField(_("categories"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    document_date = models.DateField(_("date"), null=True, blank=True)

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return self.url


class Result(IatiPart):
    """An IATI result (ResultType 1 output, 2 outcome, 3 impact, 9 other)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="results")
    result_type = models.CharField(_("type"), max_length=2)
    aggregation_status = models.BooleanField(null=True, blank=True)
    title = _narratives(_("title"))
    description = _narratives(_("description"))

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return self.title.get("", "") or next(iter(self.title.values()), f"result {self.position}")


class ResultIndicator(IatiPart):
    """An indicator of a result (IndicatorMeasure 1 unit, 2 percentage, 3 nominal, 4 ordinal, 5 qualitative)."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    measure = models.CharField(_("measure"), max_length=2)
    ascending = models.BooleanField(null=True, blank=True)
    aggregation_status = models.BooleanField(null=True, blank=True)
    title = _narratives(_("title"))
    description = _narratives(_("description"))
    #: [{"year", "iso_date", "value", "comment"}]
    baselines = models.JSONField(_("baselines"), default=list, blank=True)

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return self.title.get("", "") or next(iter(self.title.values()), f"indicator {self.position}")


class IndicatorPeriod(IatiPart):
    """A reporting period of an indicator with its targets and actuals ([{"value", "comment"}])."""

    indicator = models.ForeignKey(ResultIndicator, on_delete=models.CASCADE, related_name="periods")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    targets = models.JSONField(_("targets"), default=list, blank=True)
    actuals = models.JSONField(_("actuals"), default=list, blank=True)

    class Meta(IatiPart.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.period_start}-{self.period_end}"


class IatiImport(models.Model):
    """One run of the IATI importer (command line or upload): who, which files, progress and the report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        "catalogue.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_names = models.JSONField(default=list, blank=True)
    upload_path = models.CharField(max_length=500, blank=True)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    activities_read = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"IATI import #{self.pk} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        """How far the job got, by bytes read."""
        if not self.bytes_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.bytes_done / self.bytes_total))
