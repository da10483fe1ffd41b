"""Materials: discovered from templates/materials/, each a template plus a small YAML of facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problems, display_path
from .fit import Fallback, FitElement, FitSpec
from .geometry import to_mm
from .yamlsrc import Mapping, load_yaml

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEYS = {
    "description", "pages", "trim", "qr_min_mm", "qr_max_mm", "min_font_pt", "cost",
    "shared_pages", "card_sheet", "label_sheet", "fit", "sizes", "min_font_pt_roles",
    "collection",
}
FIT_KEYS = {"label", "min_pt", "field", "max_lines", "short"}


@dataclass(frozen=True)
class Material:
    name: str
    description: str
    pages: int
    trim_mm: dict[str, tuple[float, float]]  # paper -> (width, height)
    qr_min_mm: float
    qr_max_mm: float  # the widest its layout holds: a long URL's code may grow up to this
    min_font_pt: float
    cost: float  # relative render cost, for balancing work
    template: str  # path relative to templates/
    shared_pages: tuple[int, ...] = ()  # 1-based pages that do not depend on the location
    card_sheet: bool = False  # office profile: also imposed on card stock for duplex
    label_sheet: bool = False  # office profile: also imposed on label stock, one-sided
    fit: FitSpec = FitSpec()  # what copyfitting may shrink, to what, and what it may drop
    # Further sizes, each a document of its own (the poster's office size): name -> paper ->
    # (width, height); written as <material>-<name>.pdf.
    sizes: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    # Larger minimums for text marked data-role="NAME" in the template (a poster's headline).
    min_font_pt_roles: dict[str, float] = field(default_factory=dict)
    # One document per directory × language listing many locations (the resource directory),
    # as many pages as it takes (``pages`` is then the fewest), instead of one per location.
    collection: bool = False

    def trim(self, paper: str, size: str = "") -> tuple[float, float]:
        """The trim on ``paper``: the material's own size, or one of its further ``sizes``."""
        return self.sizes[size][paper] if size else self.trim_mm[paper]

    def min_font_pt_for(self, role: str | None) -> float:
        return self.min_font_pt_roles.get(role or "", self.min_font_pt)

    @property
    def stock(self) -> str | None:
        """The kind of sheet stock (cards, labels) the office profile also imposes it on."""
        return "cards" if self.card_sheet else "labels" if self.label_sheet else None


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
        trim = _trim(meta, "trim", source, problems, meta.line_of("trim"))
        sizes = _sizes(meta, source, problems)
        qr_min = _number(meta, "qr_min_mm", source, problems, 20)
        qr_max = _number(meta, "qr_max_mm", source, problems, qr_min)
        if qr_max < qr_min:
            problems.add(
                f"is less than qr_min_mm ({qr_min:g})",
                path=source,
                line=meta.line_of("qr_max_mm"),
                field="qr_max_mm",
                hint="the widest QR code the layout holds, at least qr_min_mm",
            )
            qr_max = qr_min
        materials.append(
            Material(
                name=name,
                description=str(meta.get("description", "")),
                pages=int(pages),
                trim_mm=trim,
                qr_min_mm=qr_min,
                qr_max_mm=qr_max,
                min_font_pt=_number(meta, "min_font_pt", source, problems, 10),
                cost=_number(meta, "cost", source, problems, 1),
                template=f"materials/{name}.html",
                shared_pages=_pages(meta, source, problems, int(pages)),
                card_sheet=meta.get("card_sheet") is True,
                label_sheet=meta.get("label_sheet") is True,
                fit=_fit(meta, source, problems),
                sizes=sizes,
                min_font_pt_roles=_roles(meta, source, problems),
                collection=meta.get("collection") is True,
            )
        )
    problems.raise_if_errors()
    return materials


def _trim(
    meta: Mapping, key: str, source: str, problems: Problems, line: int | None, name: str = "trim"
) -> dict[str, tuple[float, float]]:
    """``{letter: [W, H], a4: [W, H]}`` in millimetres."""
    trim: dict[str, tuple[float, float]] = {}
    raw_trim = meta.get(key)
    if not isinstance(raw_trim, Mapping) or set(raw_trim) != {"letter", "a4"}:
        problems.add(
            "needs a trim size for letter and a4",
            path=source,
            line=line,
            field=name,
            hint="e.g. trim: {letter: [8.5in, 11in], a4: [210mm, 297mm]}",
        )
        return trim
    for paper, size in raw_trim.items():
        try:
            width, height = (to_mm(str(s)) for s in size)
        except (ValueError, TypeError):
            problems.add(
                f"{size} is not a width and height",
                path=source,
                line=raw_trim.line_of(paper),
                field=f"{name}.{paper}",
                hint="write it like [3.5in, 2in]",
            )
            continue
        trim[paper] = (width, height)
    return trim


def _sizes(
    meta: Mapping, source: str, problems: Problems
) -> dict[str, dict[str, tuple[float, float]]]:
    """``sizes: {NAME: {letter: [W, H], a4: [W, H]}}``: further sizes of the material."""
    raw = meta.get("sizes")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add("must be a mapping of size names to trims", path=source,
                     line=meta.line_of("sizes"), field="sizes",
                     hint="e.g. sizes: {small: {letter: [8.5in, 11in], a4: [210mm, 297mm]}}")
        return {}
    sizes = {}
    for name in raw:
        if not isinstance(name, str) or not NAME_RE.match(name) or name in ("press", "sheet"):
            problems.add(f'"{name}" is not a valid size name', path=source,
                         line=raw.line_of(name), field="sizes",
                         hint="use lowercase letters, digits and hyphens, not press or sheet")
            continue
        sizes[name] = _trim(raw, name, source, problems, raw.line_of(name), f"sizes.{name}")
    return sizes


def _roles(meta: Mapping, source: str, problems: Problems) -> dict[str, float]:
    """``min_font_pt_roles: {ROLE: PT}``: text the template marks ``data-role="ROLE"``."""
    raw = meta.get("min_font_pt_roles")
    if raw is None:
        return {}
    roles = {}
    for role, value in (raw.items() if isinstance(raw, Mapping) else []):
        try:
            roles[str(role)] = float(value)
        except (TypeError, ValueError):
            problems.add(f'"{value}" is not a number', path=source, line=raw.line_of(role),
                         field=f"min_font_pt_roles.{role}", hint="e.g. headline: 60")
    if not isinstance(raw, Mapping):
        problems.add("must be a mapping of roles to point sizes", path=source,
                     line=meta.line_of("min_font_pt_roles"), field="min_font_pt_roles",
                     hint="e.g. min_font_pt_roles: {headline: 60}")
    return roles


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


def _fit(meta: Mapping, source: str, problems: Problems) -> FitSpec:
    """``fit: {elements: {KEY: {label, min_pt, field, max_lines, short}}, fallbacks: [...]}``"""
    raw = meta.get("fit")
    if raw is None:
        return FitSpec()
    hint = "see templates/materials/wallet-card.yaml"
    if not isinstance(raw, Mapping) or set(raw) - {"elements", "fallbacks"}:
        problems.add("must be a mapping of elements and fallbacks", path=source,
                     line=meta.line_of("fit"), field="fit", hint=hint)
        return FitSpec()
    elements = []
    raw_elements = raw.get("elements") or {}
    if not isinstance(raw_elements, Mapping):
        raw_elements = {}
        problems.add("must be a mapping", path=source, line=raw.line_of("elements"),
                     field="fit.elements", hint=hint)
    for key, item in raw_elements.items():
        where = {"path": source, "line": raw_elements.line_of(key), "field": f"fit.elements.{key}"}
        if not isinstance(item, Mapping) or set(item) - FIT_KEYS or "min_pt" not in item:
            problems.add("needs min_pt, and may have " + ", ".join(sorted(FIT_KEYS - {"min_pt"})),
                         **where, hint=hint)
            continue
        try:
            min_pt = float(item["min_pt"])
            max_lines = int(item["max_lines"]) if item.get("max_lines") is not None else None
        except (TypeError, ValueError):
            problems.add("min_pt and max_lines must be numbers", **where, hint=hint)
            continue
        elements.append(FitElement(
            key=str(key),
            label=str(item.get("label", key)),
            min_pt=min_pt,
            field=str(item["field"]) if item.get("field") else None,
            max_lines=max_lines,
            short=item.get("short") is True,
        ))
    fallbacks = []
    for index, item in enumerate(raw.get("fallbacks") or []):
        if isinstance(item, str):
            fallbacks.append(Fallback(item))
        elif isinstance(item, Mapping) and len(item) == 1:
            (key, keep), = item.items()
            if keep == "wide":
                fallbacks.append(Fallback(str(key), wide=True))
                continue
            if isinstance(keep, int) and not isinstance(keep, bool) and keep > 0:
                fallbacks.append(Fallback(str(key), keep))
                continue
            problems.add(f"{keep!r} is not a number of items to keep, or 'wide'", path=source,
                         line=raw.line_of("fallbacks"), field=f"fit.fallbacks[{index}]", hint=hint)
        else:
            problems.add("each fallback is a key, {key: items to keep} or {key: wide}",
                         path=source,
                         line=raw.line_of("fallbacks"), field=f"fit.fallbacks[{index}]", hint=hint)
    return FitSpec(tuple(elements), tuple(fallbacks))
