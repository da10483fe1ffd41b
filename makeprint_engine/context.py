"""Template context: everything a material's template may print, for one job, without rendering."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import MakeprintError
from .fit import NO_FIT, FitState
from .geometry import (
    CUT_INSET_MM,
    DEFAULT_BLEED_MM,
    FOLD_INSET_MM,
    LABEL_INSET_MM,
    OFFICE_MARGIN_MM,
    OFFICE_SHEETS_MM,
    fold_positions,
    trifold_panels,
)
from .hours import format_hours
from .links import budget_problem, fill, printed_link, tracking_names, tracking_on
from .options import Options
from .plan import Job
from .project import Project
from .qr import QUIET_ZONE, QRBudgetError, QRPlan, display_url, make_qr, plan_qr
from .scripts import fallback_fonts


def _isolated(value: str) -> str:
    """FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: a value of its own direction."""
    return f"\u2068{value}\u2069"


def qr_plan(project: Project, job: Job) -> QRPlan:
    """The job's QR code: the intake URL, placeholders filled, tracked as the budget allows."""
    org = project.organization
    location = next(loc for loc in project.locations if loc.slug == job.slug)
    material = project.materials[job.material]
    try:
        return plan_qr(
            fill(location.intake_url, job.slug, job.lang, job.material),
            org.tracking,
            job.material,
            job.slug,
            job.lang,
            material.qr_min_mm,
            material.qr_max_mm,
            tracking_on(location.qr_tracking, location.intake_url, org.tracking.enabled),
        )
    except QRBudgetError as exc:  # found when the project loads; here for a single form
        raise MakeprintError(
            budget_problem(location.intake_origin, job.slug, job.material, exc)
        ) from None


def qr_for(project: Project, job: Job) -> str:
    """The exact text the job's QR code encodes."""
    if job.kind == "directory":
        from .directory_view import qr_plan_for

        return qr_plan_for(project, job).url
    return qr_plan(project, job).url


def printed_link_for(project: Project, job: Job) -> dict[str, str] | None:
    """The link printed beside the QR code (see ``links.printed_link``), for templates."""
    org = project.organization
    location = next(loc for loc in project.locations if loc.slug == job.slug)
    link = printed_link(
        fill(location.intake_url, job.slug, job.lang, job.material),
        location.intake_short_url,
        location.website or org.website,
        tracking_names(tuple(org.tracking.params.values())),
    )
    return None if link is None else {"text": link.text, "href": link.href, "kind": link.kind}


def page_geometry(project: Project, job: Job, options: Options) -> dict[str, Any]:
    """Trim, bleed and the edge offset for backgrounds that touch the trim.

    press: backgrounds run into the bleed (negative offset). office: a material the size of
    the paper is printed on a desktop printer, so colour stops 1/4 in from the sheet edge; a
    smaller one (the card) is cut from a sheet, so its colour stops 1/16 in inside the cut, and
    a label peeled off label stock keeps it 1/8 in inside its edge.
    Colour that meets a fold stops 1/16 in short of it in both profiles (``fold_inset_mm``).
    """
    paper = project.organization.paper
    rtl = project.languages[job.lang].direction == "rtl"
    material = project.materials[job.material]
    width, height = material.trim(paper, job.size)
    # The size of a sheet an office printer takes (Letter, A4, or a poster's tabloid or A3).
    on_sheet = any(
        {round(width), round(height)} == {round(sheet_w), round(sheet_h)}
        for sheet_w, sheet_h in OFFICE_SHEETS_MM
    )
    bleed = 0.0
    if job.profile == "press":
        bleed = options.bleed_mm if options.bleed_mm is not None else DEFAULT_BLEED_MM[paper]
        edge = -bleed
    else:
        edge = (OFFICE_MARGIN_MM if on_sheet
                else LABEL_INSET_MM if material.label_sheet else CUT_INSET_MM)
    return {
        "paper": paper,
        "profile": job.profile,
        "size": job.size,
        "width_mm": round(width, 3),
        "height_mm": round(height, 3),
        "bleed_mm": round(bleed, 3),
        "edge_mm": round(edge, 3),
        "fold_inset_mm": round(FOLD_INSET_MM, 3),
        "guides": job.profile == "office" and options.guides,
        "on_sheet": on_sheet,
        "panels": trifold_panels(paper),
        # A right-to-left pamphlet is a mirror image: its folds are mirrored too.
        "folds": {
            side: fold_positions(paper, side, mirrored=rtl) for side in ("outside", "inside")
        },
    }


def hotline_context(project: Project, common: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The hotlines in the language's words."""
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
    return hotlines


def document_head(project: Project, job: Job) -> dict[str, Any]:
    """What every document's template knows of its job, language and organization."""
    language = project.languages[job.lang]
    return {
        "job": {"slug": job.slug, "lang": job.lang, "material": job.material, "size": job.size},
        "lang": {
            "code": language.code,
            "dir": language.direction,
            "locale": language.locale,
            "name": language.native_name,
            "fonts": list(language.fonts),
        },
        "org": org_context(project),
    }


def org_context(project: Project) -> dict[str, Any]:
    org = project.organization
    return {
        "name": org.name,
        "website": org.website,
        "website_display": display_url(org.website) if org.website else None,
        "colors": org.colors,
        "logo": f"../../assets/{org.logo}" if org.logo else None,
        "poster_tabs": org.poster_tabs,
    }


def document_context(
    project: Project, job: Job, options: Options | None = None, fit: FitState = NO_FIT
) -> dict[str, Any]:
    if job.kind == "directory":  # a collection: many locations, no one location
        from .directory_view import directory_context

        return directory_context(project, job, options, fit)
    language = project.languages[job.lang]
    location = next(loc for loc in project.locations if loc.slug == job.slug)
    common = language.common
    labels = common.get("labels", {})

    plan = qr_plan(project, job)
    code = make_qr(plan.url)
    size = plan.size_mm
    link = printed_link_for(project, job)

    hours_rows = (
        format_hours(
            location.hours,
            language.locale,
            labels.get("open_24_7", "24/7"),
            labels.get("all_day", "24 h"),
            language.day_names,
        )
        if location.hours
        else []
    )
    service_labels = common.get("services", {})
    offer_labels = common.get("offers", {})
    hotlines = hotline_context(project, common)
    return {
        **document_head(project, job),
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
            "intake_url": fill(location.intake_url, job.slug, job.lang, job.material),
            "link": link,
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
            # The printed intake link; when none is printed, the form's host (all that is
            # true to say without an address nobody can type).
            "alt": str(labels.get("qr_alt", "{url}")).replace(
                "{url}",
                link["text"]
                if link and link["kind"] == "intake"
                else urlsplit(plan.url).netloc,
            ),
        },
        "page": page_geometry(project, job, options or Options()),
        "fit": fit,
    }
