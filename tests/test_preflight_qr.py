"""The qr check on pages drawn by hand: a code of a known size, module and quiet zone.

Each page is a greyscale image at the check's own 300 dpi, saved as a one-page PDF (so the
check rasterizes it back to the same pixels): the code drawn from makeprint's own symbol, at a
chosen number of pixels a module, with ink placed a chosen distance away. The check must
decode it and measure exactly that. No HTML is rendered, so these run in well under a second
(the mutation guards of ``preflight.qr``); test_checks_fire.py checks the same findings on
the rendered sample.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw

from makeprint_engine.plan import Job
from makeprint_engine.preflight import qr as check
from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.layout import MM_PER_PX, Doc, Layout
from makeprint_engine.preflight.qr import QR_DPI, _modules, _quiet_modules, qr_problems
from makeprint_engine.qr import QUIET_ZONE, make_qr

URL = "https://example.org/intake?site=east-harbor"
OTHER = "https://example.org/other"
JOB = Job("east-harbor", "en", "wallet-card")
MM = 25.4 / QR_DPI  # one pixel at 300 dpi


def draw_code(page: Image.Image, url: str, x: int, y: int, module: int) -> int:
    """Draw ``url``'s symbol (without its quiet zone) at (x, y), ``module`` px a module; the
    symbol's side in pixels."""
    code = make_qr(url)
    pen = ImageDraw.Draw(page)
    for mx, my, length in code.runs:
        left = x + (mx - QUIET_ZONE) * module
        top = y + (my - QUIET_ZONE) * module
        pen.rectangle((left, top, left + length * module - 1, top + module - 1), fill=0)
    return code.modules * module


def page_image(width: int = 1000, height: int = 800) -> Image.Image:
    return Image.new("L", (width, height), 255)


def pdf(*pages: Image.Image) -> bytes:
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=QR_DPI, save_all=True, append_images=list(pages[1:]))
    return out.getvalue()


def doc(
    data: bytes,
    *,
    url: str = URL,
    qr_min_mm: float = 20.0,
    pages: int = 1,
    shared: tuple[int, ...] = (),
    images: list | None = None,
) -> Doc:
    material = SimpleNamespace(qr_min_mm=qr_min_mm, pages=pages, shared_pages=shared)
    project = SimpleNamespace(materials={JOB.material: material})
    rendered = SimpleNamespace(job=JOB, pdf=data, qr_url=url, document=None)
    return Doc(project, rendered, Layout([], images or []))  # type: ignore[arg-type]


def findings(data: bytes, **kw: object) -> list[Finding]:
    return qr_problems(doc(data, **kw))  # type: ignore[arg-type]


def zxing_module_px(modules: int, module_px: int) -> float:
    """A module in pixels as the check measures it: zxing-cpp reports the right and bottom
    corners one past the code's last pixel, and the check counts ``right - left + 1``."""
    return (modules * module_px + 1) / modules


def measured(modules: int, module_px: int) -> tuple[float, float]:
    """(printed width with quiet zone, module) in mm, as the check measures them."""
    module_mm = zxing_module_px(modules, module_px) * MM
    return module_mm * (modules + 2 * QUIET_ZONE), module_mm


MODULES = make_qr(URL).modules  # 33: version 4


def code_page(module: int = 8, x: int = 200, y: int = 150, url: str = URL) -> Image.Image:
    page = page_image()
    draw_code(page, url, x, y, module)
    return page


# --- a good code ---------------------------------------------------------------------------


def test_a_good_code_has_no_findings() -> None:
    """8 px (0.68 mm) modules: 27.9 mm wide with its quiet zone, over the 20 mm asked."""
    assert findings(pdf(code_page(8))) == []


def test_modules_from_the_version() -> None:
    assert MODULES == 33
    assert _modules(SimpleNamespace(extra={"Version": "3"}, text=URL)) == 29
    assert _modules(SimpleNamespace(extra={"Version": 1}, text=URL)) == 21
    assert _modules(SimpleNamespace(version=2, text=URL)) == 25
    # an older zxing-cpp without the version: re-encoded as makeprint does
    assert _modules(SimpleNamespace(extra={}, text=URL)) == 33
    assert _modules(SimpleNamespace(extra=None, version="", text="x")) == make_qr("x").modules
    assert _modules(SimpleNamespace(text="x")) == make_qr("x").modules  # neither


# --- the URL it opens ---------------------------------------------------------------------------


def test_code_that_opens_another_url() -> None:
    (found,) = findings(pdf(code_page(8, x=200, y=150, url=OTHER)))
    left_mm, top_mm = round(200 * MM), round(150 * MM)
    assert found == Finding(
        f"the QR code opens {OTHER!r}, expected {URL!r}",
        check="qr",
        location="east-harbor",
        lang="en",
        material="wallet-card",
        page=1,
        element=f"QR code at {left_mm} mm from the left, {top_mm} mm from the top",
        text=OTHER,
        hint="regenerate it from the location's intake_url",
    )
    assert found.element == "QR code at 17 mm from the left, 13 mm from the top"


# --- size -------------------------------------------------------------------------------------


def size_findings(module_px: int, qr_min_mm: float) -> list[Finding]:
    return [f for f in findings(pdf(code_page(module_px)), qr_min_mm=qr_min_mm)
            if "mm wide" in f.message]


def test_smaller_than_the_material_asks_is_a_warning() -> None:
    total, module = measured(MODULES, 8)  # 27.9 mm
    (found,) = size_findings(8, qr_min_mm=30)
    assert found.severity == "warning"
    assert found.message == (
        f"the QR code is {total:.1f} mm wide with its quiet zone, {MODULES} modules of "
        f"{module:.2f} mm: smaller than the 30 mm a wallet-card needs"
    )
    assert found.hint == "print it at least 30 mm wide"
    assert (found.check, found.page, found.element) == (
        "qr", 1, "QR code at 17 mm from the left, 13 mm from the top")


def test_size_tolerance_is_a_quarter_millimetre() -> None:
    total, _ = measured(MODULES, 8)
    assert size_findings(8, qr_min_mm=total + 0.24) == []
    assert len(size_findings(8, qr_min_mm=total + 0.26)) == 1


def test_below_15_mm_is_an_error_whatever_the_material() -> None:
    """5 px modules: 41 × 0.43 mm = 17.5 mm; 4 px: 14.0 mm, an error even at 10 mm asked."""
    assert size_findings(5, qr_min_mm=10) == []
    (found,) = size_findings(4, qr_min_mm=10)
    total, module = measured(MODULES, 4)
    assert total < 15 - 0.25
    assert found.severity == "error"
    assert found.message == (
        f"the QR code is {total:.1f} mm wide with its quiet zone, {MODULES} modules of "
        f"{module:.2f} mm: below 15 mm phones may not read it"
    )
    assert found.hint == "print it at least 10 mm wide"
    assert (found.check, found.page, found.element) == (
        "qr", 1, "QR code at 17 mm from the left, 13 mm from the top")


# --- module size ------------------------------------------------------------------------------


def module_findings(module_px: int) -> list[Finding]:
    return [f for f in findings(pdf(code_page(module_px)), qr_min_mm=10)
            if f.message.startswith("QR modules")]


def test_modules_of_half_a_millimetre_are_fine() -> None:
    """6 px at 300 dpi is 0.51 mm."""
    assert zxing_module_px(MODULES, 6) * MM >= 0.49
    assert module_findings(6) == []


def test_modules_below_half_a_millimetre_are_a_warning() -> None:
    """5 px is 0.42 mm: printable, but under the 0.5 mm makeprint aims for."""
    (found,) = module_findings(5)
    assert (found.check, found.page, found.element) == (
        "qr", 1, "QR code at 17 mm from the left, 13 mm from the top")
    assert found.severity == "warning"
    assert found.message == f"QR modules are {measured(MODULES, 5)[1]:.2f} mm, below 0.5 mm"
    assert found.hint == (
        f"print the code at least {(MODULES + 8) * 0.5:.0f} mm wide, or shorten its URL "
        "(fewer modules)"
    )


def test_modules_below_four_tenths_are_an_error() -> None:
    """4 px is 0.34 mm."""
    (found,) = module_findings(4)
    assert (found.check, found.page, found.element) == (
        "qr", 1, "QR code at 17 mm from the left, 13 mm from the top")
    assert found.severity == "error"
    assert found.message == (
        f"QR modules are {measured(MODULES, 4)[1]:.2f} mm, below 0.4 mm: too fine to print and "
        "scan reliably"
    )
    assert found.hint == (
        f"print the code at least {(MODULES + 8) * 0.5:.0f} mm wide, or shorten its URL "
        "(fewer modules)"
    )


def code(left: int, top: int, side: int, version: int = 4, text: str = URL) -> SimpleNamespace:
    """A decoded code with its corners on its first and last pixels (``side`` across)."""
    point = SimpleNamespace
    right, bottom = left + side - 1, top + side - 1
    return SimpleNamespace(
        text=text,
        extra={"Version": str(version)},
        position=SimpleNamespace(
            top_left=point(x=left, y=top), top_right=point(x=right, y=top),
            bottom_right=point(x=right, y=bottom), bottom_left=point(x=left, y=bottom)),
    )


def checked(side: int, qr_min_mm: float = 10.0) -> list[Finding]:
    """_check_code on a code ``side`` px across, on a blank page with room around it."""
    image = page_image(side + 400, side + 400)
    material = SimpleNamespace(qr_min_mm=qr_min_mm)
    return check._check_code(doc(b""), code(200, 200, side), image, 1, URL, material)


def severities(side: int, start: str, qr_min_mm: float = 10.0) -> list[str]:
    return [f.severity for f in checked(side, qr_min_mm) if f.message.startswith(start)]


def test_module_thresholds_have_a_hundredth_of_tolerance() -> None:
    """0.5 mm and 0.4 mm, each less a hundredth: 191 px over 33 modules is 0.490 mm, 190 px
    0.4875; 153 px 0.3926 mm, 151 px 0.3874."""
    module = {side: side / MODULES * MM for side in (191, 190, 153, 151)}
    assert module[191] >= 0.49 > module[190] and module[153] >= 0.39 > module[151]
    assert severities(191, "QR modules") == []
    assert severities(190, "QR modules") == ["warning"]
    assert severities(153, "QR modules") == ["warning"]
    assert severities(151, "QR modules") == ["error"]


def test_the_15_mm_error_has_a_quarter_millimetre_of_tolerance() -> None:
    """41 modules across with the quiet zone: 14.76 mm is within tolerance, 14.74 is not."""
    def total(side: int) -> float:
        return side / MODULES * MM * (MODULES + 8)

    fine = next(s for s in range(140, 200) if total(s) >= 14.75)
    assert total(fine - 1) < 14.75
    assert severities(fine, "the QR code is", qr_min_mm=10) == []
    assert severities(fine - 1, "the QR code is", qr_min_mm=10) == ["error"]
    big = next(s for s in range(140, 400) if total(s) >= 30 - 0.25)
    assert severities(big, "the QR code is", qr_min_mm=30) == []
    assert severities(big - 1, "the QR code is", qr_min_mm=30) == ["warning"]


def test_width_is_the_mean_of_both_sides() -> None:
    """A code 320 px wide and 330 px high: 325 px across, 33 modules."""
    corners = code(100, 100, 320)
    corners.position.bottom_right.y = corners.position.bottom_left.y = 100 + 330 - 1
    image = page_image(700, 700)
    found = check._check_code(doc(b""), corners, image, 3, URL, SimpleNamespace(qr_min_mm=40))
    module_mm = 325 / 33 * MM
    (size,) = [f for f in found if "mm wide" in f.message]
    assert size.message.startswith(
        f"the QR code is {module_mm * 41:.1f} mm wide with its quiet zone, 33 modules of "
        f"{module_mm:.2f} mm")
    assert size.page == 3


# --- the quiet zone -------------------------------------------------------------------------


def ink_page(module: int, gaps: dict[str, int]) -> Image.Image:
    """A code at (300, 300) with a bar of ink ``gaps[side]`` modules from each named side."""
    page = page_image(1200, 1200)
    side = draw_code(page, URL, 300, 300, module)
    pen = ImageDraw.Draw(page)
    left, top, right, bottom = 300, 300, 300 + side - 1, 300 + side - 1
    for name, gap in gaps.items():
        d = gap * module
        if name == "left":
            pen.rectangle((left - d - 5, top, left - d - 1, bottom), fill=0)
        elif name == "right":
            pen.rectangle((right + d + 1, top, right + d + 5, bottom), fill=0)
        elif name == "top":
            pen.rectangle((left, top - d - 5, right, top - d - 1), fill=0)
        else:
            pen.rectangle((left, bottom + d + 1, right, bottom + d + 5), fill=0)
    return page


@pytest.mark.parametrize("side", ["left", "right", "top", "bottom"])
def test_ink_too_close_on_one_side(side: str) -> None:
    (found,) = [f for f in findings(pdf(ink_page(8, {side: 2})), qr_min_mm=10)
                if "blank paper" in f.message]
    module = zxing_module_px(MODULES, 8)
    light = (16 if side in ("left", "top") else 15) / module  # see zxing_module_px
    assert found.message == (
        f"the QR code has {light:.1f} modules of blank paper on its {side} side, needs 4 "
        f"({4 * module * MM:.1f} mm)"
    )
    assert found.hint == "keep text, lines and colour away from the code"
    assert found.severity == "error"
    assert (found.check, found.page, found.element) == (
        "qr", 1, "QR code at 25 mm from the left, 25 mm from the top")


def test_the_closest_side_is_named() -> None:
    (found,) = [f for f in findings(pdf(ink_page(8, {"top": 3, "right": 1, "left": 2})),
                                    qr_min_mm=10) if "blank paper" in f.message]
    assert "0.9 modules of blank paper on its right side" in found.message  # 7 px of 8.03


def test_four_modules_of_paper_are_enough() -> None:
    assert findings(pdf(ink_page(8, {s: 4 for s in ("left", "right", "top", "bottom")})),
                    qr_min_mm=10) == []


@pytest.mark.parametrize(("gap", "light"), [(3, 3.0), (4, 4.0), (2, 2.0), (0, None)])
def test_quiet_modules_measured(gap: int, light: float | None) -> None:
    """Steps out from the code's edge pixel: ink ``gap`` modules away leaves ``gap`` modules
    of light (to the pixel); an adjoining bar is found at the second step."""
    page = ink_page(8, {"left": gap})
    side = MODULES * 8
    quiet = _quiet_modules(page, 300, 300, 300 + side - 1, 300 + side - 1, 8.0)
    need = 4 * 8 + 2
    assert quiet["right"] == quiet["top"] == quiet["bottom"] == need / 8
    assert quiet["left"] == (1 / 8 if light is None else (gap * 8) / 8)


def test_quiet_zone_at_the_page_edge() -> None:
    """The page ends 10 px from the code: 10 px of paper, the rest is no paper at all."""
    page = page_image(400, 400)
    side = draw_code(page, URL, 10, 12, 8)
    right, bottom = 10 + side - 1, 12 + side - 1
    quiet = _quiet_modules(page, 10, 12, right, bottom, 8.0)
    assert quiet["left"] == 10 / 8
    assert quiet["top"] == 12 / 8
    assert quiet["right"] == (400 - 1 - right) / 8 if 400 - 1 - right < 34 else 34 / 8
    assert quiet["bottom"] == min(400 - 1 - bottom, 34) / 8


def test_quiet_zone_far_side_at_the_page_edge() -> None:
    page = page_image(340, 340)
    side = draw_code(page, URL, 50, 50, 8)  # 264 px
    right = bottom = 50 + side - 1  # 313: 26 px to the far edge
    quiet = _quiet_modules(page, 50, 50, right, bottom, 8.0)
    assert quiet == {"left": 34 / 8, "top": 34 / 8, "right": 26 / 8, "bottom": 26 / 8}


def test_grey_below_128_is_ink() -> None:
    for level, ink in ((127, True), (128, False)):
        page = page_image(800, 800)
        side = draw_code(page, URL, 300, 300, 8)
        ImageDraw.Draw(page).rectangle((300 - 17, 300, 300 - 16, 300 + side), fill=level)
        quiet = _quiet_modules(page, 300, 300, 300 + side - 1, 300 + side - 1, 8.0)
        assert quiet["left"] == (15 / 8 if ink else 34 / 8), level


def test_ink_beside_the_code_counts_within_the_bands_reach() -> None:
    """The band looked at runs past the code's corners by the quiet zone (and 2 px)."""
    for offset, seen in ((33, True), (34, True), (35, False)):
        page = page_image(1000, 1000)
        side = draw_code(page, URL, 300, 300, 8)
        bottom = 300 + side - 1
        # a dot left of the code, below its bottom edge by ``offset``
        ImageDraw.Draw(page).point((300 - 10, bottom + offset), fill=0)
        quiet = _quiet_modules(page, 300, 300, 300 + side - 1, bottom, 8.0)
        assert (quiet["left"] < 34 / 8) is (seen and offset <= 34), offset


# --- the whole check --------------------------------------------------------------------------


def test_no_code_found() -> None:
    (found,) = findings(pdf(page_image()), qr_min_mm=22)
    assert found == Finding(
        "the QR code does not scan: no code was found on any page at 300 dpi",
        check="qr",
        location="east-harbor",
        lang="en",
        material="wallet-card",
        element="QR code",
        hint="print it at least 22 mm wide, dark on white, with 4 modules of blank paper "
        "around it",
    )


def test_no_code_found_names_its_laid_out_size() -> None:
    link = {"href": URL}
    images = [
        SimpleNamespace(link=None, box=SimpleNamespace(width=100), scale=1.0),
        SimpleNamespace(link={"href": OTHER}, box=SimpleNamespace(width=90), scale=1.0),
        SimpleNamespace(link=link, box=SimpleNamespace(width=40), scale=0.5),
        SimpleNamespace(link=link, box=SimpleNamespace(width=80), scale=1.0),
    ]
    (found,) = findings(pdf(page_image()), images=images)
    assert found.message == (
        f"the QR code ({40 * 0.5 * MM_PER_PX:.1f} mm wide as laid out) does not scan: no code "
        "was found on any page at 300 dpi"
    )
    assert found.message.startswith("the QR code (5.3 mm wide as laid out)")


def test_pages_are_numbered() -> None:
    (found,) = findings(pdf(page_image(), code_page(url=OTHER)), pages=2)
    assert found.page == 2


def test_a_failed_documents_pages_are_named_as_the_material_does() -> None:
    """A pamphlet of 4 pages whose page 2 is shared: this location's document has only pages
    1, 3 and 4; a code on its second page is on the material's page 3."""
    data = pdf(page_image(), code_page(url=OTHER), page_image())
    (found,) = findings(data, pages=4, shared=(2,))
    assert found.page == 3
    (found,) = findings(pdf(page_image(), page_image(), code_page(url=OTHER)), pages=3)
    assert found.page == 3


def test_every_code_on_every_page_is_checked() -> None:
    page = page_image(1400, 800)
    draw_code(page, OTHER, 100, 150, 8)
    draw_code(page, OTHER + "2", 800, 150, 8)
    found = findings(pdf(page, code_page(url=OTHER)), pages=2)
    assert sorted((f.page, f.element) for f in found) == [
        (1, "QR code at 68 mm from the left, 13 mm from the top"),
        (1, "QR code at 8 mm from the left, 13 mm from the top"),
        (2, "QR code at 17 mm from the left, 13 mm from the top"),
    ]


def test_white_on_black_is_not_read() -> None:
    """Inverted codes are not looked for: many phone readers do not read them either."""
    page = code_page()
    from PIL import ImageOps

    assert [f.message for f in findings(pdf(ImageOps.invert(page)))] == [
        "the QR code does not scan: no code was found on any page at 300 dpi"
    ]


def test_pdf_written_from_the_document_when_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    data = pdf(code_page(url=OTHER))
    d = doc(b"")
    d.rendered.pdf = None
    d.rendered.document = SimpleNamespace(write_pdf=lambda: data)
    (found,) = qr_problems(d)
    assert found.text == OTHER
    d.rendered.pdf = pdf(code_page())
    assert qr_problems(d) == []
    assert qr_problems(d, data)[0].text == OTHER  # a PDF given wins


def test_only_qr_codes_are_read() -> None:
    """A bar code of another kind on the page is not the QR code."""
    import zxingcpp

    bars = zxingcpp.create_barcode(OTHER, zxingcpp.BarcodeFormat.Code128)
    page = page_image(1400, 400)
    page.paste(Image.fromarray(zxingcpp.write_barcode_to_image(bars, scale=3)), (50, 50))
    assert [f.message for f in findings(pdf(page))] == [
        "the QR code does not scan: no code was found on any page at 300 dpi"
    ]


def test_a_whole_document_with_a_shared_page_is_numbered_as_printed() -> None:
    """All the material's pages present: the PDF's page numbers are the material's."""
    (found,) = findings(pdf(page_image(), code_page(url=OTHER)), pages=2, shared=(2,))
    assert found.page == 2


def test_three_modules_of_paper_are_too_few() -> None:
    (found,) = [f for f in findings(pdf(ink_page(8, {"left": 3})), qr_min_mm=10)
                if "blank paper" in f.message]
    assert "has 3.0 modules of blank paper on its left side" in found.message


def test_quiet_zone_threshold_is_a_quarter_module() -> None:
    """3.75 modules of paper pass, less does not: 30 px and 29 px at 8 px a module."""
    for gap, fires in ((30, False), (29, True)):
        page = page_image(900, 900)
        side = draw_code(page, URL, 300, 300, 8)
        ImageDraw.Draw(page).rectangle((300 - gap - 3, 300, 300 - gap - 1, 300 + side), fill=0)
        corners = code(300, 300, side)
        found = check._check_code(doc(b""), corners, page, 1, URL, SimpleNamespace(qr_min_mm=10))
        assert [f.severity for f in found if "blank paper" in f.message] == (
            ["error"] if fires else []), gap


def test_ink_touching_the_code_is_its_anti_aliased_edge() -> None:
    """The pixel row or column next to the code is not looked at."""
    page = page_image(900, 900)
    side = draw_code(page, URL, 300, 300, 8)
    pen = ImageDraw.Draw(page)
    pen.line((299, 300, 299, 300 + side), fill=0)
    pen.line((300, 299, 300 + side, 299), fill=0)
    quiet = _quiet_modules(page, 300, 300, 300 + side - 1, 300 + side - 1, 8.0)
    assert quiet == {"left": 34 / 8, "right": 34 / 8, "top": 34 / 8, "bottom": 34 / 8}


EDGE = 300 + MODULES * 8 - 1  # the right and bottom pixel of a code drawn at (300, 300)


@pytest.mark.parametrize(
    ("x", "y", "side_seen"),
    [
        (290, 300 - 34, "left"),  # beside the code, as high as the band reaches (4 modules + 2)
        (290, 300 - 5, "left"),
        (290, EDGE + 34, "left"),
        (EDGE + 34, 290, "top"),  # above the code, as far as the band reaches
        (300 - 34, 290, "top"),
    ],
)
def test_bands_reach_past_the_corners(x: int, y: int, side_seen: str) -> None:
    page = page_image(1000, 1000)
    draw_code(page, URL, 300, 300, 8)
    ImageDraw.Draw(page).point((x, y), fill=0)
    quiet = _quiet_modules(page, 300, 300, EDGE, EDGE, 8.0)
    assert quiet[side_seen] == 9 / 8, quiet


def test_bands_reach_no_further() -> None:
    page = page_image(1000, 1000)
    draw_code(page, URL, 300, 300, 8)
    pen = ImageDraw.Draw(page)
    pen.point((EDGE + 35, 290), fill=0)  # above, one pixel past the band's reach
    pen.point((290, EDGE + 35), fill=0)  # beside, likewise
    assert _quiet_modules(page, 300, 300, EDGE, EDGE, 8.0) == {
        "left": 34 / 8, "right": 34 / 8, "top": 34 / 8, "bottom": 34 / 8}


def test_bands_stop_at_the_page_edges() -> None:
    """A code 12 px from the top and left: ink in the first row and column is seen."""
    page = page_image(500, 500)
    side = draw_code(page, URL, 12, 12, 8)
    pen = ImageDraw.Draw(page)
    pen.point((12 - 8, 0), fill=0)  # left of the code, in the page's first row
    pen.point((0, 12 - 8), fill=0)  # above the code, in the page's first column
    quiet = _quiet_modules(page, 12, 12, 12 + side - 1, 12 + side - 1, 8.0)
    assert quiet["left"] == 7 / 8 and quiet["top"] == 7 / 8


def test_ink_in_the_last_column_of_the_page() -> None:
    """The page's last pixel column is paper looked at: ink there is ink."""
    page = page_image(340, 340)
    side = draw_code(page, URL, 50, 50, 8)
    right = 50 + side - 1  # 313: the last column, 339, is 26 px away
    ImageDraw.Draw(page).line((339, 0, 339, 339), fill=0)
    quiet = _quiet_modules(page, 50, 50, right, right, 8.0)
    assert quiet["right"] == 25 / 8
