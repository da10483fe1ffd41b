"""Which installed Noto family prints each script found in a location's name and address."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

# Noto Sans (assets/fonts) draws Latin, Greek and Cyrillic. Every other script in location
# data needs its own family: Pango falls back through fontconfig to *some* installed font
# for a character the listed families lack, but which one is up to fontconfig (Chinese in
# the Japanese face, Arabic in DejaVu Sans), so the page names the right one instead. Each
# family here is in Debian's fonts-noto-core or fonts-noto-cjk, with a bold weight.
CJK = "CJK"  # resolved per location by resolve_cjk: which Han forms, which face has kana
_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0530, 0x058F, "Noto Sans Armenian"),
    (0x0590, 0x05FF, "Noto Sans Hebrew"),
    (0x0600, 0x06FF, "Noto Sans Arabic"),
    (0x0750, 0x077F, "Noto Sans Arabic"),
    (0x0780, 0x07BF, "Noto Sans Thaana"),
    (0x0870, 0x08FF, "Noto Sans Arabic"),
    (0x0900, 0x097F, "Noto Sans Devanagari"),
    (0x0980, 0x09FF, "Noto Sans Bengali"),
    (0x0A00, 0x0A7F, "Noto Sans Gurmukhi"),
    (0x0A80, 0x0AFF, "Noto Sans Gujarati"),
    (0x0B00, 0x0B7F, "Noto Sans Oriya"),
    (0x0B80, 0x0BFF, "Noto Sans Tamil"),
    (0x0C00, 0x0C7F, "Noto Sans Telugu"),
    (0x0C80, 0x0CFF, "Noto Sans Kannada"),
    (0x0D00, 0x0D7F, "Noto Sans Malayalam"),
    (0x0D80, 0x0DFF, "Noto Sans Sinhala"),
    (0x0E00, 0x0E7F, "Noto Sans Thai"),
    (0x0E80, 0x0EFF, "Noto Sans Lao"),
    (0x0F00, 0x0FFF, "Noto Serif Tibetan"),  # the only Tibetan face Debian ships
    (0x1000, 0x109F, "Noto Sans Myanmar"),
    (0x10A0, 0x10FF, "Noto Sans Georgian"),
    (0x1100, 0x11FF, CJK),  # Hangul jamo
    (0x1200, 0x139F, "Noto Sans Ethiopic"),
    (0x13A0, 0x13FF, "Noto Sans Cherokee"),
    (0x1400, 0x167F, "Noto Sans Canadian Aboriginal"),
    (0x1780, 0x17FF, "Noto Sans Khmer"),
    (0x18B0, 0x18FF, "Noto Sans Canadian Aboriginal"),
    (0x19E0, 0x19FF, "Noto Sans Khmer"),
    (0x1C50, 0x1C7F, "Noto Sans Ol Chiki"),
    (0x1C90, 0x1CBF, "Noto Sans Georgian"),
    (0x2D00, 0x2D2F, "Noto Sans Georgian"),
    (0x2D80, 0x2DDF, "Noto Sans Ethiopic"),
    (0x2E80, 0x2FDF, CJK),  # radicals
    (0x3000, 0x303F, CJK),  # ideographic space, 、。「」
    (0x3040, 0x30FF, CJK),  # kana
    (0x3100, 0x312F, CJK),  # bopomofo
    (0x3130, 0x318F, CJK),  # Hangul compatibility jamo
    (0x3190, 0x31FF, CJK),
    (0x3200, 0x9FFF, CJK),  # enclosed, compatibility, extension A, unified ideographs
    (0xA8E0, 0xA8FF, "Noto Sans Devanagari"),
    (0xA960, 0xA97F, CJK),
    (0xA980, 0xA9DF, "Noto Sans Javanese"),
    (0xAB00, 0xAB2F, "Noto Sans Ethiopic"),
    (0xAB70, 0xABBF, "Noto Sans Cherokee"),
    (0xAC00, 0xD7FF, CJK),  # Hangul syllables
    (0xF900, 0xFAFF, CJK),  # compatibility ideographs
    (0xFB1D, 0xFB4F, "Noto Sans Hebrew"),
    (0xFB50, 0xFDFF, "Noto Sans Arabic"),
    (0xFE30, 0xFE4F, CJK),
    (0xFE70, 0xFEFF, "Noto Sans Arabic"),
    (0xFF00, 0xFFEF, CJK),  # full-width forms
    (0x10D00, 0x10D3F, "Noto Sans Hanifi Rohingya"),
    (0x1E900, 0x1E95F, "Noto Sans Adlam"),
    (0x20000, 0x3FFFF, CJK),  # ideograph extensions B and later
)
_STARTS = [first for first, _, _ in _BLOCKS]
_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))


def family_for(char: str) -> str | None:
    """The fallback family for a character outside Latin, Greek and Cyrillic, if listed."""
    code = ord(char)
    i = bisect.bisect_right(_STARTS, code) - 1
    if i >= 0 and code <= _BLOCKS[i][1]:
        return _BLOCKS[i][2]
    return None


def _has(text: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(first <= ord(c) <= last for c in text for first, last in ranges)


def fallback_fonts(texts: Iterable[str], language_fonts: Iterable[str] = ()) -> list[str]:
    """The families a document needs, after its language's own, for these texts' scripts.

    In order of first appearance (deterministic). The language's fonts come first on the page
    and win for its own script, so a family it already names is left out, and so is any CJK
    face when the language has one (a zh-Hans document keeps its Chinese Han forms). Han
    without kana or Hangul is set in the Simplified Chinese face; a name with kana gets the
    Japanese face (Japanese Han forms), one with Hangul the Korean.
    """
    text = "".join(texts)
    own = {f.lower() for f in language_fonts}
    has_cjk = any("cjk" in f for f in own)
    if _has(text, _KANA):
        cjk = "Noto Sans CJK JP"
    elif _has(text, _HANGUL):
        cjk = "Noto Sans CJK KR"
    else:
        cjk = "Noto Sans CJK SC"
    found: list[str] = []
    for char in dict.fromkeys(text):
        family = family_for(char) if ord(char) > 0x052F else None
        if family == CJK:
            if has_cjk:
                continue
            family = cjk
        if family and family.lower() not in own and family not in found:
            found.append(family)
    return found
