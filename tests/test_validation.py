"""Bad input, through the CLI: one test per rule, each checking the exit code, the located
``FILE:LINE: column '…': message — hint`` error, that no traceback escapes, and that output/ is
left exactly as it was. Then the spreadsheet quirks that must just work."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, copy_project, manifest, pdf_text, run_cli, snapshot

from makeprint_engine.project import load_project

GOOD_SELECTION = ("-l", "east-harbor", "-m", "wallet-card", "--lang", "en")
QUICK = ("-m", "wallet-card", "--lang", "en")  # what the "must just work" tests build

HEADER = "slug,name,street,city,region,postal_code,phone,hours,services,languages"
ROW_A = "east-side,East Side Center,1 Main St,Baltimore,MD,21224,(410) 555-0142,Mon-Fri 09:00-17:00,naloxone;wound-care,en"  # noqa: E501
ROW_B = "west-side,West Side Center,2 West St,Baltimore,MD,21201,410-555-0143,24/7,,en;es"
SERVICES = (
    "naloxone",
    "syringe-services",
    "fentanyl-test-strips",
    "supervised-consumption",
    "methadone",
    "buprenorphine",
    "naltrexone",
    "alcohol-treatment",
    "counseling",
    "peer-support",
    "hiv-testing",
    "hepatitis-testing",
    "wound-care",
    "detox",
    "outpatient",
    "telehealth",
)


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project after one good, narrow build, so that output/ has files in it."""
    root = copy_project(tmp_path_factory.mktemp("prebuilt") / "proj")
    result = run_cli("build", "--project", str(root), *GOOD_SELECTION)
    assert result.exit_code == 0, result.output
    assert (root / "output" / "east-harbor" / "en" / "wallet-card.pdf").is_file()
    return root


@pytest.fixture
def proj(prebuilt: Path, tmp_path: Path) -> Path:
    """A private copy of the prebuilt project, earlier output included."""
    return Path(shutil.copytree(prebuilt, tmp_path / "proj"))


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def locations(proj: Path, *lines: str) -> Path:
    """Replace content/locations.csv with these lines."""
    return write(proj / "content" / "locations.csv", "".join(line + "\n" for line in lines))


def fails(proj: Path, *args: str) -> list[str]:
    """Build everything; expect exit 1, no traceback, output/ untouched; return the errors."""
    before = snapshot(proj / "output")
    assert before, "output/ should hold an earlier build"
    result = run_cli("build", "--project", str(proj), *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert snapshot(proj / "output") == before
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors, result.output
    return errors


def located(errors: list[str], file: str, line: int, column: str | None = None) -> re.Match[str]:
    """The one error at ``file:line`` (and column), which must carry a message and a hint."""
    field = rf" column '{re.escape(column)}':" if column else ""
    pattern = re.compile(
        rf"^error: (?:.*/)?{re.escape(file)}:{line}:{field} (?P<message>.+?) — (?P<hint>.+)$"
    )
    found = [m for m in map(pattern.match, errors) if m]
    assert len(found) == 1, f"want one error at {file}:{line} {column or ''}, got:\n" + "\n".join(
        errors
    )
    return found[0]


def builds(project: Path, *args: str) -> list[dict[str, object]]:
    """Build ``args``; expect exit 0 with no errors; return the manifest."""
    result = run_cli("build", "--project", str(project), *args)
    assert result.exit_code == 0, result.output
    assert "error" not in result.output
    assert "Traceback" not in result.output
    return manifest(project)


def built_slugs(project: Path) -> set[str]:
    files = manifest(project)
    for entry in files:
        assert (project / "output" / str(entry["path"])).is_file()
    return {str(entry["location"]) for entry in files}


# --- locations.csv: one test per rule --------------------------------------------------------


def test_missing_required_column(proj: Path) -> None:
    locations(proj, "slug,name,street,city,hours", "a,A,1 Main St,Baltimore,")
    errors = fails(proj)
    match = located(errors, "locations.csv", 1)  # the header line
    assert match["message"] == "missing required column 'phone'"
    assert "header" in match["hint"]


@pytest.mark.parametrize("blank", ["", "   "])
def test_missing_required_value(proj: Path, blank: str) -> None:
    locations(proj, HEADER, ROW_A, f"b,Second Site,{blank},Baltimore,MD,21224,(410) 555-0144,,,en")
    match = located(fails(proj), "locations.csv", 3, "street")
    assert match["message"] == "is required but empty"
    assert "street" in match["hint"]


def test_invalid_phone_in_the_spec_form(proj: Path) -> None:
    locations(proj, HEADER, ROW_A, "b,Second Site,3 Main St,Baltimore,MD,21224,555-CALL-NOW,,,en")
    errors = fails(proj)
    assert errors == [
        "error: content/locations.csv:3: column 'phone': \"555-CALL-NOW\" is not a valid phone "
        "number for US — write it like (410) 555-0142"
    ]


def test_invalid_sms_number(proj: Path) -> None:
    locations(proj, "name,street,city,phone,sms", "A,1 Main St,Baltimore,(410) 555-0142,12345")
    match = located(fails(proj), "locations.csv", 2, "sms")
    assert match["message"] == '"12345" is not a valid phone number for US'


@pytest.mark.parametrize("column", ["website", "intake_url"])
def test_url_that_is_not_https(proj: Path, column: str) -> None:
    locations(
        proj,
        "name,street,city,phone,website,intake_url",
        "A,1 Main St,Baltimore,(410) 555-0142,https://example.org/a,https://example.org/i",
        "B,2 Main St,Baltimore,(410) 555-0143,"
        + ("http://example.org/b," if column == "website" else ",http://example.org/intake"),
    )
    match = located(fails(proj), "locations.csv", 3, column)
    assert "is not an https URL" in match["message"]
    assert "https://" in match["hint"]


def test_unknown_service_lists_the_valid_ones(proj: Path) -> None:
    locations(
        proj,
        HEADER,
        ROW_A,
        "b,Second Site,3 Main St,Baltimore,MD,21224,(410) 555-0144,,naloxone;hugs,en",
    )
    match = located(fails(proj), "locations.csv", 3, "services")
    assert match["message"] == 'unknown service "hugs"'
    for service in SERVICES:
        assert service in match["hint"]


def test_unknown_language_lists_the_available_ones(proj: Path) -> None:
    locations(
        proj, HEADER, ROW_A, "b,Second Site,3 Main St,Baltimore,MD,21224,(410) 555-0144,,,en;fr"
    )
    match = located(fails(proj), "locations.csv", 3, "languages")
    assert match["message"] == 'unknown language "fr"'
    assert "en, es" in match["hint"]


def test_unknown_country(proj: Path) -> None:
    locations(
        proj,
        "name,street,city,phone,country",
        "A,1 Main St,Baltimore,(410) 555-0142,US",
        "B,2 Main St,Toronto,(416) 555-0123,XX",
    )
    match = located(fails(proj), "locations.csv", 3, "country")
    assert match["message"] == '"XX" is not a known country code'
    assert "ISO 3166-1" in match["hint"]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("Fri-Mon 09:00-17:00", 'day range "Fri-Mon" runs backwards'),
        ("Mon-Fri 9am-5pm", '"9am" is not a time'),
        ("Mon-Fri 09:00-17:00; Fri 10:00-12:00", "Fri is listed in more than one entry"),
    ],
)
def test_malformed_hours(proj: Path, hours: str, message: str) -> None:
    locations(
        proj,
        HEADER,
        ROW_A,
        f'b,Second Site,3 Main St,Baltimore,MD,21224,(410) 555-0144,"{hours}",,en',
    )
    match = located(fails(proj), "locations.csv", 3, "hours")
    assert match["message"] == message


def test_bad_slug(proj: Path) -> None:
    locations(
        proj,
        HEADER,
        ROW_A,
        "East Side!,Second Site,3 Main St,Baltimore,MD,21224,(410) 555-0144,,,en",
    )
    match = located(fails(proj), "locations.csv", 3, "slug")
    assert match["message"] == '"East Side!" is not a valid slug'
    assert "a-z" in match["hint"]


@pytest.mark.parametrize("explicit", [True, False], ids=["slug-column", "slug-from-name"])
def test_duplicate_slugs_name_both_lines(proj: Path, explicit: bool) -> None:
    slug = "east-side-center" if explicit else ""
    locations(
        proj,
        HEADER,
        f"{slug},East Side Center,1 Main St,Baltimore,MD,21224,(410) 555-0142,,,en",
        ROW_B,
        "",
        f"{slug},East Side Center,9 Other St,Baltimore,MD,21224,(410) 555-0149,,,en",
    )
    errors = fails(proj)
    assert len(errors) == 1, errors
    match = re.match(
        r"^error: content/locations\.csv:5: (?:column ')?slug'?: (.+) — (.+)$", errors[0]
    )
    assert match, errors
    assert '"east-side-center"' in match[1]
    assert "line 2" in match[1]


def test_duplicate_slug_error_uses_the_column_form(proj: Path) -> None:
    locations(proj, HEADER, ROW_A, ROW_A.replace("(410) 555-0142", "(410) 555-0149"))
    located(fails(proj), "locations.csv", 3, "slug")


@pytest.mark.parametrize(
    "content", [b"", b"\n\n   \n", b"\xef\xbb\xbf"], ids=["zero-bytes", "blank-lines", "bom-only"]
)
def test_empty_file(proj: Path, content: bytes) -> None:
    write(proj / "content" / "locations.csv", content)
    match = located(fails(proj), "locations.csv", 1)
    assert match["message"] == "no locations in file"
    assert "header row" in match["hint"]


def test_header_only(proj: Path) -> None:
    locations(proj, HEADER, "", ",,,,,,,,,")
    match = located(fails(proj), "locations.csv", 1)
    assert match["message"] == "no locations in file"


def test_unknown_column_suggests_the_closest(proj: Path) -> None:
    locations(proj, "name,street,city,phnoe,Servics", "A,1 Main St,Baltimore,(410) 555-0142,")
    errors = fails(proj)
    phnoe = [e for e in errors if "unknown column 'phnoe'" in e]
    servics = [e for e in errors if "unknown column 'servics'" in e]
    assert len(phnoe) == len(servics) == 1, errors
    assert phnoe[0].startswith("error: content/locations.csv:1: ")
    assert " — did you mean 'phone'?" in phnoe[0]
    assert " — did you mean 'services'?" in servics[0]
    assert "# " in phnoe[0]  # tells how to keep a notes column
    # phone really is missing (the misspelt column does not count as it)
    assert any("missing required column 'phone'" in e for e in errors)


def test_spreadsheet_formula(proj: Path) -> None:
    locations(
        proj,
        "name,street,city,phone,website",
        "A,1 Main St,Baltimore,(410) 555-0142,",
        'B,2 Main St,Baltimore,(410) 555-0143,"=HYPERLINK(""https://example.org"",""site"")"',
    )
    match = located(fails(proj), "locations.csv", 3, "website")
    assert "is a spreadsheet formula" in match["message"]
    assert "=HYPERLINK(" in match["message"]
    assert "values" in match["hint"].lower()


def test_field_over_its_length_limit(proj: Path) -> None:
    locations(
        proj,
        "name,street,city,region,phone",
        "A,1 Main St,Baltimore,MD,(410) 555-0142",
        f"B,2 Main St,Baltimore,{'Maryland ' * 18},(410) 555-0143",
    )
    errors = fails(proj)
    assert len(errors) == 1, errors
    match = located(errors, "locations.csv", 3, "region")
    assert match["message"] == "is 161 characters long; the limit is 160"
    assert "shorten" in match["hint"]


def test_over_long_required_field_is_not_also_reported_empty(proj: Path) -> None:
    locations(proj, "name,street,city,phone", "A" * 101 + ",1 Main St,Baltimore,(410) 555-0142")
    errors = fails(proj)
    assert len(errors) == 1, errors
    assert "the limit is 100" in errors[0]


def test_non_utf8_file(proj: Path) -> None:
    text = "name,street,city,phone\nA,1 Main St,Baltimore,(410) 555-0142\n"
    text += "Clínica Peña,2 Main St,Baltimore,(410) 555-0143\n"
    write(proj / "content" / "locations.csv", text.encode("cp1252"))
    match = located(fails(proj), "locations.csv", 3)
    assert match["message"] == "file is not UTF-8 text"
    assert "UTF-8" in match["hint"]


def test_every_bad_row_is_reported(proj: Path) -> None:
    locations(
        proj,
        HEADER,  # 1
        ROW_A,  # 2
        "b,Bad Phone,3 Main St,Baltimore,MD,21224,555-CALL-NOW,,,en",  # 3
        "",  # 4
        "c,Bad Hours,4 Main St,Baltimore,MD,21224,(410) 555-0144,Mon 9-5,,en",  # 5
        ROW_B,  # 6
        'd,"Bad Service, Multi-line\nName",5 Main St,Baltimore,MD,21224,(410) 555-0145,,hugs,en',
        "e,No City,6 Main St,,MD,21224,(410) 555-0146,,,en",  # 9
        "F!,Bad Slug,7 Main St,Baltimore,MD,21224,(410) 555-0147,,,de",  # 10
    )
    errors = fails(proj)
    assert len(errors) == 6, "\n".join(errors)
    located(errors, "locations.csv", 3, "phone")
    located(errors, "locations.csv", 5, "hours")
    located(errors, "locations.csv", 7, "services")  # the record starts on line 7
    located(errors, "locations.csv", 9, "city")
    located(errors, "locations.csv", 10, "slug")
    located(errors, "locations.csv", 10, "languages")


def test_locations_named_with_the_option_are_checked_too(proj: Path, tmp_path: Path) -> None:
    other = write(
        tmp_path / "other-sites.csv",
        HEADER + "\n" + ROW_A + "\nb,B,3 Main St,Baltimore,MD,,555-CALL-NOW,,,\n",
    )
    errors = fails(proj, "--locations", str(other))
    match = located(errors, "other-sites.csv", 3, "phone")
    assert match["message"].startswith('"555-CALL-NOW" is not a valid phone number')


def test_unclosed_quote_is_reported_as_such(proj: Path) -> None:
    locations(
        proj,
        "name,street,city,phone",
        '"A,1 Main St,Baltimore,(410) 555-0142',
        "B,2 Main St,Baltimore,(410) 555-0143",
    )
    errors = fails(proj)
    assert any("quote" in e for e in errors), errors
    assert not any("is required but empty" in e for e in errors), errors


# --- locations.yaml -----------------------------------------------------------------------

YAML_LOCATIONS = """\
# Example locations, as YAML
- slug: yaml-site
  name: "Clínica Ñandú — Peña & Hijos"
  street: 1 Main St
  city: Baltimore
  region: MD
  postal_code: "21224"
  phone: (410) 555-0142 ext. 12
  hours: 24/7
  services: [naloxone, wound-care, peer-support]
  languages: [en, es]
- name: Second YAML Site
  street: 2 Main St
  city: Baltimore
  phone: 410.555.0143
  hours: Mon-Fri 09:00-17:00; Sat 10:00-14:00
  services:
    - naloxone
    - hiv-testing
"""


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_yaml_locations_just_work(project: Path, suffix: str) -> None:
    path = write(project / "content" / f"sites{suffix}", YAML_LOCATIONS)
    files = builds(project, "--locations", str(path), *QUICK)
    assert {(e["location"], e["material"], e["lang"]) for e in files} == {
        ("yaml-site", "wallet-card", "en"),
        ("second-yaml-site", "wallet-card", "en"),
    }
    assert built_slugs(project) == {"yaml-site", "second-yaml-site"}
    text = " ".join(pdf_text(project / "output" / "yaml-site" / "en" / "wallet-card.pdf"))
    assert "(410) 555-0142" in text


def test_yaml_errors_point_at_the_line_of_the_bad_key(proj: Path) -> None:
    bad = (
        YAML_LOCATIONS.replace("phone: 410.555.0143", "phone: 555-CALL-NOW")  # line 15
        .replace("    - hiv-testing", "    - hugs")  # line 19
        .replace("hours: 24/7", "hours: Mon 25:00-26:00")
    )  # line 9
    path = write(proj / "content" / "locations.yaml", bad)
    errors = fails(proj, "--locations", str(path))
    assert len(errors) == 3, errors
    located(errors, "locations.yaml", 9, "hours")
    located(errors, "locations.yaml", 15, "phone")
    # a list value is reported at its key's line
    assert located(errors, "locations.yaml", 17, "services")["message"] == 'unknown service "hugs"'


def test_yaml_unknown_key_is_reported_at_its_line(proj: Path) -> None:
    bad = YAML_LOCATIONS.replace("  street: 2 Main St", "  stret: 2 Main St")  # line 13
    path = write(proj / "content" / "locations.yaml", bad)
    errors = fails(proj, "--locations", str(path))
    match = located(errors, "locations.yaml", 13)
    assert match["message"] == "unknown column 'stret'"
    assert "did you mean 'street'?" in match["hint"]


def test_yaml_syntax_error_is_located(proj: Path) -> None:
    bad = YAML_LOCATIONS.replace(
        "services: [naloxone, wound-care, peer-support]", "services: [naloxone, wound-care"
    )
    path = write(proj / "content" / "locations.yaml", bad)
    errors = fails(proj, "--locations", str(path))
    assert len(errors) == 1, errors
    assert re.match(r"^error: content/locations\.yaml:\d+:\d+: invalid YAML: .+ — .+", errors[0])


def test_yaml_zip_code_with_a_leading_zero_stays_text(project: Path) -> None:
    path = write(
        project / "content" / "locations.yaml",
        YAML_LOCATIONS.replace('postal_code: "21224"', "postal_code: 02134").replace(
            "region: MD", "region: MA"
        ),
    )
    loaded = load_project(project, path)
    assert loaded.locations[0].postal_code == "02134"


def test_yaml_unknown_key_does_not_hide_other_problems(proj: Path) -> None:
    bad = YAML_LOCATIONS.replace("  street: 2 Main St", "  stret: 2 Main St").replace(
        "phone: (410) 555-0142 ext. 12", "phone: 555-CALL-NOW"
    )
    path = write(proj / "content" / "locations.yaml", bad)
    errors = fails(proj, "--locations", str(path))
    located(errors, "locations.yaml", 13)
    located(errors, "locations.yaml", 8, "phone")


# --- spreadsheet exports that must just work ------------------------------------------------


def quirk(project: Path, data: str | bytes) -> set[str]:
    write(project / "content" / "locations.csv", data)
    builds(project, *QUICK)
    return built_slugs(project)


def test_utf8_with_bom(project: Path) -> None:
    data = b"\xef\xbb\xbf" + f"{HEADER}\n{ROW_A}\n".encode()
    assert quirk(project, data) == {"east-side"}


def test_crlf_line_ends(project: Path) -> None:
    data = f"{HEADER}\r\n{ROW_A}\r\n{ROW_B}\r\n".encode()
    assert quirk(project, data) == {"east-side", "west-side"}


def test_bom_and_crlf_keep_error_lines_right(proj: Path) -> None:
    data = (
        b"\xef\xbb\xbf"
        + "\r\n".join(
            [HEADER, ROW_A, "", "b,B,3 Main St,Baltimore,MD,,555-CALL-NOW,,,en", ""]
        ).encode()
    )
    write(proj / "content" / "locations.csv", data)
    located(fails(proj), "locations.csv", 4, "phone")


def test_semicolon_delimited(project: Path) -> None:
    data = (
        "slug;name;street;city;region;postal_code;phone;services;languages\n"
        'semi;Harbor, East;1 Main St;Baltimore;MD;21224;(410) 555-0142;"naloxone;wound-care";en\n'
    )
    assert quirk(project, data) == {"semi"}
    text = " ".join(pdf_text(project / "output" / "semi" / "en" / "wallet-card.pdf"))
    assert "Harbor, East" in text.replace("\xa0", " ")  # names bind their last words


def test_quoted_fields_with_commas_and_doubled_quotes(project: Path) -> None:
    data = (
        "slug,name,street,city,region,postal_code,phone\n"
        'quoted,"Clinic ""Hope"", East","1 Main St, Suite 2",Baltimore,MD,21224,'
        '"(410) 555-0142"\n'
    )
    assert quirk(project, data) == {"quoted"}
    text = " ".join(pdf_text(project / "output" / "quoted" / "en" / "wallet-card.pdf"))
    text = text.replace("\xa0", " ")  # names bind their last words
    assert 'Clinic "Hope", East' in text
    assert "1 Main St, Suite 2" in text


def test_blank_lines_and_stray_spaces(project: Path) -> None:
    data = (
        "\n\n  slug , name ,street,  city ,phone , hours\n\n"
        "  east-side ,  East Side Center  , 1 Main St ,Baltimore,  (410) 555-0142 ,"
        "  Mon-Fri 09:00-17:00  \n\n,,,,,\n"
    )
    assert quirk(project, data) == {"east-side"}


def test_header_names_in_any_case(project: Path) -> None:
    data = (
        "Slug,NAME,Street,City,Region,Postal Code,Phone,Hours,SERVICES,Languages\n" + ROW_A + "\n"
    )
    assert quirk(project, data) == {"east-side"}


def test_header_row_repeated_mid_file(project: Path) -> None:
    data = f"{HEADER}\n{ROW_A}\n{HEADER}\n{ROW_B}\n"
    assert quirk(project, data) == {"east-side", "west-side"}


def test_note_columns_are_ignored(project: Path) -> None:
    data = f"{HEADER},# note,#internal\n{ROW_A},=SUM(A1:A3) is not a formula here,{'x' * 300}\n"
    assert quirk(project, data) == {"east-side"}


# --- organization.yaml ----------------------------------------------------------------------


def org_with(proj: Path, old: str, new: str) -> int:
    """Replace ``old`` in organization.yaml; return the line it was on."""
    path = proj / "content" / "organization.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


ORG = "organization.yaml"


def test_org_bad_yaml_syntax(proj: Path) -> None:
    line = org_with(proj, "name: Harbor", "name: Harbor: bad")
    errors = fails(proj)
    assert len(errors) == 1, errors
    match = re.match(
        rf"^error: content/organization\.yaml:{line}:\d+: invalid YAML: (.+) — (.+)$", errors[0]
    )
    assert match, errors


def test_org_unknown_key(proj: Path) -> None:
    line = org_with(proj, "logo:", "font_size: 12\nlogo:")
    match = located(fails(proj), ORG, line)
    assert match["message"] == "font_size: unknown setting"
    assert "intake_url" in match["hint"] and "qr_tracking" in match["hint"]


def test_org_languages_of_the_wrong_type(proj: Path) -> None:
    line = org_with(proj, "languages: [en, es]", "languages: en")
    match = located(fails(proj), ORG, line)
    assert match["message"] == "languages: must be a list of language codes"
    assert "[en, es]" in match["hint"]


def test_org_intake_url_not_https(proj: Path) -> None:
    line = org_with(proj, "intake_url: https://", "intake_url: http://")
    match = located(fails(proj), ORG, line)
    assert match["message"].startswith("intake_url: ") and "is not an https URL" in match["message"]


def test_org_empty_intake_url_is_reported_at_its_line(proj: Path) -> None:
    line = org_with(proj, "intake_url: https://example.org/intake", "intake_url:")
    match = located(fails(proj), ORG, line)
    assert match["message"] == "intake_url: is required"


def test_org_bad_colour(proj: Path) -> None:
    line = org_with(proj, 'accent: "#F5B95F"', 'accent: "orange"')
    match = located(fails(proj), ORG, line)
    assert match["message"] == 'colors.accent: "orange" is not a colour'
    assert "#" in match["hint"]


def test_org_missing_logo_file(proj: Path) -> None:
    line = org_with(proj, "logo: logo.svg", "logo: no-such-logo.png")
    match = located(fails(proj), ORG, line)
    assert match["message"] == 'logo: "no-such-logo.png" is not a file in assets/'


def test_org_logo_outside_assets_is_refused(proj: Path) -> None:
    line = org_with(proj, "logo: logo.svg", "logo: ../content/organization.yaml")
    match = located(fails(proj), ORG, line)
    assert "is not a file in assets/" in match["message"]


def test_org_unknown_language(proj: Path) -> None:
    org_with(proj, "languages: [en, es]", "languages: [en, fr]")
    errors = fails(proj)
    assert len(errors) == 1, errors
    match = re.match(
        r"^error: content/organization\.yaml(?::\d+)?: languages: "
        r'unknown language "fr" — available languages are ([a-zA-Z-]+, )*en, es(, [a-zA-Z-]+)*$',
        errors[0],
    )
    assert match, errors


def test_org_unknown_language_is_reported_at_its_line(proj: Path) -> None:
    line = org_with(proj, "languages: [en, es]", "languages: [en, fr]")
    located(fails(proj), ORG, line)


# --- content ------------------------------------------------------------------------------


def es_flyer(proj: Path) -> Path:
    return proj / "content" / "es" / "flyer.yaml"


def test_content_key_missing_in_a_translation(proj: Path) -> None:
    path = es_flyer(proj)
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^headline:", text, re.M)
    path.write_text(re.sub(r"^headline:.*\n", "", text, flags=re.M), encoding="utf-8")
    errors = fails(proj)
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: content/es/flyer.yaml")
    assert "'headline'" in errors[0] and "'es'" in errors[0]
    assert " — " in errors[0] and "content/en/flyer.yaml" in errors[0].split(" — ", 1)[1]


def test_content_invalid_yaml(proj: Path) -> None:
    path = es_flyer(proj)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("headline:"))
    lines[number - 1] = "headline: Ayuda: sin juzgar\n"
    path.write_text("".join(lines), encoding="utf-8")
    errors = fails(proj)
    assert any(
        re.match(rf"^error: content/es/flyer\.yaml:{number}:\d+: invalid YAML: .+ — .+", e)
        for e in errors
    ), errors


def test_content_file_missing(proj: Path) -> None:
    es_flyer(proj).unlink()
    errors = fails(proj)
    assert any(e.startswith("error: content/es/flyer.yaml: file is missing — ") for e in errors), (
        errors
    )


def test_broken_content_file_gives_only_its_own_error(proj: Path) -> None:
    es_flyer(proj).unlink()
    errors = fails(proj)
    assert len(errors) == 1, errors


# --- templates: the other documents still build ---------------------------------------------


def template_fails(project: Path, old: str, new: str) -> tuple[int, list[str]]:
    path = project / "templates" / "materials" / "flyer.html"
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli(
        "build",
        "--project",
        str(project),
        "-l",
        "east-harbor",
        "--lang",
        "en",
        "-m",
        "flyer",
        "-m",
        "wallet-card",
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "1 failed" in result.output
    out = project / "output" / "east-harbor" / "en"
    assert (out / "wallet-card.pdf").is_file()  # the good material was still built
    assert not (out / "flyer.pdf").exists()
    assert {e["material"] for e in manifest(project)} == {"wallet-card"}
    return line, [line for line in result.output.splitlines() if line.startswith("error: ")]


def test_template_syntax_error_names_template_and_line(project: Path) -> None:
    line, errors = template_fails(project, "{{ t.kicker }}", "{{ t.kicker }")
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: templates/materials/flyer.html:{line}: ")
    assert "template syntax error" in errors[0]


def test_template_undefined_variable_names_template(project: Path) -> None:
    line, errors = template_fails(project, "{{ t.kicker }}", "{{ t.no_such_key }}")
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: templates/materials/flyer.html")
    assert "no_such_key" in errors[0]
    assert f"flyer.html:{line}:" in errors[0]


# --- usage ----------------------------------------------------------------------------------


def test_unknown_option_is_a_usage_error() -> None:
    result = run_cli("build", "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert "Traceback" not in result.output


def test_unknown_location_lists_the_valid_slugs(proj: Path) -> None:
    errors = fails(proj, "-l", "no-such-place")
    assert len(errors) == 1, errors
    assert '"no-such-place"' in errors[0]
    hint = errors[0].split(" — ", 1)[1]
    for slug in ("east-harbor", "riverside-clinic", "mobile-outreach"):
        assert slug in hint


def _lines(value: object) -> object:
    """A parsed YAML value with every line number it carries, to compare two parses."""
    if isinstance(value, dict):
        return (value.line, value.key_lines, {k: _lines(v) for k, v in value.items()})  # type: ignore[attr-defined]
    if isinstance(value, list):
        return (value.line, value.item_lines, [_lines(v) for v in value])  # type: ignore[attr-defined]
    return value


@pytest.mark.parametrize("as_text", [False, True])
def test_libyaml_and_pyyaml_read_every_project_file_alike(as_text: bool) -> None:
    """YAML is parsed by LibYAML for speed; values, types and every line must be PyYAML's."""
    import yaml

    from makeprint_engine import yamlsrc

    assert yamlsrc._FAST, "PyYAML is installed with LibYAML (its wheels bundle it)"
    pure = yamlsrc._TextLoader if as_text else yamlsrc._Loader
    files = sorted(REPO.glob("content/**/*.yaml")) + sorted(REPO.glob("templates/**/*.yaml"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yaml.load(text, Loader=yamlsrc._FAST[pure])  # noqa: S506
        slow = yaml.load(text, Loader=pure)  # noqa: S506
        assert _lines(fast) == _lines(slow), path


def test_yaml_errors_keep_pyyaml_s_wording() -> None:
    """LibYAML says "found character that cannot start any token"; the message names the tab."""
    from makeprint_engine.errors import MakeprintError
    from makeprint_engine.yamlsrc import parse_yaml

    with pytest.raises(MakeprintError) as caught:
        parse_yaml("name: x\n\tphone: 1\n", "org.yaml")
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (2, 1)
    assert "found character '\\t' that cannot start any token" in problem.message
