"""Copyfitting: measure a laid-out document, and step type down or take fallbacks until it fits.

A designer fits text to its frame; this module does the same, in the order issue 14 asks:
text wraps at good break points (the templates' job); then the type of the element that is
too long steps down in half points to the minimum its material declares; then the boxes that
still overflow step all their fitted type down together; then the material's fallbacks are
taken in order (a short name, an element left out or moved, a list cut to "and N more");
only then does the document fail, with a message naming the element, the field and row it
comes from, how much is over and what to do.

The template marks what may be fitted with ``data-fit-el="KEY"`` (``fit.attrs(KEY)``) and
the boxes that must hold their text with ``data-fit="NAME"``; the material's YAML says, per
key, what it prints and how small it may get (``Material.fit``). ``FitState`` is what the
template sees as ``fit``: the sizes and fallbacks chosen so far. Every state is laid out in
full by the renderer; a document that fits as it is costs one layout, one that needs fitting
a few more (``MAX_LAYOUTS`` at most).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup

from .errors import Problem

PX_TO_MM = 25.4 / 96
PX_TO_PT = 0.75
OVERFLOW_TOLERANCE_MM = 0.2
STEP_PT = 0.5
MAX_LAYOUTS = 10  # the first one included: fitting is bounded whatever the text


@dataclass(frozen=True)
class FitElement:
    """What a material says of one fitted element (a key of its YAML's ``fit.elements``)."""

    key: str
    label: str  # as a reader of an error message knows it: "location name"
    min_pt: float
    field: str | None = None  # the location column it prints, if it prints one
    max_lines: int | None = None  # more lines than this is too long, even if the box holds it
    short: bool = False  # may print the location's short_name instead


@dataclass(frozen=True)
class Fallback:
    """A step taken when type at its minimum still does not fit: ``key`` is left out (or moved,
    as the template decides), or a list is cut to its first ``keep`` items."""

    key: str
    keep: int | None = None
    wide: bool = False  # only for its own element, when a word of it is too wide


@dataclass(frozen=True)
class FitSpec:
    elements: tuple[FitElement, ...] = ()
    fallbacks: tuple[Fallback, ...] = ()

    def element(self, key: str) -> FitElement | None:
        return next((e for e in self.elements if e.key == key), None)

    def fallback(self, key: str) -> Fallback | None:
        return next((f for f in self.fallbacks if f.key == key), None)


@dataclass(frozen=True)
class FitState:
    """The fitting chosen for one layout; what templates see as ``fit``."""

    sizes: tuple[tuple[str, float], ...] = ()  # key -> pt, only where not the stylesheet's
    taken: frozenset[str] = frozenset()  # fallbacks taken
    short: frozenset[str] = frozenset()  # elements printing the short name
    keep: tuple[tuple[str, int], ...] = ()  # list fallbacks: key -> items kept

    def size(self, key: str) -> float | None:
        return dict(self.sizes).get(key)

    def attrs(self, key: str, style: str = "") -> Markup:
        """``data-fit-el`` and, when stepped down, the size: for the element's start tag."""
        size = self.size(key)
        css = (f"font-size: {size:g}pt; " if size is not None else "") + style
        out = Markup(' data-fit-el="{}"').format(key)
        if css:
            out += Markup(' style="{}"').format(css.strip())
        return out

    def fallback(self, key: str) -> bool:
        """True when the fallback ``key`` was taken (the element is left out or moved)."""
        return key in self.taken

    def text(self, key: str, full: str, short: str | None) -> str:
        """The full name, or the short one once the element had to use it."""
        return short if key in self.short and short else full

    def cut(self, key: str, items: list[Any]) -> tuple[list[Any], int]:
        """A list's items and how many were left out (for "and N more")."""
        keep = dict(self.keep).get(key)
        if keep is None or keep >= len(items):
            return list(items), 0
        return list(items[:keep]), len(items) - keep

    def with_size(self, key: str, pt: float) -> FitState:
        sizes = dict(self.sizes)
        sizes[key] = pt
        return replace(self, sizes=tuple(sorted(sizes.items())))

    def without_size(self, key: str) -> FitState:
        return replace(self, sizes=tuple((k, v) for k, v in self.sizes if k != key))


NO_FIT = FitState()


class FitProblem(Problem):
    """A problem copyfitting found: what it fitted (info), or what it could not (error)."""


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Seen:
    """One fitted element as laid out (the largest of its copies, e.g. the ten tear-off tabs)."""

    key: str
    page: int  # the material's page number
    size_pt: float
    lines: int = 0
    text: str = ""
    line_height_px: float = 0.0
    width_px: float = 0.0  # the content width its lines had
    advance_px: float = 0.0  # the width of its text laid end to end
    rects: list[tuple[int, float, float, float, float]] = field(default_factory=list)
    element: Any = None  # the HTML element of this copy


@dataclass
class Overflow:
    """A box marked ``data-fit`` whose text runs out of it."""

    page: int
    name: str
    over_y_px: float
    over_x_px: float
    keys: set[str]  # fitted elements inside it
    side_culprits: dict[str, float]  # key -> px its widest text is too wide
    content_px: float  # the box's content height
    rect: tuple[float, float, float, float]  # x, y, width, height in px on the page
    element: Any = None

    @property
    def over_mm(self) -> float:
        return max(self.over_y_px, self.over_x_px) * PX_TO_MM


@dataclass
class Measure:
    elements: dict[str, Seen]
    overflows: list[Overflow]
    pages: int

    def too_long(self, spec: FitSpec) -> list[Seen]:
        """Elements with more lines than their material allows."""
        found = []
        for element in spec.elements:
            seen = self.elements.get(element.key)
            if seen is not None and element.max_lines and seen.lines > element.max_lines:
                found.append(seen)
        return found


def _walk(box: Any, keys: tuple[str, ...] = ()) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every box with the fitted elements it lies in; edge backgrounds are skipped."""
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None) is not None:
        key = element.get("data-fit-el")
        if key is not None and (not keys or keys[-1] != key):
            keys = (*keys, key)
    yield box, keys
    for child in getattr(box, "children", ()):
        child_element = getattr(child, "element", None)
        if child_element is not None and child_element.get("data-bleed") is not None:
            continue
        yield from _walk(child, keys)


def fill(document: Any) -> None:
    """Stretch each box marked ``data-fit-fill`` down to the bottom of its container, less its
    own margin: what ``flex: 1 1 auto; min-height: 0`` does for the last item of a column, at
    none of the cost of WeasyPrint's flex layout (which lays each item out twice: a quarter of
    a flyer's layout). The box's content stays where it was laid out, top down; a box whose
    content runs past that bottom gets the shorter height all the same, so that the overflow is
    measured. Only the box's height changes: it must not draw a background of its own."""
    for page in document.pages:
        _fill(page._page_box)


def _fill(box: Any) -> None:
    for child in getattr(box, "children", ()):
        if type(child).__name__ in ("LineBox", "TextBox"):
            continue
        element = getattr(child, "element", None)
        if (element is not None and getattr(child, "element_tag", None) is not None
                and element.get("data-fit-fill") is not None and hasattr(child, "content_box_y")):
            bottom = box.content_box_y() + box.height
            child.height = max(0.0, bottom - child.margin_bottom - child.border_bottom_width
                               - child.padding_bottom - child.content_box_y())
            continue  # nothing inside fills in turn
        _fill(child)


def measure(document: Any, page_numbers: list[int]) -> Measure:
    """What each fitted element looks like and which ``data-fit`` boxes overflow."""
    elements: dict[str, Seen] = {}
    overflows: list[Overflow] = []
    for index, page in enumerate(document.pages):
        number = page_numbers[index] if index < len(page_numbers) else index + 1
        copies: list[Seen] = []
        _collect(page._page_box, number, None, copies, overflows)
        for seen in copies:
            best = elements.get(seen.key)
            if best is None or (seen.lines, len(seen.text)) > (best.lines, len(best.text)):
                if best is not None:
                    seen.rects = best.rects + seen.rects
                elements[seen.key] = seen
            else:
                best.rects += seen.rects
    if len(document.pages) > len(page_numbers):
        _spilled(document, page_numbers, overflows)
    return Measure(elements, overflows, len(document.pages))


def _fit_boxes(box: Any, placed: bool = False) -> Iterator[tuple[Any, bool]]:
    """Every ``data-fit`` box under ``box``, and whether it is positioned out of the flow."""
    placed = placed or box.style["position"] in ("absolute", "fixed")
    element = getattr(box, "element", None)
    if (element is not None and getattr(box, "element_tag", None) is not None
            and element.get("data-fit") is not None and hasattr(box, "content_box_y")):
        yield box, placed
    for child in getattr(box, "children", ()):
        yield from _fit_boxes(child, placed)


def _spilled(document: Any, page_numbers: list[int], overflows: list[Overflow]) -> None:
    """Text that ran onto a page the material does not have: a ``data-fit`` box in the flow
    that the page break split (a flex column taller than the page is cut, not shrunk) is over
    by what went onto the extra pages. Positioned boxes (a flyer's tabs) are repeated on
    every page and are not what spilled."""
    last = len(page_numbers) - 1
    if last < 0:
        return
    kept = {
        id(box.element): box
        for box, placed in _fit_boxes(document.pages[last]._page_box)
        if not placed
    }
    spilled: dict[int, float] = {}
    for page in document.pages[last + 1:]:
        for box, placed in _fit_boxes(page._page_box):
            if not placed and id(box.element) in kept:
                spilled[id(box.element)] = spilled.get(id(box.element), 0.0) + box.border_height()
    for key, over in spilled.items():
        box = kept[key]
        known = next((o for o in overflows if o.element is box.element), None)
        if known is not None:
            known.over_y_px = max(known.over_y_px, over)
            continue
        keys = {k for _, ks in _inner(box, skip_transformed=True) for k in ks}
        name = box.element.get("data-fit")
        overflows.append(Overflow(
            page_numbers[last], name, over, 0.0, keys, {}, box.height,
            (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height()),
            box.element,
        ))


def _collect(
    box: Any, page: int, owner: Seen | None, copies: list[Seen], overflows: list[Overflow]
) -> None:
    """One box and its children: fitted elements' lines and text, and overflowing boxes."""
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None) is not None:
        key = element.get("data-fit-el")
        if key is not None and (owner is None or owner.key != key or owner.element is not element):
            owner = Seen(key, page, box.style["font_size"] * PX_TO_PT)
            owner.element = element
            copies.append(owner)
        if key is not None and hasattr(box, "content_box_x"):
            owner.width_px = max(owner.width_px, box.width)
            owner.rects.append(
                (page, box.border_box_x(), box.border_box_y(), box.border_width(),
                 box.border_height())
            )
        if element.get("data-fit") is not None and not any(
            o.element is element for o in overflows
        ):
            found = _overflow(box, page)
            if found is not None:
                overflows.append(found)
    if owner is not None:
        kind = type(box).__name__
        if kind == "LineBox":
            owner.lines += 1
            owner.line_height_px = max(owner.line_height_px, box.height)
        elif kind == "TextBox":
            owner.text += box.text
            owner.advance_px += box.width
    for child in getattr(box, "children", ()):
        child_element = getattr(child, "element", None)
        if child_element is not None and child_element.get("data-bleed") is not None:
            continue
        _collect(child, page, owner, copies, overflows)


def _inner(box: Any, skip_transformed: bool) -> Iterator[tuple[Any, tuple[str, ...]]]:
    for child in getattr(box, "children", ()):
        if skip_transformed and child.style["transform"]:
            continue  # laid out unrotated: checked against its own box, marked data-fit
        element = getattr(child, "element", None)
        if element is not None and element.get("data-bleed") is not None:
            continue
        yield from _walk(child, ())


# Right-to-left lines keep the width of their trailing space (or a bidi isolate) at their
# left end, which may stick out of the column by up to that much with nothing drawn there:
# text counts as past the left side beyond this, a space's width and a little.
_LEFT_SLACK_EM = 0.35


def _overflow(box: Any, page: int) -> Overflow | None:
    """How far the text in a ``data-fit`` box runs past its content box (lines and words) or
    other boxes past its padding box (a QR code's quiet zone may lie in the padding)."""
    if getattr(box, "element_tag", None) is None or not hasattr(box, "content_box_y"):
        return None
    text_bottom = box.content_box_y() + box.height
    text_left = box.content_box_x()
    text_right = text_left + box.width
    edge_bottom = box.padding_box_y() + box.padding_height()
    edge_left = box.padding_box_x()
    edge_right = edge_left + box.padding_width()
    over_y = over_x = 0.0
    keys: set[str] = set()
    culprits: dict[str, float] = {}
    for inner, inner_keys in _inner(box, skip_transformed=True):
        keys.update(inner_keys)
        if not hasattr(inner, "border_box_y"):
            continue
        kind = type(inner).__name__
        is_line, is_text = kind == "LineBox", kind == "TextBox"
        if not is_text:
            limit = text_bottom if is_line else edge_bottom
            over_y = max(over_y, inner.border_box_y() + inner.border_height() - limit)
        if is_line:
            # A line too wide: every fitted element on it may be what to shrink (the phone
            # number, not the word "Call" that it pushes out of a right-to-left column).
            inside = _own_line(inner, inner_keys)
            # Past either side: right-to-left lines overflow at the left.
            wide = max(
                (max(b.border_box_x() + b.border_width() - text_right,
                     text_left - b.border_box_x() - _LEFT_SLACK_EM * b.style["font_size"])
                 for b, _ in inside if type(b).__name__ == "TextBox"),
                default=0.0,
            )
            if wide * PX_TO_MM > OVERFLOW_TOLERANCE_MM:
                for key in {k for _, ks in inside for k in ks[-1:]} or set(inner_keys[-1:]):
                    culprits[key] = max(culprits.get(key, 0.0), wide)
        else:
            right, left = (text_right, text_left) if is_text else (edge_right, edge_left)
            slack = _LEFT_SLACK_EM * inner.style["font_size"] if is_text else 0.0
            over = max(inner.border_box_x() + inner.border_width() - right,
                       left - inner.border_box_x() - slack)
            over_x = max(over_x, over)
            if not is_text and over * PX_TO_MM > OVERFLOW_TOLERANCE_MM and inner_keys:
                key = inner_keys[-1]
                culprits[key] = max(culprits.get(key, 0.0), over)
    over_y = max(over_y, _collision(box), _cut_at_page(box))
    if max(over_y, over_x) * PX_TO_MM <= OVERFLOW_TOLERANCE_MM:
        return None
    name = box.element.get("data-fit") or box.element.get("class") or box.element_tag
    return Overflow(
        page,
        name,
        over_y if over_y * PX_TO_MM > OVERFLOW_TOLERANCE_MM else 0.0,
        over_x if over_x * PX_TO_MM > OVERFLOW_TOLERANCE_MM else 0.0,
        keys,
        culprits,
        box.height,
        (box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height()),
        box.element,
    )


def _own_line(line: Any, keys: tuple[str, ...]) -> list[tuple[Any, tuple[str, ...]]]:
    """The boxes on a line, with their fitted elements, but not the lines of inline blocks on
    it (the flyer's two columns are inline blocks on one line): those are lines of their own."""
    found: list[tuple[Any, tuple[str, ...]]] = []

    def visit(box: Any, keys: tuple[str, ...]) -> None:
        for child in getattr(box, "children", ()):
            if type(child).__name__ == "LineBox":
                continue
            element = getattr(child, "element", None)
            own = keys
            if element is not None and getattr(child, "element_tag", None) is not None:
                key = element.get("data-fit-el")
                if key is not None and (not keys or keys[-1] != key):
                    own = (*keys, key)
            found.append((child, own))
            visit(child, own)

    visit(line, keys)
    return found


def _cut_at_page(box: Any) -> float:
    """How far a box of fixed height (a pamphlet panel as tall as the page) was stretched when
    its text ran past the page: WeasyPrint then cuts the box at the page's edge, drops its
    bottom padding and leaves the lines that did not fit off every page, silently. At least
    that stretch and one line more, since a line that does not fit is what cuts the box."""
    height = box.style["height"]
    if getattr(height, "unit", None) != "px":
        return 0.0
    style = box.style
    specified = height.value
    if style["box_sizing"] == "border-box":
        specified -= sum(
            _px(style[f"padding_{side}"], box.width) + style[f"border_{side}_width"]
            for side in ("top", "bottom")
        )
    elif style["box_sizing"] == "padding-box":
        specified -= sum(_px(style[f"padding_{side}"], box.width) for side in ("top", "bottom"))
    stretch = box.height - max(0.0, specified)
    if stretch * PX_TO_MM <= OVERFLOW_TOLERANCE_MM:
        return 0.0
    return stretch + style["font_size"] * 1.2


def _px(value: Any, width: float) -> float:
    """A padding as used: px, or a percentage of the containing block's width (``width``
    stands in for it: panels have no percentage padding, so this is only a safe default)."""
    if getattr(value, "unit", None) == "%":
        return value.value / 100 * width
    return float(getattr(value, "value", 0) or 0)


def _collision(box: Any) -> float:
    """How far the box's running text runs under text positioned over it (the card's
    hotlines sit at the bottom of its details): overflow as much as running out of the box."""
    lines: list[tuple[float, float, float, float]] = []
    placed: list[tuple[float, float, float, float]] = []

    def visit(child: Any, holder: list[Any] | None) -> None:
        element = getattr(child, "element", None)
        if element is not None and element.get("data-bleed") is not None:
            return
        if child.style["transform"]:
            return
        if holder is None and child.style["position"] == "absolute":
            own: list[Any] = []
            for grandchild in getattr(child, "children", ()):
                visit(grandchild, own)
            if own:
                placed.append((min(b[0] for b in own), min(b[1] for b in own),
                               max(b[2] for b in own), max(b[3] for b in own)))
            return
        if type(child).__name__ == "LineBox":
            rect = (child.position_x, child.position_y, child.position_x + child.width,
                    child.position_y + child.height)
            (lines if holder is None else holder).append(rect)
            return
        for grandchild in getattr(child, "children", ()):
            visit(grandchild, holder)

    for child in getattr(box, "children", ()):
        visit(child, None)
    over = 0.0
    for x0, y0, x1, y1 in placed:
        for lx0, ly0, lx1, ly1 in lines:
            if lx0 < x1 and x0 < lx1 and ly0 < y1 and y0 < ly1:
                over = max(over, ly1 - y0)
    return over


# --- choosing the next state ------------------------------------------------------------------


def _down(size: float, minimum: float, target: float | None = None) -> float:
    """At least one half point smaller (or ``target``, if smaller still), never below minimum."""
    wanted = size - STEP_PT if target is None else min(size - STEP_PT, target)
    return max(minimum, math.floor(wanted / STEP_PT) * STEP_PT)


@dataclass
class _Box:
    """The search for one overflowing box's level: how many half points its fitted type steps
    down (each element stops at its minimum), then how many of its fallbacks are taken."""

    members: list[FitElement]
    fallbacks: list[Fallback]
    steps: int  # half points from the largest member's size to its minimum
    level: int = 0
    fails: int = 0  # the highest level seen to overflow
    fits: int | None = None  # the lowest level seen to fit

    seen: list[tuple[int, float]] = field(default_factory=list)  # (level, px over)
    first: int = 1  # the first level to try, from how much of the box its text fills
    aimed: int = 0  # levels to probe one by one below a fit: the search's estimate was close

    def guess(self) -> int:
        """The next level to try while none fits: as far as the last two levels' rate of taking
        height off says is needed, else the first layout's estimate, else double."""
        self.aimed = AIMED_PROBES
        if len(self.seen) >= 2:
            (a, over_a), (b, over_b) = self.seen[-2:]
            if b > a and over_a > over_b > 0:
                rate = (over_a - over_b) / (b - a)
                return max(self.fails + 1, b + math.ceil(over_b / rate))
        if self.fails == 0:
            return max(1, self.first)
        self.aimed = 0
        return max(self.fails + 1, 2 * self.fails + 1)

    def back(self) -> int:
        """The next level to try once one fits, searching back down for the lowest that does:
        just below, when the fit was estimated to be the first (or about), since the estimate
        says that level overflows and one layout then settles it; else halfway."""
        assert self.fits is not None
        if self.aimed and self.fits - 1 > self.fails:
            self.aimed -= 1
            return self.fits - 1
        target = (self.fails + self.fits) // 2
        return self.fits if target <= self.fails else target

    @property
    def top(self) -> int:
        return self.steps + len(self.fallbacks)

    @property
    def settled(self) -> bool:
        return self.fits is not None and self.fits <= self.fails + 1


# After a fit at an estimated level, the levels just below it tried one by one before halving:
# an estimate is seldom more than one level out, and then a level at a time is cheaper.
AIMED_PROBES = 2

# Text set smaller takes less height than in proportion to its size (fewer lines wrap, but
# the lines themselves shrink): height grows about as size ** this, measured on the flyer.
_HEIGHT_POWER = 1.3


def _first_level(members: list[FitElement], seen: Measure, overflow: Overflow, steps: int) -> int:
    """The level a box's first fitting layout tries: the half points its type must step down
    for the lines of its fitted elements to lose the height it is over by (a little short of
    it: one more layout from there is cheaper than searching back down from too small)."""
    spans = sorted(
        (y, y + h)
        for e in members
        if (s := seen.elements.get(e.key)) is not None
        for page, _, y, _, h in s.rects
        if page == overflow.page
    )
    lines_px, reach = 0.0, -math.inf  # the height the elements' boxes cover, columns overlaid
    for top, bottom in spans:
        lines_px += max(0.0, bottom - max(top, reach))
        reach = max(reach, bottom)
    if lines_px <= overflow.over_y_px:
        return 1
    ratio = ((lines_px - overflow.over_y_px) / lines_px) ** (1 / _HEIGHT_POWER)
    largest = max(seen.elements[e.key].size_pt for e in members if e.key in seen.elements)
    return max(1, min(steps, math.floor(largest * (1 - ratio) / STEP_PT)))


class Fitter:
    """Chooses the next state from each layout's measure, until the document fits or no step
    is left: elements too long for themselves shrink on their own first; each box that still
    overflows then searches its level — first as far as the share of the box its type fills
    says, then as far as the last two levels' rate says, else doubling — until it fits, and
    halves back to the lowest level that does (the least shrinking that fits), with every box
    searched at once. A state already laid out that fit is not laid out again."""

    def __init__(self, spec: FitSpec, has_short: bool) -> None:
        self.spec = spec
        self.has_short = has_short
        self.defaults: dict[str, float] = {}
        self.own: dict[str, float] = {}  # sizes elements took on their own
        self.short: set[str] = set()
        self.taken: set[str] = set()  # fallbacks elements took on their own
        self.boxes: dict[str, _Box] = {}
        self.stuck: list[Overflow] = []

    def state(self) -> FitState:
        sizes = dict(self.own)
        taken = set(self.taken)
        keep: dict[str, int] = {}
        for box in self.boxes.values():
            for element in box.members:
                base = sizes.get(element.key, self.defaults[element.key])
                size = max(element.min_pt, base - STEP_PT * min(box.level, box.steps))
                sizes[element.key] = min(sizes.get(element.key, size), size)
            for fallback in box.fallbacks[: max(0, box.level - box.steps)]:
                taken.add(fallback.key)
                if fallback.keep is not None:
                    keep[fallback.key] = fallback.keep
        sizes = {k: v for k, v in sizes.items() if v != self.defaults.get(k)}
        return FitState(
            tuple(sorted(sizes.items())), frozenset(taken), frozenset(self.short),
            tuple(sorted(keep.items())),
        )

    def update(self, seen: Measure) -> bool:
        """Take in a layout's measure; True when another layout should be tried."""
        for key, found in seen.elements.items():
            self.defaults.setdefault(key, found.size_pt)
        changed = self._elements(seen)
        overflowing = {o.name: o for o in seen.overflows}
        self.stuck = []
        for name, box in self.boxes.items():
            if name not in overflowing and not changed & {e.key for e in box.members}:
                box.fits = box.level if box.fits is None else min(box.fits, box.level)
        for overflow in seen.overflows:
            keys = overflow.keys
            if changed & keys:
                continue  # its elements just changed on their own: measure again first
            if not overflow.over_y_px:  # too wide, and what is too wide can shrink no more
                self.stuck.append(overflow)
                continue
            box = self.boxes.get(overflow.name) or self._new_box(overflow, seen)
            if box is None:
                self.stuck.append(overflow)
                continue
            if box.level >= box.fails:
                box.seen.append((box.level, overflow.over_y_px))
            box.fails = max(box.fails, box.level)
            if box.fails >= box.top:
                self.stuck.append(overflow)
        moved = bool(changed)
        for name, box in self.boxes.items():
            if name in overflowing and box.fails >= box.top:
                continue
            if box.settled:
                target = box.fits if box.fits is not None else box.level
            elif box.fits is None:
                target = min(box.top, box.guess())
            else:
                target = box.back()
            if target != box.level:
                box.level = target
                moved = True
        return moved and not self.stuck

    def give_all(self) -> None:
        """Every box at its smallest, fallbacks taken: the last thing to try."""
        for box in self.boxes.values():
            box.level = box.top

    def _new_box(self, overflow: Overflow, seen: Measure) -> _Box | None:
        members = [
            e for e in self.spec.elements if e.key in overflow.keys and e.key in self.defaults
        ]
        fallbacks = [
            f for f in self.spec.fallbacks
            if f.key in overflow.keys and f.key not in self.taken and not f.wide
        ]
        steps = max(
            (int(round((self.own.get(e.key, self.defaults[e.key]) - e.min_pt) / STEP_PT))
             for e in members),
            default=0,
        )
        if steps <= 0 and not fallbacks:
            return None
        box = _Box(members, fallbacks, max(steps, 0))
        box.first = _first_level(members, seen, overflow, box.steps)
        self.boxes[overflow.name] = box
        return box

    def _elements(self, seen: Measure) -> set[str]:
        """Elements too long for themselves: more lines than a designer would give them (they
        shrink alone; at their minimum the short name is used, if there is one), or a word
        too wide for its line (it shrinks; at its minimum its fallback is taken)."""
        changed: set[str] = set()
        for found in seen.too_long(self.spec):
            element = self.spec.element(found.key)
            assert element is not None and element.max_lines
            current = self.own.get(found.key, found.size_pt)
            if current > element.min_pt:
                # Text set end to end, poured into max_lines lines a little short of full.
                ratio = element.max_lines * found.width_px * 0.92 / max(found.advance_px, 1.0)
                self.own[found.key] = _down(current, element.min_pt, current * ratio)
                changed.add(found.key)
            elif element.short and self.has_short and element.key not in self.short:
                self.short.add(element.key)
                self.own.pop(element.key, None)
                changed.add(found.key)
            elif self.spec.fallback(found.key) is not None and found.key not in self.taken:
                self.taken.add(found.key)  # e.g. the card's link, too many lines under the code
                changed.add(found.key)
        for overflow in seen.overflows:
            for key, over in overflow.side_culprits.items():
                element = self.spec.element(key)
                if element is None or key in changed or key not in seen.elements:
                    continue
                found = seen.elements[key]
                current = min(self.own.get(key, found.size_pt), found.size_pt)
                fallback = self.spec.fallback(key)
                if current > element.min_pt:
                    widest = max(found.width_px + over, 1.0)
                    self.own[key] = _down(
                        current, element.min_pt, current * found.width_px / widest * 0.98
                    )
                    changed.add(key)
                elif fallback is not None and key not in self.taken:
                    self.taken.add(key)  # e.g. the card's link moves to the card's full width
                    changed.add(key)
        return changed


# --- what to say ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a location's data came from, for messages."""

    path: str | None
    line: int | None
    has_short: bool


def fitted_notes(
    spec: FitSpec, state: FitState, seen: Measure, defaults: dict[str, float], where: str,
    labels: dict[str, str] | None = None,
) -> list[Problem]:
    """``info`` problems saying what was fitted and how, for ``makeprint check``."""
    notes = []
    for key, pt in state.sizes:
        element = spec.element(key)
        default = defaults.get(key)
        if element is None or default is None or key not in seen.elements or pt >= default:
            continue
        page = seen.elements[key].page
        notes.append(
            FitProblem(
                f"{where}, page {page}: {element.label} set at {pt:g} pt, not {default:g} pt, "
                "to fit",
                severity="info",
            )
        )
    for key in sorted(state.short):
        element = spec.element(key)
        if element is not None:
            notes.append(FitProblem(f"{where}: {element.label} uses the short name to fit",
                                 severity="info"))
    for key in sorted(state.taken):
        what = (labels or {}).get(key, key)
        keep = dict(state.keep).get(key)
        done = f"cut to {keep} items" if keep is not None else "left out or moved"
        notes.append(FitProblem(f"{where}: {what} {done} to fit", severity="info"))
    return notes


def failure_problems(
    spec: FitSpec, state: FitState, seen: Measure, stuck: list[Overflow], where: str,
    source: Source,
) -> list[Problem]:
    """What could not be fitted: page, element, field and row, how much, and the fix."""
    return [problem for problem, _ in failures(spec, state, seen, stuck, where, source)]


@dataclass(frozen=True)
class Mark:
    """An element that does not fit, for previews: outlined in red, its message beside it."""

    page: int  # the material's page number
    rect_mm: tuple[float, float, float, float]  # x, y, width, height from the page's corner
    message: str


def failures(
    spec: FitSpec, state: FitState, seen: Measure, stuck: list[Overflow], where: str,
    source: Source,
) -> list[tuple[Problem, list[Mark]]]:
    """Each failure with the marks a preview draws for it: the box, and the element named."""
    found = []
    for overflow in stuck or seen.overflows:
        problem, culprit = _box_problem(spec, state, seen, overflow, where, source)
        rects = [(overflow.page, *overflow.rect)]
        if culprit is not None and culprit.key in seen.elements:
            rects += [r for r in seen.elements[culprit.key].rects if r[0] == overflow.page]
        message = problem.message.split(": ", 1)[-1]
        marks = [
            Mark(page, tuple(round(v * PX_TO_MM, 2) for v in (x, y, w, h)), message)  # type: ignore[misc]
            for page, x, y, w, h in rects
        ]
        found.append((problem, marks))
    return found


def _column(element: FitElement, source: Source) -> str:
    return f" (column '{element.field}')" if element.field else ""


def _box_problem(
    spec: FitSpec, state: FitState, seen: Measure, overflow: Overflow, where: str,
    source: Source,
) -> tuple[Problem, FitElement | None]:
    direction = "side" if overflow.over_x_px > overflow.over_y_px else "bottom"
    mm = overflow.over_mm
    # The element to shorten: a word too wide names itself; otherwise the element with the
    # most lines in the box that prints location data (else content).
    culprit: FitElement | None = None
    if overflow.side_culprits:
        culprit = spec.element(max(overflow.side_culprits, key=overflow.side_culprits.get))
    if culprit is None:
        inside = [
            (e, seen.elements[e.key]) for e in spec.elements
            if e.key in overflow.keys and e.key in seen.elements
        ]
        inside.sort(key=lambda pair: (pair[0].field is not None, pair[1].lines), reverse=True)
        culprit = inside[0][0] if inside else None
    if culprit is None:
        return FitProblem(
            f"{where}, page {overflow.page}: {overflow.name} overflows its box at the "
            f"{direction} by {mm:.1f} mm",
            hint="shorten the text (location data or content) so it fits",
        ), None
    found = seen.elements[culprit.key]
    at = (
        f"at the {culprit.min_pt:g} pt minimum"
        if found.size_pt <= culprit.min_pt + 0.01
        else "after fitting"
    )
    if direction == "bottom" and found.line_height_px:
        lines = max(1, math.ceil(overflow.over_y_px / found.line_height_px))
        amount = f"{lines} line{'s' if lines > 1 else ''} ({mm:.1f} mm) too long"
        keep = max(1, int(len(found.text.strip()) * max(found.lines - lines, 0.5)
                          / max(found.lines, 1) * 0.95))
    else:
        amount = f"{mm:.1f} mm too wide"
        width = found.width_px or 1.0
        keep = max(1, int(len(found.text.strip()) * width / (width + overflow.over_x_px) * 0.95))
    where_it = f"{culprit.label}{_column(culprit, source)}"
    subject = "it" if culprit.field else "the text in content/"
    hint = f"shorten {subject} to about {keep} characters"
    if culprit.short and not source.has_short:
        hint += ", or set short_name"
    return FitProblem(
        f"{where}, page {overflow.page}: {overflow.name}: {where_it}: {amount} {at}",
        path=source.path if culprit.field else None,
        line=source.line if culprit.field else None,
        hint=hint,
    ), culprit

