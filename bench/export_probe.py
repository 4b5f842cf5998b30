"""Export a mission's visits.csv through the app in this fresh process and report the
rows per second and the process's peak resident memory (the kernel's high-water mark).

The rows are counted by line ends (the benchmark's visits carry no line break in any text
field) and checked against the number of visits in the database, so a short export fails.
"""

import json
import os
import resource
import sys
import time


def main():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from observation.models import Visit

    mission_id = int(sys.argv[1])
    expected = Visit.objects.filter(mission_id=mission_id).count()
    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(f"/api/v1/missions/{mission_id}/export/visits.csv")
    if response.status_code != 200:
        raise SystemExit(f"export answered {response.status_code}")
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = lines - 1
    if rows != expected:
        raise SystemExit(f"export gave {rows} rows for {expected} visits")
    print(
        json.dumps(
            {
                "export_rows": rows,
                "export_s": round(elapsed, 2),
                "export_rows_per_s": round(rows / elapsed),
                "export_peak_mb": round(peak),
                "export_baseline_mb": round(baseline),
            }
        )
    )


if __name__ == "__main__":
    main()
