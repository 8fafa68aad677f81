"""Benchmark of the cooperation dashboards (fact tables and roll-up) and the yearly report.

Fills SQLite (a file under ``--workdir``) or PostgreSQL (``--pg-url``, default database ``dash_bench``)
with N published initiatives (real countries, SDG targets, modalities; 1-3 providers, 1-3 recipient
countries, 1-2 modalities, 1-3 SDG targets, a cooperation type, a budget in USD/EUR/BRL/CNY/INR/ZAR,
a start in 2015-2024 and a four-year end) and 5 N transactions (types 2/3/4), written straight into
the tables (multi-row INSERT on SQLite, COPY on PostgreSQL), then times the fact refresh
(``coopatlas refresh_dashboard_facts``), every figure over ``--runs`` varied filters (no filter:
roll-up; a year: roll-up prefix sums; one filter value: the roll-up per filter value, flows from the
facts; several filters: facts), the whole dashboard and the report.
A child process measures the previous direct queries and the facts on ``--baseline`` initiatives in a
fresh database, for the ratio. Timings are never test assertions.

    .venv/bin/python bench/dashboards.py --engine sqlite --initiatives 100000 --write-docs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- dashboards -->", "<!-- /dashboards -->"
CURRENCIES = ["USD", "USD", "USD", "EUR", "BRL", "CNY", "INR", "ZAR"]
TYPES = ["south-south", "south-south", "triangular", "north-south", "multilateral", ""]
BATCH = 20_000


def setup_django(engine: str, workdir: Path, pg_url: str, name: str) -> None:
    """Point the settings at the benchmark database, then start Django."""
    sys.path.insert(0, str(ROOT / "src"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = pg_url if engine == "postgresql" else f"sqlite:///{workdir / name}"
    os.environ["COOPATLAS_VAR_DIR"] = str(workdir / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopatlas.settings")
    import django

    django.setup()


def _template_row(model: Any, **values: Any) -> tuple[list[str], list[Any]]:
    """Attribute names and default values of one row of ``model`` (timestamps set to now)."""
    from django.utils import timezone

    instance = model(**values)
    names, row = [], []
    for field in model._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = timezone.now()
        names.append(field.attname)
        row.append(value)
    return names, row


def fill(size: int, seed: int = 6) -> float:
    """Write the synthetic portfolio straight into the tables; returns the seconds it took."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from coopatlas.catalogue.models import Modality, ModalityCode, Organisation
    from coopatlas.core.models import WorkflowStatus
    from coopatlas.geo.models import Country
    from coopatlas.iati.importer.bulk import insert_rows
    from coopatlas.indicators.models import SdgTarget
    from coopatlas.initiatives.models import Initiative, Transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    if Initiative.objects.count() >= size:
        return 0.0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    countries = list(Country.objects.exclude(region__isnull=True).values_list("code", flat=True))
    targets = list(SdgTarget.objects.values_list("code", flat=True))
    for position, code in enumerate(ModalityCode.values):
        Modality.objects.get_or_create(code=code, defaults={"position": position})
    providers = [o.pk for o in Organisation.objects.bulk_create([
        Organisation(name=f"Agency {i}", country_id=rng.choice(countries), workflow_status=WorkflowStatus.PUBLISHED)
        for i in range(500)
    ])]
    names, template = _template_row(Initiative, title="Synthetic initiative",
                                    workflow_status=WorkflowStatus.PUBLISHED)
    column = {name: i for i, name in enumerate(names)}
    tx_names, tx_template = _template_row(Transaction, initiative_id=1, transaction_type="3", date=date(2020, 1, 1))
    tx_column = {name: i for i, name in enumerate(tx_names)}
    tx_names_no_id = [n for n in tx_names if n != "id"]
    through = {name: getattr(Initiative, name).through for name in
               ("providers", "recipient_countries", "modalities", "sdg_targets")}
    through_columns = {"providers": ("initiative_id", "organisation_id"),
                       "recipient_countries": ("initiative_id", "country_id"),
                       "modalities": ("initiative_id", "modality_id"), "sdg_targets": ("initiative_id", "sdgtarget_id")}
    first = (Initiative.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for offset in range(0, size, BATCH):
        rows, links, spends = [], {name: [] for name in through}, []
        for pk in range(first + offset, first + min(size, offset + BATCH)):
            start = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
            code = rng.choice(CURRENCIES)
            row = list(template)
            for name, value in (("id", pk), ("cooperation_type", rng.choice(TYPES)), ("currency", code),
                                ("budget", Decimal(rng.randrange(10_000, 5_000_000))), ("start_actual", start),
                                ("end_planned", start + timedelta(days=1460))):
                row[column[name]] = value
            rows.append(row)
            links["providers"] += [(pk, org) for org in rng.sample(providers, rng.randint(1, 3))]
            links["recipient_countries"] += [(pk, c) for c in rng.sample(countries, rng.randint(1, 3))]
            links["modalities"] += [(pk, m) for m in rng.sample(ModalityCode.values, rng.randint(1, 2))]
            links["sdg_targets"] += [(pk, t) for t in rng.sample(targets, rng.randint(1, 3))]
            for _t in range(5):
                spend = list(tx_template)
                for name, value in (("initiative_id", pk), ("transaction_type", rng.choice("2334")),
                                    ("date", start + timedelta(days=rng.randrange(1460))), ("currency", code),
                                    ("value", Decimal(rng.randrange(1_000, 500_000)))):
                    spend[tx_column[name]] = value
                spends.append([v for n, v in zip(tx_names, spend, strict=True) if n != "id"])
        with transaction.atomic():
            insert_rows(Initiative, names, rows)
            for name, pairs in links.items():
                insert_rows(through[name], through_columns[name], pairs)
            insert_rows(Transaction, tx_names_no_id, spends)
        print(f"  {offset + len(rows):,} initiatives", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('initiatives_initiative', 'id'), "
                           "(SELECT MAX(id) FROM initiatives_initiative))")
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(round(0.95 * len(samples))) - 1)]


def varied_queries(runs: int) -> dict[str, list[str]]:
    """``runs`` query strings per kind of read: none and a year (roll-up), one filter value with or without a
    year (roll-up per filter value; flows from the facts), several filters (facts)."""
    one = ["region=002", "commission=ECA", "modality=training", "sdg_goal=6", "country=BRA", "region=019",
           "commission=ESCAP", "sdg_goal=2", "country=IND", "modality=technology-transfer"]
    several = ["commission=ESCAP&modality=financing", "sdg_goal=2&region=142", "country=IND&country=ZAF",
               "region=002&modality=training", "sdg_goal=6&sdg_goal=7"]
    return {
        "no filter": [""] * runs,
        "year": [f"year={2015 + i % 10}" for i in range(runs)],
        "one filter": [one[i % len(one)] + (f"&year={2016 + i % 8}" if i % 2 else "") for i in range(runs)],
        "several filters": [several[i % len(several)] + (f"&year={2016 + i % 8}" if i % 2 else "")
                            for i in range(runs)],
    }


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure(runs: int, source: str = "auto", with_report: bool = True) -> dict[str, Any]:
    """p50/p95 (ms) of each figure per kind of read, of the whole dashboard, and the report's times (s)."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from coopatlas.reports.dashboards import DashboardParams, build_dashboard
    from coopatlas.reports.dimensions import DIMENSIONS
    from coopatlas.reports.report import build_report, render_html, render_pdf, weasyprint_missing

    reader = AnonymousUser()
    results: dict[str, Any] = {"figures": {}}
    for scope, queries in varied_queries(runs).items():
        params = [DashboardParams.from_query(QueryDict(q)) for q in queries]
        build_dashboard(params[0], reader, source=source)  # labels, rates: cached after the first call
        for key, dimension in DIMENSIONS.items():
            samples = [_timed(lambda p=p, k=key, d=dimension: build_dashboard(p, reader, {k: d}, source=source))
                       for p in params]
            results["figures"][f"{scope}|{key}"] = (statistics.median(samples), p95(samples))
        samples = [_timed(lambda p=p: build_dashboard(p, reader, source=source)) for p in params[: max(3, runs // 4)]]
        results["figures"][f"{scope}|whole dashboard"] = (statistics.median(samples), p95(samples))
    if with_report:
        started, cpu = time.perf_counter(), time.process_time()
        report = build_report(2020)
        results["report_build_s"] = time.perf_counter() - started
        results["report_build_cpu_s"] = time.process_time() - cpu
        started = time.perf_counter()
        render_html(report)
        results["report_html_s"] = time.perf_counter() - started
        if weasyprint_missing() is None:
            started = time.perf_counter()
            render_pdf(report)
            results["report_pdf_s"] = time.perf_counter() - started
    return results


def refresh() -> float:
    """Rebuild the facts and the roll-up; returns the seconds it took."""
    from coopatlas.reports.facts import rebuild_all

    started = time.perf_counter()
    rebuild_all()
    return time.perf_counter() - started


def baseline(args: argparse.Namespace) -> dict[str, Any]:
    """Direct queries and facts on a small portfolio in its own database (a child process)."""
    command = [sys.executable, __file__, "--engine", args.engine, "--initiatives", str(args.baseline),
               "--runs", str(args.baseline_runs), "--workdir", str(args.workdir), "--compare",
               "--pg-url", args.pg_url.rsplit("/", 1)[0] + "/dash_bench_small"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    return dict(json.loads(output.strip().splitlines()[-1]))


def write_docs(args: argparse.Namespace, fill_s: float, refresh_s: float, results: dict[str, Any],
               small: dict[str, Any]) -> None:
    """Replace this engine's part of the dashboards section of docs/benchmarks.md."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    lines = [
        f"### {args.engine}, {args.initiatives:,} initiatives, {5 * args.initiatives:,} transactions",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores (shared; load average {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}. Data written in "
        f"{fill_s:.0f} s; facts and roll-up rebuilt (`coopatlas refresh_dashboard_facts`) in {refresh_s:.0f} s; "
        f"{args.runs} runs per figure and kind of read, anonymous reader. Command: `.venv/bin/python "
        f"bench/dashboards.py --engine {args.engine} --initiatives {args.initiatives} --runs {args.runs} "
        "--write-docs`.",
        "",
        "| read | figure | p50 ms | p95 ms |",
        "|---|---|---:|---:|",
    ]
    for label, (median, high) in results["figures"].items():
        scope, key = label.split("|")
        lines.append(f"| {scope} | {key} | {median:.1f} | {high:.1f} |")
    lines += ["", "Report 2020 (whole dashboard + 5 commission sections + linked SDG indicators + charts): "
              f"built in {results['report_build_s']:.1f} s (CPU of this process "
              f"{results['report_build_cpu_s']:.1f} s), HTML in {results['report_html_s']:.1f} s"
              + (f", PDF in {results['report_pdf_s']:.1f} s." if "report_pdf_s" in results else "."), ""]
    lines += [f"Same run, {args.baseline:,} initiatives in a fresh database, median of the per-figure p50 "
              f"({args.baseline_runs} runs each):", "", "| read | direct queries ms | facts ms | ratio |",
              "|---|---:|---:|---:|"]
    for scope in ("no filter", "year", "one filter", "several filters"):
        direct, facts = small["direct"][scope], small["facts"][scope]
        lines.append(f"| {scope} | {direct:.1f} | {facts:.1f} | {direct / facts:.0f}x |")
    text = DOCS.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    body, tail = rest.split(END, 1)
    sections = [s for s in body.split("\n### ") if s.strip()]
    kept = ["### " + s.lstrip("# ").strip() + "\n" for s in sections if not s.lstrip("# ").startswith(
        f"{args.engine}, {args.initiatives:,} ")]
    DOCS.write_text(head + START + "\n" + "\n".join(kept + ["\n".join(lines) + "\n"]) + END + tail, encoding="utf-8")


def _median_by_scope(results: dict[str, Any]) -> dict[str, float]:
    scopes: dict[str, list[float]] = {}
    for label, (median, _high) in results["figures"].items():
        scope, key = label.split("|")
        if key != "whole dashboard":
            scopes.setdefault(scope, []).append(median)
    return {scope: statistics.median(values) for scope, values in scopes.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--initiatives", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=2_000, help="initiatives of the direct-query comparison")
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-dashboards")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/dash_bench")
    parser.add_argument("--compare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    name = f"dashboards-{args.initiatives}.sqlite3"
    setup_django(args.engine, args.workdir, args.pg_url, name)
    fill_s = fill(args.initiatives)
    from coopatlas.reports.fact_models import InitiativeFact

    refresh_s = refresh() if InitiativeFact.objects.count() < args.initiatives else 0.0
    if args.compare:
        print(json.dumps({source: _median_by_scope(measure(args.baseline_runs, source, with_report=False))
                          for source in ("direct", "facts")}))
        return
    print(f"filled in {fill_s:.0f} s, facts rebuilt in {refresh_s:.0f} s", file=sys.stderr)
    small = baseline(args)
    results = measure(args.runs)
    for label, (median, high) in results["figures"].items():
        print(f"{label:40} p50 {median:8.1f} ms  p95 {high:8.1f} ms")
    print({k: round(v, 2) for k, v in results.items() if k.startswith("report")}, small)
    if args.write_docs:
        write_docs(args, fill_s, refresh_s, results, small)


if __name__ == "__main__":
    main()
