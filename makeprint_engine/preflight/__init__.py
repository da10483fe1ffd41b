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

from .contrast import contrast_problems, contrast_ratio
from .document import build_problems, check_document, layout_problems
from .findings import CHECKS, Finding
from .glyphs import glyph_problems
from .images import image_problems
from .links import link_problems
from .qr import qr_problems
from .report import (
    Report,
    failed_load_report,
    load_findings,
    run_check,
    schema,
    summary_line,
    text_lines,
)
from .runts import runt_problems
from .type_size import type_size_problems

__all__ = [
    "CHECKS",
    "Finding",
    "Report",
    "build_problems",
    "check_document",
    "contrast_problems",
    "contrast_ratio",
    "failed_load_report",
    "load_findings",
    "glyph_problems",
    "image_problems",
    "layout_problems",
    "link_problems",
    "qr_problems",
    "run_check",
    "runt_problems",
    "schema",
    "summary_line",
    "text_lines",
    "type_size_problems",
]
