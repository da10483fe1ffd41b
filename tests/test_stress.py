"""A locations file written to the spec's column table with every awkward-but-valid value."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, decode_qr, manifest, pdf_text, run_cli

STRESS = REPO / "tests" / "data" / "stress-locations.csv"


@pytest.fixture(scope="module")
def stress_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("stress") / "proj")
    result = run_cli("build", "--project", str(root), "--locations", str(STRESS))
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.slow
def test_every_qr_decodes_to_its_manifest_url(stress_build: Path) -> None:
    files = manifest(stress_build)
    single = [f for f in files if f["variant"] == "single"]
    sheets = [f for f in files if f["variant"] == "sheet"]
    assert len(single) == 20  # 2 locations × 2 languages × 4 materials + 1 × 1 × 4
    assert len(sheets) == 10  # one card sheet per wallet card, one label sheet per kit label
    for entry in single:
        assert decode_qr(stress_build / "output" / str(entry["path"])) == [entry["qr_url"]]
    for entry in sheets:  # ten cards on the sheet's back page, ten labels on the label sheet
        page = 1 if entry["material"] == "wallet-card" else 0
        codes = decode_qr(stress_build / "output" / str(entry["path"]), page=page)
        assert codes == [entry["qr_url"]] * 10


@pytest.mark.slow
def test_existing_query_and_fragment_survive_tracking(stress_build: Path) -> None:
    urls = {(f["location"], f["material"], f["lang"]): f["qr_url"] for f in manifest(stress_build)}
    assert urls[("tiny", "flyer", "en")] == (
        "https://example.org/i?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&utm_source=flyer"
        "&utm_medium=print&utm_campaign=tiny&utm_content=en#frag"
    )


@pytest.mark.slow
def test_awkward_text_prints_literally(stress_build: Path) -> None:
    slug = "clinica-nandu-pena-hijos"  # derived from the name, as the spec's example
    for material in ("wallet-card", "pamphlet", "flyer"):
        text = " ".join(
            " ".join(pdf_text(stress_build / "output" / slug / "es" / f"{material}.pdf")).split()
        )
        assert "Clínica Ñandú — Peña & Hijos" in text
        assert '12 "Old Mill" Rd., Bldg <B>' in text
        assert "(301) 555-0111 ext. 204" in text
    flyer = " ".join(pdf_text(stress_build / "output" / "all-day" / "en" / "flyer.pdf"))
    assert "Open 24 hours" in flyer
    assert "St. Mary's <Recovery> & Wellness Center" in " ".join(flyer.split())


@pytest.mark.slow
def test_all_sixteen_services_are_listed(stress_build: Path) -> None:
    from makeprint_engine import load_project

    project = load_project(stress_build, STRESS)
    labels = project.languages["en"].common["services"]
    text = " ".join(
        " ".join(
            pdf_text(stress_build / "output" / "clinica-nandu-pena-hijos" / "en" / "pamphlet.pdf")
        ).split()
    )
    assert len(labels) == 16
    for label in labels.values():
        assert label in text, label


def test_markup_in_location_data_is_escaped(project: Path) -> None:
    csv_path = project / "content" / "locations.csv"
    rows = csv_path.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("East Harbor Drop-In Center", '"<img src=""file:///etc/passwd"">"')
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run_cli(
        "build", "--project", str(project), "-l", "east-harbor", "-m", "wallet-card", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(project / "output" / "east-harbor" / "en" / "wallet-card.pdf"))
    assert '<img src="file:///etc/passwd">' in text


def _tab_glyphs_across_cut_lines(
    pdf: Path, tabs_bottom_in: float, tabs_height_in: float, trim: tuple[float, float] = (0, 0)
) -> list[str]:
    """Characters printed on the tear-off tabs whose glyph box crosses a cut line: the top
    of the tab strip or the dashed line between two tabs (ten tabs across 8 in, letter)."""
    import pypdfium2

    clear = 0.02 * 72  # at least 0.02 in between a glyph and a cut line
    top = trim[1] + (tabs_bottom_in + tabs_height_in) * 72
    bottom = trim[1] + tabs_bottom_in * 72
    cuts = [trim[0] + (0.25 + 0.8 * k) * 72 for k in range(1, 10)]
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        text = doc[0].get_textpage()
        crossing = []
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            if not char.strip():
                continue
            left, low, right, high = text.get_charbox(i)
            if high < bottom or low > top + 0.1 * 72:
                continue  # not on the tabs (the hotline strip sits above them)
            if high > top - clear or any(left - clear < x < right + clear for x in cuts):
                crossing.append(char)
        return crossing
    finally:
        doc.close()


@pytest.mark.slow
def test_tear_off_tab_text_stays_clear_of_the_cut_lines(
    stress_build: Path, tmp_path: Path
) -> None:
    """Long names on the tabs wrap inside them: nothing is torn through (office and press)."""
    for slug in ("all-day", "clinica-nandu-pena-hijos"):
        for pdf in (stress_build / "output" / slug).glob("*/flyer.pdf"):
            # office: the strip ends 1/4 in above the sheet edge and is 1.83 in tall
            assert _tab_glyphs_across_cut_lines(pdf, 0.25, 1.83) == [], pdf
    out = tmp_path / "press"
    result = run_cli("build", "--project", str(stress_build), "--locations", str(STRESS),
                     "--profile", "press", "-m", "flyer", "-l", "all-day", "--out", str(out))
    assert result.exit_code == 0, result.output
    presses = list(out.glob("all-day/*/flyer-press.pdf"))
    assert len(presses) == 2
    import pypdfium2

    for press in presses:
        # press: the strip runs to the trim and is 2.05 in tall; the page has bleed and marks
        doc = pypdfium2.PdfDocument(str(press))
        left, bottom, _, _ = doc[0].get_trimbox()
        doc.close()
        assert _tab_glyphs_across_cut_lines(press, 0.0, 2.05, (left, bottom)) == [], press
