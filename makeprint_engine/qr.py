"""QR codes: the tracked intake URL, and the code drawn as vector SVG with its quiet zone."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import qrcode
import qrcode.constants

from .organization import Tracking

QUIET_ZONE = 4  # modules of light margin on every side, as ISO/IEC 18004 asks


@dataclass(frozen=True)
class QRCode:
    url: str
    modules: int  # modules across, without the quiet zone
    svg: str  # viewBox in modules, quiet zone included; scales to any printed size


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


def display_url(url: str) -> str:
    """The link as a reader would type it: no scheme, no trailing slash."""
    parts = urlsplit(url)
    text = parts.netloc + parts.path
    if parts.query:
        text += "?" + parts.query
    if parts.fragment:
        text += "#" + parts.fragment
    return text.rstrip("/")


def make_qr(url: str, dark: str = "#000000") -> QRCode:
    """Encode ``url`` with error correction M and draw it as one SVG path.

    Each horizontal run of dark modules is one stroke, one module thick, along the middle of
    its row: two path commands per run where a filled outline needs four. WeasyPrint parses
    path data in Python, so this halves the cost of drawing the code (about 10 ms of every
    document); the printed shape is the same set of squares, and stays vector.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    total = size + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}.5h{x - start}")
            else:
                x += 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {total}" '
        f'shape-rendering="crispEdges">'
        f'<rect width="{total}" height="{total}" fill="#FFFFFF"/>'
        f'<path fill="none" stroke="{dark}" stroke-width="1" stroke-linecap="butt" '
        f'd="{"".join(runs)}"/></svg>'
    )
    return QRCode(url=url, modules=size, svg=svg)
