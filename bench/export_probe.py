"""Export a mission's visits.csv through the app in this fresh process and report the
rows per second and the process's peak resident memory (the kernel's high-water mark)."""

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

    mission_id = int(sys.argv[1])
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
    print(
        json.dumps(
            {
                "export_rows": lines - 1,
                "export_rows_per_s": round((lines - 1) / elapsed),
                "export_peak_mb": round(peak),
                "export_baseline_mb": round(baseline),
            }
        )
    )


if __name__ == "__main__":
    main()
