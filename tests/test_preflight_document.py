"""How one document's checks are put together (preflight.document), with the checks and the
layout walk replaced by fakes that record what they were asked: which pages each pass covers,
what the shared pages' cache keeps, which renderer problems a glyph finding supersedes. The
checks themselves are tested in test_preflight_*.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from makeprint_engine.errors import Problem
from makeprint_engine.plan import Job
from makeprint_engine.preflight import document
from makeprint_engine.preflight.document import (
    DocumentCheck,
    _superseded,
    build_problems,
    check_document,
    layout_problems,
)
from makeprint_engine.preflight.findings import Finding

JOB = Job("east", "en", "pamphlet")


def finding(message: str, check: str = "type-size", page: int | None = 1, **kw: object) -> Finding:
    return Finding(message, check=check, page=page, location="east", **kw)  # type: ignore[arg-type]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """prepare() and every check replaced; ``calls`` records (what, pages)."""
    state = SimpleNamespace(calls=[], found={})

    def prepare(project, rendered, pages=None, cache=None):  # type: ignore[no-untyped-def]
        assert project is not None and project is state.project
        if rendered.document is None:
            return None
        assert cache is state.cache
        state.calls.append(("prepare", pages, cache is not None))
        return SimpleNamespace(pages=pages, project=project)

    def check(name: str):  # type: ignore[no-untyped-def]
        def run(doc):  # type: ignore[no-untyped-def]
            state.calls.append((name, doc.pages))
            pages = sorted(doc.pages) if doc.pages else [1, 2, 3, 4]
            found = state.found.get(name, [])
            return [replace_page(f, None) for f in found  # page -1: a finding of no page
                    if f.page == -1 and doc.pages and 1 in doc.pages] + [
                replace_page(f, p) for f in found for p in pages if f.page in (None, p)]
        return run

    def replace_page(f: Finding, page: int | None) -> Finding:
        from dataclasses import replace
        return replace(f, page=page)

    def blocks(doc):  # type: ignore[no-untyped-def]
        assert doc.project is state.project
        return ["Block one.", "Block two."]

    monkeypatch.setattr(document, "prepare", prepare)
    monkeypatch.setattr(document, "LAYOUT_CHECKS", tuple(
        check(n) for n in ("glyphs", "type-size", "contrast", "links", "images")))
    monkeypatch.setattr(document, "qr_problems", check("qr"))
    monkeypatch.setattr(document, "runt_problems", check("runts"))
    monkeypatch.setattr(document, "printed_blocks", blocks)
    state.project, state.cache = PROJECT, None
    return state


PROJECT = SimpleNamespace(materials={"pamphlet": SimpleNamespace(shared_pages=(2, 3))})
NOT_SHARED = SimpleNamespace(materials={"pamphlet": SimpleNamespace(shared_pages=())})


def project(shared: tuple[int, ...] = (2, 3)) -> SimpleNamespace:
    return PROJECT if shared else NOT_SHARED


def rendered(problems: list[Problem] | None = None, pages: int = 4,
             job: Job = JOB) -> SimpleNamespace:
    return SimpleNamespace(job=job, problems=problems or [], pages=pages,
                           document=SimpleNamespace(pages=[object()] * pages))


def test_superseded() -> None:
    glyph = finding("“ŋ” (U+014B) has no glyph in any font", check="glyphs")
    log = finding("2 glyphs unsupported by fonts: ŋ (U+014B)", check="resources")
    other = finding("1 glyph unsupported by fonts: ʃ (U+0283)", check="resources")
    assert _superseded(log, [glyph]) is True
    assert _superseded(other, [glyph]) is False
    assert _superseded(log, [finding("U+014B", check="type-size")]) is False
    assert _superseded(finding("something else", check="resources"), [glyph]) is False


def test_layout_problems_runs_every_layout_check(fake: SimpleNamespace) -> None:
    fake.found = {"contrast": [finding("c", check="contrast", page=2)],
                  "images": [finding("i", check="images", page=None)]}
    fake.cache = {}
    found = layout_problems(project(), rendered(), frozenset({2}), fake.cache)
    assert fake.calls == [("prepare", frozenset({2}), True), ("glyphs", frozenset({2})),
                          ("type-size", frozenset({2})), ("contrast", frozenset({2})),
                          ("links", frozenset({2})), ("images", frozenset({2}))]
    assert [(f.message, f.page) for f in found] == [("c", 2), ("i", 2)]


def test_layout_problems_of_a_failed_render(fake: SimpleNamespace) -> None:
    r = rendered()
    r.document = None
    assert layout_problems(project(), r) == []
    assert fake.calls == []


def test_build_without_a_cache_checks_every_page_at_once(fake: SimpleNamespace) -> None:
    fake.found = {"type-size": [finding("small", page=None)]}
    found = build_problems(project(), rendered())
    assert fake.calls[0] == ("prepare", None, False)
    assert [f.page for f in found] == [1, 2, 3, 4]


def test_build_without_shared_pages_checks_every_page_at_once(fake: SimpleNamespace) -> None:
    fake.project, fake.cache = NOT_SHARED, {}
    build_problems(project(shared=()), rendered(), fake.cache)
    assert fake.calls[0] == ("prepare", None, True)
    assert len([c for c in fake.calls if c[0] == "prepare"]) == 1


def test_shared_pages_are_checked_once_per_language(fake: SimpleNamespace) -> None:
    fake.found = {"type-size": [finding("small", page=None)]}
    cache: dict = {}
    fake.cache = cache
    first = build_problems(project(), rendered(), cache)
    assert [(f.page, f.location) for f in first] == [(1, "east"), (2, "east"), (3, "east"),
                                                     (4, "east")]
    assert [c[1] for c in fake.calls if c[0] == "prepare"] == [frozenset({2, 3}),
                                                              frozenset({1, 4})]
    assert list(cache) == [("shared pages", "en", "pamphlet")]
    fake.calls.clear()
    west = Job("west", "en", "pamphlet")
    second = build_problems(project(), rendered(job=west), cache)
    assert [c[1] for c in fake.calls if c[0] == "prepare"] == [frozenset({1, 4})]
    assert [(f.page, f.location) for f in second] == [(1, "east"), (2, "west"), (3, "west"),
                                                      (4, "east")]
    fake.calls.clear()
    build_problems(project(), rendered(job=Job("west", "es", "pamphlet")), cache)
    assert [c[1] for c in fake.calls if c[0] == "prepare"] == [frozenset({2, 3}),
                                                              frozenset({1, 4})]


def test_a_further_size_has_its_own_shared_pages(fake: SimpleNamespace) -> None:
    cache: dict = {}
    fake.cache = cache
    build_problems(project(), rendered(job=Job("east", "en", "pamphlet", size="small")), cache)
    assert list(cache) == [("shared pages", "en", "pamphlet-small")]


def test_findings_are_sorted_by_page(fake: SimpleNamespace) -> None:
    fake.found = {"links": [finding("l", check="links", page=4)],
                  "glyphs": [finding("g", check="glyphs", page=2),
                             finding("g1", check="glyphs", page=1)],
                  "images": [finding("no page", check="images", page=-1)]}
    fake.cache = {}
    found = build_problems(project(), rendered(), fake.cache)
    assert [(f.page, f.message) for f in found] == [
        (None, "no page"), (1, "g1"), (2, "g"), (4, "l")]


def test_a_failed_render_with_a_cache(fake: SimpleNamespace) -> None:
    r = rendered([Problem("east / en / pamphlet: rendered 5 pages, expected 4")])
    r.document = None
    found = build_problems(project(), r, {})  # prepare is never reached
    assert [(f.check, f.message) for f in found] == [("overflow", "rendered 5 pages, expected 4")]


def test_renderer_problems_come_first_and_superseded_ones_go(fake: SimpleNamespace) -> None:
    fake.found = {"glyphs": [finding("“ŋ” (U+014B) has no glyph", check="glyphs", page=1)]}
    r = rendered([Problem("unsupported by fonts: ŋ (U+014B)"), Problem("a template error")])
    fake.project = NOT_SHARED
    found = build_problems(project(shared=()), r)
    assert [f.message for f in found] == ["a template error", "“ŋ” (U+014B) has no glyph"]


def test_check_document(fake: SimpleNamespace) -> None:
    fake.found = {"qr": [finding("q", check="qr", page=2)],
                  "runts": [finding("r", check="runts", page=3)],
                  "glyphs": [finding("“ŋ” (U+014B) has no glyph", check="glyphs", page=1)]}
    r = rendered([Problem("unsupported by fonts: ŋ (U+014B)"), Problem("other")])
    result = check_document(project(), r)
    assert result.job == JOB and result.pages == 4
    assert [f.message for f in result.findings] == ["other", "“ŋ” (U+014B) has no glyph", "q",
                                                    "r"]
    assert result.blocks == ["Block one.", "Block two."]
    assert [c[0] for c in fake.calls] == ["prepare", "glyphs", "type-size", "contrast",
                                          "links", "images", "qr", "runts"]


def test_check_document_of_a_failed_render(fake: SimpleNamespace) -> None:
    r = rendered([Problem("east / en / pamphlet: rendered 5 pages, expected 4")], pages=5)
    r.document = None
    result = check_document(project(), r)
    assert result == DocumentCheck(JOB, result.findings, [], 5)
    assert [f.check for f in result.findings] == ["overflow"]
