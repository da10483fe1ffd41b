"""The worker pool: when a build stops early, nothing of it is left running."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures.process import _ExecutorManagerThread

import pytest

from makeprint_engine.plan import Job
from makeprint_engine.workers import run_in_workers


def slow(job: Job) -> str:
    time.sleep(0.3)
    return job.slug


def left_running() -> list[object]:
    managers = [t for t in threading.enumerate() if isinstance(t, _ExecutorManagerThread)]
    return [*managers, *multiprocessing.active_children()]


@pytest.mark.parametrize("stop", ["close", "raise"])
def test_stopping_early_leaves_no_worker_and_no_pool_thread(stop: str) -> None:
    """A build that stops (Ctrl-C, a failed write) returns only when every worker and every
    pool thread is gone: a pool thread still closing its pipes when Python exits races
    concurrent.futures' exit hook, which then prints an OSError traceback."""
    jobs = [Job(f"site-{i}", "en", "flyer") for i in range(12)]
    results = run_in_workers(jobs, lambda job: 1.0, 2, int, (), slow, recycle=3)
    assert next(results).startswith("site-")
    if stop == "close":
        results.close()
    else:
        with pytest.raises(ZeroDivisionError):
            results.throw(ZeroDivisionError())
    assert left_running() == []
