"""Directories: which locations a collection material lists, in which order (pure but for ICU)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import MakeprintError, Problem, Problems
from .yamlsrc import Mapping

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What a filter may test, and how a location answers: one value, or several (any may match).
FIELDS: dict[str, Any] = {
    "city": lambda loc: (loc.city,),
    "region": lambda loc: (loc.region,),
    "postal_code": lambda loc: (loc.postal_code,),
    "country": lambda loc: (loc.country,),
    "service": lambda loc: loc.services,
    "offer": lambda loc: loc.offers,
    "language": lambda loc: loc.languages,
    "location": lambda loc: (loc.slug,),
}
# The directory every project has when organization.yaml names none: every location.
DEFAULT_NAME = "all"


@dataclass(frozen=True)
class Directory:
    """A named list of locations: every filter must match (a list of values: any of them)."""

    name: str
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    languages: tuple[str, ...] = ()  # empty: every language one of its locations lists
    path: str | None = None  # where it was defined, for messages
    line: int | None = None

    def matches(self, location: Any) -> bool:
        return all(
            {_fold(v) for v in FIELDS[key](location)} & {_fold(v) for v in values}
            for key, values in self.where
        )

    def describe(self) -> str:
        pairs = (f"{key}={'|'.join(values)}" for key, values in self.where)
        return ", ".join(pairs) or "every location"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).casefold().strip()


def parse_where(texts: Iterable[str]) -> Directory:
    """``--where city=Baltimore --where service=naloxone`` → one directory named for them.

    The same field given twice means either value (``--where city=A --where city=B``).
    """
    problems = Problems()
    where: dict[str, list[str]] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            problems.add(f'"{text}" is not a filter', field="--where",
                         hint="write it as FIELD=VALUE, e.g. --where city=Baltimore")
        elif key not in FIELDS:
            problems.add(f'unknown field "{key}"', field="--where",
                         hint="filter by " + ", ".join(FIELDS))
        else:
            where.setdefault(key, []).append(value)
    problems.raise_if_errors()
    from .fields import slugify

    pairs = tuple((k, tuple(v)) for k, v in where.items())
    name = "-".join(slugify(f"{k} {' '.join(v)}") for k, v in pairs) or DEFAULT_NAME
    return Directory(name, pairs, path="--where")


def load_directories(raw: object, source: str, line: int | None, problems: Problems,
                     known_languages: Sequence[str] = ()) -> dict[str, Directory]:
    """organization.yaml ``directories: {NAME: {FIELD: VALUE or [VALUES], languages: [..]}}``."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add("must be a mapping of directory names to filters", path=source, line=line,
                     field="directories",
                     hint="e.g. directories: {baltimore-naloxone: {city: Baltimore, "
                     "service: naloxone}}")
        return {}
    found: dict[str, Directory] = {}
    for name, spec in raw.items():
        where = {"path": source, "line": raw.line_of(name), "field": f"directories.{name}"}
        if not isinstance(name, str) or not NAME_RE.match(name):
            problems.add(f'"{name}" is not a valid directory name', **where,
                         hint="use lowercase letters, digits and hyphens, e.g. baltimore-naloxone")
            continue
        if spec is None:  # `all-sites:` with nothing after it: every location
            found[name] = Directory(name, (), (), source, raw.line_of(name))
            continue
        if not isinstance(spec, Mapping):
            problems.add("must be a mapping of filters", **where,
                         hint="e.g. {city: Baltimore, service: naloxone}; {} lists every location")
            continue
        pairs: list[tuple[str, tuple[str, ...]]] = []
        languages: tuple[str, ...] = ()
        for key, value in spec.items():
            at = {"path": source, "line": spec.line_of(key),
                  "field": f"directories.{name}.{key}"}
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, str | int) and str(v).strip() for v in values):
                problems.add("must be a value or a list of values", **at,
                             hint=f"e.g. {key}: [A, B]")
                continue
            texts = tuple(str(v).strip() for v in values)
            if key == "languages":
                unknown = [c for c in texts if known_languages and c not in known_languages]
                if unknown:
                    problems.add(f"unknown language {', '.join(unknown)}", **at,
                                 hint="available languages are " + ", ".join(known_languages))
                languages = texts
            elif key not in FIELDS:
                problems.add(f'unknown field "{key}"', **at,
                             hint="filter by " + ", ".join(FIELDS) + ", or set languages")
            else:
                pairs.append((key, texts))
        found[name] = Directory(name, tuple(pairs), languages, source, raw.line_of(name))
    return found


def members(directory: Directory, locations: Sequence[Any]) -> list[Any]:
    """The locations a directory lists, in the file's order."""
    return [loc for loc in locations if directory.matches(loc)]


def check_members(directories: Iterable[Directory], locations: Sequence[Any]) -> list[Problem]:
    """A directory that lists no location is a mistake (a misspelt city), not an empty PDF."""
    return [
        Problem(f"no location matches {d.describe()}", path=d.path, line=d.line,
                field=f"directories.{d.name}" if d.path != "--where" else "--where",
                hint="check the spelling against the locations file's columns (matching "
                "ignores case)")
        for d in directories
        if not members(d, locations)
    ]


def directory_languages(directory: Directory, listed: Sequence[Any],
                        project_languages: Sequence[str]) -> list[str]:
    """Its own ``languages``, else every language one of its locations lists (project order)."""
    if directory.languages:
        return list(directory.languages)
    wanted = {code for loc in listed for code in loc.languages}
    return [code for code in project_languages if code in wanted]


# --- collation -------------------------------------------------------------------------------


@cache
def _collator(locale: str) -> Any:
    import icu  # PyICU: CLDR's tailoring per language (Spanish ñ after n, Vietnamese đ after d)

    collator = icu.Collator.createInstance(icu.Locale(locale.replace("-", "_")))
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    return collator


def sort_key(locale: str) -> Any:
    """A key function ordering text by the language's collation rules (ICU, CLDR data)."""
    collator = _collator(locale)
    return collator.getSortKey


def grouped(listed: Sequence[Any], locale: str) -> list[tuple[str, list[Any]]]:
    """Locations grouped by city (or region when no city), groups and names in the
    language's order; equal keys keep the file's order (sorted is stable)."""
    key = sort_key(locale)
    groups: dict[str, list[Any]] = {}
    for loc in listed:
        groups.setdefault(loc.city or loc.region or "", []).append(loc)
    return [
        (city, sorted(groups[city], key=lambda loc: key(loc.name)))
        for city in sorted(groups, key=key)
    ]


def resolve(directories: dict[str, Directory], wanted: Sequence[str]) -> list[Directory]:
    """The named directories asked for (all of them when none is named)."""
    unknown = [n for n in wanted if n not in directories]
    if unknown:
        raise MakeprintError([
            Problem(f'no directory named "{n}"', field="--directory",
                    hint="choose from: " + ", ".join(directories)) for n in unknown
        ])
    return [directories[n] for n in wanted] if wanted else list(directories.values())
