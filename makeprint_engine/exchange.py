"""Exchange with translators: a language's strings out as PO or XLIFF, translations back in."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import stat
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from . import fit
from .budget import Budget, budgets, layout_units, overflowing_units
from .content import SOURCE_LANGUAGE, Language, check_against_source, load_language
from .errors import MakeprintError, Problem, Problems, display_path
from .project import Project
from .sources import (
    SOURCES_FILE,
    _check_translation,
    _quoted,
    content_files,
    format_sources,
    language_state,
    read_sources,
    strings,
)
from .yamledit import set_strings
from .yamlsrc import parse_yaml

FORMATS = ("po", "xliff")
EXPORTABLE = ("current", "stale", "missing", "unknown")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
_XLIFF_NAMESPACES = (XLIFF_NS, "urn:oasis:names:tc:xliff:document:1.1")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Values that name things rather than say them (icon names, hotline keys): the translation
# keeps the English, so translators never see them.
_IDENTIFIER = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SHORT = 30  # English this short prints as a label or heading: the note asks to keep it short
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")


@dataclass(frozen=True)
class Unit:
    """One string of a translation, as it leaves for the translator."""

    id: str  # "pamphlet:medications.opioid[1].text"
    file: str  # "pamphlet.yaml"
    key: str
    source: str  # today's English
    target: str  # today's translation ("" when missing)
    previous: str | None  # the English it was translated from, when that changed (stale)
    state: str  # current, stale, missing or unknown
    notes: tuple[str, ...]  # for the translator: where it prints, the English's own comment
    reference: tuple[str, int]  # the English file and line
    budget: Budget | None = None  # the room it has, measured on the English layout


@dataclass(frozen=True)
class Incoming:
    """One unit of a file a translator sends back."""

    id: str
    source: str
    target: str
    needs_review: bool  # PO "fuzzy"; XLIFF needs-review-* or approved="no"
    line: int | None  # in the PO file (XLIFF units are named by their id)


@dataclass
class ImportResult:
    code: str
    imported: list[str] = field(default_factory=list)
    unchanged: int = 0
    needs_review: list[str] = field(default_factory=list)
    untranslated: int = 0
    written: list[Path] = field(default_factory=list)
    still_missing: int = 0
    fitted: list[str] = field(default_factory=list)  # text that fits only once made smaller
    unfit: list[str] = field(default_factory=list)  # does not fit, as before the import


def unit_id(file: str, key: str) -> str:
    return f"{file.removesuffix('.yaml')}:{key}"


# --- export ------------------------------------------------------------------------------


class _Places:
    """Where a key prints: the material's panel that uses it (from the template), cheaply."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.templates: dict[str, str] = {}

    def panel(self, material: str, key: str) -> str | None:
        if material not in self.templates:
            path = self.project.templates_dir / "materials" / f"{material}.html"
            self.templates[material] = path.read_text(encoding="utf-8") if path.is_file() else ""
        html = self.templates[material]
        parts = re.sub(r"\[\d+\]", "", key).split(".")
        for end in range(len(parts), 0, -1):
            found = re.search(r"\bt\." + re.escape(".".join(parts[:end])) + r"(?![\w-])", html)
            if found:
                labels = re.findall(r'data-fit="([^"]+)"', html[: found.start()])
                return labels[-1] if labels else None
        return None


def _english_comment(lines: list[str], line: int) -> str | None:
    """The comment the English file has on the key's line or on the lines just above it."""
    found = []
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    tail = text.rsplit('"', 1)[-1] if '"' in text else text
    if (match := re.search(r"(?:^|\s)#\s?(.*)$", tail)) and match.group(1).strip():
        found.append(match.group(1).strip())
    above = line - 2
    while above >= 0 and lines[above].strip().startswith("#"):
        found.insert(0, lines[above].strip().lstrip("#").strip())
        above -= 1
    return " ".join(found) or None


def units(
    project: Project, code: str, only: tuple[str, ...] = EXPORTABLE,
    space: dict[str, Budget] | None = None,
) -> list[Unit]:
    """The strings of ``code`` in the states ``only``, in file and key order; ``space``: each
    unit's budget (``budget.budgets``), said in its notes."""
    _check_translation(project, code)
    state = language_state(project, code)
    language = project.languages[code]
    english = project.languages[SOURCE_LANGUAGE]
    english_files = content_files(english)
    here = {name: strings(data) for name, data in content_files(language).items()}
    there = {name: strings(data) for name, data in english_files.items()}
    lines = {
        name: (english.folder / name).read_text(encoding="utf-8").splitlines()
        for name in english_files if (english.folder / name).is_file()
    }
    places = _Places(project)
    found = []
    for entry in state.entries:
        if entry.state not in only or entry.english is None:
            continue
        target = here[entry.file][entry.key].text if entry.key in here[entry.file] else ""
        if _IDENTIFIER.fullmatch(entry.english) and target in ("", entry.english):
            continue
        english_line = there[entry.file][entry.key].line
        material = entry.file.removesuffix(".yaml")
        where = f"content/{code}/{entry.file}"
        where += f":{entry.line}" if entry.line else f" (not there yet: key {entry.key})"
        if material == "common":
            prints = "Prints on: any material (common labels, service and hotline names)"
        else:
            panel = places.panel(material, entry.key)
            prints = f"Prints on: {material.replace('-', ' ')}" + (f", {panel}" if panel else "")
        notes = [f"{prints}. Goes in {where}."]
        if comment := _english_comment(lines.get(entry.file, []), english_line):
            notes.append(f"English file's note: {comment}")
        if placeholders := sorted(set(_PLACEHOLDER.findall(entry.english))):
            notes.append("Keep " + ", ".join(placeholders) + " as written: makeprint fills it in.")
        if "|" in entry.english:
            notes.append("'|' marks where the line may break (it does not print).")
        uid = unit_id(entry.file, entry.key)
        budget = (space or {}).get(uid)
        if budget is not None:
            notes.append(f"Space, measured on the English layout: "
                         f"{budget.describe(entry.english)}. "
                         f"The English is {len(entry.english)} characters.")
        elif len(entry.english) <= SHORT:
            notes.append(f"Space: the English is {len(entry.english)} characters and prints as "
                         "a label or heading; keep it about as short.")
        if entry.state == "unknown":
            notes.append("Not recorded which English this was translated from: check that it "
                         "says what the English says now.")
        previous = entry.was if entry.state == "stale" else None
        found.append(Unit(
            uid, entry.file, entry.key, entry.english, target,
            previous, entry.state, tuple(notes),
            (f"content/{SOURCE_LANGUAGE}/{entry.file}", english_line), budget))
    return found


def _po(language: Language, found: list[Unit]) -> bytes:
    catalog = Catalog(
        locale=language.code.replace("-", "_"), project="makeprint content", version=language.code,
        fuzzy=False, charset="utf-8",
        header_comment=(
            f"# {language.name} strings of content/{language.code}/, with the English of "
            f"content/{SOURCE_LANGUAGE}/ they translate.\n"
            "# Fuzzy entries need a look: their English changed (see the previous msgid) or "
            "was never recorded.\n# Send the file back for: makeprint translations import FILE"
        ),
    )
    for unit in found:
        catalog.add(
            unit.source, unit.target, locations=[unit.reference],
            flags=("fuzzy",) if unit.state in ("stale", "unknown") else (),
            auto_comments=list(unit.notes), previous_id=unit.previous or (), context=unit.id,
        )
    for message in catalog:
        # Babel takes "100% free" for a Python format string; these are plain text.
        message.flags.discard("python-format")
    out = io.BytesIO()
    write_po(out, catalog, include_previous=True, sort_output=False,
             ignore_obsolete=True)
    return out.getvalue()


def _xliff(language: Language, found: list[Unit]) -> bytes:
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(f"{{{XLIFF_NS}}}xliff", version="1.2")
    bodies: dict[str, ET.Element] = {}

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{XLIFF_NS}}}{tag}", attrs)
        element.text = text
        return element

    for unit in found:
        if unit.file not in bodies:
            file = sub(root, "file", original=unit.reference[0], datatype="plaintext",
                       **{"source-language": SOURCE_LANGUAGE, "target-language": language.code})
            header = sub(file, "header")
            sub(header, "tool", **{"tool-id": "makeprint", "tool-name": "makeprint"})
            bodies[unit.file] = sub(file, "body")
        attrs = {"id": unit.id, _XML_SPACE: "preserve"}
        if unit.state != "missing":
            attrs["approved"] = "yes" if unit.state == "current" else "no"
        if unit.budget is not None and unit.budget.max_chars is not None:
            # XLIFF 1.2's size restriction
            attrs["maxwidth"] = str(unit.budget.limit(unit.source))
            attrs["size-unit"] = "char"
        element = sub(bodies[unit.file], "trans-unit", **attrs)
        sub(element, "source", unit.source)
        state = {"current": "translated", "missing": "needs-translation"}.get(
            unit.state, "needs-review-translation")
        sub(element, "target", unit.target, state=state)
        if unit.previous is not None:  # as translate-toolkit's po2xliff writes a previous msgid
            alt = sub(element, "alt-trans", origin="previous")
            sub(alt, "source", unit.previous)
            sub(alt, "target", unit.target)
        sub(element, "note", "\n".join(unit.notes), **{"from": "makeprint"})
        group = sub(element, "context-group", name="makeprint", purpose="location")
        sub(group, "context", unit.reference[0], **{"context-type": "sourcefile"})
        sub(group, "context", str(unit.reference[1]), **{"context-type": "linenumber"})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def export_translations(
    project: Project, code: str, only: tuple[str, ...] = EXPORTABLE, fmt: str = "po"
) -> tuple[bytes, list[Unit]]:
    """The file for the translator, and the units in it."""
    found = units(project, code, only, budgets(project))
    language = project.languages[code]
    return (_xliff(language, found) if fmt == "xliff" else _po(language, found)), found


# --- reading what comes back -------------------------------------------------------------


def file_format(path: Path, raw: bytes) -> str:
    """``po`` or ``xliff``: by the name, else by the first characters."""
    suffix = path.suffix.lower()
    if suffix in (".xlf", ".xliff"):
        return "xliff"
    if suffix in (".po", ".pot"):
        return "po"
    return "xliff" if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "po"


def _read_po(raw: bytes, source: str) -> tuple[str | None, list[Incoming]]:
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise MakeprintError(Problem(
            "not a PO file: it starts with '<' (XML?)", path=source, line=1,
            hint="name an XLIFF file .xlf or .xliff, or export again with --format po"))
    try:
        catalog = read_po(io.BytesIO(raw), abort_invalid=True)
    except PoFileError as exc:
        raise MakeprintError(Problem(
            f"not a PO file this can read: {str(exc).rsplit(' on ', 1)[0]}: {exc.line[:60]!r}",
            path=source, line=exc.lineno + 1,
            hint="send back the file makeprint translations export wrote, edited in a PO editor",
        )) from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise MakeprintError(Problem(
            f"not a PO file this can read: {exc}", path=source,
            hint="PO files from makeprint are UTF-8")) from None
    except Exception as exc:  # noqa: BLE001 - a malformed file must not end in a traceback
        raise MakeprintError(Problem(f"not a PO file this can read: {exc}", path=source)) from None
    found = []
    for message in catalog:
        if not message.id:
            continue  # the header
        if not isinstance(message.id, str) or not isinstance(message.string, str):
            raise MakeprintError(Problem(
                "a unit with plural forms: makeprint's strings have none", path=source,
                line=message.lineno, field=message.context))
        if not message.context:
            raise MakeprintError(Problem(
                f"a unit without msgctxt (the key it belongs to): {_quoted(message.id)}",
                path=source, line=message.lineno,
                hint="makeprint's units name their file and key in msgctxt; keep them"))
        found.append(Incoming(message.context, message.id, message.string,
                              message.fuzzy, message.lineno))
    return catalog.locale_identifier, found


def _read_xliff(raw: bytes, source: str) -> tuple[str | None, list[Incoming]]:
    try:
        root = ET.parse(io.BytesIO(raw)).getroot()
    except ET.ParseError as exc:
        line, column = exc.position
        raise MakeprintError(Problem(
            "not an XLIFF file this can read: "
            + re.sub(r": line \d+, column \d+$", "", str(exc)),
            path=source, line=line, column=column + 1,
            hint="send back the file makeprint translations export wrote, edited in an XLIFF "
            "editor")) from None
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace not in _XLIFF_NAMESPACES or not root.tag.endswith("}xliff"):
        raise MakeprintError(Problem(
            f"not an XLIFF 1.2 file: its root element is <{root.tag.rsplit('}', 1)[-1]}>",
            path=source, hint="export again with --format xliff"))

    def q(tag: str) -> str:
        return f"{{{namespace}}}{tag}"

    languages = set()
    found = []
    for file in root.iter(q("file")):
        languages.add(file.get("target-language"))
        for element in file.iter(q("trans-unit")):
            uid = element.get("id")
            source_el = element.find(q("source"))
            if not uid or source_el is None:
                raise MakeprintError(Problem(
                    "a trans-unit without an id or a source", path=source,
                    field=uid, hint="makeprint's units name their file and key in id; keep them"))
            target_el = element.find(q("target"))
            target = "".join(target_el.itertext()) if target_el is not None else ""
            state = (target_el.get("state") if target_el is not None else None) or ""
            review = state.startswith("needs-review") or element.get("approved") == "no"
            found.append(Incoming(uid, "".join(source_el.itertext()), target, review, None))
    if len(languages) > 1:
        raise MakeprintError(Problem(
            "its files are for several languages: " + ", ".join(sorted(map(str, languages))),
            path=source, hint="import one language at a time"))
    return (next(iter(languages)) if languages else None), found


def _language_for(project: Project, tag: str | None, source: str) -> str:
    """The project language a file's language tag names (``vi``, ``zh_Hans``, ``es-US``…)."""
    if not tag:
        raise MakeprintError(Problem(
            "it does not say which language it is in (PO: the Language header; XLIFF: "
            "target-language)", path=source, hint="export it again from makeprint"))
    normal = tag.replace("_", "-").lower()
    for code, language in project.languages.items():
        if normal in (code.lower(), language.locale.replace("_", "-").lower()):
            return code
    try:
        wanted = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        wanted = None
    matches = []
    for code, language in project.languages.items():
        try:
            locale = Locale.parse(language.locale)
        except (UnknownLocaleError, ValueError):
            continue
        if wanted and (locale.language, locale.script) == (wanted.language, wanted.script):
            matches.append(code)
    if len(matches) == 1:
        return matches[0]
    raise MakeprintError(Problem(
        f'it is in language "{tag}", which this project does not have', path=source,
        hint="languages are " + ", ".join(sorted(project.languages))))


# --- import --------------------------------------------------------------------------------


def import_translations(project: Project, path: Path, lang: str | None = None) -> ImportResult:
    """Write the translations of ``path`` (PO or XLIFF) into content/<lang>/ and record them as
    current; every unit is checked first, and nothing is written unless all of it is."""
    source = display_path(path, project.root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MakeprintError(Problem(f"cannot read file: {exc.strerror}", path=source)) from None
    fmt = file_format(path, raw)
    tag, incoming = (_read_xliff if fmt == "xliff" else _read_po)(raw, source)
    code = _language_for(project, tag, source)
    if lang is not None and lang != code:
        raise MakeprintError(Problem(
            f'it is a translation into "{code}", not "{lang}"', path=source,
            hint=f"import it without --lang, or with --lang {code}"))
    _check_translation(project, code)
    if not incoming:
        raise MakeprintError(Problem("it has no translation units", path=source,
                                     hint="export again: makeprint translations export"))
    state = language_state(project, code)
    language = project.languages[code]
    entries = {unit_id(e.file, e.key): e for e in state.entries}
    here = {name: strings(data) for name, data in content_files(language).items()}
    result = ImportResult(code)
    changes: dict[str, dict[str, str]] = {}
    record: dict[str, dict[str, str]] = {}
    problems = Problems()
    seen: set[str] = set()
    for unit in incoming:
        where = {"path": source, "line": unit.line, "field": unit.id}
        if unit.id in seen:
            problems.add("this unit is in the file twice", hint="keep one of them", **where)
            continue
        seen.add(unit.id)
        entry = entries.get(unit.id)
        if entry is None or entry.english is None:
            file = unit.id.partition(":")[0]
            problems.add(
                f"unknown unit: content/{SOURCE_LANGUAGE}/{file}.yaml has no such string "
                "(removed or renamed since the export?)",
                hint=f"leave it out, or export again: makeprint translations export --lang {code}",
                **where)
            continue
        if not unit.target.strip():
            result.untranslated += 1
            continue
        if unit.needs_review:
            result.needs_review.append(unit.id)
            continue
        if unit.source != entry.english:
            problems.add(
                f"its English is {_quoted(unit.source)}, but content/{SOURCE_LANGUAGE}/"
                f"{entry.file} now says {_quoted(entry.english)}: the English changed since "
                "this file was exported",
                hint=f"export again (makeprint translations export --lang {code} --only stale) "
                "and carry the translation over", **where)
            continue
        wanted, got = (sorted(set(_PLACEHOLDER.findall(t))) for t in (entry.english, unit.target))
        if wanted != got:
            problems.add(
                f"the translation has {', '.join(got) or 'no placeholder'} where the English has "
                f"{', '.join(wanted) or 'none'}",
                hint="keep each {name} exactly as the English writes it: makeprint fills it in",
                **where)
            continue
        current = here[entry.file][entry.key].text if entry.key in here[entry.file] else None
        if current == unit.target and entry.state == "current":
            result.unchanged += 1
            continue
        if current != unit.target:
            changes.setdefault(entry.file, {})[entry.key] = unit.target
        record.setdefault(entry.file, {})[entry.key] = entry.english
        result.imported.append(unit.id)
    problems.raise_if_errors()
    if not result.imported:
        return result

    texts = _edited_files(project, language, changes)
    recorded = read_sources(language.folder, project.root) or {}
    for file, keys in record.items():
        recorded.setdefault(file, {}).update(keys)
    texts[language.folder / SOURCES_FILE] = format_sources(code, recorded)
    result.still_missing, loaded = _validate(project, language, texts)
    lines = {u.id: u.line for u in incoming}
    targets = {u.id: u.target for u in incoming}
    result.fitted, result.unfit = _check_layout(
        project, loaded, result.imported, targets, lines, source)
    _replace_all(project, texts)
    result.written = sorted(texts)
    return result


def _edited_files(
    project: Project, language: Language, changes: dict[str, dict[str, str]]
) -> dict[Path, str]:
    english = content_files(project.languages[SOURCE_LANGUAGE])
    texts: dict[Path, str] = {}
    problems: list[Problem] = []
    for file, values in changes.items():
        path = language.folder / file
        source = display_path(path, project.root)
        raw = path.read_bytes()
        bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
        before = raw.decode("utf-8-sig")
        try:
            after = set_strings(before, values, english[file], source)
        except MakeprintError as exc:
            problems.extend(exc.problems)
            continue
        expected = {k: t.text for k, t in strings(parse_yaml(before, source)).items()}
        expected.update(values)
        got = {k: t.text for k, t in strings(parse_yaml(after, source)).items()}
        if got != expected:  # a value whose writing this cannot follow: refuse, change nothing
            changed = sorted(k for k in expected.keys() | got.keys()
                             if expected.get(k) != got.get(k))
            problems.append(Problem(
                "cannot write the imported strings here without changing others: "
                + ", ".join(changed[:5]), path=source,
                hint="edit these strings by hand, then run makeprint translations mark-current"))
            continue
        texts[path] = bom + after
    if problems:
        raise MakeprintError(problems)
    return texts


def _validate(
    project: Project, language: Language, texts: dict[Path, str]
) -> tuple[int, Language]:
    """Load the language as it would be after the import (a copy, in a temporary folder) and
    refuse any problem the import would add; returns how many keys are still missing, and the
    language as loaded."""
    english = project.languages[SOURCE_LANGUAGE]
    materials = list(project.materials)

    loaded = language

    def check(root: Path) -> list[Problem]:
        nonlocal loaded
        problems = Problems()
        loaded = load_language(root / "content", language.code, materials, root, problems)
        return problems.items + check_against_source(
            {SOURCE_LANGUAGE: english, language.code: loaded}, root)

    def key(p: Problem) -> tuple[str | None, str | None, str]:
        return (p.path, p.field, p.message)

    with tempfile.TemporaryDirectory(prefix="makeprint-import-") as tmp:
        root = Path(tmp)
        folder = root / "content" / language.code
        shutil.copytree(language.folder, folder)
        before = {key(p) for p in check(root)}
        for path, text in texts.items():
            (folder / path.name).write_text(text, encoding="utf-8")
        after = check(root)
    added = [p for p in after if key(p) not in before and p.severity == "error"]
    if added:
        raise MakeprintError([
            Problem(f"the import would make this invalid: {p.message}", path=p.path,
                    line=p.line, field=p.field, hint=p.hint)
            for p in added
        ])
    return sum(1 for p in after if "is missing for language" in p.message), loaded


def _check_layout(
    project: Project, language: Language, imported: list[str], targets: dict[str, str],
    lines: dict[str, int | None], source: str,
) -> tuple[list[str], list[str]]:
    """Lay out the documents the imported strings print on, in the language as imported, for
    the first location: refuse a string in a box that does not hold its text (type at
    its minimum, every fallback taken) or left out to fit; return what fits only once fitted
    (type set smaller), and what does not fit but did not before either (the location's data
    may be what is too long), for the translator to know."""
    space = budgets(project)
    english = {unit_id(file, key): text.text
               for file, data in content_files(project.languages[SOURCE_LANGUAGE]).items()
               for key, text in strings(data).items()}
    where: dict[str, set[str]] = {}
    for uid in imported:
        budget = space.get(uid)
        if budget is not None:
            for material in (budget.material, *budget.also):
                where.setdefault(material, set()).add(uid)
    if not where:
        return [], []
    after = dataclasses.replace(
        project, languages={**project.languages, language.code: language})
    laid = layout_units(after, language.code, sorted(where))
    problems: list[Problem] = []
    fitted: list[str] = []
    unfit: list[str] = []
    for material, (document, found, printings) in laid.items():
        mine = where[material]
        if document is None:
            continue  # a template error: not the translation's, and build says it
        fit_errors = [p for p in found if p.severity == "error"]
        over = overflowing_units(after, material, document, printings) if fit_errors else {}
        printed = {seen.unit for seen in printings}
        left_out = " ".join(p.message for p in found
                            if p.severity == "info" and "left out" in p.message)
        failing = {uid for uid in mine if uid in over or (
            uid not in printed and space[uid].element in left_out)}  # else not printed here
        blamed = set(failing)
        if failing:  # as bad before this import (the location's data, a hotline the language
            # does not list): reported, but not the import's to refuse
            was_over, was_printed = _laid_before(project, language.code, material)
            blamed = {uid for uid in failing
                      if (uid in over and (uid not in was_over or was_over[uid].over_mm
                                           < over[uid].over_mm - fit.OVERFLOW_TOLERANCE_MM))
                      or (uid not in printed and uid in was_printed)}
        for uid in sorted(failing):
            budget = space[uid]
            if uid in over:
                box = over[uid]
                what = (f"does not fit: on the {material} (page {box.page}) its box "
                        f"'{box.name}' is {box.over_mm:.1f} mm too long with the type at its "
                        "minimum")
            else:
                what = f"does not fit: the {material} leaves it out to make room"
            length = len(targets.get(uid, ""))
            most = budget.limit(english.get(uid))
            limit = (f", about {length - most} more than its budget allows"
                     if most is not None and length > most else "")
            message = (f"{what}; the translation is {length} characters{limit}. Its space: "
                       f"{budget.describe(english.get(uid))}")
            if uid in blamed:
                problems.append(Problem(message, path=source, line=lines.get(uid), field=uid,
                                        hint="shorten it and import again; nothing was written"))
            else:
                unfit.append(f"{uid}: {message} (as before this import)")
        if fit_errors and not failing:  # in no imported string's box: said, not refused
            unfit += [p.message for p in fit_errors]
        for note in found:
            if note.severity == "info" and any(
                    space[uid].element in note.message for uid in mine):
                fitted.append(note.message)
    if problems:
        raise MakeprintError(problems)
    return fitted, unfit


def _laid_before(
    project: Project, code: str, material: str
) -> tuple[dict[str, fit.Overflow], set[str]]:
    """The units of a material that overflow, and those printed, in the language as it is."""
    ((document, _, printings),) = layout_units(project, code, [material]).values()
    if document is None:
        return {}, set()
    return (overflowing_units(project, material, document, printings),
            {seen.unit for seen in printings})


def _replace_all(project: Project, texts: dict[Path, str]) -> None:
    """Write every file or none: each to a temporary beside it, then all renamed into place;
    a rename that fails puts back the files already replaced."""
    originals = {path: path.read_bytes() if path.is_file() else None for path in texts}
    staged: list[tuple[str, Path]] = []
    done: list[Path] = []
    try:
        for path, text in texts.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
            os.chmod(tmp, mode)
        for tmp, path in staged:
            os.replace(tmp, path)
            done.append(path)
    except OSError as exc:
        for path in done:
            old = originals[path]
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise MakeprintError(Problem(
            f"cannot write: {exc.strerror or exc}",
            path=display_path(Path(exc.filename) if exc.filename else next(iter(texts)),
                              project.root),
            hint="nothing was changed; check that the content folder is writable")) from None
