"""Benchmark of the progress methods: full recompute of every series of real Open SDG platforms and of 1 M observations.

Scenarios (each in a fresh process pinned to one polars thread; median of 3 runs; peak memory is the
process's high-water mark above what it held after the imports):

* ``canada-published``: Canada's platform as published — read every ``data/*.csv`` and
  ``indicator-config/*.yml`` of ``../shared/data/indicators/opensdg/canada-goals-1-8`` and run the Open SDG
  measure on every configured series (``progress.inputs_from_repository`` + ``measure_progress``).
* ``uk-all`` and ``canada-all``: every series of the repository — each distinct combination of
  Series/Units/disaggregation/GeoCode of each indicator file is one series — read from disk and
  assessed by all three methods at once: the Open SDG components (``opensdg.assess``), ESCAP's current
  status and anticipated progress indices and UNSD's progress chart (target: 1.5 × the first value,
  higher is better, so that every branch is exercised).
* ``synthetic-1m``: a national platform scaled to 1,000,000 observations (40,000 series × 25 years,
  2000-2024, random walks), assessed the same way.

Repositories missing under ``../shared`` are skipped with a message. Timings are never test assertions.

    .venv/bin/python bench/progress.py --write-docs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- progress -->", "<!-- /progress -->"
SHARED = ROOT.parent / "shared" / "data" / "indicators" / "opensdg"
REPOSITORIES = {"uk": SHARED / "uk", "canada": SHARED / "canada-goals-1-8"}
RUNS = 3


def rss_kib(field: str) -> int:
    """A memory figure of this process from /proc (VmRSS now, VmHWM the peak), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def repository_frame(root: Path) -> Any:
    """Every series of an Open SDG repository as one long ``series``/``year``/``value`` frame (one value per year)."""
    import polars as pl

    from coopatlas.indicators.opensdg_repository import Repository, read_indicator_csv

    frames = []
    for code, path in Repository(root).data_files().items():
        data = read_indicator_csv(path)
        if data.frame is None:
            continue
        frame = data.frame.filter(pl.col("Value").is_not_null() & pl.col("Year").is_not_null())
        parts = [
            c for c in frame.columns if c not in ("Year", "Value", "line", "period") and not c.startswith("COMMENT")
        ]
        key = pl.concat_str(
            [pl.lit(code), *[pl.col(c).cast(pl.String) for c in parts]], separator="|", ignore_nulls=True
        )
        frames.append(
            frame.select(
                key.alias("series"),
                pl.col("Year").cast(pl.Int32).alias("year"),
                pl.col("Value").cast(pl.Float64).alias("value"),
            )
        )
    # Sub-annual periods (UK quarters) share a year: the benchmark keeps one value per series and year.
    return pl.concat(frames).unique(["series", "year"], keep="first")


def synthetic_frame(series: int = 40_000, years: int = 25, seed: int = 5) -> Any:
    """A national platform of ``series`` × ``years`` observations: positive random walks from 2000."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    steps = rng.normal(0.01, 0.05, size=(series, years)).cumsum(axis=1)
    values = (rng.uniform(5, 95, size=(series, 1)) * np.exp(steps)).ravel()
    return pl.DataFrame(
        {
            "series": np.repeat(np.array([f"s{i}" for i in range(series)]), years),
            "year": np.tile(np.arange(2000, 2000 + years, dtype=np.int32), series),
            "value": values,
        }
    )


def assess_all(frame: Any) -> dict[str, int]:
    """The three methods over every series of ``frame``; returns how many series each assessed."""
    import polars as pl

    from coopatlas.indicators.methods import escap, opensdg, unsd

    first = frame.sort("year").group_by("series").agg(pl.col("value").first().alias("first"))
    settings = first.select(
        "series",
        (pl.col("first").abs() * 1.5 + 1).alias("target"),
        pl.lit("higher").alias("direction"),
        pl.lit(2030, pl.Int32).alias("target_year"),
    )
    ids = settings.with_row_index("sid").select(pl.col("sid").cast(pl.Int64), "series", "target")
    parameters = ids.select(
        "sid",
        pl.lit(2015, pl.Int32).alias("base_year_config"),
        pl.col("target"),
        pl.lit(2030, pl.Int32).alias("target_year"),
        pl.lit(1, pl.Int8).alias("direction"),
        pl.lit(None, pl.Float64).alias("limit_value"),
        pl.lit(None, pl.String).alias("selection_problem"),
        pl.lit(0.95).alias("high"),
        pl.lit(0.6).alias("med"),
        pl.lit(0.0).alias("low"),
    )
    rows = frame.join(ids.select("sid", "series"), on="series").select(
        "sid", pl.col("year").alias("Year"), pl.col("value").alias("Value")
    )
    components = opensdg.assess(rows, parameters)
    status = escap.current_status_index(frame, settings)
    anticipated = escap.anticipated_progress_index(frame, settings)
    chart = unsd.progress_chart(frame, settings)
    return {
        "opensdg": components.filter(pl.col("score").is_not_null()).height,
        "escap": anticipated.filter(pl.col("classification").is_not_null()).height,
        "escap_csi": status.filter(pl.col("current_status_index").is_not_null()).height,
        "unsd": chart.filter(pl.col("status").is_not_null()).height,
    }


def run_scenario(name: str) -> dict[str, Any]:
    """One scenario, RUNS times, in this (fresh) process."""
    sys.path.insert(0, str(ROOT / "src"))
    # The methods never touch the database, but their modules import the models: start Django on a scratch SQLite.
    os.environ.setdefault("COOPATLAS_VAR_DIR", "/tmp/coopatlas-bench-progress")  # noqa: S108 - scratch, no data
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/coopatlas-bench-progress.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopatlas.settings")
    import django

    django.setup()
    from coopatlas.indicators.methods.opensdg import measure_progress
    from coopatlas.indicators.progress import inputs_from_repository

    baseline = rss_kib("VmRSS")
    times: list[float] = []
    cpu_times: list[float] = []
    detail: dict[str, Any] = {}
    for _ in range(RUNS):
        started = time.perf_counter()
        cpu_started = time.process_time()
        if name == "canada-published":
            results = measure_progress(inputs_from_repository(REPOSITORIES["canada"]))
            detail = {
                "indicators": len(results),
                "series": sum(len(r.series) for r in results),
                "scored": sum(1 for r in results for s in r.series if s.score is not None),
            }
        elif name == "synthetic-1m":
            frame = synthetic_frame()
            started, cpu_started = time.perf_counter(), time.process_time()  # generating the data is not timed
            detail = {"observations": frame.height, "series": frame["series"].n_unique(), **assess_all(frame)}
        else:
            frame = repository_frame(REPOSITORIES[name.split("-")[0]])
            detail = {"observations": frame.height, "series": frame["series"].n_unique(), **assess_all(frame)}
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    return {
        "name": name,
        "median_s": statistics.median(times),
        "runs_s": times,
        "median_cpu_s": statistics.median(cpu_times),
        "cpu_s": cpu_times,
        "peak_mib": (rss_kib("VmHWM") - baseline) / 1024,
        **detail,
    }


def cpu_model() -> str:
    """The processor's model name from /proc/cpuinfo."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def write_docs(results: list[dict[str, Any]], skipped: list[str], load: float) -> None:
    """Replace the section between the progress markers of docs/benchmarks.md (other sections untouched)."""
    lines = [
        START,
        "## Progress methods (`bench/progress.py`)",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} logical CPUs; one polars thread (`POLARS_MAX_THREADS=1`); "
        f"Python {platform.python_version()}; load average {load:.1f} when the run began (a shared "
        "machine: other jobs inflate the times). Command: `.venv/bin/python bench/progress.py --write-docs`. "
        "Each scenario runs in a fresh process, 3 times; the median wall time and the median CPU time "
        "(`time.process_time()`, which leaves out the time spent waiting for the CPU while other jobs ran) are "
        "reported, and the peak resident memory above the process's size after its imports. Goals: real "
        "national data < 2 s, 1 M observations < 10 s on one core.",
        "",
        "| scenario | observations | series | Open SDG scored | ESCAP classified | UNSD classified | median time "
        "| median CPU | runs (wall) | peak memory |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        runs = " / ".join(f"{t:.2f}" for t in r["runs_s"])
        if r["name"] == "canada-published":
            lines.append(
                f"| Canada goals 1-8, as published (read + Open SDG measure on the configured series) | — | "
                f"{r['series']} | {r['scored']} | — | — | {r['median_s']:.2f} s | {r['median_cpu_s']:.2f} s | {runs} | "
                f"{r['peak_mib']:.0f} MiB |"
            )
            continue
        lines.append(
            f"| {r['name']} (read + three methods on every series) | {r['observations']:,} | {r['series']:,} | "
            f"{r['opensdg']:,} | {r['escap']:,} | {r['unsd']:,} | {r['median_s']:.2f} s | {r['median_cpu_s']:.2f} s | "
            f"{runs} | "
            f"{r['peak_mib']:.0f} MiB |".replace(
                "read + three", "three" if r["name"] == "synthetic-1m" else "read + three"
            )
        )
    lines += (
        [""]
        + [f"Skipped: {s}" for s in skipped]
        + [
            "Series that cannot be assessed (a single data point, no data since the base year, values not positive "
            "for a "
            "growth rate) carry a reason instead of a class; the counts above are the series that got one.",
            "",
            "Where the time goes (CPU seconds, one thread, step by step, best of 3; the machine was shared, so "
            "the figures move by about ±30 % between runs): synthetic 1 M — ESCAP anticipated progress index "
            "0.35-0.45 (weighted trend 0.11, `escap.endpoints` 0.09), UNSD 0.2-0.27, current status index "
            "0.16-0.2, Open SDG components 0.16, the benchmark's own targets and joins about 0.1; uk-all — "
            "reading the 60 CSV files 0.45-0.5, the methods 0.57; canada-all — reading 0.23-0.29, the methods "
            "0.22. Speed changes since the previous measurement (their results compared value for value, identical, on "
            "canada-all, uk-all and a synthetic platform): the weighted trend computes its time weight (a window) "
            "once instead of once per weighted sum (0.29 → 0.11 s); the one-value-per-series-and-year check counts "
            "integer keys instead of testing a string-and-year struct for duplicates (0.13 → 0.03 s, run by every "
            "method); a clean Open SDG CSV is parsed in one lazy query and checked in one, the per-row refusal "
            "searches running only where a check fails (the three shared repositories: 1.72 → 1.49 s). "
            "`escap.endpoints`' `sort_by` inside the aggregation measured faster (0.08 s) than a window filter "
            "(0.14 s) or `arg_min` (0.12 s), and stays.",
            END,
        ]
    )
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    section = "\n".join(lines)
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    """Run every scenario in its own process and print (and optionally record) the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        print(json.dumps(run_scenario(args.scenario)))
        return
    load = os.getloadavg()[0]
    scenarios, skipped = [], []
    for name, wanted in (("canada-published", "canada"), ("canada-all", "canada"), ("uk-all", "uk")):
        if REPOSITORIES[wanted].is_dir():
            scenarios.append(name)
        else:
            skipped.append(f"{name}: {REPOSITORIES[wanted]} is absent")
            print(f"skipped {name}: {REPOSITORIES[wanted]} is absent", file=sys.stderr)
    scenarios.append("synthetic-1m")
    results = []
    environment = {**os.environ, "POLARS_MAX_THREADS": "1"}
    for name in scenarios:
        output = subprocess.run(  # noqa: S603 - this very script
            [sys.executable, __file__, "--scenario", name], env=environment, check=True, capture_output=True, text=True
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{name}: median {result['median_s']:.2f} s (CPU {result['median_cpu_s']:.2f} s), runs {result['runs_s']}, "
            f"peak {result['peak_mib']:.0f} MiB, "
            f"{ {k: v for k, v in result.items() if k not in ('name', 'median_s', 'runs_s', 'peak_mib')} }"
        )
    if args.write_docs:
        write_docs(results, skipped, load)


if __name__ == "__main__":
    main()
