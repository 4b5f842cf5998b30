"""Processes the fault drill starts, stops and kills: a PostgreSQL cluster of its own, a
gunicorn serving the app with the production settings, and phones that post visits to it.

Everything listens on 127.0.0.1 only, on ports the operating system hands out, and lives in a
temporary directory: the shared PostgreSQL and Redis of the machine are never touched.
"""

import glob
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .workers import ROOT, unavailable

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(found[0]).parent if found else None


class PostgresCluster:
    """``initdb`` + ``pg_ctl`` in a temporary directory, on a port of its own. Run as the
    ``postgres`` OS user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self):
        self.bin = _postgres_bin()
        if self.bin is None:
            unavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        self.dir = Path(tempfile.mkdtemp(prefix="drill-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, user=self.user)

    def _run(self, *args, check=True, **kwargs):
        return subprocess.run(  # noqa: S603 - the system's PostgreSQL tools
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            check=check,
            capture_output=True,
            text=True,
            timeout=60,
            **kwargs,
        )

    def url(self, database="drill") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self):
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self):
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        log = self.dir / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")
        return self

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def copy_database(self, source_url: str, name="drill"):
        """The source database (schema and rows) into a new database of this cluster."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        dump = subprocess.Popen(  # noqa: S603
            [str(self.bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
            stdout=subprocess.PIPE,
        )
        self._run("psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(name), stdin=dump.stdout)
        assert dump.wait(timeout=60) == 0

    def query(self, sql: str, database="drill") -> list[list[str]]:
        out = self._run("psql", "-At", "-F", "\t", "-d", self.url(database), "-c", sql).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def production_env(*, database_url: str, redis_url: str, **extra) -> dict:
    """The environment of a deployment (config.settings.production), on loopback."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


class WebServer:
    """gunicorn with the app's WSGI application, as docker-compose runs it."""

    def __init__(self, env: dict, workers: int = 2):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.process = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the server's life
            prefix="drill-gunicorn-", suffix=".log", delete=False
        )

    def start(self):
        if not GUNICORN.exists():
            unavailable(f"no gunicorn at {GUNICORN}")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(GUNICORN),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/healthz")[0] in (200, 503):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start:\n{self.output()}")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(  # noqa: S603
            ["/usr/bin/pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-6000:]


def request(port, method, path, body=None, token=None, timeout=10.0):
    """``(status, content type, parsed JSON or text)``; raises OSError when nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        kind = response.getheader("Content-Type", "")
    finally:
        conn.close()
    if kind.startswith("application/json"):
        return response.status, kind, json.loads(raw)
    return response.status, kind, raw.decode(errors="replace")


class Log:
    """Every answer the drill got: what was asked, in which phase it was sent and in which it
    was answered, how long it took and the status (or the exception that came instead)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "start"
        self.answers: list[tuple[str, str, str, float, int | str]] = []

    def add(self, what, seconds, status, sent_in):
        with self.lock:
            self.answers.append((what, sent_in, self.phase, seconds, status))

    def statuses(self, phase=None, what="visit"):
        """Statuses of the requests sent in ``phase`` (every phase: None)."""
        return [s for w, p, _a, _t, s in self.answers if w == what and phase in (None, p)]

    def seconds(self, phase=None, what="visit"):
        return [t for w, p, _a, t, _s in self.answers if w == what and phase in (None, p)]

    def server_errors(self, phases, what="visit"):
        """5xx answers to requests both sent and answered within ``phases``."""
        return [
            (p, a, s)
            for w, p, a, _t, s in self.answers
            if w == what and p in phases and a in phases and isinstance(s, int) and s >= 500
        ]
