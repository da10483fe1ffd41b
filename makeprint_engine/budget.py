"""Space budgets: where each content string prints and how much room it has, from the layout.

The documents of one location are laid out with every content string in a span naming its
unit (``Renderer.name_units``; ``typeset.KeyedText``). Walking the box tree then says, for each
unit, the block it prints in (its width, or for a box that shrinks to its text the room
beside it), the lines it takes and how full they are, and whether the box is tight: its
element has ``max_lines``, or it lies in a ``data-fit`` box (a box of fixed size that must
hold its text) with less than two lines of room left under its text. A tight string gets a
maximum length in characters, estimated from the English's average character width over the
lines the box has room for. The same walk on a translation's layout says which units lie in a
box that does not fit (``exchange.import_translations``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import fit
from .content import SOURCE_LANGUAGE
from .errors import MakeprintError, Problem
from .fingerprint import Fingerprints
from .options import Options
from .output import atomic_write
from .plan import Job
from .project import Project

MM_PER_PX = 25.4 / 96
# A data-fit box with less room than this many lines left under its text is tight: every
# string in it gets a maximum length.
TIGHT_SPARE_LINES = 2
CACHE = ".cache/budgets.json"
_MEASURED: dict[str, dict[str, Budget]] = {}


@dataclass(frozen=True)
class Budget:
    """The room one unit has where it prints (the tightest place, if it prints in several)."""

    material: str
    page: int
    element: str  # as the material's fit labels name it ("hotline note"), else its box
    box: str | None  # the data-fit box it lies in
    width_mm: float
    lines: int  # the lines the English takes
    fill: float  # how much of those lines the English fills, 0..1
    capacity: int | None  # the lines it has room for, where the box is tight
    max_chars: int | None  # printed characters, from the English's letter widths, where tight
    printed: int = 0  # the characters the English prints (no Markdown marks, no '|')
    also: tuple[str, ...] = ()  # other materials it prints on

    def limit(self, source: str | None = None) -> int | None:
        """The most characters to write: ``max_chars``, plus the marks the English ``source``
        has that do not print (``**``, ``|``), as a translation will have them too."""
        if self.max_chars is None:
            return None
        return self.max_chars + max(0, len(source) - self.printed) if source else self.max_chars

    def describe(self, source: str | None = None) -> str:
        """``wallet-card, page 2, hotline note: box 61 mm wide; the English uses 2 of 3 lines,
        74 % of their width; keep under about 90 characters (an estimate …)``."""
        where = f"{self.material}, page {self.page}, {self.element}"
        if self.also:
            where += " (the tightest place; also on " + ", ".join(self.also) + ")"
        use = f"{self.lines} line{'s' if self.lines != 1 else ''}"
        if self.capacity is not None:
            use = f"{self.lines} of {self.capacity} line{'s' if self.capacity != 1 else ''}"
        text = (f"{where}: box {self.width_mm:.0f} mm wide; the English uses {use}, "
                f"{self.fill * 100:.0f} % of their width")
        if self.max_chars is not None:
            text += (f"; keep under about {self.limit(source)} characters (an estimate from "
                     "the English's letter widths)")
        return text


@dataclass
class Printing:
    """One printing of a unit: its block, lines and text."""

    unit: str
    page: int
    block: Any
    fit_box: Any
    fit_key: str | None
    lines: dict[int, float]  # id(line box) -> its height
    width_px: float = 0.0  # the width its text may take
    advance_px: float = 0.0
    chars: int = 0


def _printings(document: Any) -> list[Printing]:
    """Every unit's span in a laid-out document, with the block and data-fit box around it."""
    found: dict[tuple[str, int], Printing] = {}
    parents: dict[int, Any] = {}

    def visit(box: Any, page: int, block: Any, line: Any, fit_box: Any, key: str | None,
              unit: Printing | None) -> None:
        box = getattr(box, "_box", box)
        kind = type(box).__name__
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) is not None:
            key = element.get("data-fit-el") or key
            if element.get("data-fit") is not None and hasattr(box, "content_box_y"):
                fit_box = box
            name = element.get("data-unit")
            name = unquote(name) if name is not None else None
            if name is not None and block is not None and kind != "TextBox":
                ident = (name, id(element))
                unit = found.get(ident)
                if unit is None:
                    unit = found[ident] = Printing(name, page, block, fit_box, key, {})
        if kind == "LineBox":
            line = box
        if unit is not None and line is not None:
            unit.lines.setdefault(id(line), line.height)
            if kind == "TextBox":
                unit.advance_px += box.width
                unit.chars += len(box.text.strip("\u200b\u2060\u2066\u2067\u2068\u2069"))
        for child in getattr(box, "children", ()):
            parents[id(child)] = box
            child_block = block
            if type(child).__name__ == "LineBox" and unit is None:
                child_block = box
            visit(child, page, child_block, line, fit_box, key, unit)

    for number, page in enumerate(document.pages, start=1):
        visit(page._page_box, number, None, None, None, None, None)
    for seen in found.values():
        seen.width_px = _room_width(seen.block, parents)
    return list(found.values())


def _room_width(block: Any, parents: dict[int, Any]) -> float:
    """The width a block's text may take: its own, or, for a box that shrinks to its text
    (an inline block, a float), what its line or container leaves beside everything else."""
    outer = block.margin_width() - block.width
    parent = parents.get(id(block))
    if parent is None:
        return block.width
    if type(block).__name__ == "InlineBlockBox" and type(parent).__name__ == "LineBox":
        others = sum(c.margin_width() for c in parent.children if c is not block
                     and hasattr(c, "margin_width"))
        return max(block.width, parent.width - others - outer)
    if block.style["float"] != "none":
        top, bottom = block.position_y, block.position_y + block.margin_height()
        others = sum(
            c.margin_width() for c in parent.children
            if c is not block and c.style["float"] != "none" and hasattr(c, "margin_height")
            and c.position_y < bottom and top < c.position_y + c.margin_height())
        return max(block.width, parent.width - others - outer)
    return block.width


def _room_px(fit_box: Any, block: Any) -> float:
    """Height left in a data-fit box for ``block``'s text to grow: from the lowest line in the
    box's flow to its content bottom, or to the top of text placed over the box's foot (the
    card's hotlines), whichever comes first."""
    bottom = fit_box.content_box_y() + fit_box.height
    flow: list[float] = []
    placed: list[float] = []

    def visit(box: Any, holder: list[float] | None) -> None:
        box = getattr(box, "_box", box)
        element = getattr(box, "element", None)
        if element is not None and element.get("data-bleed") is not None:
            return
        if box.style["transform"]:
            return
        if holder is None and box.style["position"] == "absolute":
            own: list[float] = []
            for child in getattr(box, "children", ()):
                visit(child, own)
            if own:
                placed.append(box.border_box_y())
            return
        if type(box).__name__ == "LineBox":
            (flow if holder is None else holder).append(box.position_y + box.height)
            return
        for child in getattr(box, "children", ()):
            visit(child, holder)

    for child in getattr(fit_box, "children", ()):
        visit(child, None)
    limit = min([bottom, *placed])
    return max(0.0, limit - max(flow, default=fit_box.content_box_y()))


def _budget(project: Project, material: str, seen: Printing) -> Budget:
    spec = project.materials[material].fit
    element = spec.element(seen.fit_key) if seen.fit_key else None
    width = max(seen.width_px, 1.0)
    lines = max(1, len(seen.lines))
    line_px = max(seen.lines.values(), default=0.0) or 1.0
    capacity = None
    if element is not None and element.max_lines:
        capacity = element.max_lines
    elif seen.fit_box is not None:
        spare = int(_room_px(seen.fit_box, seen.block) // line_px)
        capacity = lines + spare if spare < TIGHT_SPARE_LINES else None
    max_chars = None
    if capacity is not None and seen.chars:
        per_char = seen.advance_px / seen.chars
        # The English fits where it is, whatever the estimate says of its letters.
        max_chars = max(seen.chars, math.floor(capacity * width / per_char))
    label = (element.label if element is not None
             else (seen.fit_box.element.get("data-fit") if seen.fit_box is not None else None)
             or _block_name(seen.block))
    box_name = seen.fit_box.element.get("data-fit") if seen.fit_box is not None else None
    return Budget(material, seen.page, label, box_name, round(width * MM_PER_PX, 1), lines,
                  min(1.0, seen.advance_px / (lines * width)), capacity, max_chars,
                  seen.chars)


def _block_name(block: Any) -> str:
    element = getattr(block, "element", None)
    if element is None:
        return "text"
    cls = (element.get("class") or "").split()
    return f"{block.element_tag}.{cls[0]}" if cls else str(block.element_tag)


def _tighter(a: Budget, b: Budget) -> bool:
    """True when ``a`` leaves less room than ``b``."""
    if (a.max_chars is None) != (b.max_chars is None):
        return a.max_chars is not None
    if a.max_chars is not None and b.max_chars is not None:
        return a.max_chars < b.max_chars
    return a.width_mm < b.width_mm


def location_slug(project: Project) -> str:
    """The location the budgets are measured on: the first in locations.csv."""
    return project.locations[0].slug


def layout_units(
    project: Project, lang: str, materials: list[str], renderer: Any = None
) -> dict[str, tuple[Any, list[Problem], list[Printing]]]:
    """Each material laid out (fitted) in ``lang`` with its strings named, for one location."""
    from .render import Renderer

    renderer = renderer or Renderer(project)
    renderer.name_units = True
    slug = location_slug(project)
    out = {}
    for name in materials:
        document, problems = renderer.laid_out(Job(slug, lang, name))
        out[name] = (document, problems, _printings(document) if document is not None else [])
    return out


def budgets(project: Project) -> dict[str, Budget]:
    """Every unit's budget, measured on the English layout: remembered in this process and in
    ``output/.cache/budgets.json`` under a hash of every input that shapes the layout, so an
    export measures again only after the English, a template, a stylesheet or an asset changed."""
    key = _fingerprint(project)
    if key in _MEASURED:
        return _MEASURED[key]
    path = project.root / "output" / CACHE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = {unit: Budget(**{**b, "also": tuple(b["also"])})
                 for unit, b in data["budgets"].items()} if data.get("key") == key else None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        found = None
    if found is None:
        found = measure(project)
        payload = {"key": key, "budgets": {u: asdict(b) for u, b in found.items()}}
        with contextlib.suppress(OSError, MakeprintError):  # unwritable: measured next time
            atomic_write(path, json.dumps(payload, ensure_ascii=False).encode())
    _MEASURED.clear()
    _MEASURED[key] = found
    return found


def _fingerprint(project: Project) -> str:
    prints = Fingerprints(project, Options())
    slug = location_slug(project)
    parts = [prints.job(Job(slug, SOURCE_LANGUAGE, m)) for m in sorted(project.materials)]
    here = Path(__file__).parent  # the code that tags and measures the strings
    parts += [hashlib.sha256((here / name).read_bytes()).hexdigest()
              for name in ("budget.py", "typeset.py", "render.py", "fit.py")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def measure(project: Project, lang: str = SOURCE_LANGUAGE) -> dict[str, Budget]:
    """Every unit's budget, by unit id, measured on ``lang``'s layout (the tightest place)."""
    budgets: dict[str, Budget] = {}
    places: dict[str, list[str]] = {}
    for name, (_, _, printings) in layout_units(project, lang, list(project.materials)).items():
        for seen in printings:
            found = _budget(project, name, seen)
            places.setdefault(seen.unit, [])
            if name not in places[seen.unit]:
                places[seen.unit].append(name)
            best = budgets.get(seen.unit)
            if best is None or _tighter(found, best):
                budgets[seen.unit] = found
    return {
        unit: Budget(**{**b.__dict__, "also": tuple(m for m in places[unit] if m != b.material)})
        for unit, b in budgets.items()
    }


def overflowing_units(project: Project, material: str, document: Any,
                      printings: list[Printing]) -> dict[str, fit.Overflow]:
    """The units that lie in a data-fit box that does not hold its text."""
    numbers = list(range(1, project.materials[material].pages + 1))
    found = {}
    for overflow in fit.measure(document, numbers).overflows:
        for seen in printings:
            if seen.fit_box is not None and seen.fit_box.element is overflow.element:
                found.setdefault(seen.unit, overflow)
    return found
