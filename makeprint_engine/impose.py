"""Finishing: cards imposed on card stock for duplex printing, labels on label stock, and press
marks around the trim.

Works on finished PDF pages with pikepdf (qpdf): each card side becomes one form XObject
drawn at every position, so the vector QR code and text stay exactly as rendered.
"""

from __future__ import annotations

import io

import pikepdf

from .geometry import MM_PER_IN, PT_PER_IN, Sheet, card_positions, cut_guides

GUIDE_GREY = 0.55  # faint: visible for cutting, quiet if the cut is a little off
MARK_OFFSET_PT = 3.0  # crop marks start this far outside the bleed
MARK_LENGTH_PT = 18.0
SLUG_PT = 30.0  # paper beyond the bleed that holds the marks


def _pt(mm: float) -> float:
    return mm / MM_PER_IN * PT_PER_IN


def _save(pdf: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    # A deterministic /ID and no timestamps: same input, same bytes.
    pdf.save(buffer, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S"


def impose_cards(card_pdf: bytes, sheet: Sheet) -> bytes:
    """Card stock: two sheet pages, every front, then every back mirrored for long-edge
    duplex. Label stock: one page of labels, with no cut guides (the stock is die-cut)."""
    source = pikepdf.open(io.BytesIO(card_pdf))
    if len(source.pages) != sheet.sides:
        raise ValueError("a card to impose needs exactly two pages, front and back"
                         if sheet.sides == 2 else "a label to impose needs exactly one page")
    out = pikepdf.new()
    width, height = _pt(sheet.width), _pt(sheet.height)
    for side, back in ((0, False), (1, True))[:sheet.sides]:
        page = out.add_blank_page(page_size=(width, height))
        card = out.copy_foreign(source.pages[side].as_form_xobject())
        name = page.add_resource(card, pikepdf.Name.XObject, pikepdf.Name("/Card"))
        trim = source.pages[side].trimbox
        # Place the card's trim box, not its media box, at each position.
        dx, dy = -float(trim[0]), -float(trim[1])
        ops = []
        for x, y in card_positions(sheet, back=back):
            px = _pt(x) + dx
            py = height - _pt(y + sheet.card_h) + dy
            ops.append(f"q 1 0 0 1 {px:.3f} {py:.3f} cm {name} Do Q")
        if sheet.kind == "cards":
            ops.append(f"/Artifact BMC q {GUIDE_GREY} G 0.3 w")
            for x1, y1, x2, y2 in cut_guides(sheet, back=back):
                ops.append(_line(_pt(x1), height - _pt(y1), _pt(x2), height - _pt(y2)))
            ops.append("Q EMC")
        page.contents_add(pikepdf.Stream(out, "\n".join(ops).encode()), prepend=False)
    what = "card sheet" if sheet.kind == "cards" else "label sheet"
    out.docinfo["/Title"] = str(source.docinfo.get("/Title", "")) + f" — {what}"
    out.docinfo["/Creator"] = "makeprint"
    if "/Lang" in source.Root:
        out.Root.Lang = source.Root.Lang
    return _save(out)


def add_press_marks(pdf_bytes: bytes, bleed_mm: float, folds_mm: list[list[float]]) -> bytes:
    """Crop marks (and fold marks) outside the bleed, on a media box grown to hold them.

    The page arrives from WeasyPrint with TrimBox = the finished size and MediaBox = BleedBox =
    trim + bleed. ``folds_mm`` gives, per page, the x of each fold from the trim's left edge.
    """
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    bleed = _pt(bleed_mm)
    for index, page in enumerate(pdf.pages):
        x0, y0, x1, y1 = (float(v) for v in page.trimbox)
        page.BleedBox = pikepdf.Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
        out = bleed + SLUG_PT
        page.MediaBox = pikepdf.Array([x0 - out, y0 - out, x1 + out, y1 + out])
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]
        near, far = bleed + MARK_OFFSET_PT, bleed + MARK_OFFSET_PT + MARK_LENGTH_PT
        # Marks are artifacts, not content, for tagged PDFs; black on the K plate only.
        ops = ["/Artifact BMC q 0 0 0 1 K 0.25 w"]
        for x in (x0, x1):
            ops.append(_line(x, y0 - near, x, y0 - far))
            ops.append(_line(x, y1 + near, x, y1 + far))
        for y in (y0, y1):
            ops.append(_line(x0 - near, y, x0 - far, y))
            ops.append(_line(x1 + near, y, x1 + far, y))
        folds = folds_mm[index] if index < len(folds_mm) else []
        if folds:
            ops.append("[3 2] 0 d")
            for fold in folds:
                x = x0 + _pt(fold)
                ops.append(_line(x, y0 - near, x, y0 - far))
                ops.append(_line(x, y1 + near, x, y1 + far))
        ops.append("Q EMC")
        # WeasyPrint's own stream changes the coordinate system outside any q ... Q: wrap it,
        # so the marks are drawn in the page's default space.
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, b"Q\n"), prepend=False)
        page.contents_add(pikepdf.Stream(pdf, "\n".join(ops).encode()), prepend=False)
    return _save(pdf)
