"""The flyer as a reader meets it: the phone leads, what lowers the barrier is printed only
where the location says so, and the tear-off tabs carry the number first, whole."""

from __future__ import annotations

import math
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from conftest import copy_project, pdf_text, run_cli

PX_TO_PT = 0.75  # PDFium reports WeasyPrint's font sizes in CSS px
NUMBER = "(410) 555-0142"
# A long name and a long extension: the extension must stay on the tab, never on a cut line.
LONG = (
    "long-ext,Westside Mobile Outreach and Recovery Van,300 W Lexington St,Baltimore,MD,21201,"
    "301-555-0178 ext. 12345,,,,,24/7,naloxone;wound-care,,en;es,EXAMPLE: fictional"
)
OFFER_KEYS = ("free", "confidential", "no-id", "walk-in", "no-insurance-needed")


def _project(root: Path, paper: str) -> Path:
    copy_project(root)
    csv_path = root / "content" / "locations.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8") + LONG + "\n", encoding="utf-8")
    if paper == "a4":
        org = root / "content" / "organization.yaml"
        org.write_text(
            org.read_text(encoding="utf-8").replace("paper: letter", "paper: a4"), encoding="utf-8"
        )
    return root


@pytest.fixture(scope="module", params=["letter", "a4"])
def flyers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every sample location's flyer, and the long one's, in English and Arabic or Spanish."""
    root = _project(tmp_path_factory.mktemp(f"flyer-{request.param}") / "proj", request.param)
    for slug, lang in (("east-harbor", "en"), ("east-harbor", "ar"), ("riverside-clinic", "en"),
                       ("long-ext", "en"), ("long-ext", "es")):
        result = run_cli("build", "--project", str(root), "-m", "flyer", "-l", slug,
                         "--lang", lang)
        assert result.exit_code == 0, result.output
    return root


def _pdf(root: Path, slug: str, lang: str) -> Path:
    return root / "output" / slug / lang / "flyer.pdf"


def _chars(pdf: Path) -> list[tuple[str, float, int, tuple[float, float, float, float]]]:
    """Every character on the page: (text, size in pt, angle in degrees, box in pt)."""
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        page = doc[0]
        text = page.get_textpage()
        out = []
        for i in range(text.count_chars()):
            angle = round(math.degrees(pdfium_c.FPDFText_GetCharAngle(text.raw, i))) % 360
            size = pdfium_c.FPDFText_GetFontSize(text.raw, i) * PX_TO_PT
            out.append((text.get_text_range(i, 1), size, angle, text.get_charbox(i)))
        return out
    finally:
        doc.close()


def _tabs(chars: list, angle: int, number: str) -> list[list]:
    """The turned characters of each tab: from one start of the number to the next. (PDFium
    may reorder the area code's brackets on a right-to-left page: found by the rest.)"""
    turned = [c for c in chars if c[2] == angle]
    text = "".join(c[0] for c in turned)
    tail, head = number[-8:], len(number) - 8
    starts = [i - head for i in range(head, len(text)) if text.startswith(tail, i)]
    assert starts and starts[0] == 0, text[:40]  # the first thing on the tabs is the number
    assert sorted(text[:head]) == sorted(number[:head]), text[:40]
    return [turned[a:b] for a, b in zip(starts, [*starts[1:], len(turned)], strict=True)]


def test_the_phone_number_leads_at_40_pt_or_more(flyers: Path) -> None:
    for slug, lang, number in (("east-harbor", "en", NUMBER), ("east-harbor", "ar", NUMBER),
                               ("riverside-clinic", "en", "(301) 555-0178")):
        chars = [c for c in _chars(_pdf(flyers, slug, lang)) if c[2] == 0]
        # Every digit of the number at 40 pt or more, left to right on the page (PDFium
        # reorders Arabic lines, so positions, not text order), and nothing larger.
        big = sorted((c[3][0], c[0]) for c in chars if c[0].isdigit() and c[1] >= 40)
        assert "".join(d for _, d in big) == "".join(filter(str.isdigit, number)), (slug, lang)
        assert max(c[1] for c in chars) == max(c[1] for c in chars if c[0].isdigit())
    # The extension is on the number's line, never on a line of its own.
    chars = [c for c in _chars(_pdf(flyers, "riverside-clinic", "en")) if c[2] == 0]
    text = "".join(c[0] for c in chars)
    at = text.index("(301) 555-0178")
    ext = text.index("ext. 12", at)
    assert ext - at <= len("(301) 555-0178") + 2, text[at:ext + 7]
    digit, e = chars[at + 1][3], chars[ext][3]  # "3" and "e" sit on the baseline
    assert abs(digit[1] - e[1]) < 1.5, (digit, e)


def test_offers_print_only_what_the_location_says(flyers: Path) -> None:
    from makeprint_engine import load_project

    labels = load_project(flyers).languages["en"].common["offers"]
    assert set(labels) == set(OFFER_KEYS)
    expected = {
        "east-harbor": ("free", "confidential", "no-id"),
        "riverside-clinic": ("confidential", "no-insurance-needed"),
        "long-ext": (),  # no offers: no line at all
    }
    for slug, keys in expected.items():
        text = " ".join(" ".join(pdf_text(_pdf(flyers, slug, "en"))).split())
        for key, label in labels.items():
            assert (label in text) == (key in keys), (slug, key)
    line = " · ".join(labels[k] for k in expected["east-harbor"])
    assert line in " ".join(" ".join(pdf_text(_pdf(flyers, "east-harbor", "en"))).split())


def test_an_unknown_offer_is_refused_naming_row_and_column(project: Path) -> None:
    csv_path = project / "content" / "locations.csv"
    csv_path.write_text(
        csv_path.read_text(encoding="utf-8").replace("free;confidential;no-id", "free;hugs"),
        encoding="utf-8",
    )
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    assert (
        "content/locations.csv:2: column 'offers': unknown offer \"hugs\" — valid offers are "
        "free, confidential, no-id, walk-in, no-insurance-needed"
    ) in result.output


@pytest.mark.parametrize("slug", ["east-harbor", "long-ext"])
def test_tabs_print_the_number_first_then_the_name(flyers: Path, slug: str) -> None:
    """Each tab's first line is the whole number (extension included), bold, 12–14 pt; the
    name comes after it, smaller. English tabs read upwards: the first line is leftmost."""
    main = NUMBER if slug == "east-harbor" else "(301) 555-0178"
    tabs = _tabs(_chars(_pdf(flyers, slug, "en")), 270, main)
    assert len(tabs) == 10
    for run in tabs:
        number = [c for c in run[: len(main)] if c[0].strip()]
        rest = [c for c in run[len(main):] if c[0].isalpha() and c[0] not in "ext"]
        assert all(12 <= c[1] <= 14 for c in number), {c[1] for c in number}
        if rest:  # the name, unless fitting dropped it
            assert max(c[1] for c in rest) < min(c[1] for c in number)
            assert min(c[3][0] for c in rest) > max(c[3][0] for c in number)  # a line after


def test_arabic_tab_lines_start_at_the_reading_start(flyers: Path) -> None:
    """Each tab's lines are flush at their start, never centred or at the wrong end: English
    lines turned to read upwards start at the tab's foot; Arabic lines (right to left) are
    turned the other way, so their start, the right end, is at the foot too."""
    for lang, angle in (("en", 270), ("ar", 90)):
        tabs = _tabs(_chars(_pdf(flyers, "east-harbor", lang)), angle, NUMBER)
        assert len(tabs) == 10
        for run in tabs:
            number = [c for c in run[: len(NUMBER)] if c[0].strip()]
            name = [c for c in run if c[0].isalpha()]
            for line in (name[: len("EastHarbor")], name[len("EastHarbor"):]):
                # The foot of each line: its lowest glyph, within 4 pt of the number's.
                assert abs(min(c[3][1] for c in number) - min(c[3][1] for c in line)) < 4, lang


def _tab_geometry(pdf: Path) -> tuple[float, float, list[float]]:
    """The tabs' cut lines, in pt from the page's foot: the strip's top, and the dashed
    lines between tabs (ten tabs between 1/4 in margins), read off the page size."""
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        width, _ = doc[0].get_size()
    finally:
        doc.close()
    tab = (width - 0.5 * 72) / 10
    return width, tab, [0.25 * 72 + tab * k for k in range(1, 10)]


def test_tab_text_with_a_long_extension_stays_inside_its_tab(flyers: Path) -> None:
    """Every glyph on the tabs, extension included, at least 0.02 in from every cut line: the
    top of the strip (office: 1/4 in + 1.83 in above the foot) and between tabs."""
    clear = 0.02 * 72
    for lang in ("en", "es"):
        pdf = _pdf(flyers, "long-ext", lang)
        _, _, cuts = _tab_geometry(pdf)
        top = (0.25 + 1.83) * 72
        turned = [c for c in _chars(pdf) if c[2] in (90, 270) and c[0].strip()]
        assert "".join(c[0] for c in turned).count("ext.12345") == 10
        for char, _, _, (left, low, right, high) in turned:
            assert high < top - clear, (lang, char, high, top)
            assert low > 0.25 * 72, (lang, char, low)
            assert not any(left - clear < x < right + clear for x in cuts), (lang, char, left)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_tabs_laid_out_once_and_copied_print_where_their_own_layout_would(
    flyers: Path, lang: str, tmp_path: Path
) -> None:
    """The tabs after the second are copies of its laid-out text (render.repeat_boxes): every
    turned glyph of the built flyer is where WeasyPrint puts it laying out all ten tabs, which
    is what the HTML given to anyone else holds."""
    from test_shared_boxes import _whole as laid_out_whole

    from makeprint_engine.plan import Job
    from makeprint_engine.project import load_project
    from makeprint_engine.render import Renderer

    renderer = Renderer(load_project(flyers))
    job = Job("east-harbor", lang, "flyer")
    html = renderer.html(job)
    assert html.count('class="tab-phone"') == 10 and "data-repeat" not in html
    whole = tmp_path / "whole.pdf"
    whole.write_bytes(laid_out_whole(renderer, job))

    def turned(pdf: Path) -> list[tuple[str, tuple[float, ...]]]:
        return [(c[0], tuple(round(v, 2) for v in c[3]))
                for c in _chars(pdf) if c[2] in (90, 270) and c[0].strip()]

    built = turned(_pdf(flyers, "east-harbor", lang))
    assert len(built) > 10 * len("5550142")
    assert built == turned(whole)
