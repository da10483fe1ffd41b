"""Intake links: URL placeholders, tracking parameters, and which link a material prints."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .errors import Problem
from .fields import FieldError

PLACEHOLDERS = ("slug", "lang", "material")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# Parameters that only tell an analytics tool where a link was clicked: never worth printing.
# Our own tracking names (organization.yaml's qr_tracking) are added to these.
FOREIGN_TRACKING = (
    "usp",  # Google Forms' "shared via" marker: usp=sf_link, usp=pp_url is kept (pre-fill)
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
)
_KEEP = {("usp", "pp_url")}  # Google Forms needs usp=pp_url for pre-filled answers

# A printed link a person can type: short, and no long opaque id in it. 44 characters is
# "about 40": three lines of a wallet card's link column at 8 pt (or one line across the card,
# where copyfitting moves it), and still copied from paper without a mistake, such as
# example.org/intake?site=harbor-house-phoenix. A short link's id (forms.gle's has 17
# characters) is typeable; a longer one of mixed letters and digits is not at any length.
MAX_TYPEABLE = 44
OPAQUE_MIXED = 20  # a run of letters and digits (or of mixed case) this long is an id
OPAQUE_DIGITS = 16  # a run of digits this long (a JotForm id has 15; a phone number 10)
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def placeholders(url: str) -> list[str]:
    """The ``{name}`` placeholders in ``url``, in order."""
    return _PLACEHOLDER.findall(url)


def check_placeholders(url: str) -> None:
    """Raise FieldError for a ``{name}`` that is not a known placeholder."""
    unknown = [name for name in placeholders(url) if name not in PLACEHOLDERS]
    if unknown:
        raise FieldError(
            f'"{{{unknown[0]}}}" is not a placeholder',
            "placeholders are " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            + ", filled per document (e.g. ...viewform?entry.123456={slug})",
        )
    stray = _PLACEHOLDER.sub("", url)
    if "{" in stray or "}" in stray:
        raise FieldError(
            f'"{url}" has an unmatched brace', "write a placeholder as {slug}, or encode a brace "
            "as %7B / %7D",
        )


def check_intake_url(raw: str) -> str:
    """An https intake URL, with only known placeholders; returned unchanged."""
    from .fields import check_https_url

    check_placeholders(raw)
    check_https_url(fill(raw, "slug", "en", "material"))  # as it will be, filled
    return raw


def fill(url: str, slug: str, lang: str, material: str) -> str:
    """Replace the placeholders with this document's values, URL-encoded."""
    values = {"slug": slug, "lang": lang, "material": material}
    return _PLACEHOLDER.sub(lambda m: quote(values.get(m[1], m[0]), safe=""), url)


def tracking_names(extra: tuple[str, ...] | list[str] = ()) -> set[str]:
    """Every parameter name treated as tracking: foreign ones, utm_*, and our own names."""
    return {*FOREIGN_TRACKING, *(name for name in extra if name)}


def is_tracking(name: str, value: str, names: set[str]) -> bool:
    if (name, value) in _KEEP:
        return False
    return name in names or name.lower().startswith("utm_")


def strip_tracking(url: str, names: set[str]) -> str:
    """``url`` without its tracking parameters; everything else kept as written."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(n, v) for n, v in pairs if not is_tracking(n, v, names)]
    if len(kept) == len(pairs):
        return url
    # Re-encode only when something went: the kept pieces keep their original spelling.
    pieces = [p for p in parts.query.split("&") if p]
    out = [p for p, (n, v) in zip(pieces, pairs, strict=False) if not is_tracking(n, v, names)]
    query = "&".join(out) if len(pieces) == len(pairs) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def display_url(url: str) -> str:
    """The link as a reader would type it: no scheme, no trailing slash."""
    parts = urlsplit(url)
    text = parts.netloc + parts.path
    if parts.query:
        text += "?" + parts.query
    if parts.fragment:
        text += "#" + parts.fragment
    return text.rstrip("/")


def typeable(text: str) -> bool:
    """Whether a person could copy ``text`` from paper into a browser: short, no opaque ids."""
    if len(text) > MAX_TYPEABLE or "%" in text:
        return False
    for token in _TOKEN.findall(text):
        if token.isdigit():
            if len(token) >= OPAQUE_DIGITS:
                return False
        elif len(token) >= OPAQUE_MIXED and (
            any(c.isdigit() for c in token) or (token.lower() != token != token.upper())
        ):
            return False
    return True


@dataclass(frozen=True)
class Link:
    """What a material prints beside its QR code: ``text`` (no scheme), linked to ``href``."""

    text: str
    href: str
    kind: str  # "intake" or "website"


def printed_link(
    intake_url: str,
    short_url: str | None,
    website: str | None,
    names: set[str],
) -> Link | None:
    """The rules: the short link; else the intake URL without scheme and tracking if a person
    could type it; else the website; else nothing (the phone number is printed anyway).

    ``intake_url`` is this document's, placeholders filled. Never a truncated link.
    """
    if short_url:
        return Link(display_url(short_url), intake_url, "intake")
    text = display_url(strip_tracking(intake_url, names))
    if typeable(text):
        return Link(text, intake_url, "intake")
    if website:
        return Link(display_url(website), website, "website")
    return None


def break_points(text: str) -> list[str]:
    """``text`` cut where a printed URL may wrap: after ``//`` and ``/``; before ``.`` ``?``
    ``#`` ``-`` ``_`` ``%``; before or after ``=`` and ``&``. A label between two dots stays
    whole, and no break ever adds a hyphen (the pieces are joined without one)."""
    pieces: list[str] = []
    start = 0
    for i in range(1, len(text)):
        before, here = text[i - 1], text[i]
        if (
            (before == "/" and here != "/")
            or here in ".?#-_%"
            or here in "=&"
            or before in "=&"
        ):
            pieces.append(text[start:i])
            start = i
    if text:
        pieces.append(text[start:])
    return pieces


def tracking_on(qr_tracking: bool | None, intake_url: str, org_enabled: bool) -> bool:
    """Whether a location's QR codes carry tracking: its own qr_tracking column if set; else
    the organization's setting, except for a URL with placeholders (it already says where
    a person came from, in a way the form records)."""
    if qr_tracking is not None:
        return qr_tracking
    return org_enabled and not placeholders(intake_url)


def budget_problem(
    origin: tuple[str, int | None, str], slug: str, material: str, exc: Any
) -> Problem:
    """The error for an intake URL no QR code can hold at 0.5 mm modules on ``material``."""
    path, line, field = origin
    return Problem(
        f"is too long for a QR code on the {material} of '{slug}': "
        f"{len(exc.url.encode())} characters (tracking left out), and a code of at most "
        f"{exc.max_mm:g} mm with modules of 0.5 mm holds {exc.limit}",
        path=path,
        line=line,
        field=field,
        key="intake_url",
        hint=f"shorten it to at most {exc.limit} characters (the form service's own "
        "shorter address, or fewer pre-filled answers)",
    )


def check_intake(org: Any, materials: Any, locations: Any) -> list[tuple[str, Problem]]:
    """Every location's intake URL against the QR density budget, and a warning for each
    location that prints no intake link a person could type. Pure: no rendering.

    A URL that no material's code can hold is an error here, when the project loads (no
    document of the location could build). One that only some materials cannot hold fails
    those documents alone, when they are made (``context.qr_plan``), with the same message.
    """
    from .qr import QRBudgetError, plan_qr

    problems: list[tuple[str, Problem]] = []
    names = tracking_names(tuple(org.tracking.params.values()))
    for loc in locations:
        track = tracking_on(loc.qr_tracking, loc.intake_url, org.tracking.enabled)
        refused: list[tuple[int, str, Any]] = []  # (characters allowed, material, error)
        untypeable = False
        for lang in loc.languages:
            for material in materials.values():
                filled = fill(loc.intake_url, loc.slug, lang, material.name)
                try:
                    plan_qr(filled, org.tracking, material.name, loc.slug, lang,
                            material.qr_min_mm, material.qr_max_mm, track)
                except QRBudgetError as exc:
                    refused.append((exc.limit, material.name, exc))
                link = printed_link(filled, loc.intake_short_url, None, names)
                untypeable = untypeable or link is None
        if refused and len(refused) == len(loc.languages) * len(materials):
            # One error a location, for the material that allows the most characters.
            _, material_name, exc = max(refused, key=lambda r: (r[0], r[1]))
            problems.append((loc.slug, budget_problem(loc.intake_origin, loc.slug,
                                                      material_name, exc)))
        if untypeable:
            website = loc.website or org.website
            instead = (f"print the website {display_url(website)} instead" if website
                       else "print no link, only the phone number")
            problems.append((loc.slug, Problem(
                f"the intake link is too long or too hard to type to print: the {loc.slug} "
                f"QR code opens it, and its materials {instead}",
                path=loc.source,
                line=loc.line,
                field="column 'intake_url'",
                severity="warning",
                key="intake_url",
                hint="add intake_short_url: the short link your form service makes "
                "(forms.gle/…) or one on your own short domain",
            )))
    return problems
