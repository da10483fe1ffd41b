"""Print geometry as pure functions: units, trim sizes, tri-fold panels, QR code sizing."""

from __future__ import annotations

import re
from dataclasses import dataclass

MM_PER_IN = 25.4
PT_PER_IN = 72.0
_LENGTH_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|in|pt|cm)\s*$")


def to_mm(length: str) -> float:
    """Convert '3.5in', '85mm', '8.5 in', '612pt' to millimetres."""
    match = _LENGTH_RE.match(length)
    if not match:
        raise ValueError(f"not a length: {length!r} (use mm, cm, in or pt)")
    value, unit = float(match[1]), match[2]
    return {
        "mm": value,
        "cm": value * 10,
        "in": value * MM_PER_IN,
        "pt": value * MM_PER_IN / PT_PER_IN,
    }[unit]


def mm_to_pt(mm: float) -> float:
    return mm / MM_PER_IN * PT_PER_IN


# Letter tri-fold: the panel that folds in is 1/16 in narrower so it tucks inside the others.
TRIFOLD_PANELS_MM = {
    "letter": (3.6875 * MM_PER_IN, 3.6875 * MM_PER_IN, 3.625 * MM_PER_IN),
    "a4": (100.0, 100.0, 97.0),
}


def trifold_panels(paper: str) -> dict[str, tuple[float, float, float]]:
    """Panel widths (mm), left to right, for the inside and the outside page.

    Inside: two full panels, then the narrow fold-in panel at the right. The outside page is
    the back of the same sheet, so the fold-in panel is at its left: flap, back, front cover.
    """
    inside = TRIFOLD_PANELS_MM[paper]
    return {"inside": inside, "outside": (inside[2], inside[1], inside[0])}


def qr_size_mm(
    modules: int, min_width_mm: float, min_module_mm: float = 0.5, quiet_zone: int = 4
) -> float:
    """Printed width of a code: at least min_width_mm, with modules of min_module_mm or more."""
    total = modules + 2 * quiet_zone
    return round(max(min_width_mm, total * min_module_mm), 2)


PAPER_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}
# Sheets office printers take, whole: Letter, A4, and a poster's tabloid (11 × 17 in) and A3.
OFFICE_SHEETS_MM = (*PAPER_MM.values(), (279.4, 431.8), (297.0, 420.0))
OFFICE_MARGIN_MM = 6.35  # desktop printers cannot print closer than about 1/4 in to the edge
SAFE_MM = 3.175  # text and codes stay 1/8 in inside the trim
# Colour stops 1/16 in short of a fold (pamphlet panels) and, in office files, of a cut edge
# (a card cut from the sheet by hand or on micro-perforations): a fold or cut that far off
# leaves plain paper at the edge, never a sliver of colour on the neighbouring panel or card.
FOLD_INSET_MM = MM_PER_IN / 16
CUT_INSET_MM = MM_PER_IN / 16
# A label (die-cut, peeled off label stock) keeps its colour and text 1/8 in inside its edge
# in office files: label sheets feed a millimetre or so off, and their corners are rounded.
LABEL_INSET_MM = MM_PER_IN / 8
DEFAULT_BLEED_MM = {"letter": 3.175, "a4": 3.0}


@dataclass(frozen=True)
class Sheet:
    """Card stock: where each card sits on the sheet, all in millimetres from the top left."""

    name: str
    description: str
    paper: str
    width: float
    height: float
    card_w: float
    card_h: float
    columns: int
    rows: int
    margin_left: float
    margin_top: float
    gutter_x: float
    gutter_y: float
    kind: str = "cards"  # cards: two sides, backs mirrored; labels: one side, die-cut

    @property
    def count(self) -> int:
        return self.columns * self.rows

    @property
    def sides(self) -> int:
        """Pages of an imposed sheet: fronts and backs of cards, one page of labels."""
        return 2 if self.kind == "cards" else 1


def card_positions(sheet: Sheet, back: bool = False) -> list[tuple[float, float]]:
    """Top-left corner of each card, row by row. Backs are mirrored left to right, so that
    after a long-edge duplex flip every back lands behind its own front."""
    positions = []
    for row in range(sheet.rows):
        for col in range(sheet.columns):
            x = sheet.margin_left + col * (sheet.card_w + sheet.gutter_x)
            if back:
                x = sheet.width - x - sheet.card_w
            positions.append((x, sheet.margin_top + row * (sheet.card_h + sheet.gutter_y)))
    return positions


def cut_guides(
    sheet: Sheet, back: bool = False, length: float = 4.0, gap: float = 1.0
) -> list[tuple[float, ...]]:
    """Short cut lines (x1, y1, x2, y2) in the sheet margins, on the extensions of the card
    edges, never across a card and never nearer the sheet edge than a printer can print.
    ``back``: for the mirrored back page."""
    positions = card_positions(sheet, back=back)
    xs = sorted({round(x, 4) for x, _ in positions}
                | {round(x + sheet.card_w, 4) for x, _ in positions})
    ys = sorted({round(y, 4) for _, y in positions}
                | {round(y + sheet.card_h, 4) for _, y in positions})
    lines: list[tuple[float, ...]] = []
    top, bottom = ys[0], ys[-1]
    left, right = xs[0], xs[-1]
    limit = OFFICE_MARGIN_MM
    for x in xs:
        if top - gap - limit > 0:
            end = max(limit, top - gap - length)
            lines.append((x, end, x, top - gap))
        if sheet.height - limit - (bottom + gap) > 0:
            end = min(sheet.height - limit, bottom + gap + length)
            lines.append((x, bottom + gap, x, end))
    for y in ys:
        if left - gap - limit > 0:
            lines.append((max(limit, left - gap - length), y, left - gap, y))
        if sheet.width - limit - (right + gap) > 0:
            lines.append((right + gap, y, min(sheet.width - limit, right + gap + length), y))
    return lines


def fold_positions(paper: str, side: str, mirrored: bool = False) -> list[float]:
    """x of each fold on the 'outside' or 'inside' page of a tri-fold, from the left, in mm.

    ``mirrored``: a right-to-left pamphlet, whose panels run from the right edge.
    """
    widths = trifold_panels(paper)[side]
    folds = [widths[0], widths[0] + widths[1]]
    if mirrored:
        total = sum(widths)
        folds = sorted(total - x for x in folds)
    return [round(x, 4) for x in folds]
