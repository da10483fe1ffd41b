"""Locations straight from .xlsx and .ods workbooks: the sheet chosen, numbers a spreadsheet
stored as numbers, errors located by sheet, row and column, and --skip-invalid."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, copy_project, decode_qr, manifest, pdf_text, run_cli, snapshot
from spreadsheets import CORPUS_SHEETS, Formula, write_ods, write_xlsx

from makeprint_engine import MakeprintError, load_project
from makeprint_engine.locations import _cell_text

WRITERS = {"xlsx": write_xlsx, "ods": write_ods}
HEADER = ["slug", "name", "street", "city", "region", "postal_code", "phone", "hours",
          "services", "languages"]
ONE_CARD = ("--lang", "en", "-m", "wallet-card", "-j", "1")
SCHEMA = REPO / "makeprint_engine" / "preflight" / "preflight-report.schema.json"


def site(n: int, **cells: object) -> list[object]:
    """A valid row (location n), with some cells replaced."""
    row = {
        "slug": f"site-{n}", "name": f"Site {n} Center", "street": f"{n} Main St",
        "city": "Baltimore", "region": "MD", "postal_code": "21224",
        "phone": f"(410) 555-01{n:02d}", "hours": "Mon-Fri 09:00-17:00",
        "services": "naloxone", "languages": "en",
    } | cells
    return [row[name] for name in HEADER]


def sheet_file(root: Path, kind: str, sheets: dict[str, list[list[object]]]) -> Path:
    return WRITERS[kind](root / "content" / f"sites.{kind}", sheets)


def located(project: Path, path: Path, sheet: str | None = None, skip: bool = False):  # type: ignore[no-untyped-def]
    return load_project(project, path, sheet, skip)


# --- reading: which sheet, which rows ---------------------------------------------------------


@pytest.mark.parametrize("kind", WRITERS)
def test_first_sheet_or_the_one_named(project: Path, kind: str) -> None:
    path = sheet_file(project, kind, {
        "Sites": [HEADER, site(1), site(2)],
        "Closed": [HEADER, site(7)],
    })
    assert [loc.slug for loc in located(project, path).locations] == ["site-1", "site-2"]
    chosen = located(project, path, "Closed").locations
    assert [(loc.slug, loc.line) for loc in chosen] == [("site-7", 2)]
    assert chosen[0].source == f"content/sites.{kind}, sheet 'Closed'"

    result = run_cli("list", "--project", str(project), "--locations", str(path),
                     "--sheet-name", "Closed")
    assert result.exit_code == 0, result.output
    assert "site-7" in result.output and "site-1" not in result.output


@pytest.mark.parametrize("kind", WRITERS)
def test_a_wrong_sheet_name_lists_the_sheets(project: Path, kind: str) -> None:
    path = sheet_file(project, kind, {"Sites": [HEADER, site(1)], "Closed": [HEADER, site(2)]})
    result = run_cli("list", "--project", str(project), "--locations", str(path),
                     "--sheet-name", "sites ")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: content/sites.{kind}: no sheet named 'sites ' — did you mean 'Sites'? the "
        "sheets are 'Sites', 'Closed'; name one with --sheet-name"
    )


def test_a_sheet_name_for_a_csv_file_is_refused(project: Path) -> None:
    result = run_cli("list", "--project", str(project), "--sheet-name", "Sites")
    assert result.exit_code == 1
    assert "error: content/locations.csv: --sheet-name 'Sites' names a sheet, but this is not " \
        "a spreadsheet file — leave --sheet-name out" in result.output


@pytest.mark.parametrize("kind", WRITERS)
def test_bad_phone_in_row_14_is_located_by_sheet_row_and_column(project: Path, kind: str) -> None:
    rows = [HEADER] + [site(n) for n in range(2, 14)] + [site(14, phone="555-CALL-NOW")]
    path = sheet_file(project, kind, {"Sites": rows})
    source = f"content/sites.{kind}, sheet 'Sites'"

    result = run_cli("list", "--project", str(project), "--locations", str(path))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {source}, row 14: column 'phone': \"555-CALL-NOW\" is not a valid phone "
        "number for US — write it like (410) 555-0142"
    )

    check = run_cli("check", "--project", str(project), "--locations", str(path),
                    "--format", "json")
    report = json.loads(check.output)
    jsonschema.validate(report, json.loads(
        SCHEMA.read_text(encoding="utf-8")))
    assert check.exit_code == 1
    [finding] = report["findings"]
    assert (finding["path"], finding["line"], finding["field"]) == (source, 14, "column 'phone'")
    text = run_cli("check", "--project", str(project), "--locations", str(path))
    assert f"{source}, row 14: column 'phone': \"555-CALL-NOW\"" in text.output


@pytest.mark.parametrize("kind", WRITERS)
def test_blank_rows_and_columns_are_ignored_and_rows_keep_their_numbers(
    project: Path, kind: str
) -> None:
    # two blank rows above the header, one between rows, blank columns right of the table,
    # and trailing rows of empty cells: the header is the first row with text, as in a CSV
    rows = [[], [None, None], [*HEADER, None, ""], site(1), [None] * 12, site(2, services=""),
            [None] * 12, [""] * 3]
    path = sheet_file(project, kind, {"Sites": rows})
    loaded = located(project, path).locations
    assert [(loc.slug, loc.line) for loc in loaded] == [("site-1", 4), ("site-2", 6)]
    assert loaded[1].services == ()


# --- numbers, times and formulas as spreadsheets store them -----------------------------------


@pytest.mark.parametrize("kind", WRITERS)
def test_zip_codes_and_phones_stored_as_numbers_read_as_typed(project: Path, kind: str) -> None:
    rows = [
        HEADER,
        site(1, postal_code=2139, phone=4105550142),  # ZIP 02139 lost its zero
        site(2, postal_code=21394321, phone=4105550143.0),  # ZIP+4 02139-4321, a float phone
        site(3, postal_code=501, street=1200.0),  # ZIP 00501; a whole number never as "1200.0"
        site(4, postal_code=Formula("A1", 21224), phone=Formula("A2", 4105550144)),
    ]
    path = sheet_file(project, kind, {"Sites": rows})
    loaded = {loc.slug: loc for loc in located(project, path).locations}
    assert [loc.postal_code for loc in loaded.values()] == ["02139", "02139-4321", "00501",
                                                           "21224"]
    assert loaded["site-1"].address_lines == ("1 Main St", "Baltimore, MD 02139")
    assert loaded["site-2"].phone.e164 == "+14105550143"
    assert dict(loaded["site-2"].raw)["phone"] == "4105550143"
    assert loaded["site-3"].street == "1200"
    assert loaded["site-4"].phone.national == "(410) 555-0144"  # a formula's last value


@pytest.mark.parametrize("kind", WRITERS)
def test_numbers_that_cannot_be_read_right_are_explained(project: Path, kind: str) -> None:
    rows = [HEADER, site(1, postal_code=123456), site(2, hours=dt.time(9, 0)),
            site(3, hours=dt.datetime(2025, 3, 4, 9, 30)), site(4)]
    path = sheet_file(project, kind, {"Sites": rows})
    with pytest.raises(MakeprintError) as caught:
        located(project, path)
    source = f"content/sites.{kind}, sheet 'Sites'"
    assert [str(p) for p in caught.value.problems] == [
        f"{source}, row 2: column 'postal_code': 123456 is not a US ZIP code — write 5 digits "
        "(02139) or ZIP+4 (02139-4321); format the column as Text so leading zeros stay",
        f"{source}, row 3: column 'hours': the cell holds a time (09:00), not opening hours — "
        "format the column as Text and type the days and times, like Mon-Fri 09:00-17:00; "
        "Sat 10:00-14:00",
        f"{source}, row 4: column 'hours': the cell holds a date and time (2025-03-04 09:30), "
        "not opening hours — format the column as Text and type the days and times, like "
        "Mon-Fri 09:00-17:00; Sat 10:00-14:00",
    ]


@pytest.mark.parametrize(
    ("value", "column", "country", "text"),
    [
        (2139, "postal_code", "US", "02139"),
        (2139.0, "postal_code", "US", "02139"),
        (21394321, "postal_code", "US", "02139-4321"),
        (2139, "postal_code", "DE", "2139"),  # not US: the digits as stored
        (4105550142.0, "phone", "US", "4105550142"),
        (3.0, "street", "US", "3"),
        (-0.0, "street", "US", "0"),
        (2.5, "street", "US", "2.5"),
        (True, "name", "US", "true"),
        (False, "name", "US", "false"),
        (dt.date(2025, 3, 4), "name", "US", "2025-03-04"),
        (dt.time(9, 5), "name", "US", "09:05"),
        (dt.timedelta(hours=26, minutes=5), "name", "US", "26:05"),
        ("  text  ", "name", "US", "  text  "),
        (None, "name", "US", ""),
    ],
)
def test_cell_text(value: object, column: str, country: str, text: str) -> None:
    assert _cell_text(value, column, country) == (text, None)


def test_a_broken_spreadsheet_is_an_error_not_a_traceback(project: Path) -> None:
    path = project / "content" / "sites.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    result = run_cli("list", "--project", str(project), "--locations", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("error: content/sites.xlsx: cannot read spreadsheet: ")
    assert " — open it in your spreadsheet program and save it again" in result.output


def test_the_corpus_spreadsheets_are_what_the_script_makes(tmp_path: Path) -> None:
    for name, sheets in CORPUS_SHEETS.items():
        made = write_ods(tmp_path / name, sheets).read_bytes()
        assert made == (REPO / "tests" / "corpus" / name).read_bytes(), name


# --- building from a workbook ----------------------------------------------------------------


def sample_rows() -> list[list[str]]:
    with (REPO / "content" / "locations.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_a_workbook_builds_the_same_pdfs_as_the_csv(tmp_path: Path) -> None:
    from_csv = copy_project(tmp_path / "csv")
    from_xlsx = copy_project(tmp_path / "xlsx")
    rows: list[list[object]] = [list(r) for r in sample_rows()]
    postal = rows[0].index("postal_code")
    for row in rows[1:]:
        row[postal] = int(row[postal])  # as a spreadsheet keeps a ZIP code typed in
    path = write_xlsx(from_xlsx / "content" / "sites.xlsx", {"Locations": rows})

    assert run_cli("build", "--project", str(from_csv), *ONE_CARD).exit_code == 0
    result = run_cli("build", "--project", str(from_xlsx), "--locations", str(path), *ONE_CARD)
    assert result.exit_code == 0, result.output

    pdfs = {e["path"]: e["sha256"] for e in manifest(from_xlsx)}
    assert len(pdfs) == 2 * (len(rows) - 1)  # each location's card, and its card sheet
    assert pdfs == {e["path"]: e["sha256"] for e in manifest(from_csv)}
    for relpath, digest in pdfs.items():
        data = (from_xlsx / "output" / str(relpath)).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert data == (from_csv / "output" / str(relpath)).read_bytes()


def test_skip_invalid_builds_the_good_rows_and_reports_the_bad(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    rows = sample_rows()
    header, good = rows[0], rows[1:]
    phone, slug = header.index("phone"), header.index("slug")
    for row in good:
        row[phone] = int("".join(c for c in row[phone].split("ext")[0] if c.isdigit())[-10:])
    path = root / "content" / "sites.ods"
    write_ods(path, {"Sites": [header, *good]})
    assert run_cli("build", "--project", str(root), "--locations", str(path),
                   *ONE_CARD).exit_code == 0
    all_built = snapshot(root / "output")

    # riverside-clinic's phone and a new row's slug go bad
    broken = [list(r) for r in good]
    broken[1][phone] = "555-CALL-NOW"
    broken.append([*good[0][:slug], "New Site!", *good[0][slug + 1:]])
    write_ods(path, {"Sites": [header, *broken]})
    source = "content/sites.ods, sheet 'Sites'"
    errors = [
        f"error: {source}, row 3: column 'phone': \"555-CALL-NOW\" is not a valid phone number",
        f"error: {source}, row 5: column 'slug': \"New Site!\" is not a valid slug",
    ]

    # without --skip-invalid: every bad row reported, nothing written
    result = run_cli("build", "--project", str(root), "--locations", str(path), *ONE_CARD,
                     "--force")
    assert result.exit_code == 1
    assert [line[: len(e)] for line in result.output.splitlines() for e in errors
            if line.startswith(e)] == errors
    assert "files written" not in result.output
    assert snapshot(root / "output") == all_built

    # with it: the valid rows built, the same errors, exit 1
    result = run_cli("build", "--project", str(root), "--locations", str(path), *ONE_CARD,
                     "--force", "--skip-invalid")
    assert result.exit_code == 1, result.output
    for error in errors:
        assert sum(line.startswith(error) for line in result.output.splitlines()) == 1
    assert "4 files written" in result.output
    assert "the location rows with errors above were left out" in result.output
    listed = manifest(root)
    assert {e["location"] for e in listed} == {"east-harbor", "mobile-outreach"}
    for entry in listed:
        assert (root / "output" / str(entry["path"])).is_file()
    card = root / "output" / "east-harbor" / "en" / "wallet-card.pdf"
    assert "(410) 555-0142" in " ".join(pdf_text(card))
    assert decode_qr(card) and all("site=east-harbor" in url for url in decode_qr(card))
    # riverside-clinic's earlier good card is left alone, no longer listed
    kept = root / "output" / "riverside-clinic" / "en" / "wallet-card.pdf"
    assert kept.read_bytes() == all_built["riverside-clinic/en/wallet-card.pdf"]
    index = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert "riverside-clinic/en/wallet-card.pdf" not in index


def test_check_skip_invalid_reports_the_rows_and_checks_the_rest(project: Path) -> None:
    path = sheet_file(project, "xlsx", {"Sites": [HEADER, site(1, phone="0"), site(2)]})
    result = run_cli("check", "--project", str(project), "--locations", str(path),
                     "--skip-invalid", "--format", "json", "-j", "1", "-m", "wallet-card")
    report = json.loads(result.output)
    jsonschema.validate(report, json.loads(
        SCHEMA.read_text(encoding="utf-8")))
    assert result.exit_code == 1
    assert report["documents"] == 1  # site-2's wallet card, in English
    first = report["findings"][0]
    assert (first["check"], first["severity"], first["line"], first["field"]) == (
        "data", "error", 2, "column 'phone'")
    assert not [f for f in report["findings"][1:] if f["severity"] == "error"]


def test_skip_invalid_works_for_csv_and_yaml_rows_too(project: Path) -> None:
    rows = sample_rows()
    lines = [",".join(rows[0]), ",".join(rows[1]) + ",extra",
             *(",".join(f'"{c}"' for c in r) for r in rows[2:])]
    (project / "content" / "locations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_project(project, skip_invalid=True)
    assert [loc.slug for loc in loaded.locations] == [r[0] for r in rows[2:]]
    assert [(p.line, p.message) for p in loaded.invalid] == [
        (2, f"row has {len(rows[0]) + 1} cells but the header has {len(rows[0])}")]

    sites = project / "content" / "sites.yaml"
    sites.write_text(
        "- name: Good Site\n  street: 1 Main St\n  city: Baltimore\n  phone: 410-555-0142\n"
        "- name: Typo Site\n  stret: 2 Main St\n  city: Baltimore\n  phone: 410-555-0143\n",
        encoding="utf-8",
    )
    loaded = load_project(project, sites, skip_invalid=True)
    assert [loc.slug for loc in loaded.locations] == ["good-site"]
    assert [str(p).split(" — ")[0] for p in loaded.invalid] == [
        "content/sites.yaml:6: unknown column 'stret'",
        "content/sites.yaml:5: column 'street': is required but empty",
    ]


def test_the_web_server_reloads_the_sheet_it_was_given(project: Path) -> None:
    from makeprint_engine.server import make_server

    path = sheet_file(project, "ods", {"Sites": [HEADER, site(1)], "Closed": [HEADER, site(7)]})
    server = make_server(project, path, port=0, watch=False, sheet="Closed")
    try:
        assert [loc.slug for loc in server.app.project.locations] == ["site-7"]
        sheet_file(project, "ods", {"Sites": [HEADER, site(1)],
                                    "Closed": [HEADER, site(7), site(8)]})
        server.app.reload()
        assert not server.app.load_problems
        assert [loc.slug for loc in server.app.project.locations] == ["site-7", "site-8"]
    finally:
        server.close()
