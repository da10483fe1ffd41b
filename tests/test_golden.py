"""Golden HTML: what the templates make of the sample content, before WeasyPrint sees it.

A change to a template, partial or content file shows up here as a readable diff. After an
intended change, ``./dev golden`` (pytest tests/test_golden.py --update-golden) writes the new
files beside the old ones as ``NAME.new`` and prints each diff; ``./dev golden --accept`` puts
them in place once reviewed.
The QR code is an inline base64 SVG in the HTML; the golden copy holds a readable stand-in
instead (``qr:v3 modules=29 ec=M url=… svg=sha256:…``, decoded from the drawing), so a changed
code shows as a changed URL, version or digest. English and Spanish have every material; one
right-to-left (Arabic) and one CJK (Simplified Chinese) material are kept too.
"""

from __future__ import annotations

import csv
import html
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, copy_project, decode_qr
from golden_plugin import Golden, qr_stand_in, readable_qr_codes

from makeprint_engine import Project, load_project
from makeprint_engine.context import qr_for
from makeprint_engine.plan import Job
from makeprint_engine.qr import QUIET_ZONE, make_qr
from makeprint_engine.render import Renderer

GOLDEN = Path(__file__).resolve().parent / "golden"
SLUG = "east-harbor"
LANGS = ("en", "es")
# Discovered like the engine does (templates/materials/NAME.html), so a new material gets
# golden files without touching this test; test_materials_match_the_engine guards the rule.
MATERIALS = sorted(p.stem for p in (REPO / "templates" / "materials").glob("*.html"))
# One right-to-left and one CJK material besides every material in LANGS.
EXTRA = (("ar", "pamphlet"), ("zh-Hans", "wallet-card"))
CASES = [(lang, material) for lang in LANGS for material in MATERIALS] + list(EXTRA)


# The directory (a collection material) is made per directory: the sample's "all".
DIRECTORY = "all"
# Its "Updated" line prints the month of SOURCE_DATE_EPOCH (5 December 2026) in every run.
EPOCH = "1796428800"


def golden_path(lang: str, material: str) -> Path:
    if material == "directory":
        return GOLDEN / f"_directories-{DIRECTORY}-{lang}-{material}.html"
    return GOLDEN / f"{SLUG}-{lang}-{material}.html"


def job_for(lang: str, material: str) -> Job:
    if material == "directory":
        return Job(DIRECTORY, lang, material, kind="directory")
    return Job(SLUG, lang, material)


@pytest.fixture(scope="module", autouse=True)
def fixed_date() -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    yield
    if before is None:
        del os.environ["SOURCE_DATE_EPOCH"]
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = copy_project(tmp_path_factory.mktemp("golden") / "proj", poster=True, directory=True)
    return load_project(root)


@pytest.fixture(scope="module")
def renderer(sample: Project) -> Renderer:
    return Renderer(sample)


def test_materials_match_the_engine(sample: Project) -> None:
    assert sorted(sample.materials) == MATERIALS
    assert any(loc.slug == SLUG for loc in sample.locations)


@pytest.mark.parametrize(("lang", "material"), CASES)
def test_html_matches_golden(
    sample: Project, renderer: Renderer, golden: Golden, lang: str, material: str
) -> None:
    job = job_for(lang, material)
    html = renderer.html(job)
    assert f'<html lang="{lang}"' in html
    readable = readable_qr_codes(html)
    # The stand-in names what the code really says: this job's tracked intake URL.
    url = qr_for(sample, job)
    code = make_qr(url)
    line = f"qr:v{(code.modules - 17) // 4} modules={code.modules} ec=M url={url} svg=sha256:"
    assert line.replace("&", "&amp;") in readable, readable[:300]
    assert "base64," not in readable
    golden.check(golden_path(lang, material), readable)


_QR_IN_GOLDEN = re.compile(
    r'<a class="qr-link" href="([^"]+)"><img class="qr-img" src="qr:v\d+ modules=\d+ ec=M '
    r'url=(\S+) svg=sha256:[0-9a-f]{16}"'
)


def intake_by_hand(lang: str, material: str) -> str:
    """What the sample's code for SLUG must open, spelled out from the sample's own files:
    the intake_url in content/locations.csv, and the tracking content/organization.yaml asks
    for (qr_tracking). The card's and the kit label's codes carry none: the density budget
    keeps their modules at 0.5 mm within 20 mm, and the tracked URL would need a larger code.
    The directory's opens organization.yaml's directory_url, its campaign the directory."""
    if material == "directory":
        return (f"https://example.org/locations?utm_source=directory&utm_medium=print"
                f"&utm_campaign={DIRECTORY}&utm_content={lang}")
    with open(REPO / "content" / "locations.csv", encoding="utf-8", newline="") as handle:
        [intake] = [row["intake_url"] for row in csv.DictReader(handle) if row["slug"] == SLUG]
    assert intake == "https://example.org/intake?site=east-harbor"
    if material in ("wallet-card", "kit-label"):
        return intake
    return (f"{intake}&utm_source={material}&utm_medium=print&utm_campaign={SLUG}"
            f"&utm_content={lang}")


@pytest.mark.parametrize(("lang", "material"), CASES)
def test_each_golden_qr_code_opens_the_link_beside_it(
    renderer: Renderer, tmp_path: Path, lang: str, material: str
) -> None:
    """The golden file's QR line and the link around it name the intake URL spelled out by
    hand, and the code as printed (the PDF rasterized, read by zxing-cpp) opens that URL:
    neither side comes from the function that made the code (qr_for, make_qr)."""
    text = golden_path(lang, material).read_text(encoding="utf-8")
    [(href, decoded)] = _QR_IN_GOLDEN.findall(text)
    expected = intake_by_hand(lang, material)
    assert html.unescape(href) == html.unescape(decoded) == expected
    rendered = renderer.render(job_for(lang, material))
    assert rendered.pdf is not None, rendered.problems
    pdf = tmp_path / f"{material}.pdf"
    pdf.write_bytes(rendered.pdf)
    assert decode_qr(pdf) == [expected]


def test_qr_stand_in_reads_the_drawing() -> None:
    """Decoded from the modules, not copied from the page: a different code reads differently,
    and a drawing that is not a QR code says so."""
    first, second = make_qr("https://example.org/a"), make_qr("https://example.org/b")
    assert "url=https://example.org/a " in qr_stand_in(first.svg)
    assert "url=https://example.org/b " in qr_stand_in(second.svg)
    # Without its top rows (two of the three finder patterns) the drawing is no QR code.
    top = "".join(f"M{x} {y}.5h{n}" for x, y, n in first.runs if y < QUIET_ZONE + 8)
    broken = first.svg.replace(top, "", 1)
    assert top and broken != first.svg
    version = (first.modules - 17) // 4
    assert qr_stand_in(broken).startswith(
        f"qr:unreadable v{version} modules={first.modules} (0 codes decoded)"), qr_stand_in(broken)


def test_no_stale_golden_files(golden: Golden) -> None:
    expected = {golden_path(lang, material) for lang, material in CASES}
    golden.remove_stale(sorted(set(GOLDEN.glob("*.html")) - expected))
