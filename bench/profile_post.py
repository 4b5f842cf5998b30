"""In-process profile of the visit POST (``POST /api/v1/visits/``): CPU and statements per POST.

Seeds the benchmark mission with ``bench/seed.py`` into its own PostgreSQL database (once;
later runs reuse it), then drives the WSGI application in this process exactly as gunicorn
would (the whole middleware stack, bench settings, DEBUG off, a real Redis for the cache and
the after-commit enqueue), posting the body ``bench/ingest.lua`` posts: a new VOTING visit
with one finding, by a random observer (``Authorization: Token ...``) at a random station.

It reports, per POST:
- CPU ms of this process (``time.process_time``), the app's share of a gunicorn worker;
- CPU ms of the PostgreSQL backend serving it (from ``/proc/<backend pid>/stat``, 10 ms
  ticks, so only meaningful over hundreds of posts);
- statements per POST as Django logs them (``CaptureQueriesContext``, in a separate pass:
  capturing costs CPU itself), with the SQL of one POST under ``-v``;
- the same CPU figure for the bare ceiling view (``bench/ceiling.py``), for the ratio;
- with ``--breakdown``: inclusive CPU of the main steps of the POST (functions wrapped with
  ``time.process_time``); with ``--cprofile N``: cProfile's top N (CPU time) by cumulative
  and by own time.

Every status must be 201 (anything else stops the run). Waits while /tmp/BENCH_RUNNING exists.

    PROFILE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/obs_ingest_bench \\
    PROFILE_REDIS_URL=redis://127.0.0.1:6379/6 \\
    .venv/bin/python -m bench.profile_post --posts 500 --breakdown --cprofile 30

``--reseed`` drops and rebuilds the database (``--visits`` already there, default 100,000,
as ``make bench`` seeds). The figures depend on the machine's load: note ``uptime`` beside
them, and compare alternating runs rather than runs an hour apart.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.ingest import VOTING_ANSWERS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/obs_ingest_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/6"
MISSION_NAME = "Benchmark mission"
BENCH_FLAG = Path("/tmp/BENCH_RUNNING")

# (module, attribute) of the steps ``--breakdown`` times; missing ones are skipped.
BREAKDOWN = [
    ("common.authentication", "TokenAuthentication.authenticate_credentials"),
    ("observation.api", "VisitViewSet.create"),
    ("observation.selectors", "observer_for_submission"),
    ("observation.services", "visit_submit"),
    ("observation.services", "_visit_clean"),
    ("observation.services", "_station"),
    ("observation.checklists.schema", "checklist_schema"),
    ("observation.services", "_visit_flags"),
    ("observation.services", "_visit_store"),
    ("missions.audit", "audit_record"),
    ("reports.pipeline", "visits_changed"),
    ("reports.aggregates.tasks", "update_enqueue"),
    ("observation.api", "visit_data"),
]


def _environment(db_url, redis_url):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": "observatory-profile",
            "CACHE_KEY_PREFIX": "observatory-profile",
            "DATABASE_CONN_MAX_AGE": "600",
            "AXES_ENABLED": "false",
        }
    )


def _prepare_database(db_url, reseed):
    """Create, migrate and seed the database unless it already holds the benchmark mission."""
    name = db_url.rsplit("/", 1)[1]
    admin = db_url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", admin, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists and reseed:
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE "{name}"'], check=True)
        exists = ""
    if not exists:
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )


def _wait_for_bench():
    while BENCH_FLAG.exists():
        print("waiting: /tmp/BENCH_RUNNING exists (a benchmark is being taken)", flush=True)
        time.sleep(60)


class Poster:
    """Builds ingest.lua's bodies and runs them through the WSGI application in-process."""

    def __init__(self, application, mission, seed):
        from rest_framework.authtoken.models import Token

        from missions.models import Observer
        from observation.models import Checklist

        self.application = application
        self.rng = random.Random(seed)
        observers = Observer.objects.filter(mission=mission).select_related("user")
        self.tokens = [Token.objects.get_or_create(user=o.user)[0].key for o in observers]
        self.stations = list(mission.stations.order_by("id").values_list("id", "registered_voters"))
        self.checklist = Checklist.objects.get(mission=mission, stage="VOTING", is_current=True).pk

    def body(self) -> bytes:
        rng = self.rng
        station, registered = self.stations[rng.randrange(len(self.stations))]
        minute = rng.randint(8 * 60, 19 * 60)
        left = minute + 20
        return json.dumps(
            {
                "client_uuid": str(uuid.uuid4()),  # new on every run; the rest repeats
                "station": station,
                "checklist": self.checklist,
                "arrived_at": f"2022-11-20T{minute // 60:02d}:{minute % 60:02d}:00+06:00",
                "departed_at": f"2022-11-20T{left // 60:02d}:{left % 60:02d}:00+06:00",
                "voters_so_far": int(registered * (minute - 420) / 780 * 0.69),
                "assessment": "GOOD",
                "answers": {**VOTING_ANSWERS, "V07": "QUEUE"},
                "findings": [
                    {"category": "SECRECY", "severity": "MINOR", "description": "Booth too open"}
                ],
                "notes": "bench",
            },
            separators=(",", ":"),
        ).encode()

    def request(self, path, body, token=None):
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8900",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8900",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if token:
            environ["HTTP_AUTHORIZATION"] = f"Token {token}"
        status = []
        chunks = self.application(environ, lambda s, headers, exc_info=None: status.append(s))
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        code = int(status[0].split()[0])
        if code != 201:
            raise SystemExit(f"{path} answered {status[0]}: {content[:500]!r}")
        return content

    def visit(self):
        return self.request(
            "/api/v1/visits/", self.body(), self.tokens[self.rng.randrange(len(self.tokens))]
        )

    def ceiling(self):
        return self.request("/bench/ceiling/", self.body())


def _backend_cpu_seconds(pid) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(step, n, backend_pid):
    db_before = _backend_cpu_seconds(backend_pid)
    started = time.process_time()
    for _ in range(n):
        step()
    cpu = time.process_time() - started
    db = _backend_cpu_seconds(backend_pid) - db_before
    return cpu * 1000 / n, db * 1000 / n


def _wrap_breakdown(totals):
    import importlib

    for module_name, attribute in BREAKDOWN:
        module = importlib.import_module(module_name)
        owner, _, name = attribute.rpartition(".")
        holder = getattr(module, owner) if owner else module
        original = getattr(holder, name, None)
        if original is None:
            continue
        key = f"{module_name}.{attribute}"
        totals[key] = [0.0, 0]

        def timed(*args, __original=original, __key=key, **kwargs):
            started = time.process_time()
            try:
                return __original(*args, **kwargs)
            finally:
                totals[__key][0] += time.process_time() - started
                totals[__key][1] += 1

        setattr(holder, name, timed)
        # Modules that imported the function by name hold their own reference.
        if not owner:
            for other in list(sys.modules.values()):
                if (
                    getattr(other, "__name__", "").split(".")[0]
                    in (
                        "observation",
                        "reports",
                        "missions",
                    )
                    and getattr(other, name, None) is original
                ):
                    setattr(other, name, timed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=500, help="visits posted per measure")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2, help="alternating visit/ceiling rounds")
    parser.add_argument("--visits", type=int, default=100_000, help="visits seeded")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("-v", "--verbose", action="store_true", help="print one POST's SQL")
    args = parser.parse_args()

    db_url = os.environ.get("PROFILE_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("PROFILE_REDIS_URL", DEFAULT_REDIS)
    _environment(db_url, redis_url)
    sys.path.insert(0, str(ROOT))
    _prepare_database(db_url, args.reseed)

    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.ceiling import CREATE_TABLE
    from missions.models import Mission

    mission = Mission.objects.filter(name=MISSION_NAME).order_by("id").first()
    if mission is None:
        from bench.seed import seed_scale

        started = time.monotonic()
        mission = seed_scale(visits=args.visits)
        print(f"seeded {args.visits} visits in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        cursor.execute("SELECT pg_backend_pid()")
        (backend_pid,) = cursor.fetchone()

    application = get_wsgi_application()
    poster = Poster(application, mission, args.seed)
    _wait_for_bench()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for _ in range(args.warmup):
        poster.visit()
        poster.ceiling()

    with CaptureQueriesContext(connection) as captured:
        poster.visit()
    if args.verbose:
        for query in captured.captured_queries:
            print("  ", query["sql"][:400])
    statements = []
    for _ in range(20):
        with CaptureQueriesContext(connection) as captured:
            poster.visit()
        statements.append(len(captured.captured_queries))

    results = {"visit": [], "visit_db": [], "ceiling": [], "ceiling_db": []}
    for _ in range(args.rounds):
        _wait_for_bench()
        cpu, db = _measure(poster.visit, args.posts, backend_pid)
        results["visit"].append(cpu)
        results["visit_db"].append(db)
        cpu, db = _measure(poster.ceiling, args.posts, backend_pid)
        results["ceiling"].append(cpu)
        results["ceiling_db"].append(db)

    def show(values):
        return " / ".join(f"{v:.2f}" for v in values)

    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"visit POST  app CPU ms/POST: {show(results['visit'])}")
    print(f"visit POST  PostgreSQL backend CPU ms/POST: {show(results['visit_db'])}")
    print(f"statements per POST: {min(statements)}-{max(statements)}")
    print(f"ceiling     app CPU ms/request: {show(results['ceiling'])}")
    print(f"ceiling     PostgreSQL backend CPU ms/request: {show(results['ceiling_db'])}")

    if args.breakdown:
        totals = {}
        _wrap_breakdown(totals)
        _measure(poster.visit, args.posts, backend_pid)
        print(f"breakdown (inclusive CPU ms per POST, {args.posts} posts, timers add ~0.01 ms):")
        for key, (seconds, calls) in totals.items():
            if calls:
                print(f"  {seconds * 1000 / args.posts:6.2f}  {key} ({calls / args.posts:g}x)")

    if args.cprofile:
        import cProfile
        import pstats

        profile = cProfile.Profile(time.process_time)  # CPU, not time spent waiting on I/O
        profile.enable()
        for _ in range(args.posts):
            poster.visit()
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(args.cprofile)
        stats.sort_stats("tottime").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
