"""Previews without the server: makeprint preview PNGs, and the contact sheet index.html."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import zxingcpp
from conftest import manifest, overfill_hours, run_cli
from PIL import Image

from makeprint_engine import Job, load_project
from makeprint_engine.contact_sheet import THUMB_PX, write_contact_sheet
from makeprint_engine.context import qr_for
from makeprint_engine.fit import Mark
from makeprint_engine.options import Options
from makeprint_engine.previews import LABEL_INK, draw_marks, page_count, page_pngs
from makeprint_engine.render import Renderer


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


def is_red(pixel: tuple[int, ...]) -> bool:
    red, green, blue = pixel[:3]
    return red > 180 and green < 60 and blue < 60


def red_count(image: Image.Image) -> int:
    data = image.convert("RGB").tobytes()
    return sum(1 for i in range(0, len(data), 3) if is_red(tuple(data[i : i + 3])))


def ink_count(image: Image.Image) -> int:
    """Pixels of the labels' dark red text, a colour no material uses."""
    data = image.convert("RGB").tobytes()
    ink = bytes(LABEL_INK)
    return sum(1 for i in range(0, len(data), 3) if data[i : i + 3] == ink)


def red_on_border(image: Image.Image, rect_mm: tuple[float, ...], dpi: float,
                  origin: tuple[float, float] = (0, 0)) -> list[bool]:
    """Whether each side of a mark's rectangle (mm from the page box's corner; ``origin`` in
    pixels) is drawn red: left, top, right (bottom may be off the page). A side counts when
    red shows at some of nine points along it: another mark's label may cover the rest."""
    x, y, w, h = (v / 25.4 * dpi for v in rect_mm)
    x, y = x + origin[0], y + origin[1]
    bottom = min(y + h, image.height - 1)
    right = min(x + w, image.width - 1)
    steps = [n / 10 for n in range(1, 10)]
    sides = [
        [(x, y + (bottom - y) * t) for t in steps],
        [(x + (right - x) * t, y) for t in steps],
        [(right, y + (bottom - y) * t) for t in steps],
    ]
    return [any(is_red(image.getpixel((round(px), round(py)))) for px, py in side)
            for side in sides]


def test_preview_outlines_what_does_not_fit_in_red_and_exits_1(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    args = ("preview", "--project", str(project), "east-harbor", "wallet-card", "--lang", "en")
    assert run_cli(*args, "-o", "fits.png").exit_code == 0
    overfill_hours(project)
    result = run_cli(*args)
    assert result.exit_code == 1, result.output  # it cannot be built…
    # …but its pictures are written, and the message says what to shorten and where.
    assert "wrote east-harbor-en-wallet-card-p2.png" in result.output
    assert "opening hours (column 'hours'): 2 lines" in result.output
    assert "too long at the 8 pt minimum" in result.output
    assert "does not fit, so build will not write it" in result.output
    assert "outlined in red on page 2" in result.output

    job = Job("east-harbor", "en", "wallet-card")
    marks = Renderer(load_project(project)).render(job, draft=True).marks
    assert marks and {mark.page for mark in marks} == {2}
    assert all("opening hours" in mark.message for mark in marks)
    with (
        Image.open(here / "east-harbor-en-wallet-card-p2.png") as draft,
        Image.open(here / "fits-p2.png") as fits,
    ):
        assert draft.size == fits.size == (525, 300)
        for mark in marks:  # the rectangle is outlined where the mark says, in red
            assert all(red_on_border(draft, mark.rect_mm, 150)), mark
            assert not any(red_on_border(fits, mark.rect_mm, 150)), mark
        assert red_count(fits) == 0 and red_count(draft) > 1000
        # The label: its message's text, not only red lines.
        assert ink_count(draft) > 200 and ink_count(fits) == 0
    # The front, which fits, is drawn as it is.
    with (
        Image.open(here / "east-harbor-en-wallet-card-p1.png") as draft,
        Image.open(here / "fits-p1.png") as fits,
    ):
        assert draft.tobytes() == fits.tobytes()
    # build still refuses it, and writes nothing for it.
    result = run_cli("build", "--project", str(project), "-l", "east-harbor", "-m", "wallet-card")
    assert result.exit_code == 1
    assert "opening hours (column 'hours')" in result.output
    assert not list((project / "output").rglob("east-harbor/**/wallet-card*.pdf"))


def test_marks_are_placed_by_the_trim_box_with_bleed_and_press_marks(project: Path) -> None:
    """Press PDFs grow beyond the trim (bleed, then crop marks): the outline moves with it."""
    overfill_hours(project)
    job = dataclasses.replace(Job("east-harbor", "en", "wallet-card"), profile="press")
    rendered = Renderer(load_project(project), Options(profile="press")).render(job, draft=True)
    assert not rendered.ok and rendered.pdf is not None and rendered.marks
    import pypdf

    page = pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[1]
    dpi = 150
    left = (float(page.trimbox.left) - float(page.mediabox.left)) / 72 * dpi
    top = (float(page.mediabox.top) - float(page.trimbox.top)) / 72 * dpi
    assert left > 50 and top > 50  # bleed and the marks' margin: well off the corner
    (png,) = page_pngs(rendered.pdf, [2], dpi=dpi, marks=rendered.marks)
    plain = page_pngs(rendered.pdf, [2], dpi=dpi)[0]
    with Image.open(io.BytesIO(png)) as image, Image.open(io.BytesIO(plain)) as without:
        for mark in rendered.marks:
            assert all(red_on_border(image, mark.rect_mm, dpi, (left, top))), mark
            assert not any(red_on_border(without, mark.rect_mm, dpi, (left, top))), mark
            # Where the page box's corner is, ignoring the trim, there is no outline.
            assert not any(red_on_border(image, mark.rect_mm, dpi)), mark


def test_labels_stay_on_the_image_and_are_deterministic() -> None:
    message = "flyer: hotline strip: hotlines (content/en/flyer.yaml): 3.2 mm too wide " * 2
    marks = [
        Mark(1, (60.0, 30.0, 25.0, 18.0), message),  # the bottom-right corner of a card
        Mark(1, (60.0, 30.0, 25.5, 18.5), message),  # nearly the same box: outlined once
        Mark(1, (2.0, 2.0, 10.0, 5.0), "name: 1 line too long"),
    ]
    blank = Image.new("RGB", (525, 300), "white")
    first = draw_marks(blank, marks, 150 / 25.4)
    again = draw_marks(blank, marks, 150 / 25.4)
    assert first.tobytes() == again.tobytes() and first.size == blank.size
    assert blank.getpixel((100, 100)) == (255, 255, 255)  # the original is left alone
    # Both labels are drawn, the first above its box: nothing fits below or beside it.
    ink = [(x, y) for y in range(first.height) for x in range(first.width)
           if first.getpixel((x, y)) == LABEL_INK]
    box_top = round(30 / 25.4 * 150)
    assert len({y for _, y in ink if y < box_top - 5}) > 30
    assert all(red_on_border(first, mark.rect_mm, 150) for mark in marks[::2])


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
    own_page = {"wallet-card": 2, "pamphlet": 1, "flyer": 1, "poster": 1, "kit-label": 1,
                "directory": 1}
    in_order = sorted(documents, key=lambda e: str(e["path"]))
    for src, entry in zip(page.srcs, in_order, strict=True):
        thumb = output / unquote(src)
        assert src.startswith("thumbs/") and thumb.is_file()
        assert max(png_size(thumb, "JPEG")) == THUMB_PX
        assert src.endswith(f"-p{own_page[str(entry['material'])]}.jpg"), src
    # The directories first, then by location; then language.
    h2 = [text for tag, text in page.headings if tag == "h2"]
    assert h2 == ["Directory: all (_directories/all)",
                  "Directory: baltimore-naloxone (_directories/baltimore-naloxone)",
                  "East Harbor Drop-In Center (east-harbor)", "mobile-outreach", "riverside-clinic"]
    first = sorted({str(e["lang"]) for e in entries if e.get("directory") == "all"})
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
    kept = [e for e in entries if e.get("location") != "mobile-outreach"]
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


def test_contact_sheet_prints_markup_in_location_names_as_text(project: Path) -> None:
    """Location names are data from people we do not fully trust: a real build writes them
    into index.html escaped, in the heading and the section's label, never as markup."""
    path = project / "content" / "locations.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("East Harbor Drop-In Center", "<b>x</b>", 1)
    text = text.replace("Riverside Recovery Clinic", "Clinic <script>alert(1)</script>", 1)
    path.write_text(text, encoding="utf-8")
    result = run_cli("build", "--project", str(project), "-m", "wallet-card", "--lang", "en",
                     "-l", "east-harbor", "-l", "riverside-clinic", "-j", "1")
    assert result.exit_code == 0, result.output
    html = (project / "output" / "index.html").read_text(encoding="utf-8")
    assert "<b>" not in html and "<script" not in html.lower()
    assert (
        '<section aria-label="&lt;b&gt;x&lt;/b&gt;"><h2>&lt;b&gt;x&lt;/b&gt; '
        '<span class="slug">(east-harbor)</span></h2>'
    ) in html
    assert (
        '<section aria-label="Clinic &lt;script&gt;alert(1)&lt;/script&gt;"><h2>Clinic '
        '&lt;script&gt;alert(1)&lt;/script&gt; <span class="slug">(riverside-clinic)</span></h2>'
    ) in html
    page = Links()
    page.feed(html)
    assert [t for tag, t in page.headings if tag == "h2"] == [
        "<b>x</b> (east-harbor)",
        "Clinic <script>alert(1)</script> (riverside-clinic)",
    ]
