"""``python -m bench.live``: 200 open dashboards polling the live figures, on one machine.

Each simulated dashboard does what ``static/js/live.js`` and ``dashboard_live.js`` do: it
polls ``/api/v1/missions/<id>/live/`` every ``--interval`` seconds with its own session (the
first poll at a random moment of the first interval), and when the figures moved on it
fetches what the page redraws: the charts (``/dashboard/live/``), the map and the feed.
Meanwhile observers post visits at ``--rate`` per second through the API, and a real Celery
worker brings the aggregates up to date, as on election day.

Measured: each request's latency (p50/p95/p99), errors, how late the polls started (a client
that cannot keep its schedule shows here), the lag from each visit's 201 until a dashboard's
poll counted it (every dashboard, every visit), and the CPU the app (gunicorn's 4 sync
workers), PostgreSQL and the worker spent per poll and in all (cores busy). Uses the bench
harness's servers (``bench.run.Bench``) on BENCH_DATABASE_URL and BENCH_REDIS_URL; figures go
to BENCHMARKS.md ("Live figures").

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/obs_ops_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/9 python -m bench.live --dashboards 200
"""

import argparse
import asyncio
import json
import random
import threading
import time
from collections import defaultdict

from bench.ingest import visit_body
from bench.measure import freshness_lags, load_average, percentile
from bench.run import Bench
from bench.server import HOST, PORT, Http


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        length = int(size.split(b";")[0] or b"0", 16)
        if length == 0:
            break
        out += rest[:length]
        body = rest[length + 2 :]
    return out


def sessions_for(user, count: int) -> list[str]:
    """``count`` logged-in browser sessions of ``user`` (one per open dashboard)."""
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for _ in range(count):
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


class LiveBench:
    def __init__(self, args):
        self.args = args
        self.bench = Bench(args)
        self.timings = defaultdict(list)  # endpoint -> [seconds]
        self.statuses = defaultdict(lambda: defaultdict(int))
        self.lateness = []
        self.readings = defaultdict(list)  # dashboard -> [(time, visits)]
        self.accepted_at = []
        self.failures = []

    def prepare(self):
        bench = self.bench
        if self.args.reuse:
            bench.django()
            from missions.models import Mission

            bench.mission = Mission.objects.get(name="Benchmark mission")
        else:
            bench.fresh_database()
            bench.django()
            bench.seed()
        bench.prepare_clients()
        from django.contrib.auth import get_user_model

        coordinator = get_user_model().objects.get(username="coordinator")
        self.sessions = sessions_for(coordinator, self.args.dashboards)
        mission = bench.mission.pk
        self.live = f"/api/v1/missions/{mission}/live/"
        self.redraws = {
            "charts": f"/missions/{mission}/dashboard/live/",
            "map": f"/missions/{mission}/dashboard/map/",
        }

    def record(self, name, status, seconds):
        self.timings[name].append(seconds)
        self.statuses[name][status] += 1

    async def get(self, path, session):
        """One GET on a fresh connection (gunicorn's sync workers close it after answering):
        status, body, seconds."""
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection(HOST, PORT)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nCookie: sessionid={session}\r\n"
            "Accept: application/json\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        raw = await reader.read()
        writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head else 0
        if b"transfer-encoding: chunked" in head.lower():
            body = _unchunk(body)
        return status, body, time.perf_counter() - started

    async def dashboard(self, number, session, start, end):
        """One open dashboard: what live.js and dashboard_live.js ask for, on their schedule."""
        interval = self.args.interval
        next_at = start + random.Random(number).uniform(0, interval)
        drawn = None  # the as_of of the figures this dashboard shows
        map_at = start
        while True:
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.perf_counter()
            if now >= end:
                return
            self.lateness.append(max(0.0, now - next_at))
            next_at += interval
            try:
                status, body, seconds = await self.get(self.live, session)
            except OSError as error:
                self.failures.append(f"live: {error}")
                continue
            self.record("live", status, seconds)
            if status != 200:
                continue
            data = json.loads(body)
            self.readings[number].append((time.perf_counter(), data["visits"]))
            if drawn is None:
                drawn = data["as_of"]
            elif data["as_of"] != drawn:
                status, body, seconds = await self.get(self.redraws["charts"], session)
                self.record("charts", status, seconds)
                if status == 200:
                    drawn = json.loads(body)["as_of"] or data["as_of"]
                if time.perf_counter() - map_at > 30:
                    map_at = time.perf_counter()
                    status, _, seconds = await self.get(self.redraws["map"], session)
                    self.record("map", status, seconds)

    async def dashboards(self, start, end):
        await asyncio.gather(
            *(self.dashboard(n, session, start, end) for n, session in enumerate(self.sessions))
        )

    def writer(self, start, end):
        """Visits posted at ``--rate`` per second by the mission's observers."""
        rng = random.Random(time.time_ns())  # new client_uuids on every run (--reuse)
        clients = [Http(token=t) for t in self.bench.observer_tokens[:16]]
        k = 0
        while True:
            at = start + k / self.args.rate
            if at >= end - 2 * self.args.interval:  # leave time to see the last ones
                return
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            station, registered = self.bench.stations[rng.randrange(len(self.bench.stations))]
            body = visit_body(
                station=station,
                registered=registered,
                checklist=self.bench.voting_checklist,
                rng=rng,
            )
            status, data, _ = clients[k % len(clients)].request("POST", "/api/v1/visits/", body)
            if status == 201:
                self.accepted_at.append(time.perf_counter())
            else:
                self.failures.append(f"{status}: {data[:200]!r}")
            k += 1

    def run(self):
        self.prepare()
        bench = self.bench
        bench.start_servers()
        try:
            # Every worker serves the endpoints once before the clock starts.
            warm = Http(session=self.sessions[0])
            for _ in range(8):
                for path in (self.live, *self.redraws.values()):
                    warm.request("GET", path)
            base = json.loads(warm.request("GET", self.live)[1])["visits"]
            load_before = load_average()
            cpu_before = bench.cpu_snapshot()
            start = time.perf_counter() + 1
            end = start + self.args.seconds
            writer = threading.Thread(target=self.writer, args=(start, end), daemon=True)
            writer.start()
            # The dashboards share one event loop: a thread each would measure the client.
            asyncio.run(self.dashboards(start, end))
            writer.join()
            wall = time.perf_counter() - start
            polls = len(self.timings["live"])
            cpu = bench.cpu_delta(cpu_before, polls)
            after = bench.cpu_snapshot()
            busy = (after["app"] - cpu_before["app"]) + (after["celery"] - cpu_before["celery"])
            busy += sum(
                seconds - cpu_before["db"].get(pid, 0.0) for pid, seconds in after["db"].items()
            )
        finally:
            bench.stop_servers()
        lags = []
        for readings in self.readings.values():
            shifted = [(t, visits - base) for t, visits in readings]
            lags.extend(freshness_lags(self.accepted_at, shifted))
        results = {
            "dashboards": self.args.dashboards,
            "interval_s": self.args.interval,
            "seconds": round(wall, 1),
            "visits_posted": len(self.accepted_at),
            "visit_errors": len(self.failures),
            "polls": polls,
            "polls_per_s": round(polls / wall, 1),
            "poll_late_p95_s": round(percentile(self.lateness, 95), 3),
            "requests": {
                name: {
                    "count": len(values),
                    "p50_ms": round(percentile(values, 50) * 1000, 1),
                    "p95_ms": round(percentile(values, 95) * 1000, 1),
                    "p99_ms": round(percentile(values, 99) * 1000, 1),
                    "errors": sum(n for s, n in self.statuses[name].items() if s != 200),
                }
                for name, values in self.timings.items()
                if values
            },
            "seen_p50_s": round(percentile(lags, 50), 2) if lags else None,
            "seen_p95_s": round(percentile(lags, 95), 2) if lags else None,
            "seen_max_s": round(max(lags), 2) if lags else None,
            "cpu_per_poll": cpu,
            "cores_busy": round(busy / wall, 2),
            "load_before": load_before,
            "load_after": load_average(),
        }
        if self.failures:
            results["first_visit_error"] = self.failures[0][:300]
        print(json.dumps(results, indent=2))
        return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between polls")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=2.0, help="visits posted per second")
    parser.add_argument("--visits", type=int, default=100_000, help="visits seeded")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    LiveBench(parser.parse_args()).run()


if __name__ == "__main__":
    main()
