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

import multiprocessing
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext

PRELOAD = (
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
    with a KeyboardInterrupt traceback. A process inherits its parent's blocked signals, so
    SIGINT stays blocked in everything started here (and in what the fork server forks
    later); this process blocks it only for as long as the block lasts.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on Linux
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
