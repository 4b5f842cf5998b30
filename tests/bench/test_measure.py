import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.measure import (
    freshness_lags,
    machine,
    percentile,
    proc_children,
    proc_cpu_seconds,
    wrk_summary,
)
from bench.run import markdown, target_met

ROOT = Path(__file__).resolve().parents[2]


def test_percentile_interpolates_between_closest_ranks():
    values = [5, 1, 4, 2, 3]

    assert percentile(values, 0) == 1
    assert percentile(values, 50) == 3
    assert percentile(values, 100) == 5
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([7], 95) == 7
    with pytest.raises(ValueError):
        percentile([], 50)


def raw_wrk(**overrides):
    raw = {
        "requests": 3000,
        "duration_us": 30_000_000,
        "errors": {"connect": 0, "read": 1, "write": 0, "status": 2, "timeout": 3},
        "latency_us": {"p50": 12_345, "p90": 40_000, "p99": 95_500, "max": 400_000},
        "statuses": {"201": 2998, "500": 1, "409": 1},
        "first_error": "500 boom",
    }
    raw.update(overrides)
    return raw


def test_wrk_summary_counts_socket_errors_and_every_non_2xx_answer():
    summary = wrk_summary(raw_wrk())

    assert summary["per_s"] == 100.0
    assert summary["p50_ms"] == 12.3
    assert summary["p99_ms"] == 95.5
    assert summary["accepted"] == 2998
    assert summary["statuses"] == {201: 2998, 500: 1, 409: 1}
    assert summary["socket_errors"] == 4
    assert summary["errors"] == 6
    assert summary["first_error"] == "500 boom"


def test_wrk_summary_of_a_clean_run_has_no_errors():
    summary = wrk_summary(
        raw_wrk(
            errors={"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
            statuses={"201": 3000},
            first_error="",
        )
    )

    assert summary["errors"] == 0
    assert summary["accepted"] == 3000


def test_freshness_lag_is_time_from_201_to_first_reading_counting_that_many():
    accepted_at = [10.0, 10.1, 10.2]
    readings = [(10.05, 0), (10.3, 1), (10.5, 2), (10.6, 2), (11.0, 3)]

    lags = freshness_lags(accepted_at, readings)

    assert lags == pytest.approx([0.3, 0.4, 0.8])


def test_freshness_ignores_readings_before_the_201_and_leaves_out_unreached_visits():
    # The count already reads 1 before the second visit was acknowledged (another visit's
    # effect): the second visit's lag starts at its own 201.
    accepted_at = [1.0, 2.0, 3.0]
    readings = [(1.5, 2), (2.5, 2)]

    lags = freshness_lags(accepted_at, readings)

    assert lags == pytest.approx([0.5, 0.5])


def test_targets_compare_in_their_direction():
    assert target_met("ingest_visits_per_s", 1200) is True
    assert target_met("ingest_visits_per_s", 999) is False
    assert target_met("ingest_p99_ms", 100) is True
    assert target_met("ingest_p99_ms", 100.1) is False
    assert target_met("ingest_lost", 0) is True
    assert target_met("ingest_nothing", 3) is None
    assert target_met("png_warm_ms", None) is None
    table = markdown({"ingest_p99_ms": 250.0, "seed_s": 12.0, "load": {}})
    assert "| ingest_p99_ms | 250.0 | <= 100 | NO |" in table
    assert "| seed_s | 12.0 |  |  |" in table


def test_machine_and_process_accounting_read_this_process():
    facts = machine()
    child = subprocess.Popen(["sleep", "5"])
    try:
        assert child.pid in proc_children(os.getpid())
    finally:
        child.kill()
        child.wait()

    assert facts["cores"] == os.cpu_count()
    assert facts["memory"].endswith("GiB")
    sum(range(2_000_000))
    assert proc_cpu_seconds([os.getpid()]) > 0
    assert proc_cpu_seconds([2**22 + 7]) == 0  # a process that does not exist costs nothing


class FakeVisits(BaseHTTPRequestHandler):
    """Answers POSTs like the visit API: 201 with the client_uuid, and a 500 every 7th."""

    count = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            FakeVisits.count += 1
            n = FakeVisits.count
        if n % 7 == 0:
            status, answer = 500, b'{"detail": "boom"}'
        else:
            status = 201
            answer = json.dumps({"id": n, "client_uuid": body["client_uuid"]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(
    shutil.which("wrk") is None and os.environ.get("CI") != "true",
    reason="wrk is not installed (apt-get install wrk; .ci/run installs it)",
)
def test_ingest_script_reports_statuses_and_every_acknowledged_uuid(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeVisits)
    server.handle_error = lambda request, address: None  # wrk hangs up mid-answer at the end
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    out, accepted = tmp_path / "out.json", tmp_path / "accepted"
    script = tmp_path / "ingest.lua"
    script.write_text(
        'tokens = {"t1", "t2"}\nstations = {{1, 1000}, {2, 2000}}\nchecklist = 4\n'
        f'path = "/api/v1/visits/"\nout = "{out}"\naccepted_out = "{accepted}"\n'
        + (ROOT / "bench" / "ingest.lua").read_text()
    )
    try:
        subprocess.run(
            ["wrk", "-t", "2", "-c", "4", "-d", "1s", "-s", str(script),
             f"http://127.0.0.1:{server.server_port}/api/v1/visits/"],
            check=True,
            capture_output=True,
        )  # fmt: skip
    finally:
        server.shutdown()

    summary = wrk_summary(json.loads(out.read_text()))
    uuids = [u for part in tmp_path.glob("accepted.*") for u in part.read_text().split()]
    assert summary["requests"] > 10
    assert summary["statuses"][500] == summary["errors"] > 0
    assert summary["accepted"] == summary["statuses"][201] == len(uuids) == len(set(uuids))
    assert summary["first_error"].startswith("500")
    assert all(len(u) == 36 and u[14] == "4" for u in uuids)


def test_the_benchmarks_table_shows_figures_targets_and_failed_steps():
    from bench.report import header, table

    record = {
        "date": "2026-11-28T05:00:00+00:00",
        "wall_s": 812.5,
        "uptime": "05:00:00 up 2:00, load average: 3.10, 3.00, 2.90",
        "machine": {"cores": 2, "cpu": "AMD EPYC", "memory": "23.5 GiB", "python": "3.11.7"},
        "results": {
            "load": {"start": [3.1, 3.0, 2.9], "ingest": [4.2, 3.5, 3.0]},
            "ingest_visits_per_s": 1234,
            "ingest_p99_ms": 180.25,
            "export_rows_per_s": 61234,
            "failures": {"reads 1M": "RuntimeError: /dashboard/ answered 500"},
        },
    }

    text = table(record)

    assert "| Ingest, visits/s (wrk, 32 connections) | 1234 | >= 1000 | yes |" in text
    assert "| Ingest p99 | 180 ms | <= 100 ms | **no** |" in text
    assert "| Export visits.csv, rows/s (1M visits) | 61,234 | >= 50000 | yes |" in text
    assert "| Dashboard p95, 1M visits | not measured | <= 150 ms | failed: RuntimeError" in text
    assert "| Dashboard p95, 100k visits | not measured | <= 150 ms |  |" in text
    assert "start 3.1, ingest 4.2" in header(record)
    assert "2 cores (AMD EPYC), 23.5 GiB" in header(record)
