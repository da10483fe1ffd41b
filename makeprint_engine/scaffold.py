"""`makeprint new`: start a project from the shipped templates, assets and sample content."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import MakeprintError, Problem

PARTS = ("templates", "content", "assets")


def shipped_root() -> Path:
    """The folder holding the templates and sample content that ship with makeprint."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent, here / "_skeleton"):
        if all((candidate / part).is_dir() for part in PARTS):
            return candidate
    raise MakeprintError("makeprint's own templates are missing from this installation")


def new_project(target: Path) -> Path:
    """Copy templates/, content/ and assets/ into ``target``, which must be empty or new."""
    if target.exists() and any(target.iterdir()):
        raise MakeprintError(
            Problem("folder is not empty", path=str(target), hint="choose a new folder name")
        )
    source = shipped_root()
    target.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        shutil.copytree(source / part, target / part)
    (target / ".gitignore").write_text("output/\n", encoding="utf-8")
    return target
