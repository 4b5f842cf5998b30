"""The benchmark harness's server side: the gunicorn and Celery processes, an HTTP client,
the benchmark database and the CPU accounting every throughput figure carries."""

import datetime as dt
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

from bench.measure import (
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


class BenchServer:
    """Starts and stops the servers, seeds the database, counts CPU (see bench.run.Bench)."""

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
