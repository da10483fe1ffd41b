"""A directory's template context: its locations grouped and collated, tags, QR code, date."""

from __future__ import annotations

import datetime
import os
from typing import Any

from .directories import Directory, grouped, members, parse_where
from .errors import MakeprintError, Problem
from .fit import NO_FIT, FitState
from .hours import format_hours
from .links import tracking_on
from .options import Options
from .plan import Job
from .project import Project
from .qr import QUIET_ZONE, QRBudgetError, QRPlan, display_url, make_qr, plan_qr
from .scripts import fallback_fonts


def directory_of(project: Project, job: Job, options: Options) -> Directory:
    """The directory a job lists: a named one (or the default), or this build's filters."""
    if job.slug in project.directories and not options.where:
        return project.directories[job.slug]
    directory = parse_where(options.where)
    if directory.name != job.slug:
        raise MakeprintError(Problem(f'no directory named "{job.slug}"', field="--directory",
                                     hint="choose from: " + ", ".join(project.directories)))
    return directory


def updated_on() -> str:
    """The build's date, YYYY-MM-DD: SOURCE_DATE_EPOCH's when set (builds repeat), else
    today's (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date().isoformat()
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def month_year(date: str, locale: str, month_names: tuple[str, ...] = ()) -> str:
    """'December 2026', 'diciembre de 2026', '2026年12月': CLDR's month and year, or the
    language's own month names where CLDR has none (Haitian Creole)."""
    from babel.dates import format_skeleton

    day = datetime.date.fromisoformat(date)
    if month_names:
        return f"{month_names[day.month - 1]} {day.year}"
    return format_skeleton("yMMMM", day, locale=locale)


def directory_url(project: Project) -> str:
    org = project.organization
    return org.directory_url or org.website or org.intake_url


def qr_plan_for(project: Project, job: Job) -> QRPlan:
    """The directory's QR code: the organization's locations page, tracked as allowed."""
    org = project.organization
    material = project.materials[job.material]
    url = directory_url(project)
    try:
        return plan_qr(url, org.tracking, job.material, job.slug, job.lang, material.qr_min_mm,
                       material.qr_max_mm, tracking_on(None, url, org.tracking.enabled))
    except QRBudgetError as exc:
        raise MakeprintError(Problem(
            f"directory_url is too long for a QR code ({exc})", path=org.path,
            line=org.key_lines.get("directory_url"), field="directory_url",
            hint="use a shorter address for the locations page")) from None


def directory_context(
    project: Project, job: Job, options: Options | None = None, fit: FitState = NO_FIT
) -> dict[str, Any]:
    """Everything the directory's template may print: like ``context.document_context``, with
    ``groups`` of entries in place of one location (``loc`` names the document's subject)."""
    from .context import document_head, hotline_context, page_geometry

    options = options or Options()
    language = project.languages[job.lang]
    common = language.common
    labels = common.get("labels", {})
    words = language.materials[job.material]
    tags = words.get("tags", {})
    service_labels = common.get("services", {})
    directory = directory_of(project, job, options)
    listed = members(directory, project.locations)
    used: set[str] = set()
    groups = []
    for city, locations in grouped(listed, language.locale):
        entries = []
        for loc in locations:
            hours = (
                format_hours(loc.hours, language.locale, labels.get("open_24_7", "24/7"),
                             labels.get("all_day", "24 h"), language.day_names)
                if loc.hours else []
            )
            codes = [tags[key] for key in tags if key in loc.services]
            used.update(key for key in tags if key in loc.services)
            entries.append({
                "slug": loc.slug,
                "name": loc.name,
                "address_lines": loc.address(lambda v: f"\u2068{v}\u2069"),
                "phone": loc.phone,
                "hours": hours,
                "tags": codes,
                "languages": [project.languages[c].native_name for c in loc.languages
                              if c in project.languages],
            })
        groups.append({"city": city, "entries": entries})
    legend = [(tags[key], service_labels.get(key, key)) for key in tags if key in used]
    plan = qr_plan_for(project, job)
    code = make_qr(plan.url)
    url = directory_url(project)
    date = month_year(updated_on(), language.locale, language.month_names)
    texts = [loc.name for loc in listed] + [line for loc in listed for line in loc.address_lines]
    texts += [name for group in groups for e in group["entries"] for name in e["languages"]]
    return {
        **document_head(project, job),
        # The document's subject, for base.html's title ("Where to get help — <organization>")
        # and the fonts its places' names need.
        "loc": {"name": project.organization.name,
                "fonts": fallback_fonts(texts, language.fonts), "services": []},
        "groups": groups,
        "count": len(listed),
        "legend": legend,
        "updated": str(words.get("updated", "{date}")).replace("{date}", date),
        "directory": {"name": directory.name, "url": url, "url_display": display_url(url)},
        "c": common,
        "labels": labels,
        "t": words,
        "hotlines": hotline_context(project, common),
        "qr": {
            "code": code,
            "url": code.url,
            "src": code.data_uri,
            "size_mm": plan.size_mm,
            "modules": code.modules,
            "quiet_mm": round(plan.size_mm * QUIET_ZONE / (code.modules + 2 * QUIET_ZONE), 3),
            "alt": str(words.get("qr_alt", "{url}")).replace("{url}", display_url(url)),
        },
        "page": page_geometry(project, job, options),
        "fit": fit,
    }
