"""Every check on one rendered document: for build (layout checks) and for check (all)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..errors import Problem
from ..plan import Job
from ..project import Project
from .contrast import contrast_problems
from .findings import Finding
from .glyphs import glyph_problems
from .images import image_problems
from .layout import prepare
from .links import link_problems
from .overflow import renderer_findings
from .qr import qr_problems
from .reading_level import printed_blocks
from .runts import runt_problems
from .type_size import type_size_problems


def _superseded(finding: Finding, found: list[Finding]) -> bool:
    """WeasyPrint's own '.notdef glyph' log line, when the glyph check says more."""
    match = re.search(r"unsupported by fonts: .*\(U\+([0-9A-F]+)\)", finding.message)
    return bool(match) and any(f.check == "glyphs" and f"U+{match[1]}" in f.message for f in found)


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
        key = ("shared pages", job.lang, job.name)
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
    extra += runt_problems(doc)  # line breaking: for check only, never holds up a build
    kept = [p for p in renderer_findings(rendered) if not _superseded(p, extra)]
    return DocumentCheck(rendered.job, [*kept, *extra], printed_blocks(doc), rendered.pages)
