"""Line breaking for running text from content: no lone last word, headlines broken by sense.

Pure string functions, applied to every text that comes from ``content/`` as the templates
print it (the Jinja environment's ``finalize`` and the ``md`` filter, see ``render.py``), so
no template has to ask for them:

- the last two words of a text are bound by a NO-BREAK SPACE, so a paragraph, list item or
  heading never ends on a line holding one word (a "runt"); in Chinese and Japanese, which
  have no spaces, the last few characters (and the punctuation after them) are joined by
  WORD JOINER. A bound chunk longer than :data:`MAX_BOUND` characters is left free, since
  binding it could push a line past its box.
- Korean is written with spaces between words, but UAX #14 allows a break between any two
  Hangul syllables and Pango takes it ("방법입니|다"); CSS's ``word-break: keep-all`` is what
  browsers do about it, and WeasyPrint does not support it. So the characters of each word
  that has Hangul are joined by WORD JOINER: Korean lines break only at spaces.
- ``|`` in content is a soft break marker: the text breaks there by preference. The words
  between two markers are bound together (when short enough), so the line breaker can only
  break at a marker, and puts as many pieces on a line as fit.

Phone numbers, URLs and e-mail addresses reach templates through the ``ltr`` and ``url``
filters as ``Markup``, which is never touched here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

NBSP = "\u00a0"
WORD_JOINER = "\u2060"
MAX_BOUND = 18  # characters: the longest last-two-words chunk bound to one line
MAX_PIECE = 28  # characters: the longest piece between soft breaks kept on one line
CJK_BOUND = 3  # characters (punctuation after them not counted) kept on a CJK last line
CJK_CHUNK = 8  # characters: the longest CJK chunk joined, digits and spaces included
SOFT_BREAK = re.compile(r"(\s*\|\s*)")

# Punctuation that may not start a line in Chinese and Japanese (closing brackets, stops,
# commas, small kana and prolonged sound mark) and that may not end one (opening brackets).
NO_LINE_START = set(
    "。，、．：；？！）」』】〕〉》｝〗〙〛”’・ー〜～々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.:;?!)]}%"
)
NO_LINE_END = set("（「『【〔〈《｛〖〘〚“‘([{")


class ContentText(str):
    """A string that comes from content/: printed with the line-breaking rules above."""

    __slots__ = ()


class KeyedText(ContentText):
    """A content string that knows its unit (``wallet-card:back.hotline_note``): printed in a
    span that names it, so a layout can say where each string went (``budget.py``)."""

    def __new__(cls, text: str, key: str) -> KeyedText:
        made = super().__new__(cls, text)
        made.key = key
        return made


def tagged(value: Any, html: Any) -> Any:
    """``html`` (the value as printed) in a span naming the value's unit, when it has one."""
    key = getattr(value, "key", None) if isinstance(value, KeyedText) else None
    if key is None:
        return html
    # Unquoted and percent-encoded: inside an attribute (an image's alt text) the span is
    # harmless text, where a quote would end the attribute and print the rest on the page.
    name = Markup(quote(key, safe=""))
    return Markup("<span data-unit={}>").format(name) + escape(html) + Markup("</span>")


# Values that name things rather than say them (an icon's file name): never in a span.
IDENTIFIER = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def mark_keyed(value: Any, unit: str) -> Any:
    """``value`` with every string in it a KeyedText named ``unit`` and its key path, the way
    ``sources.strings`` names them: ``common:labels.call``, ``flyer:steps[2].text``."""
    if isinstance(value, str):
        return ContentText(value) if IDENTIFIER.fullmatch(value) else KeyedText(value, unit)
    if isinstance(value, Mapping):
        sep = "." if not unit.endswith(":") else ""
        return {key: mark_keyed(item, f"{unit}{sep}{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [mark_keyed(item, f"{unit}[{index}]") for index, item in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    return value


def mark(value: Any) -> Any:
    """``value`` with every string in it (through dicts and lists) made a ContentText."""
    if isinstance(value, ContentText) or not isinstance(value, (str, Mapping, list, tuple)):
        return value
    if isinstance(value, str):
        return ContentText(value)
    if isinstance(value, Mapping):
        return {key: mark(item) for key, item in value.items()}
    return type(value)(mark(item) for item in value) if isinstance(value, list) else tuple(
        mark(item) for item in value
    )


def is_cjk(char: str) -> bool:
    """A Han, kana or Hangul-less CJK character: scripts written without spaces."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
    )


def is_hangul(char: str) -> bool:
    """A Hangul syllable or jamo: Korean, written with spaces between words."""
    code = ord(char)
    return (
        0xAC00 <= code <= 0xD7A3
        or 0x1100 <= code <= 0x11FF
        or 0x3130 <= code <= 0x318F
        or 0xA960 <= code <= 0xA97F
    )


def keep_hangul_words(text: str) -> str:
    """WORD JOINER between a Hangul character and the character beside it in the same word
    (not beside a Markdown marker: ``**`` must stay bold), so a Korean word never breaks
    inside, as ``word-break: keep-all`` would set it. Text without Hangul is returned as is."""
    if not any(is_hangul(c) for c in text):
        return text
    out = [text[:1]]
    for before, char in zip(text, text[1:], strict=False):
        if (
            (is_hangul(before) or is_hangul(char))
            and not (before.isspace() or char.isspace())
            and before not in "*_`\u2060"
            and char not in "*_`\u2060"
        ):
            out.append(WORD_JOINER)
        out.append(char)
    return "".join(out)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS" or char in NO_LINE_START


def _looks_like_address(word: str) -> bool:
    """A URL, e-mail address or path: never bound to the word before it."""
    return "://" in word or "@" in word or word.startswith("www.") or "/" in word.strip("/")


def bind_last_words(text: str, limit: int = MAX_BOUND) -> str:
    """Keep the last two words (or last CJK characters) of ``text`` on one line."""
    stripped = text.rstrip()
    if not stripped:
        return text
    tail = text[len(stripped) :]
    end = len(stripped)
    while end and _is_punctuation(stripped[end - 1]):
        end -= 1
    if end and is_cjk(stripped[end - 1]):
        return _join_cjk(stripped, end) + tail
    match = re.search(r"(\S+)([ \t\n]+)(\S+)$", stripped)
    if match is None:
        return text
    before, last = match[1], match[3]
    if len(before) + 1 + len(last) > limit or _looks_like_address(last):
        return text
    if _looks_like_address(before):
        return text
    return stripped[: match.start(2)] + NBSP + last + tail


def _join_cjk(text: str, end: int) -> str:
    """WORD JOINER through the last CJK_BOUND CJK characters before ``end`` (digits and
    spaces among them included: 第 2 剂) and the punctuation after them."""
    start = end
    count = 0
    while start and count < CJK_BOUND and end - start < CJK_CHUNK:
        char = text[start - 1]
        if is_cjk(char):
            count += 1
        elif not (char.isdigit() or char == " " or char in NO_LINE_START):
            break  # Latin words, opening brackets: the chunk starts after them
        start -= 1
    while start < end and text[start] == " ":
        start += 1
    if count < 2:
        return text
    if start and text[start - 1] in NO_LINE_END:
        start -= 1  # an opening bracket goes with what it opens
    chunk = text[start:]
    if WORD_JOINER in chunk:
        return text
    return text[:start] + _joined(chunk.replace(" ", NBSP))


def _joined(chunk: str) -> str:
    """WORD JOINER between the characters of ``chunk``, but not beside a Markdown emphasis
    marker (``**再给第 2 剂**。`` must stay bold, not turn into ``*⁠*`` and italics), a digit,
    a Latin letter or a no-break space: those pairs do not break anyway (a digit run is one
    word; UAX #14 keeps closing punctuation with what it follows)."""
    out = [chunk[:1]]
    for before, char in zip(chunk, chunk[1:], strict=False):
        if not (_no_joiner_beside(before) or _no_joiner_beside(char)):
            out.append(WORD_JOINER)
        out.append(char)
    return "".join(out)


def _no_joiner_beside(char: str) -> bool:
    """A digit, Latin letter, no-break space or Markdown marker: no joiner goes beside it."""
    return char.isascii() and char.isalnum() or char in (NBSP, "*", "_", "`")


def one_line(text: str) -> str:
    """A name kept whole on one line (a hotline's name) when it is short enough, else with
    its last words bound: a name longer than MAX_PIECE may still wrap rather than overflow."""
    return keep_hangul_words(_bind_piece(text.strip()))


def _bind_piece(piece: str) -> str:
    """A piece between soft breaks: on one line when short enough, else its last words."""
    if len(piece) > MAX_PIECE:
        return bind_last_words(piece)
    if any(is_cjk(c) for c in piece) and " " not in piece.strip():
        return WORD_JOINER.join(piece)
    return re.sub(r"[ \t\n]+", NBSP, piece)


def soft_breaks(text: str) -> str:
    """Content with ``|`` markers: a break allowed only at each marker (see the module)."""
    parts = SOFT_BREAK.split(text)
    out = [_bind_piece(parts[0])]
    for marker, piece in zip(parts[1::2], parts[2::2], strict=True):
        if not piece:
            continue
        # A space where the text had one, else a ZERO WIDTH SPACE (a break with no gap).
        out.append(" " if any(c.isspace() for c in marker) else "\u200b")
        out.append(_bind_piece(piece))
    return "".join(out).strip()


# A North American phone number in running text: 1-800-484-3731, (410) 555-0142, 988 is not
# one (three digits read the same either way).
PHONE = re.compile(
    r"(?<![\w\u2066])(?:\+?1[-.\s\u00a0])?(?:\(\d{3}\)[\s\u00a0]?|\d{3}[-.\s\u00a0])"
    r"\d{3}[-.\s\u00a0]\d{4}(?!\w)"
)
LRI, PDI = "\u2066", "\u2069"


def isolate_phones(text: str) -> str:
    """Phone numbers in running text wrapped in LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL
    ISOLATE: in a right-to-left sentence the bidi algorithm would otherwise print
    1-800-484-3731 as 3731-1-800-484, a wrong number."""
    return PHONE.sub(lambda m: LRI + m[0] + PDI, text)


def typeset(text: str) -> str:
    """The rules, for one text from content."""
    if "|" in text:
        return keep_hangul_words(isolate_phones(soft_breaks(text)))
    return keep_hangul_words(isolate_phones(bind_last_words(text)))


def finalize(value: Any) -> Any:
    """The Jinja environment's ``finalize``: content strings typeset, everything else as is."""
    if type(value) is ContentText:
        return typeset(value)
    if type(value) is KeyedText:
        return tagged(value, typeset(value))
    return value
