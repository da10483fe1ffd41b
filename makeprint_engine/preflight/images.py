"""The image check: raster images printed below 300 dpi."""

from __future__ import annotations

import math
from pathlib import Path

from .findings import Finding
from .layout import PX_PER_IN, Doc

MIN_IMAGE_DPI = 300


def image_problems(doc: Doc) -> list[Finding]:
    """Raster images printed below 300 dpi."""
    problems = []
    seen = set()
    for image in doc.layout.images:
        replacement = getattr(image.box, "replacement", None)
        pixels = (getattr(replacement, "width", None), getattr(replacement, "height", None))
        if type(replacement).__name__ != "RasterImage" or None in pixels:
            continue
        width_in = image.box.width * image.scale / PX_PER_IN
        height_in = image.box.height * image.scale / PX_PER_IN
        if width_in <= 0 or height_in <= 0:
            continue
        dpi = min(pixels[0] / width_in, pixels[1] / height_in)
        if dpi >= MIN_IMAGE_DPI - 0.5:
            continue
        src = image.box.element.get("src") if image.box.element is not None else None
        key = (image.page, image.element, src)
        if key in seen:
            continue
        seen.add(key)
        need = (math.ceil(width_in * MIN_IMAGE_DPI), math.ceil(height_in * MIN_IMAGE_DPI))
        name = Path(src).name if src and not src.startswith("data:") else "image"
        problems.append(
            doc.at(
                "resources",
                f"{name} is {pixels[0]} × {pixels[1]} px printed at {width_in * 25.4:.1f} × "
                f"{height_in * 25.4:.1f} mm: {dpi:.0f} dpi, below {MIN_IMAGE_DPI} dpi",
                severity="warning",
                page=image.page,
                element=image.element,
                region=image.region,
                hint=f"use an image of at least {need[0]} × {need[1]} px, or an SVG",
            )
        )
    return problems
