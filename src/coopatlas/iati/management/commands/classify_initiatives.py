"""``coopatlas classify_initiatives``: (re)classify every initiative's cooperation type.

Runs the rule of ``iati.classification`` (docs/cooperation-types.md) over the stored initiatives,
for instance after the DAC List of ODA Recipients is updated or after initiatives were edited.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coopatlas.iati.classification import classify_queryset
from coopatlas.initiatives.models import Initiative


class Command(BaseCommand):
    """Classify initiatives and print how many fall in each cooperation type."""

    help = "Classify each initiative as South-South, triangular, North-South, multilateral or other."

    def add_arguments(self, parser: CommandParser) -> None:
        """--only-unclassified."""
        parser.add_argument("--only-unclassified", action="store_true", help="skip initiatives already classified")

    def handle(self, *args: Any, **options: Any) -> None:
        """Classify and report the counts (and how many changed)."""
        queryset = Initiative.objects.all()
        if options["only_unclassified"]:
            queryset = queryset.filter(cooperation_type="")
        counts: Counter[str] = Counter()
        changed = classify_queryset(queryset, counts)
        for cooperation_type, count in sorted(counts.items()):
            self.stdout.write(f"{cooperation_type}: {count}")
        self.stdout.write(self.style.SUCCESS(f"{sum(counts.values())} initiatives classified, {changed} changed"))
