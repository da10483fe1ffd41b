"""Spreadsheet files for tests, made on the spot: .xlsx with openpyxl, .ods written by hand.

A cell is given as the Python value the spreadsheet stores: str (text), int or float
(a number), bool, datetime.date/datetime/time (a date or time cell), or Formula (a formula
with the value it last calculated, as a spreadsheet program saves it).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Formula:
    formula: str  # without the leading "=", e.g. "A2*2"
    value: object  # the cached result


Sheet = list[list[object]]


def write_xlsx(path: Path, sheets: dict[str, Sheet]) -> Path:
    """A workbook with these sheets, in order, each a list of rows from A1."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                if isinstance(value, Formula):
                    # openpyxl writes no cached value; a value stands in for what Excel saves
                    value = value.value
                sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def write_ods(path: Path, sheets: dict[str, Sheet]) -> Path:
    """An OpenDocument spreadsheet with these sheets, written as LibreOffice would store it."""
    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    # Fixed dates: the same sheets make the same bytes (tests/corpus/ keeps one such file).
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, method in (
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
            ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
            ("content.xml", content, zipfile.ZIP_DEFLATED),
        ):
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data, method)
    return path


def _ods_cell(value: object) -> str:
    formula = ""
    if isinstance(value, Formula):
        formula = f" table:formula={quoteattr('of:=' + value.formula)}"
        value = value.value
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        attrs = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
        shown = "TRUE" if value else "FALSE"
    elif isinstance(value, int | float):
        attrs = f'office:value-type="float" office:value="{value!r}"'
        shown = repr(value)
    elif isinstance(value, dt.datetime):
        attrs = f'office:value-type="date" office:date-value="{value.isoformat()}"'
        shown = value.isoformat(" ")
    elif isinstance(value, dt.date):
        attrs = f'office:value-type="date" office:date-value="{value.isoformat()}"'
        shown = value.isoformat()
    elif isinstance(value, dt.time):
        attrs = (
            f'office:value-type="time" '
            f'office:time-value="PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"'
        )
        shown = value.strftime("%H:%M")
    else:
        attrs, shown = 'office:value-type="string"', str(value)
    return f"<table:table-cell {attrs}{formula}><text:p>{escape(shown)}</text:p></table:table-cell>"


# --- the spreadsheet files in tests/corpus/ (python tests/spreadsheets.py writes them again) ---

_HEADER = ["slug", "name", "street", "city", "region", "postal_code", "phone", "hours",
           "services", "languages"]
_EAST_HARBOR = ["east-harbor", "East Harbor Drop-In Center", "1200 Eastern Ave", "Baltimore",
                "MD", 21224, 4105550142, "Mon-Fri 09:00-17:00; Sat 10:00-14:00",
                "naloxone;syringe-services", "en;es"]
_RIVERSIDE = ["riverside-clinic", "Riverside Recovery Clinic", "45 River Rd Suite 200",
              "Frederick", "MD", 21701, "301-555-0178 ext. 12", dt.time(9, 0), "methadone",
              "en;es"]

CORPUS_SHEETS: dict[str, dict[str, Sheet]] = {
    # a time typed into the hours column: the cell holds 09:00, not opening hours
    "loc-sheet-hours-as-time.ods": {"Sites": [_HEADER, _EAST_HARBOR, _RIVERSIDE]},
    # the ZIP code and the phone number stored as numbers, a blank row: must just work
    "ok-sheet-numbers.ods": {"Sites": [_HEADER, [], _EAST_HARBOR, [None] * 10]},
}


if __name__ == "__main__":
    corpus = Path(__file__).parent / "corpus"
    for name, sheets in CORPUS_SHEETS.items():
        print(write_ods(corpus / name, sheets))
