"""``coopatlas progress --method opensdg|escap|unsd ...``: assess progress by a documented method.

* ``--method opensdg (--source DIR | --dataset CODE) [--indicator ID] [--json]`` prints Open SDG's
  ``indicator_calculation_components`` structure.
* ``--method escap --panel FILE (--region CODE | --countries ISO3,...) --direction lower|higher|exact
  [--target V] [--population FILE]``: the region's current status and anticipated progress indices
  (champion-area target when ``--target`` is absent).
* ``--method unsd --panel FILE --direction ... [--target V] [--edition 2022|2023]``: SDG Progress Chart
  per country.
* ``--method escap|unsd --framework F --indicator CODE``: a framework indicator's imported observations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopatlas.indicators.methods.escap import rows_as_dicts
from coopatlas.indicators.models import Dataset, FrameworkIndicator
from coopatlas.indicators.progress import (
    assess_opensdg,
    inputs_from_dataset,
    inputs_from_repository,
    opensdg_components,
)
from coopatlas.indicators.reasons import reason_text, row_reason
from coopatlas.indicators.regional import (
    assess_escap_region,
    assess_indicator,
    assess_unsd_areas,
    panel_frame,
    population_frame,
    region_members,
)


class Command(BaseCommand):
    """Assess progress; ``--json`` prints the method's result structure."""

    help = "Assess indicator progress with a documented method (Open SDG, ESCAP, UNSD progress chart)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--method", choices=["opensdg", "escap", "unsd"], default="opensdg")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--source", type=Path, help="an Open SDG data repository on disk")
        source.add_argument("--dataset", help="an imported dataset code, e.g. opensdg-canada-goals-1-8")
        source.add_argument("--panel", type=Path, help="a tidy/SDMX series file (escap, unsd)")
        source.add_argument("--framework", help="a framework code; with --indicator (escap, unsd)")
        parser.add_argument("--indicator", action="append", default=[], help="indicator code (repeatable)")
        parser.add_argument("--region", help="M49 region code or regional commission code (escap)")
        parser.add_argument("--countries", help="comma-separated ISO3 codes forming the region (escap)")
        parser.add_argument("--population", type=Path, help="population file for weighted aggregates (escap)")
        parser.add_argument("--direction", choices=["higher", "lower", "exact"], default="higher")
        parser.add_argument("--target", type=float, help="target value (escap: champion area when absent)")
        parser.add_argument("--limit", type=float, help="natural limit a derived target cannot pass (escap)")
        parser.add_argument("--base-year", type=int, default=2015)
        parser.add_argument("--target-year", type=int, default=2030)
        parser.add_argument("--data-start", type=int, default=2000)
        parser.add_argument("--champion-share", type=float, default=0.10)
        parser.add_argument("--edition", choices=["2022", "2023"], default="2022", help="progress chart rules (unsd)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--explain", action="store_true", help="also print why series have no progress value")

    def handle(self, *args: Any, **options: Any) -> None:
        """Dispatch to the method; print JSON or one line per series."""
        if options["method"] == "opensdg":
            self.handle_opensdg(options)
            return
        if options["framework"]:
            rows = self.framework_rows(options)
        elif options["panel"] is None:
            raise CommandError("--method escap/unsd needs --panel FILE or --framework F --indicator CODE")
        else:
            if not options["panel"].is_file():
                raise CommandError(f"{options['panel']} is not a file")
            countries, refusals = panel_frame(options["panel"])
            if options["explain"]:
                for refusal in refusals:
                    self.stderr.write(f"refused {refusal}")
            if options["method"] == "escap":
                members = self.members(options)
                population = population_frame(options["population"]) if options["population"] else None
                rows = rows_as_dicts(assess_escap_region(countries, members, options, population))
            else:
                rows = rows_as_dicts(assess_unsd_areas(countries, options))
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
            return
        for row in rows:
            verdict = row.get("classification") or row.get("status") or f"insufficient data: {row_reason(row)}"
            self.stdout.write(f"{row['series']}: {verdict}")

    def members(self, options: dict[str, Any]) -> list[str]:
        """The region's member countries, from --countries or --region."""
        if options["countries"]:
            return [code.strip().upper() for code in options["countries"].split(",") if code.strip()]
        if options["region"]:
            members = region_members(options["region"])
            if not members:
                raise CommandError(f"no countries in region {options['region']!r} (load the reference data first)")
            return members
        raise CommandError("--method escap needs --region CODE or --countries ISO3,...")

    def framework_rows(self, options: dict[str, Any]) -> list[dict[str, object]]:
        """Assess each named indicator of a framework with the chosen method's engine."""
        rows: list[dict[str, object]] = []
        for code in options["indicator"] or []:
            indicator = FrameworkIndicator.objects.filter(framework__code=options["framework"], code=code).first()
            if indicator is None:
                raise CommandError(f"no indicator {code!r} in framework {options['framework']!r}")
            indicator.progress_method = options["method"]
            rows.extend(rows_as_dicts(assess_indicator(indicator)))
        return rows

    def handle_opensdg(self, options: dict[str, Any]) -> None:
        """Open SDG: gather the data, assess it, print JSON or one line per indicator."""
        if options["source"] is not None:
            if not options["source"].is_dir():
                raise CommandError(f"{options['source']} is not a directory")
            inputs = inputs_from_repository(options["source"], options["indicator"])
        elif options["dataset"] is not None:
            dataset = Dataset.objects.filter(code=options["dataset"]).first()
            if dataset is None:
                raise CommandError(f"no dataset {options['dataset']!r}; import it with import_opensdg first")
            inputs = inputs_from_dataset(dataset, options["indicator"])
        else:
            raise CommandError("--method opensdg needs --source DIR or --dataset CODE")
        results = assess_opensdg(inputs)
        if options["explain"]:
            for result in results:
                for problem in result.problems:
                    self.stderr.write(f"{result.code}: {problem}")
                for series in result.series:
                    if series.reason:
                        self.stderr.write(f"{series.key}: insufficient data: {reason_text(series.reason)}")
        if options["json"]:
            self.stdout.write(json.dumps(opensdg_components(results), ensure_ascii=False, indent=2, sort_keys=True))
            return
        for result in results:
            score = "" if result.score is None else f" {result.score:+.2f}"
            self.stdout.write(f"{result.code}: {result.progress_status or '-'}{score} ({len(result.series)} series)")
