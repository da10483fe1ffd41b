"""Fingerprints: a hash of every input that shapes one document, computed without WeasyPrint."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .options import Options
from .plan import Job
from .project import Project

CACHE = ".cache/fingerprints.json"
_DEPENDS_RE = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


@cache
def _versions() -> str:
    from . import __version__

    try:
        weasy = importlib.metadata.version("weasyprint")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - dev checkouts
        weasy = "unknown"
    return f"makeprint {__version__}; weasyprint {weasy}"


def template_files(templates_dir: Path, name: str) -> list[Path]:
    """A template and every template it extends, includes or imports, transitively."""
    seen: dict[str, Path] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        path = templates_dir / current
        seen[current] = path
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        todo.extend(_DEPENDS_RE.findall(text))
    return [seen[k] for k in sorted(seen)]


class Fingerprints:
    """Hashes files once per build and combines them per job."""

    def __init__(self, project: Project, options: Options):
        self.project = project
        self.options = options
        self._files: dict[Path, str] = {}
        self._shared: dict[tuple[str, str], str] = {}
        self._rows = {loc.slug: loc for loc in project.locations}

    def _file(self, path: Path) -> str:
        if path not in self._files:
            try:
                self._files[path] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._files[path] = "missing"
        return self._files[path]

    def _tree(self, folder: Path) -> Iterable[tuple[str, str]]:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            yield str(path.relative_to(self.project.root)), self._file(path)

    def _material_language(self, material: str, lang: str) -> str:
        """Everything shared by all locations for one material in one language."""
        key = (material, lang)
        if key not in self._shared:
            root = self.project.root
            templates = self.project.templates_dir
            meta = self.project.materials[material]
            files = template_files(templates, meta.template)
            files += [templates / "materials" / f"{material}.yaml"]
            files += [templates / "styles" / "base.css", templates / "styles" / f"{material}.css"]
            if self.project.languages[lang].direction == "rtl":
                files += [templates / "styles" / "rtl.css"]
            if meta.stock and self.options.profile == "office":  # the card or label stock
                sheet = self.project.sheet_name(self.options.sheet, meta.stock)
                files += [templates / "sheets" / f"{sheet}.yaml"]
            content = self.project.content_dir
            files += [content / "organization.yaml", content / "hotlines.yaml"]
            files += [
                content / lang / n for n in ("language.yaml", "common.yaml", f"{material}.yaml")
            ]
            parts = [_versions(), self.options.fingerprint()]
            parts += [f"{p.relative_to(root)}={self._file(p)}" for p in files]
            parts += [f"{n}={h}" for n, h in self._tree(self.project.assets_dir)]
            self._shared[key] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return self._shared[key]

    def job(self, job: Job) -> str:
        if job.kind == "directory":
            row = self._directory(job)
        else:
            row = json.dumps(self._rows[job.slug].raw, ensure_ascii=False)
        text = f"{self._material_language(job.material, job.lang)}\n{row}"
        if job.size:  # a further size of the material (the poster's office size)
            text += f"\nsize={job.size}"
        return hashlib.sha256(text.encode()).hexdigest()

    def _directory(self, job: Job) -> str:
        """A directory's own inputs: its definition, the rows it lists (and only those: a
        change to a location it does not list leaves it current), and its "Updated" month."""
        from .directories import members
        from .directory_view import directory_of, updated_on

        directory = directory_of(self.project, job, self.options)
        rows = [loc.raw for loc in members(directory, self.project.locations)]
        # Each place lists the languages spoken there by their own names (language.yaml).
        spoken = {code: lang.native_name for code, lang in self.project.languages.items()}
        return json.dumps([directory.name, directory.where, directory.languages, rows,
                           updated_on()[:7], spoken], ensure_ascii=False, sort_keys=True)


def read_cache(out: Path) -> dict[str, dict[str, str]]:
    """The fingerprints of the last build; anything unreadable means an empty cache."""
    try:
        data = json.loads((out / CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if _entry_ok(v)}


def _entry_ok(entry: object) -> bool:
    """An entry of the shape build() writes; any other shape is dropped (that job rebuilds)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("fp"), str):
        return False
    extras = entry.get("extras", [])
    return isinstance(extras, list) and all(isinstance(e, str) for e in extras)
