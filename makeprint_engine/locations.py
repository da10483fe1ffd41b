"""Locations: read a CSV or YAML sheet as spreadsheets export it, validate every row."""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import MakeprintError, Problem, Problems, display_path
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
    "hours",
    "services",
    "languages",
)
REQUIRED = ("name", "street", "city", "phone")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_FIELD = {
    "name": 100,
    "short_name": 40,
    "street": 120,
    "services": 600,
    "hours": 300,
    "intake_url": 600,
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


def load_locations(
    path: Path, root: Path, org: Organization, languages: tuple[str, ...]
) -> list[Location]:
    """Read and validate every row; raise one error listing every problem found."""
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
    rows = (
        _yaml_rows(path, root, source, problems) if is_yaml else _csv_rows(path, source, problems)
    )
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
    locations = []
    first_line: dict[str, int] = {}
    for row in rows:
        location = _validate(row, source, org, languages, problems)
        if location is None:
            continue
        if location.slug in first_line:
            problems.add(
                f'duplicate slug "{location.slug}" (also on line {first_line[location.slug]})',
                path=source,
                line=row.lines.get("slug", row.line),
                field="column 'slug'",
                hint="give one of the two a different slug or name",
            )
            continue
        first_line[location.slug] = row.line
        locations.append(location)
    problems.raise_if_errors()
    return locations


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
    records: Iterator[tuple[int, list[str]]] = _records(reader)
    header: list[str] | None = None
    header_line = 0
    rows: list[_Row] = []
    try:
        for line, record in records:
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip().lower().replace(" ", "_") for cell in record]
                header_line = line
                if not _check_header(header, source, line, problems):
                    return []
                continue
            cells = [cell.strip() for cell in record]
            if [c.lower().replace(" ", "_") for c in cells] == header:
                continue  # a header repeated where two sheets were pasted together
            if len(cells) > len(header) and any(cells[len(header) :]):
                problems.add(
                    f"row has {len(cells)} cells but the header has {len(header)}",
                    path=source,
                    line=line,
                    hint="quote values that contain the delimiter, or remove the extra cells",
                )
                continue
            values = {
                h: c for h, c in zip(header, cells, strict=False) if h and not h.startswith("#")
            }
            rows.append(_Row(line, values, {}))
    except csv.Error as exc:
        problems.add(
            f"cannot read CSV: {exc}",
            path=source,
            line=reader.line_num or header_line,
            hint='check for an unclosed quote (a " must be doubled inside a quoted value)',
        )
        return []
    if header is None:
        return []
    return rows


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
            problems.add("each location must be a mapping of column: value", path=source, line=line)
            continue
        values: dict[str, str] = {}
        lines: dict[str, int] = {}
        for key, value in item.items():
            name = key.strip().lower().replace(" ", "_")
            if name not in COLUMNS:
                close = difflib.get_close_matches(name, COLUMNS, n=1)
                problems.add(
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
        rows.append(_Row(item.line, values, lines))
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
    intake_url = optional("intake_url", check_https_url) or org.intake_url
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


def _noncharacter(c: str) -> bool:
    """U+FDD0–U+FDEF and U+xFFFE/U+xFFFF: never text, and they print as nothing."""
    code = ord(c)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]
