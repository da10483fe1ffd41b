"""Print production (issue 3): office and press profiles, card sheets, marks, safe zone, PDFs.

Pure geometry is tested directly. Rendered files come from one office build (the session's
``built`` sample) and one press build of the sample project, and are checked the way a printer
or a print shop would: page boxes, rasters (pypdfium2) with a real QR decoder (zxing-cpp),
text positions, content streams (pikepdf) and ``qpdf --check``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from conftest import REPO, copy_project, run_cli, structure
from PIL import Image, ImageChops

from makeprint_engine.errors import MakeprintError
from makeprint_engine.geometry import (
    CUT_INSET_MM,
    MM_PER_IN,
    OFFICE_MARGIN_MM,
    PAPER_MM,
    Sheet,
    card_positions,
    cut_guides,
    fold_positions,
    trifold_panels,
)
from makeprint_engine.sheets import load_sheets

IN = MM_PER_IN
PT = 72 / MM_PER_IN  # points per millimetre
SAFE_PT = 9.0  # 0.125 in: text and QR modules stay this far inside the trim (letter orgs)
LETTER_BLEED_PT = 9.0  # 0.125 in
MATERIAL_SIZE = {"wallet-card": (252, 144), "pamphlet": (792, 612), "flyer": (612, 792),
                 "kit-label": (288, 144), "poster": (792, 1224), "directory": (612, 792)}
SIZE_OF_SIZE = {"small": (612, 792)}  # the poster on Letter
# page index that carries the QR code
QR_PAGE = {"wallet-card": 1, "pamphlet": 0, "flyer": 0, "kit-label": 0, "poster": 0,
           "directory": 0}
PRIMARY = (0x0B, 0x55, 0x63)  # colors.primary in content/organization.yaml
FLAP = (0xFD, 0xF3, 0xE3)  # the pamphlet flap's tint (templates/styles/pamphlet.css)
GUIDE = (0x8A, 0x90, 0x96)  # office fold guides (templates/styles/base.css)

# The published Avery 8371 / 5371 / 28371 template, in mm from the sheet's top left.
AVERY_CARD = (3.5 * IN, 2 * IN)
AVERY_FIRST = (0.75 * IN, 0.5 * IN)
AVERY_POSITIONS = [
    (AVERY_FIRST[0] + col * AVERY_CARD[0], AVERY_FIRST[1] + row * AVERY_CARD[1])
    for row in range(5)
    for col in range(2)
]


# --- helpers -------------------------------------------------------------------------------


def floats(box: object) -> tuple[float, ...]:
    return tuple(float(v) for v in box)  # type: ignore[attr-defined]


def close(a: tuple[float, ...], b: tuple[float, ...], tol: float = 0.02) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def entries(out: Path) -> list[dict[str, object]]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]


def files_of(out: Path, variant: str) -> list[dict[str, object]]:
    found = [e for e in entries(out) if e["variant"] == variant]
    assert found, f"no {variant} files in {out / 'manifest.json'}"
    return found


def card_sheets(out: Path) -> list[dict[str, object]]:
    """The wallet cards' sheets (the kit labels' sheets: tests/test_kit_label.py)."""
    found = [e for e in files_of(out, "sheet") if e["material"] == "wallet-card"]
    assert found, f"no card sheets in {out / 'manifest.json'}"
    return found


def render(path: Path, index: int, dpi: float) -> tuple[Image.Image, tuple[float, ...]]:
    """Page ``index`` as RGB pixels, with the MediaBox the raster covers."""
    doc = pypdfium2.PdfDocument(str(path))
    try:
        image = doc[index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()
    with pikepdf.open(path) as pdf:
        media = floats(pdf.pages[index].mediabox)
    return image, media


class Raster:
    """A rendered page addressed in PDF points (x right, y up) or in mm from the top left."""

    def __init__(self, path: Path, index: int, dpi: float = 300) -> None:
        self.image, self.media = render(path, index, dpi)
        self.scale = dpi / 72  # pixels per point

    def px(self, x: float, y: float) -> tuple[int, int]:
        return (int((x - self.media[0]) * self.scale), int((self.media[3] - y) * self.scale))

    def at(self, x: float, y: float) -> tuple[int, int, int]:
        return self.image.getpixel(self.px(x, y))  # type: ignore[return-value]

    def at_mm(self, x: float, y: float) -> tuple[int, int, int]:
        return self.at(self.media[0] + x * PT, self.media[3] - y * PT)

    def crop_mm(self, x: float, y: float, w: float, h: float) -> Image.Image:
        s = self.scale * PT
        return self.image.crop((round(x * s), round(y * s), round((x + w) * s), round((y + h) * s)))


def is_colour(pixel: tuple[int, ...], colour: tuple[int, int, int], tol: int = 14) -> bool:
    return all(abs(p - c) <= tol for p, c in zip(pixel[:3], colour, strict=True))


def is_ink(pixel: tuple[int, ...]) -> bool:
    """Visibly printed: a thin black line is anti-aliased to grey, so anything not near white."""
    return min(pixel[:3]) < 200


def ink_mask(image: Image.Image, threshold: int = 250) -> Image.Image:
    """255 where any channel is darker than ``threshold`` (anything a printer would print)."""
    r, g, b = image.split()
    darkest = ImageChops.darker(ImageChops.darker(r, g), b)
    return darkest.point(lambda v: 255 if v < threshold else 0)


def qr_codes(image: Image.Image) -> list[zxingcpp.Result]:
    return [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def qr_bounds(result: zxingcpp.Result) -> tuple[float, float, float, float]:
    """left, top, right, bottom of the code's modules, in pixels."""
    p = result.position
    xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
    ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
    return min(xs), min(ys), max(xs), max(ys)


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def concat(m: Matrix, ctm: Matrix) -> Matrix:
    """``m cm`` on top of ``ctm``: M × CTM."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = ctm
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


class Drawing:
    """What a page's own content streams do, in default user space (form XObjects unopened):
    where each XObject is placed, every straight line segment stroked, and the CTM in force
    when each content stream starts."""

    def __init__(self, page: pikepdf.Page) -> None:
        self.placements: list[tuple[str, Matrix]] = []
        self.segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
        self.stream_ctm: list[Matrix] = []
        self.grey: list[float] = []
        contents = page.obj.Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        ctm, stack, current = IDENTITY, [], (0.0, 0.0)
        for stream in streams:
            self.stream_ctm.append(ctm)
            for op in pikepdf.parse_content_stream(stream):
                name, args = str(op.operator), [v for v in op.operands]
                if name == "q":
                    stack.append(ctm)
                elif name == "Q":
                    ctm = stack.pop() if stack else IDENTITY
                elif name == "cm":
                    ctm = concat(tuple(float(v) for v in args), ctm)  # type: ignore[arg-type]
                elif name == "Do":
                    self.placements.append((str(args[0]), ctm))
                elif name == "m":
                    current = apply(ctm, float(args[0]), float(args[1]))
                elif name == "l":
                    end = apply(ctm, float(args[0]), float(args[1]))
                    self.segments.append((current, end))
                    current = end
                elif name == "G":
                    self.grey.append(float(args[0]))


def sheet_page_cards(path: Path) -> list[list[tuple[float, float]]]:
    """Per sheet page, the top-left corner (mm from the sheet's top left) of every placed card."""
    pages = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            height = floats(page.mediabox)[3]
            corners = []
            for name, m in Drawing(page).placements:
                bbox = floats(page.Resources.XObject[name].BBox)  # the card's trim box
                x, top = apply(m, bbox[0], bbox[3])
                corners.append((x / PT, (height - top) / PT))
            pages.append(corners)
    return pages


def assert_positions(actual: list[tuple[float, float]], expected: list[tuple[float, float]],
                     tol: float, what: str) -> None:
    assert len(actual) == len(expected), f"{what}: {len(actual)} cards, expected {len(expected)}"
    for i, ((x, y), (ex, ey)) in enumerate(zip(actual, expected, strict=True)):
        assert abs(x - ex) <= tol and abs(y - ey) <= tol, (
            f"{what}: card {i + 1} at ({x:.2f}, {y:.2f}) mm, expected ({ex:.2f}, {ey:.2f})")


def output_file(out: Path, slug: str, lang: str, name: str) -> Path:
    return out / slug / lang / name


# --- pure geometry ---------------------------------------------------------------------------


def avery() -> Sheet:
    return load_sheets(REPO / "templates" / "sheets", REPO)["avery-8371"]


def stock(**changes: float) -> Sheet:
    base = {"name": "test", "description": "test", "paper": "letter", "width": 215.9,
            "height": 279.4, "card_w": 88.9, "card_h": 50.8, "columns": 2, "rows": 5,
            "margin_left": 19.05, "margin_top": 12.7, "gutter_x": 0.0, "gutter_y": 0.0}
    base.update(changes)
    return Sheet(**base)  # type: ignore[arg-type]


def every_stock() -> list[Sheet]:
    """Card stocks: the shipped ones and a few made up (label stocks: tests/test_kit_label.py)."""
    shipped = [s for s in load_sheets(REPO / "templates" / "sheets", REPO).values()
               if s.kind == "cards"]
    return shipped + [
        stock(margin_left=12.7),  # lopsided: 1/2 in left, 1 in right
        stock(columns=2, rows=4, gutter_x=10.0, gutter_y=8.0, margin_left=14.05,
              margin_top=20.0),
        stock(paper="a4", width=210.0, height=297.0, card_w=85.0, card_h=55.0, columns=2,
              rows=5, margin_left=7.0, margin_top=7.0, gutter_y=0.5),  # margins below 1 cm
    ]


def test_letter_trifold_panels_inside_and_mirrored_outside() -> None:
    panels = trifold_panels("letter")
    expected = (3.6875 * IN, 3.6875 * IN, 3.625 * IN)
    assert close(panels["inside"], expected, 1e-9)
    assert close(panels["outside"], expected[::-1], 1e-9)
    assert sum(panels["inside"]) == pytest.approx(11 * IN)


def test_a4_trifold_panels() -> None:
    panels = trifold_panels("a4")
    assert panels["inside"] == (100.0, 100.0, 97.0)
    assert panels["outside"] == (97.0, 100.0, 100.0)
    assert sum(panels["inside"]) == pytest.approx(297)


@pytest.mark.parametrize(("paper", "outside", "inside"), [
    ("letter", [3.625 * IN, 7.3125 * IN], [3.6875 * IN, 7.375 * IN]),
    ("a4", [97.0, 197.0], [100.0, 200.0]),
])
def test_fold_positions(paper: str, outside: list[float], inside: list[float]) -> None:
    assert fold_positions(paper, "outside") == pytest.approx(outside, abs=1e-3)
    assert fold_positions(paper, "inside") == pytest.approx(inside, abs=1e-3)
    # The sheet turns over on its short edge: each fold on one side is behind one on the other.
    width = PAPER_MM[paper][1]
    assert sorted(width - x for x in fold_positions(paper, "inside")) == pytest.approx(
        fold_positions(paper, "outside"), abs=1e-3)


def test_avery_8371_card_positions_match_the_published_template() -> None:
    sheet = avery()
    assert (sheet.paper, sheet.width, sheet.height) == ("letter", 215.9, 279.4)
    assert (sheet.card_w, sheet.card_h) == pytest.approx(AVERY_CARD)
    assert (sheet.columns, sheet.rows, sheet.count) == (2, 5, 10)
    positions = card_positions(sheet)
    assert len(positions) == 10
    for (x, y), (ex, ey) in zip(positions, AVERY_POSITIONS, strict=True):
        assert abs(x - ex) <= 0.5 and abs(y - ey) <= 0.5, (x, y, ex, ey)
    assert positions[0] == pytest.approx((19.05, 12.7), abs=0.01)
    assert positions[1][0] == pytest.approx(107.95, abs=0.01)
    assert [y for _, y in positions[::2]] == pytest.approx([12.7 + 50.8 * r for r in range(5)])
    # 0.5 in top and bottom, 0.75 in left and right: the sheet is filled symmetrically
    right = max(x for x, _ in positions) + sheet.card_w
    bottom = max(y for _, y in positions) + sheet.card_h
    assert sheet.width - right == pytest.approx(0.75 * IN)
    assert sheet.height - bottom == pytest.approx(0.5 * IN)


@pytest.mark.parametrize("sheet", every_stock(), ids=lambda s: f"{s.name}-{s.margin_left}")
def test_back_positions_mirror_the_fronts(sheet: Sheet) -> None:
    fronts, backs = card_positions(sheet), card_positions(sheet, back=True)
    assert len(fronts) == len(backs) == sheet.count
    for (x, y), (bx, by) in zip(fronts, backs, strict=True):
        assert bx == pytest.approx(sheet.width - x - sheet.card_w)
        assert by == pytest.approx(y)


def rects(sheet: Sheet, back: bool = False) -> list[tuple[float, float, float, float]]:
    return [(x, y, x + sheet.card_w, y + sheet.card_h) for x, y in card_positions(sheet, back)]


def crosses(segment: tuple[float, ...], rect: tuple[float, ...], clearance: float) -> bool:
    """Whether an axis-parallel segment comes within ``clearance`` of a rectangle."""
    x1, y1, x2, y2 = segment
    left, top, right, bottom = rect
    return (min(x1, x2) < right + clearance and max(x1, x2) > left - clearance
            and min(y1, y2) < bottom + clearance and max(y1, y2) > top - clearance)


@pytest.mark.parametrize("sheet", every_stock(), ids=lambda s: f"{s.name}-{s.margin_left}")
def test_cut_guides_stay_in_the_margins(sheet: Sheet) -> None:
    guides = cut_guides(sheet)
    assert guides, "no cut guides at all"
    cards = rects(sheet)
    for guide in guides:
        x1, y1, x2, y2 = guide
        assert x1 == x2 or y1 == y2, f"guide {guide} is not horizontal or vertical"
        for rect in cards:
            assert not crosses(guide, rect, 0.5), f"guide {guide} touches card {rect}"
        assert min(x1, x2, y1, y2) >= OFFICE_MARGIN_MM - 1e-6, f"guide {guide} too near the edge"
        assert max(x1, x2) <= sheet.width - OFFICE_MARGIN_MM + 1e-6, guide
        assert max(y1, y2) <= sheet.height - OFFICE_MARGIN_MM + 1e-6, guide
    # guides extend the card edges, and every edge gets one where a margin has room for it
    positions = card_positions(sheet)
    edge_xs = {round(v, 3) for x, _ in positions for v in (x, x + sheet.card_w)}
    edge_ys = {round(v, 3) for _, y in positions for v in (y, y + sheet.card_h)}
    vertical = {round(g[0], 3) for g in guides if g[0] == g[2]}
    horizontal = {round(g[1], 3) for g in guides if g[1] == g[3]}
    assert vertical <= edge_xs and horizontal <= edge_ys, "a guide off every card edge"
    room = 1.0 + OFFICE_MARGIN_MM  # the guides' gap from the cards plus the unprintable edge
    right = sheet.width - max(edge_xs)
    bottom = sheet.height - max(edge_ys)
    if min(edge_ys) > room or bottom > room:
        assert vertical == edge_xs, f"vertical guides at {sorted(vertical)}"
    if min(edge_xs) > room or right > room:
        assert horizontal == edge_ys, f"horizontal guides at {sorted(horizontal)}"


BAD_STOCKS = {
    "too-wide": ("card: [3.5in, 2in]\ncolumns: 3\nrows: 5\nmargin_left: 0.25in\n"
                 "margin_top: 0.5in\n", "do not fit"),
    "too-tall": ("card: [3.5in, 2in]\ncolumns: 2\nrows: 6\nmargin_left: 0.75in\n"
                 "margin_top: 0.5in\n", "do not fit"),
    "near-the-side": ("card: [3.5in, 2in]\ncolumns: 2\nrows: 5\nmargin_left: 0.2in\n"
                      "margin_top: 0.5in\n", "1/4 in"),
    "near-the-top": ("card: [3.5in, 2in]\ncolumns: 2\nrows: 5\nmargin_left: 0.75in\n"
                     "margin_top: 0.1in\n", "1/4 in"),
    "near-the-bottom": ("card: [3.5in, 2in]\ncolumns: 2\nrows: 5\nmargin_left: 0.75in\n"
                        "margin_top: 0.9in\n", "1/4 in"),
    "near-the-right": ("card: [3.5in, 2in]\ncolumns: 2\nrows: 5\nmargin_left: 1.3in\n"
                       "margin_top: 0.5in\n", "1/4 in"),
}


@pytest.mark.parametrize("name", sorted(BAD_STOCKS))
def test_load_sheets_rejects_a_stock_that_does_not_fit_the_printable_sheet(
        tmp_path: Path, name: str) -> None:
    body, message = BAD_STOCKS[name]
    folder = tmp_path / "templates" / "sheets"
    folder.mkdir(parents=True)
    (folder / f"{name}.yaml").write_text(f"description: bad\npaper: letter\n{body}",
                                         encoding="utf-8")
    with pytest.raises(MakeprintError) as caught:
        load_sheets(folder, tmp_path)
    text = str(caught.value)
    assert message in text and f"{name}.yaml" in text, text


def test_a_new_stock_is_data_not_code(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "sheets"
    folder.mkdir(parents=True)
    (folder / "my-stock.yaml").write_text(
        "description: mine\npaper: a4\ncard: [85mm, 54mm]\ncolumns: 2\nrows: 5\n"
        "margin_left: 15mm\nmargin_top: 13.5mm\ngutter_x: 10mm\ngutter_y: 0mm\n",
        encoding="utf-8")
    sheet = load_sheets(folder, tmp_path)["my-stock"]
    assert card_positions(sheet)[1] == pytest.approx((110.0, 13.5))
    assert card_positions(sheet, back=True)[0] == pytest.approx((110.0, 13.5))


# --- builds ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def office(built: Path) -> Path:
    """The office build of the sample project (the session's shared ``built`` fixture)."""
    return built / "output"


@pytest.fixture(scope="module")
def press(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project built once with ``--profile press`` (read-only for tests)."""
    root = copy_project(tmp_path_factory.mktemp("press") / "proj")
    out = root / "press"
    result = run_cli("build", "--project", str(root), "--profile", "press", "-o", str(out),
                     "-j", "2", "-q")
    assert result.exit_code == 0, result.output
    return out


def build(root: Path, out: Path, *args: str) -> Path:
    result = run_cli("build", "--project", str(root), "-o", str(out), "-j", "1", "-q", *args)
    assert result.exit_code == 0, result.output
    return out


def pdfs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.pdf"))}


# --- page boxes ------------------------------------------------------------------------------


def test_office_single_pages_are_exactly_the_trim(office: Path) -> None:
    for entry in files_of(office, "single"):
        width, height = SIZE_OF_SIZE.get(str(entry.get("size")),
                                         MATERIAL_SIZE[str(entry["material"])])
        with pikepdf.open(office / str(entry["path"])) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                where = f"{entry['path']} page {number}"
                media = floats(page.mediabox)
                assert close(media, (0, 0, width, height)), f"{where}: MediaBox {media}"
                assert close(floats(page.trimbox), media), f"{where}: TrimBox"
                bleed = floats(page.obj.get("/BleedBox", page.mediabox))
                assert close(bleed, media), f"{where}: BleedBox {bleed} larger than the trim"


def test_office_card_sheets_are_letter_pages(office: Path) -> None:
    for entry in card_sheets(office):
        assert entry["material"] == "wallet-card" and entry["pages"] == 2
        with pikepdf.open(office / str(entry["path"])) as pdf:
            assert len(pdf.pages) == 2
            for page in pdf.pages:
                assert close(floats(page.mediabox), (0, 0, 612, 792))


def check_press_boxes(out: Path, bleed_pt: float, sizes: dict[str, tuple[float, float]]) -> None:
    for entry in files_of(out, "press"):
        width, height = SIZE_OF_SIZE.get(str(entry.get("size")), sizes[str(entry["material"])])
        assert str(entry["path"]).endswith("-press.pdf")
        with pikepdf.open(out / str(entry["path"])) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                where = f"{entry['path']} page {number}"
                trim = floats(page.trimbox)
                assert close((trim[2] - trim[0], trim[3] - trim[1]), (width, height)), (
                    f"{where}: TrimBox {trim} is not the finished size {width} × {height}")
                bleed = floats(page.bleedbox)
                expected = (trim[0] - bleed_pt, trim[1] - bleed_pt, trim[2] + bleed_pt,
                            trim[3] + bleed_pt)
                assert close(bleed, expected), f"{where}: BleedBox {bleed}, expected {expected}"
                media = floats(page.mediabox)
                # room for marks: they start 3 pt beyond the bleed and are 18 pt long
                assert media[0] <= bleed[0] - 21 and media[1] <= bleed[1] - 21, where
                assert media[2] >= bleed[2] + 21 and media[3] >= bleed[3] + 21, where
                crop = floats(page.obj.get("/CropBox", page.mediabox))
                assert close(crop, media), f"{where}: CropBox {crop} hides the marks"


def test_press_boxes(press: Path) -> None:
    check_press_boxes(press, LETTER_BLEED_PT, MATERIAL_SIZE)
    assert {e["variant"] for e in entries(press)} == {"press"}, "press makes no card sheets"


def test_press_bleed_option(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    out = build(root, tmp_path / "out", "--profile", "press", "--bleed", "5", "-l",
                "east-harbor", "--lang", "en", "-m", "wallet-card")
    check_press_boxes(out, 5 * PT, MATERIAL_SIZE)
    raster = Raster(out / "east-harbor" / "en" / "wallet-card-press.pdf", 0, 150)
    # the band still fills the (wider) bleed above the card
    assert is_colour(raster.at(126, 144 + 4.5 * PT), PRIMARY), "band does not fill a 5 mm bleed"


@pytest.mark.slow
def test_a4_organization_gets_a4_sizes_bleed_and_sheet(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    org = root / "content" / "organization.yaml"
    text = org.read_text(encoding="utf-8")
    assert "paper: letter" in text
    org.write_text(text.replace("paper: letter", "paper: a4"), encoding="utf-8")
    result = run_cli("list", "--project", str(root))
    assert "a4-10up-85x55" in result.output and "(default)" in result.output
    default_line = next(line for line in result.output.splitlines() if "(default)" in line)
    assert "a4-10up-85x55" in default_line, result.output

    sizes = {"wallet-card": (85 * PT, 55 * PT), "pamphlet": (297 * PT, 210 * PT)}
    office_out = build(root, tmp_path / "office", "-l", "east-harbor", "--lang", "en",
                       "-m", "wallet-card", "-m", "pamphlet")
    for entry in files_of(office_out, "single"):
        width, height = sizes[str(entry["material"])]
        with pikepdf.open(office_out / str(entry["path"])) as pdf:
            for page in pdf.pages:
                assert close(floats(page.mediabox), (0, 0, width, height)), entry["path"]
    sheet_path = office_out / "east-harbor" / "en" / "wallet-card-sheet.pdf"
    with pikepdf.open(sheet_path) as pdf:
        for page in pdf.pages:
            assert close(floats(page.mediabox), (0, 0, 210 * PT, 297 * PT)), "not an A4 sheet"
    a4 = load_sheets(REPO / "templates" / "sheets", REPO)["a4-10up-85x55"]
    fronts, backs = sheet_page_cards(sheet_path)
    assert_positions(fronts, card_positions(a4), 0.05, "a4 sheet fronts")
    assert_positions(backs, card_positions(a4, back=True), 0.05, "a4 sheet backs")

    press_out = build(root, tmp_path / "press", "--profile", "press", "-l", "east-harbor",
                      "--lang", "en", "-m", "wallet-card")
    check_press_boxes(press_out, 3 * PT, sizes)


# --- the card sheet --------------------------------------------------------------------------


def test_sheet_places_cards_on_the_avery_8371_template(office: Path) -> None:
    """From the content stream: each card's trim box lands on its template position."""
    template_backs = [(215.9 - x - AVERY_CARD[0], y) for x, y in AVERY_POSITIONS]
    for entry in card_sheets(office):
        path = office / str(entry["path"])
        fronts, backs = sheet_page_cards(path)
        assert_positions(fronts, AVERY_POSITIONS, 0.5, f"{entry['path']} fronts (Avery 8371)")
        assert_positions(backs, template_backs, 0.5, f"{entry['path']} backs (mirrored)")
        with pikepdf.open(path) as pdf:
            forms = []
            for page in pdf.pages:
                names = {name for name, _ in Drawing(page).placements}
                assert len(names) == 1, f"{path.name}: one card side per page, not {names}"
                form = page.Resources.XObject[names.pop()]
                # clipped to the card's trim: nothing spills onto the neighbouring card
                assert close(floats(form.BBox), (0, 0, 252, 144)), floats(form.BBox)
                forms.append(form.read_bytes())
            assert forms[0] != forms[1], f"{path.name}: the same side on both pages"


def band_edges(raster: Raster, positions: list[tuple[float, float]], sheet: Sheet) -> None:
    """The teal band along the top of every card starts 1/16 in inside the card's top and side
    edges (within 0.3 mm), walking in from each cut line: an off cut leaves no sliver of colour
    on the next card."""
    step = 1 / (raster.scale * PT)  # one pixel, in mm
    inset = CUT_INSET_MM

    for i, (x, y) in enumerate(positions):
        top = y  # walk down from the card's top cut, near its left edge
        while top < y + 4.0 and not is_colour(raster.at_mm(x + 3.0, top), PRIMARY):
            top += step
        assert abs(top - (y + inset)) <= 0.3, (
            f"card {i + 1}: band top at {top:.2f} mm, card top {y:.2f} + 1/16 in")
        row = y + inset + 1.5
        left = x
        while left < x + 4.0 and not is_colour(raster.at_mm(left, row), PRIMARY):
            left += step
        assert abs(left - (x + inset)) <= 0.3, (
            f"card {i + 1}: band left at {left:.2f}, card {x:.2f} + 1/16 in")
        right_edge = x + sheet.card_w
        right = right_edge
        while right > right_edge - 4.0 and not is_colour(raster.at_mm(right, row), PRIMARY):
            right -= step
        assert abs(right - (right_edge - inset)) <= 0.3, (
            f"card {i + 1}: band right at {right:.2f} mm, card right {right_edge:.2f} - 1/16 in")


def check_backs(sheet_pdf: Path, single_pdf: Path, sheet: Sheet, url: str) -> None:
    """Every back position holds one QR code for ``url``, where the card's own back has it."""
    reference = Raster(single_pdf, 1, 300)
    codes = qr_codes(reference.image)
    assert len(codes) == 1 and codes[0].text == url
    ref = qr_bounds(codes[0])
    back = Raster(sheet_pdf, 1, 300)
    mm_per_px = 1 / (back.scale * PT)
    for i, (x, y) in enumerate(card_positions(sheet, back=True)):
        crop = back.crop_mm(x, y, sheet.card_w, sheet.card_h)
        found = qr_codes(crop)
        assert [r.text for r in found] == [url], (
            f"{sheet_pdf.name}: back of card {i + 1} at ({x:.2f}, {y:.2f}) mm decodes {found}")
        offset = [(a - b) * mm_per_px for a, b in zip(qr_bounds(found[0]), ref, strict=True)]
        assert max(abs(v) for v in offset) <= 0.5, (
            f"{sheet_pdf.name}: back of card {i + 1} is off its position by {offset} mm")


@pytest.mark.slow
def test_every_back_on_the_sheet_decodes_behind_its_front(office: Path) -> None:
    sheet = avery()
    for entry in card_sheets(office):
        path = office / str(entry["path"])
        check_backs(path, path.with_name("wallet-card.pdf"), sheet, str(entry["qr_url"]))
        fronts = Raster(path, 0, 300)
        band_edges(fronts, card_positions(sheet), sheet)
        for i, (x, y) in enumerate(card_positions(sheet)):
            # each front has its band at the top and white body below it
            assert is_colour(fronts.at_mm(x + 44.45, y + 2.5), PRIMARY), f"front {i + 1}"
            assert fronts.at_mm(x + 1.0, y + 48.0) == (255, 255, 255), f"front {i + 1}"


@pytest.fixture(scope="module")
def lopsided(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Sheet, str]:
    """A wallet-card sheet on a stock with unequal side margins (1/2 in left, 1 in right)."""
    tmp = tmp_path_factory.mktemp("lopsided")
    root = copy_project(tmp / "proj")
    (root / "templates" / "sheets" / "lopsided.yaml").write_text(
        "description: half-inch left margin, one inch right\npaper: letter\n"
        "card: [3.5in, 2in]\ncolumns: 2\nrows: 5\nmargin_left: 0.5in\nmargin_top: 0.5in\n",
        encoding="utf-8")
    out = build(root, tmp / "out", "--sheet", "lopsided", "-l", "east-harbor", "--lang", "en",
                "-m", "wallet-card")
    sheet = load_sheets(root / "templates" / "sheets", root)["lopsided"]
    url = str(card_sheets(out)[0]["qr_url"])
    return out / "east-harbor" / "en" / "wallet-card-sheet.pdf", sheet, url


def test_duplex_mirroring_on_a_lopsided_stock(lopsided: tuple[Path, Sheet, str]) -> None:
    """On the symmetric Avery layout a back that is not mirrored still lands on a card; on
    a stock with unequal side margins it would not. Every back must sit behind its front."""
    path, sheet, url = lopsided
    fronts, backs = sheet_page_cards(path)
    assert_positions(fronts, card_positions(sheet), 0.05, "lopsided fronts")
    assert_positions(backs, card_positions(sheet, back=True), 0.05, "lopsided backs")
    # the back of card i (front at x) is at sheet width − x − card width, in the same row
    for (fx, fy), (bx, by) in zip(fronts, backs, strict=True):
        assert bx == pytest.approx(215.9 - fx - 88.9, abs=0.05) and by == pytest.approx(fy)
    check_backs(path, path.with_name("wallet-card.pdf"), sheet, url)
    band_edges(Raster(path, 0, 300), card_positions(sheet), sheet)


# --- cut guides and the printable area --------------------------------------------------------


def check_guides(path: Path, sheet: Sheet) -> list[list[tuple[float, float, float, float]]]:
    """Cut guides drawn on each sheet page (mm from the top left): faint, off every card on
    that page, and at least 1/4 in from the sheet's edge."""
    width, height = sheet.width * PT, sheet.height * PT
    pages = []
    with pikepdf.open(path) as pdf:
        for side, page in enumerate(pdf.pages):
            drawing = Drawing(page)
            assert drawing.segments, f"page {side + 1}: no cut guides on the sheet"
            assert drawing.grey and all(0.4 <= g < 1 for g in drawing.grey), (
                f"cut guides should be faint grey, not {drawing.grey}")
            cards = rects(sheet, back=bool(side))
            segments = []
            for (x1, y1), (x2, y2) in drawing.segments:
                segment = (x1 / PT, (height - y1) / PT, x2 / PT, (height - y2) / PT)
                segments.append(segment)
                for rect in cards:
                    assert not crosses(segment, rect, 0.3), (
                        f"{path.name} page {side + 1}: cut guide {segment} mm runs over the card "
                        f"at {rect} mm")
                xs, ys = (segment[0], segment[2]), (segment[1], segment[3])
                assert min(xs) >= OFFICE_MARGIN_MM - 0.01, segment
                assert max(xs) <= width / PT - OFFICE_MARGIN_MM + 0.01, segment
                assert min(ys) >= OFFICE_MARGIN_MM - 0.01, segment
                assert max(ys) <= height / PT - OFFICE_MARGIN_MM + 0.01, segment
            pages.append(segments)
    return pages


def test_cut_guides_on_the_sheet_pages_stay_off_the_cards(office: Path) -> None:
    for entry in card_sheets(office):
        for segments in check_guides(office / str(entry["path"]), avery()):
            xs = {round(s[0] * PT, 1) for s in segments if s[0] == s[2]}
            ys = {round(s[1] * PT, 1) for s in segments if s[1] == s[3]}
            assert xs == {54.0, 306.0, 558.0}, f"vertical guides at {xs} pt"
            assert ys == {36.0 + 144 * r for r in range(6)}, f"horizontal guides at {ys} pt"


def test_cut_guides_on_a_lopsided_stock_stay_off_the_cards(
        lopsided: tuple[Path, Sheet, str]) -> None:
    path, sheet, _ = lopsided
    check_guides(path, sheet)


def office_pages(office: Path) -> Iterator[tuple[str, Path, int]]:
    for entry in entries(office):
        if entry["material"] in ("pamphlet", "flyer") or entry["variant"] == "sheet":
            for index in range(int(entry["pages"])):  # type: ignore[call-overload]
                yield str(entry["path"]), office / str(entry["path"]), index


@pytest.mark.slow
def test_no_ink_within_a_quarter_inch_of_the_sheet_edge_in_office(office: Path) -> None:
    dpi = 150
    margin = int(OFFICE_MARGIN_MM / IN * dpi)  # whole pixels entirely inside the margin
    checked = 0
    for name, path, index in office_pages(office):
        ink = ink_mask(render(path, index, dpi)[0])
        w, h = ink.size
        for side, box in {"top": (0, 0, w, margin), "bottom": (0, h - margin, w, h),
                          "left": (0, 0, margin, h), "right": (w - margin, 0, w, h)}.items():
            found = ink.crop(box).getbbox()
            assert found is None, (
                f"{name} page {index + 1}: ink within 1/4 in of the {side} edge, pixels {found} "
                f"of {box} at {dpi} dpi")
        checked += 1
    assert checked >= 5, f"only {checked} pages checked"


def render_region(path: Path, index: int, box_mm: tuple[float, float, float, float],
                  dpi: float) -> Image.Image:
    """A small part of a page (left, top, right, bottom in mm from the top left), finely."""
    doc = pypdfium2.PdfDocument(str(path))
    try:
        page = doc[index]
        width, height = page.get_size()
        left, top, right, bottom = (v * PT for v in box_mm)
        crop = (left, height - bottom, width - right, top)  # points cut off each side
        return page.render(scale=dpi / 72, crop=crop).to_pil().convert("RGB")
    finally:
        doc.close()


def test_office_pamphlet_has_fold_guides_at_the_folds(office: Path) -> None:
    path = output_file(office, "east-harbor", "en", "pamphlet.pdf")
    guide_mm = 1.0  # 1 mm long, starting 1/4 in from the sheet edge

    def has_guide(index: int, x: float, y: float) -> bool:
        region = render_region(path, index, (x - 0.6, y - 0.15, x + 0.6, y + 0.15), 1200)
        colours = region.getcolors(region.width * region.height) or []
        return any(is_colour(colour, GUIDE, 12) for _, colour in colours)

    for index, side in enumerate(("outside", "inside")):
        for fold in fold_positions("letter", side):
            for y in (OFFICE_MARGIN_MM + guide_mm / 2, 215.9 - OFFICE_MARGIN_MM - guide_mm / 2):
                assert has_guide(index, fold, y), (
                    f"pamphlet {side}: no fold guide at x = {fold} mm, y = {y:.1f} mm")
            assert not has_guide(index, fold, 108), (
                f"pamphlet {side}: the fold guide at {fold} mm runs across the page")
            assert not has_guide(index, fold, OFFICE_MARGIN_MM - 1), (
                f"pamphlet {side}: the fold guide at {fold} mm starts in the unprintable margin")


# --- press marks and bleed -------------------------------------------------------------------


def near_ink(raster: Raster, x: float, y: float, vertical: bool) -> bool:
    """A dark pixel on a thin line through (x, y), allowing a pixel of rounding across it."""
    for d in (-0.4, -0.2, 0.0, 0.2, 0.4):
        point = (x + d, y) if vertical else (x, y + d)
        if is_ink(raster.at(*point)):
            return True
    return False


@pytest.mark.slow
def test_press_crop_marks_sit_outside_the_bleed(press: Path) -> None:
    """Rasters of one location in a left-to-right and a right-to-left language; the content
    streams of every file."""
    for entry in files_of(press, "press"):
        path = press / str(entry["path"])
        with pikepdf.open(path) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                bleed_box = floats(page.bleedbox)
                outside = [s for s in Drawing(page).segments
                           if all(not (bleed_box[0] < x < bleed_box[2]
                                       and bleed_box[1] < y < bleed_box[3]) for x, y in s)]
                assert len(outside) >= 8, (
                    f"{entry['path']} page {number}: {len(outside)} line(s) in the slug")
        if entry["location"] != "east-harbor" or entry["lang"] not in ("en", "ar"):
            continue
        with pikepdf.open(path) as pdf:
            boxes = [(floats(p.trimbox), floats(p.bleedbox)) for p in pdf.pages]
        for index, (trim, bleed_box) in enumerate(boxes):
            where = f"{entry['path']} page {index + 1}"
            raster = Raster(path, index, 288)
            x0, y0, x1, y1 = trim
            bleed = x0 - bleed_box[0]
            mid = bleed + 3 + 9  # the middle of an 18 pt mark starting 3 pt beyond the bleed
            gap = bleed + 1.5  # between the bleed's edge and the mark: paper
            for x in (x0, x1):
                for y, out in ((y0, -1), (y1, 1)):
                    assert near_ink(raster, x, y + out * mid, True), f"{where}: no mark at {x}"
                    assert not near_ink(raster, x, y + out * gap, True), (
                        f"{where}: the vertical mark at x = {x} reaches into the bleed")
            for y in (y0, y1):
                for x, out in ((x0, -1), (x1, 1)):
                    assert near_ink(raster, x + out * mid, y, False), f"{where}: no mark at {y}"
                    assert not near_ink(raster, x + out * gap, y, False), (
                        f"{where}: the horizontal mark at y = {y} reaches into the bleed")


def test_press_marks_are_drawn_in_default_user_space(press: Path) -> None:
    """The marks' stream is appended after WeasyPrint's; it must not inherit its transform."""
    path = press / "east-harbor" / "en" / "pamphlet-press.pdf"
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            ctm = Drawing(page).stream_ctm[-1]
            assert close(ctm, IDENTITY, 1e-9), (
                f"page {number}: the crop-mark stream runs under the transform {ctm} left by "
                "the page's first content stream (its opening 'cm' is not inside q … Q); the "
                "marks land right only because they are symmetric top/bottom")


def test_office_files_have_no_marks_outside_the_trim(office: Path) -> None:
    for entry in files_of(office, "single"):
        with pikepdf.open(office / str(entry["path"])) as pdf:
            for page in pdf.pages:
                x0, y0, x1, y1 = floats(page.trimbox)
                assert close(floats(page.mediabox), (x0, y0, x1, y1))
                for segment in Drawing(page).segments:
                    for x, y in segment:
                        assert x0 - 0.01 <= x <= x1 + 0.01 and y0 - 0.01 <= y <= y1 + 0.01, (
                            f"{entry['path']}: a line reaches ({x:.1f}, {y:.1f}) outside the trim")


@pytest.mark.parametrize(("index", "side"), [(0, "outside"), (1, "inside")])
def test_press_pamphlet_has_fold_marks_at_the_folds(press: Path, index: int, side: str) -> None:
    expected_in = {"outside": [3.625, 7.3125], "inside": [3.6875, 7.375]}[side]
    path = press / "east-harbor" / "en" / "pamphlet-press.pdf"
    with pikepdf.open(path) as pdf:
        x0, y0, x1, y1 = floats(pdf.pages[index].trimbox)
    raster = Raster(path, index, 288)
    first_dash = LETTER_BLEED_PT + 3 + 1.5  # dashes of 3 pt start 3 pt beyond the bleed
    for y in (y1 + first_dash, y0 - first_dash):
        hits = []
        x = x0 + 6
        while x < x1 - 6:  # between the crop marks at the trim's corners
            if is_ink(raster.at(x, y)):
                hits.append(x - x0)
            x += 0.25
        found = sorted({round(h / 72, 2) for h in hits})
        assert found, f"pamphlet {side}: no fold marks at y = {y}"
        for h in hits:
            assert any(abs(h / 72 - f) < 0.02 for f in expected_in), (
                f"pamphlet {side}: a mark at {h / 72:.3f} in, folds are at {expected_in} in")
        for f in expected_in:
            assert any(abs(h / 72 - f) < 0.02 for h in hits), (
                f"pamphlet {side}: no fold mark at {f} in from the trim's left (found {found})")
    # dashed: along the mark, paper shows between the dashes
    column = [is_ink(raster.at(x0 + expected_in[0] * 72, y1 + LETTER_BLEED_PT + 3 + t / 4))
              for t in range(0, 72)]
    assert any(column) and not all(column), "the fold mark should be dashed"


def test_press_backgrounds_reach_into_the_bleed(press: Path) -> None:
    half = LETTER_BLEED_PT / 2
    wallet = Raster(press / "east-harbor" / "en" / "wallet-card-press.pdf", 0, 150)
    for x in (-half, 20, 126, 232, 252 + half):
        pixel = wallet.at(x, 144 + half)
        assert is_colour(pixel, PRIMARY), f"wallet card: bleed above the band at x = {x}: {pixel}"
    for y in (144 - 5, 144 + half):
        assert is_colour(wallet.at(-half, y), PRIMARY), "band does not reach the left bleed"
        assert is_colour(wallet.at(252 + half, y), PRIMARY), "band does not reach the right bleed"

    pamphlet = Raster(press / "east-harbor" / "en" / "pamphlet-press.pdf", 0, 150)
    cover_left = 7.3125 * 72
    cover = {"top": [(x, 612 + half) for x in (cover_left + 10, 660, 780)],
             "right": [(792 + half, y) for y in (10, 306, 600)],
             "bottom": [(x, -half) for x in (cover_left + 10, 660, 780)],
             "corners": [(792 + half, 612 + half), (792 + half, -half)]}
    for where, points in cover.items():
        for x, y in points:
            pixel = pamphlet.at(x, y)
            assert is_colour(pixel, PRIMARY), f"pamphlet cover: {where} bleed at {(x, y)}: {pixel}"
    flap = [(-half, 306), (100, 612 + half), (100, -half)]
    for x, y in flap:
        assert is_colour(pamphlet.at(x, y), FLAP), f"pamphlet flap tint at {(x, y)}"

    flyer = Raster(press / "east-harbor" / "en" / "flyer-press.pdf", 0, 150)
    for x, y in ((306, 792 + half), (-half, 760), (612 + half, 760)):
        assert is_colour(flyer.at(x, y), PRIMARY), f"flyer headline band at {(x, y)}"
    # …and stop at the bleed's edge: the slug beyond holds only the marks
    for raster, (w, h) in ((wallet, (252, 144)), (pamphlet, (792, 612)), (flyer, (612, 792))):
        for x, y in ((w / 2, h + LETTER_BLEED_PT + 1.5), (w + LETTER_BLEED_PT + 1.5, h / 2),
                     (w / 3, -LETTER_BLEED_PT - 1.5), (-LETTER_BLEED_PT - 1.5, h / 3)):
            assert raster.at(x, y) == (255, 255, 255), f"colour beyond the bleed at {(x, y)}"


# --- safe zone -------------------------------------------------------------------------------


def single_files(out: Path) -> list[dict[str, object]]:
    return [e for e in entries(out) if e["variant"] in ("single", "press")]


@pytest.mark.parametrize("profile", ["office", "press"])
def test_no_text_within_an_eighth_inch_of_the_trim(
        request: pytest.FixtureRequest, profile: str) -> None:
    out: Path = request.getfixturevalue(profile)
    too_close = []
    checked = 0
    for entry in single_files(out):
        path = out / str(entry["path"])
        with pikepdf.open(path) as pdf:
            trims = [floats(p.trimbox) for p in pdf.pages]
        doc = pypdfium2.PdfDocument(str(path))
        try:
            for index, page in enumerate(doc):
                x0, y0, x1, y1 = trims[index]
                text = page.get_textpage()
                for i in range(text.count_chars()):
                    char = text.get_text_range(i, 1)
                    left, bottom, right, top = text.get_charbox(i)
                    if not char.strip() or right <= left or top <= bottom:
                        continue
                    checked += 1
                    gap = min(left - x0, bottom - y0, x1 - right, y1 - top)
                    if gap < SAFE_PT - 0.01:
                        too_close.append(f"{entry['path']} p{index + 1} {char!r} {gap:.2f} pt")
        finally:
            doc.close()
    assert checked > 10000
    worst = sorted(too_close, key=lambda s: float(s.split()[-2]))
    assert not too_close, (
        f"{len(too_close)} character(s) closer than {SAFE_PT} pt to the trim, e.g. "
        + "; ".join(worst[:8]))


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["office", "press"])
def test_qr_modules_stay_inside_the_safe_zone(
        request: pytest.FixtureRequest, profile: str) -> None:
    out: Path = request.getfixturevalue(profile)
    dpi = 150
    tolerance = 72 / dpi  # one pixel of the decoder's corner estimate
    for entry in single_files(out):
        path = out / str(entry["path"])
        index = QR_PAGE[str(entry["material"])]
        raster = Raster(path, index, dpi)
        with pikepdf.open(path) as pdf:
            x0, y0, x1, y1 = floats(pdf.pages[index].trimbox)
        codes = qr_codes(raster.image)
        assert [c.text for c in codes] == [entry["qr_url"]], f"{entry['path']}: {codes}"
        left, top, right, bottom = (v / raster.scale for v in qr_bounds(codes[0]))
        media = raster.media
        gaps = {"left": media[0] + left - x0, "right": x1 - (media[0] + right),
                "top": y1 - (media[3] - top), "bottom": (media[3] - bottom) - y0}
        for side, gap in gaps.items():
            assert gap >= SAFE_PT - tolerance, (
                f"{entry['path']}: QR modules {gap:.2f} pt from the trim's {side} edge")


# --- file integrity and PDF flavours ---------------------------------------------------------


@pytest.mark.parametrize("profile", ["office", "press"])
def test_qpdf_check_is_clean(request: pytest.FixtureRequest, profile: str) -> None:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (./dev test installs it)")
    out: Path = request.getfixturevalue(profile)
    files = sorted(out.rglob("*.pdf"))
    assert len(files) == len(entries(out)), "every file in the manifest, and only those"
    for path in files:
        done = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, f"{path.relative_to(out)}: {done.stdout}{done.stderr}"
        assert "No syntax or stream encoding errors" in done.stdout, done.stdout


@pytest.mark.parametrize("profile", ["office", "press"])
def test_pdfs_are_tagged_with_language_title_and_alt_text(
        request: pytest.FixtureRequest, profile: str) -> None:
    out: Path = request.getfixturevalue(profile)
    from makeprint_engine import load_project
    from makeprint_engine.qr import display_url

    project = load_project(out.parent)  # the very project copy that was built
    intake = {loc.slug: display_url(loc.intake_url) for loc in project.locations}
    names = {loc.slug: loc.name for loc in project.locations}
    # A directory: titled with the organization, its QR code opens the locations page.
    for name in project.directories:
        intake[name] = display_url(str(project.organization.directory_url))
        names[name] = project.organization.name
    for entry in single_files(out):
        where = str(entry["path"])
        with pikepdf.open(out / where) as pdf:
            assert "/StructTreeRoot" in pdf.Root, f"{where} is not tagged"
            assert str(pdf.Root.Lang) == entry["lang"], f"{where}: /Lang {pdf.Root.Lang}"
            assert bool(pdf.Root.MarkInfo.Marked) is True, where
            subject = str(entry.get("location", entry.get("directory")))
            assert names[subject] in str(pdf.docinfo.Title), where
            assert 'pdfuaid:part="1"' in pdf.Root.Metadata.read_bytes().decode(), where
            figures = [alt for kind, alt in structure(pdf) if kind == "/Figure"]
            qr = [alt for alt in figures if alt and intake[subject] in alt]
            assert len(qr) == 1, f"{where}: no QR figure whose /Alt names the intake: {figures}"
            if entry["material"] in ("pamphlet", "flyer"):
                assert project.organization.name in figures, f"{where}: logo /Alt {figures}"
            assert all(figures), f"{where}: a figure without /Alt: {figures}"


def test_card_sheet_keeps_language_and_title(office: Path) -> None:
    for entry in card_sheets(office):
        with pikepdf.open(office / str(entry["path"])) as pdf:
            assert str(pdf.Root.Lang) == entry["lang"]
            assert "card sheet" in str(pdf.docinfo.Title)


def test_no_tags_option(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    out = build(root, tmp_path / "out", "--no-tags", "-l", "east-harbor", "--lang", "es",
                "-m", "wallet-card")
    with pikepdf.open(out / "east-harbor" / "es" / "wallet-card.pdf") as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert str(pdf.Root.Lang) == "es"


# --- determinism -----------------------------------------------------------------------------


def assert_same_files(first: Path, second: Path, expected: int) -> None:
    a, b = pdfs(first), pdfs(second)
    assert len(b) == expected, sorted(b)
    differ = [name for name in b if a.get(name) != b[name]]
    assert not differ, f"not byte-for-byte the same on a second build: {differ}"


@pytest.mark.slow
def test_office_build_is_byte_for_byte_repeatable(office: Path, tmp_path: Path) -> None:
    # The session build ran in worker processes; this one renders in this process.
    again = build(office.parent, tmp_path / "again", "-l", "east-harbor", "--lang", "en",
                  "--lang", "ar")
    assert_same_files(office, again, 16)  # two languages: 6 documents, 2 sheets


@pytest.mark.slow
def test_press_build_is_byte_for_byte_repeatable(press: Path, tmp_path: Path) -> None:
    again = build(press.parent, tmp_path / "again", "--profile", "press", "-l",
                  "east-harbor", "--lang", "en")
    assert_same_files(press, again, 4)


@pytest.mark.slow
# WeasyPrint 70 leaves its sRGB profile file open when it writes PDF/A (not makeprint's doing)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_pdf_a_variant_is_archival_and_repeatable(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    args = ("--pdf-variant", "pdf/a-3b", "-l", "east-harbor", "--lang", "en", "-m",
            "wallet-card", "-m", "flyer")
    first = build(root, tmp_path / "one", *args)
    second = build(root, tmp_path / "two", *args)
    assert_same_files(first, second, 3)
    for entry in files_of(first, "single"):
        with pikepdf.open(first / str(entry["path"])) as pdf:
            xmp = pdf.Root.Metadata.read_bytes().decode()
            assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp, xmp[:600]
            assert "/OutputIntents" in pdf.Root, "PDF/A needs an output intent"


@pytest.mark.slow
def test_source_date_epoch_dates_the_pdfs_and_builds_still_repeat(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    root = copy_project(tmp_path / "proj")
    for profile in ("office", "press"):
        args = ("--profile", profile, "-l", "mobile-outreach", "--lang", "es", "-m",
                "wallet-card")
        first = build(root, tmp_path / f"{profile}-1", *args)
        second = build(root, tmp_path / f"{profile}-2", *args)
        assert_same_files(first, second, 2 if profile == "office" else 1)
        for entry in single_files(first):
            with pikepdf.open(first / str(entry["path"])) as pdf:
                created = str(pdf.docinfo.get("/CreationDate", ""))
                assert created.startswith("D:20231114"), f"{entry['path']}: {created!r}"


# --- command line ----------------------------------------------------------------------------


def test_list_shows_the_sheet_stocks(project: Path) -> None:
    result = run_cli("list", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "Sheet stocks" in result.output
    lines = result.output.splitlines()
    avery_line = next(line for line in lines if "avery-8371" in line)
    assert "8371" in avery_line and "(default)" in avery_line  # the sample is a letter org
    assert any("a4-10up-85x55" in line and "(default)" not in line for line in lines)


def test_unknown_sheet_lists_the_stocks(project: Path) -> None:
    result = run_cli("build", "--project", str(project), "--sheet", "no-such")
    assert result.exit_code == 1, result.output
    assert 'no sheet stock named "no-such"' in result.output, result.output
    assert "avery-8371" in result.output and "a4-10up-85x55" in result.output, result.output
    assert not list((project / "output").rglob("*.pdf")), "nothing is built for a wrong stock"


def test_a_sheet_for_other_cards_is_refused_clearly(project: Path) -> None:
    result = run_cli("build", "--project", str(project), "--sheet", "a4-10up-85x55", "-l",
                     "east-harbor", "--lang", "en", "-m", "wallet-card", "-j", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output, result.output
    assert "a4-10up-85x55" in result.output, result.output
    assert "85 × 55 mm" in result.output and "88.9 × 50.8 mm" in result.output, result.output
