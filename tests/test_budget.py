"""Space budgets: measured on the real English layout, said in the export, checked at import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conftest import run_cli, snapshot
from translate.storage import xliff
from translate.storage.pypo import pofile

from makeprint_engine.budget import MM_PER_PX, location_slug
from makeprint_engine.plan import Job
from makeprint_engine.project import load_project
from makeprint_engine.render import Renderer

NOTE = "wallet-card:back.hotline_note"
STEP = "wallet-card:front.steps[1].text"  # on the card's front: a tight box


def _export(root: Path, out: Path) -> None:
    result = run_cli("translations", "export", "--project", str(root), "--lang", "es",
                     "-o", str(out))
    assert result.exit_code == 0, result.output


def _boxes(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def test_the_budget_in_the_export_is_the_laid_out_box(project: Path, tmp_path: Path) -> None:
    xlf, po = tmp_path / "es.xlf", tmp_path / "es.po"
    _export(project, xlf)
    _export(project, po)
    units = {u.xmlelement.get("id"): u for u in xliff.xlifffile.parsestring(xlf.read_bytes())
             .unit_iter()}
    note = units[NOTE].getnotes()
    assert "wallet-card, page 2, hotline note: box " in note
    said = float(re.search(r"hotline note: box (\d+) mm wide", note)[1])

    # The same box on the wallet card as build renders it (no spans naming the strings).
    proj = load_project(project, partial_translations=True)
    rendered = Renderer(proj).render(Job(location_slug(proj), "en", "wallet-card"))
    assert rendered.ok, rendered.problems
    (box,) = [b for page in rendered.document.pages for b in _boxes(page._page_box)
              if type(b).__name__ == "BlockBox" and b.element_tag == "p"
              and "hotline-note" in (b.element.get("class") or "")]
    assert abs(box.width * MM_PER_PX - said) <= 1.0, (box.width * MM_PER_PX, said)

    # A tight box: XLIFF's size restriction, and the same figure in the PO's comment.
    step = units[STEP].xmlelement
    assert step.get("size-unit") == "char"
    most = int(step.get("maxwidth"))
    assert 20 < most < 200
    assert f"keep under about {most} characters" in units[STEP].getnotes()
    (entry,) = [u for u in pofile.parsestring(po.read_bytes()).units if u.getcontext() == STEP]
    comment = " ".join(entry.getnotes("developer").split())
    assert f"keep under about {most} characters (an estimate" in comment
    assert "overdose steps: box 41 mm wide; the English uses 2 of 2 lines" in comment
    assert units[NOTE].xmlelement.get("maxwidth") is None  # room to spare: no limit


def test_a_translation_too_long_to_fit_is_refused_with_its_budget(
    project: Path, tmp_path: Path
) -> None:
    po = tmp_path / "es.po"
    _export(project, po)
    store = pofile.parsestring(po.read_bytes())
    (unit,) = [u for u in store.units if u.getcontext() == NOTE]
    unit.target = " ".join([unit.target] * 8)
    po.write_bytes(bytes(store))
    before = snapshot(project / "content")
    result = run_cli("translations", "import", "--project", str(project), str(po))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert f"{NOTE}: does not fit: the wallet-card leaves it out to make room" in text
    assert "the translation is 279 characters" in text
    assert "hotline note: box 61 mm wide; the English uses 1 line" in text
    assert "shorten it and import again; nothing was written" in text
    assert snapshot(project / "content") == before


def test_a_tight_string_that_overflows_says_how_much_over_its_budget(
    project: Path, tmp_path: Path
) -> None:
    xlf = tmp_path / "es.xlf"
    _export(project, xlf)
    raw = xlf.read_text(encoding="utf-8")
    store = xliff.xlifffile.parsestring(raw.encode())
    (unit,) = [u for u in store.unit_iter() if u.xmlelement.get("id") == STEP]
    unit.target = " ".join([unit.target] * 4)
    xlf.write_bytes(bytes(store))
    before = snapshot(project / "content")
    result = run_cli("translations", "import", "--project", str(project), str(xlf))
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert re.search(
        re.escape(STEP) + r": does not fit: on the wallet-card \(page 1\) its box "
        r"'wallet-card front' is [\d.]+ mm too long with the type at its minimum; the "
        r"translation is \d+ characters, about \d+ more than its budget allows", text), text
    assert snapshot(project / "content") == before


def test_strings_are_named_as_the_export_names_them() -> None:
    from makeprint_engine.sources import strings
    from makeprint_engine.typeset import KeyedText, mark_keyed

    data = {"front": {"heading": "Act fast.", "steps": [{"icon": "call", "text": "**Call**"}]},
            "back": {"hotline_note": "Call or text 988, any time."}}
    named: dict[str, str] = {}

    def visit(value: Any) -> None:
        if isinstance(value, KeyedText):
            named[value.key] = str(value)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(mark_keyed(data, "wallet-card:"))
    expected = {f"wallet-card:{k}": t.text for k, t in strings(data).items()}
    del expected["wallet-card:front.steps[0].icon"]  # a file name: never in a span
    assert named == expected


def test_naming_the_strings_leaves_the_layout_as_it_is(project: Path) -> None:
    from makeprint_engine.budget import layout_units

    proj = load_project(project, partial_translations=True)
    slug = location_slug(proj)

    def lines(document: Any) -> list[tuple[float, float, float]]:
        return [(round(b.position_x, 1), round(b.position_y, 1), round(b.width, 1))
                for page in document.pages for b in _boxes(page._page_box)
                if type(b).__name__ == "LineBox"]

    for lang in ("en", "ar"):  # right to left too
        ((named, problems, printings),) = layout_units(proj, lang, ["wallet-card"]).values()
        assert not [p for p in problems if p.severity != "info"], problems
        assert {"wallet-card:front.steps[0].text", NOTE, "common:labels.scan_to_start"} <= {
            seen.unit for seen in printings}
        plain, _ = Renderer(proj).laid_out(Job(slug, lang, "wallet-card"))
        assert lines(named) == lines(plain)


def test_a_named_string_in_an_attribute_stays_in_it(project: Path) -> None:
    from html.parser import HTMLParser

    proj = load_project(project, partial_translations=True)
    renderer = Renderer(proj)
    renderer.name_units = True
    html = renderer.html(Job(location_slug(proj), "en", "pamphlet"))
    text: list[str] = []
    parser = HTMLParser()
    parser.handle_data = text.append  # type: ignore[method-assign]
    parser.feed(html)
    picture = proj.languages["en"].materials["pamphlet"]["cover"]["picture"]
    assert picture[:20] in html
    assert picture[:20] not in "".join(text)  # only in the image's alt text, never printed


def test_text_that_did_not_fit_before_either_is_imported_and_reported(
    project: Path, tmp_path: Path
) -> None:
    card = project / "content" / "es" / "wallet-card.yaml"
    text = card.read_text(encoding="utf-8")
    note = re.search(r'hotline_note: "([^"]*)"', text)[1]
    card.write_text(text.replace(note, " ".join([note] * 8)), encoding="utf-8")
    po = tmp_path / "es.po"
    _export(project, po)
    store = pofile.parsestring(po.read_bytes())
    (unit,) = [u for u in store.units if u.getcontext() == NOTE]
    unit.target = " ".join([note] * 6)  # shorter, and still too long
    po.write_bytes(bytes(store))
    result = run_cli("translations", "import", "--project", str(project), str(po))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"still does not fit: {NOTE}: does not fit: the wallet-card leaves it out" in text
    assert "(as before this import)" in text
    assert card.read_text(encoding="utf-8").count(note) == 6
