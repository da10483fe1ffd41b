"""The plan: which documents to make (location × language × material) and where each goes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import MakeprintError, Problem
from .project import Project


@dataclass(frozen=True)
class Job:
    slug: str
    lang: str
    material: str
    profile: str = "office"
    size: str = ""  # one of the material's further sizes (the poster's "small"), or its own

    @property
    def name(self) -> str:
        """The document's name: the material, and the size when it is a further one."""
        return f"{self.material}-{self.size}" if self.size else self.material

    @property
    def relpath(self) -> str:
        """Output path relative to the output folder, always below it."""
        suffix = "" if self.profile == "office" else f"-{self.profile}"
        return f"{self.slug}/{self.lang}/{self.name}{suffix}.pdf"

    def sibling(self, variant: str) -> str:
        """Path of a further file made from this job, e.g. the card sheet."""
        return f"{self.slug}/{self.lang}/{self.material}-{variant}.pdf"

    def __str__(self) -> str:
        return f"{self.slug} / {self.lang} / {self.name}"


@dataclass(frozen=True)
class Selection:
    locations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()


def plan_jobs(project: Project, selection: Selection, profile: str = "office") -> list[Job]:
    """Every selected combination, in a stable order; unknown names are errors."""
    problems = []
    slugs = [loc.slug for loc in project.locations]
    for kind, wanted, known in (
        ("location", selection.locations, slugs),
        ("language", selection.languages, list(project.languages)),
        ("material", selection.materials, list(project.materials)),
    ):
        for name in wanted:
            if name not in known:
                problems.append(
                    Problem(f'no {kind} named "{name}"', hint=f"choose from: {', '.join(known)}")
                )
    if problems:
        raise MakeprintError(problems)
    jobs = []
    seen: dict[str, Job] = {}
    for location in project.locations:
        if selection.locations and location.slug not in selection.locations:
            continue
        for lang in location.languages:
            if selection.languages and lang not in selection.languages:
                continue
            for material in project.materials:
                if selection.materials and material not in selection.materials:
                    continue
                # Every size of the material: one command builds the poster for the print
                # shop's tabloid and the office printer's Letter alike.
                for size in ("", *project.materials[material].sizes):
                    job = Job(location.slug, lang, material, profile, size)
                    if job.relpath in seen:  # cannot happen with unique slugs; guard it
                        raise MakeprintError(
                            f"{job} and {seen[job.relpath]} would both write {job.relpath}"
                        )
                    seen[job.relpath] = job
                    jobs.append(job)
    return jobs


def check_output_dir(out: Path, root: Path) -> Path:
    """The output folder may not be the project or hold its sources."""
    out = out.resolve()
    for source in ("content", "templates", "assets"):
        if (root / source).resolve().is_relative_to(out):
            raise MakeprintError(
                Problem(
                    f"output folder {out.name or out} contains the project's {source}/ folder",
                    hint="choose a separate folder, e.g. --out output",
                )
            )
    return out


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' → (2, 4); K counts from 1."""
    k, sep, n = text.partition("/")
    # isascii: str.isdigit() also accepts characters such as "²" that int() refuses
    digits = all(part.isascii() and part.isdigit() for part in (k, n))
    if not sep or not digits or not 1 <= int(k) <= int(n):
        raise MakeprintError(
            Problem(
                f'"{text}" is not a shard', hint="write it as K/N with 1 ≤ K ≤ N, e.g. --shard 2/4"
            )
        )
    return int(k), int(n)


def shard_jobs(jobs: list[Job], project: Project, k: int, n: int) -> list[Job]:
    """The K-th of N deterministic parts, balanced by cost (largest first, to the least loaded)."""
    loads = [0.0] * n
    parts: list[list[Job]] = [[] for _ in range(n)]
    order = sorted(jobs, key=lambda j: (-project.materials[j.material].cost, j.relpath))
    for job in order:
        target = min(range(n), key=lambda i: (loads[i], i))
        loads[target] += project.materials[job.material].cost
        parts[target].append(job)
    chosen = set(parts[k - 1])
    return [job for job in jobs if job in chosen]
