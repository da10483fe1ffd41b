"""PDF pages as images: PNG for the web page and ``makeprint preview``, JPEG for the contact sheet.

PDFium (through pypdfium2) is not thread-safe, so every call into it holds one process-wide
lock. Rasterizing a page takes a few milliseconds; rendering the PDF itself is what is slow.

A draft (``Renderer.render(draft=True)`` of a document that does not fit) is drawn with each
``fit.Mark`` outlined in red and its message beside it, so people see what to shorten.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .scaffold import shipped_root

if TYPE_CHECKING:
    from .fit import Mark

MAX_DPI = 600
# PDFium may be used from several server threads at once; it must never run concurrently.
_PDFIUM = threading.Lock()

MM_PER_PT = 25.4 / 72
MARK_RED = (224, 0, 0)  # #E00000: what does not fit
MARK_LINE_MM = 0.6
LABEL_PT = 9.0  # the label's type at the page's scale, and never below LABEL_MIN_PX
LABEL_MIN_PX = 12
LABEL_MAX_EM = 26  # a label wraps at about this many type sizes wide
LABEL_INK = (160, 0, 0)  # #A00000: dark red, 8:1 on the white label


Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels


@dataclass(frozen=True)
class _Raster:
    number: int  # 1-based page number
    image: Any  # PIL image
    scale: float  # pixels per PDF point
    origin: tuple[float, float]  # the trim box's top-left corner, in pixels


def page_count(pdf: bytes) -> int:
    import pypdfium2

    with _PDFIUM:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            return len(doc)
        finally:
            doc.close()


def page_pngs(
    pdf: bytes,
    pages: list[int] | None = None,
    *,
    dpi: float | None = None,
    max_px: int | None = None,
    marks: Sequence[Mark] = (),
) -> list[bytes]:
    """PNG bytes of the given 1-based ``pages`` (all when None).

    Resolution: ``dpi`` when given; else the largest that keeps the page's longer side within
    ``max_px`` pixels (at most 200 dpi); else 150 dpi. ``marks`` (what does not fit, from a
    draft) are outlined in red on their pages, each message beside its element.
    """
    pngs = []
    for raster in _rasterize(pdf, pages, dpi, max_px):
        image = raster.image
        mine = [mark for mark in marks if mark.page == raster.number]
        if mine:
            image = draw_marks(image, mine, raster.scale / MM_PER_PT, raster.origin)
        pngs.append(_png(image))
    return pngs


def page_jpegs(pdf: bytes, pages: list[int], *, max_px: int) -> list[bytes]:
    """JPEG bytes of the given 1-based ``pages``, the longer side within ``max_px``: for
    thumbnails, which a build makes of every document. Encoding a 300-pixel page takes
    ~0.4 ms against ~3 ms for PNG, and the file is a third smaller; at quality 90 the text
    stays as sharp as the thumbnail's size allows."""
    return [_jpeg(raster.image) for raster in _rasterize(pdf, pages, None, max_px)]


def _rasterize(
    pdf: bytes, pages: list[int] | None, dpi: float | None, max_px: int | None
) -> list[_Raster]:
    import pypdfium2

    if dpi is not None and not 0 < dpi <= MAX_DPI:
        raise ValueError(f"dpi must be between 1 and {MAX_DPI}")
    rasters = []
    with _PDFIUM:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            numbers = list(range(1, len(doc) + 1)) if pages is None else pages
            for number in numbers:
                if not 1 <= number <= len(doc):
                    raise IndexError(f"page {number} does not exist (the document has {len(doc)})")
                page = doc[number - 1]
                try:
                    width, height = page.get_size()  # PDF points, 1/72 in
                    scale = _scale(width, height, dpi, max_px)
                    # Link annotations have no appearance: skipping them is only faster.
                    image = page.render(scale=scale, draw_annots=False).to_pil()
                    # WeasyPrint's page box is the trim; the image is the crop box, which
                    # press marks (and bleed) grow beyond it.
                    left, _, _, top = page.get_cropbox()
                    trim_left, _, _, trim_top = page.get_trimbox()
                    origin = ((trim_left - left) * scale, (top - trim_top) * scale)
                finally:
                    page.close()
                rasters.append(_Raster(number, image, scale, origin))
        finally:
            doc.close()
    return rasters  # encoding needs no PDFium: done outside the lock


def _scale(width: float, height: float, dpi: float | None, max_px: int | None) -> float:
    if dpi is not None:
        return dpi / 72
    if max_px is not None:
        return min(200 / 72, max_px / max(width, height, 1))
    return 150 / 72


def draw_marks(
    image: Any, marks: Sequence[Mark], px_per_mm: float, origin: tuple[float, float] = (0, 0)
) -> Any:
    """A copy of one page's ``image`` with each mark's rectangle outlined in red and its
    message in a white label beside it, inside the image. ``origin``: where the page box
    (``Mark.rect_mm``'s corner) is in the image, in pixels."""
    from PIL import ImageDraw

    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    size = image.size
    line = max(2, round(MARK_LINE_MM * px_per_mm))
    font_px = max(LABEL_MIN_PX, round(LABEL_PT * MM_PER_PT * px_per_mm))
    groups: dict[str, list[Box]] = {}
    for mark in marks:
        x, y, w, h = (v * px_per_mm for v in mark.rect_mm)
        _add(groups.setdefault(mark.message, []), (
            origin[0] + x, origin[1] + y, origin[0] + x + w, origin[1] + y + h
        ))
    for boxes in groups.values():
        for box in boxes:
            _outline(draw, box, line, size)
    taken: list[Box] = []
    for message, boxes in groups.items():
        union = (
            min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes),
        )
        _label(draw, message, union, font_px, line, size, taken)
    return image


def _add(boxes: list[Box], box: Box) -> None:
    """Add ``box`` to one message's outlines; boxes that mostly cover each other (an element
    and its own inner box) become one, so each thing is outlined once."""
    for n, other in enumerate(boxes):
        inter = _area((max(box[0], other[0]), max(box[1], other[1]),
                       min(box[2], other[2]), min(box[3], other[3])))
        union = _area(box) + _area(other) - inter
        if union <= 0 or inter / union >= 0.8:
            boxes[n] = (min(box[0], other[0]), min(box[1], other[1]),
                        max(box[2], other[2]), max(box[3], other[3]))
            return
    boxes.append(box)


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _outline(draw: Any, box: Box, line: int, size: tuple[int, int]) -> None:
    """A red stroke centred on the rectangle's edge, kept on the image."""
    half = line / 2
    left = max(0, min(size[0] - line, round(box[0] - half)))
    top = max(0, min(size[1] - line, round(box[1] - half)))
    right = max(left + line, min(size[0] - 1, round(box[2] + half)))
    bottom = max(top + line, min(size[1] - 1, round(box[3] + half)))
    draw.rectangle((left, top, right, bottom), outline=MARK_RED, width=line)


@cache
def _font(px: int) -> Any:
    """Noto Sans as shipped with makeprint (not the project's copy): the same on every machine."""
    from PIL import ImageFont

    return ImageFont.truetype(str(shipped_root() / "assets" / "fonts" / "NotoSans-Regular.ttf"), px)


def _wrap(text: str, font: Any, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` pixels; a longer word is split."""
    lines: list[str] = []
    for word in text.split():
        while len(word) > 1 and font.getlength(word) > width:
            cut = max((n for n in range(1, len(word)) if font.getlength(word[:n]) <= width),
                      default=1)
            lines.append(word[:cut])
            word = word[cut:]
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _label(
    draw: Any, message: str, target: Box, font_px: int, gap: int, size: tuple[int, int],
    taken: list[Box],
) -> None:
    """``message`` in a white box beside ``target``: below, above, right, left or inside it,
    the first place that is on the image and clear of other labels."""
    font = _font(font_px)
    pad = max(3, font_px // 3)
    line_px = round(font_px * 1.3)
    margin = 2
    widest = min(LABEL_MAX_EM * font_px, size[0] - 2 * (margin + pad))
    left, top, right, bottom = target

    def laid(width: float) -> tuple[list[str], float, float]:
        lines = _wrap(message, font, max(width, font_px))
        text_w = max(font.getlength(line) for line in lines)
        return lines, text_w + 2 * pad, len(lines) * line_px + 2 * pad

    def fits(box: Box) -> bool:
        on_image = box[0] >= 0 and box[1] >= 0 and box[2] <= size[0] and box[3] <= size[1]
        return on_image and not any(_overlap(box, other) for other in taken)

    wide = laid(widest)
    x_under = min(max(margin, left), size[0] - margin - wide[1])
    candidates = [  # (x, y, lines, width, height)
        (x_under, bottom + gap, *wide),
        (x_under, top - gap - wide[2], *wide),
    ]
    for room, side in (
        (size[0] - margin - right - gap, "right"), (left - gap - margin, "left"),
        (right - left - 2 * gap, "inside"),
    ):
        if room - 2 * pad < 8 * font_px:
            continue  # too narrow to read
        lines, width, height = laid(min(widest, room - 2 * pad))
        x = {"right": right + gap, "left": left - gap - width, "inside": left + gap}[side]
        y = min(max(margin, top + (gap if side == "inside" else 0)), size[1] - margin - height)
        candidates.append((x, y, lines, width, height))
    chosen = next(
        (c for c in candidates if fits((c[0], c[1], c[0] + c[3], c[1] + c[4]))), None
    )
    if chosen is None:  # nowhere clear: below the element, pushed onto the image
        x, y, lines, width, height = candidates[0]
        y = max(margin, min(y, size[1] - margin - height))
        chosen = (x, y, lines, width, height)
    x, y, lines, width, height = chosen
    x, y = round(x), round(y)
    box = (x, y, x + round(width), y + round(height))
    draw.rectangle(box, fill=(255, 255, 255), outline=MARK_RED, width=max(1, gap // 2))
    for n, line in enumerate(lines):
        draw.text((x + pad, y + pad + n * line_px), line, font=font, fill=LABEL_INK)
    taken.append(box)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _png(image) -> bytes:  # type: ignore[no-untyped-def]
    # Level 1: about twice as fast as the default 6, and only ~5 % larger on these pages
    # (flat colour and text).
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=False, compress_level=1)
    return buffer.getvalue()


def _jpeg(image) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
