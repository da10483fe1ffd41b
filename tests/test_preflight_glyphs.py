"""The glyphs check fed a few lines of text laid out by WeasyPrint (the project's Noto Sans
from assets/fonts, Thai falling back to the installed Noto Sans Thai, private-use characters
no font has) and walked into ``Text`` records, with the location row and content files it
names built by hand. Each test lays out one short page (a few hundredths of a second) and
checks every finding exactly. The mutation guards of ``preflight.glyphs``; test_preflight.py
checks the same findings end to end on the rendered sample.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_preflight_checks import JOB, text

from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.glyphs import _characters, _context, glyph_problems
from makeprint_engine.preflight.layout import Doc, Layout, Text, walk

ROOT = Path(__file__).resolve().parent.parent
FACES = """
@font-face { font-family: "Noto Sans"; src: url("assets/fonts/NotoSans-Regular.ttf");
             font-weight: 400; font-style: normal; }
@font-face { font-family: "Noto Sans"; src: url("assets/fonts/NotoSans-Bold.ttf");
             font-weight: 700; font-style: normal; }
@font-face { font-family: "Noto Sans"; src: url("assets/fonts/NotoSans-Italic.ttf");
             font-weight: 400; font-style: italic; }
@font-face { font-family: "Noto Sans Display"; src: url("assets/fonts/NotoSansDisplay-Bold.ttf");
             font-weight: 700; font-style: normal; }
@font-face { font-family: "Card Face"; src: url("assets/fonts/NotoSans-Regular.ttf"); }
@page { size: 300mm 300mm; margin: 10mm }
body { font-family: "Noto Sans"; font-size: 10pt }
h1 { font-family: "Noto Sans Display", "Noto Sans", sans-serif; font-weight: 700 }
"""
NO_FONT = "\ue000"  # private use: no font has it
KO_KAI = "U+0E01 thai character ko kai “ก”"
DATA_HINT = (
    "remove or replace the character in the location data or content, or name a font that "
    "has it in the language's language.yaml (fonts:) and the stylesheet"
)
FILE_HINT = (
    "remove or replace the character there, or name a font that has it in the language's "
    "language.yaml (fonts:) and the stylesheet"
)
GENERICS = ["serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "emoji",
            "math", "fangsong", "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded"]


def shaped(body: str) -> list[Text]:
    """The text records of ``body`` laid out on one page with the project's fonts."""
    import weasyprint

    from makeprint_engine.render import captured_weasyprint_log

    html = f"<html><style>{FACES}</style><body>{body}</body></html>"
    with captured_weasyprint_log():
        document = weasyprint.HTML(string=html, base_url=str(ROOT) + "/").render()
    return walk(document).texts


def project(
    *, fonts: list[str] | None = None, location: object = None, root: Path | None = None
) -> SimpleNamespace:
    root = root or Path("/nonexistent-project")
    languages = {}
    if fonts is not None:
        languages["en"] = SimpleNamespace(fonts=fonts, folder=root / "content" / "en")
    return SimpleNamespace(
        languages=languages,
        locations=[location] if location else [],
        root=root,
        content_dir=root / "content",
    )


def check(
    texts: list[Text], cache: dict[Any, Any] | None = None, **kw: Any
) -> list[Finding]:
    doc = Doc(project(**kw), SimpleNamespace(job=JOB), Layout(texts, []))  # type: ignore[arg-type]
    if cache is not None:
        doc.cache = cache
    return glyph_problems(doc)


def finding(message: str, *, element: str = "p.a", page: int = 1, region: str | None = None,
            text: str, hint: str = DATA_HINT, path: str | None = None,
            line: int | None = None) -> Finding:
    return Finding(message, check="glyphs", location="east-harbor", lang="en",
                   material="wallet-card", page=page, element=element, region=region,
                   text=text, hint=hint, path=path, line=line)


def location(*raw: tuple[str, str], slug: str = "east-harbor") -> SimpleNamespace:
    return SimpleNamespace(slug=slug, raw=raw, source="content/locations.csv", line=3)


# --- characters every font of the design draws ----------------------------------------------


def test_text_the_design_s_fonts_draw() -> None:
    texts = shaped(
        '<p class="a">Call us, day or night: (410) 555-0142</p>'
        "<h1>East Harbor Drop-In Center</h1>"
        # Family names are matched without regard to case, as CSS does.
        "<p style=\"font-family: 'noto sans'\">café</p>"
        "<p style=\"font-family: 'Card Face', serif\">abc</p>"
    )
    assert [t.text for t in texts] == [
        "Call us, day or night: (410) 555-0142", "East Harbor Drop-In Center", "café", "abc"]
    assert check(texts) == []


def test_a_font_the_language_names_is_part_of_the_design() -> None:
    thai = '<p class="a">Call ก now</p>'
    assert check(shaped(thai), fonts=["Noto Sans Thai"]) == []
    assert check(shaped(thai), fonts=["NOTO SANS THAI"]) == []
    # Another language's font, or no language.yaml for the document's language: not allowed.
    assert len(check(shaped(thai), fonts=["Noto Sans Arabic"])) == 1
    assert len(check(shaped(thai))) == 1


def test_texts_not_printed_are_not_shaped() -> None:
    (hidden,) = shaped(f'<p class="a">ab {NO_FONT}</p>')
    assert check([replace(hidden, visible=False)]) == []
    # ... and the texts after them still are.
    (shown,) = check([replace(hidden, visible=False), text("\u2060 ", box=None), hidden])
    assert shown.text == f"ab {NO_FONT}"
    # Only spaces and invisible marks: no box is even looked at.
    assert check([text(" \u2068\u00a0\u200b\u2069 ", box=None)]) == []


# --- characters no font has -----------------------------------------------------------------


def test_a_character_no_font_has() -> None:
    texts = shaped(f'<div data-fit="card back"><p class="a">ab {NO_FONT} cd</p></div>')
    assert check(texts) == [
        finding(
            f"U+E000 “{NO_FONT}” has no glyph in any font (Noto Sans or the fallbacks) and "
            f"would print as an empty box, in “ab {NO_FONT} cd”",
            region="card back",
            text=f"ab {NO_FONT} cd",
        )
    ]


def test_several_characters_of_one_element_are_one_finding() -> None:
    texts = shaped(
        '<p class="a">\ue001\ue000</p><p class="a">x \ue002 \ue000 \ue001</p>'
        "<h1>Center \ue003</h1>"
    )
    first, second = check(texts)
    assert first == finding(
        "3 characters (U+E000 “\ue000”, U+E001 “\ue001”, U+E002 “\ue002”) have no glyph in "
        "any font (Noto Sans or the fallbacks) and would print as an empty box, in "
        "“\ue001\ue000”",
        text="\ue001\ue000 / x \ue002 \ue000 \ue001",
    )
    assert second == finding(
        "U+E003 “\ue003” has no glyph in any font (Noto Sans Display, Noto Sans or the "
        "fallbacks) and would print as an empty box, in “Center \ue003”",
        element="h1",
        text="Center \ue003",
    )


def test_the_same_element_on_another_page_is_another_finding() -> None:
    (one,) = shaped(f'<p class="a">ab {NO_FONT}</p>')
    (two,) = shaped(f'<p class="a">cd {NO_FONT}</p>')
    message = (f"U+E000 “{NO_FONT}” has no glyph in any font (Noto Sans or the fallbacks) and "
               "would print as an empty box, in ")
    assert check([one, replace(two, page=2)]) == [
        finding(message + f"“ab {NO_FONT}”", text=f"ab {NO_FONT}"),
        finding(message + f"“cd {NO_FONT}”", page=2, text=f"cd {NO_FONT}"),
    ]
    assert check([one, replace(two, element="p.b")]) == [
        finding(message + f"“ab {NO_FONT}”", text=f"ab {NO_FONT}"),
        finding(message + f"“cd {NO_FONT}”", element="p.b", text=f"cd {NO_FONT}"),
    ]


def test_more_than_six_characters_are_counted() -> None:
    chars = "".join(chr(0xE000 + i) for i in range(8))
    (found,) = check(shaped(f'<p class="a">{chars}</p>'))
    listed = ", ".join(f"U+{0xE000 + i:04X} “{chr(0xE000 + i)}”" for i in range(6))
    assert found.message == (
        f"8 characters ({listed} and 2 more) have no glyph in any font (Noto Sans or the "
        f"fallbacks) and would print as an empty box, in “{chars}”"
    )


# --- characters drawn by a font the design does not name --------------------------------------


def test_a_character_drawn_by_a_fallback_font() -> None:
    assert check(shaped('<p class="a">Call ก now</p>')) == [
        finding(
            f"{KO_KAI} is not in the design's font (Noto Sans) and was drawn with Noto Sans "
            "Thai instead, in “Call ก now”",
            text="Call ก now",
        )
    ]


def test_several_characters_drawn_by_a_fallback_font() -> None:
    # Each character once, in the order printed; the space in the Thai run is not listed.
    (found,) = check(shaped("<h1>ab กขก cd ข</h1>"))
    assert found == finding(
        "2 characters (U+0E01 “ก”, U+0E02 “ข”) are not in the design's font (Noto Sans "
        "Display, Noto Sans) and were drawn with Noto Sans Thai instead, in “ab กขก cd ข”",
        element="h1",
        text="ab กขก cd ข",
    )


def test_a_fallback_and_a_missing_character_in_one_text() -> None:
    assert check(shaped(f'<p class="a">ก{NO_FONT} ข</p>')) == [
        finding(
            "2 characters (U+0E01 “ก”, U+0E02 “ข”) are not in the design's font (Noto Sans) "
            f"and were drawn with Noto Sans Thai instead, in “ก{NO_FONT} ข”",
            text=f"ก{NO_FONT} ข",
        ),
        finding(
            f"U+E000 “{NO_FONT}” has no glyph in any font (Noto Sans or the fallbacks) and "
            f"would print as an empty box, in “ก{NO_FONT} ข”",
            text=f"ก{NO_FONT} ข",
        ),
    ]


def test_a_page_set_only_in_a_generic_family() -> None:
    """No family named: every character is the fallback's, but not one that has no glyph."""
    texts = shaped(f'<p class="a" style="font-family: sans-serif">x{NO_FONT}</p>')
    missing, fallback = check(texts)
    assert missing == finding(
        f"U+E000 “{NO_FONT}” has no glyph in any font (the page's font or the fallbacks) and "
        f"would print as an empty box, in “x{NO_FONT}”",
        text=f"x{NO_FONT}",
    )
    prefix = ("U+0078 latin small letter x “x” is not in the design's font (the page's font) "
              "and was drawn with ")
    assert fallback.message.startswith(prefix)
    assert fallback.message.endswith(f" instead, in “x{NO_FONT}”")
    assert fallback == replace(missing, message=fallback.message)


@pytest.mark.parametrize("generic", [*GENERICS, "SANS-SERIF"])
def test_generic_families_are_not_named_as_the_design(generic: str) -> None:
    texts = shaped(f"<p class=\"a\" style=\"font-family: 'Noto Sans', {generic}\">ก</p>")
    assert check(texts) == [
        finding(
            f"{KO_KAI} is not in the design's font (Noto Sans) and was drawn with Noto Sans Thai "
            "instead, in “ก”",
            text="ก",
        )
    ]


# --- where the character came from ----------------------------------------------------------


def test_the_location_column_the_character_is_in() -> None:
    texts = shaped(f'<p class="a">East ก Harbor {NO_FONT}</p>')
    row = location(("city", "Baltimore"), ("name", f"East ก Harbor {NO_FONT}"), ("note", "ก"))
    fallback, missing = check(texts, location=row)
    assert fallback == finding(
        f"{KO_KAI} is not in the design's font (Noto Sans) and was drawn with Noto Sans Thai "
        f"instead, in “East ก Harbor {NO_FONT}” (the location's column 'name')",
        text=f"East ก Harbor {NO_FONT}",
        path="content/locations.csv",
        line=3,
        hint="remove or replace the character in column 'name', or add its script's Noto "
        "family to makeprint_engine/scripts.py",
    )
    assert missing == replace(
        fallback,
        message=f"U+E000 “{NO_FONT}” has no glyph in any font (Noto Sans or the fallbacks) and "
        f"would print as an empty box, in “East ก Harbor {NO_FONT}” (the location's column "
        "'name')",
        hint="remove or replace the character in column 'name'",
    )


def test_another_location_s_row_is_not_looked_at() -> None:
    texts = shaped('<p class="a">East ก Harbor</p>')
    message = (f"{KO_KAI} is not in the design's font (Noto Sans) and was drawn with Noto Sans "
               "Thai instead, in “East ก Harbor”")
    expected = [finding(message, text="East ก Harbor")]
    assert check(texts, location=location(("name", "East ก Harbor"), slug="west-end")) == expected
    # This location, but the character is not in its row.
    assert check(texts, location=location(("name", "East Harbor"))) == expected


def write(path: Path, *lines: str, bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")


def source_of(tmp_path: Path, language: bool = True) -> tuple[object, object, str | None]:
    fonts = ["Noto Sans"] if language else None
    (found,) = check(shaped('<p class="a">Call ก now</p>'), root=tmp_path, fonts=fonts)
    return found.path, found.line, found.hint


def test_the_content_file_line_the_character_is_on(tmp_path: Path) -> None:
    assert source_of(tmp_path) == (None, None, DATA_HINT)
    content = tmp_path / "content"
    write(content / "hotlines.yaml", "a: b", "c: d", "e: ก")
    assert source_of(tmp_path) == ("content/hotlines.yaml", 3, FILE_HINT)
    write(content / "organization.yaml", "name: ก")
    assert source_of(tmp_path) == ("content/organization.yaml", 1, FILE_HINT)
    write(content / "en" / "wallet-card.yaml", "title: x", "call: ก")
    assert source_of(tmp_path) == ("content/en/wallet-card.yaml", 2, FILE_HINT)
    # Another material's file is not looked at; without a language.yaml neither are its files.
    write(content / "en" / "poster.yaml", "ก")
    write(content / "en" / "common.yaml", "a: b", "ก: c", "ก")
    assert source_of(tmp_path) == ("content/en/common.yaml", 2, FILE_HINT)
    assert source_of(tmp_path, language=False) == ("content/organization.yaml", 1, FILE_HINT)
    write(content / "en" / "common.yaml", "ก", bom=True)
    assert source_of(tmp_path) == ("content/en/common.yaml", 1, FILE_HINT)


def test_the_location_row_before_the_content_files(tmp_path: Path) -> None:
    write(tmp_path / "content" / "en" / "common.yaml", "ก")
    texts = shaped('<p class="a">Call ก now</p>')
    (found,) = check(texts, root=tmp_path, fonts=[], location=location(("name", "Call ก now")))
    assert (found.path, found.line) == ("content/locations.csv", 3)


# --- shaping once per text and font settings -----------------------------------------------------


def test_runs_are_kept_by_text_and_font_settings() -> None:
    texts = shaped(
        f'<p class="a">ab {NO_FONT}</p>'
        '<p lang="th" style="font-weight: 700; font-style: italic; font-stretch: condensed">'
        "ab กข</p>"
    )
    cache: dict[Any, Any] = {}
    check(texts, cache=cache)
    assert cache == {
        ("glyphs", f"ab {NO_FONT}", ("Noto Sans",), 400, "normal", "normal", "None"): [
            ("Noto Sans", f"ab {NO_FONT}", frozenset({NO_FONT})),
        ],
        ("glyphs", "ab กข", ("Noto Sans",), 700, "italic", "condensed", "th"): [
            ("Noto Sans", "ab ", frozenset()),
            ("Noto Sans Thai", "กข", frozenset()),
        ],
    }


def test_runs_kept_from_another_document_are_used() -> None:
    (ab,) = shaped('<p class="a">ab</p>')
    key = ("glyphs", "ab", ("Noto Sans",), 400, "normal", "normal", "None")
    cache = {key: [("Other Face", "ab", frozenset({"b"}))]}
    assert check([ab], cache=cache) == [
        finding("U+0062 latin small letter b “b” has no glyph in any font (Noto Sans or the "
                "fallbacks) and would print as an empty box, in “ab”", text="ab"),
        finding("U+0061 latin small letter a “a” is not in the design's font (Noto Sans) and "
                "was drawn with Other Face instead, in “ab”", text="ab"),
    ]


@pytest.mark.parametrize(("kept", "added"), [(49_999, True), (50_000, False)])
def test_at_most_fifty_thousand_texts_are_kept(kept: int, added: bool) -> None:
    (ab,) = shaped('<p class="a">ab</p>')
    cache: dict[Any, Any] = {i: [] for i in range(kept)}
    assert check([ab], cache=cache) == []
    key = ("glyphs", "ab", ("Noto Sans",), 400, "normal", "normal", "None")
    assert (key in cache) is added
    assert len(cache) == kept + added


# --- the message's parts ------------------------------------------------------------------------


def test_characters_named() -> None:
    assert _characters(["é"]) == "U+00E9 latin small letter e with acute “é”"
    assert _characters(["\U0001f642"]) == "U+1F642 slightly smiling face “\U0001f642”"
    assert _characters([NO_FONT]) == f"U+E000 “{NO_FONT}”"
    assert _characters(["a", "\u0301"]) == "2 characters (U+0061 “a”, U+0301 “\u0301”)"
    six = [chr(0x41 + i) for i in range(6)]
    assert _characters(six) == (
        "6 characters (U+0041 “A”, U+0042 “B”, U+0043 “C”, U+0044 “D”, U+0045 “E”, U+0046 “F”)"
    )
    assert _characters([*six, "G"]) == (
        "7 characters (U+0041 “A”, U+0042 “B”, U+0043 “C”, U+0044 “D”, U+0045 “E”, U+0046 “F” "
        "and 1 more)"
    )


def test_the_context_of_a_character() -> None:
    # Short texts whole, spaces collapsed and invisible marks left out.
    assert _context("  East \u2068Harbor\u2069\n  Center ", "H") == "East Harbor Center"
    forty = "a" * 19 + "ก" + "b" * 20
    assert _context(forty, "ก") == forty
    assert _context(forty.replace("ก", "b"), "a") == forty.replace("ก", "b")
    assert _context("b" * 30 + "ก" + "c" * 9, "ก") == "b" * 30 + "ก" + "c" * 9
    line = "".join(chr(0x41 + i % 26) for i in range(60))  # ABC…Z ABC…Z ABC…H
    # 40 characters around it: from the start, from the middle, to the end.
    assert _context(line, "C") == line[:40] + "…"
    assert _context(line, "A") == line[:40] + "…"
    assert _context("x" * 20 + "ก" + "y" * 40, "ก") == "x" * 20 + "ก" + "y" * 19 + "…"
    assert _context("x" * 21 + "ก" + "y" * 40, "ก") == "…" + "x" * 20 + "ก" + "y" * 19 + "…"
    assert _context("x" * 40 + "ก" + "y" * 19, "ก") == "…" + "x" * 20 + "ก" + "y" * 19
    assert _context("x" * 40 + "ก" + "y" * 20, "ก") == "…" + "x" * 20 + "ก" + "y" * 19 + "…"
    # Not in the text (a character of its own run): the text whole.
    assert _context(line, "ก") == line
