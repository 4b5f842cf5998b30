"""Ingest benchmarks: wrk against the visits API and the bare ceiling, and freshness."""

import json
import threading
import time
import uuid

from bench.measure import (
    freshness_lags,
    load_average,
    percentile,
)
from bench.server import CONNECTIONS, Http

# Answers to every required question of the default VOTING checklist (as ``ingest.lua``).
VOTING_ANSWERS = {
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
}


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
        "answers": dict(VOTING_ANSWERS),
    }


class IngestBenchmarks:
    """Mixed into bench.run.Bench (uses BenchServer's clients, wrk and CPU accounting)."""

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
