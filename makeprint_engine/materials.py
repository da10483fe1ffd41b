"""Materials: discovered from templates/materials/, each a template plus a small YAML of facts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problems, display_path
from .geometry import to_mm
from .yamlsrc import Mapping, load_yaml

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEYS = {
    "description", "pages", "trim", "qr_min_mm", "min_font_pt", "cost", "shared_pages",
    "card_sheet",
}


@dataclass(frozen=True)
class Material:
    name: str
    description: str
    pages: int
    trim_mm: dict[str, tuple[float, float]]  # paper -> (width, height)
    qr_min_mm: float
    min_font_pt: float
    cost: float  # relative render cost, for balancing work
    template: str  # path relative to templates/
    shared_pages: tuple[int, ...] = ()  # 1-based pages that do not depend on the location
    card_sheet: bool = False  # office profile: also imposed on card stock for duplex

    def trim(self, paper: str) -> tuple[float, float]:
        return self.trim_mm[paper]


def discover_materials(templates_dir: Path, root: Path) -> list[Material]:
    """Every ``templates/materials/NAME.html`` with its ``NAME.yaml`` is a material."""
    folder = templates_dir / "materials"
    problems = Problems()
    materials = []
    for html in sorted(folder.glob("*.html")):
        name = html.stem
        meta_path = html.with_suffix(".yaml")
        source = display_path(meta_path, root)
        if not NAME_RE.match(name):
            problems.add(
                f'"{name}" is not a valid material name',
                path=display_path(html, root),
                hint="use lowercase letters, digits and hyphens",
            )
            continue
        if not meta_path.is_file():
            problems.add(
                "material description is missing",
                path=source,
                hint="add it with pages and trim, like templates/materials/flyer.yaml",
            )
            continue
        meta = load_yaml(meta_path, root)
        if not isinstance(meta, Mapping):
            problems.add("must be a mapping", path=source, line=1)
            continue
        for key in sorted(set(meta) - KEYS):
            problems.add(
                "unknown setting",
                path=source,
                line=meta.line_of(key),
                field=key,
                hint="valid settings are " + ", ".join(sorted(KEYS)),
            )
        pages = _number(meta, "pages", source, problems, 1)
        trim: dict[str, tuple[float, float]] = {}
        raw_trim = meta.get("trim")
        if not isinstance(raw_trim, Mapping) or set(raw_trim) != {"letter", "a4"}:
            problems.add(
                "needs a trim size for letter and a4",
                path=source,
                line=meta.line_of("trim"),
                field="trim",
                hint="e.g. trim: {letter: [8.5in, 11in], a4: [210mm, 297mm]}",
            )
        else:
            for paper, size in raw_trim.items():
                try:
                    width, height = (to_mm(str(s)) for s in size)
                except (ValueError, TypeError):
                    problems.add(
                        f"{size} is not a width and height",
                        path=source,
                        line=raw_trim.line_of(paper),
                        field=f"trim.{paper}",
                        hint="write it like [3.5in, 2in]",
                    )
                    continue
                trim[paper] = (width, height)
        materials.append(
            Material(
                name=name,
                description=str(meta.get("description", "")),
                pages=int(pages),
                trim_mm=trim,
                qr_min_mm=_number(meta, "qr_min_mm", source, problems, 20),
                min_font_pt=_number(meta, "min_font_pt", source, problems, 10),
                cost=_number(meta, "cost", source, problems, 1),
                template=f"materials/{name}.html",
                shared_pages=_pages(meta, source, problems, int(pages)),
                card_sheet=meta.get("card_sheet") is True,
            )
        )
    problems.raise_if_errors()
    return materials


def _pages(meta: Mapping, source: str, problems: Problems, count: int) -> tuple[int, ...]:
    raw = meta.get("shared_pages") or []
    try:
        pages = tuple(sorted({int(p) for p in raw}))
    except (TypeError, ValueError):
        pages = (0,)
    if any(not 1 <= p <= count for p in pages) or len(pages) >= count:
        problems.add(
            f"{raw} is not a list of page numbers from 1 to {count}",
            path=source,
            line=meta.line_of("shared_pages"),
            field="shared_pages",
            hint="list the pages that are the same for every location, e.g. [1]; "
            "at least one page must show the location",
        )
        return ()
    return pages


def _number(meta: Mapping, key: str, source: str, problems: Problems, default: float) -> float:
    value = meta.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.add(f'"{value}" is not a number', path=source, line=meta.line_of(key), field=key,
                     hint=f"write a number, e.g. {key}: {default:g}")
        return default
    if number <= 0:
        problems.add("must be more than 0", path=source, line=meta.line_of(key), field=key)
        return default
    return number
