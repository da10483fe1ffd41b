"""The poster: tabloid or A3, and the same poster on Letter or A4 (its size "small"), read
from two metres: page boxes, type sizes and the QR code measured on real output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from conftest import REPO, copy_project, decode_qr, manifest, pdf_text_runs, run_cli

from makeprint_engine import load_project
from makeprint_engine.plan import Job
from makeprint_engine.preflight.layout import PT_PER_PX, walk
from makeprint_engine.qr import make_qr
from makeprint_engine.render import Renderer

LANGUAGES = ("en", "es", "vi", "zh-Hans", "ar")
# Trim in PDF points: the poster itself (tabloid, A3), then its office size (Letter, A4).
TRIM = {
    "letter": {"poster.pdf": (792, 1224), "poster-small.pdf": (612, 792)},
    "a4": {"poster.pdf": (841.89, 1190.55), "poster-small.pdf": (595.28, 841.89)},
}
BLEED_PT = {"letter": 9.0, "a4": 3 / 25.4 * 72}
QR_MM = {"poster.pdf": 64, "poster-small.pdf": 50}  # printed, with the quiet zone
DPI = 300


def poster_project(root: Path, paper: str = "letter") -> Path:
    copy_project(root, poster=True)
    org = root / "content" / "organization.yaml"
    text = org.read_text(encoding="utf-8")
    org.write_text(text.replace("paper: letter", f"paper: {paper}"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """East Harbor's posters in its five languages, on each paper, office and press."""
    built = {}
    for paper in ("letter", "a4"):
        root = poster_project(tmp_path_factory.mktemp(f"poster-{paper}") / "proj", paper)
        for profile in ("office", "press"):
            args = ("--lang", "en") if profile == "press" else ()
            result = run_cli("build", "--project", str(root), "-m", "poster", "-l", "east-harbor",
                             "--profile", profile, "-q", *args)
            assert result.exit_code == 0, result.output
        built[paper] = root
    return built


def floats(box: object) -> list[float]:
    return [float(v) for v in box]  # type: ignore[attr-defined]


def close(a: object, b: object, tolerance: float = 0.6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))  # type: ignore[call-overload]


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_language_both_sizes_in_the_plan_and_manifest(posters: dict[str, Path],
                                                            paper: str) -> None:
    entries = [e for e in manifest(posters[paper]) if e["variant"] == "single"]
    made = {(e["lang"], e["path"].rsplit("/", 1)[1], e.get("size")) for e in entries}  # type: ignore[union-attr]
    assert made == {(lang, name, "small" if "small" in name else None)
                    for lang in LANGUAGES for name in TRIM[paper]}
    for entry in entries:
        assert entry["material"] == "poster" and entry["pages"] == 1
        path = posters[paper] / "output" / str(entry["path"])
        with pikepdf.open(path) as pdf:
            assert str(pdf.Root.Lang) == entry["lang"]
            assert "/StructTreeRoot" in pdf.Root, f"{path} is not tagged"
        text = " ".join(pdf_text_runs(path).split()).replace(")", "(")
        assert "(410( 555-0142" in text, (entry["path"], text[:200])


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_trim_sizes_office_and_press(posters: dict[str, Path], paper: str) -> None:
    out = posters[paper] / "output" / "east-harbor"
    for lang in LANGUAGES:
        for name, (width, height) in TRIM[paper].items():
            with pikepdf.open(out / lang / name) as pdf:
                [page] = pdf.pages
                assert close(floats(page.mediabox), (0, 0, width, height)), (lang, name)
                assert close(floats(page.trimbox), floats(page.mediabox))
    for name, (width, height) in TRIM[paper].items():
        press = out / "en" / name.replace(".pdf", "-press.pdf")
        with pikepdf.open(press) as pdf:
            [page] = pdf.pages
            trim = floats(page.trimbox)
            assert close((trim[2] - trim[0], trim[3] - trim[1]), (width, height)), name
            bleed = floats(page.bleedbox)
            b = BLEED_PT[paper]
            assert close(bleed, (trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b)), name
            media = floats(page.mediabox)
            assert media[0] <= bleed[0] - 21 and media[3] >= bleed[3] + 21, "room for marks"


def qr_codes(path: Path) -> list[tuple[str, float]]:
    """(text, printed width in mm with the 4-module quiet zone) of each QR code, measured."""
    found = []
    doc = pypdfium2.PdfDocument(str(path))
    try:
        for page in doc:
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                corners = (code.position.top_left, code.position.top_right,
                           code.position.bottom_right, code.position.bottom_left)
                xs = [p.x for p in corners]
                modules = make_qr(code.text).modules
                symbol_mm = (max(xs) - min(xs) + 1) * 25.4 / DPI
                found.append((code.text, symbol_mm * (modules + 8) / modules))
    finally:
        doc.close()
    return found


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_qr_code_is_at_least_50_mm_and_opens_the_manifest_url(posters: dict[str, Path],
                                                              paper: str) -> None:
    for entry in manifest(posters[paper]):
        path = posters[paper] / "output" / str(entry["path"])
        name = path.name.replace("-press", "")
        assert decode_qr(path) == [entry["qr_url"]], entry["path"]
        [(text, width)] = qr_codes(path)
        assert text == entry["qr_url"]
        assert width >= QR_MM[name] - 0.5, f"{entry['path']}: {width:.1f} mm"
        assert "utm_source=poster" in text


def type_sizes(root: Path, lang: str, size: str) -> dict[str | None, float]:
    """The smallest printed size of each role's text (None: no role), from the layout."""
    project = load_project(root)
    rendered = Renderer(project).render(Job("east-harbor", lang, "poster", size=size))
    assert rendered.ok, [str(p) for p in rendered.problems]
    smallest: dict[str | None, float] = {}
    for text in walk(rendered.document).texts:
        if text.text.strip() and text.visible:
            pt = text.size_px * PT_PER_PX
            smallest[text.role] = min(smallest.get(text.role, pt), pt)
    return smallest


@pytest.mark.parametrize(("lang", "size"), [("en", ""), ("en", "small"), ("ar", "small"),
                                            ("zh-Hans", "small")])
def test_type_is_read_from_two_metres(tmp_path: Path, lang: str, size: str) -> None:
    sizes = type_sizes(poster_project(tmp_path / "proj"), lang, size)
    assert sizes["headline"] >= 60
    assert sizes["phone"] >= 40
    assert min(sizes.values()) >= 18, sizes


def test_type_size_check_fires_for_headline_and_body(tmp_path: Path) -> None:
    root = poster_project(tmp_path / "proj")
    css = root / "templates" / "styles" / "poster.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + "\n.size-small .headline { font-size: 48pt; }"
                   + "\n.size-small .steps { font-size: 14pt; }\n", encoding="utf-8")
    result = run_cli("check", "--project", str(root), "--format", "json", "-j", "1",
                     "-m", "poster", "-l", "east-harbor", "--lang", "en")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    found = [(f["material"], f["message"]) for f in report["findings"]
             if f["check"] == "type-size"]
    assert ("poster-small", "text is 48 pt, below the 60 pt minimum for a poster's headline: "
            "“Help without”, “judgment”") in found, found
    assert any(material == "poster-small" and message.startswith(
        "text is 14 pt, below the 18 pt minimum for a poster:") for material, message in found)
    assert all(material == "poster-small" for material, _ in found)  # the tabloid is untouched


def hardest_rows() -> list[dict[str, str]]:
    """The realistic corpus's hardest rows for a poster: the longest names, streets, intake
    URLs and hours, names in other scripts, and numbers with extensions."""
    with open(REPO / "tests" / "data" / "realistic-locations.csv", newline="",
              encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    chosen: list[dict[str, str]] = []
    for key in ("name", "street", "intake_url", "hours"):
        chosen += sorted(rows, key=lambda r, k=key: -len(r[k]))[:2]  # type: ignore[misc]
    for first, last in ((0x4E00, 0x9FFF), (0x0600, 0x06FF), (0xAC00, 0xD7A3)):  # Han, Arabic,
        chosen += [r for r in rows if any(first <= ord(c) <= last for c in r["name"])][:1]  # Hangul
    chosen += [r for r in rows if "x" in r["phone"].lower() or "ext" in r["phone"]][:2]
    unique = {r["name"]: r for r in chosen}
    return list(unique.values())


@pytest.mark.slow
def test_stress_and_hardest_realistic_data_fit(tmp_path: Path) -> None:
    root = poster_project(tmp_path / "proj")
    rows = hardest_rows()
    assert any(len(r["name"]) >= 80 for r in rows)
    for first, last in ("\u4e00\u9fff", "\u0600\u06ff", "\uac00\ud7a3"):  # Han, Arabic, Hangul
        assert any(any(first <= c <= last for c in r["name"]) for r in rows)
    with open(REPO / "tests" / "data" / "stress-locations.csv", newline="",
              encoding="utf-8") as handle:
        stress = list(csv.DictReader(handle))
    columns = list(rows[0])
    path = tmp_path / "hard.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows + stress:
            writer.writerow({c: row.get(c, "") for c in columns} | {"languages": "en;es;ar"})
    result = run_cli("build", "--project", str(root), "--locations", str(path), "-m", "poster",
                     "-q")
    assert result.exit_code == 0, result.output
    entries = manifest(root)
    assert len(entries) == (len(rows) + len(stress)) * 3 * 2
    assert all(e["pages"] == 1 for e in entries)


def test_plan_list_and_rebuild_know_both_sizes(posters: dict[str, Path]) -> None:
    from makeprint_engine.plan import Selection, plan_jobs

    root = posters["letter"]
    project = load_project(root)
    jobs = plan_jobs(project, Selection(("east-harbor",), ("en",), ("poster",)))
    assert [(j.name, j.relpath) for j in jobs] == [
        ("poster", "east-harbor/en/poster.pdf"),
        ("poster-small", "east-harbor/en/poster-small.pdf"),
    ]
    listed = run_cli("list", "--project", str(root)).output
    assert "poster         1 page(s), 279.4 × 431.8 mm" in listed
    assert "poster-small   1 page(s), 215.9 × 279.4 mm" in listed
    # Nothing changed: both sizes are current, each under its own fingerprint.
    again = run_cli("build", "--project", str(root), "-m", "poster", "-l", "east-harbor")
    assert again.exit_code == 0 and "0 files written" in again.output, again.output


def test_web_page_and_preview_offer_the_office_size(tmp_path: Path) -> None:
    from makeprint_engine.variants import VARIANTS, variants_for

    assert variants_for("poster") == ["single", "small", "press", "small-press"]
    assert "Letter or A4" in VARIANTS["small"].label
    root = poster_project(tmp_path / "proj")
    out = tmp_path / "small.png"
    result = run_cli("preview", "--project", str(root), "east-harbor", "poster-small",
                     "--dpi", "30", "-o", str(out))
    assert result.exit_code == 0, result.output
    from PIL import Image

    with Image.open(out) as image:
        assert image.size == (255, 330)  # 8.5 × 11 in at 30 dpi


def test_tear_off_tabs_are_off_by_default(posters: dict[str, Path]) -> None:
    for name in TRIM["letter"]:
        path = posters["letter"] / "output" / "east-harbor" / "en" / name
        text = " ".join(pdf_text_runs(path).split())
        assert "Take one" not in text and "Overdose? Act fast." in text


@pytest.mark.parametrize(("name", "count"), [("poster.pdf", 8), ("poster-small.pdf", 6)])
def test_tear_off_tabs_when_the_organization_asks(tmp_path: Path, name: str, count: int) -> None:
    root = poster_project(tmp_path / "proj")
    org = root / "content" / "organization.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("poster_tabs: false",
                                                           "poster_tabs: true"), encoding="utf-8")
    result = run_cli("build", "--project", str(root), "-m", "poster", "-l", "riverside-clinic",
                     "--lang", "es", "-q")
    assert result.exit_code == 0, result.output
    [entry] = [e for e in manifest(root) if str(e["path"]).endswith(f"/{name}")]
    path = root / "output" / str(entry["path"])
    text = " ".join(pdf_text_runs(path).split())
    assert "Llévese uno" in text and "¿Sobredosis?" not in text  # the tabs take the steps' place
    assert text.count("(301) 555-0178") == count + 1  # every tab, and the band
    assert decode_qr(path) == [entry["qr_url"]]


def test_poster_tabs_must_be_true_or_false(tmp_path: Path) -> None:
    root = poster_project(tmp_path / "proj")
    org = root / "content" / "organization.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("poster_tabs: false",
                                                           "poster_tabs: maybe"), encoding="utf-8")
    result = run_cli("check", "--project", str(root), "-m", "poster")
    assert result.exit_code == 1
    assert 'poster_tabs: "maybe" is not true or false' in result.output, result.output
