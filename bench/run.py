"""``make bench``: Observatory's benchmarks at election scale, in one run of under 15 minutes.

Seeds a fresh PostgreSQL database (BENCH_DATABASE_URL) with the benchmark mission, starts
gunicorn (4 sync workers, as the Dockerfile does) and a Celery worker on the real Redis
(BENCH_REDIS_URL), and measures: ingest and the bare ceiling (wrk, 32 connections), freshness
at 100 visits/s, aggregates API and dashboard read latency at 100,000 and 1,000,000 visits,
reconcile time at both sizes, the import of 10,101 stations, the export of a million visits,
and chart export. Beside each throughput figure it records the CPU time the app, PostgreSQL
and the Celery worker spent per request (from ``/proc``), which depends much less on what
else the machine is doing than requests per second do; the machine's load average is
recorded before every step.

Results go to ``bench/results/<timestamp>.json`` and a Markdown table on stdout.
"""

import argparse
import datetime as dt
import json
import subprocess
import sys
import time

from bench.ingest import IngestBenchmarks
from bench.measure import (
    load_average,
    machine,
)
from bench.reads import ReadBenchmarks
from bench.server import RESULTS, ROOT, BenchServer

# measure -> (comparison, target); see BENCHMARKS.md.
TARGETS = {
    "ingest_visits_per_s": (">=", 1000),
    "ingest_ratio_to_ceiling": (">=", 0.46),
    "ingest_p99_ms": ("<=", 100),
    "ingest_errors": ("<=", 0),
    "ingest_lost": ("<=", 0),
    "freshness_p95_s": ("<=", 1.0),
    "aggregates_api_p95_ms_100k": ("<=", 50),
    "aggregates_api_p95_ms_1m": ("<=", 50),
    "dashboard_p95_ms_100k": ("<=", 150),
    "dashboard_p95_ms_1m": ("<=", 150),
    "dashboard_org_p95_ms_100k": ("<=", 150),
    "dashboard_window_p95_ms_100k": ("<=", 150),
    "reconcile_100k_s": ("<=", 5),
    "import_10101_stations_s": ("<=", 5),
    "export_rows_per_s": (">=", 50000),
    "export_peak_mb": ("<=", 200),
    "png_warm_ms": ("<=", 500),
}


def target_met(key, value):
    """True/False for a measure with a target, None when there is none or no number."""
    if key not in TARGETS or not isinstance(value, int | float) or isinstance(value, bool):
        return None
    comparison, target = TARGETS[key]
    return value >= target if comparison == ">=" else value <= target


class Bench(ReadBenchmarks, IngestBenchmarks, BenchServer):
    """The whole run: every benchmark in order, each one a step whose failure hides no other."""

    # -- driver ------------------------------------------------------------------------
    def step(self, name, function, *args):
        self.results["load"][name] = load_average()
        started = time.monotonic()
        try:
            function(*args)
            self.log(f"{name}: done in {time.monotonic() - started:.1f} s")
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the rest
            self.results.setdefault("failures", {})[name] = f"{type(exc).__name__}: {exc}"[:500]
            self.log(f"{name}: FAILED {exc}")

    def run(self):
        self.results["load"]["start"] = load_average()
        self.fresh_database()
        self.django()
        self.seed()
        self.prepare_clients()
        self.step("reconcile 100k", self.bench_reconcile, "100k")
        self.start_servers()
        try:
            self.step("ingest", self.bench_ingest)
            self.step("freshness", self.bench_freshness)
            self.step("reconcile after ingest", self.bench_reconcile, "after_ingest")
            self.step("reads 100k", self.bench_reads, "100k")
            self.step("import", self.bench_import)
            self.step("charts", self.bench_charts)
            if not self.args.skip_million:
                self.step("grow to 1M", self.grow_to, 1_000_000)
                self.step("reconcile 1M", self.bench_reconcile, "1m")
                self.step("reads 1M", self.bench_reads, "1m")
                self.step("export 1M", self.bench_export)
            else:
                self.step("export", self.bench_export)
        finally:
            self.stop_servers()
            self.results["load"]["end"] = load_average()
        return self.results


def markdown(results) -> str:
    lines = ["| measure | value | target | met |", "|---|---|---|---|"]
    for key, value in results.items():
        if key in ("load", "failures"):
            continue
        target = " ".join(map(str, TARGETS[key])) if key in TARGETS else ""
        met = {True: "yes", False: "NO", None: ""}[target_met(key, value)]
        lines.append(f"| {key} | {value} | {target} | {met} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description="Run Observatory's benchmarks.")
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    bench = Bench(args)
    results = bench.run()
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "wall_s": round(time.monotonic() - started, 1),
        "args": vars(args),
        "results": results,
        "targets": {key: " ".join(map(str, value)) for key, value in TARGETS.items()},
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(record, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)} in {record['wall_s']} s; {record['uptime']}\n")
    print(markdown(results))
    for name, problem in results.get("failures", {}).items():
        print(f"FAILED {name}: {problem}")
    if results.get("failures"):
        sys.exit(1)


if __name__ == "__main__":
    main()
