"""The contact sheet: ``output/index.html``, every built document as thumbnails and a link.

Opened straight from disk (``file://``): links and images are relative paths, the style is
inline, nothing is fetched. Thumbnails go to ``output/thumbs/`` named after the PDF and the
first characters of its SHA-256, so an unchanged PDF keeps its thumbnails between builds and
a changed one gets new ones; thumbnails no entry refers to any more are removed. Pass every
entry of the manifest (not only those just built), since the page lists exactly these.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Mapping
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from .errors import MakeprintError, Problem
from .output import atomic_write
from .plan import DIRECTORIES
from .previews import page_count, page_jpegs

INDEX = "index.html"
THUMBS = "thumbs"
THUMB_PX = 300  # longer side of a thumbnail, in pixels
THUMB_SUFFIX = ".jpg"
_PAGE_NUMBER = re.compile(r"[0-9]+")
OLD_SUFFIXES = (".png",)  # thumbnails of earlier versions, removed when no entry uses them

_STYLE = """
:root { color-scheme: light; }
body { margin: 0; padding: 1rem 1.25rem 2rem; font-family: system-ui, "Noto Sans", sans-serif;
  line-height: 1.45; color: #1a1d21; background: #f3f6f7; }
h1 { margin: 0 0 0.25rem; font-size: 1.5rem; color: #083f49; }
h2 { margin: 1.5rem 0 0.25rem; font-size: 1.25rem; color: #083f49; }
h3 { margin: 0.75rem 0 0.5rem; font-size: 1.05rem; }
.slug { color: #4a5058; font-weight: 400; font-size: 0.9em; }
.docs { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0; padding: 0; list-style: none; }
.doc { background: #fff; border: 0.0625rem solid #c5ced2; border-radius: 0.4rem;
  padding: 0.6rem; max-width: 100%; }
.thumbs { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.thumbs img { display: block; max-width: 100%; height: auto; max-height: 14rem;
  border: 0.0625rem solid #c5ced2; }
.doc a { font-weight: 600; color: #0b5563; }
.meta { margin: 0.2rem 0 0; font-size: 0.85rem; color: #4a5058; overflow-wrap: anywhere; }
.missing { color: #a4000f; font-weight: 600; }
"""


def write_contact_sheet(
    out_dir: Path,
    entries: list[dict[str, Any]],
    names: Mapping[str, str] | None = None,
) -> Path:
    """Write ``out_dir/index.html`` for manifest ``entries``; return its path.

    ``entries`` have the manifest's keys (location, lang, material, path, pages, sha256,
    qr_url); ``names`` optionally maps a location slug to its name for the headings.
    """
    out_dir = Path(out_dir)
    root = out_dir.resolve()
    thumbs_dir = out_dir / THUMBS
    if thumbs_dir.is_symlink() or not thumbs_dir.resolve().is_relative_to(root):
        raise MakeprintError(
            Problem(
                "refusing to write thumbnails through a link out of the output folder",
                path=str(thumbs_dir),
                hint="remove the link",
            )
        )
    kept: set[Path] = set()
    listings: dict[Path, list[str]] = {}  # each thumbnail folder, listed once
    groups: dict[str, dict[str, list[str]]] = {}
    for entry in sorted(entries, key=_order):
        location, lang = _group(entry), str(entry.get("lang", ""))
        card = _card(out_dir, root, entry, kept, listings)
        groups.setdefault(location, {}).setdefault(lang, []).append(card)
    _remove_stale(thumbs_dir, kept)

    total = sum(len(cards) for langs in groups.values() for cards in langs.values())
    body = []
    for location, langs in groups.items():
        name = (names or {}).get(location)
        if location.startswith(DIRECTORIES + "/"):  # a collection: one document, many places
            name = f"Directory: {location.removeprefix(DIRECTORIES + '/')}"
        heading = (
            f'{escape(name)} <span class="slug">({escape(location)})</span>'
            if name
            else escape(location)
        )
        body.append(f'<section aria-label="{escape(name or location)}"><h2>{heading}</h2>')
        for lang, cards in langs.items():
            body.append(f'<h3 lang="en">Language: {escape(lang)}</h3><ul class="docs">')
            body += cards
            body.append("</ul>")
        body.append("</section>")
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>makeprint: {total} documents</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>makeprint: {total} document{'s' if total != 1 else ''}</h1>\n"
        "<p>Each document with a picture of its location's own page; open a PDF to print it.</p>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    index = out_dir / INDEX
    atomic_write(index, page.encode("utf-8"))
    return index


def _group(entry: dict[str, Any]) -> str:
    """A location's slug, or ``_directories/NAME`` for a directory (listed first)."""
    if "directory" in entry:
        return f"{DIRECTORIES}/{entry['directory']}"
    return str(entry.get("location", ""))


def _order(entry: dict[str, Any]) -> tuple[str, str, str, str]:
    return (
        _group(entry),
        str(entry.get("lang", "")),
        str(entry.get("material", "")),
        str(entry.get("path", "")),
    )


def _relative(path: object) -> PurePosixPath | None:
    """The entry's PDF path, if it is a plain relative path to a .pdf below the folder."""
    if not isinstance(path, str) or not path.endswith(".pdf") or "\\" in path:
        return None
    rel = PurePosixPath(path)
    if rel.is_absolute() or any(part in ("", ".", "..") for part in rel.parts):
        return None
    return rel


def _card(
    out_dir: Path, root: Path, entry: dict[str, Any], kept: set[Path],
    listings: dict[Path, list[str]],
) -> str:
    material = str(entry.get("material", ""))
    if entry.get("size"):  # a further size of the material: "poster-small"
        material += f"-{entry['size']}"
    rel = _relative(entry.get("path"))
    shown = escape(str(entry.get("path", "")))
    if rel is None:
        return f'<li class="doc"><p class="missing">not a PDF path: {shown}</p></li>'
    pdf = out_dir / rel
    if not pdf.is_file() or not pdf.resolve().is_relative_to(root):
        return f'<li class="doc"><p class="missing">missing: {shown}</p></li>'
    if entry.get("variant") == "sheet":
        # The card sheet is the same card ten times, laid out for card stock (the label sheet
        # likewise): a link is enough, and it spares a build a second set of thumbnails.
        # Two pages are card fronts and backs; one page is a sheet of labels (one side).
        label = ("sheet of labels for label stock (one side, actual size)"
                 if entry.get("pages") == 1 else
                 "sheet of 10 for card stock (duplex, flip on long edge)")
        return (
            f'<li class="doc"><a href="{escape(quote(str(rel)))}">{escape(label)}</a>'
            f'<p class="meta">{shown}</p></li>'
        )
    data = pdf.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    pages = entry.get("pages")
    if not isinstance(pages, int) or pages < 1:
        pages = page_count(data)
    base = _thumb_base(rel, digest)
    # The build makes one thumbnail per document, of the page that is this location's own
    # (the card back, the pamphlet outside); the contact sheet shows what it finds, and makes
    # page 1 when there is none (a PDF copied in by hand, or thumbnails removed).
    folder = out_dir / base.parent
    if folder not in listings:
        listings[folder] = os.listdir(folder) if folder.is_dir() else []
    prefix = f"{base.name}-p"
    shown_pages = sorted(
        (int(number), PurePosixPath(base.parent) / name)
        for name in listings[folder]
        if name.startswith(prefix)
        and name.endswith(THUMB_SUFFIX)
        and _PAGE_NUMBER.fullmatch(number := name[len(prefix) : -len(THUMB_SUFFIX)])
        and (folder / name).is_file()
        and not (folder / name).is_symlink()
    )
    if not shown_pages:
        for name, image in thumbnail_files(str(rel), data):
            atomic_write(out_dir / name, image)
            shown_pages.append((1, PurePosixPath(name)))
    kept.update((out_dir / t).resolve() for _, t in shown_pages)
    href = escape(quote(str(rel)))
    images_html = "".join(
        f'<a href="{href}"><img src="{escape(quote(str(t)))}" '
        f'alt="{escape(material)}, page {n} of {pages}" loading="lazy"></a>'
        for n, t in shown_pages
    )
    count = f"{pages} page{'s' if pages != 1 else ''}"
    qr = escape(str(entry.get("qr_url", "")))
    return (
        f'<li class="doc"><div class="thumbs">{images_html}</div>'
        f'<p><a href="{href}">{escape(material)}</a> — {count}</p>'
        f'<p class="meta">QR code: {qr}</p>'
        f'<p class="meta">SHA-256 {digest[:12]}…</p></li>'
    )


def _thumb_base(rel: PurePosixPath, digest: str) -> PurePosixPath:
    return PurePosixPath(THUMBS) / rel.parent / f"{rel.stem}-{digest[:12]}"


def thumbnail_files(relpath: str, data: bytes, page: int = 1) -> list[tuple[str, bytes]]:
    """(path under the output folder, JPEG) of one page of the PDF at ``relpath``.

    Build workers call this next to the render, so thumbnails are made in parallel; the
    contact sheet then finds them in place.
    """
    rel = PurePosixPath(relpath)
    base = _thumb_base(rel, hashlib.sha256(data).hexdigest())
    [image] = page_jpegs(data, [page], max_px=THUMB_PX)
    return [(f"{base}-p{page}{THUMB_SUFFIX}", image)]


def _remove_stale(thumbs_dir: Path, kept: set[Path]) -> None:
    """Delete thumbnails no entry uses, and folders left empty; never follows a link."""
    if not thumbs_dir.is_dir() or thumbs_dir.is_symlink():
        return
    for folder, dirs, files in os.walk(thumbs_dir, topdown=False, followlinks=False):
        for name in files:
            thumb = Path(folder) / name
            if (
                name.endswith((THUMB_SUFFIX, *OLD_SUFFIXES))
                and not thumb.is_symlink()
                and thumb.resolve() not in kept
            ):
                thumb.unlink(missing_ok=True)
        for name in dirs:
            with contextlib.suppress(OSError):
                (Path(folder) / name).rmdir()  # only when empty
