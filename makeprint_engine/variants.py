"""Versions of one document that the web page offers: for now only the single item.

The wallet-card sheet for card stock and the press version (bleed, crop marks) come later.
Adding one is two edits here: a ``Variant`` in ``VARIANTS`` with the ``Options`` its renderer
needs, and a line in ``variants_for`` saying which materials have it. The server asks
``variants_for`` what to list and calls ``render_variant`` to make one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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


VARIANTS: dict[str, Variant] = {
    "single": Variant("single", "Single item"),
}


def variants_for(material: str) -> list[str]:
    """The variants the page offers for ``material``, the default first."""
    return ["single"]


def render_variant(renderer: Renderer, job: Job, variant: str) -> Rendered:
    """Make ``variant`` of ``job``; ``renderer`` must have been built with its options."""
    return VARIANTS[variant].render(renderer, job)
