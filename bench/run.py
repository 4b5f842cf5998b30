"""``make bench``: Observatory's benchmarks at election scale, in one run of under 15 minutes.

Seeds a fresh PostgreSQL database (BENCH_DATABASE_URL) with the benchmark mission, starts
gunicorn (4 workers) and a Celery worker on the real Redis (BENCH_REDIS_URL), and measures:
ingest and the bare ceiling (wrk, 32 connections), freshness at 100 visits/s, aggregates API
and dashboard read latency at 100,000 and 1,000,000 visits, reconcile time at both sizes,
the import of 10,101 stations, the export of a million visits, and chart export.
Results go to ``bench/results/<timestamp>.json`` and a Markdown table on stdout.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8900"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/observatory_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"

TARGETS = {
    "ingest_visits_per_s": ">= 1000",
    "ingest_ratio_to_ceiling": ">= 0.46",
    "ingest_p99_ms": "<= 100",
    "freshness_p95_s": "<= 1.0",
    "aggregates_api_p95_ms": "<= 50",
    "dashboard_p95_ms": "<= 150",
    "reconcile_100k_s": "<= 5",
    "import_10101_stations_s": "<= 5",
    "export_rows_per_s": ">= 50000",
    "export_peak_mb": "<= 200",
    "png_warm_ms": "<= 500",
}


def percentile(values, p):
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def env_for_server(db_url, redis_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": "observatory-bench",
        "DATABASE_CONN_MAX_AGE": "600",
        "AXES_ENABLED": "false",
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
        self.conn.request(method, path, body=data, headers=hdrs)
        response = self.conn.getresponse()
        return response.status, response.read(), response

    def timed_get(self, path):
        started = time.perf_counter()
        status, body, _ = self.request("GET", path)
        return status, body, time.perf_counter() - started


class Bench:
    def __init__(self, args):
        self.args = args
        self.db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
        self.redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
        self.results = {}
        self.processes = []
        self.workdir = Path(tempfile.mkdtemp(prefix="observatory-bench-"))

    # -- setup -------------------------------------------------------------------------
    def log(self, message):
        print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)

    def django(self):
        os.environ.update(
            {k: v for k, v in env_for_server(self.db_url, self.redis_url).items() if k not in ()}
        )
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
        self.results["seed_100k_s"] = round(time.monotonic() - started, 2)
        self.log(f"seeded {self.args.visits} visits in {self.results['seed_100k_s']} s")

    def prepare_clients(self):
        from django.contrib.auth import get_user_model
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
        from django.contrib.sessions.backends.db import SessionStore

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
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-l",
                    "warning",
                    "--concurrency",
                    "2",
                    "-Q",
                    "observatory-bench",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--bind",
                    f"{HOST}:{PORT}",
                    "--workers",
                    "4",
                    "--log-level",
                    "warning",
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(100):
            try:
                status, _, _ = Http().request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not come up")

    def stop_servers(self):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []

    # -- benchmarks --------------------------------------------------------------------
    def wrk(self, path, seconds, before_measuring=None):
        """Run wrk on ``path`` after a 3 s warm-up; ``before_measuring`` runs in between."""
        if not shutil.which("wrk"):
            raise RuntimeError("wrk is not installed: apt-get install wrk")
        out = self.workdir / f"wrk-{path.strip('/').replace('/', '-')}.json"
        script = self.workdir / "ingest.lua"
        prelude = (
            "tokens = {" + ",".join(f'"{t}"' for t in self.observer_tokens) + "}\n"
            "stations = {" + ",".join(f"{{{i},{r}}}" for i, r in self.stations) + "}\n"
            f'checklist = {self.voting_checklist}\npath = "{path}"\nout = "{out}"\n'
        )
        script.write_text(prelude + (ROOT / "bench" / "ingest.lua").read_text())
        # Warm every gunicorn worker (imports, connections, caches) before measuring.
        subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                "32",
                "-d",
                "3s",
                "-s",
                str(script),
                f"http://{HOST}:{PORT}{path}",
            ],
            check=True,
            capture_output=True,
        )
        if before_measuring:
            before_measuring()
        subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                "32",
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://{HOST}:{PORT}{path}",
            ],
            check=True,
            capture_output=True,
        )
        return json.loads(out.read_text())

    def bench_ingest(self):
        from django.db import connection

        from bench.ceiling import CREATE_TABLE
        from observation.models import Visit

        with connection.cursor() as cursor:
            cursor.execute(CREATE_TABLE)
        seconds = self.args.seconds
        self.log(f"ceiling: wrk 32 connections, {seconds} s")
        ceiling = self.wrk("/bench/ceiling/", seconds)
        counts = []
        self.log(f"ingest: wrk 32 connections, {seconds} s")
        ingest = self.wrk("/api/v1/visits/", seconds, lambda: counts.append(Visit.objects.count()))
        time.sleep(1)  # let requests still in flight when wrk stopped commit
        stored = Visit.objects.count() - counts[0]
        ok = ingest["requests"] - ingest["errors"]["status"]
        rate = ingest["requests"] / (ingest["duration_us"] / 1e6)
        ceiling_rate = ceiling["requests"] / (ceiling["duration_us"] / 1e6)
        self.results.update(
            {
                "ingest_visits_per_s": round(rate),
                "ingest_p50_ms": round(ingest["latency_us"]["p50"] / 1000, 1),
                "ingest_p99_ms": round(ingest["latency_us"]["p99"] / 1000, 1),
                "ingest_errors": sum(ingest["errors"].values()),
                "ingest_accepted": ok,
                "ingest_stored": stored,
                # wrk does not count responses still in flight when it stops (<= connections).
                "ingest_nothing_lost": ingest["errors"]["status"] == 0 and ok <= stored <= ok + 32,
                "ceiling_per_s": round(ceiling_rate),
                "ceiling_p99_ms": round(ceiling["latency_us"]["p99"] / 1000, 1),
                "ingest_ratio_to_ceiling": round(rate / ceiling_rate, 3),
            }
        )

    def bench_freshness(self, rate=100, seconds=15):
        """Post at ``rate`` visits/s; for every 10th, time from its 201 to the aggregates
        (national coverage ``visits``) counting it."""
        import random
        import threading
        import uuid

        client = Http(token=self.observer_tokens[0])
        path = f"/api/v1/missions/{self.mission.pk}/aggregates/coverage/?level=national"
        status, body, _ = Http(token=self.coordinator_token).request("GET", path)
        if status != 200:
            raise RuntimeError(f"coverage API answered {status}")
        base = json.loads(body)["rows"][0]["visits"]
        accepted_at = {}
        reflected = {}
        stop = threading.Event()

        def poll():
            reader = Http(token=self.coordinator_token)
            while not stop.is_set():
                _, data, _ = reader.request("GET", path)
                count = json.loads(data)["rows"][0]["visits"] - base
                now = time.perf_counter()
                for k in list(accepted_at):
                    if k <= count and k not in reflected:
                        reflected[k] = now
                time.sleep(0.02)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        rng = random.Random(3)
        total = rate * seconds
        started = time.perf_counter()
        for k in range(1, total + 1):
            station, registered = self.stations[rng.randrange(len(self.stations))]
            minute = rng.randint(8 * 60, 19 * 60)
            body = {
                "client_uuid": str(uuid.uuid4()),
                "station": station,
                "checklist": self.voting_checklist,
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
            status, data, _ = client.request("POST", "/api/v1/visits/", body)
            if status != 201:
                raise RuntimeError(f"visit POST answered {status}: {data[:300]!r}")
            accepted_at[k] = time.perf_counter()
            delay = started + k / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        deadline = time.perf_counter() + 30
        while len(reflected) < total and time.perf_counter() < deadline:
            time.sleep(0.05)
        stop.set()
        poller.join()
        lags = [reflected[k] - accepted_at[k] for k in accepted_at if k in reflected]
        self.results["freshness_p95_s"] = round(percentile(lags, 95), 3)
        self.results["freshness_max_s"] = round(max(lags), 3)
        self.results["freshness_unreflected"] = total - len(lags)

    def bench_reads(self, label, repeat=60):
        api = Http(token=self.coordinator_token)
        m = self.mission.pk
        paths = [
            f"/api/v1/missions/{m}/aggregates/{kind}/?level={level}"
            for kind in ("turnout", "assessments", "findings", "coverage")
            for level in ("national", "region", "district")
        ]
        timings = []
        for _ in range(max(1, repeat // len(paths))):
            for path in paths:
                status, _, seconds = api.timed_get(path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                timings.append(seconds)
        self.results[f"aggregates_api_p95_ms_{label}"] = round(percentile(timings, 95) * 1000, 1)
        page = Http(session=self.coordinator_session)
        path = f"/missions/{m}/dashboard/"
        timings = []
        for _ in range(repeat // 2):
            status, _, seconds = page.timed_get(path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            timings.append(seconds)
        self.results[f"dashboard_p95_ms_{label}"] = round(percentile(timings, 95) * 1000, 1)

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
            check=True,
            capture_output=True,
            text=True,
        )
        self.results.update(json.loads(probe.stdout.strip().splitlines()[-1]))

    def bench_charts(self):
        api = Http(token=self.coordinator_token)
        status, data, _ = api.request(
            "POST", f"/api/v1/missions/{self.mission.pk}/briefings/", {"title": "Bench"}
        )
        if status != 201:
            raise RuntimeError(f"briefing create answered {status}: {data[:200]!r}")
        briefing = json.loads(
            Http(token=self.coordinator_token).request(
                "GET", f"/api/v1/briefings/{json.loads(data)['id']}/"
            )[1]
        )
        charts = briefing["charts"]
        timings = []
        for chart in charts[:4]:
            path = urllib.parse.urlparse(chart["png"]).path
            status, body, seconds = api.timed_get(path)
            if status != 200 or not body.startswith(b"\x89PNG"):
                raise RuntimeError(f"{path} answered {status}")
            timings.append(seconds)
        self.results["png_cold_ms"] = round(timings[0] * 1000)
        self.results["png_warm_ms"] = round(statistics.median(timings[1:]) * 1000)
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

        started = time.monotonic()
        add_visits(mission=self.mission, count=visits - self.args.visits)
        self.results["seed_to_1m_s"] = round(time.monotonic() - started, 2)

    # -- driver ------------------------------------------------------------------------
    def step(self, name, function, *args):
        started = time.monotonic()
        try:
            function(*args)
            self.log(f"{name}: done in {time.monotonic() - started:.1f} s")
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the rest
            self.results.setdefault("failures", {})[name] = f"{type(exc).__name__}: {exc}"
            self.log(f"{name}: FAILED {exc}")

    def run(self):
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
        finally:
            self.stop_servers()
        return self.results


def machine():
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


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
        "wall_s": round(time.monotonic() - started, 1),
        "results": results,
        "targets": TARGETS,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(record, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}\n")
    print("| measure | value |")
    print("|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")
    if results.get("failures"):
        sys.exit(1)


if __name__ == "__main__":
    main()
