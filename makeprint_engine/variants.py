"""Versions of one document that the web page offers: the single item, the wallet-card sheet
for card stock, the kit-label sheet for label stock, the poster's office size, and the press
version (bleed, crop and fold marks).

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
    # The hook: make this variant of ``job`` with a warm renderer built for ``options``;
    # ``draft`` as in ``Renderer.render``.
    render: Callable[[Renderer, Job, bool], Rendered] = (
        lambda renderer, job, draft: renderer.render(job, draft=draft)
    )


def _sheet(renderer: Renderer, job: Job, draft: bool) -> Rendered:
    """The card imposed ten times on card stock: fronts, then backs for long-edge duplex; or
    the label on a sheet of label stock. A draft of one that does not fit is the item itself,
    where its marks are."""
    rendered = renderer.render(job, draft=draft)
    sheets = [extra for extra in rendered.extras if extra[3] == "sheet"]
    if rendered.ok and sheets:
        _, pdf, pages, _ = sheets[0]
        return replace(rendered, pdf=pdf, pages=pages, extras=[])
    return replace(rendered, pdf=None) if rendered.ok else rendered


def _press(renderer: Renderer, job: Job, draft: bool) -> Rendered:
    return renderer.render(replace(job, profile="press"), draft=draft)


def _small(renderer: Renderer, job: Job, draft: bool) -> Rendered:
    """The material's office size (the poster on Letter or A4): its size "small"."""
    return renderer.render(replace(job, size="small"), draft=draft)


def _small_press(renderer: Renderer, job: Job, draft: bool) -> Rendered:
    return renderer.render(replace(job, size="small", profile="press"), draft=draft)


VARIANTS: dict[str, Variant] = {
    "single": Variant("single", "Single item"),
    "sheet": Variant("sheet", "Sheet of 10 cards (Avery 8371 stock, duplex)", render=_sheet),
    "label-sheet": Variant("label-sheet", "Sheet of labels (Avery 5163 / L7165 stock, one side)",
                           render=_sheet),
    "press": Variant("press", "Print shop (bleed and crop marks)",
                     Options(profile="press"), render=_press),
    "small": Variant("small", "Office printer: Letter or A4 paper", render=_small),
    "small-press": Variant("small-press", "Letter or A4, print shop (bleed and crop marks)",
                           Options(profile="press"), render=_small_press),
}


def variants_for(material: str) -> list[str]:
    """The variants the page offers for ``material``, the default first."""
    if material == "kit-label":  # what staff print: the sheet; one label is for looking at
        return ["label-sheet", "single", "press"]
    names = ["single"]
    if material == "wallet-card":
        names.append("sheet")
    if material == "poster":  # tabloid or A3 first, then the office size (its size "small")
        return names + ["small", "press", "small-press"]
    return names + ["press"]


def render_variant(renderer: Renderer, job: Job, variant: str, draft: bool = False) -> Rendered:
    """Make ``variant`` of ``job``; ``renderer`` must have been built with its options.
    ``draft``: a document that does not fit is made anyway, for previews (see render.py)."""
    return VARIANTS[variant].render(renderer, job, draft)
