"""Previews without the server: makeprint preview PNGs, and the contact sheet index.html."""

from __future__ import annotations

import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import zxingcpp
from conftest import manifest, run_cli
from PIL import Image

from makeprint_engine import Job, load_project
from makeprint_engine.contact_sheet import THUMB_PX, write_contact_sheet
from makeprint_engine.context import qr_for
from makeprint_engine.previews import page_count, page_pngs


def png_size(path: Path, kind: str = "PNG") -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == kind
        return image.size


# ------------------------------------------------------------------------- makeprint preview


def test_preview_writes_every_page_with_default_names(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = run_cli(
        "preview", "--project", str(project), "east-harbor", "wallet-card", "--lang", "es"
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in here.iterdir())
    assert names == ["east-harbor-es-wallet-card-p1.png", "east-harbor-es-wallet-card-p2.png"]
    assert png_size(here / names[0]) == (525, 300)  # 3.5 × 2 in at 150 dpi
    assert "wrote east-harbor-es-wallet-card-p2.png" in result.output
    # The back's QR code in the preview is readable and right.
    with Image.open(here / names[1]) as image:
        found = [r.text for r in zxingcpp.read_barcodes(image)]
    expected = qr_for(load_project(project), Job("east-harbor", "es", "wallet-card"))
    assert found == [expected]


def test_preview_one_page_to_a_named_file_and_default_language(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "proof.png"
    args = ("preview", "--project", str(project), "mobile-outreach", "flyer")
    result = run_cli(*args, "--page", "1", "-o", str(out), "--dpi", "72")
    assert result.exit_code == 0, result.output
    assert png_size(out) == (612, 792)
    # Several pages to one -o name: numbered; the default language is the location's first.
    result = run_cli(
        "preview", "--project", str(project), "riverside-clinic", "pamphlet", "-o", "p.png"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p-p1.png").is_file() and (tmp_path / "p-p2.png").is_file()
    result = run_cli("preview", "--project", str(project), "riverside-clinic", "flyer")
    assert (tmp_path / "riverside-clinic-en-flyer-p1.png").is_file()


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("nowhere", "flyer"), 1, 'no location named "nowhere"'),
        (("east-harbor", "poster"), 1, 'no material named "poster"'),
        (("east-harbor", "flyer", "--lang", "xx"), 1, 'no language named "xx"'),
        (("east-harbor", "flyer", "--page", "2"), 2, "has 1 page(s)"),
        (("east-harbor", "flyer", "--page", "0"), 2, "--page"),
    ],
)
def test_preview_errors(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    code: int,
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("preview", "--project", str(project), *args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert not list(tmp_path.glob("*.png"))


def test_preview_of_a_language_the_location_lacks(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = project / "content" / "locations.csv"
    csv.write_text(csv.read_text().replace(",en;es;vi;zh-Hans;ar,", ",en,", 1))
    monkeypatch.chdir(tmp_path)
    result = run_cli("preview", "--project", str(project), "east-harbor", "flyer", "--lang", "es")
    assert result.exit_code == 1
    assert 'east-harbor is not made in "es" — its languages are en' in result.output


def test_page_pngs_checks_its_arguments(built: Path) -> None:
    pdf = (built / "output" / "east-harbor" / "en" / "pamphlet.pdf").read_bytes()
    assert page_count(pdf) == 2
    first, second = page_pngs(pdf, max_px=500)
    with Image.open(io.BytesIO(first)) as image:
        assert max(image.size) == 500
    with pytest.raises(IndexError):
        page_pngs(pdf, [3])
    with pytest.raises(ValueError):
        page_pngs(pdf, dpi=0)


# ---------------------------------------------------------------------------- contact sheet


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self._tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self.hrefs.append(str(values["href"]))
        if tag == "img":
            self.srcs.append(str(values["src"]))
            assert values.get("alt")
        if tag in ("h2", "h3"):
            self._tag = tag
            self.headings.append((tag, ""))

    def handle_data(self, data: str) -> None:
        if self._tag:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._tag:
            self._tag = None


@pytest.fixture
def output(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built sample output (the session build is read-only)."""
    out = tmp_path / "output"
    shutil.copytree(built / "output", out)
    return out


def test_contact_sheet_links_every_pdf_with_thumbnails(output: Path) -> None:
    entries = manifest(output.parent)
    names = {"east-harbor": "East Harbor Drop-In Center"}
    index = write_contact_sheet(output, entries, names)
    assert index == output / "index.html"
    html = index.read_text(encoding="utf-8")
    # Openable from disk: nothing fetched, every link and image a relative path.
    assert not re.search(r'(?:src|href)="(?:[a-z]+:|/)', html) and "<link" not in html
    page = Links()
    page.feed(html)
    assert sorted({unquote(h) for h in page.hrefs}) == sorted(str(e["path"]) for e in entries)
    # One thumbnail per document, of the location's own page (the card back, the pamphlet
    # outside: the pages every location shares would look alike); card sheets are linked
    # without one: the same card ten times.
    documents = [e for e in entries if e.get("variant") != "sheet"]
    assert len(page.srcs) == len(documents)
    own_page = {"wallet-card": 2, "pamphlet": 1, "flyer": 1}
    in_order = sorted(documents, key=lambda e: str(e["path"]))
    for src, entry in zip(page.srcs, in_order, strict=True):
        thumb = output / unquote(src)
        assert src.startswith("thumbs/") and thumb.is_file()
        assert max(png_size(thumb, "JPEG")) == THUMB_PX
        assert src.endswith(f"-p{own_page[str(entry['material'])]}.jpg"), src
    # Grouped by location, then language.
    h2 = [text for tag, text in page.headings if tag == "h2"]
    assert h2 == ["East Harbor Drop-In Center (east-harbor)", "mobile-outreach", "riverside-clinic"]
    first = sorted({str(e["lang"]) for e in entries if e["location"] == "east-harbor"})
    h3 = [t for tag, t in page.headings if tag == "h3"][: len(first)]
    assert h3 == [f"Language: {code}" for code in first]
    assert not [p for p in output.rglob("*") if p.name.endswith(".tmp")]


def test_contact_sheet_reuses_thumbnails_and_removes_stale_ones(output: Path) -> None:
    entries = manifest(output.parent)
    write_contact_sheet(output, entries)
    thumbs = {p: p.stat().st_mtime_ns for p in (output / "thumbs").rglob("*.jpg")}
    assert thumbs
    # A thumbnail an earlier version wrote as PNG is stale once nothing refers to it.
    old = next(iter(thumbs)).with_suffix(".png")
    old.write_bytes(b"old")
    write_contact_sheet(output, entries)
    assert {p: p.stat().st_mtime_ns for p in (output / "thumbs").rglob("*.jpg")} == thumbs
    assert not old.exists()
    kept = [e for e in entries if e["location"] != "mobile-outreach"]
    write_contact_sheet(output, kept)
    left = list((output / "thumbs").rglob("*.jpg"))
    assert left and not [p for p in left if "mobile-outreach" in str(p)]
    assert not (output / "thumbs" / "mobile-outreach").exists()
    assert "mobile-outreach" not in (output / "index.html").read_text()


def test_contact_sheet_never_reads_outside_the_output(output: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.pdf"
    shutil.copy(output / "east-harbor" / "en" / "flyer.pdf", secret)
    (output / "link.pdf").symlink_to(secret)
    entries = [
        {"location": "x", "lang": "en", "material": "flyer", "path": "../secret.pdf", "pages": 1},
        {"location": "x", "lang": "en", "material": "flyer", "path": str(secret), "pages": 1},
        {"location": "x", "lang": "en", "material": "flyer", "path": "link.pdf", "pages": 1},
        {"location": "x", "lang": "en", "material": "flyer", "path": "gone/flyer.pdf", "pages": 1},
        {"location": "<b>x</b>", "lang": "en", "material": "<i>", "path": "a/b.pdf", "pages": 1},
    ]
    html = write_contact_sheet(output, entries).read_text()
    assert html.count("not a PDF path") == 2 and html.count("missing:") == 3
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert not list((output / "thumbs").rglob("*.jpg")) if (output / "thumbs").exists() else True
