"""SDG reference framework: goals, targets and indicators with titles in the six UN languages.

Source: open-sdg/sdg-translations (MIT), copied into ``indicators/data/framework``.
"""

from __future__ import annotations

from django.db import models

from coopatlas.core.i18n import pick


class SdgGoal(models.Model):
    """One of the 17 Sustainable Development Goals."""

    code = models.CharField(max_length=2, primary_key=True)
    number = models.PositiveSmallIntegerField(unique=True)
    titles = models.JSONField(default=dict)
    short_titles = models.JSONField(default=dict)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.code}. {self.short_title}"

    @property
    def title(self) -> str:
        return pick(self.titles, fallback=self.code)

    @property
    def short_title(self) -> str:
        return pick(self.short_titles) or self.title


class SdgTarget(models.Model):
    """An SDG target such as 6.1 or 17.9."""

    code = models.CharField(max_length=6, primary_key=True)
    goal = models.ForeignKey(SdgGoal, on_delete=models.PROTECT, related_name="targets")
    titles = models.JSONField(default=dict)
    sort_key = models.CharField(max_length=12, db_index=True, default="")

    class Meta:
        ordering = ["sort_key"]

    def __str__(self) -> str:
        title = self.title
        return f"{self.code} — {title[:110]}{'…' if len(title) > 110 else ''}"

    @property
    def title(self) -> str:
        return pick(self.titles, fallback=self.code)


class SdgIndicator(models.Model):
    """An SDG indicator such as 6.1.1."""

    code = models.CharField(max_length=10, primary_key=True)
    target = models.ForeignKey(SdgTarget, on_delete=models.PROTECT, related_name="indicators")
    titles = models.JSONField(default=dict)
    sort_key = models.CharField(max_length=16, db_index=True, default="")

    class Meta:
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return pick(self.titles, fallback=self.code)
