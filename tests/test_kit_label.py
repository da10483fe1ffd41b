"""The naloxone kit label: label stocks as published, each label where its cell is, every code
scanning, type of 7 pt or more, every language on both papers, long data fitted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from conftest import REPO, copy_project, decode_qr, manifest, pdf_text, run_cli
from PIL import ImageChops

from makeprint_engine.geometry import LABEL_INSET_MM, MM_PER_IN, OFFICE_MARGIN_MM, card_positions
from makeprint_engine.sheets import load_sheets

PT = 72 / MM_PER_IN  # points per millimetre
LANGS = ("en", "es", "vi", "zh-Hans", "ar")
PAPER_PT = {"letter": (612, 792), "a4": (595.28, 841.89)}
LABEL_MM = {"letter": (4 * MM_PER_IN, 2 * MM_PER_IN), "a4": (99.1, 67.7)}
PRIMARY = (0x0B, 0x55, 0x63)  # colors.primary in content/organization.yaml
DPI = 300

# Avery's published templates: the top-left corner of each label, row by row, in mm.
# 5163 / 8163: 0.5 in top margin, 5/32 in side margins, 4.1875 in across, 2 in down.
AVERY_5163 = [(MM_PER_IN * (0.15625 + 4.1875 * c), MM_PER_IN * (0.5 + 2 * r))
              for r in range(5) for c in range(2)]
# L7165: 13.1 mm top margin, 4.65 mm side margins, 101.6 mm across, 67.7 mm down.
AVERY_L7165 = [(4.65 + 101.6 * c, 13.1 + 67.7 * r) for r in range(4) for c in range(2)]
CELLS = {"letter": AVERY_5163, "a4": AVERY_L7165}

# Awkward but valid data the label must hold: a 92-character name with and without a short
# name, names in Chinese, Arabic and Korean, phone extensions, a long pre-filled form URL
# (its code grows), and a long short link for under the code.
STRESS = REPO / "tests" / "data" / "kit-label-stress.csv"


def paper_project(root: Path, paper: str) -> Path:
    copy_project(root)
    org = root / "content" / "organization.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("paper: letter", f"paper: {paper}"),
                   encoding="utf-8")
    return root


@pytest.fixture(scope="module", params=["letter", "a4"])
def labels(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[str, Path]:
    """The sample's kit labels and label sheets, office profile, on one paper."""
    paper = request.param
    root = paper_project(tmp_path_factory.mktemp(f"kit-{paper}") / "proj", paper)
    result = run_cli("build", "--project", str(root), "-m", "kit-label")
    assert result.exit_code == 0, result.output
    return paper, root


def glyph_sizes(path: Path, index: int = 0) -> list[tuple[str, float]]:
    """Each printed character and its size in pt (WeasyPrint's fonts are px-scaled)."""
    doc = pypdfium2.PdfDocument(str(path))
    try:
        text = doc[index].get_textpage()
        found = []
        for i in range(text.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(text, i))
            if char.strip() and char not in "\u2060\u2066\u2067\u2068\u2069\ufffe":
                found.append((char, pdfium_c.FPDFText_GetFontSize(text, i) * 0.75))
        return found
    finally:
        doc.close()


def raster(path: Path, index: int = 0, dpi: int = DPI):  # type: ignore[no-untyped-def]
    doc = pypdfium2.PdfDocument(str(path))
    try:
        return doc[index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        doc.close()


def codes(image) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """Every QR code on a page: its text and the top-left corner of its modules, in mm."""
    found = []
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = code.position
        left = min(p.top_left.x, p.bottom_left.x)
        top = min(p.top_left.y, p.top_right.y)
        found.append((code.text, left / DPI * MM_PER_IN, top / DPI * MM_PER_IN))
    return sorted(found, key=lambda c: (round(c[2] / 10), c[1]))


def band_corner(image, x: float, y: float, w: float, h: float) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Top-left corner (mm) of the teal band inside the label cell at (x, y), w × h mm."""
    px = DPI / MM_PER_IN
    crop = image.crop((round(x * px), round(y * px), round((x + w) * px), round((y + h) * px)))
    near = [band.point(lambda v, c=c: 255 if abs(v - c) < 12 else 0)
            for band, c in zip(crop.split(), PRIMARY, strict=True)]
    mask = ImageChops.multiply(ImageChops.multiply(near[0], near[1]), near[2])
    left, top, _, _ = mask.getbbox()
    return x + left / px, y + top / px


# --- the stocks, as published ---------------------------------------------------------------


def test_label_stocks_are_the_published_templates() -> None:
    sheets = load_sheets(REPO / "templates" / "sheets", REPO)
    for name, cells, label in (("avery-5163", AVERY_5163, LABEL_MM["letter"]),
                               ("avery-l7165", AVERY_L7165, LABEL_MM["a4"])):
        sheet = sheets[name]
        assert sheet.kind == "labels" and sheet.sides == 1
        assert (sheet.card_w, sheet.card_h) == pytest.approx(label, abs=0.001)
        flat = [v for corner in card_positions(sheet) for v in corner]
        assert flat == pytest.approx([v for corner in cells for v in corner], abs=0.001)
        # the template fills the paper symmetrically, and the labels' print (1/8 in inside
        # each label) stays where an office printer prints
        right = cells[-1][0] + label[0]
        bottom = cells[-1][1] + label[1]
        assert sheet.width - right == pytest.approx(cells[0][0], abs=0.01)
        assert sheet.height - bottom == pytest.approx(cells[0][1], abs=0.01)
        assert cells[0][0] + LABEL_INSET_MM >= OFFICE_MARGIN_MM


def test_a_label_stock_whose_print_reaches_the_unprintable_edge_is_refused(
        tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    stock = root / "templates" / "sheets" / "avery-5163.yaml"
    text = stock.read_text(encoding="utf-8")
    stock.write_text(text.replace("margin_left: 0.15625in", "margin_left: 0.05in")
                     .replace("gutter_x: 0.1875in", "gutter_x: 0.4in"), encoding="utf-8")
    result = run_cli("build", "--project", str(root), "-m", "kit-label")
    assert result.exit_code == 1
    assert "avery-5163.yaml" in result.output and "closer than 1/4 in" in result.output


# --- the built labels and sheets ------------------------------------------------------------


def test_every_language_builds_a_label_and_a_sheet(labels: tuple[str, Path]) -> None:
    paper, root = labels
    files = manifest(root)
    built = {(f["location"], f["lang"], f["variant"]): f for f in files}
    for lang in LANGS:
        single = built[("east-harbor", lang, "single")]
        sheet = built[("east-harbor", lang, "sheet")]
        assert single["pages"] == 1 and sheet["pages"] == 1
        assert sheet["path"] == f"east-harbor/{lang}/kit-label-sheet.pdf"
        with pikepdf.open(root / "output" / str(single["path"])) as pdf:
            width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
            assert (width / PT, height / PT) == pytest.approx(LABEL_MM[paper], abs=0.05)
            assert str(pdf.Root.Lang) == lang
            assert "/StructTreeRoot" in pdf.Root  # tagged: the label is the accessible file
        with pikepdf.open(root / "output" / str(sheet["path"])) as pdf:
            assert len(pdf.pages) == 1
            width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
            assert (width, height) == pytest.approx(PAPER_PT[paper], abs=0.05)
            assert str(pdf.Root.Lang) == lang
            assert str(pdf.docinfo.Title).endswith("label sheet")


def test_each_label_sits_in_its_cell_and_its_code_scans(labels: tuple[str, Path]) -> None:
    """Measured on the rendered sheet: the QR code of every label where the single label has
    it, offset by the published cell, and the band's corner 1/8 in inside the cell, both
    within 0.5 mm; every code decodes to the manifest's URL."""
    paper, root = labels
    cells = CELLS[paper]
    width, height = LABEL_MM[paper]
    for entry in manifest(root):
        if entry["variant"] != "sheet" or entry["lang"] not in ("en", "ar"):
            continue
        sheet_path = root / "output" / str(entry["path"])
        single_path = sheet_path.with_name("kit-label.pdf")
        (text, qx, qy), = codes(raster(single_path))
        assert text == entry["qr_url"]
        image = raster(sheet_path)
        found = codes(image)
        assert [t for t, _, _ in found] == [entry["qr_url"]] * len(cells), entry["path"]
        for (x, y), (_, fx, fy) in zip(cells, found, strict=True):
            assert fx == pytest.approx(x + qx, abs=0.5) and fy == pytest.approx(y + qy, abs=0.5)
        if entry["location"] != "east-harbor":
            continue
        for x, y in cells:  # the band: its start corner 1/8 in inside the label's edge
            bx, by = band_corner(image, x, y, width, height)
            assert by == pytest.approx(y + LABEL_INSET_MM, abs=0.5)
            if entry["lang"] == "en":
                assert bx == pytest.approx(x + LABEL_INSET_MM, abs=0.5)


def test_the_label_says_what_the_kit_needs(labels: tuple[str, Path]) -> None:
    _, root = labels
    def printed(lang: str) -> str:  # bound last words are joined by no-break spaces
        path = root / "output" / "east-harbor" / lang / "kit-label.pdf"
        return " ".join(" ".join(pdf_text(path)).replace("\xa0", " ").split())

    text = printed("en")
    for words in ("Naloxone inside", "Call 911", "nostril", "2nd dose", "on their side",
                  "East Harbor Drop-In Center", "(410) 555-0142", "Scan to start"):
        assert words in text, words
    spanish = printed("es")
    assert "Contiene naloxona" in spanish and "Llame al 911" in spanish


def test_type_is_seven_points_or_more(labels: tuple[str, Path]) -> None:
    paper, root = labels
    for entry in manifest(root):
        if entry["variant"] == "single":
            sizes = glyph_sizes(root / "output" / str(entry["path"]))
            small = min(sizes, key=lambda g: g[1])
            assert small[1] >= 7 - 0.01, f"{paper} {entry['path']}: {small}"


def test_preflight_passes_in_both_profiles(labels: tuple[str, Path]) -> None:
    paper, root = labels
    for profile in ("office", "press"):
        result = run_cli("check", "--project", str(root), "-m", "kit-label",
                         "--profile", profile)
        assert result.exit_code == 0, result.output
        assert "0 errors" in result.output


def test_press_label_has_bleed_and_crop_marks(labels: tuple[str, Path], tmp_path: Path) -> None:
    paper, root = labels
    out = tmp_path / "press"
    result = run_cli("build", "--project", str(root), "--out", str(out), "-m", "kit-label",
                     "-l", "east-harbor", "--lang", "ar", "--profile", "press")
    assert result.exit_code == 0, result.output
    path = out / "east-harbor" / "ar" / "kit-label-press.pdf"
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.trimbox]
        bleed = [float(v) for v in page.BleedBox]
        assert (trim[2] - trim[0]) / PT == pytest.approx(LABEL_MM[paper][0], abs=0.05)
        assert trim[0] - bleed[0] == pytest.approx((3.175 if paper == "letter" else 3.0) * PT,
                                                   abs=0.05)
    assert decode_qr(path) == [m["qr_url"] for m in manifest(root)
                               if m["path"] == "east-harbor/ar/kit-label.pdf"]


# --- long and awkward data ------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_stress_data_is_fitted_never_cut(tmp_path: Path, paper: str) -> None:
    root = paper_project(tmp_path / "proj", paper)
    result = run_cli("build", "--project", str(root), "--locations", str(STRESS),
                     "-m", "kit-label")
    assert result.exit_code == 0, result.output
    files = [f for f in manifest(root) if f["variant"] == "single"]
    assert len(files) == 24
    for entry in files:
        path = root / "output" / str(entry["path"])
        assert min(size for _, size in glyph_sizes(path)) >= 7 - 0.01, entry["path"]
        assert decode_qr(path) == [entry["qr_url"]], entry["path"]
        flat = " ".join(" ".join(pdf_text(path)).split())
        assert "555-01" in flat  # the phone is always printed, extension and all
        if entry["location"] in ("long-name", "chinese"):
            assert "ext." in flat
    # the 92-character name without a short name is printed whole (fitted), in every language
    for lang in LANGS:
        flat = "".join(pdf_text(root / "output" / "long-name" / lang / "kit-label.pdf"))
        assert "Coalition" in flat and "Greater" in flat, lang
    shutil.rmtree(root / "output")


def test_list_contact_sheet_and_web_page_offer_the_label_sheet(labels: tuple[str, Path]) -> None:
    from makeprint_engine.variants import variants_for

    paper, root = labels
    listing = run_cli("list", "--project", str(root))
    assert listing.exit_code == 0, listing.output
    stock = {"letter": "avery-5163", "a4": "avery-l7165"}[paper]
    line = next(x for x in listing.output.splitlines() if x.strip().startswith(stock))
    assert "labels" in line and line.endswith("(default)")
    assert any(x.split()[:1] == ["kit-label"] for x in listing.output.splitlines()
               if x.startswith("  "))
    index = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert 'href="east-harbor/ar/kit-label-sheet.pdf"' in index
    assert "sheet of labels for label stock" in index
    assert variants_for("kit-label")[0] == "label-sheet"  # what staff print comes first
