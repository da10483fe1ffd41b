"""makeprint serve through an HTTP client: every route, bad input, concurrency, the event form."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from conftest import REPO, copy_project, decode_qr, overfill_hours, pdf_text, run_cli
from PIL import Image
from test_preview import red_count

import makeprint_engine.server as server_module
from makeprint_engine import Job, load_project
from makeprint_engine.context import qr_for
from makeprint_engine.event import validate_event
from makeprint_engine.server import HttpError, RenderPool, is_loopback, make_server

PNG = b"\x89PNG\r\n\x1a\n"


class Served:
    def __init__(self, root: Path, **options: Any):
        self.root = root
        self.server = make_server(root, host="127.0.0.1", port=0, **options)
        self.app = self.server.app
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """Status, headers (names in any case, as HTTP has them), body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self.request("GET", path)

    def json(self, path: str) -> tuple[int, dict[str, Any]]:
        status, headers, body = self.get(path)
        assert headers["Content-Type"].startswith("application/json"), (path, headers)
        return status, json.loads(body)

    def post(self, form: object, **headers: str) -> tuple[int, dict[str, Any]]:
        body = json.dumps(form).encode()
        status, _, raw = self.request(
            "POST", "/api/event", body, {"Content-Type": "application/json", **headers}
        )
        return status, json.loads(raw)

    def close(self) -> None:
        self.server.shutdown()
        self.server.close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_project(tmp_path_factory.mktemp("serve") / "proj")
    running = Served(root, watch=False)
    yield running
    running.close()


def doc_query(location: str, lang: str, material: str, **more: str) -> str:
    params = {"location": location, "lang": lang, "material": material, **more}
    return "&".join(f"{k}={v}" for k, v in params.items())


def event_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "Pop-up at Lexington Market",
        "street": "400 W Lexington St",
        "city": "Baltimore",
        "region": "MD",
        "postal_code": "21201",
        "date": (dt.date.today() + dt.timedelta(days=9)).isoformat(),
        "hours": "10:00-14:00",
        "phone": "(410) 555-0177",
        "services": ["naloxone", "fentanyl-test-strips"],
        "lang": "es",
    }
    form.update(changes)
    return form


def assert_clean(body: bytes) -> None:
    text = body.decode("utf-8", "replace")
    assert "Traceback" not in text and 'File "' not in text, text


# ------------------------------------------------------------------------------- the page


def test_page_script_and_style_are_served_without_external_assets(served: Served) -> None:
    for path, kind in (
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
    ):
        status, headers, body = served.get(path)
        assert status == 200, path
        assert headers["Content-Type"].startswith(kind)
        assert headers["X-Content-Type-Options"] == "nosniff"
        text = body.decode()
        # Works offline: nothing refers to another host (no CDN, no web fonts).
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path
        assert "@import" not in text and "url(http" not in text
    _, headers, page = served.get("/")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    html = page.decode()
    # Every control has a label.
    for control in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html, control


def test_head_requests_get_the_headers_without_a_body(served: Served) -> None:
    for path in ("/", "/api/catalog", "/api/pdf?" + doc_query("east-harbor", "en", "wallet-card")):
        status, headers, body = served.request("HEAD", path)
        assert status == 200 and body == b"", path
        _, full_headers, full = served.get(path)
        assert int(headers["Content-Length"]) == len(full), path
        assert headers["Content-Type"] == full_headers["Content-Type"]
    status, _, body = served.request("HEAD", "/api/nothing")
    assert status == 404 and body == b""


def test_catalog_lists_locations_languages_materials_and_services(served: Served) -> None:
    project = load_project(served.root)
    status, catalog = served.json("/api/catalog")
    assert status == 200
    assert [loc["slug"] for loc in catalog["locations"]] == [x.slug for x in project.locations]
    assert {lang["code"] for lang in catalog["languages"]} == set(project.languages)
    spanish = next(lang for lang in catalog["languages"] if lang["code"] == "es")
    assert spanish["status"] == "draft"
    assert {m["name"] for m in catalog["materials"]} == set(project.materials)
    for material in catalog["materials"]:
        expected = {
            "wallet-card": ["single", "sheet", "press"],
            "kit-label": ["label-sheet", "single", "press"],  # the sheet is what staff print
        }.get(material["name"], ["single", "press"])
        assert [v["name"] for v in material["variants"]] == expected
    assert "naloxone" in {s["key"] for s in catalog["event"]["services"]}
    assert catalog["problems"] == []
    assert served.json("/api/version") == (200, {"version": 1, "problems": [], "warm": False})


# ------------------------------------------------------------------- previews and the PDF


def test_document_previews_every_page_as_png(served: Served) -> None:
    status, doc = served.json("/api/document?" + doc_query("east-harbor", "es", "wallet-card"))
    assert status == 200, doc
    assert doc["ok"] and doc["pages"] == 2 and len(doc["images"]) == 2
    assert any("draft translation" in w for w in doc["warnings"])
    for url in doc["images"]:
        status, headers, png = served.get(url)
        assert status == 200 and headers["Content-Type"] == "image/png"
        assert png.startswith(PNG)
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert width > height > 300  # a 3.5 × 2 in card, large enough to read
    status, missing = served.json(doc["images"][0].replace("page=1", "page=3"))
    assert status == 404 and "has 2" in missing["error"]


def test_pdf_download_opens_and_its_qr_code_is_right(served: Served, tmp_path: Path) -> None:
    status, doc = served.json("/api/document?" + doc_query("riverside-clinic", "es", "flyer"))
    assert status == 200
    status, headers, pdf = served.get(doc["download"])
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == 'attachment; filename="riverside-clinic-es-flyer.pdf"'
    path = tmp_path / "download.pdf"
    path.write_bytes(pdf)
    document = pypdfium2.PdfDocument(str(path))
    try:
        assert len(document) == 1
    finally:
        document.close()
    expected = qr_for(load_project(served.root), Job("riverside-clinic", "es", "flyer"))
    assert decode_qr(path) == [expected] and doc["qr_url"] == expected
    status, headers, inline = served.get(doc["pdf"])
    assert headers["Content-Disposition"].startswith("inline;") and inline == pdf


# --------------------------------------------------------------------------- bad requests


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        (
            "/api/document?" + doc_query("nowhere", "es", "flyer"),
            404,
            'no location named "nowhere"',
        ),
        ("/api/document?" + doc_query("east-harbor", "xx", "flyer"), 404, "no language"),
        ("/api/document?" + doc_query("east-harbor", "es", "poster"), 404, "no material"),
        (
            "/api/document?" + doc_query("east-harbor", "es", "flyer", variant="sheet"),
            404,
            "no version",
        ),
        ("/api/document?location=east-harbor&material=flyer", 400, "missing parameter"),
        (
            "/api/document?" + doc_query("east-harbor", "es", "flyer", path="/etc"),
            400,
            "unknown parameter",
        ),
        ("/api/document?" + doc_query("east-harbor", "es", "flyer") + "&lang=en", 400, "twice"),
        ("/api/document?" + doc_query("../../etc", "es", "flyer"), 404, "no location"),
        ("/api/document?" + doc_query("east-harbor", "es", "flyer", location2="x" * 300), 400, ""),
        ("/api/document?event=" + "0" * 24 + "&material=flyer", 404, "expired"),
        ("/api/document?event=../x&material=flyer", 404, "expired"),
        ("/api/document?event=" + "0" * 24 + "&location=east-harbor&material=flyer", 400, "either"),
        ("/api/page.png?" + doc_query("east-harbor", "es", "flyer", page="x"), 404, "no page"),
        (
            "/api/page.png?" + doc_query("east-harbor", "es", "flyer"),
            400,
            "missing parameter: page",
        ),
        ("/api/pdf?" + doc_query("east-harbor", "es", "flyer", download="yes"), 400, "download"),
        ("/api/nothing", 404, "no page at this address"),
        ("/api/event", 405, "not allowed"),
        ("/api/document?" + "&".join(f"a{i}=1" for i in range(20)), 400, "too many"),
    ],
)
def test_bad_requests_get_a_clean_json_error(
    served: Served, path: str, status: int, says: str
) -> None:
    got, headers, body = served.get(path)
    assert got == status, body
    assert headers["Content-Type"].startswith("application/json")
    assert says in json.loads(body)["error"]
    assert_clean(body)


@pytest.mark.parametrize(
    "path",
    [
        "/../../pyproject.toml",
        "/app.js/../../../pyproject.toml",
        "/%2e%2e/content/locations.csv",
        "/content/locations.csv",
        "/web/index.html",
        "//etc/passwd",
        "/index.html",
    ],
)
def test_no_file_outside_the_fixed_routes_is_served(served: Served, path: str) -> None:
    status, headers, body = served.get(path)
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert b"east-harbor" not in body and b"[project]" not in body


def test_other_hosts_and_origins_are_refused(served: Served) -> None:
    status, _, body = served.request("GET", "/api/catalog", headers={"Host": "evil.example:80"})
    assert status == 403 and b"127.0.0.1" in body
    status, body_json = served.post(event_form(), Origin="http://evil.example")
    assert status == 403
    status, _, _ = served.request("GET", "/api/catalog", headers={"Host": "localhost:1"})
    assert status == 200
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


@pytest.mark.parametrize("version", ["HTTP/1.1", "HTTP/1.0"])
def test_a_request_without_a_host_header_is_refused(served: Served, version: str) -> None:
    """No browser sends a request without Host (HTTP/1.1 requires it: 400, RFC 9112 §3.2), and
    the loopback check cannot vouch for a request that names no host: refused, not served."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=60) as sock:
        sock.sendall(f"GET /api/catalog {version}\r\nConnection: close\r\n\r\n".encode())
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
    assert response.status == 400, body
    assert json.loads(body) == {"error": "the request names no host (no Host header)"}
    assert b"east-harbor" not in body


def test_event_bodies_are_checked_and_size_limited(served: Served) -> None:
    big = json.dumps(event_form(name="x" * 17000)).encode()
    status, _, body = served.request(
        "POST", "/api/event", big, {"Content-Type": "application/json"}
    )
    assert status == 413 and b"16 KB" in body
    status, _, body = served.request("POST", "/api/event", b"{}", {"Content-Type": "text/plain"})
    assert status == 415
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        status, _, body = served.request(
            "POST", "/api/event", raw, {"Content-Type": "application/json"}
        )
        assert status == 400, raw
        assert_clean(body)
    status, body_json = served.post(event_form(secret="x"))
    assert status == 400 and "unknown fields: secret" in body_json["error"]
    status, body_json = served.post(event_form(services="naloxone"))
    assert status == 400
    # No Content-Length at all.
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        conn.putrequest("POST", "/api/event")
        conn.putheader("Content-Type", "application/json")
        conn.endheaders()
        assert conn.getresponse().status == 411
    finally:
        conn.close()


# ---------------------------------------------------------------------------- concurrency


def test_render_pool_bounds_concurrent_renders_and_makes_others_wait() -> None:
    pool = RenderPool(slots=2, wait=5)
    inside = []
    lock = threading.Lock()

    class FakeProject:
        pass

    def work(_: int) -> None:
        with pool.lease(FakeProject(), 1, "opts"):  # type: ignore[arg-type]
            with lock:
                inside.append(pool.active)
            time.sleep(0.05)

    # A renderer is made on first lease; replace the factory with a cheap stand-in.
    pool._idle[(1, "opts")] = [object() for _ in range(6)]  # type: ignore[index]
    with ThreadPoolExecutor(6) as executor:
        list(executor.map(work, range(6)))
    assert max(inside) <= 2 and pool.peak == 2 and pool.active == 0
    # With every slot taken, a request waits, then gives up with 503 instead of piling up.
    busy = RenderPool(slots=1, wait=0.2)
    busy._idle[(1, "opts")] = [object()]  # type: ignore[index]
    with busy.lease(FakeProject(), 1, "opts"):  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(HttpError) as caught, busy.lease(FakeProject(), 1, "opts"):  # type: ignore[arg-type]
            pass
        assert caught.value.status == 503 and time.monotonic() - started >= 0.2


def test_caches_are_bounded_in_bytes_too() -> None:
    cache = server_module.LRU(10, max_bytes=100, weigh=len)
    for n in range(5):
        cache.put(n, b"x" * 30)
    assert cache.bytes <= 100 and cache.get(0) is None and cache.get(4) == b"x" * 30
    cache.put("big", b"x" * 500)  # one larger than the budget is kept alone, not refused
    assert cache.get("big") and cache.get(4) is None and cache.bytes == 500
    cache.clear()
    assert cache.bytes == 0


def test_waiting_renders_go_cheapest_first() -> None:
    """A wallet card (cost 1) asked for after a pamphlet (cost 5) is made first."""
    pool = RenderPool(slots=1, wait=10)
    pool._idle[(1, "opts")] = [object() for _ in range(4)]  # type: ignore[index]
    order: list[str] = []

    def ask(name: str, cost: float) -> None:
        with pool.lease(object(), 1, "opts", cost):  # type: ignore[arg-type]
            order.append(name)

    with pool.lease(object(), 1, "opts"):  # type: ignore[arg-type]
        waiting = []
        for name, cost in (("pamphlet", 5), ("flyer", 2), ("card", 1)):
            thread = threading.Thread(target=ask, args=(name, cost))
            thread.start()
            waiting.append(thread)
            time.sleep(0.1)  # in this order
    for thread in waiting:
        thread.join(timeout=10)
    assert order == ["card", "flyer", "pamphlet"]


def test_warming_waits_behind_every_request_and_takes_only_a_cold_process() -> None:
    """serve warms its render processes at the lowest priority: a request that arrives
    after the warmer began to wait still goes first; and the warmer is given only a
    process that still needs warming, or nothing (it never makes one)."""

    class Process:
        def __init__(self, warm: bool) -> None:
            self.warm = warm

    pool = RenderPool(slots=1, wait=10)
    cold, hot = Process(False), Process(True)
    pool._idle[(0, None)] = [cold, hot]  # type: ignore[index]
    order: list[str] = []

    def warmer() -> None:
        with pool.lease(object(), 0, None, server_module.WARM_COST,  # type: ignore[arg-type]
                        want=lambda p: not p.warm) as got:
            order.append("warm" if got is cold else f"wrong: {got}")

    def request() -> None:
        with pool.lease(object(), 0, None, 5):  # type: ignore[arg-type]  # a poster
            order.append("request")

    with pool.lease(object(), 0, None) as first:  # type: ignore[arg-type]
        assert first is hot  # a request takes whichever is idle
        threads = [threading.Thread(target=warmer), threading.Thread(target=request)]
        for thread in threads:
            thread.start()
            time.sleep(0.1)  # the warmer waits first
    for thread in threads:
        thread.join(timeout=10)
    assert order == ["request", "warm"]
    pool._idle[(0, None)] = [hot]  # type: ignore[index]
    with pool.lease(object(), 0, None, want=lambda p: not p.warm) as got:  # type: ignore[arg-type]
        assert got is None  # nothing cold is idle: nothing, and the slot is free again
    assert pool.active == 0 and pool._free == 1 and pool._idle[(0, None)] == [hot]


def test_six_concurrent_requests_all_succeed_two_renders_at_a_time(project: Path) -> None:
    running = Served(project, watch=False, slots=2)
    try:
        queries = [
            doc_query(slug, lang, "wallet-card")
            for slug in ("east-harbor", "riverside-clinic", "mobile-outreach")
            for lang in ("en", "es")
        ]
        with ThreadPoolExecutor(6) as executor:
            results = list(executor.map(lambda q: running.json("/api/document?" + q), queries))
        assert [status for status, _ in results] == [200] * 6
        assert all(doc["ok"] and doc["pages"] == 2 for _, doc in results)
        pool = running.app.pool
        assert pool.renders == 6 and pool.peak == 2 and pool.active == 0
        # The same document asked for six times at once is rendered once.
        with ThreadPoolExecutor(6) as executor:
            same = list(
                executor.map(
                    lambda _: running.get("/api/pdf?" + doc_query("east-harbor", "en", "flyer")),
                    range(6),
                )
            )
        assert {status for status, _, _ in same} == {200}
        assert len({body for _, _, body in same}) == 1 and pool.renders == 7
    finally:
        running.close()


# ----------------------------------------------------------------------- the one-off event


def test_event_form_errors_are_keyed_by_field_then_a_good_form_makes_pdfs(
    served: Served, tmp_path: Path
) -> None:
    status, body = served.post(event_form(phone="555-CALL-NOW"))
    assert status == 422
    assert set(body["errors"]) == {"phone"}
    assert "not a valid phone number" in body["errors"]["phone"][0]

    form = event_form()
    status, body = served.post(form)
    assert status == 200, body
    assert [d["material"] for d in body["documents"]] == ["flyer", "wallet-card"]
    event, errors = validate_event(load_project(served.root), form)
    assert event is not None and not errors
    assert body["name"] == event.location.name
    assert re.fullmatch(r"Pop-up at Lexington Market — \w+, \d+ de \w+", body["name"])
    for doc in body["documents"]:
        for url in doc["images"]:
            status, _, png = served.get(url)
            assert status == 200 and png.startswith(PNG)
        status, headers, pdf = served.get(doc["download"])
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        assert re.search(
            r'filename="pop-up-at-lexington-market-\d{4}-\d\d-\d\d-es-',
            headers["Content-Disposition"],
        )
        path = tmp_path / f"{doc['material']}.pdf"
        path.write_bytes(pdf)
        expected = qr_for(event.project, Job(event.location.slug, "es", doc["material"]))
        assert decode_qr(path) == [expected] == [doc["qr_url"]]
        text = " ".join(" ".join(pdf_text(path)).split())
        assert event.location.name in text and "(410) 555-0177" in text
    # Nothing was saved: the project's own files did not gain the event.
    assert "Lexington Market" not in (served.root / "content" / "locations.csv").read_text()
    assert not (served.root / "output").exists()


@pytest.mark.parametrize(
    ("changes", "key", "says"),
    [
        ({"date": ""}, "date", "required"),
        ({"date": "13/12/2030"}, "date", "YYYY-MM-DD"),
        ({"date": "2030-02-30"}, "date", "not a date on the calendar"),
        ({"date": "2001-01-01"}, "date", "in the past"),
        ({"name": ""}, "name", "required"),
        ({"name": "!!!"}, "name", "cannot make a slug"),
        ({"name": "N" * 95}, "name", "shorten the name by"),
        ({"street": "=HYPERLINK(1)"}, "street", "formula"),
        ({"hours": "whenever"}, "hours", "hours"),
        ({"hours": "25:00-26:00"}, "hours", "not a time"),
        ({"services": ["free-pizza"]}, "services", "unknown service"),
        ({"lang": "xx"}, "lang", "choose one"),
    ],
)
def test_event_fields_are_validated_like_a_locations_row(
    served: Served, changes: dict[str, object], key: str, says: str
) -> None:
    status, body = served.post(event_form(**changes))
    assert status == 422, body
    assert key in body["errors"], body
    assert says in " ".join(body["errors"][key])


def test_the_date_is_printed_with_the_name_in_each_language(project: Path) -> None:
    proj = load_project(project)
    today = dt.date(2031, 3, 3)  # a Monday
    english, errors = validate_event(proj, event_form(date="2031-03-08", lang="en"), today)
    assert english is not None and not errors
    assert english.location.name == "Pop-up at Lexington Market — Sat, Mar 8"
    assert english.location.slug == "pop-up-at-lexington-market-2031-03-08"
    assert english.location.hours is not None and english.location.hours.entries[0].days == (5,)
    assert english.project.locations == [english.location]
    assert english.materials == ("flyer", "wallet-card")
    spanish, _ = validate_event(proj, event_form(date="2031-03-08", lang="es"), today)
    assert spanish is not None and spanish.location.slug == english.location.slug
    assert spanish.location.name.startswith("Pop-up at Lexington Market — sáb")
    later, _ = validate_event(proj, event_form(date="2032-01-02", lang="en"), today)
    assert later is not None and later.location.name.endswith("Jan 2, 2032")
    # CLDR names no days or months in Haitian Creole: the language's own day name, the date in
    # figures day first (not CLDR root's "M03 8, Sat").
    creole, _ = validate_event(proj, event_form(date="2031-03-08", lang="ht"), today)
    assert creole is not None and creole.location.name.endswith("— Samdi 8/3")
    creole_later, _ = validate_event(proj, event_form(date="2032-01-02", lang="ht"), today)
    assert creole_later is not None and creole_later.location.name.endswith("— Vandredi 2/1/2032")
    # Without a usable date, times-only hours raise no second, confusing error.
    _, errors = validate_event(proj, event_form(date="soon"), today)
    assert set(errors) == {"date"}


# --------------------------------------------------------------------- errors, never traces


def test_a_template_error_is_shown_as_a_readable_message(project: Path) -> None:
    flyer = project / "templates" / "materials" / "flyer.html"
    flyer.write_text(flyer.read_text().replace("{{ t.headline }}", "{{ t.no_such_key }}"))
    running = Served(project, watch=False)
    try:
        status, headers, body = running.get(
            "/api/document?" + doc_query("east-harbor", "en", "flyer")
        )
        assert status == 422
        doc = json.loads(body)
        assert not doc["ok"] and doc["images"] == [] and doc["pdf"] is None
        assert any("templates/materials/flyer.html" in p for p in doc["problems"])
        assert "could not be made" in doc["error"]
        assert_clean(body)
        status, _, body = running.get(
            "/api/page.png?" + doc_query("east-harbor", "en", "flyer", page="1")
        )
        assert status == 422 and b"could not be made" in body
        status, _, body = running.get("/api/pdf?" + doc_query("east-harbor", "en", "flyer"))
        assert status == 422
    finally:
        running.close()


def test_a_document_that_does_not_fit_is_shown_outlined_in_red_never_served(
    project: Path,
) -> None:
    overfill_hours(project)
    running = Served(project, watch=False)
    try:
        for variant in ("single", "sheet", "press"):
            query = doc_query("east-harbor", "en", "wallet-card", variant=variant)
            status, doc = running.json("/api/document?" + query)
            assert status == 422, (variant, doc)
            assert not doc["ok"] and doc["draft"] and doc["pdf"] is None and not doc["download"]
            assert "does not fit" in doc["error"] and "outlined in red" in doc["error"]
            assert any(
                "opening hours (column 'hours')" in p and "too long at the 8 pt minimum" in p
                for p in doc["problems"]
            ), doc["problems"]
            # The card's pages (a sheet that cannot be made shows the card): the back, which
            # does not fit, has red outlines; the front, which fits, has none.
            assert len(doc["images"]) == 2
            reds = []
            for url in doc["images"]:
                status, headers, png = running.get(url)
                assert status == 200 and headers["Content-Type"] == "image/png", url
                with Image.open(io.BytesIO(png)) as image:
                    reds.append(red_count(image))
            assert reds[0] == 0 and reds[1] > 1000, (variant, reds)
            # Never as a PDF: build refuses it too.
            status, _, body = running.get("/api/pdf?" + query)
            assert status == 422 and b"could not be made" in body
        # A location that fits is shown as before, without red.
        status, doc = running.json("/api/document?" + doc_query("riverside-clinic", "en",
                                                                 "wallet-card"))
        assert status == 200 and doc["ok"] and not doc["draft"] and doc["pdf"]
        status, _, png = running.get(doc["images"][1])
        with Image.open(io.BytesIO(png)) as image:
            assert red_count(image) == 0
    finally:
        running.close()


def test_unexpected_failures_are_clean_500s(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom /secret/path")

    monkeypatch.setattr(server_module.App, "catalog", explode)
    status, headers, body = served.get("/api/catalog")
    assert status == 500 and headers["Content-Type"].startswith("application/json")
    assert "Something went wrong" in json.loads(body)["error"] and b"boom" not in body
    assert_clean(body)
    monkeypatch.setattr(server_module.RenderProcess, "render", explode)
    status, headers, body = served.get(
        "/api/document?" + doc_query("mobile-outreach", "en", "pamphlet")
    )
    assert status == 422
    assert "rendering failed: RuntimeError" in " ".join(json.loads(body)["problems"])
    assert_clean(body)


def hang(project: Path, slug: str, seconds: float = 7) -> None:
    """Make the flyer's template loop for about ``seconds`` for one location (a stand-in for
    a template that never ends; finite so the test's threads end too)."""
    flyer = project / "templates" / "materials" / "flyer.html"
    inner = int(seconds * 55)  # ~0.18 s per million steps of Jinja's loop
    loop = (
        f'{{% if loc.slug == "{slug}" %}}{{% for i in range(100000) %}}'
        f"{{% for j in range({inner}) %}}{{% endfor %}}{{% endfor %}}{{% endif %}}"
    )
    flyer.write_text(loop + flyer.read_text())


@pytest.mark.slow
def test_a_render_that_hangs_is_answered_in_time_and_others_go_on(project: Path) -> None:
    hang(project, "east-harbor", seconds=600)  # ended by stopping its process
    running = Served(project, watch=False, slots=2, render_timeout=5)
    try:
        # Warm renderers (one per slot), as a server that has been up a while has.
        with ThreadPoolExecutor(2) as executor:
            list(executor.map(running.json, [
                "/api/document?" + doc_query("riverside-clinic", lang, "flyer")
                for lang in ("en", "es")
            ]))  # fmt: skip
        for lang in ("en", "es"):  # two stuck renders: both slots
            started = time.monotonic()
            status, body = running.json("/api/document?" + doc_query("east-harbor", lang, "flyer"))
            assert status == 504, body
            assert "took longer than 5 seconds" in body["error"]
            assert time.monotonic() - started < 7
        # Asked again: told at once, without another five seconds of a slot.
        started = time.monotonic()
        status, body = running.json("/api/pdf?" + doc_query("east-harbor", "en", "flyer"))
        assert status == 504 and "makeprint stopped it" in body["error"]
        assert time.monotonic() - started < 0.5
        # Everything else is still made: the stuck renders' processes were ended.
        status, doc = running.json("/api/document?" + doc_query("riverside-clinic", "en",
                                                                 "wallet-card"))
        assert status == 200 and doc["ok"]
        assert running.get(doc["images"][0])[0] == 200
        assert running.json("/api/catalog")[0] == 200
    finally:
        running.close()


def test_a_render_process_that_dies_is_a_readable_error_and_replaced(served: Served) -> None:
    pool = served.app.pool
    query = "/api/document?" + doc_query("mobile-outreach", "es", "pamphlet")
    answer: list[tuple[int, dict[str, Any]]] = []
    asking = threading.Thread(target=lambda: answer.append(served.json(query)))
    asking.start()
    deadline = time.monotonic() + 30
    while (pool.active == 0 or not _render_pids()) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # into the render (a first one starts the fork server and warms up)
    busy = _render_pids()
    assert busy, "no render process found"
    for pid in busy:
        os.kill(pid, signal.SIGKILL)
    asking.join(timeout=60)
    status, body = answer[0]
    assert status == 422, body
    assert "the process making it stopped" in " ".join(body["problems"])
    assert_clean(json.dumps(body).encode())
    status, doc = served.json("/api/document?" + doc_query("mobile-outreach", "en", "flyer"))
    assert status == 200 and doc["ok"]  # a new process makes the next one


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _render_pids() -> set[int]:
    """Forks of this test process's fork server (render workers are its children)."""
    servers = {
        pid for pid in (int(e) for e in os.listdir("/proc") if e.isdigit())
        if _parent(pid) == os.getpid() and "forkserver" in _command(pid)
    }  # fmt: skip
    return {
        pid for pid in (int(e) for e in os.listdir("/proc") if e.isdigit())
        if _parent(pid) in servers
    }  # fmt: skip


# ------------------------------------------------------------------------ refresh on change


def wait_for_version(running: Served, above: int, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, version = running.json("/api/version")
        if version["version"] > above:
            return version
        time.sleep(0.1)
    raise AssertionError(f"version did not go above {above} within {timeout} s")


def test_editing_content_or_templates_reloads_the_project(project: Path) -> None:
    running = Served(project, watch=True)
    try:
        time.sleep(0.3)  # let the watcher start
        query = "/api/document?" + doc_query("east-harbor", "en", "flyer")
        assert running.json(query)[0] == 200
        content = project / "content" / "en" / "flyer.yaml"
        text = content.read_text()
        headline = re.search(r'^headline: "?(.+?)"?$', text, re.M)
        assert headline
        content.write_text(text.replace(headline[1], "Changed headline"))
        version = wait_for_version(running, 1)
        assert version["problems"] == []
        status, doc = running.json(query)
        assert status == 200 and f"v={version['version']}" in doc["pdf"]
        _, _, pdf = running.get(doc["pdf"])
        document = pypdfium2.PdfDocument(pdf)
        try:
            text = document[0].get_textpage().get_text_range()
            assert "Changed headline" in text.replace("\xa0", " ")  # last words bound
        finally:
            document.close()
        # A broken file shows its problems; the last good project stays in use.
        organization = project / "content" / "organization.yaml"
        good = organization.read_text()
        organization.write_text(good.replace("paper: letter", "paper: tabloid"))
        broken = wait_for_version(running, version["version"])
        assert broken["problems"] and any("paper" in p for p in broken["problems"])
        assert running.json(query)[0] == 200
        organization.write_text(good)
        fixed = wait_for_version(running, broken["version"])
        assert fixed["problems"] == []
    finally:
        running.close()


def test_a_locations_file_outside_the_project_is_watched_too(project: Path, tmp_path: Path) -> None:
    sites = tmp_path / "elsewhere" / "sites.csv"
    sites.parent.mkdir()
    original = (project / "content" / "locations.csv").read_text()
    sites.write_text(original)
    running = Served(project, locations=sites, watch=True)
    try:
        time.sleep(0.3)
        (sites.parent / "unrelated.txt").write_text("not a locations file")
        time.sleep(1.0)
        assert running.json("/api/version")[1]["version"] == 1  # other files do not count
        sites.write_text(original.replace("East Harbor Drop-In Center", "East Harbor Center"))
        wait_for_version(running, 1)
        _, catalog = running.json("/api/catalog")
        assert catalog["locations"][0]["name"] == "East Harbor Center"
    finally:
        running.close()


# ------------------------------------------------------------------------------ the command


class FakeServer:
    url = "http://127.0.0.1:0/"
    made: list[tuple[object, ...]] = []

    class app:  # noqa: N801 - stands in for server.App
        class pool:  # noqa: N801
            active = 0

    def serve_forever(self) -> None:
        raise KeyboardInterrupt

    def close(self) -> None:
        pass


def test_serve_refuses_or_warns_beyond_loopback(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake(*args: object, **kwargs: object) -> FakeServer:
        FakeServer.made.append(args)
        return FakeServer()

    monkeypatch.setattr(server_module, "make_server", fake)
    made = len(FakeServer.made)
    # Off loopback without accounts: refused, saying what to do, before anything listens.
    result = run_cli("serve", "--project", str(project), "--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 2, result.output
    assert "error: serving on 0.0.0.0 lets other machines in" in result.output
    assert "makeprint users add NAME" in result.output and "--allow-anonymous-lan" in result.output
    result = run_cli("serve", "--project", str(project), "--behind-proxy", "--port", "0")
    assert result.exit_code == 2 and "behind a proxy lets other machines in" in result.output
    assert len(FakeServer.made) == made
    # Today's behaviour, when asked for by name: served, with a warning.
    result = run_cli(
        "serve", "--project", str(project), "--host", "0.0.0.0", "--port", "0",
        "--allow-anonymous-lan",
    )
    assert result.exit_code == 0, result.output
    assert "warning: serving on 0.0.0.0, beyond this computer" in result.output
    assert FakeServer.made[-1][2:] == ("0.0.0.0", 0)
    result = run_cli("serve", "--project", str(project), "--port", "0")
    assert "beyond this computer" not in result.output
    assert "makeprint is serving http://127.0.0.1:0/" in result.output


def test_serve_reports_a_port_in_use(project: Path) -> None:
    running = Served(project, watch=False)
    try:
        result = run_cli("serve", "--project", str(project), "--port", str(running.port))
        assert result.exit_code == 1
        assert "cannot listen on 127.0.0.1 port" in result.output
    finally:
        running.close()


def test_card_sheet_and_press_versions_download(served: Served) -> None:
    """The page offers what an outreach worker and a print shop each need."""
    import pypdf

    for material, variant, pages, trim in (("wallet-card", "sheet", 2, (612, 792)),
                                           ("wallet-card", "press", 2, (252, 144)),
                                           ("kit-label", "label-sheet", 1, (612, 792))):
        status, headers, body = served.get(
            f"/api/pdf?location=east-harbor&lang=en&material={material}&variant={variant}"
        )
        assert status == 200, body[:200]
        reader = pypdf.PdfReader(io.BytesIO(body))
        assert len(reader.pages) == pages
        box = reader.pages[0].trimbox
        assert (round(float(box.width)), round(float(box.height))) == trim


def _in_session(sid: int) -> set[int]:
    """Every process of session ``sid`` (what a serve started itself is in, however deep)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                found.add(int(entry))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["idle", "rendering"])
def test_a_killed_server_leaves_no_process_behind(tmp_path: Path, moment: str) -> None:
    """kill -9 (out of memory, a service manager giving up): nothing of it runs 5 s later."""
    root = copy_project(tmp_path / "proj")
    proc = subprocess.Popen(
        [sys.executable, "makeprint.py", "serve", "--project", str(root), "--port", "0"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, text=True,
    )  # fmt: skip
    asking = http.client.HTTPConnection("127.0.0.1", 1)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        port = int(found[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/pdf?" + doc_query("east-harbor", "en", "flyer"))
        assert conn.getresponse().status == 200  # warm: a renderer, threads, the watcher
        conn.close()
        asking = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        if moment == "rendering":  # killed at a random moment of a render
            asking.request("GET", "/api/pdf?" + doc_query("riverside-clinic", "es", "pamphlet"))
            time.sleep(random.uniform(0.05, 0.6))
        assert proc.pid in _in_session(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _in_session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _in_session(proc.pid), "still running 5 s after makeprint serve was killed"
        # And its port is free again for the next serve.
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in _in_session(proc.pid):
            os.kill(pid, signal.SIGKILL)  # not left running by a failed test either
        asking.close()
        if proc.stdout is not None:
            proc.stdout.close()


def test_one_renderer_makes_office_then_press_pages_each_with_its_own_bleed(
    project: Path,
) -> None:
    """serve's workers make the office and print-shop versions with one renderer (its fonts
    and styles held once): the pages every location shares must not be reused across
    profiles, or the press card's front would print without its bleed."""
    import pypdfium2 as pdfium

    from makeprint_engine.plan import Job
    from makeprint_engine.project import load_project
    from makeprint_engine.render import Renderer

    renderer = Renderer(load_project(project))
    office = Job("east-harbor", "en", "wallet-card")
    press = Job("east-harbor", "en", "wallet-card", profile="press")
    assert renderer.render(office).ok
    rendered = renderer.render(press)
    assert rendered.ok, rendered.problems
    front = pdfium.PdfDocument(rendered.pdf)[0]
    image = front.render(scale=2).to_pil().convert("RGB")
    # The front's heading band runs to the trim and on through the bleed (1/8 in: 9 pt)
    # above it, inside the 30 pt where the crop marks are drawn: look half-way up the bleed.
    in_bleed = image.getpixel((image.width // 2, round((30 + 4.5) * 2)))
    assert in_bleed == (11, 85, 99), in_bleed  # the primary colour, #0B5563


@pytest.mark.slow
def test_serve_warms_every_render_process_with_every_language_and_material(
    tmp_path: Path,
) -> None:
    """Started as `makeprint serve` starts it, each render process lays out one document of
    every language and material the project prints, and the page's version poll says when."""
    root = copy_project(tmp_path / "proj", directory=True)
    logged: list[str] = []
    running = Served(root, watch=False, warm=True, log=logged.append)
    try:
        project, _ = running.app.state()
        jobs = server_module.warm_jobs(project)
        printed = {lang for loc in project.locations for lang in loc.languages}
        assert {(j.lang, j.name, j.kind) for j in jobs} == {
            (lang, name, "directory" if material.collection else "location")
            for lang in printed
            for name, material in project.materials.items()
        }
        deadline = time.monotonic() + 240
        while not running.json("/api/version")[1]["warm"]:
            assert time.monotonic() < deadline, "still warming after 4 minutes"
            time.sleep(0.5)
        processes = running.app.pool.processes
        assert len(processes) == 2
        for process in processes:
            assert {job for _, job in process.warmed} == set(jobs)
        assert not [line for line in logged if "warming" in line]  # every one was made
        # A request after warming is answered from a warm process: an Arabic card.
        status, body = running.json("/api/document?" + doc_query("east-harbor", "ar",
                                                                 "wallet-card"))
        assert status == 200 and body["ok"], body
    finally:
        running.close()


def test_serve_keeps_what_it_made_on_disk_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve's caches of PDFs and page images are files of a private folder (memory stays
    flat as they fill): read back byte for byte, deleted a grace time after a cache lets
    them go, the folder gone when serve stops; one left by a killed serve goes at the next
    start, one of a serve still running stays."""
    import subprocess

    from makeprint_engine.spill import SPILL_PREFIX, Blob, Spill, data

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = tmp_path / f"{SPILL_PREFIX}{dead.pid}-abc"
    left.mkdir()
    running = tmp_path / f"{SPILL_PREFIX}{os.getpid()}-xyz"
    running.mkdir()
    spill = Spill()
    assert not left.exists() and running.exists()
    assert spill.folder.parent == tmp_path and (spill.folder.stat().st_mode & 0o777) == 0o700
    blob = spill.keep(b"%PDF-1.7 one")
    assert isinstance(blob, Blob) and len(blob) == 12 and data(blob) == b"%PDF-1.7 one"
    assert spill.keep(None) is None and spill.keep(blob) is blob and data(b"x") == b"x"
    cache = server_module.LRU(1, on_drop=spill.drop)
    cache.put("a", blob)
    cache.put("b", spill.keep(b"two"))  # "a" let go: still readable for a grace time
    assert blob.path.exists() and data(cache.get("b")) == b"two"
    spill.GRACE_SECONDS = 0
    time.sleep(0.01)
    spill.drop(spill.keep(b"three"))
    assert not blob.path.exists()
    spill.close()
    assert not spill.folder.exists()


def test_a_served_document_is_cached_as_files(served: Served) -> None:
    status, _, body = served.get("/api/pdf?" + doc_query("east-harbor", "en", "wallet-card"))
    assert status == 200 and body.startswith(b"%PDF")
    from makeprint_engine.spill import Blob

    cached = [doc for doc in served.app.docs._items.values() if isinstance(doc.pdf, Blob)]
    assert any(doc.pdf.read() == body for doc in cached)
    assert all(doc.pdf.path.parent == served.app.spill.folder for doc in cached)
