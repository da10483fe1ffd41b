"""``makeprint serve``: a local web page to pick a location, preview every page and print.

This module is the state: the project, caches and a small pool of warm renderers; ``asgi.py``
is the web application over it (Starlette), served here by uvicorn. The page and its script
and style are files in ``web/`` served by fixed routes (no request ever names a file).
Documents are rendered in memory by warm worker processes (``render_service.py``) — at most
``slots`` at once; further requests wait — and cached per project version. A watcher
reloads the project when a file under templates/, content/ or assets/ changes and bumps the
version the page polls.

Every request parameter is checked against the project (known slugs, languages, materials,
variants, page numbers); bodies are limited to 16 KB; errors are JSON ``{"error": ...}``
(HTML for the page routes), never a traceback. Nothing is written to the project; the PDFs
and page images made are kept in a private temporary folder (``spill.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import heapq
import json
import re
import socket
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import previews
from .access import Access
from .asgi import MAX_URL, RENDER_TIMEOUT, HttpError, is_loopback
from .content import SOURCE_LANGUAGE
from .directories import directory_languages, members
from .errors import MakeprintError, Problem
from .event import FIELDS as EVENT_FIELDS
from .event import FormError, validate_event
from .fit import FitProblem, Mark
from .locations import SERVICES, Location
from .options import Options
from .plan import Job
from .project import Project, load_project
from .render_service import RenderProcess
from .sources import language_state
from .spill import Blob, Spill, data
from .variants import VARIANTS, variants_for

RENDER_SLOTS = 2  # renders at once, each in its own process; each takes 0.2-0.6 s and one CPU
MB = 1024 * 1024
COST_SECONDS = 2.0  # waiting renders: how much later a unit of material cost counts as arriving
STUCK_SECONDS = 300  # a document stopped for taking too long is not tried again for this long
RENDER_WAIT_SECONDS = 120  # a request waiting longer for a slot gets 503
WARM_COST = 1e9  # warming up waits behind every request (see RenderPool._acquire)
PREVIEW_MAX_PX = 1400  # longer side of a preview image
_TOKEN_RE = re.compile(r"^[0-9a-f]{24}$")


@dataclass
class Doc:
    """One rendered document, kept in memory."""

    ok: bool
    pdf: bytes | Blob | None  # a Blob once cached (see Spill)
    pages: int
    qr_url: str
    problems: list[Problem] = field(default_factory=list)
    # A document that does not fit: its PDF, only ever shown as images with ``marks`` outlined
    # in red (never served: build would refuse it too).
    draft: bytes | Blob | None = None
    marks: list[Mark] = field(default_factory=list)
    timed_out: bool = False  # stopped after the time limit (App.document answers 504)

    @property
    def errors(self) -> list[str]:
        return [str(p) for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[str]:
        return [str(p) for p in self.problems if p.severity != "error"]


class LRU:
    """A small thread-safe least-recently-used cache, bounded in entries and, when given
    ``weigh``, in bytes (page images vary tenfold in size: a count alone does not bound
    memory)."""

    def __init__(
        self,
        size: int,
        max_bytes: int | None = None,
        weigh: Callable[[Any], int] | None = None,
        on_drop: Callable[[Any], None] | None = None,
    ):
        self.size = size
        self.max_bytes = max_bytes
        self.weigh = weigh or (lambda value: 0)
        self.on_drop = on_drop or (lambda value: None)  # told of each value it lets go
        self.bytes = 0
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            if key in self._items:
                self.bytes -= self.weigh(self._items[key])
                self.on_drop(self._items[key])
            self._items[key] = value
            self.bytes += self.weigh(value)
            self._items.move_to_end(key)
            while len(self._items) > 1 and (
                len(self._items) > self.size
                or (self.max_bytes is not None and self.bytes > self.max_bytes)
            ):
                _, dropped = self._items.popitem(last=False)
                self.bytes -= self.weigh(dropped)
                self.on_drop(dropped)

    def clear(self) -> None:
        with self._lock:
            for value in self._items.values():
                self.on_drop(value)
            self._items.clear()
            self.bytes = 0


class RenderPool:
    """Renderers, at most ``slots`` of them busy at once; others wait for a free slot.

    Each renderer is leased to one thread at a time. They are kept per project version and
    options (``forget_before`` drops older versions) and made by ``factory`` (default: a warm
    ``Renderer`` in this process). Serve's are ``RenderProcess``es, each a worker process
    that follows the project's versions itself, so they are all kept under one key.
    """

    def __init__(
        self,
        slots: int = RENDER_SLOTS,
        wait: float = RENDER_WAIT_SECONDS,
        factory: Callable[[Project, Options], Any] | None = None,
    ):
        self.slots = slots
        self.wait = wait
        self.factory = factory
        self._free = slots
        self._waiting: list[tuple[float, int]] = []  # the queue: (turn, arrival), first first
        self._arrivals = 0
        self._turn = threading.Condition()
        self._lock = threading.Lock()
        self._idle: dict[tuple[int, Any], list[Any]] = {}
        self._current = 0  # renderers of older project versions are not kept
        self.active = 0
        self.peak = 0  # most renders ever running at once (tests check it never exceeds slots)
        self.renders = 0
        self.processes: list[Any] = []  # what prepare() made, idle or not

    def _acquire(self, cost: float) -> bool:
        """A free slot, waiting at most ``self.wait``. Waiting requests are served in order of
        arrival, each counted as arriving ``COST_SECONDS`` later per unit of its material's
        cost: a wallet card (1) asked for up to 8 s after a pamphlet (5) goes first, so it is
        not kept waiting behind it, and no pamphlet waits for ever behind a stream of cards."""
        now = time.monotonic()
        deadline = now + self.wait
        with self._turn:
            self._arrivals += 1
            me = (now + cost * COST_SECONDS, self._arrivals)
            heapq.heappush(self._waiting, me)
            while self._free == 0 or self._waiting[0] != me:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._waiting.remove(me)
                    heapq.heapify(self._waiting)
                    self._turn.notify_all()
                    return False
                self._turn.wait(left)
            heapq.heappop(self._waiting)
            self._free -= 1
            self._turn.notify_all()  # the next in line may have a slot too
            return True

    def _release(self) -> None:
        with self._turn:
            self._free += 1
            self._turn.notify_all()

    @contextmanager
    def lease(
        self,
        project: Project,
        generation: int,
        options: Any,
        cost: float = 1.0,
        want: Callable[[Any], bool] | None = None,
    ) -> Iterator[Any]:
        """A renderer for one render. ``want``: only an idle renderer it accepts, else None
        (the warmer asks for a cold one; it never makes one)."""
        if not self._acquire(cost):
            raise HttpError(503, "makeprint is busy making other documents; try again shortly")
        chosen = None
        with self._lock:
            idle = self._idle.get((generation, options)) or []
            if want is not None:
                chosen = next((r for r in reversed(idle) if want(r)), None)
                if chosen is not None:  # to the end of the list, where pop() takes it
                    idle.remove(chosen)
                    idle.append(chosen)
        if want is not None and chosen is None:
            self._release()
            yield None
            return
        try:
            with self._lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
                self.renders += 1
                idle = self._idle.get((generation, options))
                renderer = idle.pop() if idle else None
            if renderer is None:
                if self.factory is not None:
                    renderer = self.factory(project, options)
                else:
                    from .render import Renderer

                    renderer = Renderer(project, options)
            yield renderer
            with self._lock:
                if generation >= self._current:  # else the project changed meanwhile
                    self._idle.setdefault((generation, options), []).append(renderer)
        finally:
            with self._lock:
                self.active -= 1
            self._release()

    def prepare(self, project: Project, generation: int) -> None:
        """Make every slot's render process now, each warmed in the background (serve's
        start); they are leased as ``lease(project, 0, None)``, whatever the version."""
        assert self.factory is not None
        made = [self.factory(project, None) for _ in range(self.slots)]
        with self._lock:
            self._idle.setdefault((0, None), []).extend(made)
            self.processes = list(made)
        for renderer in made:
            renderer.warm(generation, project)

    def close(self) -> None:
        """Stop every idle renderer that is a process."""
        with self._lock:
            idle = [r for renderers in self._idle.values() for r in renderers]
            self._idle.clear()
        for renderer in idle:
            if hasattr(renderer, "stop"):
                renderer.stop()

    def forget_before(self, generation: int) -> None:
        with self._lock:
            self._current = max(self._current, generation)
            for key in [k for k in self._idle if k[0] < generation]:
                del self._idle[key]


def _cold(worker: Any, generation: int, jobs: list[Job]) -> bool:
    return any((generation, job) not in worker.warmed for job in jobs)


def warm_jobs(project: Project) -> list[Job]:
    """One document of every language and material (and size) the project prints, office
    version: of the first location printed in that language, or for a collection material
    the first directory printed in it."""
    jobs = []
    for lang in project.languages:
        location = next((loc for loc in project.locations if lang in loc.languages), None)
        directory = next(
            (
                name
                for name, d in project.directories.items()
                if lang in directory_languages(d, members(d, project.locations),
                                               list(project.languages))
            ),
            None,
        )
        for name, material in project.materials.items():
            if material.collection and directory is not None:  # the directory: per directory
                jobs.append(Job(directory, lang, name, kind="directory"))
            elif not material.collection and location is not None:
                jobs.extend(Job(location.slug, lang, name, size=s) for s in ("", *material.sizes))
    return jobs


@dataclass(frozen=True)
class EventEntry:
    location: Location
    lang: str
    materials: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """What a request asks for: one document of a location or of a one-off event."""

    key: tuple[Any, ...]
    job: Job
    variant: str
    title: str
    filename: str
    query: dict[str, str]
    event: EventEntry | None = None


class App:
    """The server's state: the project (reloaded on change), caches, render pool, watcher."""

    def __init__(
        self,
        root: Path,
        locations: Path | None = None,
        *,
        slots: int = RENDER_SLOTS,
        log: Callable[[str], None] | None = None,
        project: Project | None = None,
        sheet: str | None = None,
        render_timeout: float = RENDER_TIMEOUT,
    ):
        self.root = Path(root)
        self.locations_file = locations
        self.sheet = sheet  # of a spreadsheet locations file; None: the first
        self.log = log or (lambda message: None)
        self.project = (
            project if project is not None else load_project(self.root, locations, sheet)
        )
        self.generation = 1
        self.load_problems: list[Problem] = []
        self.render_timeout = render_timeout
        self.pool = RenderPool(slots, factory=lambda project, options: RenderProcess())
        self.spill = Spill()
        self.docs = LRU(
            64,
            64 * MB,
            lambda doc: len(doc.pdf or b"") + len(doc.draft or b""),
            on_drop=self.spill.drop,
        )
        self.pngs = LRU(256, 48 * MB, len, on_drop=self.spill.drop)
        self.events = LRU(32)
        self._stale: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self._flights: dict[Any, threading.Lock] = {}
        self.stuck: dict[Any, float] = {}  # documents stopped for taking too long -> when
        self._stop = threading.Event()
        self.watcher: threading.Thread | None = None
        self.warming = False  # warm the render processes after a start or reload

    # -- project and version -------------------------------------------------------------

    def state(self) -> tuple[Project, int]:
        with self._lock:
            return self.project, self.generation

    def reload(self) -> None:
        """Load the project again; on errors keep the last good one and report them."""
        try:
            project = load_project(self.root, self.locations_file, self.sheet)
        except MakeprintError as exc:
            with self._lock:
                self.generation += 1
                self.load_problems = exc.problems
            self.log(f"project has {len(exc.problems)} problem(s); showing them on the page")
            return
        except Exception as exc:  # noqa: BLE001 - a watcher thread must survive anything
            with self._lock:
                self.generation += 1
                self.load_problems = [Problem(f"could not load the project: {exc}")]
            return
        with self._lock:
            self.project = project
            self.generation += 1
            self.load_problems = []
            generation = self.generation
        self.docs.clear()
        self.pngs.clear()
        self.log(f"project reloaded (version {generation})")
        if self.warming:
            self.start_warming()

    def start_warming(self) -> None:
        """Warm every render process in the background: each lays out one document of every
        language and material the project prints, so its fonts, styles and shared pages are
        loaded before anyone asks (the first preview in Arabic or Chinese is not the one that
        waits for them, and memory is at its level from the start, not rising for an hour).
        Warming waits behind every request, and warms again a process that replaced one
        (recycled, or stopped for taking too long) and every process after a reload."""
        if self.warming:
            return
        self.warming = True
        threading.Thread(target=self._warm, name="makeprint-warm", daemon=True).start()

    def warm(self) -> bool:
        """Whether every render process has laid out every warm-up document."""
        project, generation = self.state()
        jobs = warm_jobs(project)
        processes = self.pool.processes
        return bool(processes) and all(
            (generation, job) in p.warmed for p in processes for job in jobs
        )

    def _warm(self) -> None:
        while not self._stop.is_set():
            project, generation = self.state()
            jobs = warm_jobs(project)
            cold = functools.partial(_cold, generation=generation, jobs=jobs)
            if not any(cold(p) for p in self.pool.processes):
                self._stop.wait(1.0)
                continue
            try:
                with self.pool.lease(project, 0, None, WARM_COST, want=cold) as worker:
                    if worker is None:  # every cold one is busy: look again shortly
                        self._stop.wait(0.2)
                        continue
                    job = next(job for job in jobs if (generation, job) not in worker.warmed)
                    outcome = worker.render(
                        self.render_timeout, generation, project, Options(), job, "single", None
                    )
                    worker.warmed.add((generation, job))
            except HttpError:
                continue  # waited long behind others' renders: try again
            except Exception:  # noqa: BLE001 - warming is a courtesy; requests report errors
                self.log(f"warming up stopped:\n{traceback.format_exc()}")
                return
            if outcome.timed_out:
                self.log(f"warming up stopped: {job} took over {self.render_timeout:g} s")
                return
            if not outcome.ok and not outcome.marks:  # a document that does not fit is made
                self.log(f"warming up: {job} could not be made (asking for it says why)")

    def watch_paths(self) -> tuple[list[Path], Path | None]:
        """The project folders to watch, and a locations file kept outside them (if any)."""
        folders = [self.root / part for part in ("templates", "content", "assets")]
        folders = [p for p in folders if p.is_dir()]
        located = self.project.locations_path
        inside = any(located.resolve().is_relative_to(p.resolve()) for p in folders)
        return folders, (None if inside else located.resolve())

    def start_watcher(self, debounce_ms: int = 300) -> None:
        import watchfiles

        folders, located = self.watch_paths()
        default = watchfiles.DefaultFilter()
        resolved = [p.resolve() for p in folders]

        def wanted(change: watchfiles.Change, name: str) -> bool:
            if not default(change, name):
                return False
            path = Path(name)
            if any(path.is_relative_to(p) for p in resolved):
                return True
            # Its folder is watched (editors replace files by renaming): only this file.
            return located is not None and path == located

        paths = [*folders, *([located.parent] if located is not None else [])]

        def run() -> None:
            try:
                for _changes in watchfiles.watch(
                    *paths,
                    watch_filter=wanted,
                    debounce=debounce_ms,
                    step=50,
                    stop_event=self._stop,
                    raise_interrupt=False,
                    rust_timeout=500,
                ):
                    self.reload()
            except Exception as exc:  # noqa: BLE001
                self.log(f"file watcher stopped: {exc}; restart makeprint serve to refresh")

        self.watcher = threading.Thread(target=run, name="makeprint-watcher", daemon=True)
        self.watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self.watcher is not None:
            self.watcher.join(timeout=5)
        self.pool.close()
        self.spill.close()

    # -- what the page needs ------------------------------------------------------------

    def catalog(self) -> dict[str, Any]:
        project, generation = self.state()
        languages = list(project.languages.values())
        source = next((lang for lang in languages if lang.status == "source"), None)
        source = source or (languages[0] if languages else None)
        service_names = (source.common.get("services", {}) if source else {}) or {}
        return {
            "version": generation,
            "problems": [str(p) for p in self.load_problems],
            "organization": {
                "name": project.organization.name,
                "paper": project.organization.paper,
                "language": next(iter(project.organization.languages), ""),
            },
            "locations": [
                {
                    "slug": loc.slug,
                    "name": loc.name,
                    "city": loc.city,
                    "address": ", ".join(loc.address_lines),
                    "languages": list(loc.languages),
                }
                for loc in project.locations
            ],
            "languages": [
                {
                    "code": code,
                    "name": lang.name,
                    "native_name": lang.native_name,
                    "status": lang.status,
                }
                for code, lang in sorted(project.languages.items())
            ],
            # Collection materials (the directory) are made per directory, not per location.
            "directories": [
                {
                    "name": name,
                    "description": directory.describe(),
                    "count": len(listed := members(directory, project.locations)),
                    "languages": directory_languages(directory, listed, list(project.languages)),
                }
                for name, directory in project.directories.items()
                if any(m.collection for m in project.materials.values())  # else none is made
            ],
            "materials": [
                {
                    "name": name,
                    "description": material.description,
                    "pages": material.pages,
                    "collection": material.collection,
                    "variants": [
                        {"name": v, "label": VARIANTS[v].label} for v in variants_for(name)
                    ],
                }
                for name, material in project.materials.items()
            ],
            "event": {
                "fields": list(EVENT_FIELDS),
                "services": [
                    {"key": key, "label": str(service_names.get(key, key))} for key in SERVICES
                ],
                "today": dt.date.today().isoformat(),
            },
        }

    def version(self) -> dict[str, Any]:
        _, generation = self.state()
        return {
            "version": generation,
            "problems": [str(p) for p in self.load_problems],
            "warm": self.warm(),
        }

    def target(self, params: dict[str, str]) -> Target:
        """Check a document request against the project; raise 404 for unknown names."""
        project, generation = self.state()
        material = params.get("material", "")
        if material not in project.materials:
            raise HttpError(404, f'no material named "{material[:60]}"')
        variants = variants_for(material)
        variant = params.get("variant") or variants[0]
        if variant not in variants:
            raise HttpError(404, f'{material} has no version named "{variant[:60]}"')
        suffix = "" if variant == variants[0] else f"-{variant}"
        if "event" in params:
            token = params["event"]
            entry = self.events.get(token) if _TOKEN_RE.match(token) else None
            if entry is None:
                raise HttpError(404, "this event preview has expired; submit the form again")
            if material not in entry.materials:
                raise HttpError(404, f"events are made as {', '.join(entry.materials)} only")
            job = Job(entry.location.slug, entry.lang, material)
            return Target(
                ("event", token, generation, variant, material),
                job,
                variant,
                f"{entry.location.name} — {material}",
                f"{job.slug}-{job.lang}-{material}{suffix}.pdf",
                {"event": token, "material": material, "variant": variant},
                entry,
            )
        if "directory" in params:
            return self._directory_target(project, generation, params, material, variant,
                                          suffix)
        slug, lang = params.get("location", ""), params.get("lang", "")
        if project.materials[material].collection:
            raise HttpError(404, f"the {material} is made per directory, not per location: "
                            "choose a directory")
        location = next((loc for loc in project.locations if loc.slug == slug), None)
        if location is None:
            raise HttpError(404, f'no location named "{slug[:60]}"')
        if lang not in project.languages:
            raise HttpError(404, f'no language named "{lang[:20]}"')
        if lang not in location.languages:
            raise HttpError(
                404,
                f"{location.name} is made in {', '.join(location.languages)}, not {lang}",
            )
        job = Job(slug, lang, material)
        return Target(
            ("doc", generation, variant, slug, lang, material),
            job,
            variant,
            f"{location.name} — {project.languages[lang].native_name} — {material}",
            f"{slug}-{lang}-{material}{suffix}.pdf",
            {"location": slug, "lang": lang, "material": material, "variant": variant},
        )

    def _directory_target(self, project: Project, generation: int, params: dict[str, str],
                          material: str, variant: str, suffix: str) -> Target:
        """A directory's document (a collection material): one per directory and language."""
        name, lang = params.get("directory", ""), params.get("lang", "")
        directory = project.directories.get(name)
        if directory is None:
            raise HttpError(404, f'no directory named "{name[:60]}"')
        if not project.materials[material].collection:
            raise HttpError(404, f"a directory is made as a directory, not a {material}")
        listed = members(directory, project.locations)
        langs = directory_languages(directory, listed, list(project.languages))
        if lang not in langs:
            raise HttpError(404, f"directory {name} is made in {', '.join(langs)}, not {lang}")
        job = Job(name, lang, material, kind="directory")
        return Target(
            ("directory", generation, variant, name, lang, material),
            job,
            variant,
            f"Directory {name} — {project.languages[lang].native_name} — {material}",
            f"{material}-{name}-{lang}{suffix}.pdf",
            {"directory": name, "lang": lang, "material": material, "variant": variant},
        )

    def document(self, target: Target) -> Doc:
        """The rendered document, from the cache or made now (once, however many ask).

        A document stopped for taking too long is not made again for ``STUCK_SECONDS``:
        asking again is answered at once (a looping template would otherwise take a render
        slot for the whole time limit on every request)."""
        hit = self.docs.get(target.key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        self._refuse_if_stuck(target)
        with self._lock:
            flight = self._flights.setdefault(target.key, threading.Lock())
        if not flight.acquire(timeout=self.pool.wait):
            raise HttpError(503, "makeprint is busy making other documents; try again shortly")
        try:
            hit = self.docs.get(target.key)
            if hit is None:
                self._refuse_if_stuck(target)
                hit = self._render(target)
                if hit.timed_out:
                    with self._lock:
                        self.stuck[target.key] = time.monotonic()
                    self._refuse_if_stuck(target)
                hit = dataclasses.replace(
                    hit, pdf=self.spill.keep(hit.pdf), draft=self.spill.keep(hit.draft)
                )
                self.docs.put(target.key, hit)
        finally:
            flight.release()
        with self._lock:
            self._flights.pop(target.key, None)
        return hit  # type: ignore[no-any-return]

    def _refuse_if_stuck(self, target: Target) -> None:
        with self._lock:
            since = self.stuck.get(target.key)
            if since is not None and time.monotonic() - since > STUCK_SECONDS:
                del self.stuck[target.key]
                since = None
        if since is not None:
            ago = time.monotonic() - since
            when = "just now" if ago < 1 else f"{ago:.0f} s ago"
            raise HttpError(
                504,
                f"{target.title} took longer than {self.render_timeout:g} seconds to make, so "
                f"makeprint stopped it ({when}): its template or content may make it loop. "
                "Fix it and save (the page refreshes), or ask for it again in a few minutes.",
            )

    def _render(self, target: Target) -> Doc:
        base, generation = self.state()
        project = base
        if target.event is not None:
            project = dataclasses.replace(base, locations=[target.event.location], warnings=[])
        variant = VARIANTS[target.variant]
        from .context import qr_for

        qr_url = qr_for(project, target.job)
        event = target.event.location if target.event is not None else None
        material = base.materials.get(target.job.material)
        cost = material.cost if material is not None else 1.0
        with self.pool.lease(base, 0, None, cost) as worker:
            try:
                rendered = worker.render(
                    self.render_timeout,
                    generation,
                    base,
                    variant.options,
                    target.job,
                    target.variant,
                    event,
                )
            except Exception as exc:  # noqa: BLE001 - shown on the page, never a traceback
                self.log(f"rendering {target.job} failed:\n{traceback.format_exc()}")
                worker.stop()
                problem = Problem(f"{target.job}: rendering failed: {type(exc).__name__}: {exc}")
                return Doc(False, None, 0, qr_url, [problem])
        if rendered.timed_out:
            self.log(f"rendering {target.job} took over {self.render_timeout:g} s: stopped")
            return Doc(False, None, 0, qr_url, rendered.problems, timed_out=True)
        if rendered.failure or not rendered.qr_url:  # an exception, or the worker ended
            self.log(f"rendering {target.job} failed:\n{rendered.failure or rendered.problems}")
            return Doc(False, None, 0, qr_url, rendered.problems)
        if rendered.ok:
            return Doc(True, rendered.pdf, rendered.pages, rendered.qr_url, rendered.problems)
        errors = [p for p in rendered.problems if p.severity == "error"]
        fits_not = rendered.pdf is not None and all(isinstance(p, FitProblem) for p in errors)
        return Doc(
            False,
            None,
            rendered.pages,
            rendered.qr_url,
            rendered.problems,
            draft=rendered.pdf if fits_not else None,
            marks=list(rendered.marks) if fits_not else [],
        )

    def page_png(self, target: Target, doc: Doc, page: int) -> bytes:
        key = (*target.key, "png", page)
        hit = self.pngs.get(key)
        if hit is None:
            pdf = doc.pdf or doc.draft
            assert pdf is not None
            png = previews.page_pngs(data(pdf), [page], max_px=PREVIEW_MAX_PX, marks=doc.marks)[0]
            self.pngs.put(key, self.spill.keep(png))
            return png
        return data(hit)

    def stale(self, project: Project, generation: int, lang: str) -> int:
        """How many of a translation's strings are stale (0 for English or when unknown)."""
        key = (generation, lang)
        if key not in self._stale:
            count = 0
            with contextlib.suppress(MakeprintError):  # a broken .sources.yaml: check says so
                if lang != SOURCE_LANGUAGE:
                    count = language_state(project, lang).count("stale")
            self._stale = {k: v for k, v in self._stale.items() if k[0] == generation}
            self._stale[key] = count
        return self._stale[key]

    def describe(self, target: Target, doc: Doc) -> dict[str, Any]:
        """The JSON the page gets for one document: pages as image URLs, PDF links."""
        project, generation = self.state()
        query = dict(target.query, v=str(generation))
        warnings = doc.warnings
        language = project.languages.get(target.job.lang)
        if language is not None and language.is_draft:
            warnings = [
                f"{language.native_name} is a draft translation: have a qualified translator "
                "review it before you print many.",
                *warnings,
            ]
        elif language is not None and (stale := self.stale(project, generation, language.code)):
            warnings = [
                f"{language.native_name}: {stale} string(s) changed in English since they were "
                "translated (makeprint check lists them): treat this as a draft.",
                *warnings,
            ]
        return {
            "ok": doc.ok,
            "title": target.title,
            "material": target.job.material,
            "variant": target.variant,
            "pages": doc.pages,
            "qr_url": doc.qr_url,
            "images": [
                "/api/page.png?" + urlencode(dict(query, page=str(n)))
                for n in range(1, doc.pages + 1)
            ]
            if doc.ok or doc.draft is not None
            else [],
            # The images show a document that does not fit, outlined in red; no PDF is offered.
            "draft": doc.draft is not None,
            "pdf": "/api/pdf?" + urlencode(query) if doc.ok else None,
            "download": "/api/pdf?" + urlencode(dict(query, download="1")) if doc.ok else None,
            "filename": target.filename,
            "problems": doc.errors,
            "warnings": warnings,
        }

    def submit_event(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        project, generation = self.state()
        try:
            event, errors = validate_event(project, form)
        except FormError as exc:
            raise HttpError(400, str(exc)) from None
        if event is None:
            return 422, {"error": "Please correct the fields marked below.", "errors": errors}
        canonical = json.dumps(
            [event.location.raw, event.location.slug, event.lang, event.materials],
            sort_keys=True,
            default=str,
        )
        token = hashlib.sha256(canonical.encode()).hexdigest()[:24]
        self.events.put(token, EventEntry(event.location, event.lang, event.materials))
        documents = []
        failed = []
        for material in event.materials:
            target = self.target({"event": token, "material": material})
            doc = self.document(target)
            documents.append(self.describe(target, doc))
            failed += doc.errors
        body = {
            "event": token,
            "name": event.location.name,
            "lang": event.lang,
            "documents": documents,
        }
        if failed:
            body["error"] = "The event's documents could not be made: " + "; ".join(failed)
            body["errors"] = {}
            return 422, body
        return 200, body


class MakeprintServer:
    """uvicorn serving ``asgi.Web`` on a socket bound here (so the port is known at once)."""

    def __init__(
        self,
        app: App,
        host: str,
        port: int,
        *,
        access: Access | None = None,
        behind_proxy: bool = False,
        render_timeout: float = RENDER_TIMEOUT,
    ):
        import uvicorn

        from .asgi import Web

        self.app = app
        self.loopback = is_loopback(host) and not behind_proxy
        address = host.strip("[]")
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        sock.set_inheritable(False)
        self.socket = sock
        self.server_address = sock.getsockname()
        self.web = Web(
            app, loopback_only=self.loopback, access=access, render_timeout=render_timeout
        )
        config = uvicorn.Config(
            self.web.asgi,
            log_config=None,
            access_log=False,
            lifespan="off",
            server_header=False,
            # The client's address and https from X-Forwarded-* only when asked, and then
            # only from a proxy on this machine.
            proxy_headers=behind_proxy,
            forwarded_allow_ips="127.0.0.1,::1" if behind_proxy else "",
            # httptools: h11 answers a request without Host itself, in plain text, before the
            # guard can (the page must get its JSON error)
            http="httptools",
            timeout_keep_alive=15,
            timeout_graceful_shutdown=3,
            h11_max_incomplete_event_size=MAX_URL * 8,
        )
        self.uvicorn = uvicorn.Server(config)
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        """Serve until ``shutdown()`` (or Ctrl+C / SIGTERM in the main thread)."""
        self._stopped.clear()
        try:
            self.uvicorn.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self.uvicorn.should_exit = True
        self._stopped.wait(timeout=10)

    def close(self) -> None:
        self.app.stop()
        self.socket.close()


def make_server(
    root: Path,
    locations: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    watch: bool = True,
    slots: int = RENDER_SLOTS,
    log: Callable[[str], None] | None = None,
    project: Project | None = None,
    sheet: str | None = None,
    users: Path | None = None,
    behind_proxy: bool = False,
    render_timeout: float = RENDER_TIMEOUT,
    warm: bool = False,
) -> MakeprintServer:
    """A server ready for ``serve_forever()``; raises MakeprintError for a broken project.

    ``users``: a users file (see access.py): nothing but the sign-in page without a session.
    ``warm``: start the render processes now, not at the first request.
    """
    access = Access(users) if users is not None else None
    app = App(
        root,
        locations,
        slots=slots,
        log=log,
        project=project,
        sheet=sheet,
        render_timeout=render_timeout,
    )
    server = MakeprintServer(
        app, host, port, access=access, behind_proxy=behind_proxy, render_timeout=render_timeout
    )
    if watch:
        app.start_watcher()
    if warm:
        project_now, generation = app.state()
        app.pool.prepare(project_now, generation)
        app.start_warming()
    return server
