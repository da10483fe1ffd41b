"""The build recipe: load and validate everything, plan, render each document, write, record."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .output import atomic_write, output_lock, sha256, write_manifest
from .plan import Job, Selection, check_output_dir, plan_jobs
from .project import Project
from .reporting import Reporter


@dataclass
class BuildResult:
    out: Path
    written: list[str] = field(default_factory=list)
    failed: list[tuple[Job, list[Problem]]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def build(project: Project, selection: Selection, out: Path, reporter: Reporter) -> BuildResult:
    """Render every selected document; write the good ones atomically; report the bad ones.

    Order matters: all input was validated when the project loaded and the plan is checked
    before the first render, so bad input writes nothing at all.
    """
    started = time.perf_counter()
    out = check_output_dir(out, project.root)
    jobs = plan_jobs(project, selection)
    for warning in project.warnings:
        reporter.warning(warning)
    result = BuildResult(out)
    with output_lock(out):
        from .render import Renderer

        renderer = Renderer(project)
        reporter.start(len(jobs))
        entries = []
        for job in jobs:
            rendered = renderer.render(job)
            for problem in rendered.problems:
                if problem.severity == "warning":
                    reporter.warning(problem)
            if not rendered.ok or rendered.pdf is None:
                errors = [p for p in rendered.problems if p.severity == "error"]
                result.failed.append((job, errors))
                reporter.failed(job, errors)
                continue
            atomic_write(out / job.relpath, rendered.pdf)
            entries.append(
                {
                    "location": job.slug,
                    "lang": job.lang,
                    "material": job.material,
                    "path": job.relpath,
                    "pages": rendered.pages,
                    "sha256": sha256(rendered.pdf),
                    "qr_url": rendered.qr_url,
                }
            )
            result.written.append(job.relpath)
            reporter.done(job, job.relpath)
        write_manifest(out, entries)
    result.seconds = time.perf_counter() - started
    return result
