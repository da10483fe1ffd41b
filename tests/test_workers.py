"""The worker pool: when a build stops early, nothing of it is left running."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures.process import _ExecutorManagerThread
from pathlib import Path

import pytest
from conftest import REPO, copy_project

from makeprint_engine.plan import Job
from makeprint_engine.workers import fork_server_early, run_in_workers


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


def _children() -> dict[int, list[int]]:
    """Every live process's children, from /proc (zombies count as gone)."""
    found: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                state, ppid = handle.read().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if state != "Z":
            found.setdefault(int(ppid), []).append(int(entry))
    return found


def _descendants(root: int) -> set[int]:
    children, found, todo = _children(), set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    everyone = {pid for kids in _children().values() for pid in kids}
    return pids & everyone


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_killed_build_leaves_no_process_behind(tmp_path: Path, command: str) -> None:
    """Killed without a chance to clean up (SIGKILL: out of memory, a CI job's time limit),
    a build's fork server and workers exit within seconds instead of waiting forever."""
    root = copy_project(tmp_path / "proj")
    proc = subprocess.Popen(
        [sys.executable, "makeprint.py", command, "--project", str(root), "-j", "2"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        # Working: the fork server and both its workers (a worker is a fork of the server).
        while not any(len(kids) >= 2 for pid, kids in _children().items()
                      if pid in _descendants(proc.pid)):
            assert proc.poll() is None, "the build ended before its workers were seen"
            assert time.monotonic() < deadline, "no workers after 60 s"
            time.sleep(0.05)
        started = _descendants(proc.pid)
        assert len(started) >= 3, started
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while _alive(started) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _alive(started)
        assert not left, f"still running 10 s after the build was killed: {sorted(left)}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _alive(started | _descendants(proc.pid)):
            os.kill(pid, signal.SIGKILL)  # not left running by a failed test either


def test_a_fork_server_started_early_is_stopped_on_the_way_out() -> None:
    """The build starts its fork server before loading the project (its imports then run on
    another core); when a build that built nothing is done, it is stopped, not left
    importing with the build's output open (a pipe reading it would wait)."""
    from multiprocessing import forkserver

    server = forkserver._forkserver  # type: ignore[attr-defined]
    server._stop()  # none left by an earlier test
    with fork_server_early(1):
        assert server._forkserver_pid is None  # one worker: the build renders in-process
    with fork_server_early(2):
        pid = server._forkserver_pid
        assert pid is not None
        os.kill(pid, 0)  # running, though no worker has been asked for
    assert server._forkserver_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped
    jobs = [Job(f"site-{n}", "en", "flyer") for n in range(4)]
    with fork_server_early(2):  # one that workers came from serves them, and stays
        done = run_in_workers(jobs, lambda job: 1.0, 2, _nothing, (), _slug)
        assert sorted(done) == sorted(job.slug for job in jobs)
        pid = server._forkserver_pid
    assert server._forkserver_pid == pid is not None
    os.kill(pid, 0)
    with fork_server_early(2):  # for the next build, which neither starts nor stops it
        assert server._forkserver_pid == pid
    assert server._forkserver_pid == pid
    server._stop()


def _nothing() -> None:
    pass


def _slug(job: Job) -> str:
    return job.slug
