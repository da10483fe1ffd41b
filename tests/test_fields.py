"""Pure field validators: slugs, phone numbers, https URLs, e-mail addresses, country codes."""

from __future__ import annotations

import pytest

from makeprint_engine.fields import (
    FieldError,
    check_country,
    check_email,
    check_https_url,
    check_slug,
    parse_phone,
    slugify,
)

# --- slugify -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Clínica Ñandú — Peña & Hijos", "clinica-nandu-pena-hijos"),  # the spec's example
        ("East Harbor Drop-In Center", "east-harbor-drop-in-center"),
        ("  Riverside   Recovery  ", "riverside-recovery"),
        ("St. Mary's #2", "st-mary-s-2"),
        ('Café <Ünïcode> & "Quotes"', "cafe-unicode-quotes"),
        ("ﬁve ①", "five-1"),  # NFKD folds compatibility characters
        ("--already-a-slug--", "already-a-slug"),
        ("ABC123", "abc123"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize("name", ["", "   ", "!!! & ???", "— · —", "😀🙂"])
def test_slugify_of_a_name_without_letters_or_digits_is_empty(name: str) -> None:
    assert slugify(name) == ""


def test_slugify_output_always_passes_check_slug() -> None:
    for name in ("Clínica Ñandú — Peña & Hijos", "A & B", "x--y", "Ōsaka 2"):
        assert check_slug(slugify(name)) == slugify(name)


# --- check_slug ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["east-harbor", "a", "clinic-1", "24-7-van"])
def test_check_slug_accepts_lowercase_digits_and_hyphens(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize("slug", ["East Side!", "East-Side", "east side", "east_side", "café", ""])
def test_check_slug_rejects_other_characters_with_a_hint(slug: str) -> None:
    with pytest.raises(FieldError) as info:
        check_slug(slug)
    assert f'"{slug}"' in info.value.message
    assert info.value.hint and "a-z" in info.value.hint


# --- parse_phone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "(410) 555-0142",
        "410-555-0142",
        "410.555.0142",
        "4105550142",
        "+1 410 555 0142",
        "1-410-555-0142",
        "+14105550142",
        " (410)555-0142 ",
    ],
)
def test_us_numbers_written_any_common_way_print_in_national_format(raw: str) -> None:
    phone = parse_phone(raw, "US")
    assert phone.national == "(410) 555-0142"
    assert phone.tel == "tel:+1-410-555-0142"
    assert phone.e164 == "+14105550142"
    assert phone.sms == "sms:+14105550142"


@pytest.mark.parametrize("raw", ["301-555-0178 ext. 12", "(301) 555-0178 x12", "3015550178 ext 12"])
def test_extension_is_kept_in_print_and_in_the_tel_link(raw: str) -> None:
    phone = parse_phone(raw, "US")
    assert phone.national == "(301) 555-0178 ext. 12"
    assert phone.tel == "tel:+1-301-555-0178;ext=12"
    assert phone.e164 == "+13015550178"  # the dialable number has no extension


def test_vanity_letters_are_rejected_with_the_spec_message_and_hint() -> None:
    with pytest.raises(FieldError) as info:
        parse_phone("555-CALL-NOW", "US")
    assert info.value.message == '"555-CALL-NOW" is not a valid phone number for US'
    assert info.value.hint == "write it like (410) 555-0142"


@pytest.mark.parametrize("raw", ["12", "", "call us", "(410) 555-014", "000-000-0000"])
def test_invalid_us_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_phone(raw, "US")
    assert "not a valid phone number for US" in info.value.message
    assert info.value.hint and info.value.hint.startswith("write it like ")


def test_canadian_number_in_a_canadian_row() -> None:
    phone = parse_phone("416 555 0123", "CA")
    assert phone.national == "(416) 555-0123"
    assert phone.e164 == "+14165550123"
    assert phone.tel == "tel:+1-416-555-0123"


def test_mexican_number_in_a_mexican_row() -> None:
    phone = parse_phone("55 1234 5678", "MX")
    assert phone.national == "55 1234 5678"
    assert phone.e164 == "+525512345678"
    assert phone.tel == "tel:+52-55-1234-5678"


def test_invalid_number_hint_uses_the_rows_country() -> None:
    with pytest.raises(FieldError) as info:
        parse_phone("12", "MX")
    assert "for MX" in info.value.message
    assert info.value.hint and info.value.hint.startswith("write it like ")
    assert "(410)" not in info.value.hint  # the US sample is only for US rows


def test_foreign_number_in_a_us_row_is_printed_internationally() -> None:
    phone = parse_phone("+44 20 7946 0958", "US")
    assert phone.national == "+44 20 7946 0958"
    assert phone.e164 == "+442079460958"
    assert phone.tel == "tel:+44-20-7946-0958"


# --- check_https_url -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "https://example.org/intake?site=east-harbor#top",
        "HTTPS://Example.org/Intake",
        "https://example.org:8443/f?a=b%20c",
    ],
)
def test_https_urls_are_accepted_unchanged(url: str) -> None:
    assert check_https_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/intake",
        "ftp://example.org",
        "example.org/intake",
        "www.example.org",
        "https://",
        "https:///intake",
        "https:example.org",
        "mailto:help@example.org",
        "",
    ],
)
def test_non_https_or_hostless_urls_are_rejected(url: str) -> None:
    with pytest.raises(FieldError) as info:
        check_https_url(url)
    assert "is not an https URL" in info.value.message
    assert info.value.hint and "https://" in info.value.hint


@pytest.mark.parametrize("url", ["https://example.org/my form", "https://example.org/a\tb"])
def test_urls_with_spaces_are_rejected(url: str) -> None:
    with pytest.raises(FieldError) as info:
        check_https_url(url)
    assert "spaces" in info.value.message
    assert info.value.hint and "%20" in info.value.hint


# --- check_email ---------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["help@example.org", "first.last+tag@sub.example.co.uk"])
def test_valid_email(email: str) -> None:
    assert check_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "help",
        "help@example",
        "@example.org",
        "help@@example.org",
        "a b@example.org",
        "<help@example.org>",
        "",
    ],
)
def test_invalid_email(email: str) -> None:
    with pytest.raises(FieldError) as info:
        check_email(email)
    assert "is not an e-mail address" in info.value.message
    assert info.value.hint == "write it like help@example.org"


# --- check_country -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"), [("US", "US"), ("us", "US"), (" ca ", "CA"), ("Mx", "MX")]
)
def test_country_codes_are_normalized_to_uppercase(raw: str, code: str) -> None:
    assert check_country(raw) == code


@pytest.mark.parametrize("raw", ["XX", "USA", "United States", "U", "", "001"])
def test_unknown_country_codes_are_rejected(raw: str) -> None:
    with pytest.raises(FieldError) as info:
        check_country(raw)
    assert "is not a known country code" in info.value.message
    assert info.value.hint and "ISO 3166-1" in info.value.hint


# --- what mutation testing found unguarded (bench/mutants.py fields) ------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Москва — Центр", "moskva-tsentr"),       # Cyrillic transliterated, the dash a break
        ("华埠 Clinic", "huabu-clinic"),             # Han beside Latin
        ("Ωmega ЁЖ", "omega-ezh"),                  # Greek and Cyrillic capitals lowercased
        ("Café ЁЖ", "cafe-ezh"),                    # Latin keeps its accent rule beside them
        ("—Москва—", "moskva"),                     # no hyphen at either end
        ("Подъезд 2", "podezd-2"),                  # ъ is no word break
    ],
)
def test_slugify_transliterates_other_scripts_into_lowercase_ascii(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_check_slug_hint_shows_a_valid_slug() -> None:
    with pytest.raises(FieldError) as info:
        check_slug("East Side")
    assert info.value.hint == (
        "use only lowercase a-z, 0-9 and single hyphens, e.g. east-side-clinic"
    )


def test_an_extension_is_split_from_the_number_it_follows() -> None:
    phone = parse_phone("416 555 0123 ext 7", "CA")
    assert (phone.main, phone.extension) == ("(416) 555-0123", "ext. 7")
    abroad = parse_phone("+44 20 7946 0958 x3", "US")
    assert (abroad.main, abroad.extension) == ("+44 20 7946 0958", "x3")
    plain_number = parse_phone("410 555 0142", "US")
    assert (plain_number.main, plain_number.extension) == ("(410) 555-0142", "")


def test_invalid_number_hint_shows_the_countrys_own_example_or_an_international_one() -> None:
    with pytest.raises(FieldError) as info:
        parse_phone("12", "MX")
    assert info.value.hint == "write it like 200 123 4567"
    with pytest.raises(FieldError) as info:
        parse_phone("12", "AQ")  # Antarctica: no example number
    assert info.value.hint == "write it like +1 410 555 0142"


def test_url_errors_hint_at_their_own_fix() -> None:
    with pytest.raises(FieldError) as info:
        check_https_url("http://example.org")
    assert info.value.hint == "write the full address, e.g. https://example.org/intake"
    with pytest.raises(FieldError) as info:
        check_https_url("https://[::1")  # urlsplit raises: still a clear error
    assert info.value.message == '"https://[::1" is not an https URL'
    with pytest.raises(FieldError) as info:
        check_https_url("https://example.org/my form")
    assert info.value.hint == "encode spaces as %20 or remove them"


def test_unknown_country_hint_names_the_standard_and_examples() -> None:
    with pytest.raises(FieldError) as info:
        check_country("XX")
    assert info.value.hint == "use a two-letter ISO 3166-1 code such as US, CA, MX or GB"
