"""Renders for ``makeprint serve`` in warm worker processes, one document at a time each.

WeasyPrint's layout is Python: threads share one interpreter lock, so two render threads
make documents no faster than one (measured: 8 wallet cards in 3.31 s in one thread, 3.18 s
in two), and a thread stuck in a template that loops cannot be stopped. Each
``RenderProcess`` is instead a fork of the build's fork server (``workers.py``: WeasyPrint
and the engine already imported; it exits when serve does, however serve ends) holding a
warm ``Renderer`` per set of options. The project is sent once per version; a one-off
event is sent as its location. A render that takes longer than its time limit is stopped
by ending the process; the next render starts a fresh one.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem
from .fit import Mark
from .locations import Location
from .options import Options
from .plan import Job
from .project import Project

RECYCLE_AFTER = 200  # documents; Pango's and HarfBuzz's caches grow (see build.recycle_after)


@dataclass
class Outcome:
    """What a worker hands back for one document (picklable)."""

    ok: bool
    pdf: bytes | None
    pages: int
    qr_url: str
    problems: list[Problem] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    failure: str = ""  # the traceback of an unexpected exception, for serve's log
    timed_out: bool = False


# -- in the worker ------------------------------------------------------------------------

_state: dict[str, Any] = {"generation": 0, "project": None, "renderers": {}}


def _ready() -> None:
    """The worker's initializer: everything is loaded on its first document."""


def warm_job(generation: int, project: Project) -> None:
    """Load the project and make the default renderer, fonts and all, before anyone asks."""
    from .render import DocumentCollector, Renderer

    _state.update(generation=generation, project=project, renderers={})
    renderer = _state["renderers"][Options()] = Renderer(project, Options())
    collector = _state.setdefault("collectors", {})[Options()] = DocumentCollector(renderer)
    if project.locations and project.materials:  # one document: fonts, styles, templates
        location = project.locations[0]
        job = Job(location.slug, location.languages[0], next(iter(project.materials)))
        with contextlib.suppress(Exception):  # the first real render reports it
            renderer.render(job, draft=True)
        collector.document_done()


def render_job(
    generation: int,
    project: Project | None,
    options: Options,
    job: Job,
    variant: str,
    event: Location | None,
) -> Outcome:
    """Render ``variant`` of ``job`` (as a draft: what does not fit is marked, not refused)."""
    from .render import DocumentCollector, Renderer
    from .variants import render_variant

    if project is not None:
        _state.update(generation=generation, project=project, renderers={})
    base: Project = _state["project"]
    # The print-shop version is the job's profile (bleed, marks), not the renderer's: one
    # renderer makes both, so a worker holds its fonts, styles and shared pages once.
    options = dataclasses.replace(options, profile=Options().profile)
    renderer = _state["renderers"].get(options)
    if renderer is None:
        renderer = _state["renderers"][options] = Renderer(base, options)
        _state.setdefault("collectors", {})[options] = DocumentCollector(renderer)
    if event is not None:
        # The same warm templates, fonts and styles, with the event as the location.
        renderer = copy.copy(renderer)
        renderer.project = dataclasses.replace(base, locations=[event], warnings=[])
    try:
        rendered = render_variant(renderer, job, variant, draft=True)
    except Exception as exc:  # noqa: BLE001 - shown on the page, never a traceback
        return Outcome(
            False,
            None,
            0,
            "",
            [Problem(f"{job}: rendering failed: {type(exc).__name__}: {exc}")],
            failure=traceback.format_exc(),
        )
    finally:
        _state["collectors"][options].document_done()
    return Outcome(
        rendered.ok,
        rendered.pdf,
        rendered.pages,
        rendered.qr_url,
        list(rendered.problems),
        list(rendered.marks),
    )


# -- in serve ---------------------------------------------------------------------------


class RenderProcess:
    """One worker process, used by one thread at a time (a render slot)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self.generation = 0  # the project version the worker holds
        self.renders = 0
        self.warmed: set[tuple[int, Job]] = set()  # (version, job) laid out once already

    @property
    def pid(self) -> int | None:
        processes = getattr(self._pool, "_processes", None) or {}
        return next(iter(processes), None)

    def render(
        self,
        timeout: float,
        generation: int,
        project: Project,
        options: Options,
        job: Job,
        variant: str,
        event: Location | None = None,
    ) -> Outcome:
        send = None if self._pool is not None and self.generation == generation else project
        try:
            future = self._submit(render_job, generation, send, options, job, variant, event)
            outcome = future.result(timeout=timeout)
        except FutureTimeout:
            self.stop()
            return Outcome(
                False,
                None,
                0,
                "",
                [
                    Problem(
                        f"{job}: it took longer than {timeout:g} seconds to make, so makeprint "
                        "stopped it: its template or content may make it loop. Fix it and "
                        "save (the page refreshes), or ask for it again later."
                    )
                ],
                timed_out=True,
            )
        except BrokenProcessPool:
            self.stop()
            return Outcome(
                False,
                None,
                0,
                "",
                [Problem(f"{job}: the process making it stopped (out of memory?); try again")],
            )
        self.generation = generation
        self.renders += 1
        if self.renders >= RECYCLE_AFTER:
            self.stop()  # a fresh one next time: memory stays flat
        return outcome

    def _submit(self, *call: Any) -> Future[Any]:
        from .workers import _start_worker, starting_workers, worker_context

        if self._pool is None:
            with starting_workers():  # the worker never sees Ctrl+C; serve handles it
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=worker_context(),
                    initializer=_start_worker,
                    initargs=(os.getpid(), _ready),
                )
                return self._pool.submit(*call)  # the process starts here
        return self._pool.submit(*call)

    def warm(self, generation: int, project: Project) -> None:
        """Start the worker and load the project and fonts in it, without waiting."""
        self._submit(warm_job, generation, project)
        self.generation = generation

    def stop(self) -> None:
        """End the worker at once (a stuck render cannot be asked to stop)."""
        pool, self._pool = self._pool, None
        self.generation = 0
        self.renders = 0
        self.warmed = set()
        if pool is None:
            return
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
