"""The build recipe: validate, plan, skip what is current, render (in parallel), write, record."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from .directories import parse_where
from .errors import MakeprintError, Problem
from .fingerprint import CACHE, Fingerprints, read_cache
from .options import Options
from .output import (
    atomic_write,
    manifest_name,
    output_lock,
    read_manifest,
    sha256,
    write_manifest,
)
from .plan import Job, Selection, check_output_dir, plan_jobs, shard_jobs
from .project import Project
from .reporting import Reporter
from .sources import problems as translation_problems
from .sources import translation_states
from .workers import run_in_workers

WORKER_RECYCLE = 150  # documents per worker process before it is replaced: memory stays flat
# A replacement worker costs about half a second (a fork of the fork server, then its fonts,
# stylesheets and shared pages again), and a worker grows by about 5 % per 100 documents
# (Pango's and HarfBuzz's caches, not Python objects). So a build whose share per worker is
# at most this many documents replaces none.
NO_RECYCLE_UP_TO = 200


def recycle_after(documents: int, workers: int) -> int | None:
    """Documents after which a worker is replaced, or None when none needs to be."""
    share = -(-documents // max(workers, 1))
    return None if share <= NO_RECYCLE_UP_TO else WORKER_RECYCLE


class BuildInterrupted(Exception):
    """Ctrl-C: finished files are kept and recorded, nothing partial is left."""


@dataclass
class BuildResult:
    out: Path
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[Job, list[Problem]]] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)  # of location rows left out
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.invalid


@dataclass
class _Outcome:
    job: Job
    pdf: bytes | None
    pages: int
    qr_url: str
    problems: list[Problem]
    extras: list[tuple[str, bytes, int, str]]
    thumbs: list[tuple[str, bytes]] = field(default_factory=list)  # for the contact sheet
    where: str = ""  # a directory of --where filters: what they say


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def build(
    project: Project,
    selection: Selection,
    out: Path,
    reporter: Reporter,
    options: Options | None = None,
    jobs: int = 1,
    force: bool = False,
    shard: tuple[int, int] | None = None,
) -> BuildResult:
    """Render every selected document that is not up to date; write the good ones atomically.

    Order matters: all input was validated when the project loaded and the plan is checked
    before the first render, so bad input writes nothing at all. A project loaded with
    skip_invalid builds its valid locations; the rows left out make the result not ok, and
    the earlier output of a location left out stays on disk (it is no longer in the manifest).
    """
    started = time.perf_counter()
    options = options or Options()
    out = check_output_dir(out, project.root)
    planned = plan_jobs(project, selection, options.profile)
    if shard is not None:
        planned = shard_jobs(planned, project, *shard)
    _check_reviewed(project, planned, options)
    languages = {job.lang for job in planned}
    for warning in project.warnings:
        if warning.field != "status" or any(f"'{lang}'" in warning.message for lang in languages):
            reporter.warning(warning)
    everything = {j.key for j in plan_jobs(project, Selection())}
    result = BuildResult(out, invalid=list(project.invalid))
    fingerprints = Fingerprints(project, options)
    with output_lock(out):
        cache = read_cache(out)
        manifest_file = manifest_name(shard)
        entries = {str(e["path"]): e for e in read_manifest(out, manifest_file)}
        listed = set(entries)
        # A location left out for invalid data may well still exist: keep its files.
        result.removed = _remove_stale(out, everything, entries, cache, not project.invalid)
        unlisted = listed - set(entries)
        todo = []
        for job in planned:
            fp = fingerprints.job(job)
            known = cache.get(job.relpath, {})
            paths = [job.relpath, *known.get("extras", [])]
            current = (
                not force
                and known.get("fp") == fp
                and all(p in entries and (out / p).is_file() for p in paths)
            )
            if current:
                result.skipped.append(job.relpath)
            else:
                todo.append((job, fp))
        reporter.start(len(todo))
        fps = dict(todo)
        try:
            where = parse_where(options.where).describe() if options.where else ""
            for outcome in _render_all(project, options, list(fps), jobs):
                if outcome.job.kind == "directory":
                    outcome.where = where
                with _interrupt_deferred():  # a file on disk is a file in the manifest
                    _record(outcome, out, reporter, result, entries, cache, fps)
        except KeyboardInterrupt:
            raise BuildInterrupted() from None
        finally:
            write_manifest(out, list(entries.values()), manifest_file, unlisted)
            atomic_write(out / CACHE, json.dumps(cache, indent=0, sort_keys=True).encode())
        if result.written or unlisted or not (out / "index.html").is_file():
            _contact_sheet(project, out, manifest_file, reporter)
    result.seconds = time.perf_counter() - started
    return result


def _contact_sheet(project: Project, out: Path, manifest_file: str, reporter: Reporter) -> None:
    """output/index.html: thumbnails and links for every document, openable from disk."""
    from .contact_sheet import write_contact_sheet  # PDFium: only when something changed

    names = {loc.slug: loc.name for loc in project.locations}
    try:
        write_contact_sheet(out, read_manifest(out, manifest_file), names)
    except MakeprintError as exc:  # the PDFs are the product; a contact sheet is a courtesy
        for problem in exc.problems:
            reporter.warning(replace(problem, severity="warning"))


def _check_reviewed(project: Project, planned: list[Job], options: Options) -> None:
    """--require-reviewed: refuse draft languages, and strings whose English changed since."""
    if not options.require_reviewed:
        return
    languages = {j.lang for j in planned}
    drafts = sorted(code for code in languages if project.languages[code].is_draft)
    refused = [
        Problem(
            f"language '{code}' is a draft translation; --require-reviewed refuses it",
            path=f"content/{code}/language.yaml",
            field="status",
            hint="have a qualified translator review it, then set 'status: reviewed' "
            "and 'reviewed_by: NAME', or build other languages with --lang",
        )
        for code in drafts
    ]
    for state in translation_states(project, languages - set(drafts)).values():
        refused += [
            replace(p, severity="error", message=p.message + "; --require-reviewed refuses it")
            for p in translation_problems(project, state, kinds=("stale",))
        ]
    if refused:
        raise MakeprintError(refused)


@contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block is done, then let it through as usual.

    Used while a finished document is written and recorded, so an interrupted build never
    leaves a file that the manifest and the cache do not know about. A Python-level handler,
    not a signal mask: with worker pools the signal may land on any thread of the process.
    """
    held: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    except ValueError:  # not the main thread: Ctrl-C is not delivered here anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        if callable(previous):
            previous(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt
        elif previous == signal.SIG_DFL:
            raise KeyboardInterrupt


def entry_key(entry: dict[str, object]) -> tuple[str, str, str, str]:
    """A manifest entry's ``Job.key``: a location's document, or a directory's."""
    kind = "directory" if "directory" in entry else "location"
    return (kind, str(entry.get(kind)), str(entry.get("lang")), str(entry.get("material")))


def _remove_stale(
    out: Path, everything: set[tuple[str, str, str, str]], entries: dict[str, dict[str, object]],
    cache: dict[str, dict[str, object]],
    delete: bool = True,
) -> list[str]:
    """Outputs of locations, directories, languages or materials that no longer exist are
    removed (with ``delete`` false, only from the manifest and the cache). A directory made
    by filters (``--where``) stays while its language and material exist."""
    removed = []
    kept = {(lang, material) for _, _, lang, material in everything}
    for path, entry in sorted(entries.items()):
        key = entry_key(entry)
        if key in everything or ("where" in entry and key[2:] in kept):
            continue
        target = out / path
        if delete and target.is_file() and target.resolve().is_relative_to(out):
            target.unlink()
            removed.append(path)
        del entries[path]
        cache.pop(path, None)
    return removed


def _record(
    outcome: _Outcome,
    out: Path,
    reporter: Reporter,
    result: BuildResult,
    entries: dict[str, dict[str, object]],
    cache: dict[str, dict[str, str]],
    fps: dict[Job, str],
) -> None:
    job = outcome.job
    for problem in outcome.problems:
        if problem.severity == "warning":
            reporter.warning(problem)
    errors = [p for p in outcome.problems if p.severity == "error"]
    if errors or outcome.pdf is None:
        result.failed.append((job, errors))
        cache.pop(job.relpath, None)
        reporter.failed(job, errors)
        return
    variant = "single" if job.profile == "office" else job.profile
    files = [(job.relpath, outcome.pdf, outcome.pages, variant), *outcome.extras]
    digests = {}
    for relpath, data, pages, kind in files:
        digests[relpath] = sha256(data)
        try:
            atomic_write(out / relpath, data)
        except OSError as exc:
            raise MakeprintError(Problem(
                f"cannot write {relpath}: {exc.strerror or exc}", path=str(out),
                hint="free some disk space or choose another folder with --out")) from None
        entries[relpath] = {
            job.kind: job.slug, "lang": job.lang, "material": job.material,
            "variant": kind, "path": relpath, "pages": pages, "sha256": digests[relpath],
            "qr_url": outcome.qr_url,
        }
        if outcome.where:  # a directory made by --where filters: what it lists
            entries[relpath]["where"] = outcome.where
        if job.size:  # a further size of the material: the poster's office size
            entries[relpath]["size"] = job.size
    for name, image in outcome.thumbs:  # a courtesy: a thumbnail that fails is made again later
        with contextlib.suppress(OSError):
            atomic_write(out / name, image)
    cache[job.relpath] = {"fp": fps[job], "sha256": digests[job.relpath],
                          "extras": [relpath for relpath, *_ in outcome.extras]}
    result.written += [relpath for relpath, *_ in files]
    reporter.done(job, job.relpath)


# --- rendering, in this process or in a pool of warm workers ----------------------------------

_worker: dict[str, object] = {}


def _outcome(renderer: object, job: Job) -> _Outcome:
    from .preflight import build_problems

    try:
        rendered = renderer.render(job)  # type: ignore[attr-defined]
        # The layout checks of preflight (glyphs, type size, contrast, links, image
        # resolution) run on the laid-out document here, in the worker that holds it.
        problems = build_problems(
            renderer.project,  # type: ignore[attr-defined]
            rendered,
            renderer.check_cache,  # type: ignore[attr-defined]
        )
    except MakeprintError as exc:
        return _Outcome(job, None, 0, "", exc.problems, [])
    except Exception as exc:  # noqa: BLE001 - one broken document must not sink the batch
        problem = Problem(f"{job}: unexpected {type(exc).__name__}: {exc}",
                          hint="please report this with the input that caused it")
        return _Outcome(job, None, 0, "", [problem], [])
    if any(p.severity == "error" for p in problems):  # refuse to write a defective document
        return _Outcome(job, None, rendered.pages, rendered.qr_url, problems, [])
    outcome = _Outcome(
        job, rendered.pdf, rendered.pages, rendered.qr_url, problems, rendered.extras
    )
    if rendered.pdf is not None:  # thumbnails here, in parallel, not after the build
        from .contact_sheet import thumbnail_files

        # One thumbnail, of the first page that is this location's own: the pages every
        # location shares look the same on every card of the contact sheet. Card sheets are
        # listed by a link only (see contact_sheet).
        material = renderer.project.materials[job.material]  # type: ignore[attr-defined]
        own = [n for n in range(1, rendered.pages + 1) if n not in material.shared_pages]
        page = own[0] if own else 1
        files = [(job.relpath, rendered.pdf)] + [
            (path, data) for path, data, _, kind in rendered.extras if kind != "sheet"
        ]
        outcome.thumbs = [
            thumb for path, data in files for thumb in thumbnail_files(path, data, page)
        ]
    return outcome


def _init_worker(project: Project, options: Options) -> None:
    # Ctrl-C reaches the whole process group; the main process handles it and stops the
    # workers. Left to the default, an idle worker dies with a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .render import DocumentCollector, Renderer

    renderer = Renderer(project, options)
    _worker["renderer"] = renderer
    _worker["collector"] = DocumentCollector(renderer)  # the worker's whole life: never closed


def _work(job: Job) -> _Outcome:
    outcome = _outcome(_worker["renderer"], job)
    _worker["collector"].document_done()  # type: ignore[attr-defined]
    return outcome


def _render_all(
    project: Project, options: Options, todo: list[Job], jobs: int
) -> Iterator[_Outcome]:
    if not todo:
        return
    costly_first = sorted(todo, key=lambda j: -project.materials[j.material].cost)
    if jobs <= 1 or len(todo) == 1:
        from .render import DocumentCollector, Renderer

        renderer = Renderer(project, options)
        collector = DocumentCollector(renderer)
        try:
            for job in costly_first:
                outcome = _outcome(renderer, job)
                collector.document_done()
                yield outcome
        finally:
            collector.close()
        return
    # In warm worker processes (workers.py), each replaced after recycle_after() documents
    # to keep memory flat. The project is pickled to each worker once.
    workers = min(jobs, len(todo))
    yield from run_in_workers(
        todo,
        lambda job: project.materials[job.material].cost,
        workers,
        _init_worker,
        (project, options),
        _work,
        recycle_after(len(todo), workers),
    )
