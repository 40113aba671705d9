"""Shared by the benchmark scripts: the timing summary and memory figures (Linux /proc,
with getrusage as the fallback)."""

from __future__ import annotations

import resource
import statistics
import sys
from pathlib import Path


def _status(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def rss_mb() -> float:
    """Resident memory now."""
    now = _status("VmRSS")
    return now if now is not None else peak_rss_mb()


def vmhwm_mb() -> float | None:
    """This process's own peak resident memory (VmHWM)."""
    return _status("VmHWM")


def summary(samples: list[float]) -> dict[str, float]:
    """Median, spread and count of a list of seconds."""
    return {
        "median_s": round(statistics.median(samples), 4),
        "min_s": round(min(samples), 4),
        "max_s": round(max(samples), 4),
        "runs": len(samples),
    }
