"""``coopatlas progress --method opensdg (--source DIR | --dataset CODE) [--indicator ID] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.indicators.models import Dataset
from coopatlas.indicators.progress import (
    assess_opensdg,
    inputs_from_dataset,
    inputs_from_repository,
    opensdg_components,
)


class Command(BaseCommand):
    """Assess progress; ``--json`` prints Open SDG's indicator_calculation_components structure."""

    help = "Assess indicator progress with a documented method (Open SDG progress measure)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--method", choices=["opensdg"], default="opensdg")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--source", type=Path, help="an Open SDG data repository on disk")
        source.add_argument("--dataset", help="an imported dataset code, e.g. opensdg-canada-goals-1-8")
        parser.add_argument("--indicator", action="append", default=[], help="indicator code (repeatable)")
        parser.add_argument("--json", action="store_true", help="print the components as JSON")
        parser.add_argument("--explain", action="store_true", help="also print why series have no progress value")

    def handle(self, *args: Any, **options: Any) -> None:
        """Gather the data, assess it, print JSON or one line per indicator."""
        if options["source"] is not None:
            if not options["source"].is_dir():
                raise CommandError(f"{options['source']} is not a directory")
            inputs = inputs_from_repository(options["source"], options["indicator"])
        else:
            dataset = Dataset.objects.filter(code=options["dataset"]).first()
            if dataset is None:
                raise CommandError(f"no dataset {options['dataset']!r}; import it with import_opensdg first")
            inputs = inputs_from_dataset(dataset, options["indicator"])
        results = assess_opensdg(inputs)
        if options["explain"]:
            for result in results:
                for problem in result.problems:
                    self.stderr.write(f"{result.code}: {problem}")
                for series in result.series:
                    if series.reason:
                        self.stderr.write(f"{series.key}: insufficient data: {series.reason}")
        if options["json"]:
            self.stdout.write(json.dumps(opensdg_components(results), ensure_ascii=False, indent=2, sort_keys=True))
            return
        for result in results:
            score = "" if result.score is None else f" {result.score:+.2f}"
            self.stdout.write(f"{result.code}: {result.progress_status or '-'}{score} ({len(result.series)} series)")
