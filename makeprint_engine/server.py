"""``makeprint serve``: a local web page to pick a location, preview every page and print.

Standard library HTTP server, one thread per request. The page and its script and style are
files in ``web/`` served by fixed routes (no request ever names a file). Documents are
rendered in memory by a small pool of warm renderers — at most ``slots`` at once; further
requests wait — and cached per project version. A watcher reloads the project when a file
under templates/, content/ or assets/ changes and bumps the version the page polls.

Every request parameter is checked against the project (known slugs, languages, materials,
variants, page numbers); bodies are limited to 16 KB; errors are JSON ``{"error": ...}``
(HTML for the page routes), never a traceback. Nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import hashlib
import ipaddress
import json
import re
import socket
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import previews
from .content import SOURCE_LANGUAGE
from .errors import MakeprintError, Problem
from .event import FIELDS as EVENT_FIELDS
from .event import FormError, validate_event
from .fit import FitProblem, Mark
from .locations import SERVICES, Location
from .options import Options
from .plan import Job
from .project import Project, load_project
from .sources import language_state
from .variants import VARIANTS, render_variant, variants_for

WEB = Path(__file__).parent / "web"
STATIC = {  # route -> (file in web/, content type); nothing else is ever read
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
}
RENDER_SLOTS = 2  # renders at once; each takes 0.2-0.6 s and one CPU
RENDER_WAIT_SECONDS = 120  # a request waiting longer for a slot gets 503
MAX_BODY = 16 * 1024
MAX_URL = 2048
MAX_PARAM = 200
PREVIEW_MAX_PX = 1400  # longer side of a preview image
_TOKEN_RE = re.compile(r"^[0-9a-f]{24}$")
_INT_RE = re.compile(r"^[0-9]{1,6}$")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class HttpError(Exception):
    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


@dataclass
class Doc:
    """One rendered document, kept in memory."""

    ok: bool
    pdf: bytes | None
    pages: int
    qr_url: str
    problems: list[Problem] = field(default_factory=list)
    # A document that does not fit: its PDF, only ever shown as images with ``marks`` outlined
    # in red (never served: build would refuse it too).
    draft: bytes | None = None
    marks: list[Mark] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [str(p) for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[str]:
        return [str(p) for p in self.problems if p.severity != "error"]


class LRU:
    """A small thread-safe least-recently-used cache."""

    def __init__(self, size: int):
        self.size = size
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
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RenderPool:
    """Warm renderers, at most ``slots`` of them busy at once; others wait for a free slot.

    A Renderer is not thread-safe, so each one is leased to one thread at a time. Renderers
    are kept per project version and options, and dropped when the project reloads.
    """

    def __init__(self, slots: int = RENDER_SLOTS, wait: float = RENDER_WAIT_SECONDS):
        self.slots = slots
        self.wait = wait
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._idle: dict[tuple[int, Options], list[Any]] = {}
        self._current = 0  # renderers of older project versions are not kept
        self.active = 0
        self.peak = 0  # most renders ever running at once (tests check it never exceeds slots)
        self.renders = 0

    @contextmanager
    def lease(self, project: Project, generation: int, options: Options) -> Iterator[Any]:
        if not self._slots.acquire(timeout=self.wait):
            raise HttpError(503, "makeprint is busy making other documents; try again shortly")
        try:
            with self._lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
                self.renders += 1
                idle = self._idle.get((generation, options))
                renderer = idle.pop() if idle else None
            if renderer is None:
                from .render import Renderer

                renderer = Renderer(project, options)
            yield renderer
            with self._lock:
                if generation >= self._current:  # else the project changed meanwhile
                    self._idle.setdefault((generation, options), []).append(renderer)
        finally:
            with self._lock:
                self.active -= 1
            self._slots.release()

    def forget_before(self, generation: int) -> None:
        with self._lock:
            self._current = max(self._current, generation)
            for key in [k for k in self._idle if k[0] < generation]:
                del self._idle[key]


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
        self.pool = RenderPool(slots)
        self.docs = LRU(64)
        self.pngs = LRU(256)
        self.events = LRU(32)
        self._stale: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()
        self._flights: dict[Any, threading.Lock] = {}
        self._stop = threading.Event()
        self.watcher: threading.Thread | None = None

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
        self.pool.forget_before(generation)
        self.log(f"project reloaded (version {generation})")

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
            "materials": [
                {
                    "name": name,
                    "description": material.description,
                    "pages": material.pages,
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
        return {"version": generation, "problems": [str(p) for p in self.load_problems]}

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
        slug, lang = params.get("location", ""), params.get("lang", "")
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

    def document(self, target: Target) -> Doc:
        """The rendered document, from the cache or made now (once, however many ask)."""
        hit = self.docs.get(target.key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        with self._lock:
            flight = self._flights.setdefault(target.key, threading.Lock())
        with flight:
            hit = self.docs.get(target.key)
            if hit is None:
                hit = self._render(target)
                self.docs.put(target.key, hit)
        with self._lock:
            self._flights.pop(target.key, None)
        return hit  # type: ignore[no-any-return]

    def _render(self, target: Target) -> Doc:
        base, generation = self.state()
        project = base
        if target.event is not None:
            project = dataclasses.replace(base, locations=[target.event.location], warnings=[])
        variant = VARIANTS[target.variant]
        from .context import qr_for

        qr_url = qr_for(project, target.job)
        with self.pool.lease(base, generation, variant.options) as renderer:
            if renderer.project is not project:
                # The same warm templates, fonts and styles, with the event as the location.
                renderer = copy.copy(renderer)
                renderer.project = project
            try:
                rendered = render_variant(renderer, target.job, target.variant, draft=True)
            except Exception as exc:  # noqa: BLE001 - shown on the page, never a traceback
                self.log(f"rendering {target.job} failed:\n{traceback.format_exc()}")
                return Doc(
                    False,
                    None,
                    0,
                    qr_url,
                    [Problem(f"{target.job}: rendering failed: {type(exc).__name__}: {exc}")],
                )
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
            hit = previews.page_pngs(pdf, [page], max_px=PREVIEW_MAX_PX, marks=doc.marks)[0]
            self.pngs.put(key, hit)
        return hit  # type: ignore[no-any-return]

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


def _params(query: str, allowed: set[str], required: set[str]) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=12)
    except ValueError:
        raise HttpError(400, "too many parameters") from None
    params: dict[str, str] = {}
    for key, value in pairs:
        if key not in allowed:
            raise HttpError(400, f'unknown parameter "{key[:40]}"')
        if key in params:
            raise HttpError(400, f'parameter "{key}" given twice')
        if len(value) > MAX_PARAM:
            raise HttpError(400, f'parameter "{key}" is too long')
        params[key] = value
    missing = sorted(required - set(params))
    if missing:
        raise HttpError(400, "missing parameter: " + ", ".join(missing))
    return params


DOC_PARAMS = {"location", "lang", "event", "material", "variant", "v"}


class Handler(BaseHTTPRequestHandler):
    server: MakeprintServer
    server_version = "makeprint"
    sys_version = ""
    timeout = 30  # a client that stalls mid-request loses its thread after this long

    # -- plumbing --------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).isdigit() and int(code) >= 400:  # the page polls: log only failures
            super().log_request(code, size)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        self.server.app.log(f"{self.address_string()} {format % args}")

    def _dispatch(self, method: str) -> None:
        path = urlsplit(self.path).path
        try:
            if len(self.path) > MAX_URL:
                raise HttpError(414, "the address is too long")
            self._check_host()
            route = ROUTES.get((method, path))
            if route is None:
                if any(p == path for _, p in ROUTES):
                    raise HttpError(405, f"{method} is not allowed here")
                raise HttpError(404, "there is no page at this address")
            route(self, urlsplit(self.path).query)
            return
        except HttpError as exc:
            failure = exc
        except (BrokenPipeError, ConnectionResetError):
            return  # the browser went away; nothing to tell it
        except Exception:  # noqa: BLE001 - never a traceback to the browser
            self.server.app.log(f"{method} {self.path} failed:\n{traceback.format_exc()}")
            failure = HttpError(
                500,
                "Something went wrong inside makeprint. The details are in the window "
                "where makeprint serve runs.",
            )
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._error(path, failure)

    def _check_host(self) -> None:
        """Refuse other sites' pages talking to a loopback server (DNS rebinding, CSRF)."""
        host = self.headers.get("Host")
        if not host:
            # No browser omits it (HTTP/1.1 requires it), and the loopback check below cannot
            # vouch for a request that names no host: refused rather than waved through.
            raise HttpError(400, "the request names no host (no Host header)")
        if self.server.loopback:
            name = urlsplit("//" + host).hostname or ""
            if not is_loopback(name):
                raise HttpError(403, "this page answers only to 127.0.0.1 and localhost")
        origin = self.headers.get("Origin")
        if self.command == "POST" and origin and urlsplit(origin).netloc != host:
            raise HttpError(403, "forms from other sites are refused")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", CSP)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _error(self, path: str, exc: HttpError) -> None:
        if exc.status == 413:
            self.close_connection = True  # the unread body must not be taken as a request
        if path.startswith("/api/"):
            self._json(exc.status, {"error": exc.message, **exc.extra})
            return
        title = HTTPStatus(exc.status).phrase
        page = (
            f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title>'
            f"<h1>{escape(title)}</h1><p>{escape(exc.message)}</p>"
            '<p><a href="/">Back to makeprint</a></p></html>'
        )
        self._send(exc.status, page.encode("utf-8"), "text/html; charset=utf-8")

    # -- routes ----------------------------------------------------------------------------

    def static(self, query: str) -> None:
        name, content_type = STATIC[urlsplit(self.path).path]
        self._send(200, (WEB / name).read_bytes(), content_type)

    def catalog(self, query: str) -> None:
        _params(query, {"v"}, set())
        self._json(200, self.server.app.catalog())

    def version(self, query: str) -> None:
        _params(query, {"v"}, set())
        self._json(200, self.server.app.version())

    def _target(
        self, query: str, extra: frozenset[str] = frozenset()
    ) -> tuple[Target, dict[str, str]]:
        params = _params(query, DOC_PARAMS | extra, {"material"} | (extra & {"page"}))
        if "event" in params:
            if "location" in params or "lang" in params:
                raise HttpError(400, "give either event or location and lang")
        elif "location" not in params or "lang" not in params:
            raise HttpError(400, "missing parameter: location and lang (or event)")
        return self.server.app.target(params), params

    def document(self, query: str) -> None:
        app = self.server.app
        target, _ = self._target(query)
        doc = app.document(target)
        body = app.describe(target, doc)
        if doc.draft is not None:
            body["error"] = (
                f"{target.title} does not fit, so it cannot be printed. What does not fit is "
                "outlined in red on the pages below: shorten it and save."
            )
        elif not doc.ok:
            body["error"] = f"{target.title} could not be made."
        self._json(200 if doc.ok else 422, body)

    def _ready(self, target: Target) -> Doc:
        doc = self.server.app.document(target)
        if not doc.ok or doc.pdf is None:
            raise HttpError(422, f"{target.title} could not be made.", problems=doc.errors)
        return doc

    def page_png(self, query: str) -> None:
        target, params = self._target(query, frozenset({"page"}))
        doc = self.server.app.document(target)
        if doc.draft is None:  # a draft's pages are shown, with what does not fit outlined
            doc = self._ready(target)
        page = params["page"]
        if not _INT_RE.match(page) or not 1 <= int(page) <= doc.pages:
            raise HttpError(404, f"no page {page[:10]}: the document has {doc.pages}")
        png = self.server.app.page_png(target, doc, int(page))
        self._send(200, png, "image/png")

    def pdf(self, query: str) -> None:
        target, params = self._target(query, frozenset({"download"}))
        if params.get("download", "0") not in ("0", "1"):
            raise HttpError(400, "download must be 0 or 1")
        doc = self._ready(target)
        assert doc.pdf is not None
        how = "attachment" if params.get("download") == "1" else "inline"
        self._send(
            200,
            doc.pdf,
            "application/pdf",
            {"Content-Disposition": f'{how}; filename="{target.filename}"'},
        )

    def event(self, query: str) -> None:
        _params(query, set(), set())
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise HttpError(415, "send the form as application/json")
        if self.headers.get("Transfer-Encoding"):
            raise HttpError(411, "send a Content-Length")
        length = self.headers.get("Content-Length", "").strip()
        if not length:
            raise HttpError(411, "send a Content-Length")
        if not length.isdigit() or len(length) > 12:
            raise HttpError(400, "bad Content-Length")
        if int(length) > MAX_BODY:
            raise HttpError(413, f"the form is larger than {MAX_BODY // 1024} KB")
        raw = self.rfile.read(int(length))
        try:
            form = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "the form is not valid JSON") from None
        if not isinstance(form, dict):
            raise HttpError(400, "the form must be a JSON object")
        status, body = self.server.app.submit_event(form)
        self._json(status, body)


ROUTES: dict[tuple[str, str], Callable[[Handler, str], None]] = {
    **{("GET", path): Handler.static for path in STATIC},
    ("GET", "/api/catalog"): Handler.catalog,
    ("GET", "/api/version"): Handler.version,
    ("GET", "/api/document"): Handler.document,
    ("GET", "/api/page.png"): Handler.page_png,
    ("GET", "/api/pdf"): Handler.pdf,
    ("POST", "/api/event"): Handler.event,
}


class MakeprintServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 32

    def __init__(self, app: App, host: str, port: int):
        self.app = app
        self.loopback = is_loopback(host)
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        super().__init__((host.strip("[]"), port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A failure outside the routes (a malformed request line, say): log, never print."""
        self.app.log(f"request from {client_address[0]} failed:\n{traceback.format_exc()}")

    def close(self) -> None:
        self.app.stop()
        self.server_close()


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
) -> MakeprintServer:
    """A server ready for ``serve_forever()``; raises MakeprintError for a broken project."""
    app = App(root, locations, slots=slots, log=log, project=project, sheet=sheet)
    server = MakeprintServer(app, host, port)
    if watch:
        app.start_watcher()
    return server
