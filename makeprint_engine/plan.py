"""The plan: which documents to make (location × language × material, and directory × language
for a collection material) and where each goes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .directories import (
    Directory,
    check_members,
    directory_languages,
    members,
    parse_where,
    resolve,
)
from .errors import MakeprintError, Problem
from .project import Project

DIRECTORIES = "_directories"  # output/_directories/<name>/<lang>/: never a location's slug


@dataclass(frozen=True)
class Job:
    slug: str  # the location's slug, or the directory's name (kind "directory")
    lang: str
    material: str
    profile: str = "office"
    size: str = ""  # one of the material's further sizes (the poster's "small"), or its own
    kind: str = "location"  # "directory": a collection material, one document of many places

    @property
    def folder(self) -> str:
        """The document's folder below the output folder."""
        if self.kind == "directory":
            return f"{DIRECTORIES}/{self.slug}/{self.lang}"
        return f"{self.slug}/{self.lang}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the manifest records it by: (kind, slug, language, material)."""
        return (self.kind, self.slug, self.lang, self.material)

    @property
    def name(self) -> str:
        """The document's name: the material, and the size when it is a further one."""
        return f"{self.material}-{self.size}" if self.size else self.material

    @property
    def relpath(self) -> str:
        """Output path relative to the output folder, always below it."""
        suffix = "" if self.profile == "office" else f"-{self.profile}"
        return f"{self.folder}/{self.name}{suffix}.pdf"

    def sibling(self, variant: str) -> str:
        """Path of a further file made from this job, e.g. the card sheet."""
        return f"{self.folder}/{self.material}-{variant}.pdf"

    def __str__(self) -> str:
        where = f"{DIRECTORIES}/{self.slug}" if self.kind == "directory" else self.slug
        return f"{where} / {self.lang} / {self.name}"


@dataclass(frozen=True)
class Selection:
    locations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    directories: tuple[str, ...] = ()  # named directories (organization.yaml)
    where: tuple[str, ...] = ()  # filters: one directory of the locations they match

    @property
    def only_directories(self) -> bool:
        """Directories named or filtered and no location named: the directories alone."""
        return bool(self.directories or self.where) and not self.locations


def selected_directories(project: Project, selection: Selection) -> list[Directory]:
    """The directories this selection builds: its filters' one, the named ones, or every
    directory of the project (none when only locations are named)."""
    if selection.where:
        return [parse_where(selection.where)]
    if selection.locations and not selection.directories:
        return []
    return resolve(project.directories, selection.directories)


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
    collections = [
        name for name, m in project.materials.items()
        if m.collection and (not selection.materials or name in selection.materials)
    ]
    if (selection.where or selection.directories) and not collections:
        what = "--where" if selection.where else "--directory"
        chosen = ", ".join(selection.materials) or "none of this project's materials"
        raise MakeprintError(Problem(
            f"chooses directories, but {chosen} is made per location", field=what,
            hint="add -m " + ", -m ".join(n for n, m in project.materials.items() if m.collection)
            if any(m.collection for m in project.materials.values())
            else "add a collection material (collection: true), such as the directory"))
    directories = selected_directories(project, selection) if collections else []
    problems = check_members(directories, project.locations)
    if problems:
        raise MakeprintError(problems)
    jobs = []
    seen: dict[str, Job] = {}

    def add(job: Job) -> None:
        if job.relpath in seen:  # cannot happen with unique slugs; guard it
            raise MakeprintError(f"{job} and {seen[job.relpath]} would both write {job.relpath}")
        seen[job.relpath] = job
        jobs.append(job)

    for directory in directories:
        listed = members(directory, project.locations)
        for lang in directory_languages(directory, listed, list(project.languages)):
            if selection.languages and lang not in selection.languages:
                continue
            for material in collections:
                for size in ("", *project.materials[material].sizes):
                    add(Job(directory.name, lang, material, profile, size, "directory"))
    for location in project.locations:
        if selection.only_directories:
            break
        if selection.locations and location.slug not in selection.locations:
            continue
        for lang in location.languages:
            if selection.languages and lang not in selection.languages:
                continue
            for material in project.materials:
                if selection.materials and material not in selection.materials:
                    continue
                if project.materials[material].collection:
                    continue
                # Every size of the material: one command builds the poster for the print
                # shop's tabloid and the office printer's Letter alike.
                for size in ("", *project.materials[material].sizes):
                    add(Job(location.slug, lang, material, profile, size))
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
