"""The web page in a real browser: Debian's Chromium driven by Playwright, never a download.

These tests fail (never skip) when Chromium is missing: ``./dev test`` installs it. They also
write docs/serve.png, the screenshot the README shows (MAKEPRINT_UPDATE_SCREENSHOT=1
to refresh it).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2
import pytest
from conftest import REPO, copy_project, decode_qr, overfill_hours, pdf_text
from test_server import Served

from makeprint_engine import Job, load_project
from makeprint_engine.context import qr_for
from makeprint_engine.event import validate_event
from makeprint_engine.output import atomic_write

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
# Offline and quiet: no first-run, update, sync or QUIC traffic; no GPU in CI containers.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = REPO / "docs" / "serve.png"
ALL_IMAGES_LOADED = (
    "sel => { const imgs = [...document.querySelectorAll(sel)];"
    " return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); }"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    assert shutil.which(CHROMIUM), (
        f"{CHROMIUM} is missing: install Debian's chromium (./dev test does it); "
        "the browser tests never download a browser"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_project(tmp_path_factory.mktemp("browser") / "proj")
    running = Served(root, watch=False)
    yield running
    running.close()


@contextmanager
def opened(browser, site: Served) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The page in a fresh browser context; fails on script errors or any outside request."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, accept_downloads=True, locale="en-US"
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    # Nothing but the server itself: any other request would mean the page is not offline.
    elsewhere: list[str] = []

    def route(request_route):  # type: ignore[no-untyped-def]
        url = request_route.request.url
        if url.startswith(f"http://127.0.0.1:{site.port}/") or url.startswith("data:"):
            request_route.continue_()
        else:
            elsewhere.append(url)
            request_route.abort()

    tab.route("**/*", route)
    tab.goto(f"http://127.0.0.1:{site.port}/")
    tab.wait_for_function("() => document.querySelectorAll('#location option').length > 0")
    try:
        yield tab
    finally:
        context.close()
    assert not elsewhere, elsewhere
    assert not errors, errors


@pytest.fixture
def page(browser, site: Served) -> Iterator[object]:  # type: ignore[no-untyped-def]
    with opened(browser, site) as tab:
        yield tab


def check_pdf(path: Path, pages: int, qr: str) -> None:
    document = pypdfium2.PdfDocument(str(path))
    try:
        assert len(document) == pages
    finally:
        document.close()
    assert decode_qr(path) == [qr]


def test_choose_a_location_in_spanish_preview_download_and_check(  # type: ignore[no-untyped-def]
    page, site: Served, tmp_path: Path
) -> None:
    page.fill("#search", "harbor")
    assert page.locator("#location option").all_inner_texts() == [
        "East Harbor Drop-In Center — Baltimore"
    ]
    page.select_option("#location", "east-harbor")
    page.select_option("#lang", "es")
    page.select_option("#material", "wallet-card")
    page.wait_for_function(
        "() => document.querySelector('#status').textContent.includes('Español — wallet-card')"
    )
    page.wait_for_function(ALL_IMAGES_LOADED, arg="#doc img")
    images = page.locator("#doc img")
    assert images.count() == 2
    assert images.nth(1).get_attribute("alt").startswith("Page 2 of 2: East Harbor")
    assert "draft translation" in page.inner_text("#doc")

    with page.expect_download() as download:
        page.click("#doc a.download")
    assert download.value.suggested_filename == "east-harbor-es-wallet-card.pdf"
    pdf = tmp_path / "card.pdf"
    download.value.save_as(str(pdf))
    job = Job("east-harbor", "es", "wallet-card")
    check_pdf(pdf, 2, qr_for(load_project(site.root), job))

    print_link = page.locator("#doc a.print")
    assert print_link.get_attribute("target") == "_blank"
    assert "download" not in (print_link.get_attribute("href") or "")

    # The screenshot for the README: every location listed, the card in Spanish, no focus ring.
    page.fill("#search", "")
    page.evaluate("document.activeElement.blur()")
    page.wait_for_function(ALL_IMAGES_LOADED, arg="#doc img")
    shot = page.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": 720})
    assert shot.startswith(b"\x89PNG") and len(shot) > 50_000  # a real, full page
    # Rewritten on request (./dev screenshot) or when missing, so a test run leaves the
    # checkout clean: a few anti-aliased pixels differ from one run to the next.
    if os.environ.get("MAKEPRINT_UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(exist_ok=True)
        atomic_write(SCREENSHOT, shot)


def test_event_form_shows_an_error_beside_the_field_then_makes_pdfs(  # type: ignore[no-untyped-def]
    page, site: Served, tmp_path: Path
) -> None:
    day = dt.date.today() + dt.timedelta(days=5)
    page.fill("#ev-name", "Health fair at Patterson Park")
    page.fill("#ev-street", "2601 E Baltimore St")
    page.fill("#ev-city", "Baltimore")
    page.fill("#ev-region", "MD")
    page.fill("#ev-postal_code", "21224")
    page.fill("#ev-date", day.isoformat())
    page.fill("#ev-hours", "11:00-15:00")
    page.fill("#ev-phone", "555-CALL-NOW")
    page.check("#ev-service-naloxone")
    page.check("#ev-service-hiv-testing")
    page.select_option("#ev-lang", "en")
    page.click("#ev-submit")

    error = page.locator("#ev-phone-error")
    error.wait_for(state="visible")
    assert "not a valid phone number" in error.inner_text()
    assert page.get_attribute("#ev-phone", "aria-invalid") == "true"
    assert "ev-phone-error" in page.get_attribute("#ev-phone", "aria-describedby")
    assert page.evaluate("document.activeElement.id") == "ev-phone"
    shown = page.locator("#event-form .error:not(#event-error):visible").all_inner_texts()
    assert len(shown) == 1, shown  # only that field
    assert "correct the fields marked" in page.inner_text("#event-error")

    page.fill("#ev-phone", "(410) 555-0166")
    page.click("#ev-submit")
    page.wait_for_function(ALL_IMAGES_LOADED, arg="#event-result img")
    assert page.locator("#ev-phone-error").is_hidden()
    assert page.locator("#event-result img").count() == 3  # flyer 1 page, wallet card 2
    assert "Health fair at Patterson Park — " in page.inner_text("#event-result h3")

    form = {
        "name": "Health fair at Patterson Park",
        "street": "2601 E Baltimore St",
        "city": "Baltimore",
        "region": "MD",
        "postal_code": "21224",
        "date": day.isoformat(),
        "hours": "11:00-15:00",
        "phone": "(410) 555-0166",
        "services": ["naloxone", "hiv-testing"],
        "lang": "en",
    }
    event, _ = validate_event(load_project(site.root), form)
    assert event is not None
    with page.expect_download() as download:
        page.locator("#event-result a.download").first.click()
    pdf = tmp_path / "event-flyer.pdf"
    download.value.save_as(str(pdf))
    check_pdf(pdf, 1, qr_for(event.project, Job(event.location.slug, "en", "flyer")))
    text = " ".join(" ".join(pdf_text(pdf)).split())
    assert event.location.name in text and "(410) 555-0166" in text


def test_keyboard_only_and_200_percent_zoom(page) -> None:  # type: ignore[no-untyped-def]
    # Every control is labelled.
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input, select, button')]"
        ".filter(c => c.type !== 'submit' && c.labels.length === 0).map(c => c.id)"
    )
    assert unlabelled == []
    # Tab from the top: skip link, search, then the location list; arrows choose.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "location"
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "() => document.querySelector('#status').textContent.includes('Riverside Recovery Clinic')"
    )
    page.wait_for_function(ALL_IMAGES_LOADED, arg="#doc img")
    # 200 % zoom of a 1280 px window: 640 CSS pixels. Nothing may need sideways scrolling.
    page.set_viewport_size({"width": 640, "height": 800})
    wide = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wide <= 0
    overflowing = page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    assert overflowing == []


def test_a_template_error_is_readable_and_fixing_it_refreshes_the_preview(  # type: ignore[no-untyped-def]
    browser, project: Path
) -> None:
    flyer = project / "templates" / "materials" / "flyer.html"
    good = flyer.read_text()
    flyer.write_text(good.replace("{{ t.headline }}", "{{ t.no_such_key }}"))
    running = Served(project, watch=True)
    try:
        with opened(browser, running) as tab:
            tab.select_option("#material", "flyer")
            alert = tab.locator("#doc [role=alert]")
            alert.wait_for()
            assert "could not be made" in alert.inner_text()
            shown = tab.inner_text("#doc")
            assert "templates/materials/flyer.html" in shown and "no_such_key" in shown
            assert "Traceback" not in tab.content()
            assert tab.locator("#doc img").count() == 0
            flyer.write_text(good)  # the author fixes it: the page notices by itself
            tab.wait_for_function(ALL_IMAGES_LOADED, arg="#doc img", timeout=20000)
            assert tab.locator("#doc [role=alert]").count() == 0
    finally:
        running.close()


def test_a_document_that_does_not_fit_is_shown_outlined_then_fixed(  # type: ignore[no-untyped-def]
    browser, project: Path
) -> None:
    csv = project / "content" / "locations.csv"
    good = csv.read_text(encoding="utf-8")
    overfill_hours(project)
    running = Served(project, watch=True)
    try:
        with opened(browser, running) as tab:
            tab.select_option("#location", "east-harbor")
            tab.select_option("#lang", "en")
            tab.select_option("#material", "wallet-card")
            # The card's own message: the flyer (shown first) does not fit these hours either.
            alert = tab.locator("#doc [role=alert]", has_text="wallet-card")
            alert.wait_for()
            assert "does not fit" in alert.inner_text()
            assert "opening hours (column 'hours')" in tab.inner_text("#doc ul.problems")
            tab.wait_for_function(ALL_IMAGES_LOADED, arg="#doc img")
            images = tab.locator("#doc img")
            assert images.count() == 2
            assert images.nth(1).get_attribute("alt").endswith("outlined in red")
            assert tab.locator("#doc a.download, #doc a.print").count() == 0  # no PDF
            csv.write_text(good, encoding="utf-8")  # shortened: the page notices by itself
            tab.wait_for_function(
                "() => document.querySelector('#doc a.download') !== null", timeout=20000
            )
            assert tab.locator("#doc [role=alert]").count() == 0
    finally:
        running.close()


SIGNIN_SCREENSHOT = REPO / "docs" / "signin.png"


def test_sign_in_pick_and_download_then_sign_out(  # type: ignore[no-untyped-def]
    browser, project: Path, tmp_path: Path
) -> None:
    from makeprint_engine.access import add_user

    users = tmp_path / "users.toml"
    add_user(users, "dana", "correct horse battery")
    running = Served(project, watch=False, users=users)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-US"
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    base = f"http://127.0.0.1:{running.port}"
    try:
        # Refused without a session: the page and the API lead only to the sign-in page.
        tab.goto(base + "/")
        assert tab.url == base + "/signin"
        assert tab.locator("h2").inner_text() == "Sign in"
        assert tab.locator("#location").count() == 0
        api = tab.request.get(base + "/api/catalog")
        assert api.status == 401 and "East Harbor" not in api.text()
        shot = tab.screenshot(full_page=True)
        if os.environ.get("MAKEPRINT_UPDATE_SCREENSHOT") or not SIGNIN_SCREENSHOT.exists():
            atomic_write(SIGNIN_SCREENSHOT, shot)

        # A wrong password is said beside the form, and nothing opens.
        tab.fill("#name", "dana")
        tab.fill("#password", "not my password")
        tab.click("#signin-submit")
        assert "do not match" in tab.locator("#signin-error").inner_text()
        assert tab.get_attribute("#password", "aria-invalid") == "true"
        assert tab.url == base + "/signin"

        # Signed in: the page as ever, with who is signed in and a way out.
        tab.fill("#password", "correct horse battery")
        tab.click("#signin-submit")
        tab.wait_for_function("() => document.querySelectorAll('#location option').length > 0")
        assert tab.url == base + "/"
        assert "Signed in as dana" in tab.inner_text("header")
        tab.select_option("#location", "riverside-clinic")
        tab.select_option("#lang", "en")
        tab.select_option("#material", "wallet-card")
        tab.wait_for_function(
            "() => document.querySelector('#status').textContent.includes('Riverside')"
        )
        tab.wait_for_function(ALL_IMAGES_LOADED, arg="#doc img")
        with tab.expect_download() as download:
            tab.click("#doc a.download")
        pdf = tmp_path / "card.pdf"
        download.value.save_as(str(pdf))
        job = Job("riverside-clinic", "en", "wallet-card")
        check_pdf(pdf, 2, qr_for(load_project(project), job))

        # The event form's POST carries the session's token: the form's own check answers
        # (a bad phone number), not the CSRF guard.
        tab.fill("#ev-name", "Health fair")
        tab.fill("#ev-phone", "555-CALL-NOW")
        tab.click("#ev-submit")
        tab.locator("#ev-phone-error").wait_for(state="visible")
        assert "security token" not in tab.inner_text("#event-form")

        # Signed out: back to the sign-in page, and the page stays shut.
        tab.click("header button:has-text('Sign out')")
        tab.wait_for_url(base + "/signin")
        tab.goto(base + "/")
        assert tab.url == base + "/signin"
        assert tab.request.get(base + "/api/catalog").status == 401
        assert not errors, errors
    finally:
        context.close()
        running.close()
