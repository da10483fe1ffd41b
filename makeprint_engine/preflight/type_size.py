"""The type-size check: printed text below the material's minimum size."""

from __future__ import annotations

from typing import Any

from .findings import Finding
from .layout import PT_PER_PX, Doc, Text, _plain, _printed, _quote


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
