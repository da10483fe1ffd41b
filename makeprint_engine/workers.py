"""Worker processes for ``build`` and ``check``: forks of a server that imported them once.

A worker needs WeasyPrint, pikepdf, PDFium, Pillow and the engine: about half a second of
imports. Spawned, every worker pays it, and so does every replacement of a recycled worker.
With the ``forkserver`` start method they are imported once, in the fork server, and each
worker is a fork of it, ready in a tenth of that. The fork server holds no threads, fonts,
stylesheets or open files that a fork could corrupt: each worker loads those itself, as
before. On Linux only: macOS system libraries are not safe to fork (which is why Python
spawns there by default), and Windows has no fork; workers are spawned there.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from .dispatch import Dispatcher
from .plan import Job

Result = TypeVar("Result")

_workers_started = 0  # calls of run_in_workers in this process (see fork_server_early)

PRELOAD = (
    "makeprint_engine.preload",  # first: WeasyPrint, before anything else can import it
    "makeprint_engine.build",
    "makeprint_engine.contact_sheet",
    "makeprint_engine.impose",
    "makeprint_engine.preflight",
    "makeprint_engine.previews",
    "makeprint_engine.render",
    "weasyprint",
    "pikepdf",
    "pypdfium2",
    "PIL.Image",
    "PIL.JpegImagePlugin",
    "PIL.PngImagePlugin",
)


def worker_context() -> BaseContext:
    """The multiprocessing context workers are started from (fork server, else spawn)."""
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - macOS, Windows


@contextmanager
def starting_workers() -> Iterator[None]:
    """Start worker processes (and the fork server) inside this: they never see Ctrl-C.

    Ctrl-C reaches every process of the terminal's process group. The build handles it and
    stops its workers; a worker, or the fork server still importing, would otherwise die
    with a KeyboardInterrupt traceback. A forked process inherits its parent's blocked
    signals, so SIGINT stays blocked in the workers the pool forks here; the fork server,
    though, is a new program (fork and exec), which starts with no signal blocked, so SIGINT
    is also ignored while it is started: an ignored signal stays ignored across exec, and
    Python then installs no handler for it. This process blocks (and, in its main thread,
    ignores) SIGINT only for as long as the block lasts: a few milliseconds.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on Linux
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _exit_with(main: int) -> None:
    """Exit this worker as soon as process ``main`` (the build that asked for it) ends.

    A worker is a fork of the fork server, not of the build, and neither notices the build
    dying without a chance to stop them (SIGKILL: out of memory, a CI job's time limit): each
    worker waits for its next job forever, and the fork server stays for as long as a worker
    holds its "alive" pipe. So each worker watches the build itself, from a thread that waits
    on a pidfd (Linux 5.3+: it becomes readable when that process ends, and a pid reused
    meanwhile cannot fool it; elsewhere the pid is polled). When the last worker has gone the
    fork server sees its pipe closed and exits too.
    """

    def watch() -> None:
        try:
            handle = os.pidfd_open(main)
        except ProcessLookupError:
            os._exit(1)  # already gone
        except (AttributeError, OSError):  # pragma: no cover - no pidfd: poll the pid
            while True:
                try:
                    os.kill(main, 0)
                except ProcessLookupError:
                    os._exit(1)
                except OSError:
                    pass
                threading.Event().wait(0.5)
        select.select([handle], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="makeprint-watch-build", daemon=True).start()


def _start_worker(main: int, initializer: Callable[..., None], *initargs: Any) -> None:
    _exit_with(main)
    initializer(*initargs)


def run_in_workers(
    jobs: list[Job],
    cost: Callable[[Job], float],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    work: Callable[[Job], Result],
    recycle: int | None = None,
) -> Iterator[Result]:
    """``work(job)`` for every job, in ``workers`` processes; results as they finish.

    Each worker is its own single-process pool, so each job goes to the worker the
    dispatcher chose (see dispatch.py); ``initializer(*initargs)`` warms a worker once, and a
    worker is replaced after ``recycle`` jobs (None: never). On an exception or Ctrl-C, or
    when the caller stops iterating, the workers are stopped at once.
    """
    global _workers_started
    context = worker_context()
    _workers_started += 1
    pools = [
        ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_start_worker,
            initargs=(os.getpid(), initializer, *initargs),
            max_tasks_per_child=recycle,
        )
        for _ in range(workers)
    ]
    dispatcher = Dispatcher(jobs, cost, workers)
    owner: dict[Future[Result], int] = {}

    def feed(worker: int) -> None:
        job = dispatcher.next_for(worker)
        if job is not None:
            owner[pools[worker].submit(work, job)] = worker

    try:
        # Two jobs per worker, one running and one waiting: a worker never idles between
        # jobs, and Ctrl-C has little to cancel.
        with starting_workers():
            for _ in range(2):
                for worker in range(workers):
                    feed(worker)
        while owner:
            done, _ = wait(owner, return_when=FIRST_COMPLETED)
            for future in done:
                worker = owner.pop(future)
                yield future.result()
                feed(worker)
    except BaseException:
        # Interrupted, or the caller failed (a write): the jobs still running are of no use.
        # Stop the workers first, then shut each pool down and wait for its manager thread,
        # which sees its worker gone and finishes in milliseconds. Returning before that
        # thread has finished would let it close its wake-up pipe while concurrent.futures'
        # exit hook writes to it (Python 3.11 takes no lock there): "Exception ignored ...
        # OSError: Bad file descriptor" on the way out. (shutdown(wait=False) would not do:
        # it forgets the thread, so a later shutdown(wait=True) has nothing to wait for.)
        for pool in pools:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.terminate()
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    for pool in pools:
        pool.shutdown()


@contextmanager
def fork_server_early(workers: int) -> Iterator[None]:
    """Start the fork server now when ``workers`` processes will be wanted, so that its imports
    (about 0.8 s) run on another core while this process loads the project, instead of after.

    On the way out, a fork server started here that no worker came from (nothing needed
    building) is stopped: it would otherwise go on importing after this process ended, with
    its standard output still open, so that whoever reads that output (a pipe, a CI log)
    waited for it. One that served workers has finished importing: it stays for the next
    build in this process, and exits with it.
    """
    if workers <= 1 or not sys.platform.startswith("linux"):
        yield
        return
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    ours = server is not None and getattr(server, "_forkserver_pid", 0) is None
    worker_context()
    with starting_workers():
        forkserver.ensure_running()
    served = _workers_started
    try:
        yield
    finally:
        unused = ours and _workers_started == served
        pid = getattr(server, "_forkserver_pid", None) if unused else None
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                server._stop()  # type: ignore[union-attr]  # reaps it, removes its socket
