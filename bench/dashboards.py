"""Benchmark of the cooperation dashboards and the yearly report on synthetic portfolios.

Fills SQLite (a file under ``--workdir``) or PostgreSQL (``DATABASE_URL`` of ``--pg-url``, default
database ``reports_dev``) with N published initiatives (real countries, SDG targets, modalities;
1-3 providers, 1-3 recipient countries, 1-2 modalities, 1-3 SDG targets, a cooperation type, a
budget in USD/EUR/BRL/CNY/INR/ZAR and a start date in 2015-2024) and 5 N transactions (types 2/3/4,
dated within the initiative's years, in the same currencies), then times ``build_figure`` for each
dimension (the dashboard page builds all of them), the whole dashboard, and the report (build + HTML,
and one PDF). Timings are never test assertions.

    .venv/bin/python bench/dashboards.py --engine sqlite --initiatives 100000 --write-docs
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
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


def setup_django(engine: str, workdir: Path, pg_url: str) -> None:
    """Point the settings at the benchmark database, then start Django."""
    sys.path.insert(0, str(ROOT / "src"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = pg_url if engine == "postgresql" else f"sqlite:///{workdir / 'dashboards.sqlite3'}"
    os.environ["COOPATLAS_VAR_DIR"] = str(workdir / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopatlas.settings")
    import django

    django.setup()


def fill(size: int, seed: int = 6) -> float:
    """Create the synthetic portfolio with bulk inserts; returns the seconds it took."""
    from django.core.management import call_command
    from django.db import transaction

    from coopatlas.catalogue.models import Modality, ModalityCode, Organisation
    from coopatlas.core.models import WorkflowStatus
    from coopatlas.geo.models import Country
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
    providers = Organisation.objects.bulk_create([
        Organisation(name=f"Agency {i}", country_id=rng.choice(countries), workflow_status=WorkflowStatus.PUBLISHED)
        for i in range(500)
    ])
    through = {name: getattr(Initiative, name).through for name in
               ("providers", "recipient_countries", "modalities", "sdg_targets")}
    batch = 10_000
    for offset in range(0, size, batch):
        with transaction.atomic():
            initiatives = []
            for _i in range(min(batch, size - offset)):
                start = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
                initiatives.append(Initiative(
                    title="Synthetic initiative", workflow_status=WorkflowStatus.PUBLISHED,
                    cooperation_type=rng.choice(TYPES), budget=Decimal(rng.randrange(10_000, 5_000_000)),
                    currency=rng.choice(CURRENCIES), start_actual=start, end_planned=start + timedelta(days=1460),
                ))
            Initiative.objects.bulk_create(initiatives, batch_size=2000)
            rows: dict[str, list[Any]] = {name: [] for name in through}
            spends = []
            for initiative in initiatives:
                pk = initiative.pk
                for org in rng.sample(providers, rng.randint(1, 3)):
                    rows["providers"].append(through["providers"](initiative_id=pk, organisation_id=org.pk))
                for code in rng.sample(countries, rng.randint(1, 3)):
                    rows["recipient_countries"].append(through["recipient_countries"](initiative_id=pk,
                                                                                      country_id=code))
                for code in rng.sample(ModalityCode.values, rng.randint(1, 2)):
                    rows["modalities"].append(through["modalities"](initiative_id=pk, modality_id=code))
                for code in rng.sample(targets, rng.randint(1, 3)):
                    rows["sdg_targets"].append(through["sdg_targets"](initiative_id=pk, sdgtarget_id=code))
                for _t in range(5):
                    on = initiative.start_actual + timedelta(days=rng.randrange(1460))
                    spends.append(Transaction(initiative_id=pk, transaction_type=rng.choice("2334"), date=on,
                                              value=Decimal(rng.randrange(1_000, 500_000)),
                                              currency=initiative.currency))
            for name, objects in rows.items():
                through[name].objects.bulk_create(objects, batch_size=5000)
            Transaction.objects.bulk_create(spends, batch_size=5000)
        print(f"  {offset + len(initiatives):,} initiatives", file=sys.stderr)
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(round(0.95 * len(samples))) - 1)]


def measure(runs: int) -> dict[str, Any]:
    """p50/p95 (ms) of each figure, of the whole dashboard, and the report's build/render times (s)."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection, reset_queries

    from coopatlas.reports.dashboards import DashboardParams, build_dashboard
    from coopatlas.reports.dimensions import DIMENSIONS
    from coopatlas.reports.report import build_report, render_html, render_pdf, weasyprint_missing

    reader = AnonymousUser()
    results: dict[str, Any] = {"figures": {}}
    for label, params in (("all years", DashboardParams()), ("year 2020", DashboardParams(year=2020))):
        for key, dimension in DIMENSIONS.items():
            samples = []
            for _run in range(runs):
                started = time.perf_counter()
                build_dashboard(params, reader, {key: dimension})
                samples.append((time.perf_counter() - started) * 1000)
            results["figures"][(label, key)] = (statistics.median(samples), p95(samples))
        samples = []
        for _run in range(max(1, runs // 3)):
            started = time.perf_counter()
            build_dashboard(params, reader)
            samples.append((time.perf_counter() - started) * 1000)
        results["figures"][(label, "whole dashboard")] = (statistics.median(samples), p95(samples))
    started = time.perf_counter()
    report = build_report(2020)
    results["report_build_s"] = time.perf_counter() - started
    started = time.perf_counter()
    render_html(report)
    results["report_html_s"] = time.perf_counter() - started
    if weasyprint_missing() is None:
        started = time.perf_counter()
        render_pdf(report)
        results["report_pdf_s"] = time.perf_counter() - started
    results["vendor"] = connection.vendor
    reset_queries()
    return results


def write_docs(size: int, engine: str, fill_s: float, results: dict[str, Any], runs: int) -> None:
    """Replace this engine's lines in the dashboards section of docs/benchmarks.md."""
    lines = [
        f"### {engine}, {size:,} initiatives, {5 * size:,} transactions",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"filled in {fill_s:.0f} s; {runs} runs per figure. "
        f"Command: `.venv/bin/python bench/dashboards.py --engine {engine} --initiatives {size} --write-docs`.",
        "",
        "| scope | figure | p50 ms | p95 ms |",
        "|---|---|---:|---:|",
    ]
    for (scope, key), (median, high) in results["figures"].items():
        lines.append(f"| {scope} | {key} | {median:.0f} | {high:.0f} |")
    lines += ["", f"Report 2020: built in {results['report_build_s']:.1f} s, HTML rendered in "
              f"{results['report_html_s']:.1f} s" + (f", PDF in {results['report_pdf_s']:.1f} s."
                                                      if "report_pdf_s" in results else "."), ""]
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if START not in text:
        text = text.rstrip() + f"\n\n## Dashboards and report\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    body, tail = rest.split(END, 1)
    sections = [s for s in body.split("\n### ") if s.strip() and not s.lstrip("# ").startswith(f"{engine},")]
    kept = ["### " + s.lstrip("# ").strip() + "\n" for s in sections]
    DOCS.write_text(head + START + "\n" + "\n".join(kept + ["\n".join(lines)]) + "\n" + END + tail,
                    encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--initiatives", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-dashboards")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/reports_dev")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    setup_django(args.engine, args.workdir, args.pg_url)
    fill_s = fill(args.initiatives)
    results = measure(args.runs)
    for (scope, key), (median, high) in results["figures"].items():
        print(f"{scope:10} {key:18} p50 {median:8.0f} ms  p95 {high:8.0f} ms")
    print({k: round(v, 2) for k, v in results.items() if k.startswith("report")})
    if args.write_docs:
        write_docs(args.initiatives, args.engine, fill_s, results, args.runs)


if __name__ == "__main__":
    main()
