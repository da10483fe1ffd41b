"""The pamphlet's design pass (issue 18, item 4), measured on the built PDFs in every shipped
language on Letter and A4: 11 pt running text, a 32 mm QR code that scans, safer-use tips in
place of the history timeline, and every glyph inside its panel."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import yaml
import zxingcpp
from conftest import REPO, SHIPPED, copy_project, decode_qr, pdf_text, run_cli, set_languages

LANGS = SHIPPED  # every shipped language, put on east-harbor in the fixture's copy
PT_PER_MM = 72 / 25.4
# Tri-fold panels, inside left to right (CONTENT.md's print facts); the outside is the other
# side of the sheet, so its order is reversed; right to left, each side is mirrored.
INSIDE_MM = {"letter": (93.6625, 93.6625, 92.075), "a4": (100.0, 100.0, 97.0)}
PAGE_MM = {"letter": (279.4, 215.9), "a4": (297.0, 210.0)}
FOLD_MARGIN_MM = 3.175  # text stays 1/8 in inside the trim and the folds
EDGE_MARGIN_MM = 6.35  # office printers: nothing within 1/4 in of the sheet edge
# The timeline the middle panel no longer has, in each language.
TIMELINE = ("1986", "2003", "Insite", "A short history", "Breve historia", "Sơ lược lịch sử",
            "简史", "لمحة تاريخية", "Краткая история", "Breve história", "역사")


@pytest.fixture(scope="module", params=["letter", "a4"])
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(paper, project root) with east-harbor's pamphlet built in all its languages."""
    paper = request.param
    root = copy_project(tmp_path_factory.mktemp(f"pamphlet-{paper}") / "proj")
    org = root / "content" / "organization.yaml"
    text = org.read_text(encoding="utf-8")
    assert "paper: letter" in text
    org.write_text(text.replace("paper: letter", f"paper: {paper}"), encoding="utf-8")
    set_languages(root, "east-harbor", LANGS)
    result = run_cli("build", "--project", str(root), "-l", "east-harbor", "-m", "pamphlet")
    assert result.exit_code == 0, result.output
    return paper, root


def pdf(root: Path, lang: str) -> Path:
    return root / "output" / "east-harbor" / lang / "pamphlet.pdf"


def content(lang: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "content" / lang / "pamphlet.yaml").read_text(encoding="utf-8"))


def glyphs(textpage: pypdfium2.PdfTextPage):  # type: ignore[no-untyped-def]
    """(character, font size in pt, (left, bottom, right, top) in pt) of each drawn glyph."""
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
            continue  # line breaks and spaces PDFium adds between runs
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if char.isspace():
            continue
        # PDFium reports the size in the text space WeasyPrint sets (CSS px): × 0.75 is pt.
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i) * 0.75
        yield char, size, textpage.get_charbox(i)


def panel_edges_pt(paper: str, side: int, rtl: bool) -> list[tuple[float, float]]:
    """(left, right) of each panel on page ``side`` (0 outside, 1 inside), in pt."""
    widths = INSIDE_MM[paper] if side == 1 else INSIDE_MM[paper][::-1]
    if rtl:
        widths = widths[::-1]
    edges, x = [], 0.0
    for width in widths:
        edges.append((x * PT_PER_MM, (x + width) * PT_PER_MM))
        x += width
    return edges


# Arabic as PDFium extracts it: vowel marks and tatweel come loose from their letters and the
# lam-alef ligature reads alef-lam; compare without them.
ARABIC_MARKS = {chr(c) for c in (*range(0x064B, 0x0660), 0x0670, 0x0640)}
BIDI_CONTROLS = set("\u2066\u2067\u2068\u2069\u200e\u200f")


def normal(text: str) -> str:
    """Without spaces, marks and controls; each word's lam-alef as PDFium reads it."""
    words = ("".join(c for c in word if c not in ARABIC_MARKS | BIDI_CONTROLS)
             for word in text.split())
    return "".join(word.replace("\u0644\u0627", "\u0627\u0644") for word in words)


def find(textpage: pypdfium2.PdfTextPage, wanted: str) -> list[float]:
    """The x (pt) of each place ``wanted`` is printed on the page, found in PDFium's text in
    reading order, whitespace and line breaks aside."""
    chars, where = [], []
    for i in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i) or not normal(char):
            continue
        left, _, right, _ = textpage.get_charbox(i)
        chars.append(char)
        where.append((left + right) / 2)
    text, target = "".join(chars), normal(wanted)
    hits, start = [], text.find(target)
    while start >= 0:
        hits.append(where[start])
        start = text.find(target, start + 1)
    return hits


def squeeze(text: str) -> str:
    # PDFium gives a hyphen that ends a line as U+FFFE ("Iba-|iba" extracts as "Iba\ufffeiba").
    return "".join(c for c in text if not c.isspace() and c not in "-\u00ad\u2010\ufffe")


@pytest.mark.parametrize("lang", LANGS)
def test_running_text_is_at_least_11pt(sample, lang: str) -> None:  # type: ignore[no-untyped-def]
    paper, root = sample
    doc = pypdfium2.PdfDocument(str(pdf(root, lang)))
    try:
        sizes = {}
        for index in range(len(doc)):
            for char, size, _ in glyphs(doc[index].get_textpage()):
                sizes.setdefault(round(size, 2), []).append((index, char))
    finally:
        doc.close()
    # A language's font_scale (Arabic: 1.1) sets all of its type that much larger.
    meta = yaml.safe_load((root / "content" / lang / "language.yaml").read_text("utf-8"))
    scale = float(meta.get("font_scale", 1.0))
    small = {size: chars[:12] for size, chars in sizes.items() if size < 10.95}
    assert not small, f"{lang} / {paper}: text below 11 pt: {small}"
    # Most of it is set at the running size, not larger: the body is 11–11.5 pt (scaled).
    counts = {size: len(chars) for size, chars in sizes.items()}
    body = max(counts, key=counts.__getitem__)
    assert 10.95 * scale <= body <= 11.55 * scale, (
        f"{lang} / {paper}: the commonest size is {body} pt")


@pytest.mark.parametrize("lang", LANGS)
def test_back_panel_qr_is_32mm_and_scans(sample, lang: str) -> None:  # type: ignore[no-untyped-def]
    paper, root = sample
    path = pdf(root, lang)
    decoded = decode_qr(path, page=0)
    assert len(decoded) == 1, decoded
    assert decoded[0].startswith("https://example.org/intake?site=east-harbor")
    assert f"utm_content={lang}" in decoded[0]
    dpi = 300
    doc = pypdfium2.PdfDocument(str(path))
    try:
        image = doc[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    corners = [code.position.top_left, code.position.top_right, code.position.bottom_right,
               code.position.bottom_left]
    xs, ys = [c.x for c in corners], [c.y for c in corners]
    symbol_px = ((max(xs) - min(xs) + 1) + (max(ys) - min(ys) + 1)) / 2
    modules = 17 + 4 * int(code.extra["Version"] if hasattr(code, "extra") else code.version)
    total_mm = symbol_px / modules * (modules + 8) * 25.4 / dpi  # with its 4-module quiet zone
    assert total_mm >= 31.0, f"{lang} / {paper}: the QR code is {total_mm:.1f} mm"
    # On the back panel: the middle of the outside (the second panel from either side).
    left, right = panel_edges_pt(paper, 0, lang == "ar")[1]
    centre_pt = (min(xs) + max(xs)) / 2 * 72 / dpi
    assert left < centre_pt < right, f"{lang} / {paper}: QR code not on the back panel"


@pytest.mark.parametrize("lang", LANGS)
def test_tips_replace_the_timeline(sample, lang: str) -> None:  # type: ignore[no-untyped-def]
    paper, root = sample
    text = pdf_text(pdf(root, lang))
    for old in TIMELINE:
        assert old not in text[1], f"{lang} / {paper}: timeline text {old!r} still printed"
    places = content(lang)["places"]
    assert [tip["title"] for tip in places["tips"]], "no tips in the content"
    doc = pypdfium2.PdfDocument(str(pdf(root, lang)))
    try:
        textpage = doc[1].get_textpage()
        middle = panel_edges_pt(paper, 1, lang == "ar")[1]
        for wanted in [places["tips_heading"], *(tip["title"] for tip in places["tips"]),
                       "1-800-484-3731"]:
            hits = find(textpage, wanted)
            assert any(middle[0] < x < middle[1] for x in hits), (
                f"{lang} / {paper}: {wanted!r} not on the middle inside panel (found at {hits})")
    finally:
        doc.close()


@pytest.mark.parametrize("lang", LANGS)
def test_every_glyph_stays_inside_its_panel(sample, lang: str) -> None:  # type: ignore[no-untyped-def]
    paper, root = sample
    width_mm, height_mm = PAGE_MM[paper]
    fold, edge = FOLD_MARGIN_MM * PT_PER_MM, EDGE_MARGIN_MM * PT_PER_MM
    doc = pypdfium2.PdfDocument(str(pdf(root, lang)))
    try:
        assert len(doc) == 2
        for index in range(2):
            panels = panel_edges_pt(paper, index, lang == "ar")
            outside = []
            for char, _, (left, bottom, right, top) in glyphs(doc[index].get_textpage()):
                centre = (left + right) / 2
                panel = next(p for p in panels if p[0] <= centre < p[1] + 0.01)
                margin_left = edge if panel is panels[0] else fold
                margin_right = edge if panel is panels[-1] else fold
                if (left < panel[0] + margin_left - 0.5 or right > panel[1] - margin_right + 0.5
                        or bottom < edge - 0.5 or top > height_mm * PT_PER_MM - edge + 0.5):
                    outside.append((char, round(left / PT_PER_MM, 1), round(top / PT_PER_MM, 1)))
            assert not outside, f"{lang} / {paper}, page {index + 1}: glyphs outside: {outside[:8]}"
    finally:
        doc.close()


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "ar"])
def test_no_panel_loses_its_last_lines(sample, lang: str) -> None:  # type: ignore[no-untyped-def]
    """WeasyPrint drops what runs past the page from a full-height panel without a warning:
    the last thing on each panel must be printed. (Left-to-right languages: PDFium gives
    their text in reading order.)"""
    paper, root = sample
    t = content(lang)
    common = yaml.safe_load((REPO / "content" / lang / "common.yaml").read_text(encoding="utf-8"))
    outside, inside = (squeeze(page) for page in pdf_text(pdf(root, lang)))
    for page, last in ((outside, t["flap"]["good_samaritan"]), (outside, t["back"]["scan_text"]),
                       (outside, t["cover"]["inside"]), (inside, t["places"]["syringe"][-1]),
                       (inside, common["hotlines"][t["hotlines"][-1]]["note"]),
                       (inside, t["medications"]["note"])):
        assert squeeze(last.replace("*", "")) in page, f"{lang} / {paper}: {last!r} not printed"
