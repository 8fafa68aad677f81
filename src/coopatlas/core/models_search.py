"""The search index: one denormalised row per catalogue record, its text, and its facet values.

``SearchEntry`` is narrow — type, visibility (owner, workflow status, deletion), dates, title — so
that checking and counting thousands of matches reads a small, dense table; it is filtered with the
same ``RecordQuerySet.visible_to`` rules as the records themselves. ``SearchText`` holds what the
result list shows (titles and summaries by language) and the indexed text, so a page of hits never
touches the record tables. ``SearchFacetValue`` holds one row per (record, facet, value):
countries, regions, SDGs, sectors ... The full-text index over ``search_title``/``search_body``
lives outside the ORM: an FTS5 table on SQLite, a generated ``tsvector`` column on PostgreSQL
(migration ``0002_search_index``, ``core/search/schema.py``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete
from django.utils import timezone

from coopatlas.core.models import RecordQuerySet
from coopatlas.core.signals import record_changed


class SearchEntry(models.Model):
    """A catalogue record as the search index sees it: type, visibility, dates, title."""

    #: Same visibility rules as the records (``RecordQuerySet``), keyed on the owning organisation id.
    OWNER_LOOKUP = "owner_id"

    record_type = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=10)
    workflow_status = models.CharField(max_length=20)
    owner_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=500)

    objects = RecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "object_id"], name="search_entry_unique_record"),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="search_entry_recent")]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.record_type} #{self.object_id}: {self.title}"


class SearchText(models.Model):
    """An entry's display texts by language and the text the full-text index covers."""

    entry = models.OneToOneField(SearchEntry, on_delete=models.CASCADE, primary_key=True, related_name="text")
    #: Title and summary for display, by language code (the record's own language included).
    titles = models.JSONField(default=dict, blank=True)
    summaries = models.JSONField(default=dict, blank=True)
    #: Indexed text, in ``index_form``: titles (all languages), and every other text field.
    search_title = models.TextField(blank=True)
    search_body = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"text of {self.entry_id}"


class SearchFacetValue(models.Model):
    """One value of one facet of one entry (e.g. country=SEN, sdg_goal=6)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facet_values", db_index=False)
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=40)

    class Meta:
        indexes = [
            # Filtering: the entries that have facet=value.
            models.Index(fields=["facet", "value", "entry"], name="search_facet_value_entry"),
            # Counting: the values of a facet for a given set of entries.
            models.Index(fields=["entry", "facet", "value"], name="search_facet_entry_value"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


def _index_changed_record(sender: Any, record: Any, **kwargs: Any) -> None:
    """Rebuild the record's entry inside the transaction that changed it."""
    from coopatlas.core.search.indexing import index_record

    index_record(record)


def _remove_deleted_record(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Drop the entry of a record deleted for good (soft deletes go through ``record_changed``)."""
    from coopatlas.core.search.indexing import remove_record

    remove_record(instance)


def _connect_receivers() -> None:
    from coopatlas.core.search.documents import INDEXED_TYPES

    record_changed.connect(_index_changed_record, dispatch_uid="coopatlas.core.search.index_record")
    for indexed in INDEXED_TYPES.values():
        # Lazy "app.Model" senders: the catalogue models are not loaded yet when this module is.
        post_delete.connect(
            _remove_deleted_record, sender=indexed.model_label, dispatch_uid=f"coopatlas.search.{indexed.model_label}"
        )


_connect_receivers()
