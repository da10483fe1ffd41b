"""The wallet card's front (issue 18): pictured steps at 9 pt or more, inside the safe zone,
no one-word last lines, in every shipped language on both card sizes."""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from conftest import SHIPPED, copy_project, set_languages

from makeprint_engine import render
from makeprint_engine.plan import Selection, plan_jobs
from makeprint_engine.project import load_project

LANGS = SHIPPED
SAFE_MM = 25.4 / 8  # text stays 1/8 in inside the trim
PT_TO_MM = 25.4 / 72
PRIMARY = (0x0B, 0x55, 0x63)
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]")


@pytest.fixture(scope="module", params=["letter", "a4"])
def fronts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Every shipped language's card, rendered on one paper: {lang: Rendered}."""
    root = copy_project(tmp_path_factory.mktemp(f"card-{request.param}") / "proj")
    set_languages(root, "east-harbor")
    org = root / "content" / "organization.yaml"
    org.write_text(
        org.read_text(encoding="utf-8").replace("paper: letter", f"paper: {request.param}"),
        encoding="utf-8",
    )
    project = load_project(root)
    renderer = render.Renderer(project)
    done = {}
    for lang in LANGS:
        [job] = plan_jobs(project, Selection(("east-harbor",), (lang,), ("wallet-card",)))
        rendered = renderer.render(job)
        assert rendered.ok, [p.message for p in rendered.problems if p.severity == "error"]
        done[lang] = rendered
    return request.param, project, done


def front_page(rendered: render.Rendered) -> pypdfium2.PdfPage:
    return pypdfium2.PdfDocument(rendered.pdf)[0]


def glyphs(page: pypdfium2.PdfPage) -> list[tuple[str, float, tuple[float, float, float, float]]]:
    """Each printed character, its size in pt and its box (left, bottom, right, top) in pt."""
    text = page.get_textpage()
    found = []
    for i in range(text.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(text, i))
        if not char.strip() or char in "\u2060\u2066\u2067\u2068\u2069\ufffe":
            continue
        size = pdfium_c.FPDFText_GetFontSize(text, i) * 0.75  # WeasyPrint's px-scaled fonts
        found.append((char, size, text.get_charbox(i)))
    return found


def test_front_type_is_nine_points_or_more(fronts) -> None:  # type: ignore[no-untyped-def]
    paper, _, done = fronts
    for lang, rendered in done.items():
        sizes = [size for _, size, _ in glyphs(front_page(rendered))]
        assert sizes, lang
        assert min(sizes) >= 9 - 0.01, f"{paper} {lang}: front text at {min(sizes):.2f} pt"


def test_front_text_stays_an_eighth_inch_inside_the_trim(fronts) -> None:  # type: ignore[no-untyped-def]
    paper, _, done = fronts
    for lang, rendered in done.items():
        page = front_page(rendered)
        width, height = page.get_size()
        for char, _, (left, bottom, right, top) in glyphs(page):
            edges = {"left": left, "bottom": bottom, "right": width - right, "top": height - top}
            for side, gap in edges.items():
                assert gap * PT_TO_MM >= SAFE_MM - 0.01, (
                    f"{paper} {lang}: {char!r} {gap * PT_TO_MM:.2f} mm from the {side} trim")


def test_steps_are_four_or_five_with_vector_pictures(fronts) -> None:  # type: ignore[no-untyped-def]
    paper, project, done = fronts
    for lang, rendered in done.items():
        steps = project.languages[lang].materials["wallet-card"]["front"]["steps"]
        assert 4 <= len(steps) <= 5, lang
        page = front_page(rendered)
        kinds = [obj.type for obj in page.get_objects(max_depth=4)]
        assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in kinds, f"{paper} {lang}: a raster image"
        icons = [
            obj for obj in page.get_objects(max_depth=4)
            if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH and _colour(obj) == PRIMARY
        ]
        # Each step's picture is drawn in the primary colour, in the steps' column.
        tops = {round(obj.get_bounds()[3]) for obj in icons}
        assert len(icons) >= 2 * len(steps) and len(tops) >= len(steps), (
            f"{paper} {lang}: {len(icons)} primary-coloured paths")
        text = re.sub(r"[\s\u2060\u00a0*]", "", page.get_textpage().get_text_range())
        for step in steps:
            plain = re.sub(r"[\s\u2060\u00a0*]", "", step["text"])
            if lang != "ar":  # Arabic is shaped: its PDF text is presentation forms
                assert plain in text, f"{paper} {lang}: step {step['text']!r} not on the card"


def _colour(obj: pypdfium2.PdfObject) -> tuple[int, int, int]:
    r, g, b, a = (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint())
    if pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a) and a.value:
        fill = (r.value, g.value, b.value)
        if fill == PRIMARY:
            return fill
    pdfium_c.FPDFPageObj_GetStrokeColor(obj, r, g, b, a)
    return (r.value, g.value, b.value)


def test_no_last_line_of_one_word(fronts) -> None:  # type: ignore[no-untyped-def]
    """No sign, step or heading ends on a line holding one word (one or two CJK characters).
    A Korean word is a run of Hangul between spaces: it breaks nowhere else."""
    paper, _, done = fronts
    for lang, rendered in done.items():
        box = rendered.document.pages[0]._page_box
        for item in _items(box):
            lines = [re.sub(r"[\u2066-\u2069\u2060]", "", "".join(_texts(line))).strip()
                     for line in _lines(item)]
            lines = [line for line in lines if line]
            if len(lines) < 2:
                continue
            last = lines[-1]
            if CJK.search(last):
                alone = len(re.sub(r"[\s\u3000-\u303f\uff00-\uffef]", "", last)) <= 2
            else:
                alone = len(last.split()) == 1
            assert not alone, f"{paper} {lang}: {item.element_tag} ends on {last!r}: {lines}"


def _items(box):  # type: ignore[no-untyped-def]
    if getattr(box, "element_tag", None) in ("li", "h1", "h2") and hasattr(box, "children") \
            and type(box).__name__ != "LineBox":
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _items(child)


def _lines(box):  # type: ignore[no-untyped-def]
    if type(box).__name__ == "LineBox":
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child)


def _texts(box):  # type: ignore[no-untyped-def]
    if type(box).__name__ == "TextBox":
        yield box.text
    for child in getattr(box, "children", ()):
        yield from _texts(child)


def test_a_long_translation_is_fitted_down_not_refused(tmp_path: Path) -> None:
    """The front is fitted: a much longer step shrinks the front's type, to no less than 8 pt."""
    root = copy_project(tmp_path / "proj")
    content = root / "content" / "en" / "wallet-card.yaml"
    content.write_text(
        content.read_text(encoding="utf-8").replace(
            "Stay until help comes.", "Stay with them until help comes, and keep them warm."),
        encoding="utf-8",
    )
    project = load_project(root)
    [job] = plan_jobs(project, Selection(("east-harbor",), ("en",), ("wallet-card",)))
    rendered = render.Renderer(project).render(job)
    assert rendered.ok and rendered.pages == 2
    notes = [p.message for p in rendered.problems if "overdose steps set at" in p.message]
    assert notes, [p.message for p in rendered.problems]
    sizes = [size for _, size, _ in glyphs(front_page(rendered))]
    assert 8 - 0.01 <= min(sizes) < 9


def test_korean_lines_break_only_between_words(fronts) -> None:  # type: ignore[no-untyped-def]
    """UAX #14 allows a break between any two Hangul syllables; Korean is written with spaces
    and must break only there (typeset.keep_hangul_words): each word of the source is whole
    on some line."""
    paper, _, done = fronts
    invisible = re.compile(r"[\u2066-\u2069\u2060*]")
    box = done["ko"].document.pages[0]._page_box
    wrapped = 0
    for item in _items(box):
        lines = [invisible.sub("", "".join(_texts(line))) for line in _lines(item)]
        source = invisible.sub("", "".join(item.element.itertext()))
        on_lines = set(" ".join(lines).split())
        split = [word for word in source.split() if word not in on_lines]
        assert not split, f"{paper} ko: {split} broken across lines: {lines}"
        wrapped += len([line for line in lines if line.strip()]) > 1
    assert wrapped, "no Korean item wraps: the test sees nothing"
