"""Real Celery workers and a throw-away redis-server for the integration tests.

Under ``CI=true`` a missing Redis, PostgreSQL or ``celery`` is a failure; elsewhere the tests
skip and say why.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def unavailable(reason: str):
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def require_services(redis_url: str | None = None):
    if not CELERY.exists():
        unavailable(f"no celery executable at {CELERY}")
    url = redis_url or settings.TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {url} is unreachable ({exc})")


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = f"{auth}@" if auth else ""
    socket_dir = db.get("OPTIONS", {}).get("host") or (
        db["HOST"] if db["HOST"].startswith("/") else ""
    )
    if socket_dir:  # the embedded server listens on a Unix socket only
        return f"postgres://{host}/{db['NAME']}?host={quote(socket_dir)}"
    return f"postgres://{host}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """``celery -A config worker`` on the test database, consuming one queue of its own."""

    def __init__(
        self, *, broker_url: str, queue: str, concurrency: int = 2, extra_env=None, log_level=None
    ):
        self.log_level = log_level or os.environ.get("TEST_WORKER_LOG_LEVEL", "warning")
        self.broker_url = broker_url
        self.queue = queue
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.process = None
        self.restarts = 0
        self.logs: list = []  # one file per start: a restarted worker must not write over one

    def start(self):
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the worker's life
            prefix="celery-worker-", suffix=".log", delete=False
        )
        self.logs.append(self.log)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker_url,
            "CELERY_QUEUE": self.queue,
            "LOG_LEVEL": os.environ.get("TEST_WORKER_LOG_LEVEL", "WARNING").upper(),
            **self.extra_env,
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own executable and arguments
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(self.concurrency),
                "-n",
                f"{self.queue}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                self.log_level,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill takes the pool children too
        )
        return self

    def supervise(self) -> bool:
        """Start the worker again if it exited, as the deployment's restart policy does.

        (kombu 5.7's Redis transport can crash the worker with an AttributeError while it
        handles a lost broker connection; ``restart: unless-stopped`` brings it back.)
        """
        if self.process and self.process.poll() is not None:
            self.restarts += 1
            self.start()
        return True

    def kill(self):
        """SIGKILL the worker and its pool processes, as the OOM killer would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        """Warm shutdown: the main process lets its pool finish the tasks at hand."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self, whole=False) -> str:
        text = "".join(Path(log.name).read_text(errors="replace") for log in self.logs)
        return text if whole else text[-4000:]


class RedisServer:
    """A redis-server of our own, on a free port of the range the lead gave us (6391-6399),
    to stop and start at will. Another run of this suite may hold some of those ports: the
    server must answer with our process id before we use it."""

    PORTS = range(6391, 6400)

    def __init__(self):
        self.port = None
        self.process = None
        self.binary = shutil.which("redis-server")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        """Start on a free port; again on the same port after ``stop``."""
        if self.binary is None:
            unavailable("no redis-server executable on PATH")
        ports = [self.port] if self.port else [p for p in self.PORTS if not _listening(p)]
        for port in ports:
            if self._start_on(port):
                self.port = port
                return self
        unavailable(f"no redis-server of ours could listen on {ports}")

    def _start_on(self, port) -> bool:
        self.process = subprocess.Popen(  # noqa: S603
            [
                self.binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                info = redis.Redis(port=port, socket_connect_timeout=0.2).info("server")
                if info.get("process_id") == self.process.pid:
                    return True
            except redis.RedisError:
                pass
            time.sleep(0.05)
        self.stop()
        return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition, *, timeout: float, interval: float = 0.1, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s: {message}")
