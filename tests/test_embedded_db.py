"""The embedded PostgreSQL of ``make run`` / ``make test``: it starts, serves the URL the
settings read, keeps its data, and leaves nothing running when stopped or interrupted."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import environ
import psutil
import pytest
from django.db.utils import ConnectionHandler

from common.embedded_db import (
    BASE_DIR,
    _orphan_stop,
    embedded_database_url,
    embedded_server_start,
    embedded_server_stop,
)

pytestmark = pytest.mark.slow  # initdb and a few server starts: seconds


def processes_on(data_dir: Path) -> list[dict]:
    """Every process whose command line names ``data_dir`` (the postmaster does)."""
    return [
        p.info
        for p in psutil.process_iter(["pid", "cmdline"])
        if any(str(data_dir) in arg for arg in p.info["cmdline"] or [])
    ]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One cluster for the module (initdb once); whatever a failing test left running on it
    is stopped."""
    path = tmp_path_factory.mktemp("embedded") / "pgdata"
    yield path
    for leftover in processes_on(path):
        if "embedded_db.py" in " ".join(leftover["cmdline"]):
            wrapper_process = psutil.Process(leftover["pid"])
            wrapper_process.terminate()
            wrapper_process.wait(30)
    _orphan_stop(data_dir=path)
    assert processes_on(path) == []


@pytest.fixture
def django_cursor(django_db_blocker):
    """``django_cursor(url)``: a cursor opened the way Django opens ``DATABASE_URL`` in the
    settings (on a server of its own, not the test database)."""
    connections = ConnectionHandler({})

    def cursor(url: str):
        connections.settings = connections.configure_settings(
            {"default": environ.Env.db_url_config(url)}
        )
        return connections["default"].cursor()

    with django_db_blocker.unblock():
        yield cursor
    connections.close_all()


def test_the_settings_default_is_the_socket_in_pgdata():
    assert embedded_database_url() == (
        f"postgres://postgres@/observatory?host={BASE_DIR / '.pgdata'}"
    )
    cfg = environ.Env.db_url_config(embedded_database_url(socket_dir=Path("/a b/.pgdata")))
    assert (cfg["ENGINE"], cfg["NAME"], cfg["USER"]) == (
        "django.db.backends.postgresql",
        "observatory",
        "postgres",
    )
    assert cfg["OPTIONS"] == {"host": "/a b/.pgdata"}


def test_start_serves_postgresql_18_on_a_socket_and_stop_leaves_nothing(data_dir, django_cursor):
    server = embedded_server_start(data_dir=data_dir)
    try:
        assert server.url == embedded_database_url(socket_dir=data_dir)
        assert psutil.Process(server.pid).username() != "root"  # PostgreSQL refuses root
        with django_cursor(server.url) as cursor:
            cursor.execute(
                "SELECT current_database(), current_setting('server_version'),"
                " current_setting('listen_addresses')"
            )
            name, version, listen = cursor.fetchone()
            cursor.execute("CREATE TABLE kept (note text)")
            cursor.execute("INSERT INTO kept VALUES ('from the first run')")
        assert (name, version.split(".")[0], listen) == ("observatory", "18", "")
    finally:
        assert embedded_server_stop(server=server) is True
    assert not psutil.pid_exists(server.pid)
    assert processes_on(data_dir) == []


def test_a_second_start_reuses_the_data(data_dir, django_cursor):
    started = time.monotonic()
    server = embedded_server_start(data_dir=data_dir)
    restart_seconds = time.monotonic() - started
    try:
        with django_cursor(server.url) as cursor:
            cursor.execute("SELECT note FROM kept")
            assert cursor.fetchall() == [("from the first run",)]
    finally:
        embedded_server_stop(server=server)
    assert processes_on(data_dir) == []
    assert restart_seconds < 30, restart_seconds  # no initdb again (it is under a second)


def wrapper(data_dir: Path, *command: str, database_url: str = "") -> subprocess.Popen:
    """``python common/embedded_db.py`` as ``make run`` starts it; an empty DATABASE_URL
    counts as unset (and hides one in .env)."""
    script = BASE_DIR / "common" / "embedded_db.py"
    return subprocess.Popen(
        [sys.executable, str(script), "--data-dir", str(data_dir), *command],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


CONNECT_AND_WAIT = """
import os, signal, sys, time, environ, psycopg2
def leave(signum, frame):
    print("command got signal", signum, flush=True)
    sys.exit(1)
signal.signal(signal.SIGINT, leave)
signal.signal(signal.SIGTERM, leave)
cfg = environ.Env.db_url_config(os.environ["DATABASE_URL"])
conn = psycopg2.connect(host=cfg["OPTIONS"]["host"], user=cfg["USER"], dbname=cfg["NAME"])
cur = conn.cursor()
cur.execute("SELECT pg_backend_pid()")
print("connected", cur.fetchone()[0], flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_wrapper_stops_the_command_then_the_server(data_dir, signum):
    # Sent to the wrapper alone (a terminal's Ctrl-C reaches the command too): the wrapper
    # passes it on, waits for the command, then stops the server.
    never = data_dir.parent / f"never-{signum}"
    run = wrapper(data_dir, sys.executable, "-c", CONNECT_AND_WAIT, "--then", "touch", str(never))
    lines = []
    for line in run.stdout:
        lines.append(line)
        if line.startswith("connected"):
            break
    assert lines[-1].startswith("connected"), lines
    command = psutil.Process(run.pid).children()[0]
    server_pid = int(lines[0].split("(pid ")[1].split(",")[0])
    run.send_signal(signum)
    out, _ = run.communicate(timeout=60)
    assert run.returncode == 128 + signum, out
    assert f"command got signal {signum}\nEmbedded PostgreSQL stopped." in out
    assert not command.is_running()
    assert not psutil.pid_exists(server_pid)
    assert processes_on(data_dir) == []
    assert not never.exists()


def test_with_database_url_set_it_starts_nothing_and_stops_at_the_first_failure(tmp_path):
    url = "postgres://someone@db.example:5432/elsewhere"
    run = wrapper(
        tmp_path / "pgdata",
        sys.executable,
        "-c",
        "import os; print(os.environ['DATABASE_URL'])",
        "--then",
        "false",
        "--then",
        "touch",
        str(tmp_path / "after-false"),
        database_url=url,
    )
    out, _ = run.communicate(timeout=60)
    assert (run.returncode, out) == (1, url + "\n")
    assert not (tmp_path / "pgdata").exists()
    assert not (tmp_path / "after-false").exists()


def ready_line(run: subprocess.Popen) -> str:
    line = run.stdout.readline()
    assert line.startswith("Embedded PostgreSQL (pid "), line
    return line


def server_pid_of(line: str) -> int:
    return int(line.split("(pid ")[1].split(",")[0])


def test_two_runs_share_one_server_and_the_last_to_leave_stops_it(data_dir):
    first = wrapper(data_dir, "sleep", "60")
    server_pid = server_pid_of(ready_line(first))
    second = wrapper(data_dir, "true")
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 0, out
    assert f"(pid {server_pid}," in out
    assert f"Embedded PostgreSQL left running for another run (pid {server_pid})." in out
    assert psutil.pid_exists(server_pid)
    first.send_signal(signal.SIGTERM)
    out, _ = first.communicate(timeout=60)
    assert "Embedded PostgreSQL stopped." in out
    assert processes_on(data_dir) == []


def test_a_run_killed_outright_leaves_the_server_to_the_next_run_to_stop(data_dir):
    killed = wrapper(data_dir, "sleep", "60")
    server_pid = server_pid_of(ready_line(killed))
    while not psutil.Process(killed.pid).children():
        time.sleep(0.05)  # the command starts just after the line
    sleeper = psutil.Process(killed.pid).children()[0]
    killed.kill()  # SIGKILL: no chance to stop anything
    killed.wait()
    sleeper.kill()
    assert psutil.pid_exists(server_pid)
    out, _ = wrapper(data_dir, "true").communicate(timeout=60)
    assert f"(pid {server_pid}," in out  # joined the orphan
    assert "Embedded PostgreSQL stopped." in out
    assert processes_on(data_dir) == []
