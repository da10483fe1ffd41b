"""Boxes laid out once and copied: the pamphlet's flap and the flyer's headline, hotline strip
and take-one line (the same for every location, laid out once per language); the flyer's
tear-off tabs are tested in test_flyer.py. A copy must print
exactly where WeasyPrint puts the text laying out the whole HTML, which is what anyone else is
given."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
from conftest import copy_project

from makeprint_engine.plan import Job
from makeprint_engine.project import load_project
from makeprint_engine.render import Renderer


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    return Renderer(load_project(copy_project(tmp_path_factory.mktemp("shared") / "proj")))


def _glyphs(pdf: bytes, page: int) -> list[tuple[str, tuple[float, ...]]]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        text = doc[page].get_textpage()
        return [(text.get_text_range(i, 1), tuple(round(v, 2) for v in text.get_charbox(i)))
                for i in range(text.count_chars()) if text.get_text_range(i, 1).strip()]
    finally:
        doc.close()


def _whole(renderer: Renderer, job: Job) -> bytes:
    """The document as WeasyPrint lays out the HTML anyone else is given: every box whole."""
    html = renderer.html(job)
    assert "data-shared-box=" in html
    language = renderer.project.languages[job.lang]
    styles, _ = renderer._styles(job.material, language.direction, language.font_scale)
    template = renderer.project.templates_dir / "materials" / f"{job.material}.html"
    return renderer.weasyprint.HTML(
        string=html, base_url=str(template), url_fetcher=renderer.fetcher
    ).write_pdf(font_config=renderer.fonts, stylesheets=styles)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_flap_laid_out_once_prints_where_the_whole_pamphlet_puts_it(
    renderer: Renderer, lang: str
) -> None:
    job = Job("east-harbor", lang, "pamphlet")
    rendered = renderer.render(job)
    assert rendered.ok, rendered.problems
    built = _glyphs(rendered.pdf, 0)
    flap_heading = renderer.project.languages[lang].materials["pamphlet"]["flap"]["heading"]
    assert flap_heading.replace(" ", "")[:12] in "".join(c for c, _ in built)
    assert built == _glyphs(_whole(renderer, job), 0)


@pytest.mark.parametrize(("slug", "lang"), [("east-harbor", "en"), ("riverside-clinic", "es")])
def test_the_flyer_headline_and_hotlines_laid_out_once_print_where_the_whole_flyer_puts_them(
    renderer: Renderer, slug: str, lang: str
) -> None:
    job = Job(slug, lang, "flyer")
    rendered = renderer.render(job)
    assert rendered.ok, rendered.problems
    assert not [p for p in rendered.problems if p.severity == "info"]  # fits as designed
    built = "".join(c for c, _ in _glyphs(rendered.pdf, 0))
    flyer = renderer.project.languages[lang].materials["flyer"]
    for text in (flyer["kicker"], flyer["tab_cue"]):
        assert text.replace(" ", "")[:8].lower() in built.lower()  # the kicker in capitals
    assert "988" in built and "911" in built  # the hotline strip
    assert _glyphs(rendered.pdf, 0) == _glyphs(_whole(renderer, job), 0)


def test_shared_boxes_are_laid_out_once_per_language(tmp_path: Path) -> None:
    from test_fit import counted

    renderer, parts = counted(copy_project(tmp_path / "proj"))
    for slug in ("east-harbor", "riverside-clinic"):
        assert renderer.render(Job(slug, "en", "pamphlet")).ok
        assert renderer.render(Job(slug, "en", "flyer")).ok
    assert parts.count("donor") == 2  # one a material
    assert parts.count("location") == 2 and parts.count("all") >= 2
    # Without the flap's text, a location's own layout would print none of it.
    location_html = renderer._source(Job("east-harbor", "en", "pamphlet"), "location",
                                     repeat=True)[0]
    heading = renderer.project.languages["en"].materials["pamphlet"]["flap"]["heading"]
    assert heading not in location_html
