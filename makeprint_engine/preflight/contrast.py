"""The contrast check: text colour against the colour under it (WCAG 2 AA)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import MakeprintError, display_path
from ..project import Project
from .findings import Finding
from .layout import Doc, Text, _hex_rgb, _over, _plain, _printed, _quote

CONTRAST_NORMAL = 4.5
CONTRAST_LARGE = 3.0
LARGE_PX = 24.0  # 18 pt
LARGE_BOLD_PX = 18.66  # 14 pt bold


def luminance(rgb: Iterable[float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Iterable[float], b: Iterable[float]) -> float:
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def contrast_problems(doc: Doc) -> list[Finding]:
    """Text colour against its background: 4.5:1, or 3:1 for large text (WCAG 2 AA)."""
    groups: dict[tuple[Any, ...], list[Text]] = {}
    for text in doc.layout.texts:
        if not text.visible or not _printed(text.text) or text.background_is_image:
            continue
        if text.color[3] == 0:
            continue
        fg = _over(text.color[:3], text.color[3], text.background)
        ratio = contrast_ratio(fg, text.background)
        large = text.size_px >= LARGE_PX - 0.01 or (text.bold and text.size_px >= LARGE_BOLD_PX)
        need = CONTRAST_LARGE if large else CONTRAST_NORMAL
        if ratio < need - 0.005:
            key = (text.page, text.element, _hex(fg), _hex(text.background), need)
            groups.setdefault(key, []).append(text)
    problems = []
    colours = {value.upper(): name for name, value in doc.project.organization.colors.items()}
    for (page, element, fg, bg, need), texts in groups.items():
        ratio = contrast_ratio(_hex_rgb(fg), _hex_rgb(bg))
        named = [f"{colours[c]} ({c})" for c in (fg, bg) if c in colours]
        source = _org_colour_line(doc.project, colours.get(fg) or colours.get(bg))
        samples = list(dict.fromkeys(_plain(t.text) for t in texts))
        shown = ", ".join(_quote(s, 40) for s in samples[:3]) + (" …" if len(samples) > 3 else "")
        size = "large " if need == CONTRAST_LARGE else ""
        problems.append(
            doc.at(
                "contrast",
                f"{size}text {fg} on {bg} has a contrast of {ratio:.1f}:1, needs {need:g}:1: "
                f"{shown}",
                page=page,
                element=element,
                region=texts[0].region,
                text=" ".join(samples),
                path=source[0],
                line=source[1],
                field=source[2],
                hint=(
                    f"change the organization colour{'s' if len(named) > 1 else ''} "
                    f"{' / '.join(named)}, or this element's colour in templates/styles/"
                    if named
                    else "use a darker text colour or a lighter background for this element "
                    "in templates/styles/"
                ),
            )
        )
    return problems


def _org_colour_line(
    project: Project, name: str | None
) -> tuple[str | None, int | None, str | None]:
    """organization.yaml and the line of colors.NAME, when a colour comes from there."""
    if not name:
        return None, None, None
    from ..yamlsrc import Mapping, load_yaml

    path = project.content_dir / "organization.yaml"
    try:
        data = load_yaml(path, project.root)
    except (MakeprintError, OSError):
        return None, None, None
    colors = data.get("colors") if isinstance(data, Mapping) else None
    if not isinstance(colors, Mapping) or name not in colors:
        return display_path(path, project.root), None, None
    return display_path(path, project.root), colors.line_of(name), f"colors.{name}"


def _hex(color: Iterable[float]) -> str:
    return "#" + "".join(f"{round(c * 255):02X}" for c in color)
