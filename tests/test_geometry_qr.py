"""Print geometry (units, tri-fold panels, QR sizing) and QR codes (tracked URL, vector SVG)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import zxingcpp
from conftest import REPO, structure
from PIL import Image, ImageDraw

from makeprint_engine.geometry import MM_PER_IN, qr_size_mm, to_mm, trifold_panels
from makeprint_engine.organization import DEFAULT_PARAMS, Tracking
from makeprint_engine.qr import QUIET_ZONE, make_qr, tracked_url

# --- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "mm"),
    [
        ("85mm", 85.0),
        ("3.5in", 88.9),
        ("8.5 in", 215.9),
        ("612pt", 215.9),
        ("2cm", 20.0),
        (" 1.5 mm ", 1.5),
        ("11in", 279.4),
        ("0mm", 0.0),
    ],
)
def test_to_mm(length: str, mm: float) -> None:
    assert to_mm(length) == pytest.approx(mm)


@pytest.mark.parametrize("length", ["3.5", "in", "-1mm", "3,5in", "1e3mm", "12px", ""])
def test_to_mm_rejects_what_is_not_a_length(length: str) -> None:
    with pytest.raises(ValueError, match="not a length"):
        to_mm(length)


# --- tri-fold panels -----------------------------------------------------------------------


def test_letter_trifold_inside_panels() -> None:
    inside = trifold_panels("letter")["inside"]
    assert inside == pytest.approx((3.6875 * MM_PER_IN, 3.6875 * MM_PER_IN, 3.625 * MM_PER_IN))
    assert inside == pytest.approx((93.6625, 93.6625, 92.075))
    assert sum(inside) == pytest.approx(11 * MM_PER_IN)  # the sheet's long side


def test_letter_trifold_outside_is_mirrored_with_the_narrow_flap_first() -> None:
    panels = trifold_panels("letter")
    assert panels["outside"] == tuple(reversed(panels["inside"]))
    assert panels["outside"][0] == pytest.approx(3.625 * MM_PER_IN)
    assert panels["outside"][0] < panels["outside"][1] == panels["outside"][2]
    assert sum(panels["outside"]) == pytest.approx(279.4)


def test_a4_trifold_panels() -> None:
    panels = trifold_panels("a4")
    assert panels["inside"] == (100.0, 100.0, 97.0)
    assert panels["outside"] == (97.0, 100.0, 100.0)
    assert sum(panels["inside"]) == 297.0


# --- QR sizing -----------------------------------------------------------------------------


def test_small_code_is_printed_at_the_minimum_width() -> None:
    assert qr_size_mm(25, 20) == 20  # 33 modules × 0.5 mm = 16.5 mm < 20 mm
    assert qr_size_mm(25, 30) == 30


@pytest.mark.parametrize("modules", [21, 25, 33, 41, 57, 77, 97, 177])
@pytest.mark.parametrize("min_width", [20.0, 30.0])
def test_modules_are_never_smaller_than_half_a_millimetre(modules: int, min_width: float) -> None:
    size = qr_size_mm(modules, min_width)
    assert size >= min_width
    assert size / (modules + 2 * QUIET_ZONE) >= 0.5 - 1e-9


def test_dense_code_grows_past_the_minimum_width() -> None:
    assert qr_size_mm(57, 20) == pytest.approx((57 + 8) * 0.5)  # 32.5 mm
    assert qr_size_mm(77, 30, min_module_mm=0.6) == pytest.approx((77 + 8) * 0.6)


# --- tracked_url ---------------------------------------------------------------------------

BASE = "https://example.org/intake"


def query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_tracking_parameters_are_appended() -> None:
    url = tracked_url(BASE, Tracking(), "flyer", "east-harbor", "es")
    assert url == (
        BASE + "?utm_source=flyer&utm_medium=print&utm_campaign=east-harbor&utm_content=es"
    )


def test_existing_query_and_fragment_are_kept() -> None:
    url = tracked_url(
        "https://example.org/f?site=east&x=a%20b#step-2",
        Tracking(),
        "pamphlet",
        "east-harbor",
        "en",
    )
    parts = urlsplit(url)
    assert parts.fragment == "step-2"
    assert url.endswith("#step-2")
    assert parts.query.startswith("site=east&x=a%20b&")  # untouched, in its original order
    assert query(url) == [
        ("site", "east"),
        ("x", "a b"),
        ("utm_source", "pamphlet"),
        ("utm_medium", "print"),
        ("utm_campaign", "east-harbor"),
        ("utm_content", "en"),
    ]


def test_a_fragment_without_a_query_stays_after_the_new_query() -> None:
    url = tracked_url("https://example.org/#/form", Tracking(), "flyer", "van", "en")
    assert url.startswith("https://example.org/?utm_source=flyer&")
    assert url.endswith("#/form")


def test_a_parameter_already_in_the_url_is_not_overridden() -> None:
    url = tracked_url(
        BASE + "?utm_source=poster&utm_campaign=spring", Tracking(), "flyer", "east-harbor", "en"
    )
    pairs = query(url)
    assert pairs.count(("utm_source", "poster")) == 1
    assert ("utm_campaign", "spring") in pairs
    assert [name for name, _ in pairs].count("utm_source") == 1
    assert [name for name, _ in pairs].count("utm_campaign") == 1
    assert ("utm_medium", "print") in pairs and ("utm_content", "en") in pairs


def test_renamed_parameters_and_medium() -> None:
    tracking = Tracking(
        True, "outreach", {"source": "src", "medium": "med", "campaign": "site", "content": "lang"}
    )
    url = tracked_url(BASE, tracking, "wallet-card", "mobile-outreach", "es")
    assert query(url) == [
        ("src", "wallet-card"),
        ("med", "outreach"),
        ("site", "mobile-outreach"),
        ("lang", "es"),
    ]
    assert "utm_" not in url


def test_a_parameter_named_empty_is_left_out() -> None:
    params = dict(DEFAULT_PARAMS, campaign="", content="")
    url = tracked_url(BASE, Tracking(True, "print", params), "flyer", "east-harbor", "es")
    assert query(url) == [("utm_source", "flyer"), ("utm_medium", "print")]
    assert "east-harbor" not in url


def test_every_parameter_empty_leaves_the_url_alone() -> None:
    params = {key: "" for key in DEFAULT_PARAMS}
    url = "https://example.org/f?a=1#x"
    assert tracked_url(url, Tracking(True, "print", params), "flyer", "s", "en") == url


@pytest.mark.parametrize("url", [BASE, "https://example.org/f?a=1#x", "https://example.org"])
def test_tracking_disabled_returns_the_url_unchanged(url: str) -> None:
    assert tracked_url(url, Tracking(enabled=False), "flyer", "east-harbor", "es") == url


def test_no_personal_data_only_the_four_values() -> None:
    url = tracked_url(BASE, Tracking(), "flyer", "east-harbor", "es")
    assert {value for _, value in query(url)} == {"flyer", "print", "east-harbor", "es"}


# --- make_qr: decode the SVG with a real decoder --------------------------------------------

SCALE = 8  # pixels per module
RUN_RE = re.compile(r"M(\d+) (\d+)\.5h(\d+)")  # a run of dark modules: a stroke mid-row


def modules_of(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The SVG's size in modules (quiet zone included) and its dark modules as (x, y)."""
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    path = re.search(r'<path[^>]* d="([^"]*)"', svg)
    assert view and path, svg[:200]
    assert view[1] == view[2]
    total = int(view[1])
    d = path[1]
    runs = RUN_RE.findall(d)
    assert "".join(f"M{x} {y}.5h{w}" for x, y, w in runs) == d  # nothing else in it
    assert 'stroke-width="1"' in path[0] and 'stroke-linecap="butt"' in path[0]
    dark: set[tuple[int, int]] = set()
    for x, y, width in runs:
        dark.update((int(x) + i, int(y)) for i in range(int(width)))
    return total, dark


def rasterize(svg: str) -> Image.Image:
    total, dark = modules_of(svg)
    image = Image.new("L", (total * SCALE, total * SCALE), 255)
    draw = ImageDraw.Draw(image)
    for x, y in dark:
        draw.rectangle([x * SCALE, y * SCALE, (x + 1) * SCALE - 1, (y + 1) * SCALE - 1], fill=0)
    return image


def decode(svg: str) -> list[zxingcpp.Barcode]:
    return [
        r
        for r in zxingcpp.read_barcodes(rasterize(svg))
        if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


QR_URLS = [
    "https://example.org/intake?utm_source=flyer&utm_medium=print&utm_campaign=east-harbor"
    "&utm_content=en",
    "https://ejemplo.org/clínica/señal?niño=sí&lugar=Peña#sección",  # non-ASCII, as UTF-8
    "https://例え.jp/パス?q=東京",
    "https://example.org/form?"
    + "&".join(f"field{i}=value-{i}" for i in range(40))
    + "&utm_source=pamphlet&utm_medium=print&utm_campaign=riverside-clinic&utm_content=es#top",
]


@pytest.mark.parametrize("url", QR_URLS)
def test_qr_decodes_to_the_exact_url(url: str) -> None:
    code = make_qr(url)
    found = decode(code.svg)
    assert [r.text for r in found] == [url]
    assert code.url == url


@pytest.mark.parametrize("url", QR_URLS)
def test_qr_has_a_white_four_module_quiet_zone(url: str) -> None:
    code = make_qr(url)
    total, dark = modules_of(code.svg)
    assert QUIET_ZONE == 4
    assert total == code.modules + 2 * QUIET_ZONE
    assert dark, "no dark modules at all"
    for x, y in dark:
        assert QUIET_ZONE <= x < total - QUIET_ZONE, (x, y)
        assert QUIET_ZONE <= y < total - QUIET_ZONE, (x, y)
    image = rasterize(code.svg)
    band = QUIET_ZONE * SCALE
    side = total * SCALE
    for box in [
        (0, 0, side, band),
        (0, side - band, side, side),
        (0, 0, band, side),
        (side - band, 0, side, side),
    ]:
        assert image.crop(box).getextrema() == (255, 255), box
    # the background really is white, and modules dark, in the SVG itself
    assert f'<rect width="{total}" height="{total}" fill="#FFFFFF"/>' in code.svg


def test_qr_error_correction_is_m_or_higher() -> None:
    (result,) = decode(make_qr(QR_URLS[0]).svg)
    assert result.ec_level in ("M", "Q", "H")


def test_qr_is_vector_not_a_bitmap() -> None:
    svg = make_qr(BASE).svg
    assert svg.startswith("<svg") and "<image" not in svg and "base64" not in svg
    assert 'shape-rendering="crispEdges"' in svg


def test_longer_urls_make_denser_codes() -> None:
    short, long = make_qr(QR_URLS[0]), make_qr(QR_URLS[3])
    assert long.modules > short.modules
    assert (long.modules - 17) % 4 == 0 and (short.modules - 17) % 4 == 0  # real QR versions


def test_dark_colour_is_used_for_the_modules() -> None:
    svg = make_qr(BASE, dark="#0B5563").svg
    assert '<path fill="none" stroke="#0B5563"' in svg
    assert [r.text for r in decode(svg)] == [BASE]


# --- the mask: qrcode's choice, found faster --------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_penalty_is_qrcodes_on_random_symbols(seed: int) -> None:
    import random

    import qrcode.util

    from makeprint_engine.qr import _Layout, _pack, penalty

    rng = random.Random(seed)
    for _ in range(40):
        size = rng.choice([21, 25, 33, 45, 57, 101, 177])
        share = rng.random()  # from nearly all light to nearly all dark: every N4 step
        matrix = [[rng.random() < share for _ in range(size)] for _ in range(size)]
        assert penalty(_pack(matrix), _Layout.of(size)) == qrcode.util.lost_point(matrix)


def test_penalty_counts_each_rule() -> None:
    """Hand-made symbols whose score is known: one rule at a time."""
    import qrcode.util

    from makeprint_engine.qr import _Layout, _pack, penalty

    size = 21
    checker = [[(x + y) % 2 == 0 for x in range(size)] for y in range(size)]
    finder = [row[:] for row in checker]
    finder[10][0:11] = [bool(int(c)) for c in "10111010000"]  # plus one N3 pattern
    for matrix in (checker, finder, [[False] * size for _ in range(size)]):
        expected = qrcode.util.lost_point(matrix)
        assert penalty(_pack(matrix), _Layout.of(size)) == expected
    assert qrcode.util.lost_point(checker) == 0  # the checkerboard breaks every rule


def test_mask_and_symbol_are_qrcodes_for_urls_of_every_length() -> None:
    import random

    import qrcode

    rng = random.Random(18004)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/?=&-_.#%"
    for length in list(range(1, 60, 3)) + [rng.randint(60, 700) for _ in range(40)]:
        url = "https://example.org/" + "".join(rng.choice(alphabet) for _ in range(length))
        theirs = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        theirs.add_data(url.encode("utf-8"))
        theirs.make(fit=True)
        expected = {
            (x + QUIET_ZONE, y + QUIET_ZONE)
            for y, row in enumerate(theirs.get_matrix())
            for x, on in enumerate(row)
            if on
        }
        _, dark = modules_of(make_qr(url).svg)
        assert dark == expected, url


# --- the code in the PDF: drawn from its modules, the same squares as the SVG -----------------


def _qr_pdf(code: object, drawn: bool, size_mm: float = 30.0) -> bytes:
    """A page holding the code as the templates place it: an <img> of the SVG, in a figure."""
    from makeprint_engine.qr import QRDrawing
    from makeprint_engine.speedups import import_weasyprint

    weasyprint = import_weasyprint()
    src = code.data_uri  # type: ignore[attr-defined]
    html = (
        '<html lang="en"><head><title>QR</title></head><body><figure>'
        f'<img src="{src}" alt="intake form" style="width: {size_mm}mm; height: {size_mm}mm">'
        "</figure></body></html>"
    )
    cache = {src: QRDrawing(code)} if drawn else None  # type: ignore[arg-type]
    return weasyprint.HTML(string=html).write_pdf(cache=cache, pdf_variant="pdf/ua-1")


def _raster(pdf: bytes, dpi: int = 300) -> Image.Image:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


@pytest.mark.parametrize(("url", "dark"), [(QR_URLS[0], "#000000"), (QR_URLS[3], "#0B5563")])
def test_drawn_code_prints_the_same_squares_as_its_svg(url: str, dark: str) -> None:
    code = make_qr(url, dark=dark)
    drawn, parsed = _raster(_qr_pdf(code, True)), _raster(_qr_pdf(code, False))
    assert drawn.size == parsed.size
    # Pixel for pixel, but for a few anti-aliased edge pixels (strokes and fills may round an
    # edge differently): one module missing or misplaced is ~60 pixels at this size.
    differ = sum(
        1 for a, b in zip(drawn.tobytes(), parsed.tobytes(), strict=True) if abs(a - b) > 96
    )
    assert differ < 20, differ
    assert drawn.getextrema()[0] < 100  # dark modules were drawn at all
    codes = zxingcpp.read_barcodes(drawn, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [c.text for c in codes] == [url]


def test_drawn_code_is_vector_and_tagged_as_the_figure() -> None:
    """In the PDF the code is filled rectangles (no image), inside the figure's marked
    content, so PDF/UA readers get its alternative text just as with the SVG."""
    import io

    import pikepdf

    code = make_qr(QR_URLS[1])
    with pikepdf.open(io.BytesIO(_qr_pdf(code, True))) as pdf:
        page = pdf.pages[0]
        xobjects = page.Resources.get("/XObject", {})
        images = [x for x in xobjects.values() if x.get("/Subtype") == "/Image"]
        assert images == []
        tags: list[str] = []
        filled = 0
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                tags.append(str(operands[0]))
            elif op == "EMC":
                tags.pop()
            elif op == "re" and "/Figure" in tags:
                filled += 1
        # Inside the figure's content: the light background and every dark run (outside it,
        # only the clip WeasyPrint sets around every image).
        assert filled == 1 + len(code.runs)
        figures = [alt for kind, alt in structure(pdf) if kind == "/Figure"]
        assert figures == ["intake form"]


def test_renderer_hands_weasyprint_the_drawing_not_the_svg(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The QR code's SVG is never parsed when a document is rendered: if the image cache key
    stopped matching WeasyPrint's URL, the codes would still print, only 5 % slower."""
    import weasyprint.images

    from makeprint_engine import Job, load_project
    from makeprint_engine.render import Renderer

    parsed: list[str] = []
    svg_image = weasyprint.images.SVGImage

    def recording(tree: object, base_url: str, *args: object) -> object:
        parsed.append(base_url)
        return svg_image(tree, base_url, *args)

    monkeypatch.setattr(weasyprint.images, "SVGImage", recording)
    renderer = Renderer(load_project(REPO))
    slug = renderer.project.locations[0].slug
    rendered = renderer.render(Job(slug, "en", "wallet-card"))
    assert rendered.pdf is not None
    assert not [url for url in parsed if url.startswith("data:image/svg+xml")]
    assert rendered.qr_url
