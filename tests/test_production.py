"""Production details (issue 18): colour clear of folds and cuts, fold guides, the cover footer.

Each test renders the documents it needs in this process (a warm ``Renderer`` per project and
profile) and reads them as a printer would: rasters (pypdfium2) in millimetres from the trim's
top left, and the text the PDF draws (pypdf, pypdfium2 character boxes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2
import pytest
from conftest import copy_project, pdf_text_runs, run_cli
from PIL import Image, ImageChops

from makeprint_engine import Options, load_project
from makeprint_engine.geometry import (
    MM_PER_IN,
    OFFICE_MARGIN_MM,
    card_positions,
    fold_positions,
)
from makeprint_engine.plan import Job
from makeprint_engine.render import Renderer

PT = 72 / MM_PER_IN  # points per millimetre
DPI = 300
SLUG = "east-harbor"
PRIMARY = (0x0B, 0x55, 0x63)  # colors.primary in content/organization.yaml
FLAP = (0xFD, 0xF3, 0xE3)  # the pamphlet flap's tint (templates/styles/pamphlet.css)
GUIDE = (0x8A, 0x90, 0x96)  # office fold guides (templates/styles/base.css)
SIXTEENTH = MM_PER_IN / 16  # colour stays this far from a fold and, in office, a cut
TOL_MM = 0.15  # about two pixels at 300 dpi: anti-aliasing at a colour's edge


def is_colour(pixel: tuple[int, ...], colour: tuple[int, int, int], tol: int = 14) -> bool:
    return all(abs(p - c) <= tol for p, c in zip(pixel[:3], colour, strict=True))


def coloured(pixel: tuple[int, ...]) -> bool:
    """Anything a reader would see as a tint on white paper (the flap's cream included)."""
    return min(pixel[:3]) < 240


class Page:
    """One rendered page, addressed in mm from its trim's top left (press pages carry bleed)."""

    def __init__(self, pdf: Path, index: int, dpi: float = DPI) -> None:
        doc = pypdfium2.PdfDocument(str(pdf))
        try:
            self.image = doc[index].render(scale=dpi / 72).to_pil().convert("RGB")
        finally:
            doc.close()
        with pikepdf.open(pdf) as opened:
            page = opened.pages[index]
            media = [float(v) for v in page.mediabox]
            trim = [float(v) for v in page.trimbox]
        self.px_per_mm = dpi / 72 * PT
        self.left = (trim[0] - media[0]) / PT  # mm of bleed and slug left of the trim
        self.top = (media[3] - trim[3]) / PT
        self.width = (trim[2] - trim[0]) / PT
        self.height = (trim[3] - trim[1]) / PT

    def box(self, left: float, top: float, right: float, bottom: float) -> Image.Image:
        s = self.px_per_mm
        return self.image.crop((round((self.left + left) * s), round((self.top + top) * s),
                                round((self.left + right) * s), round((self.top + bottom) * s)))

    def at(self, x: float, y: float) -> tuple[int, int, int]:
        s = self.px_per_mm
        return self.image.getpixel((int((self.left + x) * s), int((self.top + y) * s)))  # type: ignore[return-value]


def chromatic(pixel: tuple[int, ...]) -> bool:
    """A colour, not white and not the sheet's grey cut guides (which are meant to be there)."""
    return max(pixel[:3]) - min(pixel[:3]) > 6


def colours(image: Image.Image) -> list[tuple[int, int, int]]:
    return [c for _, c in image.getcolors(image.width * image.height) or []]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample project on Letter and a copy of it on A4."""
    letter = copy_project(tmp_path_factory.mktemp("letter") / "proj")
    a4 = copy_project(tmp_path_factory.mktemp("a4") / "proj")
    org = a4 / "content" / "organization.yaml"
    text = org.read_text(encoding="utf-8")
    assert "paper: letter" in text
    org.write_text(text.replace("paper: letter", "paper: a4"), encoding="utf-8")
    return {"letter": letter, "a4": a4}


documents: dict[Path, Any] = {}  # each PDF's laid-out WeasyPrint document


@pytest.fixture(scope="module")
def make(projects: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """make(paper, profile, lang, material) → the written PDF (and its card sheet, if any)."""
    folder = tmp_path_factory.mktemp("pdfs")
    renderers: dict[tuple[str, str, bool], Renderer] = {}

    def _make(paper: str, profile: str, lang: str, material: str,
              guides: bool = True) -> dict[str, Path]:
        key = (paper, profile, guides)
        if key not in renderers:
            renderers[key] = Renderer(load_project(projects[paper]),
                                      Options(profile=profile, guides=guides))
        rendered = renderers[key].render(Job(SLUG, lang, material, profile))
        assert rendered.ok, [str(p) for p in rendered.problems]
        assert rendered.pdf is not None
        stem = f"{paper}-{profile}-{lang}-{material}-{'guides' if guides else 'none'}"
        files = {"single": folder / f"{stem}.pdf"}
        files["single"].write_bytes(rendered.pdf)
        documents[files["single"]] = rendered.document
        for _, data, _, variant in rendered.extras:
            files[variant] = folder / f"{stem}-{variant}.pdf"
            files[variant].write_bytes(data)
        return files

    return _make


# --- the pamphlet's coloured panels and its folds --------------------------------------------


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("profile", ["office", "press"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_panel_colour_stops_a_sixteenth_short_of_each_fold(
        make, paper: str, profile: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """A fold up to 1/16 in off shows no colour on the neighbouring panel: between the fold
    and 1/16 in on either side of it, plain paper; beyond that, the panel's own colour."""
    page = Page(make(paper, profile, lang, "pamphlet")["single"], 0)
    rtl = lang == "ar"
    flap_fold, cover_fold = fold_positions(paper, "outside", mirrored=rtl)
    if rtl:  # mirrored: the cover is at the left, the flap at the right
        flap_fold, cover_fold = cover_fold, flap_fold
    # Rows clear of the office fold guides at the sheet's top and bottom edge.
    top, bottom = 12.0, page.height - 12.0
    for fold, colour, side, name in ((flap_fold, FLAP, -1, "flap"),
                                     (cover_fold, PRIMARY, 1, "cover")):
        side = -side if rtl else side  # which way from the fold the coloured panel lies
        near, far = sorted((fold + side * (SIXTEENTH - TOL_MM), fold - side * SIXTEENTH))
        strip = page.box(near, top, far, bottom)
        tinted = [c for c in colours(strip) if coloured(c)]
        assert not tinted, (
            f"{paper} {profile} {lang} pamphlet: colour {tinted[:3]} within 1/16 in of the "
            f"{name}'s fold at x = {fold:.2f} mm (from {near:.2f} to {far:.2f} mm)")
        inside = fold + side * (SIXTEENTH + 0.3)
        for y in (top, page.height / 2, bottom):
            assert is_colour(page.at(inside, y), colour), (
                f"{paper} {profile} {lang}: the {name} is not coloured 1/16 in + 0.3 mm from "
                f"its fold (x = {inside:.2f} mm, y = {y:.1f} mm): {page.at(inside, y)}")


# --- office fold guides ---------------------------------------------------------------------


def region(pdf: Path, index: int, box: tuple[float, float, float, float],
           dpi: float = 1200) -> Image.Image:
    """Part of an office page (left, top, right, bottom in mm from its top left), finely."""
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        page = doc[index]
        width, height = page.get_size()
        left, top, right, bottom = (v * PT for v in box)
        crop = (left, height - bottom, width - right, top)  # points cut off each side
        return page.render(scale=dpi / 72, crop=crop).to_pil().convert("RGB")
    finally:
        doc.close()


def guide_pixels(pdf: Path, index: int, fold: float, top: float,
                 bottom: float) -> list[tuple[float, float]]:
    """(x, y) in mm from the page's top left of the guide grey in a box around the fold."""
    image = region(pdf, index, (fold - 1.0, top, fold + 1.0, bottom))
    s = 1200 / MM_PER_IN
    return [(fold - 1.0 + (x + 0.5) / s, top + (y + 0.5) / s)
            for y in range(image.height) for x in range(image.width)
            if is_colour(image.getpixel((x, y)), GUIDE, 20)]  # type: ignore[arg-type]


def reading_area_mm(pdf: Path, index: int) -> tuple[float, float]:
    """How near the panels' content boxes (inside their padding: where text may go) come to
    the page's top and bottom edges, in mm, from the laid-out document."""
    page = documents[pdf].pages[index]
    px = MM_PER_IN / 96  # a CSS pixel in mm
    height = page.height * px
    tops, bottoms = [], []
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if getattr(box, "element_tag", None) == "article" and element is not None and (
                "panel" in (element.get("class") or "").split()):
            tops.append(box.content_box_y() * px)
            bottoms.append(height - (box.content_box_y() + box.height) * px)
    assert len(tops) >= 3, f"page {index + 1}: {len(tops)} panels found"
    return min(tops), min(bottoms)


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_office_fold_guides_are_hairlines_at_the_sheet_edge_clear_of_the_text(
        make, paper: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    pdf = make(paper, "office", lang, "pamphlet")["single"]
    height = Page(pdf, 0, 30).height
    for index, side in enumerate(("outside", "inside")):
        text_top, text_bottom = reading_area_mm(pdf, index)
        for fold in fold_positions(paper, side, mirrored=lang == "ar"):
            for edge in ("top", "bottom"):
                # from the sheet edge into the page, as far as the text
                if edge == "top":
                    pixels = guide_pixels(pdf, index, fold, 0, 15.0)
                    depth = [y for _, y in pixels]
                else:
                    pixels = guide_pixels(pdf, index, fold, height - 15.0, height)
                    depth = [height - y for _, y in pixels]
                where = f"{paper} {lang} pamphlet {side}, fold at {fold:.2f} mm, {edge}"
                assert pixels, f"{where}: no fold guide between the sheet edge and the text"
                xs = [x for x, _ in pixels]
                width_pt = (max(xs) - min(xs)) * PT
                assert width_pt <= 0.5, f"{where}: the guide is {width_pt:.2f} pt wide"
                assert abs((max(xs) + min(xs)) / 2 - fold) <= 0.1, f"{where}: guide off the fold"
                assert min(depth) >= OFFICE_MARGIN_MM - 0.05, (
                    f"{where}: the guide starts {min(depth):.2f} mm from the edge, in the "
                    "unprintable margin")
                reading = text_top if edge == "top" else text_bottom
                assert max(depth) <= reading, (
                    f"{where}: the guide reaches {max(depth):.2f} mm from the edge, into the "
                    f"panels' reading area (from {reading:.2f} mm)")


def test_no_guides_leaves_them_out_and_nothing_else(make) -> None:  # type: ignore[no-untyped-def]
    with_guides = make("letter", "office", "en", "pamphlet")["single"]
    without = make("letter", "office", "en", "pamphlet", guides=False)["single"]
    for index, side in enumerate(("outside", "inside")):
        a, b = Page(with_guides, index), Page(without, index)
        folds = fold_positions("letter", side)
        for fold in folds:
            for top, bottom in ((0, 12.0), (a.height - 12.0, a.height)):
                assert guide_pixels(with_guides, index, fold, top, bottom), (
                    f"{side}: no guide at {fold:.2f} mm")
                assert not guide_pixels(without, index, fold, top, bottom), (
                    f"{side}: --no-guides still draws a guide at {fold:.2f} mm")
        # nothing else changes: the pages differ only at the folds, at the sheet edges
        changed = ImageChops.difference(a.image, b.image).getbbox()
        assert changed, f"{side}: the pages with and without guides are the same"
        left, top, right, bottom = (v / a.px_per_mm for v in changed)
        assert folds[0] - 0.5 <= left and right <= folds[-1] + 0.5, (
            f"{side}: --no-guides changed pixels from {left:.1f} to {right:.1f} mm across")
        middle = ImageChops.difference(a.box(0, 12.0, a.width, a.height - 12.0),
                                       b.box(0, 12.0, a.width, a.height - 12.0))
        assert middle.getbbox() is None, f"{side}: --no-guides changed the page's middle"


def test_no_guides_on_the_command_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    for guides in (True, False):
        out = tmp_path / ("guides" if guides else "none")
        extra = () if guides else ("--no-guides",)
        result = run_cli("build", "--project", str(root), "-o", str(out), "-j", "1", "-q",
                         "-l", SLUG, "--lang", "en", "-m", "pamphlet", *extra)
        assert result.exit_code == 0, result.output
        found = guide_pixels(out / SLUG / "en" / "pamphlet.pdf", 0,
                             fold_positions("letter", "outside")[0], 0, 12.0)
        assert bool(found) == guides, f"build {' '.join(extra)}: guides drawn: {bool(found)}"
        png = tmp_path / f"preview-{guides}.png"
        result = run_cli("preview", SLUG, "pamphlet", "--project", str(root), "--lang", "en",
                         "--page", "1", "--dpi", "300", "-o", str(png), *extra)
        assert result.exit_code == 0, result.output
        image = Image.open(png).convert("RGB")
        px = 300 / MM_PER_IN
        x = fold_positions("letter", "outside")[0] * px
        box = (round(x - 3), round(OFFICE_MARGIN_MM * px), round(x + 3),
               round((OFFICE_MARGIN_MM + 1.0) * px))
        darkest = min(min(c) for c in colours(image.crop(box)))
        assert (darkest < 245) == guides, (
            f"preview {' '.join(extra)}: darkest pixel at the fold's top {darkest}")
    result = run_cli("check", "--project", str(root), "-l", SLUG, "--lang", "en", "-m",
                     "pamphlet", "-j", "1", "--no-guides")
    assert result.exit_code == 0, result.output


# --- the card sheet --------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_office_card_sheet_colour_stays_a_sixteenth_inside_every_cut(
        make, projects: dict[str, Path], paper: str) -> None:  # type: ignore[no-untyped-def]
    """On the imposed sheet no coloured pixel lies within 1/16 in of a card's cut line, on
    either side of it, fronts and backs (the grey cut guides in the margins aside); the front's
    band is there just inside that."""
    files = make(paper, "office", "en", "wallet-card")
    sheet = load_project(projects[paper]).sheet(None)
    found_band = 0
    for index, back in ((0, False), (1, True)):
        page = Page(files["sheet"], index)
        for i, (x, y) in enumerate(card_positions(sheet, back=back)):
            right, bottom = x + sheet.card_w, y + sheet.card_h
            d = SIXTEENTH - TOL_MM
            strips = {"top": (x - d, y - d, right + d, y + d),
                      "bottom": (x - d, bottom - d, right + d, bottom + d),
                      "left": (x - d, y - d, x + d, bottom + d),
                      "right": (right - d, y - d, right + d, bottom + d)}
            for edge, box in strips.items():
                tinted = [c for c in colours(page.box(*box)) if chromatic(c)]
                assert not tinted, (
                    f"{paper} sheet page {index + 1}, card {i + 1}: colour {tinted[:3]} within "
                    f"1/16 in of its {edge} cut")
            if not back:
                inside = page.at(x + sheet.card_w / 2, y + SIXTEENTH + 0.4)
                assert is_colour(inside, PRIMARY), f"card {i + 1}: no band inside the cut"
                found_band += 1
    assert found_band == sheet.count


def test_press_card_keeps_its_bleed(make) -> None:  # type: ignore[no-untyped-def]
    page = Page(make("letter", "press", "en", "wallet-card")["single"], 0)
    for x, y in ((-1.5, -1.5), (page.width / 2, -1.5), (page.width + 1.5, -1.5), (1.0, 1.0)):
        assert is_colour(page.at(x, y), PRIMARY), f"press card: no band at ({x}, {y}) mm"


# --- the cover footer, right to left --------------------------------------------------------


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_cover_footer_keeps_the_organization_and_website_in_order(
        make, projects: dict[str, Path], paper: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The organization's Latin name (its words in order; a long name may wrap), then the
    website, on a line of its own, aligned to the line's start side, with no separator
    stranded at a line's end."""
    org = load_project(projects[paper]).organization
    assert org.website
    site = org.website.split("//", 1)[-1].strip("/")
    pdf = make(paper, "office", lang, "pamphlet")["single"]
    # Brackets are left out: on a right-to-left page the font's ToUnicode map names the
    # mirrored bracket glyph, whichever bracket it draws.
    unbracket = str.maketrans("", "", "()")
    runs = " ".join(pdf_text_runs(pdf).translate(unbracket).split())  # any break is a space
    name = org.name.translate(unbracket)
    assert name in runs, f"{org.name!r} is not drawn in order: {runs[-300:]!r}"
    after = runs[runs.index(name) + len(name):]
    assert after.lstrip().startswith(site), (
        f"{lang}: after the organization comes {after[:40]!r}, not the website {site!r}")
    before = runs[:runs.index(name)].rstrip()
    assert not before.endswith("·") and "·" not in after[:len(site) + 3], (
        f"{lang}: a separator beside the footer: {before[-20:]!r} | {after[:40]!r}")
    # Where the two lines are: the website under the name, both flush to the start side.
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        textpage = doc[0].get_textpage()
        text = textpage.get_text_range().replace(")", "(")
        boxes = {}
        after_name = 0
        for word in (org.name.replace(")", "("), site):  # the website after the name
            pattern = r"\s+".join(re.escape(w) for w in word.split())
            found = re.compile(pattern).search(text, after_name)
            assert found, f"{lang}: {word!r} not on the cover"
            after_name = found.end()
            chars = [textpage.get_charbox(i) for i in range(found.start(), found.end())
                     if not text[i].isspace()]
            boxes[word] = (min(c[0] for c in chars), min(c[1] for c in chars),
                           max(c[2] for c in chars), max(c[3] for c in chars))
    finally:
        doc.close()
    name_box, web = boxes[org.name.replace(")", "(")], boxes[site]
    assert web[3] <= name_box[1] + 0.5, f"{lang}: the website is not on the line under the name"
    edge = 2 if lang == "ar" else 0  # right to left: both end at the right
    assert abs(name_box[edge] - web[edge]) <= 1.0, (
        f"{lang}: the name and website do not line up at the start side: {name_box} {web}")
