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
    assert len(single) == 15  # 2 locations × 2 languages × 3 materials + 1 × 1 × 3
    assert len(sheets) == 5  # one card sheet per wallet card
    for entry in single:
        assert decode_qr(stress_build / "output" / str(entry["path"])) == [entry["qr_url"]]
    for entry in sheets:  # ten cards on the sheet's back page, each with the same code
        codes = decode_qr(stress_build / "output" / str(entry["path"]), page=1)
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
