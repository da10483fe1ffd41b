"""Golden HTML: what the templates make of the sample content, before WeasyPrint sees it.

A change to a template, partial or content file shows up here as a readable diff. After an
intended change, regenerate with ``./dev golden`` (pytest tests/test_golden.py --update-golden).
The QR code is an inline base64 SVG; it is deterministic and stays in the golden files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, copy_project
from golden_plugin import Golden

from makeprint_engine import Project, load_project
from makeprint_engine.plan import Job
from makeprint_engine.render import Renderer

GOLDEN = Path(__file__).resolve().parent / "golden"
SLUG = "east-harbor"
LANGS = ("en", "es")
# Discovered like the engine does (templates/materials/NAME.html), so a new material gets
# golden files without touching this test; test_materials_match_the_engine guards the rule.
MATERIALS = sorted(p.stem for p in (REPO / "templates" / "materials").glob("*.html"))


def golden_path(lang: str, material: str) -> Path:
    return GOLDEN / f"{SLUG}-{lang}-{material}.html"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return load_project(copy_project(tmp_path_factory.mktemp("golden") / "proj"))


@pytest.fixture(scope="module")
def renderer(sample: Project) -> Renderer:
    return Renderer(sample)


def test_materials_match_the_engine(sample: Project) -> None:
    assert sorted(sample.materials) == MATERIALS
    assert any(loc.slug == SLUG for loc in sample.locations)


@pytest.mark.parametrize("material", MATERIALS)
@pytest.mark.parametrize("lang", LANGS)
def test_html_matches_golden(renderer: Renderer, golden: Golden, lang: str, material: str) -> None:
    html = renderer.html(Job(SLUG, lang, material))
    assert f'<html lang="{lang}"' in html
    golden.check(golden_path(lang, material), html)


def test_no_stale_golden_files(golden: Golden) -> None:
    expected = {golden_path(lang, material) for lang in LANGS for material in MATERIALS}
    golden.remove_stale(sorted(set(GOLDEN.glob("*.html")) - expected))
