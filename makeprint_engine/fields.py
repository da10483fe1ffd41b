"""Pure validators and normalizers for single fields: slugs, phones, URLs, e-mail, countries."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers
from anyascii import anyascii

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


class FieldError(ValueError):
    """A field value is invalid; ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def slugify(text: str) -> str:
    """Derive a slug from a name in any script; empty when it has no letters or digits.

    Latin letters keep the rule slugs were always made by (NFKD, accents dropped, lowercased,
    other runs → one ``-``), so existing output paths never move. Letters, marks and digits of
    other scripts, which that rule dropped, are transliterated (anyascii: 华埠 → huabu,
    Москва → moskva, مركز → mrkz). Symbols and emoji stay separators: a slug says where a
    place is, and ":grinning:" does not.
    """
    parts = []
    for char in text:
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        ).lower()
        if _foreign_letter(char) and not re.search(r"[a-z0-9]", folded):
            # letters only: ь and א are apostrophes in anyascii, not word breaks
            folded = re.sub(r"[^a-z0-9]", "", anyascii(char).lower())
        parts.append(folded)
    return re.sub(r"[^a-z0-9]+", "-", "".join(parts)).strip("-")


def _foreign_letter(char: str) -> bool:
    """A letter, mark or digit of a script other than Latin (which keeps its old rule)."""
    return unicodedata.category(char)[0] in "LMN" and not unicodedata.name(
        char, "LATIN"
    ).startswith(("LATIN", "COMBINING"))


def check_slug(slug: str) -> str:
    if not SLUG_RE.match(slug):
        raise FieldError(
            f'"{slug}" is not a valid slug',
            "use only lowercase a-z, 0-9 and single hyphens, e.g. east-side-clinic",
        )
    return slug


@dataclass(frozen=True)
class Phone:
    """A validated phone number: what to print and what to dial."""

    national: str  # as printed, e.g. "(410) 555-0142 ext. 12"
    tel: str  # RFC 3966 link target, e.g. "tel:+1-410-555-0142;ext=12"
    e164: str  # "+14105550142"
    main: str = ""  # the printed number without its extension, e.g. "(410) 555-0142"
    extension: str = ""  # as printed after it, e.g. "ext. 12"

    @property
    def sms(self) -> str:
        return "sms:" + self.e164


def parse_phone(raw: str, country: str) -> Phone:
    """Validate a phone number written any common way for ``country``."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.FIXED_LINE)
    sample = (
        phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        if example
        else "+1 410 555 0142"
    )
    if country == "US":
        sample = "(410) 555-0142"
    hint = f"write it like {sample}"
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        raise FieldError(f'"{raw}" is not a valid phone number for {country}', hint) from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError(f'"{raw}" is not a valid phone number for {country}', hint)
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    national = phonenumbers.format_number(number, fmt)
    main = national
    if number.extension:
        bare = phonenumbers.PhoneNumber()
        bare.merge_from(number)
        bare.extension = None
        main = phonenumbers.format_number(bare, fmt)
    return Phone(
        national=national,
        main=main,
        extension=national[len(main) :].strip() if national.startswith(main) else "",
        tel=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966),
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    )


def check_https_url(raw: str) -> str:
    """Accept only absolute https URLs with a host; return it unchanged."""
    try:
        parts = urlsplit(raw)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() != "https" or not parts.hostname:
        raise FieldError(
            f'"{raw}" is not an https URL',
            "write the full address, e.g. https://example.org/intake",
        )
    if any(c.isspace() for c in raw):
        raise FieldError(f'"{raw}" contains spaces', "encode spaces as %20 or remove them")
    return raw


def check_email(raw: str) -> str:
    if not EMAIL_RE.match(raw):
        raise FieldError(f'"{raw}" is not an e-mail address', "write it like help@example.org")
    return raw


def check_country(raw: str) -> str:
    """Accept an ISO 3166-1 alpha-2 code that phone numbers know; return it uppercased."""
    code = raw.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise FieldError(
            f'"{raw}" is not a known country code',
            "use a two-letter ISO 3166-1 code such as US, CA, MX or GB",
        )
    return code
