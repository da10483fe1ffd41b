"""Locations: read a CSV, YAML or spreadsheet file as people keep it, validate every row."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import difflib
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import MakeprintError, Problem, Problems, display_path, sheet_source
from .fields import (
    FieldError,
    Phone,
    check_country,
    check_email,
    check_https_url,
    check_slug,
    parse_phone,
    slugify,
)
from .hours import Hours, parse_hours
from .links import check_intake_url
from .organization import Organization
from .yamlsrc import Mapping, Sequence, load_yaml

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
# What lowers the barrier to coming in, printed only where the location says it is true.
OFFERS = ("free", "confidential", "no-id", "walk-in", "no-insurance-needed")
COLUMNS = (
    "slug",
    "name",
    "short_name",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "sms",
    "email",
    "website",
    "intake_url",
    "intake_short_url",
    "qr_tracking",
    "hours",
    "services",
    "offers",
    "languages",
)
REQUIRED = ("name", "street", "city", "phone")
MAX_FILE_BYTES = 5 * 1024 * 1024
# .xlsx and .ods are zip files of XML: a few MB can unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
MAX_ROWS = 5000
MAX_FIELD = {
    "name": 100,
    "short_name": 40,
    "street": 120,
    "services": 600,
    "hours": 300,
    "intake_url": 2000,
    "intake_short_url": 200,
    "website": 600,
}
DEFAULT_MAX_FIELD = 160


@dataclass(frozen=True)
class Location:
    slug: str
    name: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: Phone
    sms: Phone | None
    email: str | None
    website: str | None
    intake_url: str
    hours: Hours | None
    services: tuple[str, ...]
    languages: tuple[str, ...]
    source: str
    line: int
    raw: tuple[tuple[str, str], ...]  # the row as read, for fingerprints
    short_name: str = ""  # printed where space is tight when the full name does not fit
    intake_short_url: str | None = None  # printed instead of the intake URL; the QR keeps it
    qr_tracking: bool | None = None  # None: the organization's setting (off with placeholders)
    # Where intake_url came from, for messages: (file, line, field).
    intake_origin: tuple[str, int | None, str] = ("", None, "intake_url")
    offers: tuple[str, ...] = ()  # OFFERS keys: free, confidential, no ID needed…

    @property
    def address_lines(self) -> tuple[str, ...]:
        """Street, then locality as the country writes it."""
        return self.address()

    def address(self, field: Callable[[str], str] = str) -> tuple[str, ...]:
        """The address lines, each locality value passed through ``field`` (the templates
        isolate each value, so the state and ZIP code keep their place after a right-to-left
        city)."""
        city, region, postal_code = (
            field(x) if x else "" for x in (self.city, self.region, self.postal_code)
        )
        if self.country in ("US", "CA", "AU"):
            tail = " ".join(x for x in (region, postal_code) if x)
            locality = f"{city}, {tail}" if tail else city
        else:
            locality = " ".join(x for x in (postal_code, city) if x)
            if region:
                locality += f", {region}"
        return (self.street, locality)


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    lines: dict[str, int]
    # What the reader found wrong with the row itself (too many cells, a time where text
    # belongs, an unknown key); a row with problems is not built.
    problems: list[Problem] = dataclasses.field(default_factory=list)
    split: bool = True  # False: the row could not be split into cells; nothing to validate


def load_locations(
    path: Path,
    root: Path,
    org: Organization,
    languages: tuple[str, ...],
    sheet: str | None = None,
) -> list[Location]:
    """Read and validate every row; raise one error listing every problem found."""
    locations, invalid = read_locations(path, root, org, languages, sheet)
    if invalid:
        raise MakeprintError(invalid)
    return locations


def read_locations(
    path: Path,
    root: Path,
    org: Organization,
    languages: tuple[str, ...],
    sheet: str | None = None,
) -> tuple[list[Location], list[Problem]]:
    """The valid locations, and every problem of the rows that are not (for --skip-invalid).

    A problem with the file as a whole (missing, unreadable, a bad header) still raises:
    then no row can be trusted.
    """
    source = display_path(path, root)
    if not path.is_file():
        raise MakeprintError(
            Problem(
                "locations file not found",
                path=source,
                hint="create it, or name another with --locations FILE",
            )
        )
    if path.stat().st_size > MAX_FILE_BYTES:
        raise MakeprintError(
            Problem(
                f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                path=source,
                hint="split it into several files",
            )
        )
    problems = Problems()
    is_yaml = path.suffix.lower() in (".yaml", ".yml")
    is_sheet = path.suffix.lower() in SPREADSHEET_SUFFIXES
    if sheet is not None and not is_sheet:
        raise MakeprintError(
            Problem(
                f"--sheet-name '{sheet}' names a sheet, but this is not a spreadsheet file",
                path=source,
                hint="leave --sheet-name out, or name an .xlsx or .ods file with --locations",
            )
        )
    if is_yaml:
        rows = _yaml_rows(path, root, source, problems)
    elif is_sheet:
        source, rows = _sheet_rows(path, source, sheet, org.country, problems)
    else:
        rows = _csv_rows(path, source, problems)
    if not rows:
        problems.raise_if_errors()
        raise MakeprintError(
            Problem(
                "no locations in file",
                path=source,
                line=1,
                hint="add one '- name: ...' entry per location"
                if is_yaml
                else "add a header row and one row per location",
            )
        )
    if len(rows) > MAX_ROWS:
        raise MakeprintError(
            Problem(
                f"{len(rows)} rows is more than the {MAX_ROWS} allowed",
                path=source,
                hint="split the file and build each part with --locations",
            )
        )
    problems.raise_if_errors()  # the file as a whole: no row can be trusted
    for row in rows:
        problems.extend(row.problems)
    unit = "row" if is_sheet else "line"
    locations = []
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.split:
            continue
        location = _validate(row, source, org, languages, problems)
        if location is None:
            continue
        if location.slug in first_line:
            problems.add(
                f'duplicate slug "{location.slug}" (also on {unit} {first_line[location.slug]})',
                path=source,
                line=row.lines.get("slug", row.line),
                field="column 'slug'",
                hint="give one of the two a different slug or name",
            )
            continue
        first_line[location.slug] = row.line
        if not row.problems:
            locations.append(location)
    return locations, problems.errors


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise MakeprintError(
            Problem(
                "file is not UTF-8 text",
                path=source,
                line=line,
                hint="save it as 'CSV UTF-8' from your spreadsheet program",
            )
        ) from None


def _sniff_delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(path: Path, source: str, problems: Problems) -> list[_Row]:
    text = _decode(path.read_bytes(), source)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True
    )
    rows: list[_Row] = []
    header_line: list[int] = []
    try:
        _table_rows(
            _records(reader), source, problems, rows, header_line,
            "quote values that contain the delimiter, or remove the extra cells",
        )
    except csv.Error as exc:
        for row in rows:
            problems.extend(row.problems)
        problems.add(
            f"cannot read CSV: {exc}",
            path=source,
            line=reader.line_num or (header_line[0] if header_line else 0),
            hint='check for an unclosed quote (a " must be doubled inside a quoted value)',
        )
        return []
    return rows


def _table_rows(
    records: Iterable[tuple[int, list[str]]],
    source: str,
    problems: Problems,
    rows: list[_Row],
    header_line: list[int],
    extra_cells_hint: str,
) -> None:
    """Rows of a table as CSV and spreadsheets hold it: the first row with any text is the
    header. Fills ``rows`` as it goes (the caller keeps them if the reader fails midway)."""
    header: list[str] | None = None
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower().replace(" ", "_") for cell in record]
            header_line.append(line)
            if not _check_header(header, source, line, problems):
                return
            continue
        cells = [cell.strip() for cell in record]
        if [c.lower().replace(" ", "_") for c in cells] == header:
            continue  # a header repeated where two sheets were pasted together
        if len(cells) > len(header) and any(cells[len(header) :]):
            problem = Problem(
                f"row has {len(cells)} cells but the header has {len(header)}",
                path=source,
                line=line,
                hint=extra_cells_hint,
            )
            rows.append(_Row(line, {}, {}, [problem], split=False))
            continue
        values = {
            h: c for h, c in zip(header, cells, strict=False) if h and not h.startswith("#")
        }
        rows.append(_Row(line, values, {}))


def _sheet_rows(
    path: Path, source: str, sheet: str | None, country: str, problems: Problems
) -> tuple[str, list[_Row]]:
    """One sheet of an .xlsx/.ods/.xls workbook (the first, or the one named), read like a CSV.

    Cells keep the value the spreadsheet stored (python-calamine; a formula gives the value it
    last calculated), so numbers and times are turned into the text a person typed: see
    _cell_text. Returns the source for problems ("book.xlsx, sheet 'Sites'") and the rows.
    """
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError):
            unpacked = 0  # calamine says what is wrong with it below
        if unpacked > MAX_UNPACKED_BYTES:
            raise MakeprintError(
                Problem(
                    f"spreadsheet unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB",
                    path=source,
                    hint="keep only the locations sheet, or save it as CSV",
                )
            )
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if sheet is None:
            shown = SheetVisibleEnum.Visible
            visible = [m.name for m in book.sheets_metadata if m.visible == shown]
            if not visible and not names:
                raise MakeprintError(
                    Problem("the workbook has no sheets", path=source, hint="add one")
                )
            sheet = (visible or names)[0]
        elif sheet not in names:
            close = difflib.get_close_matches(sheet, names, n=1)
            raise MakeprintError(
                Problem(
                    f"no sheet named '{sheet}'",
                    path=source,
                    hint=(f"did you mean '{close[0]}'? " if close else "")
                    + "the sheets are "
                    + ", ".join(f"'{n}'" for n in names)
                    + "; name one with --sheet-name",
                )
            )
        table = book.get_sheet_by_name(sheet)
        if table.end is not None and table.end[0] + 1 > 2 * MAX_ROWS:
            raise MakeprintError(
                Problem(
                    f"sheet '{sheet}' has {table.end[0] + 1} rows; at most {MAX_ROWS} "
                    "locations are allowed",
                    path=source,
                    hint="split the file and build each part with --locations",
                )
            )
        cells = table.to_python(skip_empty_area=False)  # from A1: index + 1 is the row number
    except PasswordError:
        raise MakeprintError(
            Problem(
                "the spreadsheet is protected with a password",
                path=source,
                hint="save a copy without a password, or export the sheet as CSV UTF-8",
            )
        ) from None
    except CalamineError as exc:
        raise MakeprintError(
            Problem(
                f"cannot read spreadsheet: {exc}",
                path=source,
                hint="open it in your spreadsheet program and save it again as .xlsx or .ods, "
                "or export the sheet as CSV UTF-8",
            )
        ) from None
    source = sheet_source(source, sheet)
    records: list[tuple[int, list[str]]] = []
    notes: dict[int, list[Problem]] = {}
    names_of: list[str] = []
    country_at: int | None = None
    for number, raw in enumerate(cells, start=1):
        while raw and raw[-1] in ("", None):  # trailing empty cells: not cells of the row
            raw = raw[:-1]
        if not raw:
            continue
        if not names_of:  # the header, found the same way _table_rows finds it
            names_of = [_cell_text(v, "", "")[0].strip().lower().replace(" ", "_") for v in raw]
            country_at = names_of.index("country") if "country" in names_of else None
            records.append((number, [_cell_text(v, "", "")[0] for v in raw]))
            continue
        row_country = country
        if country_at is not None and country_at < len(raw) and isinstance(raw[country_at], str):
            with contextlib.suppress(FieldError):  # reported by the validation of the row
                row_country = check_country(raw[country_at].strip()) or country
        texts = []
        for index, value in enumerate(raw):
            name = names_of[index] if index < len(names_of) else ""
            text, problem = _cell_text(value, name, row_country)
            texts.append(text)
            if problem is not None and name in COLUMNS:
                message, hint = problem
                notes.setdefault(number, []).append(
                    Problem(message, path=source, line=number, field=f"column '{name}'",
                            hint=hint, key=name)
                )
        records.append((number, texts))
    rows: list[_Row] = []
    _table_rows(
        records, source, problems, rows, [],
        "give the extra column a header, or clear the cells right of the last column",
    )
    for row in rows:
        for problem in notes.get(row.line, []):
            row.problems.append(problem)
            row.values.pop(str(problem.key), None)  # said once: not validated again as text
    return source, rows


def _cell_text(value: object, column: str, country: str) -> tuple[str, tuple[str, str] | None]:
    """The text of a spreadsheet cell as a person typed it, or why it cannot be used.

    Spreadsheets store what looks like a number as a number: the ZIP code 02139 becomes 2139,
    a phone number 4105550142.0. Whole numbers are written without ".0"; US ZIP codes get their
    leading zeros back. Opening hours typed as a single time are refused with the fix.
    """
    if value is None:
        return "", None
    if isinstance(value, bool):  # before int: True is an int too
        return ("true" if value else "false"), None
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value), None
        number = int(value)
        if column == "postal_code" and country == "US":
            return _us_zip(number)
        return str(number), None
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        if isinstance(value, dt.datetime):
            text, kind = value.strftime("%Y-%m-%d %H:%M"), "date and time"
        elif isinstance(value, dt.date):
            text, kind = value.isoformat(), "date"
        elif isinstance(value, dt.time):
            text, kind = value.strftime("%H:%M"), "time"
        else:
            minutes = int(value.total_seconds()) // 60
            text, kind = f"{minutes // 60}:{minutes % 60:02d}", "duration"
        if column == "hours":
            return text, (
                f"the cell holds a {kind} ({text}), not opening hours",
                "format the column as Text and type the days and times, like "
                "Mon-Fri 09:00-17:00; Sat 10:00-14:00",
            )
        return text, None
    return str(value), None


def _us_zip(number: int) -> tuple[str, tuple[str, str] | None]:
    """A US ZIP code the spreadsheet stored as a number: 2139 → 02139, 21394321 → 02139-4321."""
    if 0 <= number < 100_000:
        return f"{number:05d}", None
    if 1_000_000 <= number < 1_000_000_000:  # ZIP+4; the smallest ZIP is 00501
        digits = f"{number:09d}"
        return f"{digits[:5]}-{digits[5:]}", None
    return str(number), (
        f"{number} is not a US ZIP code",
        "write 5 digits (02139) or ZIP+4 (02139-4321); format the column as Text so "
        "leading zeros stay",
    )


def _records(reader: csv._reader) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line, cells) for each CSV record."""
    line = 1
    for record in reader:
        yield line, record
        line = reader.line_num + 1


def _check_header(header: list[str], source: str, line: int, problems: Problems) -> bool:
    ok = True
    for name in header:
        if name and name not in COLUMNS and not name.startswith("#"):
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.add(
                f"unknown column '{name}'",
                path=source,
                line=line,
                hint=hint
                + "valid columns are "
                + ", ".join(COLUMNS)
                + " (start a column name with # to keep notes the build ignores)",
            )
            ok = False
    for name in REQUIRED:
        if name not in header:
            problems.add(
                f"missing required column '{name}'",
                path=source,
                line=line,
                hint="add it to the header row",
            )
            ok = False
    seen = set()
    for name in header:
        if name and name in seen:
            problems.add(
                f"column '{name}' appears twice", path=source, line=line, hint="keep one of them"
            )
            ok = False
        seen.add(name)
    return ok


def _yaml_rows(path: Path, root: Path, source: str, problems: Problems) -> list[_Row]:
    data = load_yaml(path, root, scalars_as_text=True, max_bytes=MAX_FILE_BYTES)
    if data is None:
        return []
    if not isinstance(data, Sequence):
        problems.add(
            "must be a list of locations",
            path=source,
            line=1,
            hint="start each location with '- name: ...'",
        )
        return []
    rows = []
    for item, line in zip(data, data.item_lines, strict=True):
        if not isinstance(item, Mapping):
            problem = Problem(
                "each location must be a mapping of column: value", path=source, line=line
            )
            rows.append(_Row(line, {}, {}, [problem], split=False))
            continue
        values: dict[str, str] = {}
        lines: dict[str, int] = {}
        row_problems = Problems()
        for key, value in item.items():
            name = key.strip().lower().replace(" ", "_")
            if name not in COLUMNS:
                close = difflib.get_close_matches(name, COLUMNS, n=1)
                row_problems.add(
                    f"unknown column '{key}'",
                    path=source,
                    line=item.line_of(key),
                    hint=(f"did you mean '{close[0]}'? " if close else "")
                    + "valid columns are "
                    + ", ".join(COLUMNS),
                )
                continue
            if isinstance(value, list):
                value = ";".join(str(v) for v in value)
            values[name] = "" if value is None else str(value).strip()
            lines[name] = item.line_of(key)
        rows.append(_Row(item.line, values, lines, row_problems.items))
    return rows


def _validate(
    row: _Row, source: str, org: Organization, languages: tuple[str, ...], problems: Problems
) -> Location | None:
    before = len(problems.errors)

    def fail(field: str, message: str, hint: str | None = None) -> None:
        problems.add(
            message,
            path=source,
            line=row.lines.get(field, row.line),
            field=f"column '{field}'",
            hint=hint,
            key=field,
        )

    # A line break typed into a spreadsheet cell (Alt+Enter) reads as a space in print.
    values = {k: " ".join(v.split()) for k, v in row.values.items()}
    rejected = set()
    for field, value in values.items():
        limit = MAX_FIELD.get(field, DEFAULT_MAX_FIELD)
        if len(value) > limit:
            fail(
                field,
                f"is {len(value)} characters long; the limit is {limit}",
                "shorten it so it fits on a printed card",
            )
        elif value.startswith("="):
            fail(
                field,
                f'"{value[:40]}" is a spreadsheet formula, not a value',
                "paste values only (Paste Special → Values) and export again",
            )
        elif any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in value):
            fail(field, "contains control characters", "retype the value")
        elif bad := next((c for c in value if _noncharacter(c)), None):
            fail(field, f"contains U+{ord(bad):04X}, which is not a character", "retype the value")
        elif value and all(unicodedata.category(c)[0] in "ZC" for c in value):
            fail(field, "has no visible characters", "type the text, or leave the cell empty")
        else:
            continue
        rejected.add(field)
    for field in rejected:
        values[field] = ""

    for field in REQUIRED:
        if not values.get(field) and field not in rejected:
            fail(field, "is required but empty", f"fill in the {field} for this location")

    def get(field: str) -> str:
        return values.get(field, "").strip()

    country = org.country
    if get("country"):
        try:
            country = check_country(get("country"))
        except FieldError as exc:
            fail("country", exc.message, exc.hint)

    slug = get("slug")
    if slug:
        try:
            check_slug(slug)
        except FieldError as exc:
            fail("slug", exc.message, exc.hint)
    elif get("name"):
        slug = slugify(get("name"))
        if not slug:
            fail(
                "slug",
                f'cannot make a slug from the name "{get("name")}"',
                "it has no letters or digits to spell one with: fill in this row's slug "
                "(a-z, 0-9 and hyphens, e.g. clinic-1), adding a slug column if there is none",
            )

    phone = sms = None
    for field in ("phone", "sms"):
        if get(field):
            try:
                parsed = parse_phone(get(field), country)
            except FieldError as exc:
                fail(field, exc.message, exc.hint)
            else:
                if field == "phone":
                    phone = parsed
                else:
                    sms = parsed

    def optional(field: str, check) -> str | None:  # type: ignore[no-untyped-def]
        if not get(field):
            return None
        try:
            return check(get(field))  # type: ignore[no-any-return]
        except FieldError as exc:
            fail(field, exc.message, exc.hint)
            return None

    email = optional("email", check_email)
    website = optional("website", check_https_url)
    intake_url = optional("intake_url", check_intake_url)
    if intake_url:
        origin = (source, row.lines.get("intake_url", row.line), "column 'intake_url'")
    else:
        intake_url = org.intake_url
        origin = (org.path, org.key_lines.get("intake_url"), "intake_url")
    short_url = optional("intake_short_url", check_https_url) or org.intake_short_url
    qr_tracking = optional("qr_tracking", _on_off)
    hours = optional("hours", parse_hours)

    services: list[str] = []
    for key in _split(get("services")):
        name = key.lower()
        if name not in SERVICES:
            fail(
                "services", f'unknown service "{key}"', "valid services are " + ", ".join(SERVICES)
            )
        elif name not in services:
            services.append(name)

    offers: list[str] = []
    for key in _split(get("offers")):
        name = key.lower()
        if name not in OFFERS:
            fail(
                "offers",
                f'unknown offer "{key}"',
                "valid offers are " + ", ".join(OFFERS) + " (list only what is true here)",
            )
        elif name not in offers:
            offers.append(name)

    langs: list[str] = []
    for code in _split(get("languages")) or list(org.languages):
        if code not in languages:
            fail(
                "languages",
                f'unknown language "{code}"',
                "available languages are "
                + ", ".join(languages)
                + " (add a folder under content/ for another)",
            )
        elif code not in langs:
            langs.append(code)

    if len(problems.errors) > before or phone is None:
        return None
    return Location(
        slug=slug,
        name=get("name"),
        street=get("street"),
        city=get("city"),
        region=get("region"),
        postal_code=get("postal_code"),
        country=country,
        phone=phone,
        sms=sms,
        email=email,
        website=website,
        intake_url=intake_url,
        hours=hours,
        services=tuple(services),
        languages=tuple(langs),
        source=source,
        line=row.line,
        raw=tuple(sorted(values.items())),
        short_name=get("short_name"),
        intake_short_url=short_url,
        qr_tracking=qr_tracking,
        intake_origin=origin,
        offers=tuple(offers),
    )


def location_from_fields(
    fields: dict[str, str], org: Organization, languages: tuple[str, ...], source: str = "form"
) -> tuple[Location | None, list[Problem]]:
    """Validate one location given as field → text (a web form, say) exactly like a file row."""
    problems = Problems()
    unknown = sorted(set(fields) - set(COLUMNS))
    for key in unknown:
        problems.add("unknown field", path=source, field=key, key=key,
                     hint="valid fields are " + ", ".join(COLUMNS))
    values = {k: str(v) for k, v in fields.items() if k in COLUMNS}
    location = _validate(_Row(0, values, {}), source, org, languages, problems)
    return (None if problems.errors else location), problems.items


def _on_off(raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise FieldError(f'"{raw}" is not on or off', "write on or off (or leave it empty)")


def _noncharacter(c: str) -> bool:
    """U+FDD0–U+FDEF and U+xFFFE/U+xFFFF: never text, and they print as nothing."""
    code = ord(c)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]
