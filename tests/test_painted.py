"""Shared pages painted once and copied into each PDF (painted.py): every PDF is byte for byte
the one painting every page writes, for every location, language and profile; a page whose
painting cannot be copied exactly is painted."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import copy_project

from makeprint_engine import painted
from makeprint_engine.options import Options
from makeprint_engine.plan import Job
from makeprint_engine.project import Project, load_project
from makeprint_engine.render import DocumentCollector, Renderer


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return load_project(copy_project(tmp_path_factory.mktemp("painted") / "proj"))


def _pdfs(project: Project, options: Options, jobs: list[Job], share: bool) -> list[bytes]:
    renderer = Renderer(project, options)
    collector = DocumentCollector(renderer)
    real = painted.share
    try:
        if not share:
            painted.share = lambda page: None  # type: ignore[assignment]
        pdfs = []
        for job in jobs:
            rendered = renderer.render(job)
            assert rendered.pdf is not None, rendered.problems
            pdfs.append(rendered.pdf)
            collector.document_done()
    finally:
        painted.share = real  # type: ignore[assignment]
        collector.close()
    return pdfs


def _recordings(project: Project, options: Options, jobs: list[Job]) -> list[Any]:
    renderer = Renderer(project, options)
    for job in jobs:
        renderer.render(job)
    shared = renderer._shared_pages[(jobs[0].lang, jobs[0].material, jobs[0].profile)][0]
    return [page.makeprint_recordings for page in shared.pages]


@pytest.mark.parametrize(
    ("lang", "profile"),
    [("en", "office"), ("ar", "office"), ("es", "press"), ("zh-Hans", "office")],
)
def test_every_pamphlet_is_the_pdf_painting_every_page_writes(
    project: Project, lang: str, profile: str
) -> None:
    """The pamphlet's inside is copied into every location's PDF (Arabic: right to left;
    press: bleed and marks; Chinese: other fonts), and each PDF is byte for byte the one
    painting it writes."""
    options = Options(profile=profile)
    jobs = [Job(loc.slug, lang, "pamphlet", profile) for loc in project.locations]
    assert len(jobs) >= 3
    assert _pdfs(project, options, jobs, share=True) == _pdfs(project, options, jobs, share=False)
    [recordings] = _recordings(project, options, jobs)
    [recording] = recordings
    assert recording is not None and recording.copies == len(jobs)  # none painted again


def test_every_card_is_the_pdf_painting_every_page_writes(project: Project) -> None:
    """The card's front draws its icons in transparency groups, which WeasyPrint names by
    counting the document's XObjects: the front is the card's first page, so each card gets
    its own copy of each group under the same name, and the PDFs are as before."""
    jobs = [Job(loc.slug, lang, "wallet-card") for loc in project.locations
            for lang in ("en", "ar")]
    assert _pdfs(project, Options(), jobs, share=True) == _pdfs(project, Options(), jobs,
                                                                 share=False)
    [[recording]] = _recordings(project, Options(), jobs[::2])
    assert recording is not None and recording.copies == len(jobs) // 2
    groups = [value for value in recording.objects.values() if value is not None]
    assert groups  # the icons


def test_what_is_named_by_counting_is_not_copied(project: Project) -> None:
    """A pattern, a shading or a blend mode (named by counting) anywhere: the page is painted.
    Groups are copied only into a document with no XObject yet (their names start there)."""
    def resources(**extra: Any) -> dict[str, Any]:
        return {"ExtGState": {}, "XObject": {}, "Pattern": {}, "Shading": {}, **extra}

    assert painted._copyable(resources(ExtGState={"a0.5": {}}, XObject={"i1": None}))
    assert not painted._copyable(resources(Pattern={"p0": object()}))
    assert not painted._copyable(resources(Shading={"s0": {}}))
    assert not painted._copyable(resources(ExtGState={"s0": {}}))
    inner = SimpleNamespace(_resources=resources(Pattern={"p0": object()}))
    assert not painted._copyable(resources(XObject={"x0": inner}))
    jobs = [Job(project.locations[0].slug, "en", "wallet-card")]
    [[recording]] = _recordings(project, Options(tagged=False), jobs)
    stream = _stream(recording, {})
    stream._resources["XObject"]["i9"] = None
    assert not painted._copy(recording, stream, recording.scale)
    assert stream.stream == []


def _recording(project: Project) -> Any:
    """A recording of the pamphlet's inside, untagged (no boxes to match)."""
    options = Options(tagged=False)
    jobs = [Job(project.locations[0].slug, "en", "pamphlet")]
    [[recording]] = _recordings(project, options, jobs)
    assert recording is not None
    return recording


def _stream(recording: Any, fonts: dict[Any, Any]) -> SimpleNamespace:
    """A document's stream in the state the recording started from."""
    *state, matrices = recording.before
    stream = SimpleNamespace(
        _fonts=fonts, _tags=None, _images={}, stream=[],
        _resources={"ExtGState": {}, "XObject": {}, "Pattern": {}, "Shading": {}},
        _ctm_stack=[[list(row) for row in matrix] for matrix in matrices],
    )
    for name, value in zip(painted._STATE, state, strict=True):
        setattr(stream, name, value)
    return stream


def test_a_copy_adds_what_painting_adds(project: Project) -> None:
    recording = _recording(project)
    stream = _stream(recording, {})
    assert painted._copy(recording, stream, recording.scale)
    assert stream.stream == recording.ops
    assert list(stream._fonts) == list(recording.fonts)
    for key, font in stream._fonts.items():
        drawn = recording.fonts[key]
        assert font is not drawn and font.widths == drawn.widths
        assert font.to_unicode == drawn.to_unicode and font.widths is not drawn.widths
        # The recording keeps no font file (a CJK one is ~20 MB); each copy reads its own.
        assert drawn.file_content is None and len(font.file_content) > 10_000


def test_no_copy_where_painting_would_write_other_bytes(project: Project) -> None:
    """Another scale or state, or a font whose width for a glyph another page set differs
    from the one the copy was painted with: nothing is copied (the page is painted)."""
    recording = _recording(project)
    assert not painted._copy(recording, _stream(recording, {}), recording.scale * 2)
    moved = _stream(recording, {})
    moved._ctm_stack[-1][2][0] += 1.0
    assert not painted._copy(recording, moved, recording.scale)
    key, drawn = next(iter(recording.fonts.items()))
    glyph, width = next(iter(drawn.widths.items()))
    other = painted._font_copy(drawn)
    other.widths = {glyph: width + 1}
    stream = _stream(recording, {key: other})
    assert not painted._copy(recording, stream, recording.scale)
    assert stream.stream == [] and other.widths == {glyph: width + 1}
    assert list(stream._fonts) == [key]
    same = painted._font_copy(drawn)
    same.widths = {glyph: width}
    assert painted._copy(recording, _stream(recording, {key: same}), recording.scale)


def test_sample_builds_are_unchanged_in_every_language(tmp_path: Path) -> None:
    """A whole build (-j1) of the sample, every language and material: the same bytes."""
    from conftest import run_cli

    root = copy_project(tmp_path / "proj")
    first = run_cli("build", "--project", str(root), "-j", "1", "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    real = painted.share
    painted.share = lambda page: None  # type: ignore[assignment]
    try:
        second = run_cli("build", "--project", str(root), "-j", "1", "--out", str(tmp_path / "b"))
    finally:
        painted.share = real  # type: ignore[assignment]
    assert second.exit_code == 0, second.output
    built = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.pdf"))
    assert len(built) > 20
    for path in built:
        assert (tmp_path / "a" / path).read_bytes() == (tmp_path / "b" / path).read_bytes(), path
