"""The qr check: every QR code rasterized, decoded and measured on the PDF."""

from __future__ import annotations

import math
from typing import Any

from ..qr import QUIET_ZONE
from .findings import Finding
from .layout import MM_PER_PX, Doc

QR_DPI = 300
QR_ERROR_MM = 15.0  # printed width with quiet zone: an error below this whatever the material
QR_MODULE_WARN_MM = 0.5
QR_MODULE_ERROR_MM = 0.4
QR_SIZE_TOLERANCE_MM = 0.25  # one or two pixels at 300 dpi
QR_MODULE_TOLERANCE_MM = 0.01
QR_DARK = 128  # grey level below which a raster pixel counts as ink


def qr_problems(doc: Doc, pdf: bytes | None = None) -> list[Finding]:
    """Rasterize every page at 300 dpi, decode every QR code, measure size and quiet zone."""
    import pypdfium2
    import zxingcpp

    rendered = doc.rendered
    pdf = pdf or rendered.pdf or _write_pdf(rendered.document)
    expected = rendered.qr_url
    material = doc.material
    problems: list[Finding] = []
    decoded = 0
    pdf_doc = pypdfium2.PdfDocument(pdf)
    # A document that failed is only its location's own pages: name them as the material does.
    numbers = list(range(1, len(pdf_doc) + 1))
    if len(pdf_doc) < material.pages:
        numbers = [n for n in range(1, material.pages + 1) if n not in material.shared_pages]
    try:
        for index in range(len(pdf_doc)):
            page = pdf_doc[index]
            try:
                image = page.render(scale=QR_DPI / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            codes = zxingcpp.read_barcodes(
                image, formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False
            )
            for code in codes:
                decoded += 1
                problems += _check_code(doc, code, image, numbers[index], expected, material)
    finally:
        pdf_doc.close()
    if not decoded:
        size = _layout_qr_size(doc)
        shown = f" ({size:.1f} mm wide as laid out)" if size else ""
        problems.append(
            doc.at(
                "qr",
                f"the QR code{shown} does not scan: no code was found on any page at {QR_DPI} dpi",
                element="QR code",
                hint=f"print it at least {material.qr_min_mm:g} mm wide, dark on white, with "
                "4 modules of blank paper around it",
            )
        )
    return problems


def _write_pdf(document: Any) -> bytes:
    from ..render import captured_weasyprint_log

    with captured_weasyprint_log():
        return document.write_pdf()  # type: ignore[no-any-return]


def _layout_qr_size(doc: Doc) -> float | None:
    for image in doc.layout.images:
        if image.link is not None and image.link.get("href") == doc.rendered.qr_url:
            return float(image.box.width * image.scale * MM_PER_PX)
    return None


def _check_code(
    doc: Doc, code: Any, image: Any, page: int, expected: str, material: Any
) -> list[Finding]:
    problems = []
    corners = [
        code.position.top_left,
        code.position.top_right,
        code.position.bottom_right,
        code.position.bottom_left,
    ]
    xs = [c.x for c in corners]
    ys = [c.y for c in corners]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    px_mm = 25.4 / QR_DPI
    place = f"QR code at {left * px_mm:.0f} mm from the left, {top * px_mm:.0f} mm from the top"
    where = {"page": page, "element": place}
    if code.text != expected:
        problems.append(
            doc.at(
                "qr",
                f"the QR code opens {code.text!r}, expected {expected!r}",
                text=code.text,
                hint="regenerate it from the location's intake_url",
                **where,
            )
        )
    modules = _modules(code)
    width_px = ((right - left + 1) + (bottom - top + 1)) / 2
    module_px = width_px / modules
    module_mm = module_px * px_mm
    total_mm = module_mm * (modules + 2 * QUIET_ZONE)
    qr_min = float(material.qr_min_mm)
    measured = (
        f"{total_mm:.1f} mm wide with its quiet zone, {modules} modules of {module_mm:.2f} mm"
    )
    if total_mm < QR_ERROR_MM - QR_SIZE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"the QR code is {measured}: below {QR_ERROR_MM:g} mm phones may not read it",
                hint=f"print it at least {qr_min:g} mm wide",
                **where,
            )
        )
    elif total_mm < qr_min - QR_SIZE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"the QR code is {measured}: smaller than the {qr_min:g} mm a "
                f"{doc.job.material} needs",
                severity="warning",
                hint=f"print it at least {qr_min:g} mm wide",
                **where,
            )
        )
    if module_mm < QR_MODULE_ERROR_MM - QR_MODULE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"QR modules are {module_mm:.2f} mm, below {QR_MODULE_ERROR_MM} mm: "
                "too fine to print and scan reliably",
                hint=f"print the code at least {(modules + 8) * QR_MODULE_WARN_MM:.0f} mm wide, "
                "or shorten its URL (fewer modules)",
                **where,
            )
        )
    elif module_mm < QR_MODULE_WARN_MM - QR_MODULE_TOLERANCE_MM:
        problems.append(
            doc.at(
                "qr",
                f"QR modules are {module_mm:.2f} mm, below {QR_MODULE_WARN_MM} mm",
                severity="warning",
                hint=f"print the code at least {(modules + 8) * QR_MODULE_WARN_MM:.0f} mm wide, "
                "or shorten its URL (fewer modules)",
                **where,
            )
        )
    quiet = _quiet_modules(image, left, top, right, bottom, module_px)
    side, light = min(quiet.items(), key=lambda kv: kv[1])
    if light < QUIET_ZONE - 0.25:
        problems.append(
            doc.at(
                "qr",
                f"the QR code has {light:.1f} modules of blank paper on its {side} "
                f"side, needs {QUIET_ZONE} ({QUIET_ZONE * module_mm:.1f} mm)",
                hint="keep text, lines and colour away from the code",
                **where,
            )
        )
    return problems


def _modules(code: Any) -> int:
    """Modules across the symbol: from its version, as the decoder read it."""
    extra = getattr(code, "extra", None)
    version = extra.get("Version") if isinstance(extra, dict) else getattr(code, "version", None)
    try:
        return 17 + 4 * int(version)
    except (TypeError, ValueError):  # an older zxing-cpp: re-encode as makeprint does (EC M)
        from ..qr import make_qr

        return make_qr(code.text).modules


def _quiet_modules(
    image: Any, left: int, top: int, right: int, bottom: int, module_px: float
) -> dict[str, float]:
    """Light pixels between the code and the nearest ink (or the page edge), in modules."""
    need = math.ceil(QUIET_ZONE * module_px) + 2
    width, height = image.size
    y0, y1 = max(0, top - need), min(height, bottom + need + 1)
    x0, x1 = max(0, left - need), min(width, right + need + 1)

    def dark(box: tuple[int, int, int, int]) -> bool:
        return bool(image.crop(box).getextrema()[0] < QR_DARK)

    result = {}
    # Step outwards from the code's edge (skipping its anti-aliased border pixel).
    sides = {
        "left": (lambda d: (left - d, y0, left - d + 1, y1), left),
        "right": (lambda d: (right + d, y0, right + d + 1, y1), width - 1 - right),
        "top": (lambda d: (x0, top - d, x1, top - d + 1), top),
        "bottom": (lambda d: (x0, bottom + d, x1, bottom + d + 1), height - 1 - bottom),
    }
    for side, (band, room) in sides.items():
        light = None
        for d in range(2, need + 1):
            if d > room:
                light = room  # the page ends: no paper there
                break
            if dark(band(d)):
                light = d - 1
                break
        result[side] = (need if light is None else light) / module_px
    return result
