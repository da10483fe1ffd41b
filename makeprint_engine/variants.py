"""Versions of one document that the web page offers: the single item, the wallet-card sheet
for card stock, and the press version (bleed, crop and fold marks).

Adding one is two edits here: a ``Variant`` in ``VARIANTS`` with the ``Options`` its renderer
needs, and a line in ``variants_for`` saying which materials have it. The server asks
``variants_for`` what to list and calls ``render_variant`` to make one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .options import Options
from .plan import Job
from .render import Rendered, Renderer


@dataclass(frozen=True)
class Variant:
    name: str  # used in URLs and file names: a-z and hyphens
    label: str  # shown on the page
    options: Options = field(default_factory=Options)
    # The hook: make this variant of ``job`` with a warm renderer built for ``options``.
    render: Callable[[Renderer, Job], Rendered] = lambda renderer, job: renderer.render(job)


def _sheet(renderer: Renderer, job: Job) -> Rendered:
    """The card imposed ten times on card stock: fronts, then backs for long-edge duplex."""
    rendered = renderer.render(job)
    sheets = [extra for extra in rendered.extras if extra[3] == "sheet"]
    if rendered.ok and sheets:
        _, pdf, pages, _ = sheets[0]
        return replace(rendered, pdf=pdf, pages=pages, extras=[])
    return replace(rendered, pdf=None) if rendered.ok else rendered


def _press(renderer: Renderer, job: Job) -> Rendered:
    return renderer.render(replace(job, profile="press"))


VARIANTS: dict[str, Variant] = {
    "single": Variant("single", "Single item"),
    "sheet": Variant("sheet", "Sheet of 10 cards (Avery 8371 stock, duplex)", render=_sheet),
    "press": Variant("press", "Print shop (bleed and crop marks)",
                     Options(profile="press"), render=_press),
}


def variants_for(material: str) -> list[str]:
    """The variants the page offers for ``material``, the default first."""
    names = ["single"]
    if material == "wallet-card":
        names.append("sheet")
    return names + ["press"]


def render_variant(renderer: Renderer, job: Job, variant: str) -> Rendered:
    """Make ``variant`` of ``job``; ``renderer`` must have been built with its options."""
    return VARIANTS[variant].render(renderer, job)
