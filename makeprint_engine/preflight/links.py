"""The links check: printed numbers, URLs and e-mail addresses match what their links open."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..links import fill, strip_tracking, tracking_names
from ..qr import display_url
from .findings import Finding
from .layout import Doc, _clean, _label


@dataclass
class _Link:
    element: Any
    href: str
    page: int
    label: str
    region: str | None
    block: int
    parts: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def link_problems(doc: Doc) -> list[Finding]:
    """tel:/sms: links dial the number printed; printed URLs are https and match their link."""
    links: dict[int, _Link] = {}
    order: list[_Link] = []
    current: _Link | None = None
    for text in doc.layout.texts:
        if text.link is not None:
            key = id(text.link)
            if key not in links:
                links[key] = _Link(
                    text.link,
                    text.link.get("href") or "",
                    text.page,
                    text.element,
                    text.region,
                    text.block,
                )
                order.append(links[key])
            current = links[key]
            current.parts.append(text.text)
        elif current is not None and text.block == current.block and not text.pseudo:
            current.after.append(text.text)
    problems = []
    country = doc.project.organization.country
    location = next((loc for loc in doc.project.locations if loc.slug == doc.job.slug), None)
    if location is not None:
        country = location.country or country
    for link in order:
        printed = _clean("".join(link.parts))
        href = link.href.strip()
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        where = {
            "page": link.page,
            "element": _link_label(link),
            "region": link.region,
            "text": printed,
        }
        if scheme in ("tel", "sms"):
            message = _phone_mismatch(href, printed, "".join(link.after), country)
            if message:
                problems.append(
                    doc.at(
                        "links",
                        message,
                        hint="fix the phone number in the location data "
                        "(or content/hotlines.yaml); the link and the text are made from it",
                        **where,
                    )
                )
        elif scheme in ("http", "https") and _looks_like_url(printed):
            shown = _url_text(printed)
            if scheme != "https":
                problems.append(
                    doc.at(
                        "links",
                        f"printed URL {printed} links to {href}, which is not https",
                        hint="use an https:// address",
                        **where,
                    )
                )
            elif shown not in _printable_as(href, doc, location):
                problems.append(
                    doc.at(
                        "links",
                        f"printed URL {printed} is not the address it links to ({href})",
                        hint="print the link's address, or link the printed one",
                        **where,
                    )
                )
        elif scheme == "mailto" and "@" in printed:
            target = href.split(":", 1)[1].split("?", 1)[0]
            if target.lower() != printed.lower():
                problems.append(
                    doc.at(
                        "links",
                        f"printed e-mail {printed} links to {target}",
                        hint="make the printed address and the link the same",
                        **where,
                    )
                )
    return problems


def _link_label(link: _Link) -> str:
    label = _label("a", link.element)
    return label


def _printable_as(href: str, doc: Doc, location: Any) -> set[str]:
    """What may be printed for a link to ``href``: its address without scheme, also without
    tracking parameters; and for the location's own intake URL, its configured short link
    (a redirect that cannot be followed offline: trusted because the location names it)."""
    org = doc.project.organization
    names = tracking_names(tuple(org.tracking.params.values()))
    shown = {display_url(href), display_url(strip_tracking(href, names))}
    if location is not None and location.intake_short_url:
        job = doc.job
        if href == fill(location.intake_url, job.slug, job.lang, job.material):
            shown.add(display_url(location.intake_short_url))
    return shown


def _looks_like_url(text: str) -> bool:
    text = _url_text(text)
    return bool(re.match(r"^[\w.-]+\.[a-z]{2,}(?:[/?#]\S*)?$", text, re.I)) and " " not in text


def _url_text(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"^[a-z]+://", "", text, flags=re.I)
    return text.rstrip("/")


def _phone_mismatch(href: str, printed: str, after: str, country: str) -> str | None:
    import phonenumbers
    from phonenumbers import shortnumberinfo

    target = href.split(":", 1)[1]
    number, _, params = target.partition(";")
    extension = ""
    for param in params.split(";"):
        if param.lower().startswith("ext="):
            extension = param[4:]
    digits_href = re.sub(r"\D", "", number)
    digits_text = re.sub(r"\D", "", printed)
    if not digits_text:
        return None  # a link with words ("call us"), not a printed number
    valid = False
    same = digits_href == digits_text
    try:
        parsed = phonenumbers.parse(number, country)
        valid = phonenumbers.is_valid_number(parsed) or shortnumberinfo.is_valid_short_number(
            parsed
        )
        shown = phonenumbers.parse(printed, country)
        same = same or (
            parsed.country_code == shown.country_code
            and parsed.national_number == shown.national_number
        )
    except phonenumbers.NumberParseException:
        pass
    if not valid:
        return f"{printed} links to {href}, which is not a valid number to dial in {country}"
    if not same:
        return f"printed number {printed} does not match the number its link dials ({href})"
    if extension and extension not in re.sub(r"\D", "", after):
        return (
            f"{printed} links to extension {extension}, but the extension is not printed next to it"
        )
    return None
