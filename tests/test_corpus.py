"""The corpus of broken inputs: every file under tests/corpus/ has exactly one defect (or one
spreadsheet quirk that must just work). Each is put into a copy of the sample project that has
already built a document, and the build must give the exact exit code, an error naming the
file and line (and field) with a fix after " — ", no traceback, and leave output/ as it was.

To add a case: put the file in tests/corpus/ and a row in CASES."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from conftest import copy_project, manifest, run_cli, snapshot

CORPUS = Path(__file__).parent / "corpus"
SELECTION = ("-l", "east-harbor", "--lang", "en", "-m", "wallet-card", "-j", "1")

LOCATIONS = "content/locations.csv"
SITES_YAML = "content/sites.yaml"  # built with --locations
SITES_ODS = "content/sites.ods"  # built with --locations; made by tests/spreadsheets.py
ORG = "content/organization.yaml"
ES_CARD = "content/es/wallet-card.yaml"
ES_LANGUAGE = "content/es/language.yaml"
HOTLINES = "content/hotlines.yaml"
TEMPLATE = "templates/materials/wallet-card.html"
MATERIAL = "templates/materials/wallet-card.yaml"
STYLESHEET = "templates/styles/wallet-card.css"
WRITTEN = "files written to"  # the summary of a build that worked
LOCATED = re.compile(r"^(\S+?(?::\d+)+|\S+, sheet '[^']+', row \d+): (.+)$")

# file in tests/corpus/, where it goes in the project, exit code, what the output must say
# fmt: off
CASES: list[tuple[str, str, int, str]] = [
    # --- locations.csv: every validation rule ------------------------------------------------
    ("loc-missing-column.csv", LOCATIONS, 1,
     "content/locations.csv:1: missing required column 'phone' — add it"),
    ("loc-unknown-column.csv", LOCATIONS, 1,
     "content/locations.csv:1: unknown column 'zip_code' — did you mean 'postal_code'?"),
    ("loc-duplicate-column.csv", LOCATIONS, 1,
     "content/locations.csv:1: column 'city' appears twice — keep one"),
    ("loc-required-empty.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'street': is required but empty — fill in the street"),
    ("loc-bad-phone.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'phone': \"555-CALL-NOW\" is not a valid phone number "
     "for US — write it like (410) 555-0142"),
    ("loc-bad-sms.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'sms': \"12345\" is not a valid phone number for US — "),
    ("loc-intake-not-https.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'intake_url': \"http://example.org/intake\" is not an "
     "https URL — write the full address"),
    ("loc-url-with-space.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'website': \"https://example.org/river side\" contains "
     "spaces — encode spaces as %20"),
    ("loc-bad-email.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'email': \"help(at)example.org\" is not an e-mail "
     "address — write it like help@example.org"),
    ("loc-bad-country.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'country': \"XX\" is not a known country code — "),
    ("loc-bad-slug.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'slug': \"Riverside Clinic!\" is not a valid slug — "),
    ("loc-duplicate-slug.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'slug': duplicate slug \"east-harbor\" (also on line 2) "
     "— give one of the two a different slug"),
    ("loc-name-without-slug.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'slug': cannot make a slug from the name \"!!!\" — "),
    ("loc-unknown-service.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'services': unknown service \"hugs\" — valid services "
     "are naloxone"),
    ("loc-unknown-language.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'languages': unknown language \"fr\" — available "
     "languages are"),
    ("loc-hours-backwards.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'hours': day range \"Fri-Mon\" runs backwards — "),
    ("loc-hours-not-a-time.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'hours': \"9am\" is not a time — write times as HH:MM"),
    ("loc-hours-day-twice.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'hours': Fri is listed in more than one entry — "),
    ("loc-name-too-long.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'name': is 105 characters long; the limit is 100 — "
     "shorten it"),
    ("loc-control-character.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'street': contains control characters — retype"),
    ("loc-noncharacter.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'name': contains U+FFFE, which is not a character — "),
    ("loc-invisible-name.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'name': has no visible characters — type the text"),
    ("loc-extra-cells.csv", LOCATIONS, 1,
     "content/locations.csv:3: row has 15 cells but the header has 14 — quote values"),
    ("loc-unclosed-quote.csv", LOCATIONS, 1,
     "content/locations.csv:3: cannot read CSV: unexpected end of data — check for an "
     "unclosed quote"),
    ("loc-header-only.csv", LOCATIONS, 1,
     "content/locations.csv:1: no locations in file — add a header row"),
    # --- spreadsheet quirks: refused with the fix, or just working ------------------------------
    ("loc-formula.csv", LOCATIONS, 1,
     "content/locations.csv:3: column 'website': \"=HYPERLINK(\"https://example.org/river\""
     ",\"\" is a spreadsheet formula, not a value — paste values only"),
    ("loc-windows-1252.csv", LOCATIONS, 1,
     "content/locations.csv:3: file is not UTF-8 text — save it as 'CSV UTF-8'"),
    ("ok-bom.csv", LOCATIONS, 0, WRITTEN),
    ("ok-crlf.csv", LOCATIONS, 0, WRITTEN),
    ("ok-semicolon.csv", LOCATIONS, 0, WRITTEN),
    ("ok-blank-lines.csv", LOCATIONS, 0, WRITTEN),
    ("ok-stray-spaces.csv", LOCATIONS, 0, WRITTEN),
    ("ok-header-repeated.csv", LOCATIONS, 0, WRITTEN),
    ("ok-note-column.csv", LOCATIONS, 0, WRITTEN),
    # --- locations as YAML ------------------------------------------------------------------
    ("loc-yaml-syntax.yaml", SITES_YAML, 1,
     "content/sites.yaml:7:1: invalid YAML: expected ',' or ']', but got '<stream end>' — "),
    ("loc-yaml-not-a-list.yaml", SITES_YAML, 1,
     "content/sites.yaml:1: must be a list of locations — start each location with"),
    ("loc-yaml-unknown-key.yaml", SITES_YAML, 1,
     "content/sites.yaml:3: unknown column 'stret' — did you mean 'street'?"),
    # --- locations as a spreadsheet --------------------------------------------------------
    ("loc-sheet-hours-as-time.ods", SITES_ODS, 1,
     "content/sites.ods, sheet 'Sites', row 3: column 'hours': the cell holds a time (09:00), "
     "not opening hours — format the column as Text"),
    ("ok-sheet-numbers.ods", SITES_ODS, 0, WRITTEN),
    # --- organization.yaml ----------------------------------------------------------------------
    ("org-bad-yaml.yaml", ORG, 1,
     "content/organization.yaml:3:13: invalid YAML: mapping values are not allowed here — "
     "check the indentation"),
    ("org-tab-indent.yaml", ORG, 1,
     "content/organization.yaml:11:1: invalid YAML: found character '\\t' that cannot start "
     "any token — "),
    ("org-duplicate-key.yaml", ORG, 1,
     "content/organization.yaml:7:1: invalid YAML: duplicate key 'paper' — "),
    ("org-not-a-mapping.yaml", ORG, 1,
     "content/organization.yaml:1: must be a mapping of settings — start with lines like"),
    ("org-unknown-key.yaml", ORG, 1,
     "content/organization.yaml:14: font_size: unknown setting — valid settings are"),
    ("org-name-is-a-list.yaml", ORG, 1,
     "content/organization.yaml:3: name: must be text, not a list — write one value"),
    ("org-languages-not-a-list.yaml", ORG, 1,
     "content/organization.yaml:8: languages: must be a list of language codes — write it "
     "like: languages: [en, es]"),
    ("org-bad-paper.yaml", ORG, 1,
     "content/organization.yaml:6: paper: \"tabloid\" is not a paper size — use letter or a4"),
    ("org-bad-colour.yaml", ORG, 1,
     "content/organization.yaml:11: colors.accent: \"orange\" is not a colour — write it as"),
    ("org-logo-outside-assets.yaml", ORG, 1,
     "content/organization.yaml:14: logo: \"../content/organization.yaml\" is not a file in "
     "assets/ — put the logo under assets/"),
    ("org-intake-not-https.yaml", ORG, 1,
     "content/organization.yaml:5: intake_url: \"http://example.org/intake\" is not an https "
     "URL — "),
    ("org-unknown-language.yaml", ORG, 1,
     "content/organization.yaml:8: languages: unknown language \"fr\" — available languages"),
    ("org-windows-1252.yaml", ORG, 1,
     "content/organization.yaml:3: file is not UTF-8 text — save it with UTF-8 encoding"),
    # --- content ----------------------------------------------------------------------------
    ("content-missing-key.yaml", ES_CARD, 1,
     "content/es/wallet-card.yaml:1: key 'front.heading' is missing for language 'es' — add "
     "it, translated from content/en/wallet-card.yaml"),
    ("content-invalid-yaml.yaml", ES_CARD, 1,
     "content/es/wallet-card.yaml:3:30: invalid YAML: mapping values are not allowed here — "),
    ("content-unclosed-quote.yaml", ES_CARD, 1,
     "content/es/wallet-card.yaml:13:8: invalid YAML: expected <block end>, but found "
     "'<scalar>' — "),
    ("content-not-a-mapping.yaml", ES_CARD, 1,
     "content/es/wallet-card.yaml:1: must be a mapping of keys to text — give it the same keys"),
    ("language-bad-status.yaml", ES_LANGUAGE, 1,
     "content/es/language.yaml:6: status: \"final\" is not a translation status — use source, "
     "reviewed, draft"),
    ("language-bad-locale.yaml", ES_LANGUAGE, 1,
     "content/es/language.yaml:4: locale: \"xx_QQ\" is not a known locale — e.g. en_US"),
    ("hotlines-no-number.yaml", HOTLINES, 1,
     "content/hotlines.yaml:4: crisis: needs a number — write it like: number:"),
    # --- templates, stylesheets, material descriptions -------------------------------------
    ("tpl-syntax-error.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:9: template syntax error: unexpected '}' — fix"),
    ("tpl-unclosed-block.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:12: template syntax error: Encountered unknown tag "
     "'endblock'."),
    ("tpl-undefined-variable.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:9: template uses something undefined: "),
    ("tpl-unknown-filter.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:9: template error: TemplateRuntimeError: No filter "
     "named 'shout' found. — fix the template"),
    ("tpl-missing-include.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:9: template not found: "
     "'partials/no-such-partial.html' not found"),
    ("tpl-python-internals.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:9: template error: SecurityError: access to "
     "attribute '__class__' of 'dict' object is unsafe."),
    ("tpl-reads-etc-passwd.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:9: east-harbor / en / wallet-card: refused to load "
     "file:///etc/passwd: outside the project's templates/, assets/ and content/ folders — "),
    ("tpl-network-image.html", TEMPLATE, 1,
     "templates/materials/wallet-card.html:9: east-harbor / en / wallet-card: refused to load "
     "http://127.0.0.1:9/logo.png: makeprint renders offline"),
    ("css-import-outside.css", STYLESHEET, 1,
     "templates/styles/wallet-card.css:2: stylesheets for wallet-card: refused to load file://"),
    ("css-font-from-etc.css", STYLESHEET, 1,
     "templates/styles/wallet-card.css:2: stylesheets for wallet-card: refused to load "
     "file:///etc/passwd: outside the project"),
    ("css-background-network.css", STYLESHEET, 1,
     "templates/styles/wallet-card.css:37: east-harbor / en / wallet-card: refused to load "
     "https://example.org/bg.png: makeprint renders offline"),
    ("material-pages-not-a-number.yaml", MATERIAL, 1,
     "templates/materials/wallet-card.yaml:2: pages: \"two\" is not a number — write a number"),
]
# fmt: on


def test_every_corpus_file_has_a_row() -> None:
    files = sorted(p.name for p in CORPUS.iterdir())
    assert len(files) >= 30
    assert sorted(case[0] for case in CASES) == files


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project after one small good build, so that output/ has files to keep."""
    root = copy_project(tmp_path_factory.mktemp("corpus") / "proj")
    result = run_cli("build", "--project", str(root), *SELECTION)
    assert result.exit_code == 0, result.output
    return root


def kept(output: Path) -> dict[str, bytes]:
    """output/ as a reader sees it. The build's private up-to-date cache (.cache/) is left
    out: it forgets a document that failed, so the document is rendered again next time."""
    return {k: v for k, v in snapshot(output).items() if not k.startswith(".cache/")}


@pytest.mark.parametrize(("name", "dest", "code", "expected"), CASES, ids=[c[0] for c in CASES])
def test_corpus(
    prebuilt: Path, tmp_path: Path, name: str, dest: str, code: int, expected: str
) -> None:
    project = Path(shutil.copytree(prebuilt, tmp_path / "proj"))
    before = kept(project / "output")
    target = project / dest
    shutil.copyfile(CORPUS / name, target)
    extra = ("--locations", str(target)) if dest in (SITES_YAML, SITES_ODS) else ()

    result = run_cli("build", "--project", str(project), *extra, *SELECTION)

    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    if code == 0:
        assert expected in result.output, result.output
        assert not errors, errors
        for entry in manifest(project):
            data = (project / "output" / str(entry["path"])).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert {e["location"] for e in manifest(project)} == {"east-harbor"}
        return
    # "FILE:LINE[:COLUMN]: message": the place first; the document may be named after it
    place, message = LOCATED.match(expected).groups()  # type: ignore[union-attr]
    found = [e for e in errors if e.startswith(f"error: {place}: ") and message in e]
    assert len(found) == 1, f"want one error at {place} saying {message!r}:\n" + "\n".join(errors)
    assert " — " in found[0], f"no fix offered: {found[0]}"
    assert kept(project / "output") == before, "output/ changed"
