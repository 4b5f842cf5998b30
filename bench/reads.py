"""Read-side benchmarks: aggregates API and dashboards, reconcile, import, export, charts."""

import csv
import io
import json
import statistics
import subprocess
import sys
import time
import urllib.parse

from bench.measure import (
    percentile,
)
from bench.server import ROOT, Http, env_for_server


class ReadBenchmarks:
    """Mixed into bench.run.Bench (uses BenchServer's clients and mission)."""

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
