"""Preflight: find every print defect in every document before paper is wasted.

Each check is a small function that takes a rendered document (see ``render.Rendered``) and
returns :class:`Finding` objects — :class:`~makeprint_engine.errors.Problem` with the place
in the printed document (location, language, material, page, element) and the check's name.
Everything is measured on WeasyPrint's layout (the box tree and Pango's shaped glyphs) or on
the PDF itself (rasterized with PDFium, QR codes decoded with ZXing), never estimated from
character counts.

Two entry points:

- :func:`build_problems` — for ``makeprint build``, per document: the renderer's problems
  plus the cheap layout checks (glyphs, type size, contrast, links and numbers, image
  resolution). A document with an error must not be written.
- :func:`run_check` — for ``makeprint check``: loads nothing itself (the caller passes a
  project), renders every selected job in memory and runs every check, including the QR
  decode and the reading level, and returns a :class:`Report`.
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import readability
from .errors import MakeprintError, Problem, display_path, file_place
from .options import Options
from .plan import Job, Selection, plan_jobs
from .project import Project
from .qr import QUIET_ZONE, display_url

SCHEMA_PATH = Path(__file__).with_name("preflight-report.schema.json")
SCHEMA_ID = "makeprint-preflight-report/1"
CHECKS = (
    "data",
    "translation",
    "selection",
    "render",
    "overflow",
    "resources",
    "glyphs",
    "qr",
    "type-size",
    "contrast",
    "links",
    "reading-level",
)
PX_PER_IN = 96.0
MM_PER_PX = 25.4 / PX_PER_IN
PT_PER_PX = 0.75

QR_DPI = 300
QR_ERROR_MM = 15.0  # printed width with quiet zone: an error below this whatever the material
QR_MODULE_WARN_MM = 0.5
QR_MODULE_ERROR_MM = 0.4
QR_SIZE_TOLERANCE_MM = 0.25  # one or two pixels at 300 dpi
QR_MODULE_TOLERANCE_MM = 0.01
QR_DARK = 128  # grey level below which a raster pixel counts as ink
MIN_IMAGE_DPI = 300
CONTRAST_NORMAL = 4.5
CONTRAST_LARGE = 3.0
LARGE_PX = 24.0  # 18 pt
LARGE_BOLD_PX = 18.66  # 14 pt bold
FK_TARGET = 6.0
FK_LIMIT = 8.0
INFLESZ_TARGET = 65.0
INFLESZ_LIMIT = 55.0
GENERIC_FAMILIES = {
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "emoji",
    "math",
    "fangsong",
    "ui-serif",
    "ui-sans-serif",
    "ui-monospace",
    "ui-rounded",
}


@dataclass(frozen=True)
class Finding(Problem):
    """A problem found by preflight, placed in the data or in the printed document."""

    check: str = "render"
    location: str | None = None  # location slug
    lang: str | None = None
    material: str | None = None
    page: int | None = None  # 1-based
    element: str | None = None  # e.g. "h1.name", "ol.steps li::before"
    region: str | None = None  # the fixed-size box it sits in (data-fit), e.g. "wallet-card back"
    text: str | None = None  # the printed text concerned
    strict_error: bool = True  # --strict turns this warning into an error

    @property
    def document(self) -> str | None:
        if self.location is None or self.lang is None or self.material is None:
            return None
        return f"{self.location} / {self.lang} / {self.material}"

    def where(self) -> str:
        parts = []
        if self.path:
            parts.append(file_place(self.path, self.line, self.column))
        place = []
        if self.document:
            place.append(self.document)
        elif self.lang and self.material:
            place.append(f"{self.lang} / {self.material}")
        if self.page:
            place.append(f"page {self.page}")
        if self.element:
            element = self.element
            if self.region and self.region != self.element:
                element += f" in {self.region}"
            place.append(element)
        if place:
            parts.append(", ".join(place))
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        field_ = f"{self.field}: " if self.field else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where + ': ' if where else ''}{field_}{self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        data = {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "location": self.location,
            "lang": self.lang,
            "material": self.material,
            "page": self.page,
            "element": self.element,
            "region": self.region,
            "text": self.text,
        }
        return data


def finding_from(problem: Problem, check: str, **where: Any) -> Finding:
    """A plain Problem as a Finding of ``check``."""
    if isinstance(problem, Finding):
        return replace(problem, **where) if where else problem
    return Finding(
        problem.message,
        path=problem.path,
        line=problem.line,
        column=problem.column,
        field=problem.field,
        hint=problem.hint,
        severity=problem.severity,
        key=problem.key,
        check=check,
        **where,
    )


# --- the laid-out document, walked once --------------------------------------------------------


@dataclass
class Text:
    """One piece of laid-out text (a WeasyPrint TextBox) with what the checks need."""

    page: int
    box: Any
    text: str
    element: str
    region: str | None
    color: tuple[float, float, float, float]  # sRGB 0..1, alpha includes opacity
    background: tuple[float, float, float]  # the opaque colour under it
    background_is_image: bool
    size_px: float  # font size as printed (after scale transforms)
    bold: bool
    visible: bool
    pseudo: bool
    link: Any  # the <a> element it is part of, or None
    in_table: bool
    block: int  # identifies the nearest block-level box
    line: int  # identifies its line box


@dataclass
class Image:
    page: int
    box: Any
    element: str
    region: str | None
    link: Any
    scale: float


@dataclass
class Layout:
    """The rendered document reduced to its text and images, in reading order."""

    texts: list[Text]
    images: list[Image]


@dataclass
class _Paint:
    """A background painted on a page: where, in which paint order, in what colour."""

    key: tuple[tuple[float, ...], ...]  # CSS painting order (CSS 2.1 appendix E), comparable
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1 in CSS px
    rgba: tuple[float, float, float, float] | None  # None: an image or gradient
    box: int  # id() of the box that paints it


def walk(document: Any, paper: str = "#FFFFFF", pages: frozenset[int] | None = None) -> Layout:
    """The text and images of a laid-out document, each text with the colour under it.

    The background under a text is found the way the page is painted: every background
    (colour, image or gradient) whose border box covers the centre of the text and that is
    painted before it — by stacking context, z-index, then tree order, as CSS 2.1 appendix E
    orders painting — composited over the paper colour. So a colour band drawn by a positioned
    element behind the text (z-index: -1) counts, not only the text's own ancestors. Inside
    a transformed element (rotated tear-off tabs) only the text's ancestors are considered.
    ``pages`` (1-based numbers) limits the walk to those pages.
    """
    from weasyprint.formatting_structure import boxes as wb

    texts: list[Text] = []
    images: list[Image] = []
    paints: dict[int, list[_Paint]] = {}
    pending: list[tuple[Text, tuple[Any, ...], tuple[float, float], tuple[int, ...], bool]] = []
    paper_rgb = _hex_rgb(paper)
    counter = iter(range(1 << 62))

    def visit(box: Any, page: int, state: dict[str, Any]) -> None:
        box = getattr(box, "_box", box)  # an AbsolutePlaceholder: the positioned box itself
        style = box.style
        state = dict(state)
        index = next(counter)
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", None)
        if element is not None and tag and not isinstance(box, wb.TextBox):
            own = _label(tag, element)
            inline = isinstance(box, wb.InlineBox)
            if "." in own.partition("::")[0]:
                # An inline element is named within its block: "p.call a.phone.big".
                block = state["block_label"]
                state["label"] = f"{block} {own}" if inline and block else own
                state["classed"] = own
            else:
                state["label"] = f"{state['classed']} {own}" if state["classed"] else own
            if not inline:
                state["block_label"] = state["label"]
            fit = element.get("data-fit")
            if fit and "::" not in tag:
                state["region"] = fit
            if tag == "a" and element.get("href") is not None:
                state["link"] = element
            if tag in ("table",):
                state["in_table"] = True
        opacity = float(style["opacity"])
        if opacity < 1:
            state["opacity"] *= opacity
        scale = _transform_scale(style["transform"])
        state["scale"] *= scale
        if style["transform"]:
            state["transformed"] = True
        # Paint order: a box that starts a stacking context (or is positioned or floats)
        # is painted as a unit at its step in its parent's context.
        canvas = isinstance(box, wb.PageBox) or tag in ("html", "body")
        step = _stacking_step(box, style, opacity, wb)
        ctx = state["ctx"]
        if canvas:
            bg_key = (*ctx, (-1.0, 0.0, float(index)))
        elif step is not None:
            ctx = (*ctx, (*step, float(index)))
            state["ctx"] = ctx
            bg_key = (*ctx, (0.0, 0.0, 0.0))
        else:
            inline = isinstance(box, (wb.InlineBox, wb.TextBox))
            bg_key = (*ctx, (5.0 if inline else 3.0, 0.0, float(index)))
        paint = _background(box, style, bg_key, state["opacity"])
        if paint is not None:
            paints.setdefault(page, []).append(paint)
            state["chain"] = (*state["chain"], id(box))
        if not isinstance(box, (wb.InlineBox, wb.LineBox, wb.TextBox)):
            state["block"] = next(counter)
        if isinstance(box, wb.LineBox):
            state["line"] = next(counter)
        if isinstance(box, wb.TextBox):
            color = _rgba(style["color"]) or (0.0, 0.0, 0.0, 1.0)
            text = Text(
                page=page,
                box=box,
                text=box.text,
                element=state["label"] or (tag or "text"),
                region=state["region"],
                color=(*color[:3], color[3] * state["opacity"]),
                background=paper_rgb,
                background_is_image=False,
                size_px=float(style["font_size"]) * state["scale"],
                bold=int(style["font_weight"]) >= 700,
                visible=style["visibility"] == "visible",
                pseudo="::" in (tag or ""),
                link=state["link"],
                in_table=state["in_table"],
                block=state["block"],
                line=state["line"],
            )
            texts.append(text)
            centre = (box.position_x + box.width / 2, box.position_y + box.height / 2)
            text_key = (*ctx, (5.0, 0.0, float(index)))
            pending.append((text, text_key, centre, state["chain"], state["transformed"]))
            return
        if isinstance(box, wb.ReplacedBox):
            images.append(
                Image(
                    page,
                    box,
                    state["label"] or "img",
                    state["region"],
                    state["link"],
                    state["scale"],
                )
            )
        for child in getattr(box, "children", ()):
            visit(child, page, state)

    for number, page in enumerate(document.pages, start=1):
        if pages is not None and number not in pages:
            continue
        start = {
            "label": "",
            "classed": "",
            "block_label": "",
            "region": None,
            "link": None,
            "in_table": False,
            "opacity": 1.0,
            "scale": 1.0,
            "transformed": False,
            "ctx": (),
            "chain": (),
            "block": next(counter),
            "line": -1,
        }
        visit(page._page_box, number, start)
    for text, key, (x, y), chain, transformed in pending:
        under = sorted(
            (
                p
                for p in paints.get(text.page, ())
                if p.key < key
                and (p.box in chain if transformed else _inside(x, y, p.rect) or p.box in chain)
            ),
            key=lambda p: p.key,
        )
        colour = paper_rgb
        for paint in under:
            if paint.rgba is None:
                text.background_is_image = True
                continue
            colour = _over(paint.rgba[:3], paint.rgba[3], colour)
            if paint.rgba[3] >= 1:
                text.background_is_image = False  # an opaque colour covers the image below
        text.background = colour
    return Layout(texts, images)


def _stacking_step(box: Any, style: Any, opacity: float, wb: Any) -> tuple[float, float] | None:
    """(step, z) of a box painted as a unit in its parent's stacking context, else None.

    Steps follow CSS 2.1 appendix E: 2 negative z-index, 4 floats, 6 positioned with z-index
    auto or 0 (and opacity or transforms), 7 positive z-index; in-flow blocks paint their
    backgrounds at 3 and inline content, text included, at 5.
    """
    position = style["position"]
    positioned = isinstance(position, str) and position != "static"
    z = style["z_index"]
    z = 0 if z in (None, "auto") else int(z)
    if positioned:
        if z < 0:
            return (2.0, float(z))
        return (6.0, 0.0) if z == 0 else (7.0, float(z))
    if style["float"] not in (None, "none"):
        return (4.0, 0.0)
    if opacity < 1 or style["transform"]:
        return (6.0, 0.0)
    return None


def _background(box: Any, style: Any, key: Any, opacity: float) -> _Paint | None:
    colour = _rgba(style["background_color"])
    has_image = bool(_bg_images(style))
    if (colour is None or colour[3] <= 0) and not has_image:
        return None
    try:
        x, y = box.border_box_x(), box.border_box_y()
        rect = (x, y, x + box.border_width(), y + box.border_height())
    except (AttributeError, TypeError):
        return None
    if has_image:
        return _Paint(key, rect, None, id(box))
    assert colour is not None
    return _Paint(key, rect, (*colour[:3], colour[3] * opacity), id(box))


def _inside(x: float, y: float, rect: tuple[float, float, float, float]) -> bool:
    return rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]


def _label(tag: str, element: Any) -> str:
    classes = (element.get("class") or "").split()
    pseudo = ""
    if "::" in tag:
        tag, _, name = tag.partition("::")
        pseudo = f"::{name}"
        classes = []  # the pseudo-element's classes are its element's
    return tag + "".join(f".{c}" for c in classes) + pseudo


def _bg_images(style: Any) -> list[tuple[Any, Any]]:
    try:
        return [(None, image) for image in style["background_image"] if image[0] != "none"]
    except (KeyError, TypeError, IndexError):
        return []


def _transform_scale(transforms: Any) -> float:
    scale = 1.0
    for item in transforms or ():
        name, args = item[0], item[1]
        try:
            if name == "scale":
                sx, sy = args
                scale *= math.sqrt(abs(float(sx) * float(sy)))
            elif name == "matrix":
                a, b, c, d = (float(x) for x in args[:4])
                scale *= math.sqrt(abs(a * d - b * c))
        except (TypeError, ValueError):
            continue
    return scale


_RGBA: dict[Any, tuple[float, float, float, float] | None] = {}


def _rgba(color: Any) -> tuple[float, float, float, float] | None:
    if color is None or isinstance(color, str):
        return None
    try:  # a colour is a value: converted once per process (every box asks)
        key = (color.space, tuple(color.coordinates), color.alpha)
    except (AttributeError, TypeError):
        key = None
    if key is not None and key in _RGBA:
        return _RGBA[key]
    try:
        srgb = color.to("srgb")
        r, g, b = (min(1.0, max(0.0, float(v))) for v in srgb.coordinates)
        value: tuple[float, float, float, float] | None = (r, g, b, float(srgb.alpha))
    except (AttributeError, NotImplementedError, TypeError, ValueError):
        value = None
    if key is not None and len(_RGBA) < 4096:
        _RGBA[key] = value
    return value


def _hex_rgb(value: str) -> tuple[float, float, float]:
    value = value.lstrip("#")
    if len(value) != 6:
        return (1.0, 1.0, 1.0)
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _over(
    color: Iterable[float], alpha: float, under: tuple[float, float, float]
) -> tuple[float, float, float]:
    return tuple(c * alpha + u * (1 - alpha) for c, u in zip(color, under, strict=True))  # type: ignore[return-value]


def _hex(color: Iterable[float]) -> str:
    return "#" + "".join(f"{round(c * 255):02X}" for c in color)


def _printed(text: str) -> bool:
    """Whether a text draws anything: not only spaces and invisible format characters."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Zs") for c in text)


def _plain(text: str) -> str:
    """Printed text for a message: spaces collapsed, invisible marks (bidi isolates) left out."""
    return " ".join(_clean(text).split())


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(_clean(text).split())  # without invisible marks such as bidi isolates
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


# --- the document being checked -------------------------------------------------------------


@dataclass
class Doc:
    """One rendered document and what the checks share about it."""

    project: Project
    rendered: Any  # render.Rendered
    layout: Layout
    # Kept by the caller across the documents of one renderer (same fonts): results that
    # depend only on what they are keyed by, such as the fonts Pango picks for a text.
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def job(self) -> Job:
        return self.rendered.job  # type: ignore[no-any-return]

    @property
    def material(self) -> Any:
        return self.project.materials[self.job.material]

    def at(self, check: str, message: str, **fields: Any) -> Finding:
        job = self.job
        return Finding(
            message,
            check=check,
            location=job.slug,
            lang=job.lang,
            material=job.material,
            **fields,
        )


def prepare(
    project: Project,
    rendered: Any,
    pages: frozenset[int] | None = None,
    cache: dict[Any, Any] | None = None,
) -> Doc | None:
    if rendered.document is None:
        return None
    paper = project.organization.colors["paper"]
    layout = walk(rendered.document, paper, pages)
    return Doc(project, rendered, layout, {} if cache is None else cache)


# --- glyphs ---------------------------------------------------------------------------------


def glyph_problems(doc: Doc) -> list[Finding]:
    """Characters no font can draw (tofu), or drawn by a font the design does not name."""
    from weasyprint.text.ffi import ffi, pango

    unknown_flag = pango.PANGO_GLYPH_UNKNOWN_FLAG
    language = doc.project.languages.get(doc.job.lang)
    extra_fonts = set(language.fonts) if language else set()
    families: dict[int, str] = {}
    found: dict[tuple[Any, ...], dict[str, Any]] = {}

    def family_of(font: Any) -> str:
        key = int(ffi.cast("uintptr_t", font))
        if key not in families:
            desc = pango.pango_font_describe_with_absolute_size(font)
            try:
                name = pango.pango_font_description_get_family(desc)
                families[key] = ffi.string(name).decode() if name != ffi.NULL else "?"
            finally:
                pango.pango_font_description_free(desc)
        return families[key]

    def runs_of(box: Any) -> list[tuple[str, str, frozenset[str]]]:
        """(font family, text, characters without a glyph) of each run Pango shaped."""
        runs = []
        layout = box.pango_layout
        layout.reactivate(box.style)
        try:
            line, _ = layout.get_first_line()
            utf8 = layout.text.encode()
            run = line.runs
            while run != ffi.NULL:
                glyph_item = run.data
                run = run.next
                item = glyph_item.item
                chunk = utf8[item.offset : item.offset + item.length].decode("utf-8", "replace")
                glyphs = glyph_item.glyphs
                missing = set()
                for i in range(glyphs.num_glyphs):
                    glyph = glyphs.glyphs[i].glyph
                    if glyph & unknown_flag and (glyph & ~unknown_flag) < 0x110000:
                        missing.add(chr(glyph & ~unknown_flag))
                runs.append((family_of(item.analysis.font), chunk, frozenset(missing)))
        finally:
            layout.deactivate()
        return runs

    for text in doc.layout.texts:
        if not text.visible or not _printed(text.text):
            continue
        box = text.box
        stack = [f for f in box.style["font_family"] if f.lower() not in GENERIC_FAMILIES]
        allowed = {f.lower() for f in stack} | {f.lower() for f in extra_fonts}
        # The same text in the same font settings shapes the same way: content repeats in
        # every location's documents, so most texts are shaped here once per renderer.
        style = box.style
        key = (
            "glyphs",
            box.text,
            tuple(style["font_family"]),
            style["font_weight"],
            style["font_style"],
            style["font_stretch"],
            str(style["lang"]),
        )
        runs = doc.cache.get(key)
        if runs is None:
            runs = runs_of(box)
            if len(doc.cache) < 50_000:
                doc.cache[key] = runs
        for family, chunk, missing in runs:
            for char in sorted(missing):
                entry = found.setdefault(
                    ("missing", text.page, text.element, ""),
                    {"text": text, "stack": stack, "chars": {}},
                )
                entry["chars"].setdefault(char, text)
            if family.lower() not in allowed:
                for char in dict.fromkeys(chunk):
                    if char in missing or not _printed(char):
                        continue
                    entry = found.setdefault(
                        ("fallback", text.page, text.element, family),
                        {"text": text, "stack": stack, "chars": {}},
                    )
                    entry["chars"].setdefault(char, text)

    problems = []
    for (kind, page, element, family), info in found.items():
        chars: dict[str, Text] = info["chars"]
        first, text = next(iter(chars.items()))
        design = ", ".join(info["stack"]) or "the page's font"
        shown = _characters(list(chars))
        samples = list(dict.fromkeys(_plain(t.text) for t in chars.values()))
        where_text = _quote(_context(text.text, first))
        several = len(chars) > 1
        if kind == "missing":
            message = (
                f"{shown} {'have' if several else 'has'} no glyph in any font ({design} or "
                f"the fallbacks) and would print as an empty box, in {where_text}"
            )
        else:
            message = (
                f"{shown} {'are' if several else 'is'} not in the design's font ({design}) and "
                f"{'were' if several else 'was'} drawn with {family} instead, in {where_text}"
            )
        path, line = _source_of(doc, first)
        problems.append(
            doc.at(
                "glyphs",
                message,
                page=page,
                element=element,
                region=text.region,
                text=" / ".join(samples),
                path=path,
                line=line,
                hint=(
                    "remove or replace the character"
                    + (" there" if path else " in the location data or content")
                    + ", or name a font that has it in the language's language.yaml (fonts:) "
                    "and the stylesheet"
                ),
            )
        )
    return problems


def _characters(chars: list[str], limit: int = 6) -> str:
    """'U+1F642 slightly smiling face “🙂”', or a list of code points for several."""
    if len(chars) == 1:
        char = chars[0]
        name = unicodedata.name(char, "").lower()
        return f"U+{ord(char):04X} {name} “{char}”" if name else f"U+{ord(char):04X} “{char}”"
    listed = ", ".join(f"U+{ord(c):04X} “{c}”" for c in chars[:limit])
    more = f" and {len(chars) - limit} more" if len(chars) > limit else ""
    return f"{len(chars)} characters ({listed}{more})"


def _context(text: str, char: str, width: int = 40) -> str:
    text = " ".join(_clean(text).split())
    index = text.find(char)
    if index < 0 or len(text) <= width:
        return text
    start = max(0, index - width // 2)
    return (
        ("…" if start else "")
        + text[start : start + width]
        + ("…" if start + width < len(text) else "")
    )


def _source_of(doc: Doc, char: str) -> tuple[str | None, int | None]:
    """The data or content file line a character came from, when it can be found."""
    project = doc.project
    location = next((loc for loc in project.locations if loc.slug == doc.job.slug), None)
    if location is not None and any(char in value for _, value in location.raw):
        return location.source, location.line
    language = project.languages.get(doc.job.lang)
    candidates = []
    if language is not None:
        candidates += [
            language.folder / "common.yaml",
            language.folder / f"{doc.job.material}.yaml",
        ]
    candidates += [project.content_dir / "organization.yaml", project.content_dir / "hotlines.yaml"]
    for path in candidates:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except OSError:
            continue
        for number, text in enumerate(lines, start=1):
            if char in text:
                return display_path(path, project.root), number
    return None, None


# --- type size --------------------------------------------------------------------------------


def type_size_problems(doc: Doc) -> list[Finding]:
    """Printed text smaller than the material's minimum (min_font_pt in its YAML)."""
    minimum = float(doc.material.min_font_pt)
    groups: dict[tuple[Any, ...], list[Text]] = {}
    for text in doc.layout.texts:
        if not text.visible or not _printed(text.text) or text.color[3] == 0:
            continue
        pt = text.size_px * PT_PER_PX
        if pt < minimum - 0.005:
            groups.setdefault((text.page, text.element, round(pt, 1)), []).append(text)
    problems = []
    for (page, element, pt), texts in groups.items():
        samples = list(dict.fromkeys(_plain(t.text) for t in texts))
        shown = ", ".join(_quote(s, 30) for s in samples[:4]) + (" …" if len(samples) > 4 else "")
        problems.append(
            doc.at(
                "type-size",
                f"text is {pt:g} pt, below the {minimum:g} pt minimum for a {doc.job.material}: "
                f"{shown}",
                page=page,
                element=element,
                region=texts[0].region,
                text=" ".join(samples),
                hint=f"set this element's font-size to at least {minimum:g}pt in "
                f"templates/styles/ (or change min_font_pt in templates/materials/"
                f"{doc.job.material}.yaml)",
            )
        )
    return problems


# --- contrast ---------------------------------------------------------------------------------


def luminance(rgb: Iterable[float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Iterable[float], b: Iterable[float]) -> float:
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def contrast_problems(doc: Doc) -> list[Finding]:
    """Text colour against its background: 4.5:1, or 3:1 for large text (WCAG 2 AA)."""
    groups: dict[tuple[Any, ...], list[Text]] = {}
    for text in doc.layout.texts:
        if not text.visible or not _printed(text.text) or text.background_is_image:
            continue
        if text.color[3] == 0:
            continue
        fg = _over(text.color[:3], text.color[3], text.background)
        ratio = contrast_ratio(fg, text.background)
        large = text.size_px >= LARGE_PX - 0.01 or (text.bold and text.size_px >= LARGE_BOLD_PX)
        need = CONTRAST_LARGE if large else CONTRAST_NORMAL
        if ratio < need - 0.005:
            key = (text.page, text.element, _hex(fg), _hex(text.background), need)
            groups.setdefault(key, []).append(text)
    problems = []
    colours = {value.upper(): name for name, value in doc.project.organization.colors.items()}
    for (page, element, fg, bg, need), texts in groups.items():
        ratio = contrast_ratio(_hex_rgb(fg), _hex_rgb(bg))
        named = [f"{colours[c]} ({c})" for c in (fg, bg) if c in colours]
        source = _org_colour_line(doc.project, colours.get(fg) or colours.get(bg))
        samples = list(dict.fromkeys(_plain(t.text) for t in texts))
        shown = ", ".join(_quote(s, 40) for s in samples[:3]) + (" …" if len(samples) > 3 else "")
        size = "large " if need == CONTRAST_LARGE else ""
        problems.append(
            doc.at(
                "contrast",
                f"{size}text {fg} on {bg} has a contrast of {ratio:.1f}:1, needs {need:g}:1: "
                f"{shown}",
                page=page,
                element=element,
                region=texts[0].region,
                text=" ".join(samples),
                path=source[0],
                line=source[1],
                field=source[2],
                hint=(
                    f"change the organization colour{'s' if len(named) > 1 else ''} "
                    f"{' / '.join(named)}, or this element's colour in templates/styles/"
                    if named
                    else "use a darker text colour or a lighter background for this element "
                    "in templates/styles/"
                ),
            )
        )
    return problems


def _org_colour_line(
    project: Project, name: str | None
) -> tuple[str | None, int | None, str | None]:
    """organization.yaml and the line of colors.NAME, when a colour comes from there."""
    if not name:
        return None, None, None
    from .yamlsrc import Mapping, load_yaml

    path = project.content_dir / "organization.yaml"
    try:
        data = load_yaml(path, project.root)
    except (MakeprintError, OSError):
        return None, None, None
    colors = data.get("colors") if isinstance(data, Mapping) else None
    if not isinstance(colors, Mapping) or name not in colors:
        return display_path(path, project.root), None, None
    return display_path(path, project.root), colors.line_of(name), f"colors.{name}"


# --- links and numbers ----------------------------------------------------------------------


@dataclass
class _Link:
    element: Any
    href: str
    page: int
    label: str
    region: str | None
    block: int
    parts: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def link_problems(doc: Doc) -> list[Finding]:
    """tel:/sms: links dial the number printed; printed URLs are https and match their link."""
    links: dict[int, _Link] = {}
    order: list[_Link] = []
    current: _Link | None = None
    for text in doc.layout.texts:
        if text.link is not None:
            key = id(text.link)
            if key not in links:
                links[key] = _Link(
                    text.link,
                    text.link.get("href") or "",
                    text.page,
                    text.element,
                    text.region,
                    text.block,
                )
                order.append(links[key])
            current = links[key]
            current.parts.append(text.text)
        elif current is not None and text.block == current.block and not text.pseudo:
            current.after.append(text.text)
    problems = []
    country = doc.project.organization.country
    location = next((loc for loc in doc.project.locations if loc.slug == doc.job.slug), None)
    if location is not None:
        country = location.country or country
    for link in order:
        printed = _clean("".join(link.parts))
        href = link.href.strip()
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        where = {
            "page": link.page,
            "element": _link_label(link),
            "region": link.region,
            "text": printed,
        }
        if scheme in ("tel", "sms"):
            message = _phone_mismatch(href, printed, "".join(link.after), country)
            if message:
                problems.append(
                    doc.at(
                        "links",
                        message,
                        hint="fix the phone number in the location data "
                        "(or content/hotlines.yaml); the link and the text are made from it",
                        **where,
                    )
                )
        elif scheme in ("http", "https") and _looks_like_url(printed):
            shown = _url_text(printed)
            if scheme != "https":
                problems.append(
                    doc.at(
                        "links",
                        f"printed URL {printed} links to {href}, which is not https",
                        hint="use an https:// address",
                        **where,
                    )
                )
            elif shown != display_url(href):
                problems.append(
                    doc.at(
                        "links",
                        f"printed URL {printed} is not the address it links to ({href})",
                        hint="print the link's address, or link the printed one",
                        **where,
                    )
                )
        elif scheme == "mailto" and "@" in printed:
            target = href.split(":", 1)[1].split("?", 1)[0]
            if target.lower() != printed.lower():
                problems.append(
                    doc.at(
                        "links",
                        f"printed e-mail {printed} links to {target}",
                        hint="make the printed address and the link the same",
                        **where,
                    )
                )
    return problems


def _link_label(link: _Link) -> str:
    label = _label("a", link.element)
    return label


def _clean(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def _looks_like_url(text: str) -> bool:
    text = _url_text(text)
    return bool(re.match(r"^[\w.-]+\.[a-z]{2,}(?:[/?#]\S*)?$", text, re.I)) and " " not in text


def _url_text(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"^[a-z]+://", "", text, flags=re.I)
    return text.rstrip("/")


def _phone_mismatch(href: str, printed: str, after: str, country: str) -> str | None:
    import phonenumbers
    from phonenumbers import shortnumberinfo

    target = href.split(":", 1)[1]
    number, _, params = target.partition(";")
    extension = ""
    for param in params.split(";"):
        if param.lower().startswith("ext="):
            extension = param[4:]
    digits_href = re.sub(r"\D", "", number)
    digits_text = re.sub(r"\D", "", printed)
    if not digits_text:
        return None  # a link with words ("call us"), not a printed number
    valid = False
    same = digits_href == digits_text
    try:
        parsed = phonenumbers.parse(number, country)
        valid = phonenumbers.is_valid_number(parsed) or shortnumberinfo.is_valid_short_number(
            parsed
        )
        shown = phonenumbers.parse(printed, country)
        same = same or (
            parsed.country_code == shown.country_code
            and parsed.national_number == shown.national_number
        )
    except phonenumbers.NumberParseException:
        pass
    if not valid:
        return f"{printed} links to {href}, which is not a valid number to dial in {country}"
    if not same:
        return f"printed number {printed} does not match the number its link dials ({href})"
    if extension and extension not in re.sub(r"\D", "", after):
        return (
            f"{printed} links to extension {extension}, but the extension is not printed next to it"
        )
    return None


# --- images -----------------------------------------------------------------------------------


def image_problems(doc: Doc) -> list[Finding]:
    """Raster images printed below 300 dpi."""
    problems = []
    seen = set()
    for image in doc.layout.images:
        replacement = getattr(image.box, "replacement", None)
        pixels = (getattr(replacement, "width", None), getattr(replacement, "height", None))
        if type(replacement).__name__ != "RasterImage" or None in pixels:
            continue
        width_in = image.box.width * image.scale / PX_PER_IN
        height_in = image.box.height * image.scale / PX_PER_IN
        if width_in <= 0 or height_in <= 0:
            continue
        dpi = min(pixels[0] / width_in, pixels[1] / height_in)
        if dpi >= MIN_IMAGE_DPI - 0.5:
            continue
        src = image.box.element.get("src") if image.box.element is not None else None
        key = (image.page, image.element, src)
        if key in seen:
            continue
        seen.add(key)
        need = (math.ceil(width_in * MIN_IMAGE_DPI), math.ceil(height_in * MIN_IMAGE_DPI))
        name = Path(src).name if src and not src.startswith("data:") else "image"
        problems.append(
            doc.at(
                "resources",
                f"{name} is {pixels[0]} × {pixels[1]} px printed at {width_in * 25.4:.1f} × "
                f"{height_in * 25.4:.1f} mm: {dpi:.0f} dpi, below {MIN_IMAGE_DPI} dpi",
                severity="warning",
                page=image.page,
                element=image.element,
                region=image.region,
                hint=f"use an image of at least {need[0]} × {need[1]} px, or an SVG",
            )
        )
    return problems


# --- QR codes --------------------------------------------------------------------------------


def qr_problems(doc: Doc, pdf: bytes | None = None) -> list[Finding]:
    """Rasterize every page at 300 dpi, decode every QR code, measure size and quiet zone."""
    import pypdfium2
    import zxingcpp

    rendered = doc.rendered
    pdf = pdf or rendered.pdf or _write_pdf(rendered.document)
    expected = rendered.qr_url
    material = doc.material
    problems: list[Finding] = []
    decoded = 0
    pdf_doc = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(pdf_doc)):
            page = pdf_doc[index]
            try:
                image = page.render(scale=QR_DPI / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            codes = zxingcpp.read_barcodes(
                image, formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False
            )
            for code in codes:
                decoded += 1
                problems += _check_code(doc, code, image, index + 1, expected, material)
    finally:
        pdf_doc.close()
    if not decoded:
        size = _layout_qr_size(doc)
        shown = f" ({size:.1f} mm wide as laid out)" if size else ""
        problems.append(
            doc.at(
                "qr",
                f"the QR code{shown} does not scan: no code was found on any page at {QR_DPI} dpi",
                element="QR code",
                hint=f"print it at least {material.qr_min_mm:g} mm wide, dark on white, with "
                "4 modules of blank paper around it",
            )
        )
    return problems


def _write_pdf(document: Any) -> bytes:
    from .render import captured_weasyprint_log

    with captured_weasyprint_log():
        return document.write_pdf()  # type: ignore[no-any-return]


def _layout_qr_size(doc: Doc) -> float | None:
    for image in doc.layout.images:
        if image.link is not None and image.link.get("href") == doc.rendered.qr_url:
            return float(image.box.width * image.scale * MM_PER_PX)
    return None


def _check_code(
    doc: Doc, code: Any, image: Any, page: int, expected: str, material: Any
) -> list[Finding]:
    problems = []
    corners = [
        code.position.top_left,
        code.position.top_right,
        code.position.bottom_right,
        code.position.bottom_left,
    ]
    xs = [c.x for c in corners]
    ys = [c.y for c in corners]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    px_mm = 25.4 / QR_DPI
    place = f"QR code at {left * px_mm:.0f} mm from the left, {top * px_mm:.0f} mm from the top"
    where = {"page": page, "element": place}
    if code.text != expected:
        problems.append(
            doc.at(
                "qr",
                f"the QR code opens {code.text!r}, expected {expected!r}",
                text=code.text,
                hint="regenerate it from the location's intake_url",
                **where,
            )
        )
    modules = _modules(code)
    width_px = ((right - left + 1) + (bottom - top + 1)) / 2
    module_px = width_px / modules
    module_mm = module_px * px_mm
    total_mm = module_mm * (modules + 2 * QUIET_ZONE)
    qr_min = float(material.qr_min_mm)
    measured = (
        f"{total_mm:.1f} mm wide with its quiet zone, {modules} modules of {module_mm:.2f} mm"
    )
    if total_mm < QR_ERROR_MM - QR_SIZE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"the QR code is {measured}: below {QR_ERROR_MM:g} mm phones may not read it",
                hint=f"print it at least {qr_min:g} mm wide",
                **where,
            )
        )
    elif total_mm < qr_min - QR_SIZE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"the QR code is {measured}: smaller than the {qr_min:g} mm a "
                f"{doc.job.material} needs",
                severity="warning",
                hint=f"print it at least {qr_min:g} mm wide",
                **where,
            )
        )
    if module_mm < QR_MODULE_ERROR_MM - QR_MODULE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"QR modules are {module_mm:.2f} mm, below {QR_MODULE_ERROR_MM} mm: "
                "too fine to print and scan reliably",
                hint=f"print the code at least {(modules + 8) * QR_MODULE_WARN_MM:.0f} mm wide, "
                "or shorten its URL (fewer modules)",
                **where,
            )
        )
    elif module_mm < QR_MODULE_WARN_MM - QR_MODULE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"QR modules are {module_mm:.2f} mm, below {QR_MODULE_WARN_MM} mm",
                severity="warning",
                hint=f"print the code at least {(modules + 8) * QR_MODULE_WARN_MM:.0f} mm wide, "
                "or shorten its URL (fewer modules)",
                **where,
            )
        )
    quiet = _quiet_modules(image, left, top, right, bottom, module_px)
    side, light = min(quiet.items(), key=lambda kv: kv[1])
    if light < QUIET_ZONE - 0.25:
        problems.append(
            doc.at(
                "qr",
                f"the QR code has {light:.1f} modules of blank paper on its {side} "
                f"side, needs {QUIET_ZONE} ({QUIET_ZONE * module_mm:.1f} mm)",
                hint="keep text, lines and colour away from the code",
                **where,
            )
        )
    return problems


def _modules(code: Any) -> int:
    """Modules across the symbol: from its version, as the decoder read it."""
    extra = getattr(code, "extra", None)
    version = extra.get("Version") if isinstance(extra, dict) else getattr(code, "version", None)
    try:
        return 17 + 4 * int(version)
    except (TypeError, ValueError):  # an older zxing-cpp: re-encode as makeprint does (EC M)
        from .qr import make_qr

        return make_qr(code.text).modules


def _quiet_modules(
    image: Any, left: int, top: int, right: int, bottom: int, module_px: float
) -> dict[str, float]:
    """Light pixels between the code and the nearest ink (or the page edge), in modules."""
    need = math.ceil(QUIET_ZONE * module_px) + 2
    width, height = image.size
    y0, y1 = max(0, top - need), min(height, bottom + need + 1)
    x0, x1 = max(0, left - need), min(width, right + need + 1)

    def dark(box: tuple[int, int, int, int]) -> bool:
        return bool(image.crop(box).getextrema()[0] < QR_DARK)

    result = {}
    # Step outwards from the code's edge (skipping its anti-aliased border pixel).
    sides = {
        "left": (lambda d: (left - d, y0, left - d + 1, y1), left),
        "right": (lambda d: (right + d, y0, right + d + 1, y1), width - 1 - right),
        "top": (lambda d: (x0, top - d, x1, top - d + 1), top),
        "bottom": (lambda d: (x0, bottom + d, x1, bottom + d + 1), height - 1 - bottom),
    }
    for side, (band, room) in sides.items():
        light = None
        for d in range(2, need + 1):
            if d > room:
                light = room  # the page ends: no paper there
                break
            if dark(band(d)):
                light = d - 1
                break
        result[side] = (need if light is None else light) / module_px
    return result


# --- overflow and the renderer's own problems -----------------------------------------------


_WHERE_RE = re.compile(r"^(?P<where>[^:]+?)(?:, page (?P<page>\d+))?: (?P<message>.*)$", re.S)


def renderer_findings(rendered: Any) -> list[Finding]:
    """Rendered.problems (overflow, WeasyPrint log, refused files, template errors) as findings."""
    job = rendered.job
    findings = []
    for problem in rendered.problems:
        message = problem.message
        page = None
        match = _WHERE_RE.match(message)
        if match and match["where"] == str(job):
            message, page = match["message"], int(match["page"]) if match["page"] else None
        if "overflows its box" in message or re.search(r"rendered \d+ pages?, expected", message):
            check = "overflow"
        elif problem.path and "template" in message:
            check = "render"
        else:
            check = "resources"
        findings.append(
            finding_from(
                replace(problem, message=message) if message != problem.message else problem,
                check,
                location=job.slug,
                lang=job.lang,
                material=job.material,
                page=page,
            )
        )
    return findings


def _superseded(finding: Finding, found: list[Finding]) -> bool:
    """WeasyPrint's own '.notdef glyph' log line, when the glyph check says more."""
    match = re.search(r"unsupported by fonts: .*\(U\+([0-9A-F]+)\)", finding.message)
    return bool(match) and any(f.check == "glyphs" and f"U+{match[1]}" in f.message for f in found)


# --- per-document entry points ----------------------------------------------------------------

LAYOUT_CHECKS = (
    glyph_problems,
    type_size_problems,
    contrast_problems,
    link_problems,
    image_problems,
)


def layout_problems(
    project: Project,
    rendered: Any,
    pages: frozenset[int] | None = None,
    cache: dict[Any, Any] | None = None,
) -> list[Finding]:
    """The cheap checks, on the box tree only: glyphs, type size, contrast, links, images."""
    doc = prepare(project, rendered, pages, cache)
    if doc is None:
        return []
    return [finding for check in LAYOUT_CHECKS for finding in check(doc)]


def build_problems(
    project: Project, rendered: Any, cache: dict[Any, Any] | None = None
) -> list[Problem]:
    """Everything ``build`` must act on for one document: the renderer's problems and the
    layout checks. Refuse to write the document when any of them is an error.

    ``cache`` is kept by the caller across the documents of one renderer. It holds the
    findings on the pages every location shares (the card front, the pamphlet inside): those
    are the same laid-out pages in every document of a language, so they are checked once,
    not once per location; and what the glyph check learnt of each text (see ``Doc.cache``).
    """
    job = rendered.job
    common = frozenset(project.materials[job.material].shared_pages)
    if cache is None or not common or rendered.document is None:
        extra = layout_problems(project, rendered, cache=cache)
    else:
        key = ("shared pages", job.lang, job.material)
        if key not in cache:
            cache[key] = layout_problems(project, rendered, common, cache)
        everyone = [replace(f, location=job.slug) for f in cache[key]]
        own = frozenset(range(1, len(rendered.document.pages) + 1)) - common
        extra = sorted(
            [*everyone, *layout_problems(project, rendered, own, cache)],
            key=lambda f: f.page or 0,
        )
    kept = [p for p in renderer_findings(rendered) if not _superseded(p, extra)]
    return [*kept, *extra]


@dataclass
class DocumentCheck:
    job: Job
    findings: list[Finding]
    blocks: list[str]  # printed running text for the reading level, location data left out
    pages: int


def check_document(project: Project, rendered: Any) -> DocumentCheck:
    """Every per-document check, including the QR raster decode; for ``makeprint check``."""
    doc = prepare(project, rendered)
    if doc is None:
        return DocumentCheck(rendered.job, renderer_findings(rendered), [], rendered.pages)
    extra = [finding for check in LAYOUT_CHECKS for finding in check(doc)]
    extra += qr_problems(doc)
    kept = [p for p in renderer_findings(rendered) if not _superseded(p, extra)]
    return DocumentCheck(rendered.job, [*kept, *extra], printed_blocks(doc), rendered.pages)


# --- reading level -----------------------------------------------------------------------------


def printed_blocks(doc: Doc) -> list[str]:
    """The running text as printed, block by block, without the location's own data.

    Left out: links (phone numbers, URLs, e-mail), tables (opening hours), generated content
    (list counters), the labels of the services the location lists, and every block holding
    any of those or the location's or organization's name or address.
    """
    project = doc.project
    location = next((loc for loc in project.locations if loc.slug == doc.job.slug), None)
    data = [project.organization.name]
    if location is not None:
        data += [
            location.name,
            *location.address_lines,
            location.phone.main,
            location.phone.national,
        ]
    data = [" ".join(d.split()) for d in data if d and d.strip()]
    # The services a location lists are its data too: labels, not sentences to grade.
    language = project.languages.get(doc.job.lang)
    labels = language.common.get("services", {}) if language is not None else {}
    chosen = {" ".join(str(labels.get(key, "")).split()) for key in location.services} if (
        location is not None) else set()
    blocks: dict[int, list[Text]] = {}
    dropped: set[int] = set()
    for text in doc.layout.texts:
        if not text.visible:
            continue
        if text.link is not None or text.in_table:
            dropped.add(text.block)
            continue
        if text.pseudo:
            continue
        blocks.setdefault(text.block, []).append(text)
    result = []
    for block, texts in blocks.items():
        if block in dropped:
            continue
        pieces = []
        previous_line = None
        for text in texts:
            if previous_line is not None and text.line != previous_line:
                pieces.append(" ")
            pieces.append(text.text)
            previous_line = text.line
        joined = " ".join(_clean("".join(pieces)).split())
        if not any(c.isalpha() for c in joined) or any(d in joined for d in data):
            continue
        if joined in chosen:
            continue
        result.append(joined)
    return result


@dataclass
class Reading:
    lang: str
    material: str
    score: readability.Score | None
    location: str | None  # the location whose document scored worst
    measured: int = 0  # documents (locations) measured for this language and material


def reading_findings(project: Project, readings: list[Reading]) -> list[Finding]:
    findings = []
    for reading in readings:
        language = project.languages.get(reading.lang)
        folder = language.folder if language else project.content_dir / reading.lang
        path = display_path(folder / f"{reading.material}.yaml", project.root)
        base = {
            "check": "reading-level",
            "lang": reading.lang,
            "material": reading.material,
            "path": path,
        }
        score = reading.score
        if score is None:
            name = language.name if language else reading.lang
            findings.append(
                Finding(
                    f"reading level not measured: no validated formula for {name} here",
                    severity="info",
                    strict_error=False,
                    **base,
                )
            )
            continue
        counts = (
            f"{score.words} words in {score.sentences} sentences, "
            f"{score.syllables / score.words:.2f} syllables per word"
        )
        if reading.measured > 1 and reading.location:
            counts += (
                f"; {reading.location}'s {reading.material}, the hardest of {reading.measured}"
            )
        hardest = (
            "; hardest: " + " / ".join(_quote(s, 90) for s in score.hardest)
            if score.hardest
            else ""
        )
        if score.formula == "flesch-kincaid-grade":
            if score.value <= FK_TARGET:
                continue
            over = score.value > FK_LIMIT
            message = (
                f"{score.label} is above the target of grade {FK_TARGET:g}"
                + (f" and the limit of {FK_LIMIT:g}" if over else "")
                + f" ({counts})"
            )
            hint = "use shorter sentences and everyday words" + hardest
        else:
            if score.value >= INFLESZ_TARGET:
                continue
            over = score.value < INFLESZ_LIMIT
            message = (
                f"{score.label} is below the target of {INFLESZ_TARGET:g}"
                + (f" and the limit of {INFLESZ_LIMIT:g}" if over else "")
                + f" ({counts})"
            )
            hint = "use shorter sentences and everyday words" + hardest
        findings.append(
            Finding(message, severity="warning", strict_error=over, hint=hint, text=None, **base)
        )
    return findings


# --- the whole check ------------------------------------------------------------------------------


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
    from .yamlsrc import Mapping, load_yaml

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
    from .render import DocumentCollector, Renderer

    renderer = Renderer(project, options)
    _worker["renderer"] = renderer
    _worker["collector"] = DocumentCollector(renderer)


def _work(job: Job) -> DocumentCheck:
    renderer = _worker["renderer"]
    try:
        return check_document(renderer.project, renderer.render(job))
    except Exception as exc:  # one broken document must not hide the others' findings
        finding = Finding(
            f"could not be rendered and checked: {type(exc).__name__}: {exc}",
            check="render",
            location=job.slug,
            lang=job.lang,
            material=job.material,
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
    from .workers import run_in_workers

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


__all__ = [
    "CHECKS",
    "Finding",
    "Report",
    "build_problems",
    "check_document",
    "contrast_problems",
    "glyph_problems",
    "image_problems",
    "layout_problems",
    "link_problems",
    "qr_problems",
    "run_check",
    "type_size_problems",
]
