"""The type-size check: printed text below the material's minimum size."""

from __future__ import annotations

from typing import Any

from .findings import Finding
from .layout import PT_PER_PX, Doc, Text, _plain, _printed, _quote


def type_size_problems(doc: Doc) -> list[Finding]:
    """Printed text smaller than the material's minimum (min_font_pt in its YAML), or than
    its role's (min_font_pt_roles: text inside an element marked data-role="ROLE")."""
    groups: dict[tuple[Any, ...], list[Text]] = {}
    for text in doc.layout.texts:
        if not text.visible or not _printed(text.text) or text.color[3] == 0:
            continue
        pt = text.size_px * PT_PER_PX
        minimum = float(doc.material.min_font_pt_for(text.role))
        if pt < minimum - 0.005:
            key = (text.page, text.element, round(pt, 1), text.role, minimum)
            groups.setdefault(key, []).append(text)
    problems = []
    for (page, element, pt, role, minimum), texts in groups.items():
        samples = list(dict.fromkeys(_plain(t.text) for t in texts))
        shown = ", ".join(_quote(s, 30) for s in samples[:4]) + (" …" if len(samples) > 4 else "")
        roles = role in doc.material.min_font_pt_roles
        what = f"a {doc.job.material}'s {role}" if roles else f"a {doc.job.material}"
        setting = f"min_font_pt_roles.{role}" if roles else "min_font_pt"
        problems.append(
            doc.at(
                "type-size",
                f"text is {pt:g} pt, below the {minimum:g} pt minimum for {what}: {shown}",
                page=page,
                element=element,
                region=texts[0].region,
                text=" ".join(samples),
                hint=f"set this element's font-size to at least {minimum:g}pt in "
                f"templates/styles/ (or change {setting} in templates/materials/"
                f"{doc.job.material}.yaml)",
            )
        )
    return problems
