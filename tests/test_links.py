"""Intake links as programs have them: placeholders, short links, the printed-link rules, URL
break points and the QR density budget; pure first, then built documents read back."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pikepdf
import pypdfium2
import pytest
import qrcode
import qrcode.constants
import zxingcpp
from conftest import copy_project, manifest, run_cli, structure

from makeprint_engine.errors import MakeprintError
from makeprint_engine.fields import FieldError
from makeprint_engine.fingerprint import Fingerprints
from makeprint_engine.links import (
    MAX_TYPEABLE,
    break_points,
    check_intake_url,
    fill,
    printed_link,
    strip_tracking,
    tracking_names,
    tracking_on,
    typeable,
)
from makeprint_engine.options import Options
from makeprint_engine.organization import Tracking
from makeprint_engine.plan import Selection, plan_jobs
from makeprint_engine.project import load_project
from makeprint_engine.qr import (
    DROP_ORDER,
    MODULE_MM,
    QUIET_ZONE,
    QRBudgetError,
    make_qr,
    max_chars,
    modules_for,
    plan_qr,
    version_for,
)
from makeprint_engine.render import breakable_url

GF_ID = "1FAIpQLSe" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKl"  # 9 + 48 characters
GOOGLE = f"https://docs.google.com/forms/d/e/{GF_ID}/viewform?usp=sf_link"
GOOGLE_PREFILL = f"https://docs.google.com/forms/d/e/{GF_ID}/viewform?usp=pp_url&entry.1234567={{slug}}"
MICROSOFT = (
    "https://forms.office.com/Pages/ResponsePage.aspx?id="
    "DQSIkWdsW0yxEjajBLZtrQAAAAAAAAAAAAMAAMrR1ZNUMFNUSkVXOEtXVjJMTzBYR0ZQQVRCQzhIWS4u"
)
JOTFORM = "https://form.jotform.com/231234567890123"
TYPEFORM = "https://acme.typeform.com/to/AbC123xY"
SURVEYMONKEY = "https://www.surveymonkey.com/r/ABC12XY"
REDCAP = "https://redcap.someuniversity.edu/surveys/?s=ABCD1234EF"
OWN_LONG = "https://www.baltimoreharmreductioncoalition.org/get-help/intake-form/"
OWN_HOST = "https://www.baltimoreharmreductioncoalition.org/"
NAMES = tracking_names(("utm_source", "utm_medium", "utm_campaign", "utm_content"))


# --- placeholders ------------------------------------------------------------------------------


def test_placeholders_are_filled_per_document_and_url_encoded() -> None:
    url = "https://example.org/f?site={slug}&lang={lang}&m={material}#{slug}"
    assert fill(url, "east-harbor", "zh-Hans", "wallet-card") == (
        "https://example.org/f?site=east-harbor&lang=zh-Hans&m=wallet-card#east-harbor"
    )
    assert fill(url, "a b&c", "en", "x/y") == (
        "https://example.org/f?site=a%20b%26c&lang=en&m=x%2Fy#a%20b%26c"
    )
    prefilled = fill(GOOGLE_PREFILL, "van", "es", "flyer")
    assert prefilled.endswith("viewform?usp=pp_url&entry.1234567=van")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://example.org/f?site={site}", '"{site}" is not a placeholder'),
        ("https://example.org/f?site={Slug}", '"{Slug}" is not a placeholder'),
        ("https://example.org/f?site={slug", "unmatched brace"),
        ("http://example.org/f?site={slug}", "is not an https URL"),
    ],
)
def test_bad_placeholders_are_refused(url: str, message: str) -> None:
    with pytest.raises(FieldError, match=re.escape(message)):
        check_intake_url(url)


def test_every_real_shape_is_a_valid_intake_url() -> None:
    for url in (GOOGLE, GOOGLE_PREFILL, MICROSOFT, JOTFORM, TYPEFORM, SURVEYMONKEY, REDCAP,
                OWN_LONG, "https://example.org/a?b=c#frag"):
        assert check_intake_url(url) == url


def _write_locations(root: Path, rows: list[dict[str, str]]) -> Path:
    path = root / "content" / "locations.csv"
    fields = ["slug", "name", "street", "city", "region", "postal_code", "phone"]
    fields += sorted({k for row in rows for k in row} - set(fields))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for i, row in enumerate(rows):
            base = {"name": f"Site {i}", "street": "1 Main St", "city": "Baltimore",
                    "region": "MD", "postal_code": "21201", "phone": f"(410) 555-01{i:02d}"}
            writer.writerow(base | row)
    return path


def _problems(root: Path) -> list[str]:
    with pytest.raises(MakeprintError) as info:
        load_project(root)
    return [str(p) for p in info.value.problems]


def test_unknown_placeholder_names_file_line_and_field(project: Path) -> None:
    _write_locations(project, [
        {"slug": "a", "intake_url": "https://example.org/f"},
        {"slug": "b", "intake_url": "https://example.org/f?site={site}"},
    ])
    assert _problems(project) == [
        "content/locations.csv:3: column 'intake_url': \"{site}\" is not a placeholder — "
        "placeholders are {slug}, {lang}, {material}, filled per document "
        "(e.g. ...viewform?entry.123456={slug})"
    ]


def test_unknown_placeholder_in_organization_yaml(project: Path) -> None:
    org = project / "content" / "organization.yaml"
    text = org.read_text(encoding="utf-8").replace(
        "intake_url: https://example.org/intake ", "intake_url: https://example.org/i?x={where}")
    org.write_text(text, encoding="utf-8")
    problems = _problems(project)
    assert problems[0].startswith(
        "content/organization.yaml:5: intake_url: \"{where}\" is not a placeholder")


def test_intake_url_may_be_2000_characters_and_the_qr_budget_says_how_many_fit(
    project: Path,
) -> None:
    long_url = "https://example.org/f?q=" + "a" * (2000 - 24)
    _write_locations(project, [{"slug": "long", "intake_url": long_url, "languages": "en"}])
    problems = _problems(project)
    # No material's code holds it: one error when the project loads, naming the material
    # that allows the most characters.
    assert max_chars(33) < max_chars(40) < max_chars(50) == 560
    assert problems == [
        "content/locations.csv:2: column 'intake_url': is too long for a QR code on the "
        "flyer of 'long': 2000 characters (tracking left out), and a code of at most "
        "50 mm with modules of 0.5 mm holds 560 — shorten it to at most 560 characters "
        "(the form service's own shorter address, or fewer pre-filled answers)"
    ]
    _write_locations(project, [{"slug": "long", "intake_url": long_url + "a"}])
    assert _problems(project) == [
        "content/locations.csv:2: column 'intake_url': is 2001 characters long; the limit is "
        "2000 — shorten it so it fits on a printed card"
    ]


def test_skip_invalid_leaves_out_a_location_whose_url_no_code_holds(project: Path) -> None:
    _write_locations(project, [
        {"slug": "ok", "intake_url": GOOGLE},
        {"slug": "long", "intake_url": "https://example.org/f?q=" + "a" * 600},
    ])
    loaded = load_project(project, skip_invalid=True)
    assert [loc.slug for loc in loaded.locations] == ["ok"]
    assert [(p.line, p.key) for p in loaded.invalid] == [(3, "intake_url")]


def test_a_url_only_some_materials_cannot_hold_fails_those_documents_alone(
    project: Path,
) -> None:
    url = "https://example.org/f?q=" + "a" * (250 - 24)  # card: 213 at most; pamphlet: 331
    _write_locations(project, [{"slug": "long", "intake_url": url, "languages": "en"}])
    result = run_cli("build", "--project", str(project), "-l", "long",
                     "-m", "wallet-card", "-m", "pamphlet")
    assert result.exit_code == 1
    assert (
        "content/locations.csv:2: column 'intake_url': is too long for a QR code on the "
        "wallet-card of 'long': 250 characters (tracking left out), and a code of at most "
        "33 mm with modules of 0.5 mm holds 213 — shorten it to at most 213 characters"
    ) in result.output
    assert [(e["material"], e["qr_url"]) for e in manifest(project)] == [("pamphlet", url)]
    assert not (project / "output" / "long" / "en" / "wallet-card.pdf").exists()
    check = run_cli("check", "--project", str(project), "-l", "long")
    assert check.exit_code == 1
    errors = [line for line in check.output.splitlines() if line.startswith("error")]
    assert errors == [  # the card and the kit label (both at most 33 mm); nothing else
        f"error: content/locations.csv:2: long / en / {material}: column 'intake_url': is too "
        f"long for a QR code on the {material} of 'long': 250 characters (tracking left out), "
        "and a code of at most 33 mm with modules of 0.5 mm holds 213 — shorten it to at most "
        "213 characters (the form service's own shorter address, or fewer pre-filled answers)"
        for material in ("kit-label", "wallet-card")
    ]


def test_qr_tracking_column_must_be_on_or_off(project: Path) -> None:
    _write_locations(project, [{"slug": "a", "qr_tracking": "maybe"}])
    assert _problems(project) == [
        "content/locations.csv:2: column 'qr_tracking': \"maybe\" is not on or off — "
        "write on or off (or leave it empty)"
    ]


# --- tracking and the printed-link rules -------------------------------------------------------


def test_strip_tracking_keeps_everything_else_as_written() -> None:
    assert strip_tracking(GOOGLE, NAMES).endswith("/viewform")
    prefill = fill(GOOGLE_PREFILL, "van", "en", "flyer")
    assert strip_tracking(prefill, NAMES) == prefill  # usp=pp_url is the pre-fill switch
    url = "https://example.org/f?site=a%2Fb&utm_source=flyer&fbclid=x&Keep=1#top"
    assert strip_tracking(url, NAMES) == "https://example.org/f?site=a%2Fb&Keep=1#top"
    assert strip_tracking("https://example.org/f?src=x", tracking_names(("src",))) == (
        "https://example.org/f"
    )


@pytest.mark.parametrize(
    ("url", "short", "website", "expected"),
    [
        (GOOGLE, None, None, None),
        (GOOGLE, None, "https://example.org/", ("example.org", "website")),
        (GOOGLE, "https://forms.gle/AbCdEf12345", None, ("forms.gle/AbCdEf12345", "intake")),
        (MICROSOFT, None, None, None),
        (MICROSOFT, "https://go.example.org/intake", None, ("go.example.org/intake", "intake")),
        (JOTFORM, None, None, ("form.jotform.com/231234567890123", "intake")),
        (TYPEFORM, None, None, ("acme.typeform.com/to/AbC123xY", "intake")),
        (SURVEYMONKEY, None, None, ("www.surveymonkey.com/r/ABC12XY", "intake")),
        (REDCAP, None, "https://example.org", ("example.org", "website")),
        (OWN_LONG, None, OWN_HOST, ("www.baltimoreharmreductioncoalition.org", "website")),
        (OWN_HOST, None, None, ("www.baltimoreharmreductioncoalition.org", "intake")),
        ("https://example.org/intake?site=east-harbor&utm_source=flyer", None, None,
         ("example.org/intake?site=east-harbor", "intake")),
    ],
)
def test_printed_link_rules_with_real_shapes(
    url: str, short: str | None, website: str | None, expected: tuple[str, str] | None
) -> None:
    link = printed_link(url, short, website, NAMES)
    if expected is None:
        assert link is None
        return
    assert link is not None
    assert (link.text, link.kind) == expected
    # Never a truncated link: the text is one of the addresses, whole, without its scheme.
    whole = {urlsplit(u).netloc + urlsplit(u).path.rstrip("/") for u in (short, website) if u}
    bare = strip_tracking(url, NAMES).split("://")[1].rstrip("/")
    assert link.text in whole or link.text == bare
    assert link.href == (website if link.kind == "website" else url)


def test_typeable_means_short_and_without_opaque_ids() -> None:
    assert typeable("a" * MAX_TYPEABLE.__index__())
    assert not typeable("a" * (MAX_TYPEABLE + 1))
    assert not typeable(f"docs.google.com/forms/d/e/{GF_ID}")
    assert not typeable("example.org/f?id=x7Kq2ZpL9mWcx7Kq2ZpL")  # 20 letters and digits
    assert not typeable("example.org/f?id=AbCdEfGhIjKlAbCdEfGh")  # 20 of mixed case
    assert typeable("forms.gle/QuXlDx35FYnDd3yHW")  # a short link's 17-character id
    assert typeable("example.org/intake?site=harbor-house-phoenix")  # 44: "about 40"
    assert typeable("example.org/get-help/intake")
    assert not typeable("example.org/1234567890123456")  # 16 digits
    assert not typeable("example.org/caf%C3%A9")


def test_tracking_is_off_with_placeholders_unless_the_location_asks() -> None:
    assert tracking_on(None, "https://example.org/f", True)
    assert not tracking_on(None, "https://example.org/f?site={slug}", True)
    assert tracking_on(True, "https://example.org/f?site={slug}", True)
    assert not tracking_on(False, "https://example.org/f", True)
    assert not tracking_on(None, "https://example.org/f", False)


# --- break points ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("www.baltimoreharmreductioncoalition.org",
         ["www", ".baltimoreharmreductioncoalition", ".org"]),
        ("forms.gle/AbCdEf12345", ["forms", ".gle/", "AbCdEf12345"]),
        ("example.org/intake?site=east-harbor",
         ["example", ".org/", "intake", "?site", "=", "east", "-harbor"]),
        ("a.b/c_d%20e#f&g=h", ["a", ".b/", "c", "_d", "%20e", "#f", "&", "g", "=", "h"]),
        ("x//y", ["x//", "y"]),
        ("", []),
    ],
)
def test_break_points(text: str, pieces: list[str]) -> None:
    assert break_points(text) == pieces


@pytest.mark.parametrize("url", [GOOGLE, MICROSOFT, JOTFORM, TYPEFORM, SURVEYMONKEY, REDCAP,
                                 OWN_LONG])
def test_break_points_of_real_shapes_keep_every_character_and_every_label(url: str) -> None:
    text = url.split("://")[1]
    pieces = break_points(text)
    assert "".join(pieces) == text
    for label in re.split(r"[./?#=&_%-]", text):
        assert any(label in piece for piece in pieces)  # a label is never cut
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert before.endswith("/") or after[0] in ".?#-_%=&" or before[-1] in "=&"


def test_breakable_url_is_nowrap_pieces_joined_by_wbr_without_hyphens() -> None:
    html = str(breakable_url("www.example-site.org/a?b=c"))
    assert html == (
        '<span class="nobr">www</span><wbr><span class="nobr">.example</span><wbr>'
        '<span class="nobr">-site</span><wbr><span class="nobr">.org/</span><wbr>'
        '<span class="nobr">a</span><wbr><span class="nobr">?b</span><wbr>'
        '<span class="nobr">=</span><wbr><span class="nobr">c</span>'
    )
    assert "&shy;" not in html and "\u00ad" not in html
    css = (Path(__file__).parent.parent / "templates" / "styles" / "base.css").read_text()
    assert re.search(r"\.link \{[^}]*hyphens: manual", css)


# --- the QR density budget ---------------------------------------------------------------------


def test_version_for_is_what_qrcode_chooses() -> None:
    for length in [*range(1, 200), *range(200, 2300, 37)]:
        url = "https://example.org/" + "a" * max(0, length - 20)
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(url.encode(), optimize=0)
        code.best_fit()
        assert version_for(url) == code.version, length
    assert make_qr(GOOGLE).modules == modules_for(GOOGLE)


def test_tracking_is_dropped_least_useful_first() -> None:
    assert DROP_ORDER == ("medium", "content", "source", "campaign")
    plans = [plan_qr(f"https://example.org/{'x' * n}?usp=sf_link", Tracking(), "flyer",
                     "east-harbor", "es", 30, 50) for n in range(0, 160)]
    seen = []
    for plan in plans:
        if plan.dropped not in seen:
            seen.append(plan.dropped)
        names = {k for k, _ in parse_qsl(urlsplit(plan.url).query)}
        expected = {"utm_medium", "utm_content", "utm_source", "utm_campaign"}
        expected -= {f"utm_{step}" for step in plan.dropped}
        assert names - {"usp"} == expected
        assert "usp" in names  # the intake URL's own parameters are never dropped
        assert plan.size_mm / (plan.modules + 2 * QUIET_ZONE) >= MODULE_MM
    # Every step of the order is taken, in order, before the code grows.
    assert seen == [tuple(DROP_ORDER[:i]) for i in range(len(DROP_ORDER) + 1)]
    grown = [p for p in plans if p.size_mm > 30]
    assert grown and all(p.dropped == DROP_ORDER for p in grown)
    assert all(p.size_mm == 30 for p in plans if p.dropped != DROP_ORDER)


def test_a_google_forms_prefill_grows_the_card_code_within_its_room() -> None:
    url = fill(GOOGLE_PREFILL, "east-harbor", "en", "wallet-card")
    assert len(url) == 137
    plan = plan_qr(url, Tracking(), "wallet-card", "east-harbor", "en", 20, 33, track=False)
    assert plan.url == url
    assert plan.modules == 49  # version 8
    assert plan.size_mm == (49 + 8) * 0.5 == 28.5
    assert max_chars(33) == 213
    plan_qr(url + "y" * 76, Tracking(), "wallet-card", "s", "en", 20, 33)  # 213: still fits
    with pytest.raises(QRBudgetError) as info:
        plan_qr(url + "y" * 77, Tracking(), "wallet-card", "s", "en", 20, 33)
    assert info.value.limit == 213


def test_a_short_url_keeps_all_its_tracking_on_the_flyer() -> None:
    plan = plan_qr("https://forms.gle/AbCdEf12345", Tracking(), "flyer", "van", "en", 30, 50)
    assert plan.dropped == ()
    assert plan.url == ("https://forms.gle/AbCdEf12345?utm_source=flyer&utm_medium=print"
                        "&utm_campaign=van&utm_content=en")
    assert plan.size_mm == 30


# --- project level: warnings, fingerprints ---------------------------------------------------


def test_check_warns_once_per_location_without_a_typeable_link(project: Path) -> None:
    _write_locations(project, [
        {"slug": "gforms", "intake_url": GOOGLE, "languages": "en;es"},
        {"slug": "gshort", "intake_url": GOOGLE, "intake_short_url": "https://forms.gle/AbC12"},
        {"slug": "jot", "intake_url": JOTFORM},
    ])
    warnings = [str(w) for w in load_project(project).warnings if w.key == "intake_url"]
    assert warnings == [
        "content/locations.csv:2: column 'intake_url': the intake link is too long or too "
        "hard to type to print: the gforms QR code opens it, and its materials print the "
        "website example.org instead — add intake_short_url: the short link your form service "
        "makes (forms.gle/…) or one on your own short domain"
    ]


def test_fingerprints_change_with_every_link_input(project: Path) -> None:
    def prints() -> dict[str, str]:
        proj = load_project(project)
        fps = Fingerprints(proj, Options())
        return {j.relpath: fps.job(j) for j in plan_jobs(proj, Selection(locations=("a",)))}

    rows = [{"slug": "a", "intake_url": GOOGLE, "languages": "en"}]
    _write_locations(project, rows)
    before = prints()
    changes = [
        {"intake_short_url": "https://forms.gle/AbC12"},
        {"qr_tracking": "off"},
        {"intake_url": GOOGLE_PREFILL},
    ]
    for change in changes:
        _write_locations(project, [rows[0] | change])
        after = prints()
        assert all(after[k] != before[k] for k in before), change
    _write_locations(project, rows)
    assert prints() == before
    card = project / "templates" / "materials" / "wallet-card.yaml"
    card.write_text(card.read_text().replace("qr_max_mm: 33", "qr_max_mm: 32"))
    after = prints()
    assert after["a/en/wallet-card.pdf"] != before["a/en/wallet-card.pdf"]
    assert after["a/en/flyer.pdf"] == before["a/en/flyer.pdf"]


def test_qr_max_mm_below_qr_min_mm_is_refused(project: Path) -> None:
    card = project / "templates" / "materials" / "wallet-card.yaml"
    card.write_text(card.read_text().replace("qr_max_mm: 33", "qr_max_mm: 19"))
    problems = _problems(project)
    assert problems == [
        "templates/materials/wallet-card.yaml:5: qr_max_mm: is less than qr_min_mm (20) — "
        "the widest QR code the layout holds, at least qr_min_mm"
    ]


# --- built documents ---------------------------------------------------------------------------

DPI = 600


def _qr_codes(pdf: Path) -> list[tuple[str, float]]:
    """(text, module size in mm) of every QR code in ``pdf``, measured at DPI."""
    found = []
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        for page in doc:
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                xs = [p.x for p in (code.position.top_left, code.position.top_right,
                                    code.position.bottom_right, code.position.bottom_left)]
                modules = 17 + 4 * version_for(code.text)
                found.append((code.text, (max(xs) - min(xs) + 1) / modules * 25.4 / DPI))
    finally:
        doc.close()
    return found


def _lines(pdf: Path) -> list[str]:
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()
    return [line.strip().replace("\ufffe", "").replace("\u2066", "").replace("\u2069", "")
            for line in re.split(r"\r?\n", text)]


@pytest.fixture(scope="module")
def link_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("links") / "proj")
    _write_locations(root, [
        {"slug": "gforms", "intake_url": GOOGLE_PREFILL, "languages": "en"},
        {"slug": "gshort", "intake_url": GOOGLE_PREFILL, "languages": "en",
         "intake_short_url": "https://forms.gle/AbCdEf12345"},
        {"slug": "longhost", "intake_url": OWN_LONG, "website": OWN_HOST, "languages": "en",
         "qr_tracking": "off"},
    ])
    result = run_cli("build", "--project", str(root), "-m", "wallet-card", "-m", "flyer",
                     "-l", "gforms", "-l", "gshort")
    assert result.exit_code == 0, result.output
    # The wallet card's link column (the code's width) cannot hold a 31-letter host label at
    # 8 pt: that is copyfitting's to solve. The flyer's website line can, broken before a dot.
    result = run_cli("build", "--project", str(root), "-m", "flyer", "-l", "longhost")
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize(
    ("slug", "material"),
    [("gforms", "wallet-card"), ("gforms", "flyer"), ("gshort", "wallet-card"),
     ("gshort", "flyer"), ("longhost", "flyer")],
)
def test_built_codes_open_the_filled_url_with_modules_of_half_a_millimetre(
    link_build: Path, slug: str, material: str
) -> None:
    entry = next(
        e for e in manifest(link_build)
        if (e["location"], e["material"], e["variant"]) == (slug, material, "single")
    )
    url = fill(GOOGLE_PREFILL if slug != "longhost" else OWN_LONG, slug, "en", material)
    assert entry["qr_url"] == url  # placeholders filled; no tracking with a placeholder or off
    codes = _qr_codes(link_build / "output" / str(entry["path"]))
    assert [text for text, _ in codes] == [url]
    assert codes[0][1] >= 0.5 - 0.01


@pytest.mark.parametrize(
    ("slug", "printed"),
    [("gforms", "example.org"), ("gshort", "forms.gle/AbCdEf12345")],
)
def test_built_card_prints_the_link_the_rules_say(
    link_build: Path, slug: str, printed: str
) -> None:
    lines = _lines(link_build / "output" / slug / "en" / "wallet-card.pdf")
    text = "".join(lines)
    assert printed in text
    assert "docs.google.com" not in text
    assert not any(line.endswith("-") for line in lines if "forms" in line)
    # The code's alt text names the printed intake link, or (none printed) the form's host.
    with pikepdf.open(link_build / "output" / slug / "en" / "wallet-card.pdf") as pdf:
        alts = [alt for kind, alt in structure(pdf) if kind == "/Figure" and alt]
    host = printed if slug == "gshort" else "docs.google.com"
    assert [alt for alt in alts if "QR" in alt] == [f"QR code that opens the intake form at {host}"]


def test_long_host_breaks_before_a_dot_never_inside_a_label(link_build: Path) -> None:
    # The intake URL is too long to type, so the flyer prints the website (once: its contact
    # line) in a column too narrow for the whole host at 10.5 pt.
    lines = _lines(link_build / "output" / "longhost" / "en" / "flyer.pdf")
    assert not any("get-help" in line for line in lines)
    start = next(i for i, line in enumerate(lines) if "www" in line)
    assert sum("baltimoreharmreductioncoalition" in line for line in lines) == 1
    pieces = []
    for line in [lines[start][lines[start].index("www"):], *lines[start + 1:]]:
        # Only the link's words: the QR column's heading may share a line's baseline.
        pieces.append(line.split()[0] if line.split() else line)
        if "".join(pieces) == "www.baltimoreharmreductioncoalition.org":
            break
    else:
        raise AssertionError(lines[start:start + 3])
    assert len(pieces) >= 2  # it does not fit on one line of the flyer's column
    assert all(p.startswith(".") for p in pieces[1:])
    labels = {"www", "baltimoreharmreductioncoalition", "org"}
    assert all(set(p.split(".")) - {""} <= labels for p in pieces)  # whole labels only
