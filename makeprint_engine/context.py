"""Template context: everything a material's template may print, for one job, without rendering."""

from __future__ import annotations

from typing import Any

from .fit import NO_FIT, FitState
from .geometry import (
    DEFAULT_BLEED_MM,
    OFFICE_MARGIN_MM,
    PAPER_MM,
    fold_positions,
    qr_size_mm,
    trifold_panels,
)
from .hours import format_hours
from .options import Options
from .plan import Job
from .project import Project
from .qr import QUIET_ZONE, display_url, make_qr, tracked_url
from .scripts import fallback_fonts


def _isolated(value: str) -> str:
    """FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: a value of its own direction."""
    return f"\u2068{value}\u2069"


def qr_for(project: Project, job: Job) -> str:
    """The exact text the job's QR code encodes."""
    location = next(loc for loc in project.locations if loc.slug == job.slug)
    return tracked_url(
        location.intake_url, project.organization.tracking, job.material, job.slug, job.lang
    )


def page_geometry(project: Project, job: Job, options: Options) -> dict[str, Any]:
    """Trim, bleed and the edge offset for backgrounds that touch the trim.

    press: backgrounds run into the bleed (negative offset). office: a material the size of
    the paper is printed on a desktop printer, so colour stops 1/4 in from the sheet edge.
    """
    paper = project.organization.paper
    rtl = project.languages[job.lang].direction == "rtl"
    width, height = project.materials[job.material].trim(paper)
    sheet_w, sheet_h = PAPER_MM[paper]
    on_sheet = {round(width), round(height)} == {round(sheet_w), round(sheet_h)}
    bleed = 0.0
    if job.profile == "press":
        bleed = options.bleed_mm if options.bleed_mm is not None else DEFAULT_BLEED_MM[paper]
        edge = -bleed
    else:
        edge = OFFICE_MARGIN_MM if on_sheet else 0.0
    return {
        "paper": paper,
        "profile": job.profile,
        "width_mm": round(width, 3),
        "height_mm": round(height, 3),
        "bleed_mm": round(bleed, 3),
        "edge_mm": round(edge, 3),
        "on_sheet": on_sheet,
        "panels": trifold_panels(paper),
        # A right-to-left pamphlet is a mirror image: its folds are mirrored too.
        "folds": {
            side: fold_positions(paper, side, mirrored=rtl) for side in ("outside", "inside")
        },
    }


def document_context(
    project: Project, job: Job, options: Options | None = None, fit: FitState = NO_FIT
) -> dict[str, Any]:
    org = project.organization
    language = project.languages[job.lang]
    material = project.materials[job.material]
    location = next(loc for loc in project.locations if loc.slug == job.slug)
    common = language.common
    labels = common.get("labels", {})

    code = make_qr(qr_for(project, job))
    size = qr_size_mm(code.modules, material.qr_min_mm)

    hours_rows = (
        format_hours(
            location.hours,
            language.locale,
            labels.get("open_24_7", "24/7"),
            labels.get("all_day", "24 h"),
        )
        if location.hours
        else []
    )
    service_labels = common.get("services", {})
    offer_labels = common.get("offers", {})
    hotline_text = common.get("hotlines", {})
    hotlines = {}
    for key, line in project.hotlines.items():
        words = hotline_text.get(key, {})
        name = words.get("name", key)
        hotlines[key] = {
            "key": key,
            "number": line.number,
            "tel": line.tel,
            "sms": line.sms,
            "name": name,
            "short": words.get("short", name),
            "note": words.get("note", ""),
        }
    return {
        "job": {"slug": job.slug, "lang": job.lang, "material": job.material},
        "lang": {
            "code": language.code,
            "dir": language.direction,
            "locale": language.locale,
            "name": language.native_name,
            "fonts": list(language.fonts),
        },
        "org": {
            "name": org.name,
            "website": org.website,
            "website_display": display_url(org.website) if org.website else None,
            "colors": org.colors,
            "logo": f"../../assets/{org.logo}" if org.logo else None,
        },
        "loc": {
            "slug": location.slug,
            "name": location.name,
            "short_name": location.short_name,
            "address_lines": location.address(_isolated),
            # Scripts in the name and address that the language's fonts do not draw.
            "fonts": fallback_fonts(
                (location.name, location.short_name, *location.address_lines), language.fonts
            ),
            "phone": location.phone,
            "sms": location.sms,
            "email": location.email,
            "website": location.website,
            "website_display": display_url(location.website) if location.website else None,
            "intake_url": location.intake_url,
            "intake_display": display_url(location.intake_url),
            "hours": hours_rows,
            "services": [(key, service_labels.get(key, key)) for key in location.services],
            "offers": [(key, offer_labels.get(key, key)) for key in location.offers],
        },
        "c": common,
        "labels": labels,
        "t": language.materials[job.material],
        "hotlines": hotlines,
        "qr": {
            "code": code,
            "url": code.url,
            "src": code.data_uri,
            "size_mm": size,
            "modules": code.modules,
            "quiet_mm": round(size * QUIET_ZONE / (code.modules + 2 * QUIET_ZONE), 3),
            "alt": str(labels.get("qr_alt", "{url}")).replace(
                "{url}", display_url(location.intake_url)
            ),
        },
        "page": page_geometry(project, job, options or Options()),
        "fit": fit,
    }
