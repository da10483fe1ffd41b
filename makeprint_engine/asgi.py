"""The web page as an ASGI application (Starlette): routes, limits, headers and sign-in.

``server.App`` holds the state (project, caches, render pool); this module turns requests
into calls on it. Anything that may render or rasterize is waited for in a thread
(``anyio.to_thread``), never on the event loop; a document already made is answered on the
loop. (Renders themselves run in worker processes, stopped past ``render_timeout``.)
A guard in front of the routes refuses over-long addresses, a missing or foreign ``Host``,
POSTs from other origins, and, with accounts, anything but the sign-in page without a
session and any POST without its CSRF token.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import traceback
from collections.abc import Awaitable, Callable
from html import escape
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .access import COOKIE, SESSION_SECONDS, SIGNIN_COOKIE, Access, Session, same
from .spill import data

WEB = Path(__file__).parent / "web"
WEB_FILES = {  # route -> (file in web/, content type); nothing else is ever read
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
}
OPEN_PATHS = {"/signin", "/app.css"}  # all that answers without a session
MAX_URL = 2048
MAX_PARAM = 200
MAX_BODY = 16 * 1024
BODY_SECONDS = 30  # a client sending its form slower than this is cut off
RENDER_TIMEOUT = 90.0
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOC_PARAMS = {"location", "directory", "lang", "event", "material", "variant", "v"}
_INT_RE = re.compile(r"^[0-9]{1,6}$")
_NONCE_RE = re.compile(r"^[0-9a-f]{32}$")


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


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def error_response(path: str, status: int, message: str, **extra: Any) -> Response:
    """JSON ``{"error": ...}`` for the API, a short HTML page for everything else."""
    if _is_api(path):
        return JSONResponse({"error": message, **extra}, status)
    title = HTTPStatus(status).phrase
    page = (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title>'
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
        '<p><a href="/">Back to makeprint</a></p></html>'
    )
    return Response(page, status, media_type="text/html; charset=utf-8")


def _cookie(name: str, value: str, *, secure: bool, max_age: int, path: str = "/") -> str:
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}", "HttpOnly",
             "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie is no cookie
                continue
    return {key: morsel.value for key, morsel in jar.items()}


class Guard:
    """Checks every request before any route sees it, and adds the security headers."""

    def __init__(self, app: ASGIApp, web: Web):
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [
                    (b"cache-control", b"no-store"),
                    (b"x-content-type-options", b"nosniff"),
                    # Not no-referrer: with it Chromium sends "Origin: null" on a form POST to
                    # this very site (the sign-in form), which the Origin check must refuse.
                    # Nothing leaves for other sites either way.
                    (b"referrer-policy", b"same-origin"),
                ]
                kind = dict(headers).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    extra.append((b"content-security-policy", CSP.encode()))
                headers += [(n, v) for n, v in extra if n not in names]
                message = {**message, "headers": headers}
            await send(message)

        refusal = self.refuse(scope)
        if refusal is not None:
            await refusal(scope, receive, secured)
            return
        await self.app(scope, receive, secured)

    def refuse(self, scope: Scope) -> Response | None:
        path: str = scope["path"]
        method: str = scope["method"]
        if len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) > MAX_URL:
            return error_response(path, 414, "the address is too long")
        host = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"host"), "")
        if not host:
            # No browser omits it (HTTP/1.1 requires it), and the loopback check below cannot
            # vouch for a request that names no host: refused rather than waved through.
            return error_response(path, 400, "the request names no host (no Host header)")
        if self.web.loopback_only and not is_loopback(urlsplit("//" + host).hostname or ""):
            return error_response(path, 403, "this page answers only to 127.0.0.1 and localhost")
        origin = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"origin"), "")
        if method == "POST" and origin and urlsplit(origin).netloc != host:
            return error_response(path, 403, "forms from other sites are refused")
        access = self.web.access
        if access is None:
            return None
        session = access.session(_cookies(scope).get(COOKIE))
        scope.setdefault("state", {})["session"] = session
        if path in OPEN_PATHS:
            return None
        if session is None:
            if _is_api(path):
                return error_response(path, 401, "sign in first")
            return RedirectResponse("/signin", 303)
        if method == "POST":
            token = next(
                (v.decode("latin-1") for n, v in scope["headers"] if n == b"x-csrf-token"), ""
            )
            if path == "/signout":
                return None  # its token comes in the form body, checked by the route
            if not same(token, session.csrf):
                return error_response(path, 403, "the form's security token is missing or wrong "
                                      "— reload the page and try again")
        return None


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


Endpoint = Callable[[Request], Awaitable[Response]]


class Web:
    """The Starlette application over one ``server.App``."""

    def __init__(
        self,
        app: Any,
        *,
        loopback_only: bool,
        access: Access | None = None,
        render_timeout: float = RENDER_TIMEOUT,
        threads: int = 64,
    ):
        self.app = app
        self.loopback_only = loopback_only
        self.access = access
        self.render_timeout = render_timeout
        # Threads for requests that render or wait for a render slot; the slots themselves
        # (server.RenderPool) bound how many renders run at once.
        self.limiter = anyio.CapacityLimiter(threads)
        # Argon2 takes 64 MB and ~50 ms a check: two at once, so a crowd signing in (or
        # someone guessing) costs time, not a gigabyte.
        self.hashing = anyio.CapacityLimiter(2)
        routes = [
            *(Route(path, self._wrap(self.page), methods=["GET"]) for path in WEB_FILES),
            Route("/api/catalog", self._wrap(self.catalog), methods=["GET"]),
            Route("/api/version", self._wrap(self.version), methods=["GET"]),
            Route("/api/document", self._wrap(self.document), methods=["GET"]),
            Route("/api/page.png", self._wrap(self.page_png), methods=["GET"]),
            Route("/api/pdf", self._wrap(self.pdf), methods=["GET"]),
            Route("/api/event", self._wrap(self.event), methods=["POST"]),
        ]
        if access is not None:
            routes += [
                Route("/signin", self._wrap(self.signin_page), methods=["GET"]),
                Route("/signin", self._wrap(self.signin), methods=["POST"]),
                Route("/signout", self._wrap(self.signout), methods=["POST"]),
            ]
        starlette = Starlette(
            routes=routes,
            exception_handlers={HTTPException: self._http_exception},  # type: ignore[dict-item]
        )
        self.asgi: ASGIApp = Guard(starlette, self)

    # -- plumbing --------------------------------------------------------------------------

    def _wrap(self, endpoint: Endpoint) -> Endpoint:
        async def run(request: Request) -> Response:
            try:
                return await endpoint(request)
            except HttpError as exc:
                return error_response(request.url.path, exc.status, exc.message, **exc.extra)
            except Exception:  # noqa: BLE001 - never a traceback to the browser
                self.app.log(
                    f"{request.method} {request.url.path} failed:\n{traceback.format_exc()}"
                )
                return error_response(
                    request.url.path,
                    500,
                    "Something went wrong inside makeprint. The details are in the window "
                    "where makeprint serve runs.",
                )

        return run

    async def _http_exception(self, request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return error_response(request.url.path, 405, f"{request.method} is not allowed here")
        if exc.status_code == 404:
            return error_response(request.url.path, 404, "there is no page at this address")
        return error_response(request.url.path, exc.status_code, str(exc.detail))

    async def _off_loop(self, what: str, call: Callable[..., Any], *args: Any) -> Any:
        """``call(*args)`` in a worker thread. A render is stopped by its process's time limit
        (server.App); this deadline only backs that up (it includes waiting for a slot)."""
        deadline = self.render_timeout + self.app.pool.wait + 30
        try:
            with anyio.fail_after(deadline):
                return await anyio.to_thread.run_sync(
                    call, *args, abandon_on_cancel=True, limiter=self.limiter
                )
        except TimeoutError:
            self.app.log(f"{what} took longer than {deadline:g} s; answered 504")
            raise HttpError(
                504,
                f"{what} took longer than {deadline:g} seconds, so makeprint gave up waiting. "
                "See the window where makeprint serve runs, then try again.",
            ) from None

    def _json(self, status: int, data: dict[str, Any]) -> Response:
        return Response(
            json.dumps(data, ensure_ascii=False).encode("utf-8"),
            status,
            media_type="application/json; charset=utf-8",
        )

    def _session(self, request: Request) -> Session | None:
        return request.scope.get("state", {}).get("session")

    # -- routes ----------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        name, content_type = WEB_FILES[request.url.path]
        body = (WEB / name).read_text(encoding="utf-8")
        session = self._session(request)
        if name == "index.html" and session is not None:
            body = body.replace(
                "<!-- account -->",
                '<form class="account" method="post" action="/signout">'
                f'<input type="hidden" name="csrf" value="{session.csrf}">'
                f"<span>Signed in as {escape(session.user)}</span> "
                '<button type="submit" class="secondary">Sign out</button></form>',
            ).replace(
                '<meta name="csrf-token" content="">',
                f'<meta name="csrf-token" content="{session.csrf}">',
            )
        return Response(body.encode("utf-8"), media_type=content_type)

    async def catalog(self, request: Request) -> Response:
        _params(request.url.query, {"v"}, set())
        return self._json(200, self.app.catalog())

    async def version(self, request: Request) -> Response:
        _params(request.url.query, {"v"}, set())
        return self._json(200, self.app.version())

    def _target(self, query: str, extra: frozenset[str] = frozenset()) -> tuple[Any, dict]:
        params = _params(query, DOC_PARAMS | extra, {"material"} | (extra & {"page"}))
        if "event" in params:
            if "location" in params or "lang" in params or "directory" in params:
                raise HttpError(400, "give either event or location and lang")
        elif "location" in params and "directory" in params:
            raise HttpError(400, "give either a location or a directory")
        elif ("location" not in params and "directory" not in params) or "lang" not in params:
            raise HttpError(400, "missing parameter: location and lang (or event)")
        return self.app.target(params), params

    async def _doc(self, target: Any) -> tuple[Any, bool]:
        """The document, and whether it was made before: a cached one is taken here, on the
        event loop, without a thread."""
        doc = self.app.docs.get(target.key)
        if doc is not None:
            return doc, True
        doc = await self._off_loop(target.title, self.app.document, target)
        return doc, False

    @staticmethod
    def _timing(cached: bool) -> dict[str, str]:
        # Shown in the browser's developer tools; the load test tells previews apart with it.
        return {"Server-Timing": f"cache;desc={'hit' if cached else 'miss'}"}

    async def document(self, request: Request) -> Response:
        target, _ = self._target(request.url.query)
        doc, cached = await self._doc(target)
        body = await self._off_loop(target.title, self.app.describe, target, doc)
        if doc.draft is not None:
            body["error"] = (
                f"{target.title} does not fit, so it cannot be printed. What does not fit is "
                "outlined in red on the pages below: shorten it and save."
            )
        elif not doc.ok:
            body["error"] = f"{target.title} could not be made."
        response = self._json(200 if doc.ok else 422, body)
        response.headers.update(self._timing(cached))
        return response

    async def _ready(self, target: Any) -> tuple[Any, bool]:
        doc, cached = await self._doc(target)
        if not doc.ok or doc.pdf is None:
            raise HttpError(422, f"{target.title} could not be made.", problems=doc.errors)
        return doc, cached

    async def page_png(self, request: Request) -> Response:
        target, params = self._target(request.url.query, frozenset({"page"}))
        doc, cached = await self._doc(target)
        if doc.draft is None:  # a draft's pages are shown, with what does not fit outlined
            doc, cached = await self._ready(target)
        page = params["page"]
        if not _INT_RE.match(page) or not 1 <= int(page) <= doc.pages:
            raise HttpError(404, f"no page {page[:10]}: the document has {doc.pages}")
        png = self.app.pngs.get((*target.key, "png", int(page)))
        if png is not None:
            png = await self._off_loop(target.title, data, png)
        else:
            cached = False
            png = await self._off_loop(target.title, self.app.page_png, target, doc, int(page))
        return Response(png, media_type="image/png", headers=self._timing(cached))

    async def pdf(self, request: Request) -> Response:
        target, params = self._target(request.url.query, frozenset({"download"}))
        if params.get("download", "0") not in ("0", "1"):
            raise HttpError(400, "download must be 0 or 1")
        doc, cached = await self._ready(target)
        how = "attachment" if params.get("download") == "1" else "inline"
        return Response(
            await self._off_loop(target.title, data, doc.pdf),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'{how}; filename="{target.filename}"',
                **self._timing(cached),
            },
        )

    async def _body(self, request: Request) -> bytes:
        """The request body: a Content-Length of at most MAX_BODY, sent within BODY_SECONDS."""
        if request.headers.get("transfer-encoding"):
            raise HttpError(411, "send a Content-Length")
        length = request.headers.get("content-length", "").strip()
        if not length:
            raise HttpError(411, "send a Content-Length")
        if not length.isdigit() or len(length) > 12:
            raise HttpError(400, "bad Content-Length")
        if int(length) > MAX_BODY:
            raise HttpError(413, f"the form is larger than {MAX_BODY // 1024} KB")
        chunks: list[bytes] = []
        with anyio.move_on_after(BODY_SECONDS) as scope:
            async for chunk in request.stream():
                chunks.append(chunk)
                if sum(map(len, chunks)) > MAX_BODY:
                    raise HttpError(413, f"the form is larger than {MAX_BODY // 1024} KB")
        if scope.cancelled_caught:
            raise HttpError(408, f"the form took longer than {BODY_SECONDS} s to arrive")
        return b"".join(chunks)

    async def event(self, request: Request) -> Response:
        _params(request.url.query, set(), set())
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise HttpError(415, "send the form as application/json")
        raw = await self._body(request)
        try:
            form = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "the form is not valid JSON") from None
        if not isinstance(form, dict):
            raise HttpError(400, "the form must be a JSON object")
        status, body = await self._off_loop("The event's documents", self.app.submit_event, form)
        return self._json(status, body)

    # -- sign-in ---------------------------------------------------------------------------

    def _secure(self, request: Request) -> bool:
        return request.url.scheme == "https"  # behind a proxy: from X-Forwarded-Proto

    async def signin_page(
        self, request: Request, status: int = 200, message: str = "", name: str = ""
    ) -> Response:
        if self._session(request) is not None and status == 200:
            return RedirectResponse("/", 303)
        access = self.access
        assert access is not None
        nonce = _cookies(request.scope).get(SIGNIN_COOKIE, "")
        if not _NONCE_RE.match(nonce):  # it is sent back in a header: only what we made
            nonce = secrets.token_hex(16)
        organization = escape(self.app.project.organization.name)
        alert = (
            f'<p id="signin-error" class="error" role="alert">{escape(message)}</p>'
            if message
            else ""
        )
        described = ' aria-describedby="signin-error" aria-invalid="true"' if message else ""
        # The cursor where typing goes next: the name, or the password to type again.
        first, again = ("", " autofocus") if name else (" autofocus", "")
        page = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in — makeprint</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/app.css">
</head>
<body>
  <header class="top">
    <h1>Print outreach materials</h1>
    <p class="org">{organization}</p>
  </header>
  <main class="layout signin">
    <section class="panel" aria-labelledby="signin-h">
      <h2 id="signin-h">Sign in</h2>
      <form method="post" action="/signin">
        {alert}
        <input type="hidden" name="csrf" value="{access.signin_token(nonce)}">
        <div class="field">
          <label for="name">Name</label>
          <input id="name" name="name" autocomplete="username" autocapitalize="none"
                 spellcheck="false" required value="{escape(name)}"{described}{first}>
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password"
                 required{described}{again}>
        </div>
        <p><button type="submit" id="signin-submit">Sign in</button></p>
      </form>
      <p class="hint">No account? Ask whoever runs makeprint here to add one
        (<code>makeprint users add NAME</code>).</p>
    </section>
  </main>
</body>
</html>
"""
        response = Response(page, status, media_type="text/html; charset=utf-8")
        response.headers.append(
            "set-cookie",
            _cookie(SIGNIN_COOKIE, nonce, secure=self._secure(request), max_age=3600,
                    path="/signin"),
        )
        return response

    async def _form(self, request: Request) -> dict[str, str]:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise HttpError(415, "send the form as application/x-www-form-urlencoded")
        raw = await self._body(request)
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=8)
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "the form could not be read") from None
        return dict(pairs)

    async def signin(self, request: Request) -> Response:
        access = self.access
        assert access is not None
        form = await self._form(request)
        nonce = _cookies(request.scope).get(SIGNIN_COOKIE)
        if not access.check_signin_token(nonce, form.get("csrf")):
            raise HttpError(403, "the sign-in form's security token is missing or wrong — "
                                 "reload the sign-in page and try again")
        name = form.get("name", "").strip()[:64]
        password = form.get("password", "")[:1024]
        address = request.client.host if request.client else "unknown"
        waiting = access.throttle.wait(address, name)
        if waiting is not None:
            what, seconds = waiting
            minutes = max(1, round(seconds / 60))
            whom = "for this name" if what == "account" else "from this device's address"
            self.app.log(f"sign-in refused: too many failures {whom} ({address}, {name!r})")
            response = await self.signin_page(
                request,
                429,
                f"Too many wrong passwords {whom}. Try again in {minutes} minute"
                f"{'s' if minutes != 1 else ''}.",
                name,
            )
            response.headers["Retry-After"] = str(int(seconds) + 1)
            return response
        ok = await anyio.to_thread.run_sync(
            access.authenticate, name, password, limiter=self.hashing
        )
        if not ok:
            access.throttle.failed(address, name)
            self.app.log(f"sign-in failed for {name[:64]!r} from {address}")
            return await self.signin_page(
                request, 401, "That name and password do not match an account.", name
            )
        self.app.log(f"{name} signed in from {address}")
        response = RedirectResponse("/", 303)
        response.headers.append(
            "set-cookie",
            _cookie(COOKIE, access.new_session(name), secure=self._secure(request),
                    max_age=SESSION_SECONDS),
        )
        response.headers.append(
            "set-cookie",
            _cookie(SIGNIN_COOKIE, "", secure=self._secure(request), max_age=0, path="/signin"),
        )
        return response

    async def signout(self, request: Request) -> Response:
        access = self.access
        session = self._session(request)
        assert access is not None and session is not None
        form = await self._form(request)
        token = form.get("csrf") or request.headers.get("x-csrf-token", "")
        if not same(token, session.csrf):
            raise HttpError(403, "the form's security token is missing or wrong — reload the "
                                 "page and try again")
        access.revoke(session)
        self.app.log(f"{session.user} signed out")
        response = RedirectResponse("/signin", 303)
        response.headers.append(
            "set-cookie", _cookie(COOKIE, "", secure=self._secure(request), max_age=0)
        )
        return response

