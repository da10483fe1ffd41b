"""Content: every word a reader sees, one folder per language, checked against English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from .errors import MakeprintError, Problem, Problems, display_path
from .hours import has_day_names
from .yamlsrc import Mapping, Sequence, load_yaml

SOURCE_LANGUAGE = "en"
STATUSES = ("source", "reviewed", "draft")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
LANGUAGE_KEYS = {
    "code",
    "name",
    "native_name",
    "locale",
    "direction",
    "status",
    "reviewed_by",
    "notes",
    "fonts",
    "font_scale",
    "day_names",
    "month_names",
}
FONT_SCALE = (0.8, 1.5)  # the range a language's font_scale may take


@dataclass(frozen=True)
class Hotline:
    key: str
    number: str  # as printed
    tel: str
    sms: bool


@dataclass
class Language:
    code: str
    name: str
    native_name: str
    locale: str
    direction: str
    status: str
    reviewed_by: str | None
    folder: Path
    common: Mapping
    materials: dict[str, Mapping] = field(default_factory=dict)
    fonts: tuple[str, ...] = ()
    # Type size relative to the stylesheets: a script that looks small at the Latin size
    # (Arabic) is set larger, e.g. 1.12. Copyfitting still steps it down to the minimum.
    font_scale: float = 1.0
    # The seven day names, Monday first, for a locale CLDR names no days for (hours.py).
    day_names: tuple[str, ...] = ()
    # The twelve month names, January first, where CLDR has none (the directory's "Updated").
    month_names: tuple[str, ...] = ()

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


def discover_languages(content_dir: Path) -> list[str]:
    """Language codes: the folders under content/ that hold a language.yaml."""
    if not content_dir.is_dir():
        return []
    return sorted(p.parent.name for p in content_dir.glob("*/language.yaml"))


def load_hotlines(path: Path, root: Path) -> dict[str, Hotline]:
    source = display_path(path, root)
    data = load_yaml(path, root)
    problems = Problems()
    hotlines: dict[str, Hotline] = {}
    if not isinstance(data, Mapping):
        raise MakeprintError(Problem("must map hotline keys to numbers", path=source, line=1))
    for key, entry in data.items():
        line = data.line_of(key)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("number"), str):
            problems.add(
                "needs a number",
                path=source,
                line=line,
                field=key,
                hint='write it like: number: "1-800-662-4357"',
            )
            continue
        number = entry["number"]
        digits = re.sub(r"\D", "", number)
        hotlines[key] = Hotline(key, number, "tel:" + digits, bool(entry.get("sms", False)))
    problems.raise_if_errors()
    return hotlines


def _name_list(
    meta: Any, field: str, what: str, count: int, example: str, source: Path,
    problems: Problems,
) -> tuple[str, ...]:  # fmt: skip
    """A language's own day or month names (where CLDR has none): ``count`` of them, or none."""
    names = meta.get(field, [])
    if not isinstance(names, list) or len(names) not in (0, count) or not all(
        isinstance(n, str) and n.strip() for n in names
    ):
        problems.add(
            f"must list {what}",
            path=source,
            line=meta.line_of(field),
            field=field,
            hint=f"e.g. {field}: {example}",
        )
        return ()
    return tuple(n.strip() for n in names)


def load_language(
    content_dir: Path, code: str, materials: list[str], root: Path, problems: Problems
) -> Language:
    """Load one language folder; problems go to ``problems`` and what could be read is kept."""
    folder = content_dir / code
    meta_path = folder / "language.yaml"
    source = display_path(meta_path, root)
    try:
        meta = load_yaml(meta_path, root)
    except MakeprintError as exc:
        problems.extend(exc.problems)
        meta = Mapping()
    if not isinstance(meta, Mapping):
        problems.add("must be a mapping of settings", path=source, line=1)
        meta = Mapping()
    if not hasattr(meta, "key_lines"):
        meta.key_lines = {}

    def text(key: str, default: str | None = None) -> str:
        value = meta.get(key, default)
        if not isinstance(value, str) or not value.strip():
            problems.add(
                "is required",
                path=source,
                line=meta.line_of(key),
                field=key,
                hint=f"add '{key}: ...'",
            )
            return ""
        return value.strip()

    for key in sorted(set(meta) - LANGUAGE_KEYS):
        problems.add(
            "unknown setting",
            path=source,
            line=meta.line_of(key),
            field=key,
            hint="valid settings are " + ", ".join(sorted(LANGUAGE_KEYS)),
        )
    if not LANG_RE.match(code):
        problems.add(
            f'"{code}" is not a language code',
            path=display_path(folder, root),
            hint="name the folder with a code such as en, es, vi or zh-Hans",
        )
    declared = meta.get("code", code)
    if declared != code:
        problems.add(
            f'says code "{declared}" but the folder is "{code}"',
            path=source,
            line=meta.line_of("code"),
            field="code",
            hint="make them the same",
        )
    locale = text("locale")
    if locale:
        try:
            Locale.parse(locale)
        except (UnknownLocaleError, ValueError):
            problems.add(
                f'"{locale}" is not a known locale',
                path=source,
                line=meta.line_of("locale"),
                field="locale",
                hint="e.g. en_US, es_US, vi",
            )
    direction = meta.get("direction", "ltr")
    if direction not in ("ltr", "rtl"):
        problems.add(
            f'"{direction}" is not a direction',
            path=source,
            line=meta.line_of("direction"),
            field="direction",
            hint="use ltr or rtl",
        )
    status = meta.get("status", "draft")
    if status not in STATUSES:
        problems.add(
            f'"{status}" is not a translation status',
            path=source,
            line=meta.line_of("status"),
            field="status",
            hint="use " + ", ".join(STATUSES),
        )
    reviewed_by = meta.get("reviewed_by")
    if status == "reviewed" and not reviewed_by:
        problems.add(
            "a reviewed language must name its reviewer",
            path=source,
            line=meta.line_of("status"),
            field="reviewed_by",
            hint="add 'reviewed_by: Name, qualification, date'",
        )
    fonts = meta.get("fonts") or []
    if not isinstance(fonts, list) or not all(
        isinstance(f, str) and re.fullmatch(r"[A-Za-z0-9 ._-]{1,64}", f) for f in fonts
    ):
        problems.add(
            "must be a list of font family names",
            path=source,
            line=meta.line_of("fonts"),
            field="fonts",
        )
        fonts = []
    font_scale = meta.get("font_scale", 1.0)
    try:
        font_scale = float(str(font_scale))
    except ValueError:
        font_scale = -1.0
    if not FONT_SCALE[0] <= font_scale <= FONT_SCALE[1]:
        problems.add(
            f'"{meta.get("font_scale")}" is not a type scale',
            path=source,
            line=meta.line_of("font_scale"),
            field="font_scale",
            hint=f"give a number from {FONT_SCALE[0]:g} to {FONT_SCALE[1]:g}, e.g. 1.12 to set "
            "the language's text 12 % larger (1 = the stylesheets' sizes)",
        )
        font_scale = 1.0

    day_names = _name_list(
        meta, "day_names", "the seven day names, Monday first", 7,
        "[Lendi, Madi, Mèkredi, Jedi, Vandredi, Samdi, Dimanch]", source, problems,
    )  # fmt: skip
    if locale and not day_names and _known_locale(locale) and not has_day_names(locale):
        problems.add(
            f'CLDR has no day names for locale "{locale}": the hours would print in English',
            path=source,
            line=meta.line_of("locale"),
            field="day_names",
            hint="add day_names: the seven day names in this language, Monday first",
        )

    month_names = _name_list(
        meta, "month_names", "the twelve month names, January first", 12,
        "[janvye, fevriye, mas, avril, me, jen, jiyè, out, septanm, oktòb, novanm, desanm]",
        source, problems,
    )  # fmt: skip

    common = _mapping_file(folder / "common.yaml", root, problems)
    language = Language(
        code=code,
        name=text("name"),
        native_name=text("native_name"),
        locale=locale,
        direction=str(direction),
        status=str(status),
        reviewed_by=str(reviewed_by) if reviewed_by else None,
        folder=folder,
        common=common,
        fonts=tuple(fonts),
        font_scale=font_scale,
        day_names=day_names,
        month_names=month_names,
    )
    for material in materials:
        language.materials[material] = _mapping_file(folder / f"{material}.yaml", root, problems)
    return language


def _known_locale(name: str) -> bool:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _mapping_file(path: Path, root: Path, problems: Problems) -> Mapping:
    source = display_path(path, root)
    if not path.is_file():
        problems.add(
            "file is missing", path=source, hint="copy it from content/en/ and translate it"
        )
        return _empty()
    try:
        data = load_yaml(path, root)
    except MakeprintError as exc:
        problems.extend(exc.problems)
        return _empty()
    if not isinstance(data, Mapping):
        problems.add("must be a mapping of keys to text", path=source, line=1,
                     hint="give it the same keys as the file in content/en/")
        return _empty()
    return data


def _empty() -> Mapping:
    empty = Mapping()
    empty.key_lines = {}
    empty.failed = True  # already reported; its keys are not "missing" too
    return empty


def missing_keys(reference: Any, other: Any, prefix: str = "") -> list[str]:
    """Dotted keys that ``reference`` has and ``other`` lacks (lists compared item by item)."""
    missing: list[str] = []
    if isinstance(reference, dict):
        if not isinstance(other, dict):
            return [prefix or "(top level)"]
        for key, value in reference.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in other or other[key] in (None, ""):
                missing.append(path)
            else:
                missing.extend(missing_keys(value, other[key], path))
    elif isinstance(reference, list) and reference and isinstance(reference[0], dict):
        if not isinstance(other, list):
            return [prefix]
        for index, item in enumerate(other):
            missing.extend(missing_keys(reference[0], item, f"{prefix}[{index}]"))
    return missing


def check_against_source(languages: dict[str, Language], root: Path) -> list[Problem]:
    """Every key of the source language must be present in every other language."""
    source = languages.get(SOURCE_LANGUAGE)
    if source is None:
        return []
    problems: list[Problem] = []
    for code, language in languages.items():
        if code == SOURCE_LANGUAGE:
            continue
        pairs = [("common", source.common, language.common)]
        pairs += [
            (m, source.materials[m], language.materials.get(m, Mapping())) for m in source.materials
        ]
        for name, ref, other in pairs:
            if getattr(other, "failed", False) or getattr(ref, "failed", False):
                continue
            path = display_path(language.folder / f"{name}.yaml", root)
            for key in missing_keys(ref, other):
                problems.append(
                    Problem(
                        f"key '{key}' is missing for language '{code}'",
                        path=path,
                        line=getattr(other, "line", None) or None,
                        hint=f"add it, translated from content/{SOURCE_LANGUAGE}/{name}.yaml",
                    )
                )
    return problems


def is_sequence(value: object) -> bool:
    return isinstance(value, Sequence | list)
