"""QR codes: the tracked intake URL, and the code drawn as vector SVG with its quiet zone."""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from itertools import chain
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import qrcode
import qrcode.constants
import qrcode.util

from .links import display_url
from .organization import Tracking

__all__ = ["display_url"]  # re-exported: preflight and tests know it from here

QUIET_ZONE = 4  # modules of light margin on every side, as ISO/IEC 18004 asks
_DARK_RUN = re.compile(b"\x01+")  # in a row of modules as bytes


@dataclass(frozen=True)
class QRCode:
    url: str
    modules: int  # modules across, without the quiet zone
    svg: str  # viewBox in modules, quiet zone included; scales to any printed size
    # Every horizontal run of dark modules: (x, y, length) in modules, quiet zone included.
    runs: tuple[tuple[int, int, int], ...] = ()
    dark: str = "#000000"

    @property
    def total(self) -> int:
        """Modules across, quiet zone included: the side of the SVG's viewBox."""
        return self.modules + 2 * QUIET_ZONE

    @property
    def data_uri(self) -> str:
        """The SVG as the templates' <img> source (and the key QRDrawing is found under)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


class QRDrawing:
    """The code as WeasyPrint draws an image: the same squares as the SVG, straight to the page.

    The HTML keeps the SVG (browsers show it; it is the code's one definition). WeasyPrint,
    given it, parses its path in Python, command by command: about 7 ms of every document,
    5 % of a build. The renderer hands WeasyPrint this drawing for the SVG's URI instead
    (through the image cache, a render option), and it fills one rectangle per run: the same
    module squares in the same place, in a fraction of a millisecond. It implements the two
    methods WeasyPrint asks of an image.
    """

    def __init__(self, code: QRCode) -> None:
        from tinycss2.color5 import parse_color  # WeasyPrint's own colour type

        self.code = code
        self.light, self.dark = parse_color("#FFFFFF"), parse_color(code.dark)

    def get_intrinsic_size(
        self, image_resolution: float, font_size: float
    ) -> tuple[None, None, float]:
        return None, None, 1.0  # as the SVG: a viewBox, no width or height

    def draw(self, stream: Any, width: float, height: float, style: Any) -> None:
        total = self.code.total
        stream.transform(a=width / total, d=height / total)  # one unit: one module
        stream.set_color(self.light)
        stream.rectangle(0, 0, total, total)
        stream.fill()
        stream.set_color(self.dark)
        # The runs' rectangles, written once per code: the very bytes that one
        # ``stream.rectangle(x, y, length, 1)`` a run writes (~500 a code, a millisecond).
        stream.stream.append(_run_rectangles(self.code.runs))
        stream.fill()


@functools.lru_cache(maxsize=64)
def _run_rectangles(runs: tuple[tuple[int, int, int], ...]) -> bytes:
    return b"\n".join(f"{x} {y} {length} 1 re".encode("ascii") for x, y, length in runs)


def tracked_url(base: str, tracking: Tracking, material: str, slug: str, lang: str) -> str:
    """Append the tracking parameters to ``base``, keeping its own query and fragment."""
    if not tracking.enabled:
        return base
    parts = urlsplit(base)
    values = {"source": material, "medium": tracking.medium, "campaign": slug, "content": lang}
    existing = parse_qsl(parts.query, keep_blank_values=True)
    names = {name for name, _ in existing}
    added = [
        (tracking.params[key], value)
        for key, value in values.items()
        if tracking.params.get(key) and tracking.params[key] not in names
    ]
    if not added:
        return base
    query = (parts.query + "&" if parts.query else "") + urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# --- the density budget ------------------------------------------------------------------------
#
# Every code keeps modules of at least MODULE_MM at its printed size. A long URL plus tracking
# may need more modules than the material's qr_min_mm holds. Then, in this order:
#   1. our tracking is dropped, least useful first (DROP_ORDER): the medium (the same on every
#      code), the language, the material, and last the location (utm_campaign: where a person
#      came from). The intake URL itself is kept whole, its own parameters included;
#   2. the untracked code grows, up to the material's qr_max_mm;
#   3. only then the URL is refused, saying how many characters it may have.

MODULE_MM = 0.5
DROP_ORDER = ("medium", "content", "source", "campaign")
_CAPACITY = [0] + [  # bytes an EC level M code of each version holds, in one byte-mode segment
    (qrcode.util.BIT_LIMIT_TABLE[qrcode.constants.ERROR_CORRECT_M][v] - 4 - (8 if v < 10 else 16))
    // 8
    for v in range(1, 41)
]


def version_for(url: str) -> int:
    """The smallest QR version (EC level M, byte mode) that holds ``url``."""
    length = len(url.encode("utf-8"))
    for version in range(1, 41):
        if _CAPACITY[version] >= length:
            return version
    raise ValueError(f"{length} bytes do not fit in a QR code")


def modules_for(url: str) -> int:
    """Modules across the code for ``url``, without the quiet zone (0 when nothing holds it)."""
    try:
        return 17 + 4 * version_for(url)
    except ValueError:
        return 10**6


def max_chars(max_mm: float) -> int:
    """The longest URL (in bytes) whose code keeps MODULE_MM modules within ``max_mm``."""
    fits = [v for v in range(1, 41) if (17 + 4 * v + 2 * QUIET_ZONE) * MODULE_MM <= max_mm]
    return _CAPACITY[max(fits)] if fits else 0


@dataclass(frozen=True)
class QRPlan:
    """The URL a document's code encodes and the width it is printed at."""

    url: str
    modules: int
    size_mm: float
    dropped: tuple[str, ...] = ()  # tracking left out (DROP_ORDER keys) to keep modules big


class QRBudgetError(ValueError):
    """No code for this URL keeps modules of MODULE_MM within the material's qr_max_mm."""

    def __init__(self, url: str, limit: int, max_mm: float):
        super().__init__(f"{len(url.encode())} characters; at most {limit} fit in {max_mm:g} mm")
        self.url = url
        self.limit = limit
        self.max_mm = max_mm


def plan_qr(
    base: str,
    tracking: Tracking,
    material: str,
    slug: str,
    lang: str,
    min_mm: float,
    max_mm: float,
    track: bool = True,
) -> QRPlan:
    """The code for ``base`` (placeholders filled): tracked as far as the budget allows.

    See the budget above; raises QRBudgetError when even the bare URL does not fit.
    """
    from .geometry import qr_size_mm

    fits_min = int(min_mm / MODULE_MM + 1e-9) - 2 * QUIET_ZONE
    candidates: list[tuple[str, tuple[str, ...]]] = []
    if track:
        params = dict(tracking.params)
        dropped: list[str] = []
        for step in (None, *DROP_ORDER):
            if step is not None:
                dropped.append(step)
                params[step] = ""
            url = tracked_url(base, Tracking(True, tracking.medium, params), material, slug, lang)
            if not candidates or candidates[-1][0] != url:
                candidates.append((url, tuple(dropped)))
    else:
        candidates.append((base, ()))
    for url, dropped_now in candidates:
        modules = modules_for(url)
        if modules <= fits_min:
            return QRPlan(url, modules, qr_size_mm(modules, min_mm, MODULE_MM), dropped_now)
    url, dropped_now = candidates[-1]
    modules = modules_for(url)
    size = qr_size_mm(modules, min_mm, MODULE_MM)
    if size > max_mm + 1e-9:
        raise QRBudgetError(url, max_chars(max_mm), max_mm)
    return QRPlan(url, modules, size, dropped_now)


@functools.lru_cache(maxsize=64)
def make_qr(url: str, dark: str = "#000000") -> QRCode:
    """Encode ``url`` with error correction M and draw it as one SVG path (kept for the next
    call: a document's every layout, shared pages and refits alike, asks for the same code).

    Each horizontal run of dark modules is one stroke, one module thick, along the middle of
    its row: two path commands per run where a filled outline needs four. The runs are kept
    too, for WeasyPrint to draw from (``QRDrawing``); the printed shape is the same set of
    squares, and stays vector.
    """
    code = qrcode.QRCode(
        version=version_for(url), error_correction=qrcode.constants.ERROR_CORRECT_M, border=0
    )
    # One byte-mode segment: the version is then a function of the length alone, which is
    # what the density budget (``plan_qr``) counts on.
    code.add_data(url.encode("utf-8"), optimize=0)
    code.mask_pattern = best_mask(code)
    code.make(fit=False)
    matrix = code.get_matrix()
    size = len(matrix)
    total = size + 2 * QUIET_ZONE
    runs = tuple(
        (run.start() + QUIET_ZONE, y + QUIET_ZONE, run.end() - run.start())
        for y, row in enumerate(matrix)
        for run in _DARK_RUN.finditer(bytes(row))
    )
    strokes = "".join(f"M{x} {y}.5h{length}" for x, y, length in runs)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {total}" '
        f'shape-rendering="crispEdges">'
        f'<rect width="{total}" height="{total}" fill="#FFFFFF"/>'
        f'<path fill="none" stroke="{dark}" stroke-width="1" stroke-linecap="butt" '
        f'd="{strokes}"/></svg>'
    )
    return QRCode(url=url, modules=size, svg=svg, runs=runs, dark=dark)


# --- choosing the mask -------------------------------------------------------------------------
#
# ISO/IEC 18004 picks, of the eight mask patterns, the one whose symbol scores the lowest
# penalty. qrcode does it by building the whole symbol eight times and scoring each module by
# module in Python: 7.5 ms of the 9 ms a code cost. Here the symbol is built once and the
# seven others derived from it (a mask only flips data modules, so symbol k = symbol 0 XOR a
# pattern that depends on the version alone), and each is scored as one integer holding every
# row and column, a bit per module, so each rule is a few whole-integer operations. The score
# is qrcode's own (`qrcode.util.lost_point`, a tie going to the lower mask), and qrcode still
# builds the final symbol: tests compare both on random symbols and on URLs of every length.

_ASCII_BITS = bytes.maketrans(b"\x00\x01", b"01")
_GAP = 11  # light bits after each row and column: more than the widest shift below (10)


@dataclass(frozen=True)
class _Layout:
    """Where the rows and columns of a symbol of ``size`` modules sit in one integer."""

    width: int  # bits per row or column, gap included
    full: int  # every module of every row and column
    rows: int  # every module of the rows only
    starts: int  # where an 11-module window fits inside a row or column
    pairs: int  # rows 1 … size-1, modules 0 … size-2: the corners of 2 × 2 blocks

    @classmethod
    def of(cls, size: int) -> _Layout:
        width = size + _GAP
        lines = 2 * size  # rows first, then columns; the first line holds the highest bits

        def each(bits: int, which: range) -> int:
            return sum(bits << ((lines - 1 - j) * width + _GAP) for j in which)

        line = (1 << size) - 1
        return cls(
            width=width,
            full=each(line, range(lines)),
            rows=each(line, range(size)),
            starts=each((1 << (size - 10)) - 1, range(lines)),
            pairs=each(line >> 1, range(1, size)),
        )


_LAYOUTS: dict[int, _Layout] = {}
_MASK_FLIPS: dict[int, list[int]] = {}  # version → what masks 1 … 7 flip against mask 0


def _pack(modules: list[list[bool]]) -> int:
    """Rows then columns, each followed by its gap, as one integer (see ``_Layout``)."""
    gap = bytes(_GAP)
    lines = chain(modules, zip(*modules, strict=True))
    return int(b"".join(bytes(line) + gap for line in lines).translate(_ASCII_BITS), 2)


def _test_symbol(code: qrcode.QRCode, mask: int) -> int:
    """The symbol as qrcode scores it (format and version areas left light), packed."""
    code.makeImpl(True, mask)
    return _pack(code.modules)


def best_mask(code: qrcode.QRCode) -> int:
    """The mask qrcode's ``best_mask_pattern`` would choose for ``code`` (version set)."""
    symbol = _test_symbol(code, 0)
    size = code.modules_count
    layout = _LAYOUTS.get(size) or _LAYOUTS.setdefault(size, _Layout.of(size))
    if code.version not in _MASK_FLIPS:
        _MASK_FLIPS[code.version] = [symbol ^ _test_symbol(code, k) for k in range(1, 8)]
    scores = [penalty(symbol, layout)]
    scores += [penalty(symbol ^ flip, layout) for flip in _MASK_FLIPS[code.version]]
    return scores.index(min(scores))


def penalty(dark: int, layout: _Layout) -> int:
    """ISO/IEC 18004 penalty of a symbol packed as ``layout`` says (see above)."""
    light = dark ^ layout.full
    score = 0
    # N1: each run of five or more modules of one colour in a row or column: its length - 2.
    for bits in (dark, light):
        run = bits & bits >> 1 & bits >> 2 & bits >> 3 & bits >> 4  # a bit per 5 in a row
        score += run.bit_count() + 2 * (run & ~(run << 1)).bit_count()
    # N2: each 2 × 2 block of one colour: 3.
    above = dark >> layout.width  # each row moved onto the next one
    differ = above ^ dark
    blocks = layout.pairs & ~(differ | differ >> 1 | above ^ above >> 1)
    score += 3 * blocks.bit_count()
    # N3: each 1:1:3:1:1 finder-like pattern with four light modules on one side: 40.
    core = layout.starts & light >> 1 & dark >> 4 & light >> 5 & dark >> 6 & light >> 9
    if core:
        ends = (dark & dark >> 2 & dark >> 3 & light >> 7 & light >> 8 & light >> 10) | (
            light & light >> 2 & light >> 3 & dark >> 7 & dark >> 8 & dark >> 10
        )
        score += 40 * (core & ends).bit_count()
    # N4: 10 for every full 5 % the dark share is away from half.
    size = (layout.width - _GAP) ** 2
    score += int(abs(float((dark & layout.rows).bit_count()) / size * 100 - 50) / 5) * 10
    return score
