"""Build options that shape every document: print profile, sheet stock, PDF flavour."""

from __future__ import annotations

from dataclasses import dataclass, replace

PROFILES = ("office", "press")


@dataclass(frozen=True)
class Options:
    profile: str = "office"  # office: trim-size pages and sheets; press: bleed and crop marks
    sheet: str | None = None  # card stock for imposed wallet cards; None: the paper's default
    bleed_mm: float | None = None  # press bleed; None: 0.125 in for letter, 3 mm for a4
    pdf_variant: str | None = None  # a WeasyPrint PDF variant such as "pdf/a-3b"
    tagged: bool = True  # tagged (accessible) PDF with reading order and alt text
    require_reviewed: bool = False  # refuse draft translations
    guides: bool = True  # office: fold guides at the sheet edge of a folded material
    # --where filters: the one directory this build makes (directories.parse_where)
    where: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """Everything here shapes output, so all of it goes into cache keys; the filters shape
        only their directory, whose key has them (fingerprint.Fingerprints._directory)."""
        return repr(replace(self, where=()))
