"""One-off events typed into the web form: validated exactly like a locations-file row, never saved.

The materials have no date field, so the date goes into the location's name line, written
in each document's language: "Pop-up at Lexington Market — Sat, Dec 13" (English),
"… — sáb, 13 de dic" (Spanish); the year is added when the event is not in the current
year. The name line is what every material prints prominently (the flyer's visit details and
each tear-off tab, the wallet card's back), so the date is always on the paper.

Hours without days ("10:00-14:00") mean the event's own day: "Sat 10:00-14:00". The slug
(in the QR code's campaign parameter) is derived from the name by the same rule as a
locations file, with the ISO date appended so two events of one name stay apart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .errors import Problem
from .hours import DAYS
from .locations import MAX_FIELD, SERVICES, Location, location_from_fields
from .project import Project

# The fields of the form, in the order the page shows them.
FIELDS = ("name", "street", "city", "region", "postal_code", "date", "hours", "phone")
MAX_TEXT = 1000  # longer than any field allows; rejected before any parsing
MATERIALS = ("flyer", "wallet-card")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Problems on columns the form does not have are shown at the field they come from.
_FORM_KEY = {"slug": "name", "languages": "lang"}


@dataclass(frozen=True)
class Event:
    """A validated event: a project whose only location is the event, for one language."""

    project: Project
    location: Location
    lang: str
    date: dt.date
    materials: tuple[str, ...]


class FormError(ValueError):
    """The request itself is malformed (wrong types, unknown keys): not a field to correct."""


def event_materials(project: Project) -> tuple[str, ...]:
    """Flyer and wallet card where the project has them; else every material."""
    found = tuple(m for m in MATERIALS if m in project.materials)
    return found or tuple(project.materials)


def date_label(date: dt.date, locale: str, today: dt.date, day_names: tuple[str, ...] = ()) -> str:
    """"Sat, Dec 12" in the locale's words. A language whose CLDR locale names no days
    (``day_names`` in its language.yaml: Haitian Creole) has no month names there either:
    its own day name and the date in figures, day first ("Samdi 12/12")."""
    from babel.dates import format_skeleton

    if day_names:
        figures = f"{date.day}/{date.month}" + ("" if date.year == today.year else f"/{date.year}")
        return f"{day_names[date.weekday()]} {figures}"
    skeleton = "MMMEd" if date.year == today.year else "yMMMEd"
    return format_skeleton(skeleton, date, locale=locale)


def validate_event(
    project: Project, form: dict[str, Any], today: dt.date | None = None
) -> tuple[Event | None, dict[str, list[str]]]:
    """Check a submitted form; return the event, or the errors keyed by field name.

    ``form`` holds the text ``FIELDS``, ``services`` (a list of service keys) and ``lang``.
    Raises :class:`FormError` when the form is not of that shape at all.
    """
    today = today or dt.date.today()
    unknown = sorted(set(form) - set(FIELDS) - {"services", "lang"})
    if unknown:
        raise FormError("unknown fields: " + ", ".join(unknown))
    text: dict[str, str] = {}
    for key in FIELDS:
        value = form.get(key, "")
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise FormError(f"{key} must be text of at most {MAX_TEXT} characters")
        text[key] = value.strip()
    services = form.get("services", [])
    if (
        not isinstance(services, list)
        or len(services) > len(SERVICES)
        or not all(isinstance(s, str) and len(s) <= 40 for s in services)
    ):
        raise FormError("services must be a list of service names")
    lang = form.get("lang", "")
    if not isinstance(lang, str):
        raise FormError("lang must be text")

    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if lang not in project.languages:
        add("lang", "choose one of the languages listed")

    date: dt.date | None = None
    if not text["date"]:
        add("date", "This field is required but empty — the day of the event, e.g. " + str(today))
    elif not _DATE_RE.match(text["date"]):
        add("date", f'"{text["date"][:40]}" is not a date — write it as YYYY-MM-DD')
    else:
        try:
            date = dt.date.fromisoformat(text["date"])
        except ValueError:
            add("date", f'"{text["date"]}" is not a date on the calendar')
        else:
            if date < today:
                add("date", "This date is in the past — check the year and month")
                date = None

    hours = text["hours"]
    if hours[:1].isdigit():  # times only: the event's own day
        # Without a valid date there is no day to add; the date's error says what to fix.
        hours = f"{DAYS[date.weekday()].capitalize()} {hours}" if date is not None else ""

    fields = {
        "name": text["name"],
        "street": text["street"],
        "city": text["city"],
        "region": text["region"],
        "postal_code": text["postal_code"],
        "phone": text["phone"],
        "hours": hours,
        "services": ";".join(services),
    }
    if lang in project.languages:
        fields["languages"] = lang
    languages = tuple(project.languages)
    location, problems = location_from_fields(
        fields, project.organization, languages, source="event form"
    )
    for problem in problems:
        if problem.severity == "error":
            add(_FORM_KEY.get(problem.key or "", problem.key or "form"), _said(problem))
    if errors or location is None or date is None:
        return None, errors

    # The name line with the date, in the document's language, validated again: it must
    # still fit the limits a locations file has.
    language = project.languages[lang]
    label = date_label(date, language.locale, today, language.day_names)
    dated = dict(fields, name=f"{text['name']} — {label}", slug=f"{location.slug}-{date}")
    final, problems = location_from_fields(
        dated, project.organization, languages, source="event form"
    )
    for problem in problems:
        if problem.severity != "error":
            continue
        if problem.key == "name":
            limit = MAX_FIELD["name"]
            over = len(dated["name"]) - limit
            add(
                "name",
                f"With the date added the name line is {len(dated['name'])} characters; the "
                f"limit is {limit} — shorten the name by {over}",
            )
        else:
            add(_FORM_KEY.get(problem.key or "", problem.key or "form"), _said(problem))
    if errors or final is None:
        return None, errors
    event_project = dataclasses.replace(project, locations=[final], warnings=[])
    return Event(event_project, final, lang, date, event_materials(project)), {}


def _said(problem: Problem) -> str:
    """A field's error as the form shows it beside the field (the field name is implied)."""
    message = problem.message
    if message.startswith(("is ", "contains ")):  # written to follow a column name
        message = "This field " + message
    return f"{message} — {problem.hint}" if problem.hint else message
