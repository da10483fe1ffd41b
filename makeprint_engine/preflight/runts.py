"""The runts check: paragraphs, list items and headings that end on one word, and CJK
lines that start with closing punctuation."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..typeset import NO_LINE_END, NO_LINE_START, is_cjk
from .findings import Finding
from .layout import Doc, Text, _clean, _printed, _quote

# Elements that hold running text. Others (table cells of hours, addresses, URLs, phone
# lines) are data laid out line by line, where one word on a line is normal.
RUNNING = re.compile(r"^(p|li|h[1-6]|dd|dt|figcaption|blockquote)(\.|$)")


@dataclass
class _Block:
    page: int
    element: str
    region: str | None
    lines: dict[int, list[Text]]


def _blocks(doc: Doc) -> list[_Block]:
    """Running text grouped by block, then by line, in reading order."""
    blocks: dict[int, _Block] = {}
    for text in doc.layout.texts:
        if text.pseudo or not text.visible or text.color[3] == 0 or text.line < 0:
            continue
        if not RUNNING.match(text.block_element.rsplit(" ", 1)[-1]):
            continue
        block = blocks.setdefault(
            text.block, _Block(text.page, text.block_element, text.region, {})
        )
        block.lines.setdefault(text.line, []).append(text)
    return list(blocks.values())


def _line_text(texts: list[Text]) -> str:
    return " ".join(_clean("".join(t.text for t in texts)).replace("\u00a0", " ").split())


def _is_runt(line: str) -> bool:
    """One word (a script with spaces), or one or two characters of a CJK script."""
    core = line.strip()
    letters = [c for c in core if c.isalpha()]
    if not letters:
        return False  # a number, a symbol: not a word left alone
    if all(is_cjk(c) for c in letters):
        # Each CJK character counts, and each run of digits or Latin letters (7 到 10 天)
        units = re.findall(r"[^\W_]+", core)  # \w runs: digits, Latin words, CJK text
        return sum(len(u) if is_cjk(u[0]) else 1 for u in units) <= 2
    if re.search(r"\w[./@]\w|://", core):
        return False  # a URL, a domain, an e-mail address: breaks only at its own places
    return " " not in core and not any(is_cjk(c) for c in core)


def _short_heading(block: _Block, whole: str) -> bool:
    """A heading of three words or fewer ("Help without / judgment" across a poster): once it
    wraps, one of its lines holds a single word whichever break is taken; where it breaks is
    the author's choice (``|`` in content), not a runt."""
    heading = re.match(r"h[1-6](\.|$)", block.element.rsplit(" ", 1)[-1]) is not None
    return heading and len(whole.split()) <= 3


def runt_problems(doc: Doc) -> list[Finding]:
    """Last lines of one word (or 1–2 CJK characters), and CJK lines that start with 。，、）."""
    problems: list[Finding] = []
    for block in _blocks(doc):
        lines = [_line_text(texts) for texts in block.lines.values()]
        lines = [line for line in lines if _printed(line)]
        if len(lines) < 2:
            continue
        whole = " ".join(lines)
        last = lines[-1]
        in_link = all(t.link is not None for t in list(block.lines.values())[-1])
        if _is_runt(last) and not in_link and not _short_heading(block, whole):
            kind = "character" if any(is_cjk(c) for c in last) else "word"
            problems.append(
                doc.at(
                    "runts",
                    f"the last line holds a single {kind}: {_quote(last, 30)} "
                    f"(of {_quote(whole, 50)})",
                    severity="warning",
                    page=block.page,
                    element=block.element,
                    region=block.region,
                    text=last,
                    hint="content text binds its last words on its own; shorten or reword "
                    "this text, or for location data set a short_name",
                )
            )
        for previous, line in zip(lines, lines[1:], strict=False):
            if line[0] in NO_LINE_START and any(is_cjk(c) for c in whole):
                problems.append(_kinsoku(doc, block, line, f"starts with “{line[0]}”"))
            elif previous[-1] in NO_LINE_END and any(is_cjk(c) for c in whole):
                problems.append(_kinsoku(doc, block, previous, f"ends with “{previous[-1]}”"))
    return _once(problems)


def _once(problems: list[Finding]) -> list[Finding]:
    """The same line in the same element on a page once (the flyer's ten tabs), counted."""
    counts: dict[tuple[object, ...], int] = {}
    first: dict[tuple[object, ...], Finding] = {}
    for finding in problems:
        key = (finding.page, finding.element, finding.text, finding.message)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, finding)
    return [
        replace(f, message=f"{f.message} ({counts[k]} times)") if counts[k] > 1 else f
        for k, f in first.items()
    ]


def _kinsoku(doc: Doc, block: _Block, line: str, what: str) -> Finding:
    return doc.at(
        "runts",
        f"a line {what}, which Chinese and Japanese typesetting forbids: {_quote(line, 30)}",
        severity="warning",
        page=block.page,
        element=block.element,
        region=block.region,
        text=line,
        hint="keep the punctuation with the character before it (a WORD JOINER, U+2060)",
    )
