"""Pure helpers of the benchmark harness: statistics, wrk results, freshness, the machine.

Kept apart from ``bench.run`` (which drives servers) so tests can check them at small size.
"""

import os
import platform
from pathlib import Path


def percentile(values, p):
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def wrk_summary(raw: dict) -> dict:
    """Figures from the JSON that ``bench/ingest.lua`` writes when wrk is done.

    ``errors`` counts every request that did not end in a 2xx answer: socket errors
    (connect, read, write, timeout) and non-2xx statuses. ``accepted`` is the number of 201s.
    """
    seconds = raw["duration_us"] / 1e6
    statuses = {int(status): count for status, count in raw.get("statuses", {}).items()}
    socket_errors = sum(raw["errors"][kind] for kind in ("connect", "read", "write", "timeout"))
    non_2xx = sum(count for status, count in statuses.items() if not 200 <= status < 300)
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(latency["p50"] / 1000, 1),
        "p90_ms": round(latency["p90"] / 1000, 1),
        "p99_ms": round(latency["p99"] / 1000, 1),
        "max_ms": round(latency["max"] / 1000, 1),
        "accepted": statuses.get(201, 0),
        "statuses": statuses,
        "errors": socket_errors + non_2xx,
        "socket_errors": socket_errors,
        "first_error": raw.get("first_error") or "",
    }


def freshness_lags(accepted_at: list[float], observations: list[tuple[float, int]]) -> list[float]:
    """For each accepted visit, the time from its 201 until the aggregates counted it.

    ``accepted_at`` holds the time each 201 arrived, in any order; ``observations`` are
    ``(time, count)`` readings of how many of the posted visits the aggregates count. The k-th
    visit accepted (in time order) is taken as reflected at the first reading, at or after its
    201, whose count is at least k; visits never reached are left out (the caller reports them).
    """
    lags = []
    readings = sorted(observations)
    position = 0
    for k, accepted in enumerate(sorted(accepted_at), start=1):
        while position < len(readings) and (
            readings[position][0] < accepted or readings[position][1] < k
        ):
            position += 1
        if position == len(readings):
            break
        lags.append(readings[position][0] - accepted)
    return lags


def proc_cpu_seconds(pids) -> float:
    """User + system CPU seconds used so far by these processes (Linux ``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def proc_children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers, celery's pool)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def machine() -> dict:
    """Cores, CPU model, memory and software: what the figures were measured on."""
    cpu, memory = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
