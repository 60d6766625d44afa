"""What the benchmarks share: run a piece of work several times and print its median and worst time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(
    runs: int, work: Callable[[], object], before: Callable[[], object] | None = None
) -> tuple[float, float, object]:
    """Median and worst milliseconds of `runs` calls of `work` (each after an untimed `before`), and the
    last call's result."""
    times, result = [], None
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def report(
    label: str,
    runs: int,
    work: Callable[[], object],
    target: str = "",
    before: Callable[[], object] | None = None,
) -> object:
    median, worst, result = median_ms(runs, work, before)
    suffix = f"  (target {target})" if target else ""
    print(f"  {label:<58} median {median:7.1f} ms  max {worst:7.1f} ms{suffix}", flush=True)
    return result
