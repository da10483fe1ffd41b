"""Pages every location shares, painted once per process and copied into each PDF.

A material's shared pages (the pamphlet's inside, the wallet card's front) are laid out once
per language (render.Renderer._shared), but WeasyPrint paints every page of every PDF it
writes: each text box's Pango layout is made again and each glyph looked up, about a third of
a pamphlet's time. What painting a page does is all in the page's PDF stream and in a few
tables of its document: the drawing operators; the fonts it used and, for each, the glyphs
it drew (their widths and the text they stand for); the opacity states and images it
refers to; and, in a tagged PDF, the marked-content ids of its boxes. ``share(page)`` makes a
shared page record that once, painted into a scratch stream with empty tables, and from
then on copy it into each document's stream and tables, as painting would have added it.

A copy is exactly what painting would have written, byte for byte, or it is not made:
- the scratch stream starts in the state the document's stream is in (transform, colours,
  the tags of the page's links), and a copy is made only into a stream in that same state;
- painting reuses the width a font already has for a glyph, which another page of the
  document may have set at another size (one unit in a thousand apart): a copy is made only
  when every width it holds agrees with the document's fonts;
- transparency groups (an icon drawn as a background image is one) are named by counting
  the document's XObjects: a page that drew one is copied only into a document that has
  none yet (the card's front is its first page), and each document gets its own copy of
  each group, since writing a PDF fills in a group's references;
- a page whose painting named another resource by counting (a pattern, a shading, a blend
  mode) is always painted, never copied, and so is one that drew a glyph its font lacks
  (WeasyPrint numbers those per document) or a colour glyph (emoji).
A recording keeps its fonts' HarfBuzz faces (a reference of its own), not their files: each
copy reads the file as WeasyPrint does for each document.
Otherwise the page is painted as before. tests/test_painted.py checks the bytes.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from typing import Any

_ALPHA = re.compile(r"[aA][0-9.e-]+")  # Stream.set_alpha's names: the same in every document
_STATE = (
    "_current_color", "_current_color_stroke", "_current_alpha", "_current_alpha_stroke",
    "_current_font", "_current_font_size", "_old_font", "_old_font_size",
)
_LOCK = threading.Lock()


@dataclass
class _Recording:
    """What painting one shared page at one scale did, from one starting state."""

    scale: float
    before: tuple[Any, ...]  # the stream's state before painting (see _state)
    tags_before: tuple[int, ...]  # ids of the boxes the page's stream had tagged (its links)
    ops: list[Any]
    after: dict[str, Any]  # the stream's state after painting
    fonts: dict[Any, Any]  # font key -> Font holding only the glyphs this page drew
    states: dict[str, Any]  # ExtGState name -> dictionary
    images: dict[str, dict[str, Any]]  # image name -> what Stream.add_image records
    objects: dict[str, Any]  # the page's XObjects: None for an image, else a group
    tags: dict[Any, dict[str, Any]]  # box -> its tag and marked-content id
    copies: int = field(default=0)


def share(page: Any) -> None:
    """Paint ``page`` (a WeasyPrint page put in many documents) once; copy it from then on."""
    if "paint" in vars(page):
        return
    paint = type(page).paint.__get__(page)
    recordings: list[_Recording | None] = []

    def painted(stream: Any, scale: float = 1) -> None:
        with _LOCK:
            if not recordings:
                recordings.append(_record(paint, stream, scale))
            recording = recordings[0]
        if recording is None or not _copy(recording, stream, scale):
            paint(stream, scale)

    page.paint = painted
    page.makeprint_recordings = recordings  # for tests: how many copies were made


def _state(stream: Any) -> tuple[Any, ...]:
    matrices = tuple(tuple(map(tuple, matrix)) for matrix in stream._ctm_stack)
    return (*(getattr(stream, name) for name in _STATE), matrices)


def _record(paint: Any, stream: Any, scale: float) -> _Recording | None:
    """Paint into a scratch stream in ``stream``'s state with empty tables: what it did."""
    from weasyprint.pdf.stream import Stream

    resources = {
        "ExtGState": {}, "XObject": {}, "Pattern": {}, "Shading": {},
        "ColorSpace": stream._resources["ColorSpace"],
    }
    tags = None if stream._tags is None else dict(stream._tags)
    scratch = Stream(
        {}, stream.page_rectangle, resources, {}, tags, stream._color_profiles,
        stream._output_intent, compress=stream.compress,
    )
    for name in _STATE:
        setattr(scratch, name, getattr(stream, name))
    scratch._ctm_stack = list(stream._ctm_stack)
    before = _state(scratch)
    paint(scratch, scale)
    fonts = scratch._fonts.values()
    if not _copyable(resources) or any(
        # Glyphs a font lacks are numbered per document; colour glyphs (emoji) are drawn
        # from the font's HarfBuzz font, which the Pango font owns: neither is copied.
        font.missing or font.used_in_forms or font.png or font.svg or font.colr
        for font in fonts
    ):
        return None
    for font in fonts:  # the font's file, read again for each copy (a CJK one is ~20 MB)
        font.file_content = None
    new_tags = {} if tags is None else {
        box: tag for box, tag in scratch._tags.items() if box not in stream._tags
    }
    return _Recording(
        scale=scale,
        before=before,
        tags_before=_tag_ids(stream),
        ops=list(scratch.stream),
        after={name: getattr(scratch, name) for name in (*_STATE, "_ctm_stack")},
        fonts=dict(scratch._fonts),
        states=dict(resources["ExtGState"]),
        images=dict(scratch._images),
        objects=dict(resources["XObject"]),
        tags=new_tags,
    )


def _copyable(resources: Any) -> bool:
    """Only opacity states, images and groups (of the same), at any depth."""
    if resources["Pattern"] or resources["Shading"]:
        return False
    if any(not _ALPHA.fullmatch(name) for name in resources["ExtGState"]):
        return False
    groups = [group for group in resources["XObject"].values() if group is not None]
    return all(_copyable(group._resources) for group in groups)


def _tag_ids(stream: Any) -> tuple[int, ...]:
    return () if stream._tags is None else tuple(id(box) for box in stream._tags)


def _copy(recording: _Recording, stream: Any, scale: float) -> bool:
    """Add what painting the page does to ``stream`` and its tables, if that is exactly what
    painting would do there (see the module's docstring); False when it is not."""
    groups = any(value is not None for value in recording.objects.values())
    if (
        scale != recording.scale
        or _state(stream) != recording.before
        or _tag_ids(stream) != recording.tags_before
        or groups and stream._resources["XObject"]  # its groups' names would be others
    ):
        return False
    fonts = stream._fonts
    for key, drawn in recording.fonts.items():
        have = fonts.get(key)
        if have is not None and any(
            have.widths.get(glyph, width) != width for glyph, width in drawn.widths.items()
        ):
            return False  # painting would reuse a width another page set: paint it
    for key, drawn in recording.fonts.items():
        have = fonts.get(key)
        if have is None:
            fonts[key] = _font_copy(drawn)
            continue
        for glyph, width in drawn.widths.items():
            have.widths.setdefault(glyph, width)
        for glyph, text in drawn.to_unicode.items():
            have.to_unicode.setdefault(glyph, text)
    states = stream._resources["ExtGState"]
    for name, state in recording.states.items():
        states.setdefault(name, state)
    objects = stream._resources["XObject"]
    for name, value in recording.objects.items():
        # An image is None until the PDF is written (as Stream.add_image leaves it).
        objects[name] = None if value is None else _group_copy(value, stream)
    for name, image in recording.images.items():
        if name in stream._images:
            stream._images[name]["dpi_ratios"].update(image["dpi_ratios"])
        else:
            stream._images[name] = {**image, "dpi_ratios": set(image["dpi_ratios"]),
                                    "x_object": None}
    if stream._tags is not None:
        stream._tags.update(recording.tags)
    stream.stream.extend(recording.ops)
    for name, value in recording.after.items():
        setattr(stream, name, list(value) if name == "_ctm_stack" else value)
    recording.copies += 1
    return True


def _font_copy(font: Any) -> Any:
    """A document's own Font, as the one painting would have made: WeasyPrint changes a Font's
    tables (and, when it subsets, its variations and file) per document."""
    from weasyprint.text.fonts import get_hb_object_data

    mine = copy.copy(font)
    mine.file_content = get_hb_object_data(font.hb_face)  # as Font() reads it
    mine.widths = dict(font.widths)
    mine.to_unicode = dict(font.to_unicode)
    mine.missing = dict(font.missing)
    mine.variations = dict(font.variations)
    return mine


def _group_copy(group: Any, stream: Any) -> Any:
    """The document's own copy of a transparency group painted into the scratch stream, with
    the document's tables (writing the PDF fills in a group's references to them)."""
    import pydyf

    drawn = group._resources
    resources = pydyf.Dictionary({
        "ExtGState": pydyf.Dictionary(drawn["ExtGState"]),
        "XObject": pydyf.Dictionary({
            name: None if value is None else _group_copy(value, stream)
            for name, value in drawn["XObject"].items()
        }),
        "Pattern": pydyf.Dictionary(),
        "Shading": pydyf.Dictionary(),
        "ColorSpace": stream._resources["ColorSpace"],
        "Font": None,  # set when the PDF is written
    })
    extra = pydyf.Dictionary(group.extra)
    extra["Resources"] = resources
    extra["Group"] = pydyf.Dictionary({**group.extra["Group"],
                                       "CS": stream._default_color_space})
    mine = group.clone(
        fonts=stream._fonts, resources=resources, images=stream._images, tags=stream._tags,
        color_profiles=stream._color_profiles, output_intent=stream._output_intent,
        extra=extra,
    )
    mine.stream = list(group.stream)
    mine.id = group.id
    return mine
