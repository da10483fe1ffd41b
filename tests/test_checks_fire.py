"""Every check can fail: one broken input per check, and the exact finding it must give.

Each test copies the sample project, breaks one thing (a location field, a stylesheet, a
template), runs ``makeprint check`` on the one document concerned (real rendering, the PDF
rasterized and read) and compares the whole list of warnings and errors with the finding
that one change must give: its check, severity, page, element and numbers. A check that
stops firing, fires on the wrong element or measures the wrong amount fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project
from test_preflight import check_json, edit

from makeprint_engine import readability
from makeprint_engine.qr import make_qr

CARD = ("-l", "east-harbor", "--lang", "en", "-m", "wallet-card")
INTAKE = "https://example.org/intake?site=east-harbor"  # the sample card's code (no tracking)
QR_PLACE = "QR code at 69 mm from the left, 12 mm from the top"  # on the card's back
KEYS = ("check", "severity", "message", "hint", "path", "line", "location", "lang", "material",
        "page", "element", "region", "text")


def findings(root: Path, *args: str) -> tuple[int, list[dict]]:
    """Exit code and every warning and error of ``makeprint check`` on ``root``."""
    code, report = check_json(root, *args)
    return code, [{k: f[k] for k in KEYS} for f in report["findings"] if f["severity"] != "info"]


def on_card(**finding: object) -> dict:
    """A finding on the sample's English wallet card: the fields not given are empty."""
    where = {"location": "east-harbor", "lang": "en", "material": "wallet-card"}
    return {k: None for k in KEYS} | where | finding


def add_css(root: Path, material: str, css: str) -> None:
    with open(root / "templates" / "styles" / f"{material}.css", "a", encoding="utf-8") as f:
        f.write("\n" + css + "\n")


# --- overflow at the side ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "over_mm", "keep"),
    [("en", 3.5, 69), ("ar", 2.5, 70)],  # Arabic: the line is set right to left, past the left
)
def test_an_unbreakable_street_overflows_the_card_at_the_side(
    tmp_path: Path, lang: str, over_mm: float, keep: int
) -> None:
    """A word wider than its column cannot wrap: at the 8 pt minimum it still sticks out at
    the side, and the finding says "too wide" (not lines too long), naming the column."""
    root = copy_project(tmp_path / "proj")
    street = "1200 Easternavenuewithoutanyspacesatallwhatsoever"
    edit(root / "content" / "locations.csv", "1200 Eastern Ave", street)
    code, found = findings(root, "-l", "east-harbor", "--lang", lang, "-m", "wallet-card")
    assert [f for f in found if f["check"] != "translation"] == [  # Arabic is a draft
        on_card(
            check="overflow",
            severity="error",
            message="wallet-card back: location details: address (column 'street'): "
            f"{over_mm} mm too wide at the 8 pt minimum",
            hint=f"shorten it to about {keep} characters",
            path="content/locations.csv",
            line=2,
            lang=lang,
            page=2,
        )
    ]
    assert code == 1


# --- type size -------------------------------------------------------------------------------


def test_five_point_text_is_below_the_card_minimum(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    add_css(root, "wallet-card", ".call-label { font-size: 5pt; }")
    code, found = findings(root, *CARD)
    assert found == [
        on_card(
            check="type-size",
            severity="error",
            message="text is 5 pt, below the 8 pt minimum for a wallet-card: “Call”",
            hint="set this element's font-size to at least 8pt in templates/styles/ (or change "
            "min_font_pt in templates/materials/wallet-card.yaml)",
            page=2,
            element="p.call span.call-label",
            region="wallet-card back: location details",
            text="Call",
        )
    ]
    assert code == 1


# --- QR codes --------------------------------------------------------------------------------


def test_a_qr_code_that_opens_another_url(tmp_path: Path) -> None:
    """A template with a code drawn for another location (hard-coded, the link beside it
    right): the code is decoded from the printed page and compared with the intake URL."""
    root = copy_project(tmp_path / "proj")
    wrong = "https://example.org/intake?site=riverside-clinic"
    edit(root / "templates" / "partials" / "blocks.html", 'src="{{ qr.src }}"',
         f'src="{make_qr(wrong).data_uri}"')
    code, found = findings(root, *CARD)
    assert found == [
        on_card(
            check="qr",
            severity="error",
            message=f"the QR code opens {wrong!r}, expected {INTAKE!r}",
            hint="regenerate it from the location's intake_url",
            page=2,
            element=QR_PLACE,
            text=wrong,
        )
    ]
    assert code == 1


def test_a_qr_code_printed_18_mm_wide_is_below_the_card_minimum(tmp_path: Path) -> None:
    """18 mm with its quiet zone: under the card's qr_min_mm (20), over the 15 mm error; the
    card's 33 modules are 0.44 mm there, also under 0.5 mm: two warnings, no error."""
    root = copy_project(tmp_path / "proj")
    add_css(root, "wallet-card", ".qr-img { width: 18mm !important; height: 18mm !important; }")
    code, found = findings(root, *CARD)
    hint = "print the code at least 20 mm wide, or shorten its URL (fewer modules)"
    assert found == [
        on_card(
            check="qr",
            severity="warning",
            message="the QR code is 18.1 mm wide with its quiet zone, 33 modules of 0.44 mm: "
            "smaller than the 20 mm a wallet-card needs",
            hint="print it at least 20 mm wide",
            page=2,
            element=QR_PLACE,
        ),
        on_card(check="qr", severity="warning", message="QR modules are 0.44 mm, below 0.5 mm",
                hint=hint, page=2, element=QR_PLACE),
    ]
    assert code == 0
    _, strict = check_json(root, *CARD, "--strict")
    assert [f["severity"] for f in strict["findings"] if f["check"] == "qr"] == ["error"] * 2


def test_qr_modules_of_0_45_mm_are_a_warning(tmp_path: Path) -> None:
    """33 modules printed 0.45 mm each (18.45 mm with the quiet zone); qr_min_mm lowered to
    18 mm so that the module size is the only thing wrong."""
    root = copy_project(tmp_path / "proj")
    edit(root / "templates" / "materials" / "wallet-card.yaml", "qr_min_mm: 20", "qr_min_mm: 18")
    add_css(root, "wallet-card",
            ".qr-img { width: 18.45mm !important; height: 18.45mm !important; }")
    code, found = findings(root, *CARD)
    assert found == [
        on_card(
            check="qr",
            severity="warning",
            message="QR modules are 0.45 mm, below 0.5 mm",
            hint="print the code at least 20 mm wide, or shorten its URL (fewer modules)",
            page=2,
            element=QR_PLACE,
        )
    ]
    assert code == 0


def test_a_line_two_modules_above_the_qr_code_breaks_its_quiet_zone(tmp_path: Path) -> None:
    """The card's code is 20.5 mm with its 4-module quiet zone (modules of 0.5 mm): a black
    rule 1 mm above the symbol, as wide as the symbol, leaves 2 modules of blank paper on top
    (read as 1.9 from the 300 dpi raster: its anti-aliased edge pixel is not counted)."""
    root = copy_project(tmp_path / "proj")
    add_css(root, "wallet-card",
            ".qr-link { position: relative; } .qr-link::after { content: ''; position: absolute;"
            " left: 2mm; top: 0.7mm; width: 16.5mm; height: 0.3mm; background: #000; }")
    code, found = findings(root, *CARD)
    assert found == [
        on_card(
            check="qr",
            severity="error",
            message="the QR code has 1.9 modules of blank paper on its top side, needs 4 (2.0 mm)",
            hint="keep text, lines and colour away from the code",
            page=2,
            element=QR_PLACE,
        )
    ]
    assert code == 1


# --- reading level -----------------------------------------------------------------------------

# Syllables by hand (CMU dictionary, first pronunciation), 25 words in 4 sentences:
#   Call 1, for 1, help 1, now 1                                       4 words,  4 syllables
#   Give 1, naloxone 3 (na-lox-one), if 1, they 1, do 1, not 1, wake 1, up 1
#                                                                      8 words, 10 syllables
#   Stay 1, with 1, them 1, until 2 (un-til), help 1, comes 1          6 words,  7 syllables
#   Naloxone 3, is 1, safe 1, and 1, it 1, works 1, fast 1             7 words,  9 syllables
# 0.39 × 25/4 + 11.8 × 30/25 − 15.59 = 2.4375 + 14.16 − 15.59 = 1.0075 → grade 1.01
ENGLISH = (
    "Call for help now. Give naloxone if they do not wake up. Stay with them until help "
    "comes. Naloxone is safe and it works fast."
)
# Syllables by the Spanish rules (one per vowel nucleus), 17 words in 3 sentences:
#   Lla-me 2, al 1, 911 1 (a number: one word, one syllable), a-ho-ra 3   4 words,  7
#   De-le 2, na-lo-xo-na 4, si 1, no 1, des-pier-ta 3 (ie: a diphthong)   5 words, 11
#   Qué-de-se 3 (the u of qué is silent), con 1, la 1, per-so-na 3, has-ta 2, el 1,
#   dí-a 2 (accented í: a hiatus), si-guien-te 3 (silent u of gui; ie)    8 words, 16
# 206.835 − 62.3 × 34/17 − 17/3 = 206.835 − 124.6 − 5.6667 = 76.5683 → INFLESZ 76.57
SPANISH = (
    "Llame al 911 ahora. Dele naloxona si no despierta. Quédese con la persona hasta el día "
    "siguiente."
)


def test_flesch_kincaid_grade_of_a_passage_counted_by_hand() -> None:
    words = readability._WORD_RE.findall(ENGLISH)
    assert [readability.syllables_en(w) for w in words] == [
        1, 1, 1, 1,  1, 3, 1, 1, 1, 1, 1, 1,  1, 1, 1, 2, 1, 1,  3, 1, 1, 1, 1, 1, 1,
    ]
    score = readability.measure([ENGLISH], "en")
    assert score is not None
    assert (score.formula, score.words, score.sentences, score.syllables) == (
        "flesch-kincaid-grade", 25, 4, 30)
    assert score.value == 1.01
    assert score.label == "Flesch–Kincaid grade 1.0"


def test_inflesz_of_a_passage_counted_by_hand() -> None:
    words = readability._WORD_RE.findall(SPANISH)
    assert [readability.syllables_es(w) for w in words] == [
        2, 1, 1, 3,  2, 4, 1, 1, 3,  3, 1, 1, 3, 2, 1, 2, 3,
    ]
    score = readability.measure([SPANISH], "es")
    assert score is not None
    assert (score.formula, score.words, score.sentences, score.syllables) == (
        "inflesz", 17, 3, 34)
    assert score.value == 76.57
    assert score.label == "INFLESZ 77 (fairly easy)"
