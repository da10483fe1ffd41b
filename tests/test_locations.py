"""Reading and validating locations files on their own: small CSV, YAML and spreadsheet files
in tmp_path read with ``read_locations``, every problem compared whole. No project is loaded
and nothing is rendered (the mutation guards of ``locations``; test_validation.py and
test_spreadsheets.py go through the CLI)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from spreadsheets import write_xlsx

from makeprint_engine import locations as L
from makeprint_engine.errors import MakeprintError, Problem
from makeprint_engine.fields import parse_phone
from makeprint_engine.locations import (
    COLUMNS,
    SERVICES,
    Location,
    _cell_text,
    _noncharacter,
    _on_off,
    _sniff_delimiter,
    _split,
    _us_zip,
    load_locations,
    location_from_fields,
    read_locations,
)
from makeprint_engine.organization import Organization, Tracking

ORG = Organization(
    name="Org", website=None, intake_url="https://example.org/intake", paper="#FFFFFF",
    country="US", languages=("en",), colors={}, logo=None, tracking=Tracking(),
    path="content/organization.yaml", key_lines={"intake_url": 7},
)
LANGS = ("en", "es")
HEADER = "slug,name,street,city,phone"
ROW = "east,East Center,1 Main St,Baltimore,(410) 555-0142"


def csv_file(root: Path, text: str, name: str = "locations.csv") -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, org: Organization = ORG, sheet: str | None = None):  # type: ignore[no-untyped-def]
    return read_locations(path, path.parent, org, LANGS, sheet)


def problems_of(root: Path, text: str, name: str = "locations.csv") -> list[Problem]:
    return read(csv_file(root, text, name))[1]


def one(root: Path, header: str, row: str) -> Location:
    found, problems = read(csv_file(root, f"{header}\n{row}\n"))
    assert problems == []
    (location,) = found
    return location


def fails(root: Path, text: str, name: str = "locations.csv") -> Problem:
    with pytest.raises(MakeprintError) as caught:
        read(csv_file(root, text, name))
    (problem,) = caught.value.problems
    return problem


# --- a good row -------------------------------------------------------------------------------


def test_a_full_row(tmp_path: Path) -> None:
    header = ("slug,name,short_name,street,city,region,postal_code,country,phone,sms,email,"
              "website,intake_url,intake_short_url,qr_tracking,hours,services,offers,languages")
    row = ("east,East Center,East,1 Main St,Baltimore,MD,21224,US,(410) 555-0142,"
           "(410) 555-0143,a@example.org,https://example.org,https://example.org/in,"
           "https://ex.org/i,off,Mon-Fri 09:00-17:00,Naloxone; naloxone;methadone,"
           "free;FREE,es;en;es")
    loc = one(tmp_path, header, row)
    assert loc == Location(
        slug="east", name="East Center", street="1 Main St", city="Baltimore", region="MD",
        postal_code="21224", country="US", phone=parse_phone("(410) 555-0142", "US"),
        sms=parse_phone("(410) 555-0143", "US"), email="a@example.org",
        website="https://example.org", intake_url="https://example.org/in",
        hours=L.parse_hours("Mon-Fri 09:00-17:00"), services=("naloxone", "methadone"),
        languages=("es", "en"), source="locations.csv", line=2,
        raw=tuple(sorted(zip(header.split(","), [
            "east", "East Center", "East", "1 Main St", "Baltimore", "MD", "21224", "US",
            "(410) 555-0142", "(410) 555-0143", "a@example.org", "https://example.org",
            "https://example.org/in", "https://ex.org/i", "off", "Mon-Fri 09:00-17:00",
            "Naloxone; naloxone;methadone", "free;FREE", "es;en;es"], strict=True))),
        short_name="East", intake_short_url="https://ex.org/i", qr_tracking=False,
        intake_origin=("locations.csv", 2, "column 'intake_url'"), offers=("free",),
    )


def test_defaults_from_the_organization(tmp_path: Path) -> None:
    org = Organization(**{**ORG.__dict__, "intake_short_url": "https://ex.org/o",
                          "languages": ("es",)})
    found, problems = read(csv_file(tmp_path, f"{HEADER}\n{ROW}\n"), org)
    (loc,) = found
    assert problems == []
    assert (loc.intake_url, loc.intake_origin) == (
        "https://example.org/intake", ("content/organization.yaml", 7, "intake_url"))
    assert loc.intake_short_url == "https://ex.org/o"
    assert loc.languages == ("es",)
    assert (loc.country, loc.sms, loc.email, loc.website, loc.hours, loc.qr_tracking) == (
        "US", None, None, None, None, None)
    assert (loc.region, loc.postal_code, loc.short_name, loc.services, loc.offers) == (
        "", "", "", (), ())


def test_slug_made_from_the_name(tmp_path: Path) -> None:
    loc = one(tmp_path, "name,street,city,phone", "Café Centre 2,1 Main St,Baltimore,4105550142")
    assert loc.slug == L.slugify("Café Centre 2") == "cafe-centre-2"


def test_country_of_the_row(tmp_path: Path) -> None:
    loc = one(tmp_path, "name,street,city,phone,country", "A,1 Rue,Paris,01 23 45 67 89,fr")
    assert loc.country == "FR"
    assert loc.phone == parse_phone("01 23 45 67 89", "FR")


def test_cells_are_trimmed_and_line_breaks_are_spaces(tmp_path: Path) -> None:
    loc = one(tmp_path, HEADER + ",region", 'east," East\n  Center ",1 Main St,Baltimore,'
              "(410) 555-0142, MD ")
    assert (loc.name, loc.region) == ("East Center", "MD")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters(tmp_path: Path, delimiter: str) -> None:
    text = f"{HEADER}\n{ROW}\n".replace(",", delimiter)
    (loc,) = read(csv_file(tmp_path, text))[0]
    assert loc.street == "1 Main St"


def test_sniff_delimiter() -> None:
    assert _sniff_delimiter("\n\na;b;c\n1,2,3") == ";"
    assert _sniff_delimiter("a\tb\n") == "\t"
    assert _sniff_delimiter("a,b;c,d") == ","
    assert _sniff_delimiter("abc") == ","
    assert _sniff_delimiter("") == ","


def test_header_spelled_loosely_notes_and_repeats(tmp_path: Path) -> None:
    text = (
        "\n,,\nSlug,Name, Street ,CITY,Phone Number,#note\n".replace("Phone Number", "phone")
        + ROW + ",a note\n"
        + "slug,name,street,city,phone,#note\n"  # a header pasted again
        + ",,,,\n"
        + "west,West,2 Main St,Baltimore,(410) 555-0144\n"
    )
    found, problems = read(csv_file(tmp_path, text))
    assert problems == []
    assert [(loc.slug, loc.line) for loc in found] == [("east", 4), ("west", 7)]
    assert dict(found[0].raw) == {"slug": "east", "name": "East Center", "street": "1 Main St",
                                  "city": "Baltimore", "phone": "(410) 555-0142"}


def test_lines_count_quoted_line_breaks(tmp_path: Path) -> None:
    text = f'{HEADER}\neast,"East\nCenter",1 Main St,Baltimore,4105550142\nwest,W,2 St,B,x\n'
    found, problems = read(csv_file(tmp_path, text))
    assert [loc.line for loc in found] == [2]
    assert [(p.line, p.field) for p in problems] == [(4, "column 'phone'")]


def test_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "locations.csv"
    path.write_bytes(f"\ufeff{HEADER}\n{ROW}\n".encode())
    assert read(path)[0][0].slug == "east"


def test_address_lines() -> None:
    base = dict(slug="a", name="A", street="1 Main St", phone=parse_phone("4105550142", "US"),
                sms=None, email=None, website=None, intake_url="https://x", hours=None,
                services=(), languages=(), source="s", line=1, raw=())
    us = Location(city="Baltimore", region="MD", postal_code="21224", country="US", **base)
    assert us.address_lines == ("1 Main St", "Baltimore, MD 21224")
    assert us.address(lambda x: f"[{x}]") == ("1 Main St", "[Baltimore], [MD] [21224]")
    ca = Location(city="Toronto", region="", postal_code="", country="CA", **base)
    assert ca.address_lines == ("1 Main St", "Toronto")
    au = Location(city="Sydney", region="", postal_code="2000", country="AU", **base)
    assert au.address_lines == ("1 Main St", "Sydney, 2000")
    fr = Location(city="Paris", region="IDF", postal_code="75001", country="FR", **base)
    assert fr.address_lines == ("1 Main St", "75001 Paris, IDF")
    assert fr.address(lambda x: f"[{x}]") == ("1 Main St", "[75001] [Paris], [IDF]")
    de = Location(city="Berlin", region="", postal_code="", country="DE", **base)
    assert de.address_lines == ("1 Main St", "Berlin")


# --- problems with the file as a whole ------------------------------------------------------


def test_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(MakeprintError) as caught:
        read(tmp_path / "nope.csv")
    assert caught.value.problems == [Problem(
        "locations file not found", path="nope.csv",
        hint="create it, or name another with --locations FILE")]


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(L, "MAX_FILE_BYTES", 2 * 1024 * 1024)
    path = tmp_path / "locations.csv"
    path.write_bytes(b"a" * (2 * 1024 * 1024 + 1))
    with pytest.raises(MakeprintError) as caught:
        read(path)
    assert caught.value.problems == [Problem(
        "file is larger than 2 MB", path="locations.csv", hint="split it into several files")]


def test_file_at_the_size_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"{HEADER}\n{ROW}\n"
    monkeypatch.setattr(L, "MAX_FILE_BYTES", len(text.encode()))
    assert [loc.slug for loc in read(csv_file(tmp_path, text))[0]] == ["east"]


def test_sheet_name_for_a_csv(tmp_path: Path) -> None:
    with pytest.raises(MakeprintError) as caught:
        read(csv_file(tmp_path, f"{HEADER}\n{ROW}\n"), sheet="Sites")
    assert caught.value.problems == [Problem(
        "--sheet-name 'Sites' names a sheet, but this is not a spreadsheet file",
        path="locations.csv",
        hint="leave --sheet-name out, or name an .xlsx or .ods file with --locations")]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "locations.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode() + "west,Caf\xe9".encode("latin-1"))
    with pytest.raises(MakeprintError) as caught:
        read(path)
    assert caught.value.problems == [Problem(
        "file is not UTF-8 text", path="locations.csv", line=3,
        hint="save it as 'CSV UTF-8' from your spreadsheet program")]


def test_empty_file(tmp_path: Path) -> None:
    assert fails(tmp_path, "") == Problem(
        "no locations in file", path="locations.csv", line=1,
        hint="add a header row and one row per location")
    assert fails(tmp_path, HEADER + "\n").message == "no locations in file"
    assert fails(tmp_path, "", "locations.yaml") == Problem(
        "no locations in file", path="locations.yaml", line=1,
        hint="add one '- name: ...' entry per location")


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(L, "MAX_ROWS", 2)
    rows = "\n".join(f"s{i},N{i},1 St,B,4105550142" for i in range(3))
    assert fails(tmp_path, f"{HEADER}\n{rows}\n") == Problem(
        "3 rows is more than the 2 allowed", path="locations.csv",
        hint="split the file and build each part with --locations")
    rows = "\n".join(f"s{i},N{i},1 St,B,4105550142" for i in range(2))
    assert len(read(csv_file(tmp_path, f"{HEADER}\n{rows}\n"))[0]) == 2


def test_unclosed_quote(tmp_path: Path) -> None:
    text = f'{HEADER}\n{ROW}\nwest,"West,2 St,B,4105550142\n'
    problem = fails(tmp_path, text)
    assert problem.message.startswith("cannot read CSV: ")
    assert (problem.path, problem.line) == ("locations.csv", 3)
    assert problem.hint == 'check for an unclosed quote (a " must be doubled inside a quoted value)'


def test_csv_error_keeps_the_problems_of_rows_before(tmp_path: Path) -> None:
    text = f'{HEADER}\n{ROW},extra\nwest,"West,2 St,B,4105550142\n'
    with pytest.raises(MakeprintError) as caught:
        read(csv_file(tmp_path, text))
    assert [p.message.split(":")[0] for p in caught.value.problems] == [
        "row has 6 cells but the header has 5", "cannot read CSV"]


def test_header_problems(tmp_path: Path) -> None:
    with pytest.raises(MakeprintError) as caught:
        read(csv_file(tmp_path, "slug,nmae,street,street,city,zzz,#ok\nx,y,z,z,w,v,u\n"))
    hint = ("valid columns are " + ", ".join(COLUMNS)
            + " (start a column name with # to keep notes the build ignores)")
    assert caught.value.problems == [
        Problem("unknown column 'nmae'", path="locations.csv", line=1,
                hint="did you mean 'name'? " + hint),
        Problem("unknown column 'zzz'", path="locations.csv", line=1, hint=hint),
        Problem("missing required column 'name'", path="locations.csv", line=1,
                hint="add it to the header row"),
        Problem("missing required column 'phone'", path="locations.csv", line=1,
                hint="add it to the header row"),
        Problem("column 'street' appears twice", path="locations.csv", line=1,
                hint="keep one of them"),
    ]


def test_header_with_empty_names_twice_is_fine(tmp_path: Path) -> None:
    found, problems = read(csv_file(tmp_path, f"{HEADER},,\n{ROW},,\n"))
    assert problems == [] and len(found) == 1


def test_header_on_a_later_line(tmp_path: Path) -> None:
    with pytest.raises(MakeprintError) as caught:
        read(csv_file(tmp_path, f"\n\nslug,name\n{ROW}\n"))
    assert {p.line for p in caught.value.problems} == {3}


# --- rows ---------------------------------------------------------------------------------


def test_extra_cells(tmp_path: Path) -> None:
    found, problems = read(csv_file(tmp_path, f"{HEADER}\n{ROW},,\n{ROW.replace('east', 'w')},x\n"))
    assert [loc.slug for loc in found] == ["east"]  # empty extra cells are no extra cells
    assert problems == [Problem(
        "row has 6 cells but the header has 5", path="locations.csv", line=3,
        hint="quote values that contain the delimiter, or remove the extra cells")]


def test_short_rows_leave_the_rest_empty(tmp_path: Path) -> None:
    found, problems = read(csv_file(tmp_path, f"{HEADER},region\n{ROW}\n"))
    assert found[0].region == "" and problems == []


def test_duplicate_slug(tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW}\nx,Other,2 St,B,4105550142\n{ROW}\n"
    found, problems = read(csv_file(tmp_path, text))
    assert [loc.slug for loc in found] == ["east", "x"]
    assert problems == [Problem(
        'duplicate slug "east" (also on line 2)', path="locations.csv", line=4,
        field="column 'slug'", hint="give one of the two a different slug or name")]


def test_duplicate_slug_in_a_yaml_file_names_its_line(tmp_path: Path) -> None:
    text = ("- slug: east\n  name: A\n  street: s\n  city: c\n  phone: '4105550142'\n"
            "- name: B\n  street: s\n  city: c\n  phone: '4105550142'\n  slug: east\n")
    found, problems = read(csv_file(tmp_path, text, "locations.yaml"))
    assert [(p.message, p.line) for p in problems] == [('duplicate slug "east" (also on line 1)',
                                                        10)]
    assert len(found) == 1


def test_required_fields(tmp_path: Path) -> None:
    found, problems = read(csv_file(tmp_path, f"{HEADER}\neast,,,,\n"))
    assert found == []
    assert problems == [
        Problem("is required but empty", path="locations.csv", line=2, field=f"column '{f}'",
                hint=f"fill in the {f} for this location", key=f)
        for f in ("name", "street", "city", "phone")
    ]


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("=A1+B1", '"=A1+B1" is a spreadsheet formula, not a value',
         "paste values only (Paste Special → Values) and export again"),
        ("=" + "x" * 50, f'"={"x" * 39}" is a spreadsheet formula, not a value',
         "paste values only (Paste Special → Values) and export again"),
        ("a\x07b", "contains control characters", "retype the value"),
        ("a\ufdd0b", "contains U+FDD0, which is not a character", "retype the value"),
        ("\u200b\u200b", "has no visible characters", "type the text, or leave the cell empty"),
    ],
)
def test_bad_values(tmp_path: Path, value: str, message: str, hint: str) -> None:
    found, problems = read(csv_file(tmp_path, f'{HEADER}\neast,"{value}",1 St,B,4105550142\n'))
    assert found == []
    assert problems == [Problem(message, path="locations.csv", line=2, field="column 'name'",
                                hint=hint, key="name")]  # not also "required but empty"


def test_tab_in_a_value_is_a_space(tmp_path: Path) -> None:
    loc = one(tmp_path, HEADER, 'east,"A\tB",1 St,B,4105550142')
    assert loc.name == "A B"


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 100), ("short_name", 40), ("street", 120), ("city", 160), ("region", 160)],
)
def test_field_length_limits(tmp_path: Path, field: str, limit: int) -> None:
    header = "slug,name,street,city,phone,short_name,region"
    cells = {"slug": "east", "name": "N", "street": "1 St", "city": "B", "phone": "4105550142",
             "short_name": "", "region": ""}
    ok = cells | {field: "x" * limit}
    assert read(csv_file(tmp_path, header + "\n" + ",".join(ok.values()) + "\n"))[1] == []
    long = cells | {field: "x" * (limit + 1)}
    _, problems = read(csv_file(tmp_path, header + "\n" + ",".join(long.values()) + "\n"))
    assert problems == [Problem(
        f"is {limit + 1} characters long; the limit is {limit}", path="locations.csv", line=2,
        field=f"column '{field}'", hint="shorten it so it fits on a printed card", key=field)]


def test_other_field_limits() -> None:
    assert (L.MAX_FIELD["services"], L.MAX_FIELD["hours"], L.MAX_FIELD["intake_url"],
            L.MAX_FIELD["intake_short_url"], L.MAX_FIELD["website"]) == (600, 300, 2000, 200, 600)


def test_bad_slug_country_phone(tmp_path: Path) -> None:
    header = "slug,name,street,city,phone,sms,country"
    _, problems = read(csv_file(tmp_path, f"{header}\nBad Slug,N,1 St,B,12,34,ZZ\n"))
    assert [p.field for p in problems] == [
        "column 'country'", "column 'slug'", "column 'phone'", "column 'sms'"]
    assert all(p.key == p.field.split("'")[1] for p in problems)


def test_name_without_letters(tmp_path: Path) -> None:
    _, problems = read(csv_file(tmp_path, "name,street,city,phone\n!!!,1 St,B,4105550142\n"))
    assert problems == [Problem(
        'cannot make a slug from the name "!!!"', path="locations.csv", line=2,
        field="column 'slug'",
        hint="it has no letters or digits to spell one with: fill in this row's slug "
        "(a-z, 0-9 and hyphens, e.g. clinic-1), adding a slug column if there is none",
        key="slug")]


@pytest.mark.parametrize("field", ["email", "website", "intake_url", "intake_short_url",
                                   "qr_tracking", "hours"])
def test_optional_fields_are_checked(tmp_path: Path, field: str) -> None:
    _, problems = read(csv_file(tmp_path, f"{HEADER},{field}\n{ROW},not valid at all\n"))
    assert [(p.field, p.key, p.line) for p in problems] == [(f"column '{field}'", field, 2)]


def test_services_offers_languages(tmp_path: Path) -> None:
    header = HEADER + ",services,offers,languages"
    _, problems = read(csv_file(tmp_path, f"{header}\n{ROW},naloxone;pizza,free;cake,en;xx\n"))
    assert problems == [
        Problem('unknown service "pizza"', path="locations.csv", line=2,
                field="column 'services'", hint="valid services are " + ", ".join(SERVICES),
                key="services"),
        Problem('unknown offer "cake"', path="locations.csv", line=2, field="column 'offers'",
                hint="valid offers are " + ", ".join(L.OFFERS) + " (list only what is true here)",
                key="offers"),
        Problem('unknown language "xx"', path="locations.csv", line=2,
                field="column 'languages'",
                hint="available languages are en, es (add a folder under content/ for another)",
                key="languages"),
    ]


def test_qr_tracking_on(tmp_path: Path) -> None:
    assert one(tmp_path, HEADER + ",qr_tracking", ROW + ",Yes").qr_tracking is True


@pytest.mark.parametrize(("word", "value"), [("on", True), ("yes", True), ("true", True),
                                             ("1", True), (" ON ", True), ("off", False),
                                             ("no", False), ("false", False), ("0", False)])
def test_on_off(word: str, value: bool) -> None:
    assert _on_off(word) is value


def test_on_off_refuses_other_words() -> None:
    with pytest.raises(L.FieldError) as caught:
        _on_off("maybe")
    assert (caught.value.message, caught.value.hint) == (
        '"maybe" is not on or off', "write on or off (or leave it empty)")


def test_noncharacters() -> None:
    assert [_noncharacter(chr(c)) for c in (0xFDCF, 0xFDD0, 0xFDEF, 0xFDF0)] == [
        False, True, True, False]
    assert [_noncharacter(chr(c)) for c in (0xFFFD, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF)] == [
        False, True, True, True, True]


def test_split() -> None:
    assert _split(" a ; ;b;") == ["a", "b"]
    assert _split("") == []


def test_a_row_with_problems_is_left_out_but_others_kept(tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW}\nw,W,2 St,B,123\n"
    found, problems = read(csv_file(tmp_path, text))
    assert [loc.slug for loc in found] == ["east"]
    assert len(problems) == 1
    with pytest.raises(MakeprintError) as caught:
        load_locations(tmp_path / "locations.csv", tmp_path, ORG, LANGS)
    assert caught.value.problems == problems
    assert [loc.slug for loc in load_locations(csv_file(tmp_path, f"{HEADER}\n{ROW}\n"),
                                               tmp_path, ORG, LANGS)] == ["east"]


def test_warnings_do_not_drop_a_row(tmp_path: Path) -> None:
    """Only errors make a row invalid: the problems returned are the errors."""
    found, problems = read(csv_file(tmp_path, f"{HEADER}\n{ROW}\n"))
    assert len(found) == 1 and problems == []


# --- YAML ---------------------------------------------------------------------------------


def test_yaml(tmp_path: Path) -> None:
    text = ("- slug: east\n  Name: East\n  street: 1 St\n  city: B\n  phone: '4105550142'\n"
            "  services: [naloxone, methadone]\n  region:\n")
    (loc,) = read(csv_file(tmp_path, text, "locations.YML"))[0]
    assert (loc.slug, loc.name, loc.services, loc.region, loc.line) == (
        "east", "East", ("naloxone", "methadone"), "", 1)


def test_yaml_problems(tmp_path: Path) -> None:
    text = ("- just text\n"
            "- slug: east\n  nmae: East\n  street: 1 St\n  city: B\n  phone: '4105550142'\n"
            "  name: E\n"
            "- slug: bad\n  name: x\n  street: s\n  city: c\n  phone: '1'\n")
    found, problems = read(csv_file(tmp_path, text, "locations.yaml"))
    assert found == []
    assert problems[0] == Problem("each location must be a mapping of column: value",
                                  path="locations.yaml", line=1)
    assert problems[1] == Problem(
        "unknown column 'nmae'", path="locations.yaml", line=3,
        hint="did you mean 'name'? valid columns are " + ", ".join(COLUMNS))
    assert (problems[2].field, problems[2].line) == ("column 'phone'", 12)


def test_yaml_not_a_list(tmp_path: Path) -> None:
    assert fails(tmp_path, "name: x\n", "locations.yaml") == Problem(
        "must be a list of locations", path="locations.yaml", line=1,
        hint="start each location with '- name: ...'")


def test_yaml_unknown_key_without_a_close_match(tmp_path: Path) -> None:
    text = "- slug: e\n  name: E\n  street: s\n  city: c\n  phone: '4105550142'\n  zzz: 1\n"
    _, problems = read(csv_file(tmp_path, text, "locations.yaml"))
    assert problems[0].hint == "valid columns are " + ", ".join(COLUMNS)


# --- a form -------------------------------------------------------------------------------


def test_location_from_fields() -> None:
    loc, problems = location_from_fields(
        {"name": "East", "street": "1 St", "city": "B", "phone": "4105550142"}, ORG, LANGS)
    assert problems == [] and loc is not None
    assert (loc.slug, loc.source, loc.line) == ("east", "form", 0)
    loc, problems = location_from_fields(
        {"name": "East", "street": "1 St", "city": "B", "phone": "4105550142", "zz": "1",
         "aa": "2"}, ORG, LANGS, source="web")
    assert loc is None
    assert problems == [
        Problem("unknown field", path="web", field=k, key=k,
                hint="valid fields are " + ", ".join(COLUMNS)) for k in ("aa", "zz")]
    loc, problems = location_from_fields({"name": "East"}, ORG, LANGS)
    assert loc is None and [p.field for p in problems] == [
        "column 'street'", "column 'city'", "column 'phone'"]


# --- spreadsheet cells --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "column", "country", "text"),
    [
        (None, "name", "US", ""),
        (True, "name", "US", "true"),
        (False, "name", "US", "false"),
        (4105550142.0, "phone", "US", "4105550142"),
        (12, "name", "US", "12"),
        (1.5, "name", "US", "1.5"),
        (2139, "postal_code", "US", "02139"),
        (2139, "postal_code", "FR", "2139"),
        (2139, "name", "US", "2139"),
        (21394321, "postal_code", "US", "02139-4321"),
        (dt.datetime(2024, 5, 6, 7, 8), "name", "US", "2024-05-06 07:08"),
        (dt.date(2024, 5, 6), "name", "US", "2024-05-06"),
        (dt.time(9, 5), "name", "US", "09:05"),
        (dt.timedelta(hours=25, minutes=3), "name", "US", "25:03"),
        ("text", "name", "US", "text"),
    ],
)
def test_cell_text(value: object, column: str, country: str, text: str) -> None:
    assert _cell_text(value, column, country) == (text, None)


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [(dt.datetime(2024, 5, 6, 7, 8), "date and time", "2024-05-06 07:08"),
     (dt.date(2024, 5, 6), "date", "2024-05-06"), (dt.time(9, 0), "time", "09:00"),
     (dt.timedelta(hours=9), "duration", "9:00")],
)
def test_a_time_cell_is_not_opening_hours(value: object, kind: str, text: str) -> None:
    assert _cell_text(value, "hours", "US") == (text, (
        f"the cell holds a {kind} ({text}), not opening hours",
        "format the column as Text and type the days and times, like "
        "Mon-Fri 09:00-17:00; Sat 10:00-14:00"))


def test_us_zip() -> None:
    assert _us_zip(0) == ("00000", None)
    assert _us_zip(99_999) == ("99999", None)
    assert _us_zip(1_000_000) == ("00100-0000", None)
    assert _us_zip(999_999_999) == ("99999-9999", None)
    bad = ("write 5 digits (02139) or ZIP+4 (02139-4321); format the column as Text so "
           "leading zeros stay")
    assert _us_zip(100_000) == ("100000", ("100000 is not a US ZIP code", bad))
    assert _us_zip(999_999) == ("999999", ("999999 is not a US ZIP code", bad))
    assert _us_zip(1_000_000_000) == ("1000000000", ("1000000000 is not a US ZIP code", bad))
    assert _us_zip(-1) == ("-1", ("-1 is not a US ZIP code", bad))


# --- spreadsheets ---------------------------------------------------------------------------


SHEET_HEADER = ["slug", "name", "street", "city", "postal_code", "phone", "hours", "country"]


def sheet_row(n: int, **cells: object) -> list[object]:
    row = {"slug": f"s{n}", "name": f"S{n}", "street": "1 St", "city": "B", "postal_code": 2139,
           "phone": 4105550142, "hours": "Mon 09:00-17:00", "country": None} | cells
    return [row[h] for h in SHEET_HEADER]


def test_xlsx_first_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [SHEET_HEADER, sheet_row(1)],
                                                "Other": [SHEET_HEADER, sheet_row(2)]})
    found, problems = read(path)
    assert problems == []
    (loc,) = found
    assert (loc.slug, loc.postal_code, loc.source, loc.line) == (
        "s1", "02139", "sites.xlsx, sheet 'Sites'", 2)
    (loc,) = read(path, sheet="Other")[0]
    assert loc.slug == "s2"


def test_xlsx_cell_problems_and_country(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [
        SHEET_HEADER + ["#note"],
        sheet_row(1, hours=dt.time(9, 0)),
        sheet_row(2, postal_code=2139, country="FR", phone="01 23 45 67 89"),
        sheet_row(3, postal_code=123456789012) + [5],
    ]})
    found, problems = read(path)
    assert [loc.slug for loc in found] == ["s2"]
    assert found[0].postal_code == "2139"  # France: no US ZIP padding
    assert problems == [
        Problem("the cell holds a time (09:00), not opening hours",
                path="sites.xlsx, sheet 'Sites'", line=2, field="column 'hours'",
                hint="format the column as Text and type the days and times, like "
                "Mon-Fri 09:00-17:00; Sat 10:00-14:00", key="hours"),
        Problem("123456789012 is not a US ZIP code", path="sites.xlsx, sheet 'Sites'", line=4,
                field="column 'postal_code'",
                hint="write 5 digits (02139) or ZIP+4 (02139-4321); format the column as Text "
                "so leading zeros stay", key="postal_code"),
    ]


def test_xlsx_extra_cells_and_rows_as_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [
        [], SHEET_HEADER, sheet_row(1) + [None, None], [None], sheet_row(2) + ["x"]]})
    found, problems = read(path)
    assert [(loc.slug, loc.line) for loc in found] == [("s1", 3)]
    assert problems == [Problem(
        "row has 9 cells but the header has 8", path="sites.xlsx, sheet 'Sites'", line=5,
        hint="give the extra column a header, or clear the cells right of the last column")]


def test_xlsx_rows_are_counted_as_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [SHEET_HEADER, sheet_row(1),
                                                          sheet_row(1)]})
    _, problems = read(path)
    assert problems[0].message == 'duplicate slug "s1" (also on row 2)'


def test_no_such_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [SHEET_HEADER], "Closed": [[1]]})
    with pytest.raises(MakeprintError) as caught:
        read(path, sheet="Site")
    assert caught.value.problems == [Problem(
        "no sheet named 'Site'", path="sites.xlsx",
        hint="did you mean 'Sites'? the sheets are 'Sites', 'Closed'; name one with --sheet-name")]
    with pytest.raises(MakeprintError) as caught:
        read(path, sheet="zzz")
    assert caught.value.problems[0].hint == (
        "the sheets are 'Sites', 'Closed'; name one with --sheet-name")


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(MakeprintError) as caught:
        read(path)
    (problem,) = caught.value.problems
    assert problem.message.startswith("cannot read spreadsheet: ")
    assert problem.hint == ("open it in your spreadsheet program and save it again as .xlsx or "
                            ".ods, or export the sheet as CSV UTF-8")


def test_zip_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [SHEET_HEADER, sheet_row(1)]})
    import zipfile

    with zipfile.ZipFile(path) as archive:
        size = sum(i.file_size for i in archive.infolist())
    monkeypatch.setattr(L, "MAX_UNPACKED_BYTES", size)
    assert len(read(path)[0]) == 1  # at the limit
    monkeypatch.setattr(L, "MAX_UNPACKED_BYTES", size - 1)
    with pytest.raises(MakeprintError) as caught:
        read(path)
    assert caught.value.problems == [Problem(
        f"spreadsheet unpacks to more than {(size - 1) // 2**20} MB", path="sites.xlsx",
        hint="keep only the locations sheet, or save it as CSV")]


def test_too_many_sheet_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(L, "MAX_ROWS", 2)
    rows = [SHEET_HEADER] + [sheet_row(i) for i in range(4)]  # 5 rows: more than 2 × 2
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": rows})
    with pytest.raises(MakeprintError) as caught:
        read(path)
    assert caught.value.problems == [Problem(
        "sheet 'Sites' has 5 rows; at most 2 locations are allowed", path="sites.xlsx",
        hint="split the file and build each part with --locations")]
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": rows[:4]})  # 4 rows: the header, 3
    with pytest.raises(MakeprintError) as caught:
        read(path)
    assert caught.value.problems[0].message == "3 rows is more than the 2 allowed"


# --- details the mutation run asked about ---------------------------------------------------


def test_field_problems_carry_the_checks_own_words(tmp_path: Path) -> None:
    """country, slug, phone, sms and the optional fields report what their check says."""
    from makeprint_engine.fields import FieldError, check_country, check_email, check_slug

    def said(check, *args) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
        with pytest.raises(FieldError) as caught:
            check(*args)
        return caught.value.message, caught.value.hint

    header = "slug,name,street,city,phone,sms,country,email"
    _, problems = read(csv_file(tmp_path, f"{header}\nBad Slug,N,1 St,B,12,34,ZZ,nope\n"))
    assert [(p.message, p.hint) for p in problems] == [
        said(check_country, "ZZ"), said(check_slug, "Bad Slug"), said(parse_phone, "12", "US"),
        said(parse_phone, "34", "US"), said(check_email, "nope")]


def test_intake_url_origin_is_its_own_line(tmp_path: Path) -> None:
    text = ("- name: East\n  street: 1 St\n  city: B\n  phone: '4105550142'\n"
            "  intake_url: https://example.org/east\n")
    (loc,) = read(csv_file(tmp_path, text, "locations.yaml"))[0]
    assert loc.intake_origin == ("locations.yaml", 5, "column 'intake_url'")


def test_yaml_keys_and_numbers_as_written(tmp_path: Path) -> None:
    text = ("- name: East\n  Street: 1 St\n  city: B\n  phone: 4105550142\n"
            "  Postal Code: 02139\n  hours: Mon 09:00-17:00\n")
    (loc,) = read(csv_file(tmp_path, text, "locations.yaml"))[0]
    assert (loc.street, loc.postal_code) == ("1 St", "02139")


def test_yaml_larger_than_a_settings_file(tmp_path: Path) -> None:
    """A locations YAML may be as large as any locations file (5 MB), not 1 MB."""
    text = ("# " + "x" * 1000 + "\n") * 1500 + (
        "- name: East\n  street: 1 St\n  city: B\n  phone: '4105550142'\n")
    assert len(text) > 1024 * 1024
    assert len(read(csv_file(tmp_path, text, "locations.yaml"))[0]) == 1


def test_broken_yaml_is_named_by_its_project_path(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    problem = fails(tmp_path, "- name: [unclosed\n", "locations.yaml")
    assert problem.path == "locations.yaml"


def test_load_locations_reads_the_named_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [SHEET_HEADER, sheet_row(1)],
                                                "Other": [SHEET_HEADER, sheet_row(2)]})
    assert [loc.slug for loc in load_locations(path, tmp_path, ORG, LANGS, "Other")] == ["s2"]


def test_canada_and_empty_values_in_the_address() -> None:
    base = dict(slug="a", name="A", street="1 St", phone=parse_phone("4105550142", "US"),
                sms=None, email=None, website=None, intake_url="https://x", hours=None,
                services=(), languages=(), source="s", line=1, raw=())
    ca = Location(city="Toronto", region="ON", postal_code="M5V 2T6", country="CA", **base)
    assert ca.address_lines == ("1 St", "Toronto, ON M5V 2T6")
    bare = Location(city="Toronto", region="", postal_code="", country="CA", **base)
    assert bare.address(lambda x: f"[{x}]") == ("1 St", "[Toronto]")


def test_rows_after_a_bad_row_and_a_duplicate_are_read(tmp_path: Path) -> None:
    text = (f"{HEADER}\nbad,B,1 St,B,4105550142,x\n{ROW}\n{ROW}\n"
            "west,W,2 St,B,4105550144\n")
    found, problems = read(csv_file(tmp_path, text))
    assert [loc.slug for loc in found] == ["east", "west"]
    assert [p.line for p in problems] == [2, 4]


def test_header_with_spaces_and_its_repeat(tmp_path: Path) -> None:
    text = (f"{HEADER},Postal Code\n{ROW},21224\n{HEADER},Postal Code\n"
            "west,W,2 St,B,4105550144,21225\n")
    found, problems = read(csv_file(tmp_path, text))
    assert problems == []
    assert [loc.postal_code for loc in found] == ["21224", "21225"]


@pytest.mark.parametrize("header", [
    HEADER + ",zzz",  # an unknown column
    "slug,name,street,city",  # a required one missing
    HEADER + ",city",  # one twice
])
def test_a_bad_header_reads_no_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    header: str) -> None:
    """Only the header is reported, however many rows follow (not 'too many rows')."""
    monkeypatch.setattr(L, "MAX_ROWS", 1)
    with pytest.raises(MakeprintError) as caught:
        read(csv_file(tmp_path, f"{header}\n{ROW},x\n{ROW},x\n"))
    assert all("rows is more than" not in p.message for p in caught.value.problems)
    assert {p.line for p in caught.value.problems} == {1}


def test_a_bad_control_value_is_reported_once(tmp_path: Path) -> None:
    """A rejected value is not checked again (a phone with a control character is not also
    a bad phone number)."""
    _, problems = read(csv_file(tmp_path, f'{HEADER}\neast,E,1 St,B,"410\x07555"\n'))
    assert [p.message for p in problems] == ["contains control characters"]


def test_sheet_row_with_extra_cells_and_a_bad_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [
        SHEET_HEADER, sheet_row(1, hours=dt.time(9, 0)) + ["extra"], sheet_row(2)]})
    found, problems = read(path)
    assert [loc.slug for loc in found] == ["s2"]
    assert sorted(p.message for p in problems) == [
        "row has 9 cells but the header has 8",
        "the cell holds a time (09:00), not opening hours",
    ]


def test_sheet_without_a_country_column_and_headers_with_spaces(tmp_path: Path) -> None:
    header = ["slug", "name", "street", "city", "Postal Code", "phone"]
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [
        header, ["s1", "S1", "1 St", "B", 2139, 4105550142]]})
    (loc,) = read(path)[0]
    assert loc.postal_code == "02139"


def test_sheet_header_problems_are_reported(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": [["slug", "nmae"], ["s1", "S1"]]})
    with pytest.raises(MakeprintError) as caught:
        read(path)
    assert caught.value.problems[0].message == "unknown column 'nmae'"
    assert caught.value.problems[0].path == "sites.xlsx, sheet 'Sites'"


def test_hidden_sheets_are_not_the_first(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Old"
    for row in (SHEET_HEADER, sheet_row(9)):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    shown = book.create_sheet("Sites")
    for row in (SHEET_HEADER, sheet_row(1)):
        shown.append(row)
    book.save(tmp_path / "sites.xlsx")
    assert [loc.slug for loc in read(tmp_path / "sites.xlsx")[0]] == ["s1"]
    assert [loc.slug for loc in read(tmp_path / "sites.xlsx", sheet="Old")[0]] == ["s9"]


def test_zip_bomb_message_in_megabytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [SHEET_HEADER] + [sheet_row(i, street=str(i) + "s" * 600) for i in range(2000)]
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sites": rows})
    monkeypatch.setattr(L, "MAX_UNPACKED_BYTES", 2**20)
    with pytest.raises(MakeprintError) as caught:
        read(path)
    assert caught.value.problems[0].message == "spreadsheet unpacks to more than 1 MB"


def test_yaml_scalars_are_the_text_typed(tmp_path: Path) -> None:
    """YAML would read 1_000 and 1.50 as numbers (1000, 1.5): a street is the text typed."""
    text = "- name: East\n  street: 1_000\n  city: 1.50\n  phone: '4105550142'\n"
    (loc,) = read(csv_file(tmp_path, text, "locations.yaml"))[0]
    assert (loc.street, loc.city) == ("1_000", "1.50")


def test_rows_after_an_invalid_row_are_read(tmp_path: Path) -> None:
    text = f"{HEADER}\nbad,B,1 St,B,123\n{ROW}\n"
    found, problems = read(csv_file(tmp_path, text))
    assert [loc.slug for loc in found] == ["east"]
    assert [p.line for p in problems] == [2]


def test_unreadable_spreadsheet_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "sites.ods").write_bytes(b"not a zip either")
    with pytest.raises(MakeprintError) as caught:
        read(tmp_path / "sites.ods")
    assert caught.value.problems[0].path == "sites.ods"
