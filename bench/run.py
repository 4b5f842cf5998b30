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
import csv
import datetime as dt
import io
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.client import HTTPConnection
from pathlib import Path

from bench.measure import (
    freshness_lags,
    load_average,
    machine,
    percentile,
    proc_children,
    proc_cpu_seconds,
    wrk_summary,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8900"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/observatory_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
CONNECTIONS = 32

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


def env_for_server(db_url, redis_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": "observatory-bench",
        "CACHE_KEY_PREFIX": "observatory-bench",
        "DATABASE_CONN_MAX_AGE": "600",
        "AXES_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }


class Http:
    """A keep-alive HTTP client for the bench server (stdlib only)."""

    def __init__(self, token=None, session=None):
        self.conn = HTTPConnection(HOST, PORT, timeout=120)
        self.headers = {}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        if session:
            self.headers["Cookie"] = f"sessionid={session}"

    def request(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if isinstance(body, dict | list) else body
        hdrs = {**self.headers, **(headers or {})}
        if isinstance(body, dict | list):
            hdrs["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=hdrs)
            response = self.conn.getresponse()
        except (ConnectionError, OSError):
            # gunicorn's sync workers close the connection after each answer: reconnect once.
            self.conn.close()
            self.conn = HTTPConnection(HOST, PORT, timeout=120)
            self.conn.request(method, path, body=data, headers=hdrs)
            response = self.conn.getresponse()
        return response.status, response.read(), response

    def timed_get(self, path):
        started = time.perf_counter()
        status, body, _ = self.request("GET", path)
        return status, body, time.perf_counter() - started


def visit_body(*, station, registered, checklist, rng) -> dict:
    """A valid VOTING visit (the same answers ``bench/ingest.lua`` sends)."""
    minute = rng.randint(8 * 60, 19 * 60)
    return {
        "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "station": station,
        "checklist": checklist,
        "arrived_at": f"2022-11-20T{minute // 60:02d}:{minute % 60:02d}:00+06:00",
        "voters_so_far": registered // 3,
        "assessment": "GOOD",
        "answers": {
            "V01": False,
            "V03": True,
            "V04": True,
            "V05": False,
            "V06": False,
            "V07": "NONE",
            "V08": False,
            "V09": False,
            "V11": False,
            "V12": False,
        },
    }


class Bench:
    def __init__(self, args):
        self.args = args
        self.db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
        self.redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
        self.results = {"load": {}}
        self.processes = {}
        self.workdir = Path(tempfile.mkdtemp(prefix="observatory-bench-"))

    # -- setup -------------------------------------------------------------------------
    def log(self, message):
        print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)

    def django(self):
        os.environ.update(env_for_server(self.db_url, self.redis_url))
        import django

        django.setup()

    def fresh_database(self):
        import psycopg2

        parsed = urllib.parse.urlparse(self.db_url)
        name = parsed.path.lstrip("/")
        conn = psycopg2.connect(
            host=parsed.hostname, port=parsed.port, user=parsed.username, dbname="postgres"
        )
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env_for_server(self.db_url, self.redis_url),
            check=True,
        )

    def seed(self):
        from bench.seed import seed_scale

        started = time.monotonic()
        self.mission = seed_scale(visits=self.args.visits)
        self.results["seed_s"] = round(time.monotonic() - started, 2)
        self.results["seed_visits"] = self.args.visits
        self.log(f"seeded {self.args.visits} visits in {self.results['seed_s']} s")

    def prepare_clients(self):
        from django.contrib.auth import get_user_model
        from django.contrib.sessions.backends.db import SessionStore
        from rest_framework.authtoken.models import Token

        from missions.models import Observer
        from observation.models import Checklist

        User = get_user_model()
        coordinator = User.objects.get(username="coordinator")
        self.coordinator_token = Token.objects.get_or_create(user=coordinator)[0].key
        observers = Observer.objects.filter(mission=self.mission).select_related("user")
        self.observer_tokens = [Token.objects.get_or_create(user=o.user)[0].key for o in observers]
        self.stations = list(
            self.mission.stations.order_by("id").values_list("id", "registered_voters")
        )
        self.voting_checklist = Checklist.objects.get(
            mission=self.mission, stage="VOTING", is_current=True
        ).pk
        session = SessionStore()
        session["_auth_user_id"] = str(coordinator.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = coordinator.get_session_auth_hash()
        session.create()
        self.coordinator_session = session.session_key

    def start_servers(self):
        env = env_for_server(self.db_url, self.redis_url)
        subprocess.run(
            ["redis-cli", "-u", self.redis_url, "FLUSHDB"], check=False, capture_output=True
        )
        self.processes["celery"] = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning"),
                *("--concurrency", "2", "-Q", "observatory-bench"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "celery.log", "w"),  # noqa: SIM115
        )
        self.processes["gunicorn"] = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                *("--bind", f"{HOST}:{PORT}", "--workers", "4"),
                *("--log-level", "warning", "--timeout", "120"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "gunicorn.log", "w"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = Http().request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not come up")
        self.warm_up()

    def warm_up(self):
        """Every gunicorn worker imports the URLconf, views and DRF on its first request
        (2-4 s on a loaded machine): make each of them serve a few before measuring."""
        paths = ["/healthz", f"/missions/{self.mission.pk}/dashboard/"]
        threads = []
        for _ in range(8):
            client = Http(session=self.coordinator_session)
            threads.append(
                threading.Thread(
                    target=lambda c=client: [c.request("GET", p) for p in paths * 3], daemon=True
                )
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    def stop_servers(self):
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = {}

    # -- CPU accounting ----------------------------------------------------------------
    def db_backends(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [pid for (pid,) in cursor.fetchall()]

    def cpu_snapshot(self):
        """CPU seconds so far of the gunicorn workers, each database backend serving this
        database, the Celery worker (with its pool) and the harness's children (wrk)."""
        app = proc_children(self.processes["gunicorn"].pid)
        celery = [self.processes["celery"].pid, *proc_children(self.processes["celery"].pid)]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "app": proc_cpu_seconds(app),
            "db": {pid: proc_cpu_seconds([pid]) for pid in self.db_backends()},
            "celery": proc_cpu_seconds(celery),
            "client": children.ru_utime + children.ru_stime,
        }

    def cpu_delta(self, before, requests):
        """CPU milliseconds per request spent by each part since ``before``."""
        after = self.cpu_snapshot()
        # A backend that appeared meanwhile started from zero; one that ended is not counted.
        db = sum(seconds - before["db"].get(pid, 0.0) for pid, seconds in after["db"].items())
        per = max(requests, 1)
        return {
            "app_cpu_ms": round((after["app"] - before["app"]) * 1000 / per, 2),
            "db_cpu_ms": round(db * 1000 / per, 2),
            "celery_cpu_ms": round((after["celery"] - before["celery"]) * 1000 / per, 2),
            "wrk_cpu_ms": round((after["client"] - before["client"]) * 1000 / per, 2),
        }

    # -- benchmarks --------------------------------------------------------------------
    def wrk(self, name, path, seconds):
        """wrk on ``path`` (8 s warm-up, then ``seconds`` measured): summary and CPU costs."""
        if not shutil.which("wrk"):
            raise RuntimeError("wrk is not installed: apt-get install wrk")
        out = self.workdir / f"wrk-{name}.json"
        accepted = self.workdir / f"accepted-{name}"
        script = self.workdir / f"{name}.lua"
        prelude = (
            "tokens = {" + ",".join(f'"{t}"' for t in self.observer_tokens) + "}\n"
            "stations = {" + ",".join(f"{{{i},{r}}}" for i, r in self.stations) + "}\n"
            f'checklist = {self.voting_checklist}\npath = "{path}"\nout = "{out}"\n'
            f'accepted_out = "{accepted}"\n'
        )
        warm = self.workdir / f"{name}-warm.lua"
        warm.write_text(
            prelude.replace(str(accepted), str(accepted) + "-warm")
            + (ROOT / "bench" / "ingest.lua").read_text()
        )
        script.write_text(prelude + (ROOT / "bench" / "ingest.lua").read_text())
        url = f"http://{HOST}:{PORT}{path}"
        base = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "--timeout", "10s"]
        subprocess.run([*base, "-d", "8s", "-s", str(warm), url], check=True, capture_output=True)
        before = self.cpu_snapshot()
        subprocess.run(
            [*base, "-d", f"{seconds}s", "-s", str(script), url], check=True, capture_output=True
        )
        summary = wrk_summary(json.loads(out.read_text()))
        summary.update(self.cpu_delta(before, summary["requests"]))
        uuids = []
        for part in sorted(self.workdir.glob(f"accepted-{name}.*")):
            uuids += [line for line in part.read_text().split() if line]
        summary["acknowledged_uuids"] = uuids
        return summary

    def bench_ingest(self):
        from django.db import connection

        from bench.ceiling import CREATE_TABLE
        from observation.models import Visit

        with connection.cursor() as cursor:
            cursor.execute(CREATE_TABLE)
        seconds = self.args.seconds
        self.log(f"ceiling: wrk {CONNECTIONS} connections, {seconds} s")
        ceiling = self.wrk("ceiling", "/bench/ceiling/", seconds)
        self.results["load"]["ingest"] = load_average()
        self.log(f"ingest: wrk {CONNECTIONS} connections, {seconds} s")
        ingest = self.wrk("ingest", "/api/v1/visits/", seconds)
        uuids = ingest.pop("acknowledged_uuids")
        ceiling.pop("acknowledged_uuids")
        stored = 0
        for start in range(0, len(uuids), 5000):
            stored += Visit.objects.filter(client_uuid__in=uuids[start : start + 5000]).count()
        self.results.update(
            {
                "ingest_visits_per_s": round(ingest["per_s"]),
                "ingest_p50_ms": ingest["p50_ms"],
                "ingest_p99_ms": ingest["p99_ms"],
                "ingest_errors": ingest["errors"],
                "ingest_statuses": ingest["statuses"],
                "ingest_accepted": ingest["accepted"],
                "ingest_acknowledged_stored": stored,
                # Every 201 that wrk saw names a visit; each must be in the database.
                "ingest_lost": ingest["accepted"] - stored,
                "ingest_app_cpu_ms": ingest["app_cpu_ms"],
                "ingest_db_cpu_ms": ingest["db_cpu_ms"],
                "ingest_celery_cpu_ms": ingest["celery_cpu_ms"],
                "ceiling_per_s": round(ceiling["per_s"]),
                "ceiling_p99_ms": ceiling["p99_ms"],
                "ceiling_errors": ceiling["errors"],
                "ceiling_app_cpu_ms": ceiling["app_cpu_ms"],
                "ceiling_db_cpu_ms": ceiling["db_cpu_ms"],
                "ingest_ratio_to_ceiling": round(ingest["per_s"] / ceiling["per_s"], 3)
                if ceiling["per_s"]
                else None,
            }
        )
        if ingest["first_error"]:
            self.results["ingest_first_error"] = ingest["first_error"][:300]

    def national_visits_reader(self):
        """How many visits the national coverage aggregate counts: through the aggregates
        API when it answers, else from the table the API reads (recorded as the source)."""
        path = f"/api/v1/missions/{self.mission.pk}/aggregates/coverage/?level=national"
        status, _, _ = Http(token=self.coordinator_token).request("GET", path)
        if status == 200:
            self.results["freshness_source"] = "aggregates API"
            reader = Http(token=self.coordinator_token)

            def read():
                _, data, _ = reader.request("GET", path)
                return json.loads(data)["rows"][0]["visits"]

            return read
        from reports.models import CoverageAggregate

        self.results["freshness_source"] = f"coverage table (the API answered {status})"

        def read_table():
            row = CoverageAggregate.objects.filter(
                mission=self.mission, level="national"
            ).values_list("visits", flat=True)
            return row.first() or 0

        return read_table

    def bench_freshness(self, rate=100, seconds=15, posters=8):
        """Post at ``rate`` visits/s from ``posters`` connections; time from each 201 until the
        national coverage aggregate counts that many of the posted visits."""
        import random

        read = self.national_visits_reader()
        base = read()
        total = rate * seconds
        accepted_at, observations, failures = [], [], []
        lock = threading.Lock()
        stop = threading.Event()
        next_k = iter(range(total))
        started = time.perf_counter() + 0.5

        def post(token):
            client = Http(token=token)
            rng = random.Random(token)
            while True:
                with lock:
                    k = next(next_k, None)
                if k is None or time.perf_counter() > started + seconds * 2:
                    return  # a server that cannot keep up is not waited for past 2x the time
                delay = started + k / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                station, registered = self.stations[rng.randrange(len(self.stations))]
                body = visit_body(
                    station=station,
                    registered=registered,
                    checklist=self.voting_checklist,
                    rng=rng,
                )
                status, data, _ = client.request("POST", "/api/v1/visits/", body)
                if status == 201:
                    with lock:
                        accepted_at.append(time.perf_counter())
                else:
                    failures.append(f"{status}: {data[:200]!r}")

        def poll():
            while not stop.is_set():
                count = read() - base
                observations.append((time.perf_counter(), count))
                time.sleep(0.02)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        workers = [
            threading.Thread(target=post, args=(self.observer_tokens[i],), daemon=True)
            for i in range(posters)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        sent_for = time.perf_counter() - started
        # Wait for a reading taken after the last 201 that counts every accepted visit: the
        # aggregates may count a visit before its poster thread has timed the 201, and a
        # reading older than the 201 cannot stand for it (``freshness_lags``).
        deadline = time.perf_counter() + 30
        last_accepted = max(accepted_at, default=0.0)
        while time.perf_counter() < deadline:
            if observations:
                when, count = observations[-1]
                if when >= last_accepted and count >= len(accepted_at):
                    break
            time.sleep(0.05)
        stop.set()
        poller.join()
        lags = freshness_lags(accepted_at, observations)
        self.results["freshness_rate_per_s"] = round(len(accepted_at) / sent_for, 1)
        self.results["freshness_errors"] = len(failures)
        if failures:
            self.results["freshness_first_error"] = failures[0][:300]
        self.results["freshness_unreflected"] = len(accepted_at) - len(lags)
        if lags:
            self.results["freshness_p50_s"] = round(percentile(lags, 50), 3)
            self.results["freshness_p95_s"] = round(percentile(lags, 95), 3)
            self.results["freshness_max_s"] = round(max(lags), 3)

    def bench_reads(self, label, repeat=60):
        api = Http(token=self.coordinator_token)
        m = self.mission.pk
        paths = [
            f"/api/v1/missions/{m}/aggregates/{kind}/?level={level}"
            for kind in ("turnout", "assessments", "findings", "coverage")
            for level in ("national", "region", "district")
        ]
        page = Http(session=self.coordinator_session)
        path = f"/missions/{m}/dashboard/"
        timings = []
        page.timed_get(path)  # the first answer fills per-process caches
        for _ in range(repeat // 2):
            status, _, seconds = page.timed_get(path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            timings.append(seconds)
        self.results[f"dashboard_p50_ms_{label}"] = round(percentile(timings, 50) * 1000, 1)
        self.results[f"dashboard_p95_ms_{label}"] = round(percentile(timings, 95) * 1000, 1)
        if label == "100k":
            self.bench_filtered_dashboard(page, label, repeat)
        timings = []
        for _ in range(max(1, repeat // len(paths))):
            for path in paths:
                status, _, seconds = api.timed_get(path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                timings.append(seconds)
        self.results[f"aggregates_api_p50_ms_{label}"] = round(percentile(timings, 50) * 1000, 1)
        self.results[f"aggregates_api_p95_ms_{label}"] = round(percentile(timings, 95) * 1000, 1)

    def bench_filtered_dashboard(self, page, label, repeat):
        """The dashboard narrowed to one organisation (about a tenth of the visits), and to a
        three-hour window (about a quarter): counted from the visits, not the aggregates."""
        from django.db import connection

        from missions.models import Organisation

        # This machine's PostgreSQL runs without autovacuum; a deployment's would have
        # vacuumed the visits by now (the narrowed reads are index-only scans, which need
        # the visibility map that VACUUM sets) and analysed every table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) observation_visit, observation_finding")
            cursor.execute("ANALYZE")
        organisation = Organisation.objects.filter(mission=self.mission).order_by("id").first().pk
        m = self.mission.pk
        for name, query in (
            ("org", f"?organisation={organisation}"),
            ("window", "?since=09:00&until=12:00"),
        ):
            path = f"/missions/{m}/dashboard/{query}"
            page.timed_get(path)
            timings = []
            for _ in range(repeat // 2):
                status, _, seconds = page.timed_get(path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                timings.append(seconds)
            self.results[f"dashboard_{name}_p50_ms_{label}"] = round(
                percentile(timings, 50) * 1000, 1
            )
            self.results[f"dashboard_{name}_p95_ms_{label}"] = round(
                percentile(timings, 95) * 1000, 1
            )

    def bench_reconcile(self, label):
        from django.core.management import call_command

        started = time.monotonic()
        call_command("reconcile_aggregates", mission=self.mission.pk, stdout=io.StringIO())
        self.results[f"reconcile_{label}_s"] = round(time.monotonic() - started, 2)

    def bench_import(self):
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        admin = get_user_model().objects.get(username="admin")  # staff: may create missions
        api = Http(token=Token.objects.get_or_create(user=admin)[0].key)
        status, data, _ = api.request(
            "POST",
            "/api/v1/missions/",
            {
                "name": "Import bench",
                "country": "KZ",
                "election_date": "2022-11-20",
                "timezone": "Asia/Almaty",
                "polls_open": "07:00",
                "polls_close": "20:00",
            },
        )
        if status != 201:
            raise RuntimeError(f"mission create answered {status}: {data[:200]!r}")
        mission_id = json.loads(data)["id"]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["code", "name", "region", "district", "registered_voters"])
        for code, name, region, district, registered in self.mission.stations.values_list(
            "code", "name", "region__name", "district__name", "registered_voters"
        ):
            writer.writerow([code, name, region, district, registered])
        payload = buffer.getvalue().encode()
        boundary = "benchboundary7MA4YWxkTrZu0gW"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="stations.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + payload
            + f"\r\n--{boundary}--\r\n".encode()
        )
        started = time.perf_counter()
        status, data, _ = api.request(
            "POST",
            f"/api/v1/missions/{mission_id}/stations/import/",
            body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"import answered {status}: {data[:300]!r}")
        self.results["import_10101_stations_s"] = round(elapsed, 2)
        self.results["import_created"] = json.loads(data)["created"]

    def bench_export(self):
        """Stream visits.csv through the app in a fresh process; peak RSS from the kernel."""
        probe = subprocess.run(
            [sys.executable, "-m", "bench.export_probe", str(self.mission.pk)],
            cwd=ROOT,
            env=env_for_server(self.db_url, self.redis_url),
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            raise RuntimeError((probe.stderr or probe.stdout).strip().splitlines()[-1][:300])
        self.results.update(json.loads(probe.stdout.strip().splitlines()[-1]))

    def bench_charts(self):
        api = Http(token=self.coordinator_token)
        status, data, _ = api.request(
            "POST", f"/api/v1/missions/{self.mission.pk}/briefings/", {"title": "Bench"}
        )
        if status != 201:
            raise RuntimeError(f"briefing create answered {status}: {data[:200]!r}")
        status, data, _ = api.request("GET", f"/api/v1/briefings/{json.loads(data)['id']}/")
        briefing = json.loads(data)
        charts = [urllib.parse.urlparse(chart["png"]).path for chart in briefing["charts"]]
        timings = []
        # Each gunicorn worker starts its own Chromium on its first PNG: the first answer is
        # the cold one; the warm figure is the median once every worker has rendered.
        for path in (charts * 4)[:16]:
            status, body, seconds = api.timed_get(path)
            if status != 200 or not body.startswith(b"\x89PNG"):
                raise RuntimeError(f"{path} answered {status}: {body[:200]!r}")
            timings.append(seconds)
        self.results["png_cold_ms"] = round(timings[0] * 1000)
        self.results["png_warm_ms"] = round(statistics.median(timings[8:]) * 1000)
        pack = urllib.parse.urlparse(briefing["pack"]).path
        started = time.perf_counter()
        for _ in range(600):
            status, body, _ = api.request("GET", pack)
            if status == 200 and body.startswith(b"%PDF"):
                break
            time.sleep(0.25)
        else:
            raise RuntimeError(f"briefing pack not ready: {status}")
        self.results["pack_s"] = round(time.perf_counter() - started, 2)

    def grow_to(self, visits):
        from bench.seed import add_visits
        from observation.models import Visit

        started = time.monotonic()
        # Written as already counted: "reconcile 1M" then measures the periodic rebuild of a
        # million visits, not the claim of 900,000 unannounced ones (see bench/seed.py).
        add_visits(
            mission=self.mission,
            count=visits - Visit.objects.filter(mission=self.mission).count(),
            aggregated=True,
        )
        self.results["seed_to_1m_s"] = round(time.monotonic() - started, 2)

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
