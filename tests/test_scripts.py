"""Names and addresses in any script: fonts, bidi isolation, subsets, slugs, the glyph check."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from conftest import copy_project, manifest, pdf_text, run_cli
from hypothesis import given
from hypothesis import strategies as st

from makeprint_engine.fields import slugify
from makeprint_engine.scripts import fallback_fonts

MATERIALS = ("wallet-card", "flyer", "pamphlet")
# slug it must get, name, city, the Noto family its script must be printed in
PLACES = [
    ("huabushequjiankangzhongxin", "华埠社区健康中心", "New York", "Noto-Sans-CJK-SC"),
    ("dongjingkurinitku", "東京クリニック", "Torrance", "Noto-Sans-CJK-JP"),
    ("seoul-geongang-senteo", "서울 건강 센터", "Los Angeles", "Noto-Sans-CJK-KR"),
    ("mrkz-lhd-mn-ldrr-dearborn", "مركز الحد من الضرر — Dearborn", "ديربورن", "Noto-Sans-Arabic"),
    ("mrkhz-vryvt", "מרכז בריאות", "Baltimore", "Noto-Sans-Hebrew"),
    ("tsentr-zdorovya", "Центр здоровья", "Brooklyn", "Noto-Sans"),
    ("kentro-ygeias", "Κέντρο Υγείας", "Astoria", "Noto-Sans"),
    ("svasthy-kemdr", "स्वास्थ्य केंद्र", "Edison", "Noto-Sans-Devanagari"),
    ("sunysukhphaph", "ศูนย์สุขภาพ", "Los Angeles", "Noto-Sans-Thai"),
]
LATIN_FACES = {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic", "Noto-Sans-Display-Bold"}
HEADER = [
    "slug",
    "name",
    "street",
    "city",
    "region",
    "postal_code",
    "phone",
    "intake_url",
    "hours",
    "services",
    "languages",
]


def write_locations(root: Path, rows: list[dict[str, str]]) -> None:
    with (root / "content" / "locations.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" for k in HEADER} | row)


def place(name: str, city: str = "Baltimore", **more: str) -> dict[str, str]:
    return {
        "name": name,
        "street": "1200 Eastern Ave",
        "city": city,
        "region": "MD",
        "postal_code": "21224",
        "phone": "(410) 555-0142",
        "intake_url": "https://example.org/intake",
        "hours": "Mon-Fri 09:00-17:00",
        "services": "naloxone;wound-care",
        "languages": "en;es",
    } | more


@pytest.fixture(scope="module")
def scripts_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """en and es wallet cards, flyers and pamphlets for a place in each script (no slugs)."""
    root = copy_project(tmp_path_factory.mktemp("scripts") / "proj")
    write_locations(root, [place(name, city) for _, name, city, _ in PLACES])
    result = run_cli("build", "--project", str(root), "-j", "2")
    assert result.exit_code == 0, result.output
    return root


def fonts_of(path: Path) -> dict[str, int]:
    """Every embedded font's PDF name and the compressed size of its font program."""
    found = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                files = ("/FontFile2", "/FontFile3", "/FontFile")
                program = next(descriptor[k] for k in files if k in descriptor)
                found[str(font.BaseFont)[1:]] = len(program.read_raw_bytes())
    return found


def visible(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def test_every_document_builds_with_the_slug_made_from_its_name(scripts_build: Path) -> None:
    files = {entry["path"] for entry in manifest(scripts_build)}
    for slug, *_ in PLACES:
        for lang in ("en", "es"):
            for material in MATERIALS:
                assert f"{slug}/{lang}/{material}.pdf" in files


@pytest.mark.parametrize(("slug", "name", "city", "family"), PLACES, ids=[p[0] for p in PLACES])
def test_name_is_printed_in_its_scripts_noto_face_as_a_subset(
    scripts_build: Path, slug: str, name: str, city: str, family: str
) -> None:
    for lang in ("en", "es"):
        for material in MATERIALS:
            path = scripts_build / "output" / slug / lang / f"{material}.pdf"
            # PDFium puts a space inside "केंद्र", where the anusvara's mark overhangs
            text = "".join(visible(" ".join(pdf_text(path))).split())
            assert "".join(name.split()) in text, (path, name)
            fonts = fonts_of(path)
            for font in fonts:
                assert re.match(r"^[A-Z]{6}\+", font), f"{font} in {path} is not a subset"
            extra = {font.split("+", 1)[1] for font in fonts} - LATIN_FACES
            if family == "Noto-Sans":  # Greek and Cyrillic: the design's own face
                assert not extra, (path, extra)
            else:  # the script's face, nothing left to fontconfig's pick (such as DejaVu)
                assert extra and all(face.startswith(family) for face in extra), (path, extra)


def test_a_chinese_name_on_an_english_card_embeds_only_its_own_glyphs(
    scripts_build: Path,
) -> None:
    path = scripts_build / "output" / PLACES[0][0] / "en" / "wallet-card.pdf"
    fonts = fonts_of(path)
    cjk = [name for name in fonts if "CJK" in name]
    assert len(cjk) == 1 and re.match(r"^[A-Z]{6}\+Noto-Sans-CJK-SC-Bold$", cjk[0])
    with pikepdf.open(path) as pdf:
        for font in pdf.pages[1].Resources.Font.values():
            if "CJK" in str(font.BaseFont):
                widths = font.DescendantFonts[0].W
                # one width per glyph printed: the 8 characters of the name (pairs of
                # "first [widths]" or "first last width")
                count = sum(len(w) for w in widths if isinstance(w, pikepdf.Array))
                assert count <= 8
    # The CJK font file is ~19 MB; its subset keeps 8 outlines. WeasyPrint keeps glyph IDs
    # (empty glyphs up to the highest one used), which is most of what is left: measured
    # 55.6 KB compressed, the whole card 77 KB (a Latin card: 24 KB).
    assert fonts[cjk[0]] < 64_000
    assert path.stat().st_size < 96_000


def test_a_right_to_left_name_and_city_keep_their_neighbours_in_an_english_card(
    scripts_build: Path,
) -> None:
    path = scripts_build / "output" / PLACES[3][0] / "en" / "wallet-card.pdf"
    doc = pypdfium2.PdfDocument(str(path))
    try:
        textpage = doc[1].get_textpage()
        text = textpage.get_text_range()

        def span(word: str) -> tuple[float, float]:
            """Left and right edge of a word as printed (PDFium gives text in logical order)."""
            start = text.index(word)
            boxes = [textpage.get_charbox(i) for i in range(start, start + len(word))]
            return min(b[0] for b in boxes), max(b[2] for b in boxes)

        # The name reads right to left: "Dearborn", which comes last, sits left of the Arabic.
        assert span("Dearborn")[1] < span("—")[0] <= span("—")[1] < span("مركز")[0]
        # The city is Arabic but the line is an English address: state and ZIP stay after it.
        assert span("ديربورن")[1] < span("MD")[0] < span("21224")[0]
        # The phone number stays whole, left to right, after its label.
        assert span("Call")[1] < span("(410) 555-0142")[0]
    finally:
        doc.close()
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/Title"]).endswith("\u2068مركز الحد من الضرر — Dearborn\u2069")


def test_a_japanese_name_in_a_chinese_document_keeps_the_languages_face() -> None:
    assert fallback_fonts(["東京クリニック"], ["Noto Sans CJK SC"]) == []
    assert fallback_fonts(["東京クリニック"]) == ["Noto Sans CJK JP"]
    assert fallback_fonts(["华埠"]) == ["Noto Sans CJK SC"]
    assert fallback_fonts(["서울"]) == ["Noto Sans CJK KR"]
    assert fallback_fonts(["East Harbor", "Москва", "Αθήνα"]) == []
    assert fallback_fonts(["مركز", "מרכז"], ["Noto Sans Arabic"]) == ["Noto Sans Hebrew"]


@pytest.mark.parametrize(
    ("char", "expected"),
    [
        ("\ue000", "has no glyph in any font"),  # private use: no installed font has it
        ("\U00010000", "was drawn with Noto Sans Linear B instead"),  # no fallback listed
    ],
)
def test_a_character_no_listed_font_has_still_fails_naming_the_column(
    project: Path, char: str, expected: str
) -> None:
    write_locations(project, [place(f"Clinic {char}", slug="clinic", languages="en")])
    result = run_cli("build", "--project", str(project), "-j", "1", "-m", "wallet-card")
    assert result.exit_code == 1
    assert expected in result.output
    assert "(the location's column 'name')" in result.output
    assert "remove or replace the character in column 'name'" in result.output
    assert not (project / "output" / "clinic" / "en" / "wallet-card.pdf").exists()


# --- slugs -----------------------------------------------------------------------------------


def slug_as_before(text: str) -> str:
    """slugify as it was before transliteration: the rule every existing output path follows."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", without_marks.lower()).strip("-")


LATIN = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Nd", "Zs", "Po", "Pd", "Ps", "Pe", "So"),
).filter(lambda c: c.isascii() or unicodedata.name(c, "").startswith(("LATIN", "COMBINING")))


@given(st.text(LATIN, max_size=40))
def test_latin_names_keep_the_slugs_they_had(name: str) -> None:
    assert slugify(name) == slug_as_before(name)


@pytest.mark.parametrize(
    "name",
    [
        "East Harbor Drop-In Center",
        "Clínica Ñandú — Peña & Hijos",
        "Søren Straße",
        "St. Mary's #2",
        "Ōsaka 2",
        "ﬁve ①",
        "Œuvre Łódź",
    ],
)
def test_sample_latin_names_keep_their_slugs(name: str) -> None:
    assert slugify(name) == slug_as_before(name)


def test_a_name_with_nothing_to_spell_a_slug_asks_for_one(project: Path) -> None:
    write_locations(project, [place("💉 🏥", languages="en")])
    result = run_cli("check", "--project", str(project))
    assert result.exit_code == 1
    assert "content/locations.csv:2: column 'slug': cannot make a slug from the name" in (
        result.output
    )
    assert "fill in this row's slug" in result.output
