"""The links check fed laid-out link texts built by hand: phone links against the number
printed, printed URLs against their links, e-mail addresses. The mutation guards of
``preflight.links``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_preflight_checks import JOB, text

from makeprint_engine.organization import Tracking
from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.layout import Doc, Layout, Text
from makeprint_engine.preflight.links import (
    _looks_like_url,
    _phone_mismatch,
    _url_text,
    link_problems,
)

PHONE_HINT = ("fix the phone number in the location data (or content/hotlines.yaml); the link "
              "and the text are made from it")


def link(href: str | None, cls: str | None = "phone") -> dict:
    return {"href": href, "class": cls}


def texts_of(a: dict, *parts: str, block: int = 1, **fields: object) -> list[Text]:
    return [text(p, link=a, block=block, element="p.call a.phone", **fields) for p in parts]


def check(texts: list[Text], *, country: str = "US", location: object = None,
          params: dict | None = None) -> list[Finding]:
    org = SimpleNamespace(country=country, tracking=Tracking(params=params or {
        "source": "utm_source", "medium": "utm_medium", "campaign": "utm_campaign",
        "content": "utm_content"}))
    project = SimpleNamespace(organization=org, locations=[location] if location else [])
    return link_problems(Doc(project, SimpleNamespace(job=JOB), Layout(texts, [])))  # type: ignore[arg-type]


# --- phone numbers ----------------------------------------------------------------------------


def test_a_phone_link_that_dials_the_printed_number() -> None:
    assert check(texts_of(link("tel:+1-410-555-0142"), "(410) 555-0142")) == []
    assert check(texts_of(link("TEL:+14105550142"), "(410) ", "555-0142")) == []
    assert check(texts_of(link("sms:+14105550142"), "410.555.0142")) == []


def test_a_phone_link_to_another_number() -> None:
    a = link("tel:+1-410-555-0143")
    (found,) = check(texts_of(a, "(410) 555-0142"))
    assert found == Finding(
        "printed number (410) 555-0142 does not match the number its link dials "
        "(tel:+1-410-555-0143)", check="links", location="east-harbor", lang="en",
        material="wallet-card", page=1, element="a.phone", region="card back",
        text="(410) 555-0142", hint=PHONE_HINT)


def test_an_invalid_number() -> None:
    (found,) = check(texts_of(link("tel:+1-410-555-01"), "410 555 01"))
    assert found.message == ("410 555 01 links to tel:+1-410-555-01, which is not a valid number "
                             "to dial in US")


def test_short_numbers_are_valid() -> None:
    assert check(texts_of(link("tel:988"), "988")) == []


def test_words_are_no_number() -> None:
    assert check(texts_of(link("tel:+14105550142"), "Call us")) == []


def test_the_number_in_another_form() -> None:
    """The national number printed, the link in international form: the same number."""
    assert check(texts_of(link("tel:+44-20-7946-0018"), "020 7946 0018"), country="GB") == []
    (found,) = check(texts_of(link("tel:+44-20-7946-0018"), "020 7946 0018"), country="US")
    assert "does not match" in found.message


def test_the_locations_country_first() -> None:
    loc = SimpleNamespace(slug=JOB.slug, country="GB", intake_short_url=None, intake_url="")
    assert check(texts_of(link("tel:+44-20-7946-0018"), "020 7946 0018"), location=loc) == []
    loc.country = ""
    (found,) = check(texts_of(link("tel:+44-20-7946-0018"), "020 7946 0018"), location=loc,
                     country="US")
    assert found.message.endswith("(tel:+44-20-7946-0018)")


def test_an_extension_must_be_printed_next_to_it() -> None:
    a = link("tel:+1-410-555-0142;ext=12")
    texts = texts_of(a, "(410) 555-0142") + [text(" ext. 12", block=1)]
    assert check(texts) == []
    (found,) = check(texts_of(a, "(410) 555-0142") + [text(" ext. 13", block=1)])
    assert found.message == ("(410) 555-0142 links to extension 12, but the extension is not "
                             "printed next to it")
    other_block = texts_of(a, "(410) 555-0142") + [text(" ext. 12", block=2)]
    assert len(check(other_block)) == 1
    pseudo = texts_of(a, "(410) 555-0142") + [text(" ext. 12", block=1, pseudo=True)]
    assert len(check(pseudo)) == 1
    other = texts_of(link("tel:+1-410-555-0142;x=1;EXT=7"), "(410) 555-0142")
    assert check([*other, text("ext. 7", block=1)]) == []


def test_phone_mismatch_directly() -> None:
    assert _phone_mismatch("tel:+14105550142", "(410) 555-0142", "", "US") is None
    assert _phone_mismatch("tel:+14105550142;ext=5", "(410) 555-0142", "ext 5", "US") is None
    assert _phone_mismatch("tel:garbage", "12", "", "US") == (
        "12 links to tel:garbage, which is not a valid number to dial in US")


# --- URLs -------------------------------------------------------------------------------------


def test_a_printed_url_that_is_its_link() -> None:
    a = link("https://example.org/help", "url")
    assert check(texts_of(a, "example.org/help")) == []
    assert check(texts_of(a, "https://example.org/", "help/")) == []


def test_a_printed_url_that_is_not_https() -> None:
    a = link("http://example.org/help", "url")
    (found,) = check(texts_of(a, "example.org/help"))
    assert found.message == "printed URL example.org/help links to http://example.org/help, " \
        "which is not https"
    assert found.hint == "use an https:// address"
    assert found.element == "a.url"


def test_a_printed_url_that_is_not_its_link() -> None:
    (found,) = check(texts_of(link("https://example.org/other", None), "example.org/help"))
    assert found.message == ("printed URL example.org/help is not the address it links to "
                             "(https://example.org/other)")
    assert found.hint == "print the link's address, or link the printed one"
    assert found.element == "a"


def test_tracking_is_not_printed() -> None:
    a = link("https://example.org/in?site=1&utm_source=card&ref=x", "url")
    assert check(texts_of(a, "example.org/in?site=1&ref=x")) == []
    own = link("https://example.org/in?site=1&src=card", "url")
    assert check(texts_of(own, "example.org/in?site=1"), params={"source": "src"}) == []
    assert len(check(texts_of(own, "example.org/in?site=1"))) == 1


def test_the_locations_short_link() -> None:
    loc = SimpleNamespace(slug=JOB.slug, country="US", intake_short_url="https://ex.org/e",
                          intake_url="https://example.org/in?site={slug}&lang={lang}")
    a = link("https://example.org/in?site=east-harbor&lang=en", "url")
    assert check(texts_of(a, "ex.org/e"), location=loc) == []
    b = link("https://example.org/in?site=west&lang=en", "url")
    assert len(check(texts_of(b, "ex.org/e"), location=loc)) == 1
    loc.intake_short_url = None
    assert len(check(texts_of(a, "ex.org/e"), location=loc)) == 1


def test_words_in_a_web_link_are_not_checked() -> None:
    assert check(texts_of(link("http://example.org", "url"), "our website")) == []


@pytest.mark.parametrize(("printed", "url"), [
    ("example.org", True), ("www.example.org/a?b=1#c", True), ("https://example.org/", True),
    ("EXAMPLE.ORG", True), ("example", False), ("example.o", False), ("example.org\n/a", True),
])
def test_looks_like_url(printed: str, url: bool) -> None:
    assert _looks_like_url(printed) is url


def test_url_text() -> None:
    assert _url_text(" HTTPS://example.org/a/ ") == "example.org/a"
    assert _url_text("example.org\n/a") == "example.org/a"


# --- e-mail -----------------------------------------------------------------------------------


def test_email() -> None:
    assert check(texts_of(link("mailto:Help@Example.org?subject=hi", "mail"),
                          "help@example.org")) == []
    (found,) = check(texts_of(link("mailto:other@example.org", "mail"), "help@example.org"))
    assert found.message == "printed e-mail help@example.org links to other@example.org"
    assert found.hint == "make the printed address and the link the same"
    assert check(texts_of(link("mailto:other@example.org", "mail"), "write to us")) == []


# --- which texts make a link ------------------------------------------------------------------


def test_each_link_once_in_order_with_its_first_place() -> None:
    a, b = link("tel:+14105550143"), link("https://example.org/x", "url")
    texts = (texts_of(a, "(410) 555-", page=2, region="back") + texts_of(b, "example.org/y")
             + texts_of(a, "0142", page=3))
    found = check(texts)
    assert [(f.message.split(" ")[0], f.page, f.region, f.text) for f in found] == [
        ("printed", 2, "back", "(410) 555-0142"), ("printed", 1, "card back", "example.org/y")]


def test_links_without_an_href_or_a_scheme() -> None:
    assert check(texts_of(link(None), "(410) 555-0142")) == []
    assert check(texts_of(link("example.org"), "example.org")) == []
    assert check(texts_of(link(" tel:+14105550143 "), "(410) 555-0142"))[0].message.endswith(
        "(tel:+14105550143)")


def test_text_before_any_link_is_not_after_it() -> None:
    a = link("tel:+1-410-555-0142;ext=12")
    texts = [text("ext. 12", block=1)] + texts_of(a, "(410) 555-0142")
    assert len(check(texts)) == 1


# --- details the mutation run asked about ---------------------------------------------------


def test_every_finding_is_of_the_links_check_at_its_link() -> None:
    found = check(
        texts_of(link("tel:+14105550143"), "(410) 555-0142", block=1)
        + texts_of(link("http://example.org/a", "url"), "example.org/a", block=2)
        + texts_of(link("https://example.org/b", "url"), "example.org/a", block=3)
        + texts_of(link("mailto:b@example.org", "mail"), "a@example.org", block=4, page=2))
    assert [f.check for f in found] == ["links"] * 4
    assert (found[3].page, found[3].element, found[3].text) == (2, "a.mail", "a@example.org")


def test_an_href_without_a_colon_has_no_scheme() -> None:
    assert check(texts_of(link("tel"), "(410) 555-0142")) == []
    assert check(texts_of(link("mailto"), "a@example.org")) == []


def test_the_scheme_ends_at_the_first_colon() -> None:
    (found,) = check(texts_of(link("https://example.org:8443/x", "url"), "example.org/y"))
    assert found.message.startswith("printed URL example.org/y is not the address")


def test_sms_links_are_checked() -> None:
    (found,) = check(texts_of(link("sms:+14105550143"), "(410) 555-0142"))
    assert found.message.startswith("printed number (410) 555-0142 does not match")


def test_email_target_ends_at_the_first_question_mark() -> None:
    a = link("mailto:a@example.org?subject=re:x?y", "mail")
    assert check(texts_of(a, "a@example.org")) == []


def test_the_short_link_of_an_intake_url_per_material() -> None:
    loc = SimpleNamespace(slug=JOB.slug, country="US", intake_short_url="https://ex.org/e",
                          intake_url="https://example.org/in?m={material}")
    a = link("https://example.org/in?m=wallet-card", "url")
    assert check(texts_of(a, "ex.org/e"), location=loc) == []


def test_a_url_ending_in_x() -> None:
    assert check(texts_of(link("https://example.org/BOX", "url"), "example.org/BOX/")) == []


def test_an_extension_among_other_parameters() -> None:
    (found,) = check(texts_of(link("tel:+1-410-555-0142;x=1;ext=7"), "(410) 555-0142"))
    assert "links to extension 7" in found.message
