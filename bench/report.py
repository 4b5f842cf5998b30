"""The figures table of BENCHMARKS.md from one ``bench/results/<timestamp>.json``.

    python -m bench.report bench/results/20261128T050000Z.json

Every number in the table comes from the JSON; nothing is typed by hand.
"""

import json
import sys

from bench.run import TARGETS, target_met

# (label, key in results, unit): the rows of the table, in the order of issue 11.
ROWS = [
    ("Ingest, visits/s (wrk, 32 connections)", "ingest_visits_per_s", ""),
    ("Bare ceiling, requests/s (one INSERT per request)", "ceiling_per_s", ""),
    ("Ingest / ceiling", "ingest_ratio_to_ceiling", ""),
    ("Ingest p50", "ingest_p50_ms", "ms"),
    ("Ingest p99", "ingest_p99_ms", "ms"),
    ("Ingest errors (socket errors and non-2xx)", "ingest_errors", ""),
    ("Ingest: 201s whose visit is not in the database", "ingest_lost", ""),
    ("Ingest CPU per visit: gunicorn worker", "ingest_app_cpu_ms", "ms"),
    ("Ingest CPU per visit: PostgreSQL backend", "ingest_db_cpu_ms", "ms"),
    ("Ingest CPU per visit: Celery worker", "ingest_celery_cpu_ms", "ms"),
    ("Ceiling CPU per request: gunicorn worker", "ceiling_app_cpu_ms", "ms"),
    ("Ceiling CPU per request: PostgreSQL backend", "ceiling_db_cpu_ms", "ms"),
    ("Freshness p95 (201 -> aggregates count it)", "freshness_p95_s", "s"),
    ("Freshness: rate achieved, visits/s", "freshness_rate_per_s", ""),
    ("Aggregates API p95, 100k visits", "aggregates_api_p95_ms_100k", "ms"),
    ("Aggregates API p95, 1M visits", "aggregates_api_p95_ms_1m", "ms"),
    ("Dashboard p95, 100k visits", "dashboard_p95_ms_100k", "ms"),
    ("Dashboard p95, 1M visits", "dashboard_p95_ms_1m", "ms"),
    ("Dashboard p95, one organisation, 100k visits", "dashboard_org_p95_ms_100k", "ms"),
    ("Dashboard p95, 09:00-12:00 window, 100k visits", "dashboard_window_p95_ms_100k", "ms"),
    ("Reconcile, 100k visits (first build after the seed)", "reconcile_100k_s", "s"),
    ("Reconcile after ingest (about 100k visits)", "reconcile_after_ingest_s", "s"),
    ("Reconcile, 1M visits", "reconcile_1m_s", "s"),
    ("Import of 10,101 stations (API, CSV)", "import_10101_stations_s", "s"),
    ("Export visits.csv, rows/s (1M visits)", "export_rows_per_s", ""),
    ("Export peak memory (RSS)", "export_peak_mb", "MB"),
    ("Chart PNG, cold", "png_cold_ms", "ms"),
    ("Chart PNG, warm", "png_warm_ms", "ms"),
    ("Briefing pack PDF", "pack_s", "s"),
    ("Seed of 100k visits (COPY)", "seed_s", "s"),
    ("Seed from 100k to 1M visits", "seed_to_1m_s", "s"),
]


# Which step of ``bench.run`` produces a measure (to show its failure instead of a figure).
STEPS = {
    "ingest": "ingest",
    "ceiling": "ingest",
    "freshness": "freshness",
    "aggregates": "reads",
    "dashboard": "reads",
    "reconcile": "reconcile",
    "import": "import",
    "export": "export",
    "png": "charts",
    "pack": "charts",
    "seed_to": "grow",
}


def _failure(key: str, failures: dict) -> str | None:
    step = next((step for prefix, step in STEPS.items() if key.startswith(prefix)), None)
    for name, problem in failures.items():
        if step is None or not name.startswith(step):
            continue
        if key.endswith("_1m") and "1M" not in name or key.endswith("_100k") and "100k" not in name:
            continue
        return problem
    return None


def _value(value, unit):
    if value is None:
        return "not measured"
    if isinstance(value, float) and value >= 100:
        value = round(value)
    if isinstance(value, int) and value >= 10_000:
        value = f"{value:,}"
    return f"{value} {unit}".strip()


def table(record: dict) -> str:
    results = record["results"]
    failures = results.get("failures", {})
    lines = ["| measure | value | target | met |", "|---|---|---|---|"]
    for label, key, unit in ROWS:
        value = results.get(key)
        target = " ".join(str(part) for part in TARGETS[key]) + f" {unit}" if key in TARGETS else ""
        met = {True: "yes", False: "**no**", None: ""}[target_met(key, value)]
        problem = _failure(key, failures) if value is None else None
        if problem:
            met = f"failed: {problem[:80]}"
        lines.append(f"| {label} | {_value(value, unit)} | {target.strip()} | {met} |")
    return "\n".join(lines)


def header(record: dict) -> str:
    facts = record["machine"]
    load = record["results"].get("load", {})
    steps = ", ".join(f"{name} {values[0]}" for name, values in load.items())
    return (
        f"Run of {record['date']} ({record['wall_s']} s): {facts['cores']} cores "
        f"({facts.get('cpu', '')}), {facts['memory']}, Python {facts['python']}.\n"
        f"Machine load (1-minute load average) before each step: {steps}.\n"
        f"`uptime` at the end: {record.get('uptime', '')}"
    )


def main():
    record = json.loads(open(sys.argv[1]).read())  # noqa: SIM115
    print(header(record))
    print()
    print(table(record))


if __name__ == "__main__":
    main()
