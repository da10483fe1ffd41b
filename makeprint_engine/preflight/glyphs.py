"""The glyphs check: characters no font draws, or drawn by a font the design does not name."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..errors import display_path
from .findings import Finding
from .layout import Doc, Text, _clean, _plain, _printed, _quote

GENERIC_FAMILIES = {
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "emoji",
    "math",
    "fangsong",
    "ui-serif",
    "ui-sans-serif",
    "ui-monospace",
    "ui-rounded",
}


def glyph_problems(doc: Doc) -> list[Finding]:
    """Characters no font can draw (tofu), or drawn by a font the design does not name."""
    from weasyprint.text.ffi import ffi, pango

    unknown_flag = pango.PANGO_GLYPH_UNKNOWN_FLAG
    language = doc.project.languages.get(doc.job.lang)
    extra_fonts = set(language.fonts) if language else set()
    families: dict[int, str] = {}
    found: dict[tuple[Any, ...], dict[str, Any]] = {}

    def family_of(font: Any) -> str:
        key = int(ffi.cast("uintptr_t", font))
        if key not in families:
            desc = pango.pango_font_describe_with_absolute_size(font)
            try:
                name = pango.pango_font_description_get_family(desc)
                families[key] = ffi.string(name).decode() if name != ffi.NULL else "?"
            finally:
                pango.pango_font_description_free(desc)
        return families[key]

    def runs_of(box: Any) -> list[tuple[str, str, frozenset[str]]]:
        """(font family, text, characters without a glyph) of each run Pango shaped."""
        runs = []
        layout = box.pango_layout
        layout.reactivate(box.style)
        try:
            line, _ = layout.get_first_line()
            utf8 = layout.text.encode()
            run = line.runs
            while run != ffi.NULL:
                glyph_item = run.data
                run = run.next
                item = glyph_item.item
                chunk = utf8[item.offset : item.offset + item.length].decode("utf-8", "replace")
                glyphs = glyph_item.glyphs
                missing = set()
                for i in range(glyphs.num_glyphs):
                    glyph = glyphs.glyphs[i].glyph
                    if glyph & unknown_flag and (glyph & ~unknown_flag) < 0x110000:
                        missing.add(chr(glyph & ~unknown_flag))
                runs.append((family_of(item.analysis.font), chunk, frozenset(missing)))
        finally:
            layout.deactivate()
        return runs

    for text in doc.layout.texts:
        if not text.visible or not _printed(text.text):
            continue
        box = text.box
        stack = [f for f in box.style["font_family"] if f.lower() not in GENERIC_FAMILIES]
        allowed = {f.lower() for f in stack} | {f.lower() for f in extra_fonts}
        # The same text in the same font settings shapes the same way: content repeats in
        # every location's documents, so most texts are shaped here once per renderer.
        style = box.style
        key = (
            "glyphs",
            box.text,
            tuple(style["font_family"]),
            style["font_weight"],
            style["font_style"],
            style["font_stretch"],
            str(style["lang"]),
        )
        runs = doc.cache.get(key)
        if runs is None:
            runs = runs_of(box)
            if len(doc.cache) < 50_000:
                doc.cache[key] = runs
        for family, chunk, missing in runs:
            for char in sorted(missing):
                entry = found.setdefault(
                    ("missing", text.page, text.element, ""),
                    {"stack": stack, "chars": {}},
                )
                entry["chars"].setdefault(char, text)
            if family.lower() not in allowed:
                for char in dict.fromkeys(chunk):
                    if char in missing or not _printed(char):
                        continue
                    entry = found.setdefault(
                        ("fallback", text.page, text.element, family),
                        {"stack": stack, "chars": {}},
                    )
                    entry["chars"].setdefault(char, text)

    problems = []
    for (kind, page, element, family), info in found.items():
        chars: dict[str, Text] = info["chars"]
        first, text = next(iter(chars.items()))
        design = ", ".join(info["stack"]) or "the page's font"
        shown = _characters(list(chars))
        samples = list(dict.fromkeys(_plain(t.text) for t in chars.values()))
        where_text = _quote(_context(text.text, first))
        several = len(chars) > 1
        if kind == "missing":
            message = (
                f"{shown} {'have' if several else 'has'} no glyph in any font ({design} or "
                f"the fallbacks) and would print as an empty box, in {where_text}"
            )
        else:
            message = (
                f"{shown} {'are' if several else 'is'} not in the design's font ({design}) and "
                f"{'were' if several else 'was'} drawn with {family} instead, in {where_text}"
            )
        path, line = _source_of(doc, first)
        column = _location_column(doc, first)
        if column:
            message += f" (the location's column '{column}')"
        problems.append(
            doc.at(
                "glyphs",
                message,
                page=page,
                element=element,
                region=text.region,
                text=" / ".join(samples),
                path=path,
                line=line,
                hint=(
                    f"remove or replace the character in column '{column}'"
                    + (
                        ", or add its script's Noto family to makeprint_engine/scripts.py"
                        if kind == "fallback"
                        else ""
                    )
                    if column
                    else "remove or replace the character"
                    + (" there" if path else " in the location data or content")
                    + ", or name a font that has it in the language's language.yaml (fonts:) "
                    "and the stylesheet"
                ),
            )
        )
    return problems


def _characters(chars: list[str], limit: int = 6) -> str:
    """'U+1F642 slightly smiling face “🙂”', or a list of code points for several."""
    if len(chars) == 1:
        char = chars[0]
        name = unicodedata.name(char, "").lower()
        return f"U+{ord(char):04X} {name} “{char}”" if name else f"U+{ord(char):04X} “{char}”"
    listed = ", ".join(f"U+{ord(c):04X} “{c}”" for c in chars[:limit])
    more = f" and {len(chars) - limit} more" if len(chars) > limit else ""
    return f"{len(chars)} characters ({listed}{more})"


def _context(text: str, char: str, width: int = 40) -> str:
    text = " ".join(_clean(text).split())
    index = text.find(char)
    if index < 0 or len(text) <= width:
        return text
    start = max(0, index - width // 2)
    return (
        ("…" if start else "")
        + text[start : start + width]
        + ("…" if start + width < len(text) else "")
    )


def _location_column(doc: Doc, char: str) -> str | None:
    """The location data column a character came from, when it is in one."""
    location = next((loc for loc in doc.project.locations if loc.slug == doc.job.slug), None)
    if location is None:
        return None
    return next((field for field, value in location.raw if char in value), None)


def _source_of(doc: Doc, char: str) -> tuple[str | None, int | None]:
    """The data or content file line a character came from, when it can be found."""
    project = doc.project
    location = next((loc for loc in project.locations if loc.slug == doc.job.slug), None)
    if location is not None and any(char in value for _, value in location.raw):
        return location.source, location.line
    language = project.languages.get(doc.job.lang)
    candidates = []
    if language is not None:
        candidates += [
            language.folder / "common.yaml",
            language.folder / f"{doc.job.material}.yaml",
        ]
    candidates += [project.content_dir / "organization.yaml", project.content_dir / "hotlines.yaml"]
    for path in candidates:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except OSError:
            continue
        for number, text in enumerate(lines, start=1):
            if char in text:
                return display_path(path, project.root), number
    return None, None
