"""Print geometry as pure functions: units, trim sizes, tri-fold panels, QR code sizing."""

from __future__ import annotations

import re

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
