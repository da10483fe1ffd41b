"""The laid-out document walked once: its texts and images, and what every check shares."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..plan import Job
from ..project import Project
from .findings import Finding

PX_PER_IN = 96.0
MM_PER_PX = 25.4 / PX_PER_IN
PT_PER_PX = 0.75


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
    block_element: str = ""  # that block's element, e.g. "p.subhead", "li.service"
    role: str | None = None  # the nearest data-role: a per-role type minimum (a headline)


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
            role = element.get("data-role")
            if role and "::" not in tag:
                state["role"] = role
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
                block_element=state["block_label"],
                role=state["role"],
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
            "role": None,
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


def _clean(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


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
            material=job.name,  # "poster-small" for a further size
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
