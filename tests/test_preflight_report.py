"""The preflight report without rendering: the report's counts, JSON and console lines built
from findings made by hand, a missing translation key placed on its nearest line in a YAML
file written here, and run_check over the sample project's plan with each document's check
replaced by a stand-in result. The mutation guards of ``preflight.report``;
test_cli.py checks the same report end to end on the rendered sample.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest

from makeprint_engine.errors import MakeprintError, Problem
from makeprint_engine.options import Options
from makeprint_engine.plan import Job, Selection
from makeprint_engine.preflight import report as rep
from makeprint_engine.preflight.document import DocumentCheck
from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.reading_level import Reading
from makeprint_engine.readability import Score

ROOT = Path(__file__).resolve().parent.parent


def score(value: float, formula: str = "flesch-kincaid-grade") -> Score:
    return Score("en", formula, value, 120, 10, 170, ())


def report(*findings: Finding, readings: list[Reading] | None = None, **kw: Any) -> rep.Report:
    fields: dict[str, Any] = {"project": "/p", "profile": "office", "strict": False,
                              "documents": 2, "seconds": 1.236}
    return rep.Report(**(fields | kw), findings=list(findings), readings=readings or [])


ERROR = Finding("too small", check="type-size", page=1)
WARNING = Finding("ñ is odd", check="glyphs", severity="warning")
INFO = Finding("not measured", check="reading-level", severity="info", strict_error=False)


# --- the report ---------------------------------------------------------------------------------


def test_counts_and_ok() -> None:
    r = report(WARNING, ERROR, INFO, ERROR)
    assert (r.count("error"), r.count("warning"), r.count("info")) == (2, 1, 1)
    assert not r.ok
    assert report(WARNING, INFO).ok
    assert report().ok


def test_as_dict_and_json() -> None:
    readings = [Reading("en", "flyer", score(7.25), "east-harbor", 3),
                Reading("ko", "flyer", None, None)]
    r = report(WARNING, ERROR, INFO, readings=readings, strict=True)
    expected = {
        "schema": "makeprint-preflight-report/1",
        "project": "/p",
        "profile": "office",
        "strict": True,
        "ok": False,
        "documents": 2,
        "seconds": 1.24,
        "counts": {"error": 1, "warning": 1, "info": 1},
        "findings": [WARNING.as_dict(), ERROR.as_dict(), INFO.as_dict()],
        "reading_levels": [
            {"lang": "en", "material": "flyer", "formula": "flesch-kincaid-grade",
             "score": 7.25, "words": 120, "sentences": 10, "syllables": 170,
             "location": "east-harbor"},
            {"lang": "ko", "material": "flyer", "formula": None, "score": None, "words": None,
             "sentences": None, "syllables": None, "location": None},
        ],
    }
    assert r.as_dict() == expected
    text = r.to_json()
    assert json.loads(text) == expected
    assert text.endswith("}\n") and '\n  "schema": ' in text and "ñ is odd" in text
    jsonschema.validate(expected, rep.schema())
    assert rep.schema()["$id"] == rep.SCHEMA_ID


def test_console_lines_errors_first() -> None:
    odd = Finding("odd", severity="note")
    r = report(odd, INFO, WARNING, ERROR, replace(ERROR, message="second"))
    assert [sev for sev, _ in rep.text_lines(r)] == ["error", "error", "warning", "info", "note"]
    assert rep.text_lines(r)[0] == ("error", f"error: {ERROR}")
    assert rep.text_lines(r)[1] == ("error", "error: page 1: second")


def test_summary_line() -> None:
    assert rep.summary_line(report(documents=1, seconds=0.04)) == (
        "1 document checked in 0.0 s: 0 errors, 0 warnings")
    assert rep.summary_line(report(ERROR, WARNING, documents=3, seconds=12.35)) == (
        "3 documents checked in 12.3 s: 1 error, 1 warning")
    assert rep.summary_line(report(ERROR, ERROR, WARNING, WARNING, documents=0)) == (
        "0 documents checked in 1.2 s: 2 errors, 2 warnings")


def test_strict_makes_warnings_errors() -> None:
    project = SimpleNamespace(root=Path("/p"))
    quiet = replace(WARNING, strict_error=False)
    found = [ERROR, WARNING, quiet, INFO]
    started = time.perf_counter() - 100.0
    strict = rep._finish(project, Options(profile="press"), True, 5, started, found, [])  # type: ignore[arg-type]
    assert strict.findings == [ERROR, replace(WARNING, severity="error"), quiet, INFO]
    assert (strict.project, strict.profile, strict.strict, strict.documents) == (
        "/p", "press", True, 5)
    assert 100.0 <= strict.seconds < 160.0
    lax = rep._finish(project, Options(), False, 5, 0.0, found, [])  # type: ignore[arg-type]
    assert lax.findings == found and lax.profile == "office"


def test_ease_higher_is_easier() -> None:
    assert rep._ease(score(8.0)) == -8.0
    assert rep._ease(score(62.5, "inflesz")) == 62.5


# --- a project that does not load -----------------------------------------------------------------


def test_failed_load_report(tmp_path: Path) -> None:
    exc = MakeprintError([Problem("bad row", path="content/locations.csv", line=4, field="zip")])
    r = rep.failed_load_report(exc, tmp_path, Options(profile="press"), True)
    assert r == rep.Report(str(tmp_path), "press", True, 0, 0.0, [
        Finding("bad row", path="content/locations.csv", line=4, field="zip", check="data")], [])
    (tmp_path / "es.yaml").write_text("a:\n  c: 1\n", encoding="utf-8")
    key = MakeprintError(Problem("key 'a.b' is missing for language 'es'", path="es.yaml",
                                 line=9))
    assert rep.failed_load_report(key, tmp_path, None, False).findings[0].line == 1
    assert rep.failed_load_report(exc, None, None, False).project == ""
    assert rep.failed_load_report(exc, None, None, False).profile == "office"


KEYS = """\
kicker: Hello
cover:
  title: Hi
  steps:
    - one
    - text: two
      more: three
"""


@pytest.mark.parametrize(("key", "line"), [
    ("cover.missing", 2),
    ("cover.title.x", 3),
    ("cover.steps[1].text", 6),
    ("cover.steps[1].nope", 6),
    ("cover.steps[1].more", 7),
    ("cover.steps[0]", 5),
    ("cover.steps[2]", 4),
    ("cover.steps[x]", 2),
    ("nope.cover", 1),
    ("kicker", 1),
])
def test_a_missing_key_at_its_nearest_line(tmp_path: Path, key: str, line: int) -> None:
    (tmp_path / "content" / "es").mkdir(parents=True)
    (tmp_path / "content" / "es" / "flyer.yaml").write_text(KEYS, encoding="utf-8")
    problem = Problem(f"key '{key}' is missing for language 'es'", path="content/es/flyer.yaml",
                      line=1)
    (found,) = rep.load_findings(MakeprintError([problem]), tmp_path)
    assert found == Finding(problem.message, path="content/es/flyer.yaml", line=line,
                            check="data")


def test_other_problems_are_left_where_they_are(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    problems = [
        Problem("key 'a.b' is missing for language 'es'", path="nothing.yaml", line=7),
        Problem("key 'a.b' is missing for language 'es'", path="broken.yaml", line=7),
        Problem("key 'a.b' is missing for language 'es'", line=7),
        Problem("a key 'a' is odd", path="broken.yaml", line=7),
    ]
    found = rep.load_findings(MakeprintError(problems), tmp_path)
    assert [(f.path, f.line, f.check) for f in found] == [
        ("nothing.yaml", 7, "data"), ("broken.yaml", 7, "data"), (None, 7, "data"),
        ("broken.yaml", 7, "data")]
    (tmp_path / "ok.yaml").write_text("a:\n  c: 1\n", encoding="utf-8")
    moved = Problem("key 'a.b' is missing for language 'es'", path="ok.yaml", line=7)
    assert rep.load_findings(MakeprintError([moved]), tmp_path)[0].line == 1
    assert rep.load_findings(MakeprintError([moved]), None)[0].line == 7


# --- translations -------------------------------------------------------------------------------


def test_translation_findings_of_the_files_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def state(project: object, code: str) -> SimpleNamespace:
        if code == "ko":
            raise MakeprintError(Problem("broken .sources.yaml", path="content/ko/.sources.yaml"))
        files = ["common.yaml", "flyer.yaml", "poster.yaml", "wallet-card.yaml"]
        return SimpleNamespace(code=code, entries=[SimpleNamespace(file=f) for f in files])

    def problems(project: object, state: SimpleNamespace) -> list[Problem]:
        seen.append((state.code, [e.file for e in state.entries]))
        return [Problem(f"stale in {e.file}", path=f"content/{state.code}/{e.file}")
                for e in state.entries]

    monkeypatch.setattr(rep, "language_state", state)
    monkeypatch.setattr(rep, "translation_problems", problems)
    planned = [Job("a", "vi", "flyer"), Job("a", "en", "poster"), Job("b", "ko", "flyer"),
               Job("a", "es", "wallet-card"), Job("b", "vi", "wallet-card")]
    found = rep.translation_findings(None, planned)  # type: ignore[arg-type]
    files = ["common.yaml", "flyer.yaml", "poster.yaml", "wallet-card.yaml"]
    assert seen == [("es", files), ("vi", files)]
    assert found == [
        Finding("stale in common.yaml", path="content/es/common.yaml", check="translation",
                lang="es"),
        Finding("stale in flyer.yaml", path="content/es/flyer.yaml", check="translation",
                lang="es"),
        Finding("stale in poster.yaml", path="content/es/poster.yaml", check="translation",
                lang="es"),
        Finding("stale in wallet-card.yaml", path="content/es/wallet-card.yaml",
                check="translation", lang="es"),
        Finding("broken .sources.yaml", path="content/ko/.sources.yaml", check="translation",
                lang="ko"),
        *[Finding(f"stale in {f}", path=f"content/vi/{f}", check="translation", lang="vi")
          for f in files],
    ]
    seen.clear()
    rep.translation_findings(None, [Job("a", "es", "flyer")])  # type: ignore[arg-type]
    assert seen == [("es", ["common.yaml", "flyer.yaml"])]


# --- the whole check, each document's result made up ---------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Any:
    from makeprint_engine.project import load_project

    return load_project(ROOT)


EASY = "We can help. Call us today."
HARD = ("Comprehensive individualized naloxone administration instructions accompany "
        "every distribution.")


def checked(monkeypatch: pytest.MonkeyPatch, blocks: dict[tuple[str, str, str], list[str]]
            ) -> list[tuple[Any, ...]]:
    """Every document's check made up: a finding naming it, and ``blocks`` of printed text.
    The documents arrive in reverse order, as from workers."""
    calls = []

    def check_all(project: object, options: Options, planned: list[Job], jobs: int
                  ) -> Iterator[DocumentCheck]:
        calls.append((project, options.profile, jobs, list(planned)))
        for job in reversed(planned):
            found = Finding(f"{job.slug}/{job.lang}/{job.material}", check="overflow")
            yield DocumentCheck(job, [found], blocks.get((job.slug, job.lang, job.material),
                                                         []), 1)

    monkeypatch.setattr(rep, "_check_all", check_all)
    return calls


def test_run_check_over_the_plan(monkeypatch: pytest.MonkeyPatch, sample: Any) -> None:
    blocks = {
        ("east-harbor", "en", "flyer"): [EASY],
        ("riverside-clinic", "en", "flyer"): [HARD],
        ("mobile-outreach", "en", "flyer"): [HARD],
        ("east-harbor", "en", "wallet-card"): [EASY],
        ("east-harbor", "vi", "flyer"): ["..."],
    }
    calls = checked(monkeypatch, blocks)
    selection = Selection(languages=("en", "vi"), materials=("flyer", "wallet-card"))
    r = rep.run_check(sample, selection, Options(profile="press"), strict=False, jobs=3)
    ((project, profile, jobs, planned),) = calls
    assert (project, profile, jobs) == (sample, "press", 3)
    assert r.documents == len(planned) and r.profile == "press" and not r.strict
    # The draft warning of the language planned, not of the others; then each document's
    # findings in the plan's order, whatever order they came in.
    assert r.findings[0] == Finding(
        "language 'vi' is a draft translation", path="content/vi/language.yaml", field="status",
        hint="have a qualified translator review it, then set status: reviewed and reviewed_by",
        severity="warning", check="translation")
    overflow = [f.message for f in r.findings if f.check == "overflow"]
    assert overflow == [f"{j.slug}/{j.lang}/{j.material}" for j in planned]
    assert r.findings[1:1 + len(planned)] == [f for f in r.findings if f.check == "overflow"]
    # One reading per language and material: the hardest document's, the first of equals;
    # en wallet-cards without text are not measured; Vietnamese has no formula.
    readings = {(x.lang, x.material): x for x in r.readings}
    assert list(readings) == [("en", "flyer"), ("en", "wallet-card"), ("vi", "flyer"),
                              ("vi", "wallet-card")]
    flyer = readings["en", "flyer"]
    assert (flyer.location, flyer.measured) == ("riverside-clinic", 3)
    assert flyer.score is not None and flyer.score.words == 8
    card = readings["en", "wallet-card"]
    assert (card.location, card.measured, card.score.words) == ("east-harbor", 1, 6)  # type: ignore[union-attr]
    assert readings["vi", "flyer"] == Reading("vi", "flyer", None, None)
    assert [f.message for f in r.findings if f.check == "reading-level"][-2:] == [
        "reading level not measured: no validated formula for Vietnamese here"] * 2


def test_run_check_warnings_and_strict(monkeypatch: pytest.MonkeyPatch, sample: Any) -> None:
    calls = checked(monkeypatch, {})
    data = Problem("odd phone", path="content/locations.csv", line=3, field="phone",
                   severity="warning")
    project = replace(sample, warnings=[*sample.warnings, data])
    r = rep.run_check(project, Selection(languages=("en",), materials=("wallet-card",)),
                      strict=True)
    assert r.strict and r.profile == "office"
    assert calls[0][2] == 1  # one process unless asked
    assert r.findings[0] == Finding("odd phone", path="content/locations.csv", line=3,
                                    field="phone", severity="error", check="data")
    assert not any(f.check == "translation" for f in r.findings)


def test_run_check_of_a_selection_that_matches_nothing(sample: Any) -> None:
    r = rep.run_check(sample, Selection(locations=("nowhere",)))
    assert r.documents == 0 and r.readings == [] and r.strict is False
    assert rep.run_check(sample, Selection(locations=("nowhere",)), strict=True).strict is True
    assert [f.check for f in r.findings] == ["selection"]
    assert "nowhere" in r.findings[0].message


# --- each document, here or in workers ------------------------------------------------------------


JOB = Job("east-harbor", "en", "wallet-card")


def worker(monkeypatch: pytest.MonkeyPatch, outcome: Any) -> list[str]:
    done: list[str] = []
    renderer = SimpleNamespace(project="P", render=lambda job: f"rendered {job.material}")
    collector = SimpleNamespace(document_done=lambda: done.append("done"),
                                close=lambda: done.append("closed"))
    monkeypatch.setitem(rep._worker, "renderer", renderer)
    monkeypatch.setitem(rep._worker, "collector", collector)

    def check_document(project: object, rendered: object) -> DocumentCheck:
        done.append(f"{project} {rendered}")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome  # type: ignore[no-any-return]

    monkeypatch.setattr(rep, "check_document", check_document)
    return done


def test_work_checks_one_document(monkeypatch: pytest.MonkeyPatch) -> None:
    result = DocumentCheck(JOB, [], ["text"], 2)
    done = worker(monkeypatch, result)
    assert rep._work(JOB) is result
    assert done == ["P rendered wallet-card", "done"]


def test_work_a_document_that_cannot_be_made(monkeypatch: pytest.MonkeyPatch) -> None:
    done = worker(monkeypatch, MakeprintError(Problem("URL too long", hint="shorten it")))
    job = Job("east-harbor", "en", "poster", size="small")
    assert rep._work(job) == DocumentCheck(job, [
        Finding("URL too long", hint="shorten it", check="qr", location="east-harbor",
                lang="en", material="poster-small")], [], 0)
    assert done[-1] == "done"


def test_work_a_document_that_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    done = worker(monkeypatch, KeyError("x"))
    assert rep._work(JOB) == DocumentCheck(JOB, [Finding(
        "could not be rendered and checked: KeyError: 'x'", check="render",
        location="east-harbor", lang="en", material="wallet-card",
        hint="this is a bug in makeprint or a template; report it with this message")], [], 0)
    assert done[-1] == "done"


def test_check_all_here_costly_documents_first(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[Any] = []

    def init(project: object, options: object) -> None:
        log.append(("init", project, options))
        rep._worker["collector"] = SimpleNamespace(close=lambda: log.append("closed"))

    monkeypatch.setattr(rep, "_init_worker", init)
    monkeypatch.setattr(rep, "_work", lambda job: log.append(job.material) or job.material)
    project = SimpleNamespace(materials={"flyer": SimpleNamespace(cost=2.0),
                                         "poster": SimpleNamespace(cost=5.0),
                                         "card": SimpleNamespace(cost=1.0)})
    planned = [Job("a", "en", "card"), Job("a", "en", "poster"), Job("a", "en", "flyer")]
    for jobs in (1, 0):
        log.clear()
        assert list(rep._check_all(project, "O", planned, jobs)) == ["poster", "flyer", "card"]  # type: ignore[arg-type]
        assert log == [("init", project, "O"), "poster", "flyer", "card", "closed"]
        assert rep._worker == {}
    log.clear()
    assert list(rep._check_all(project, "O", planned[:1], 4)) == ["card"]  # type: ignore[arg-type]
    assert list(rep._check_all(project, "O", [], 1)) == []  # type: ignore[arg-type]
    assert log == [("init", project, "O"), "card", "closed"]


def test_check_all_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    import makeprint_engine.workers as workers

    calls = []

    def run_in_workers(planned: list[Job], cost: Any, n: int, init: Any, args: Any,
                       work: Any) -> Iterator[str]:
        calls.append((planned, [cost(j) for j in planned], n, init, args, work))
        yield from ("r1", "r2")

    monkeypatch.setattr(workers, "run_in_workers", run_in_workers)
    project = SimpleNamespace(materials={"flyer": SimpleNamespace(cost=2.0),
                                         "poster": SimpleNamespace(cost=5.0)})
    planned = [Job("a", "en", "flyer"), Job("a", "en", "poster"), Job("b", "en", "flyer")]
    assert list(rep._check_all(project, "O", planned, 2)) == ["r1", "r2"]  # type: ignore[arg-type]
    assert list(rep._check_all(project, "O", planned, 8)) == ["r1", "r2"]  # type: ignore[arg-type]
    assert [(c[0], c[1], c[2], c[4]) for c in calls] == [
        (planned, [2.0, 5.0, 2.0], 2, (project, "O")),
        (planned, [2.0, 5.0, 2.0], 3, (project, "O")),
    ]
    assert calls[0][3] is rep._init_worker and calls[0][5] is rep._work


def test_a_worker_keeps_one_renderer_and_its_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    import makeprint_engine.render as render

    monkeypatch.setattr(render, "Renderer", lambda project, options: ("renderer", project, options))
    monkeypatch.setattr(render, "DocumentCollector", lambda renderer: ("collector", renderer))
    monkeypatch.setattr(rep, "_worker", {})
    rep._init_worker("P", "O")  # type: ignore[arg-type]
    assert rep._worker == {"renderer": ("renderer", "P", "O"),
                           "collector": ("collector", ("renderer", "P", "O"))}
