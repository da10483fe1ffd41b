"""Translation sources: the English each translated string was made from, and what is stale."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .content import SOURCE_LANGUAGE, Language
from .errors import MakeprintError, Problem, display_path
from .output import atomic_write
from .project import Project
from .yamledit import quoted
from .yamlsrc import Mapping, load_yaml, parse_yaml

# One file per translated language, next to its content. Read only by check, list,
# build --require-reviewed and the translations commands: a plain build never parses it,
# and it is not part of any document's fingerprint (nothing in it is printed).
SOURCES_FILE = ".sources.yaml"
STATES = ("current", "stale", "unknown", "missing", "unused")

_HEADER = """\
# The English text each translation in this folder was made from, by file and key.
# makeprint compares it with content/{source}/: a string whose English changed since is stale
# (makeprint check, makeprint list, makeprint build --require-reviewed).
# Written by: makeprint translations mark-current --lang {code} [KEY ...]
# (and by mark-reviewed). Keep one line per string, "key: English text", if you edit it.
"""


@dataclass(frozen=True)
class Text:
    """One string of a content file and the line it is on."""

    text: str
    line: int


@dataclass(frozen=True)
class Entry:
    """One string of a translation, compared with the English it was made from."""

    file: str  # e.g. "pamphlet.yaml"
    key: str  # e.g. "medications.opioid[1].text"
    state: str  # one of STATES
    line: int | None  # in the translation's file (None when missing there)
    english: str | None  # the current English (None when English no longer has the key)
    was: str | None  # the English recorded in .sources.yaml (None when not recorded)


@dataclass
class LanguageState:
    """Every string of one translation, in file and key order."""

    code: str
    folder: Path
    tracked: bool  # False when the language has no .sources.yaml yet
    entries: list[Entry] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for e in self.entries if e.state == state)

    @property
    def translated(self) -> int:
        """Strings present in both the translation and the English."""
        return sum(1 for e in self.entries if e.state in ("current", "stale", "unknown"))


def strings(data: Any, prefix: str = "", line: int = 0) -> dict[str, Text]:
    """Every non-empty string below ``data`` by key path: ``flap.signs[0]``, ``a.b[1].text``."""
    found: dict[str, Text] = {}
    if isinstance(data, dict):
        lines = getattr(data, "key_lines", {})
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found.update(strings(value, path, lines.get(key, line)))
    elif isinstance(data, list):
        lines = getattr(data, "item_lines", [])
        for index, value in enumerate(data):
            at = lines[index] if index < len(lines) else line
            found.update(strings(value, f"{prefix}[{index}]", at))
    elif isinstance(data, str) and data != "":
        found[prefix] = Text(data, line)
    elif data is not None and not isinstance(data, str):
        found[prefix] = Text(str(data), line)
    return found


def content_files(language: Language) -> dict[str, Mapping]:
    """A language's content by file name: common.yaml and one file per material."""
    files = {"common.yaml": language.common}
    files.update({f"{name}.yaml": data for name, data in language.materials.items()})
    return files


def _natural(key: str) -> list[Any]:
    """Sort key: ``steps[2]`` before ``steps[10]``."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", key)]


def read_sources(folder: Path, root: Path) -> dict[str, dict[str, str]] | None:
    """``{file: {key: English}}`` from a language's .sources.yaml; None when it has none."""
    path = folder / SOURCES_FILE
    if not path.is_file():
        return None
    data = load_yaml(path, root)
    source = display_path(path, root)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise MakeprintError(Problem(
            "must map content file names to their keys", path=source, line=1,
            hint="e.g. 'pamphlet.yaml:' then '  cover.kicker: \"Harm reduction\"'; or delete it "
            "and run makeprint translations mark-current"))
    recorded: dict[str, dict[str, str]] = {}
    for name, keys in data.items():
        if keys is None:
            continue
        if not isinstance(keys, dict) or any(isinstance(v, dict | list) for v in keys.values()):
            raise MakeprintError(Problem(
                "must map each key to the English text it was translated from",
                path=source, line=data.line_of(name), field=name,
                hint='one line per string: medications.opioid[1].text: "English text"'))
        recorded[name] = {str(k): str(v) for k, v in keys.items() if v is not None}
    return recorded


def language_state(project: Project, code: str) -> LanguageState:
    """Compare one translation with the English and with the English it was made from."""
    source = project.languages[SOURCE_LANGUAGE]
    language = project.languages[code]
    recorded = read_sources(language.folder, project.root)
    state = LanguageState(code, language.folder, recorded is not None)
    recorded = recorded or {}
    english_files = content_files(source)
    for name, data in content_files(language).items():
        if getattr(data, "failed", False) or name not in english_files:
            continue
        english = strings(english_files[name])
        translated = strings(data)
        was = recorded.get(name, {})
        for key in sorted(english.keys() | translated.keys(), key=_natural):
            now = english[key].text if key in english else None
            here = translated.get(key)
            if here is None:
                state.entries.append(Entry(name, key, "missing", None, now, was.get(key)))
                continue
            if now is None:
                kind = "unused"
            elif key not in was:
                kind = "unknown"
            else:
                kind = "current" if was[key] == now else "stale"
            state.entries.append(Entry(name, key, kind, here.line, now, was.get(key)))
    return state


def translation_states(project: Project, codes: set[str] | None = None) -> dict[str, LanguageState]:
    """The state of every translated language (or of ``codes``), by code."""
    return {
        code: language_state(project, code)
        for code in sorted(project.languages)
        if code != SOURCE_LANGUAGE and (codes is None or code in codes)
    }


def _quoted(text: str) -> str:
    return f'"{text}"' if len(text) <= 60 else f'"{text[:57]}…"'


def mark_current_command(code: str, key: str) -> str:
    return f"makeprint translations mark-current --lang {code} {key}"


def problems(
    project: Project, state: LanguageState, kinds: tuple[str, ...] = STATES
) -> list[Problem]:
    """What check reports about one translation: stale, unused and missing strings (warnings),
    strings of unknown source and an untracked language (info); or only those of ``kinds``."""
    found: list[Problem] = []
    root = project.root
    if not state.tracked and "unknown" in kinds:
        found.append(Problem(
            "no record of the English these translations were made from, so makeprint cannot "
            "tell when the English changes",
            path=display_path(state.folder / SOURCES_FILE, root), severity="info",
            hint="once the translation matches the current English, run: makeprint "
            f"translations mark-current --lang {state.code}"))
    for entry in state.entries:
        if entry.state not in kinds:
            continue
        path = display_path(state.folder / entry.file, root)
        ref = f"{entry.file.removesuffix('.yaml')}:{entry.key}"
        if entry.state == "stale":
            found.append(Problem(
                f"the English changed since this was translated — was {_quoted(entry.was or '')}"
                f", now {_quoted(entry.english or '')}",
                path=path, line=entry.line, field=entry.key, severity="warning",
                hint=f"update the translation, then run: {mark_current_command(state.code, ref)}"))
        elif entry.state == "unused":
            found.append(Problem(
                f"unused: content/{SOURCE_LANGUAGE}/{entry.file} has no such key (removed there?)",
                path=path, line=entry.line, field=entry.key, severity="warning",
                hint="delete it here, or add it back to the English"))
        elif entry.state == "missing" and state.tracked:
            found.append(Problem(
                f"not translated: content/{SOURCE_LANGUAGE}/{entry.file} has "
                f"{_quoted(entry.english or '')} here",
                path=path, field=entry.key, severity="warning",
                hint=f"translate it, then run: {mark_current_command(state.code, ref)}"))
        elif entry.state == "unknown" and state.tracked:
            found.append(Problem(
                f"unknown source: {SOURCES_FILE} does not record the English this was "
                "translated from, so a change to it would go unnoticed",
                path=path, line=entry.line, field=entry.key, severity="info",
                hint="if it matches the current English "
                f"({_quoted(entry.english or '')}), run: {mark_current_command(state.code, ref)}"))
    return found


# --- recording -----------------------------------------------------------------------------


def _yaml_key(key: str) -> str:
    """A key written plain when YAML reads it back as the same text, else quoted."""
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-\[\]]*", key):
        try:
            if yaml.safe_load(f"{key}: x") == {key: "x"}:
                return key
        except yaml.YAMLError:
            pass
    return quoted(key)


def format_sources(code: str, recorded: dict[str, dict[str, str]]) -> str:
    """The .sources.yaml text: files and keys sorted, one line per string, so it diffs well."""
    lines = [_HEADER.format(source=SOURCE_LANGUAGE, code=code)]
    for name in sorted(recorded):
        keys = recorded[name]
        if not keys:
            continue
        lines.append(f"{_yaml_key(name)}:\n")
        for key in sorted(keys, key=_natural):
            lines.append(f"  {_yaml_key(key)}: {quoted(keys[key])}\n")
    return "".join(lines)


def _check_translation(project: Project, code: str) -> None:
    if code not in project.languages:
        raise MakeprintError(Problem(
            f'no language "{code}"', path=display_path(project.content_dir, project.root),
            hint="languages are " + ", ".join(sorted(project.languages))))
    if code == SOURCE_LANGUAGE:
        raise MakeprintError(Problem(
            f"'{code}' is the source language: its strings are what the others are "
            "translated from", hint="name a translated language with --lang"))


def _matches(ref: str, name: str, key: str) -> bool:
    """KEY, FILE:KEY or FILE.yaml:KEY; a KEY also names every key below it."""
    wanted_file, _, wanted = ref.rpartition(":")
    if wanted_file and wanted_file.removesuffix(".yaml") != name.removesuffix(".yaml"):
        return False
    return key == wanted or key.startswith((wanted + ".", wanted + "["))


def mark_current(project: Project, code: str, keys: tuple[str, ...] = ()) -> list[Entry]:
    """Record the current English as the source of ``keys`` (default: every translated string).

    Returns the entries whose record changed. Marking every string also drops the records of
    strings that no longer exist in the English or in the translation.
    """
    _check_translation(project, code)
    state = language_state(project, code)
    translated = [e for e in state.entries if e.state in ("current", "stale", "unknown")]
    if keys:
        unmatched = [k for k in keys if not any(_matches(k, e.file, e.key) for e in translated)]
        if unmatched:
            raise MakeprintError([
                Problem(f"no translated string '{k}' in content/{code}/",
                        hint="give a key as check prints it, e.g. pamphlet:cover.kicker "
                        "(a key also marks every key below it)")
                for k in unmatched
            ])
        translated = [e for e in translated if any(_matches(k, e.file, e.key) for k in keys)]
    recorded = read_sources(state.folder, project.root) or {}
    if not keys:
        recorded = {}
    changed = []
    for entry in translated:
        assert entry.english is not None
        if entry.was != entry.english:
            changed.append(entry)
        recorded.setdefault(entry.file, {})[entry.key] = entry.english
    text = format_sources(code, recorded)
    path = state.folder / SOURCES_FILE
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write(path, text.encode("utf-8"))
    return changed


def mark_reviewed(project: Project, code: str, reviewer: str) -> int:
    """Set a language reviewed by ``reviewer`` and record the English it was reviewed against."""
    _check_translation(project, code)
    reviewer = reviewer.strip()
    if not reviewer:
        raise MakeprintError(Problem(
            "a reviewed language must name its reviewer",
            hint='e.g. --by "Name, certified translator, 2026-11-20"'))
    path = project.languages[code].folder / "language.yaml"
    text = path.read_text(encoding="utf-8")
    before = load_yaml(path, project.root)
    for key, value in (("status", "reviewed"), ("reviewed_by", json.dumps(reviewer,
                                                                         ensure_ascii=False))):
        line = f"{key}: {value}"
        text, count = re.subn(rf"(?m)^{key}:.*$", lambda _m, line=line: line, text)
        if not count:
            text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    after = parse_yaml(text, display_path(path, project.root))
    expected = dict(before or {}, status="reviewed", reviewed_by=reviewer)
    if after != expected:  # a value spread over several lines: not ours to rewrite
        raise MakeprintError(Problem(
            "cannot set status and reviewed_by here without changing other settings",
            path=display_path(path, project.root), field="status",
            hint=f'set them by hand: status: reviewed, reviewed_by: "{reviewer}"; then run: '
            f"makeprint translations mark-current --lang {code}"))
    marked = len(mark_current(project, code))
    atomic_write(path, text.encode("utf-8"))
    return marked
