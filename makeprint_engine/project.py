"""A project folder: find it, load and validate all of its inputs before anything renders."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .content import (
    Hotline,
    Language,
    check_against_source,
    discover_languages,
    load_hotlines,
    load_language,
)
from .directories import DEFAULT_NAME, Directory, check_members
from .errors import MakeprintError, Problem, Problems, display_path
from .geometry import Sheet
from .links import check_intake
from .locations import Location, read_locations
from .materials import Material, discover_materials
from .organization import Organization, load_organization
from .sheets import DEFAULT_SHEET, load_sheets


@dataclass
class Project:
    root: Path
    organization: Organization
    languages: dict[str, Language]
    materials: dict[str, Material]
    hotlines: dict[str, Hotline]
    locations: list[Location]
    locations_path: Path
    warnings: list[Problem]
    sheets: dict[str, Sheet] = field(default_factory=dict)
    # With skip_invalid: every problem of the location rows left out (else loading fails).
    invalid: list[Problem] = field(default_factory=list)

    def sheet_name(self, name: str | None, kind: str = "cards") -> str:
        """The named stock, or the default of ``kind`` (cards, labels) for the organization's
        paper: ``--sheet`` names one stock, and the other kind keeps its default."""
        chosen = name or DEFAULT_SHEET[kind][self.organization.paper]
        if chosen in self.sheets and self.sheets[chosen].kind != kind:
            chosen = DEFAULT_SHEET[kind][self.organization.paper]
        return chosen

    def sheet(self, name: str | None, kind: str = "cards") -> Sheet:
        """The stock ``sheet_name`` chooses; an unknown name is an error."""
        chosen = self.sheet_name(name, kind)
        if chosen not in self.sheets:
            raise MakeprintError(Problem(
                f'no sheet stock named "{chosen}"', path="templates/sheets",
                hint="choose from: " + (", ".join(sorted(self.sheets)) or "(none)")
                + " — or add templates/sheets/NAME.yaml"))
        return self.sheets[chosen]

    @property
    def directories(self) -> dict[str, Directory]:
        """organization.yaml's named directories; with none named, one of every location."""
        return self.organization.directories or {DEFAULT_NAME: Directory(DEFAULT_NAME)}

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"


def find_root(start: Path) -> Path:
    """The project folder: ``start`` itself when it holds content/organization.yaml."""
    root = start.resolve()
    if not (root / "content" / "organization.yaml").is_file():
        raise MakeprintError(
            Problem(
                "not a makeprint project (no content/organization.yaml)",
                path=str(start),
                hint="run inside a project, pass --project DIR, or start one: makeprint new DIR",
            )
        )
    return root


def load_project(
    root: Path,
    locations_file: Path | None = None,
    sheet: str | None = None,
    skip_invalid: bool = False,
    partial_translations: bool = False,
) -> Project:
    """Load everything, report every problem found across all files, then stop once.

    ``sheet`` names the sheet of a spreadsheet locations file (default: the first).
    With ``skip_invalid``, location rows with problems are left out and their problems kept
    in ``Project.invalid``; a problem in any other file, or in the locations file as a whole,
    still stops the load. With ``partial_translations``, keys missing from a translation are
    warnings, not errors (``makeprint list`` counts them).
    """
    root = find_root(root)
    problems = Problems()

    def attempt(load, *args):  # type: ignore[no-untyped-def]
        try:
            return load(*args)
        except MakeprintError as exc:
            problems.extend(exc.problems)
            return None

    org = attempt(load_organization, root / "content" / "organization.yaml", root)
    materials = attempt(discover_materials, root / "templates", root) or []
    if not materials and not problems.errors:
        problems.add(
            "no materials found",
            path=display_path(root / "templates" / "materials", root),
            hint="add NAME.html and NAME.yaml there",
        )
    hotlines = attempt(load_hotlines, root / "content" / "hotlines.yaml", root) or {}
    sheets = attempt(load_sheets, root / "templates" / "sheets", root) or {}
    languages: dict[str, Language] = {}
    names = [m.name for m in materials]
    for code in discover_languages(root / "content"):
        # A broken file is reported on its own; the language still exists for the checks
        # that follow, so it does not also cause "unknown language" errors elsewhere.
        languages[code] = load_language(root / "content", code, names, root, problems)
    untranslated = check_against_source(languages, root)
    if not partial_translations:
        problems.extend(untranslated)
    warnings = [replace(p, severity="warning") for p in untranslated if partial_translations]
    warnings += [
        Problem(
            f"language '{code}' is a draft translation",
            severity="warning",
            path=display_path(lang.folder / "language.yaml", root),
            field="status",
            hint="have a qualified translator review it, then set status: reviewed and reviewed_by",
        )
        for code, lang in languages.items()
        if lang.is_draft
    ]
    if org is not None:
        for code in org.languages:
            if code not in languages:
                problems.add(
                    f'unknown language "{code}"',
                    path=org.path,
                    field="languages",
                    line=org.key_lines.get("languages"),
                    hint="available languages are " + ", ".join(sorted(languages)),
                )
    path = locations_file if locations_file is not None else root / "content" / "locations.csv"
    if not path.is_absolute():
        path = Path.cwd() / path
    locations: list[Location] = []
    invalid: list[Problem] = []
    if org is not None:
        locations, invalid = attempt(
            read_locations, path, root, org, tuple(sorted(languages)), sheet
        ) or ([], [])
        if not skip_invalid:
            problems.extend(invalid)
            invalid = []
        # The QR density budget: a location whose intake URL no code can hold is a bad row.
        per_location = {m.name: m for m in materials if not m.collection}
        intake = check_intake(org, per_location, locations)
        warnings += [p for _, p in intake if p.severity != "error"]
        refused = {slug: p for slug, p in intake if p.severity == "error"}
        if skip_invalid:
            invalid += refused.values()
            locations = [loc for loc in locations if loc.slug not in refused]
        else:
            problems.extend(refused.values())
        for directory in org.directories.values():
            unknown = [code for code in directory.languages if code not in languages]
            if unknown:
                problems.add(
                    f"unknown language {', '.join(unknown)}", path=org.path,
                    line=directory.line, field=f"directories.{directory.name}.languages",
                    hint="available languages are " + ", ".join(sorted(languages)))
        if locations and any(m.collection for m in materials):  # else no directory is made
            problems.extend(check_members(org.directories.values(), locations))
    problems.raise_if_errors()
    assert org is not None
    return Project(
        root, org, languages, {m.name: m for m in materials}, hotlines, locations, path, warnings,
        sheets, invalid,
    )
