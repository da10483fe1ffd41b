"""The whole check: run every document (here or in workers) into a Report, and show it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import readability
from ..content import SOURCE_LANGUAGE
from ..errors import MakeprintError
from ..options import Options
from ..plan import Job, Selection, plan_jobs
from ..project import Project
from ..sources import language_state
from ..sources import problems as translation_problems
from .document import DocumentCheck, check_document
from .findings import Finding, finding_from
from .reading_level import Reading, reading_findings

SCHEMA_PATH = Path(__file__).with_name("preflight-report.schema.json")
SCHEMA_ID = "makeprint-preflight-report/1"


@dataclass
class Report:
    project: str
    profile: str
    strict: bool
    documents: int
    seconds: float
    findings: list[Finding]
    readings: list[Reading] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "schema": SCHEMA_ID,
            "project": self.project,
            "profile": self.profile,
            "strict": self.strict,
            "ok": self.ok,
            "documents": self.documents,
            "seconds": round(self.seconds, 2),
            "counts": {s: self.count(s) for s in ("error", "warning", "info")},
            "findings": [f.as_dict() for f in self.findings],
            "reading_levels": [
                {
                    "lang": r.lang,
                    "material": r.material,
                    "formula": r.score.formula if r.score else None,
                    "score": r.score.value if r.score else None,
                    "words": r.score.words if r.score else None,
                    "sentences": r.score.sentences if r.score else None,
                    "syllables": r.score.syllables if r.score else None,
                    "location": r.location,
                }
                for r in self.readings
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"


def load_findings(exc: MakeprintError, root: Path | None = None) -> list[Finding]:
    """A project that does not load: every problem the loader found, as data findings."""
    return [_located(finding_from(p, "data"), root) for p in exc.problems]


_MISSING_KEY_RE = re.compile(r"key '(?P<key>[^']+)' is missing for language")


def _located(finding: Finding, root: Path | None) -> Finding:
    """Point a missing translation key at the line of its nearest parent that exists."""
    match = _MISSING_KEY_RE.search(finding.message)
    if not match or not finding.path or root is None:
        return finding
    from ..yamlsrc import Mapping, load_yaml

    try:
        data = load_yaml(root / finding.path, root)
    except (MakeprintError, OSError):
        return finding
    line = finding.line
    node: Any = data
    for part in re.split(r"\.|\[(\d+)\]", match["key"]):
        if not part:
            continue
        if isinstance(node, Mapping) and part in node:
            line = node.line_of(part)
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            lines = getattr(node, "item_lines", None)
            line = lines[int(part)] if lines else line
            node = node[int(part)]
        else:
            break
    return replace(finding, line=line)


def translation_findings(project: Project, planned: list[Job]) -> list[Finding]:
    """Stale, unused and missing strings, and strings of unknown source, in the files the
    planned documents print (common.yaml and their materials')."""
    findings: list[Finding] = []
    languages = {job.lang for job in planned}
    files = {"common.yaml"} | {f"{job.material}.yaml" for job in planned}
    for code in sorted(languages - {SOURCE_LANGUAGE}):
        try:
            state = language_state(project, code)
        except MakeprintError as exc:  # a broken .sources.yaml
            findings += [finding_from(p, "translation", lang=code) for p in exc.problems]
            continue
        state.entries = [e for e in state.entries if e.file in files]
        findings += [
            finding_from(p, "translation", lang=code) for p in translation_problems(project, state)
        ]
    return findings


def run_check(
    project: Project,
    selection: Selection = Selection(),  # noqa: B008 - frozen
    options: Options | None = None,
    strict: bool = False,
    jobs: int = 1,
) -> Report:
    """Render every selected document in memory and run every check; nothing is written."""
    started = time.perf_counter()
    options = options or Options()
    findings: list[Finding] = []
    try:
        planned = plan_jobs(project, selection)
    except MakeprintError as exc:
        findings = [finding_from(p, "selection") for p in exc.problems]
        return _finish(project, options, strict, 0, started, findings, [])
    languages = {job.lang for job in planned}
    for warning in project.warnings:
        if warning.field == "status" and not any(
            f"'{lang}'" in warning.message for lang in languages
        ):
            continue
        findings.append(
            finding_from(warning, "translation" if warning.field == "status" else "data")
        )
    findings += translation_findings(project, planned)
    # Reading levels are measured here as each document arrives, while workers render on.
    order = {job: index for index, job in enumerate(planned)}
    results: dict[Job, DocumentCheck] = {}
    scores: dict[tuple[str, str], list[tuple[readability.Score | None, int, str]]] = {}
    for result in _check_all(project, options, planned, jobs):
        job = result.job
        results[job] = result
        if readability.language_measured(job.lang) and not result.blocks:
            continue
        score = readability.measure(result.blocks, job.lang)
        scores.setdefault((job.lang, job.material), []).append((score, order[job], job.slug))
    for job in planned:
        findings += results[job].findings
    readings = []
    for (lang, material), measured in sorted(scores.items()):
        scored = [m for m in measured if m[0] is not None]
        if not scored:
            readings.append(Reading(lang, material, None, None))
            continue
        worst = min(scored, key=lambda m: (_ease(m[0]), m[1]))  # type: ignore[arg-type]
        readings.append(Reading(lang, material, worst[0], worst[2], len(scored)))
    findings += reading_findings(project, readings)
    return _finish(project, options, strict, len(planned), started, findings, readings)


def _ease(score: readability.Score) -> float:
    """Higher is easier, whatever the formula."""
    return -score.value if score.formula == "flesch-kincaid-grade" else score.value


def _finish(
    project: Project,
    options: Options,
    strict: bool,
    documents: int,
    started: float,
    findings: list[Finding],
    readings: list[Reading],
) -> Report:
    if strict:
        findings = [
            replace(f, severity="error") if f.severity == "warning" and f.strict_error else f
            for f in findings
        ]
    return Report(
        str(project.root),
        options.profile,
        strict,
        documents,
        time.perf_counter() - started,
        findings,
        readings,
    )


def failed_load_report(
    exc: MakeprintError, root: Path | None, options: Options | None, strict: bool
) -> Report:
    options = options or Options()
    findings = load_findings(exc, root)
    return Report(str(root) if root else "", options.profile, strict, 0, 0.0, findings, [])


# --- rendering, here or in worker processes ---------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(project: Project, options: Options) -> None:
    from ..render import DocumentCollector, Renderer

    renderer = Renderer(project, options)
    _worker["renderer"] = renderer
    _worker["collector"] = DocumentCollector(renderer)


def _work(job: Job) -> DocumentCheck:
    renderer = _worker["renderer"]
    try:
        return check_document(renderer.project, renderer.render(job))
    except MakeprintError as exc:  # this document cannot be made (its URL too long for its code)
        where = {"location": job.slug, "lang": job.lang, "material": job.name}
        return DocumentCheck(job, [finding_from(p, "qr", **where) for p in exc.problems], [], 0)
    except Exception as exc:  # one broken document must not hide the others' findings
        finding = Finding(
            f"could not be rendered and checked: {type(exc).__name__}: {exc}",
            check="render",
            location=job.slug,
            lang=job.lang,
            material=job.name,
            hint="this is a bug in makeprint or a template; report it with this message",
        )
        return DocumentCheck(job, [finding], [], 0)
    finally:
        _worker["collector"].document_done()


def _check_all(
    project: Project, options: Options, planned: list[Job], jobs: int
) -> Iterator[DocumentCheck]:
    if not planned:
        return
    costly_first = sorted(planned, key=lambda j: -project.materials[j.material].cost)
    if jobs <= 1 or len(planned) == 1:
        _init_worker(project, options)
        try:
            for job in costly_first:
                yield _work(job)
        finally:
            _worker["collector"].close()
            _worker.clear()
        return
    from ..workers import run_in_workers

    yield from run_in_workers(
        planned,
        lambda job: project.materials[job.material].cost,
        min(jobs, len(planned)),
        _init_worker,
        (project, options),
        _work,
    )


# --- text output ------------------------------------------------------------------------------


def text_lines(report: Report) -> list[tuple[str, str]]:
    """(severity, line) for the console: errors, then warnings, then notes."""
    rank = {"error": 0, "warning": 1, "info": 2}
    ordered = sorted(report.findings, key=lambda f: rank.get(f.severity, 3))
    return [(f.severity, f"{f.severity}: {f}") for f in ordered]


def summary_line(report: Report) -> str:
    errors, warnings = report.count("error"), report.count("warning")
    plural = "" if report.documents == 1 else "s"
    return (
        f"{report.documents} document{plural} checked in {report.seconds:.1f} s: "
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
