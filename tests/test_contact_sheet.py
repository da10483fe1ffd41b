"""The contact sheet on its own: manifest entries and small PDFs in tmp_path, the page read
back as HTML. PDFs are drawn with Pillow (a page or two of flat colour), so no document is
rendered: the mutation guards of ``contact_sheet``. test_preview.py and test_shards.py see the
sheet of real builds."""

from __future__ import annotations

import hashlib
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from makeprint_engine import contact_sheet
from makeprint_engine.contact_sheet import (
    INDEX,
    THUMB_PX,
    _relative,
    thumbnail_files,
    write_contact_sheet,
)
from makeprint_engine.errors import MakeprintError


def pdf_bytes(pages: int = 1, size: tuple[int, int] = (200, 300), shade: int = 90) -> bytes:
    out = io.BytesIO()
    images = [Image.new("L", size, shade + i) for i in range(pages)]
    images[0].save(out, "PDF", resolution=72, save_all=True, append_images=images[1:])
    return out.getvalue()


def put(out: Path, rel: str, data: bytes) -> bytes:
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    (out / rel).write_bytes(data)
    return data


def entry(rel: str, **fields: object) -> dict[str, object]:
    location, lang, name = rel.removesuffix(".pdf").split("/")
    return {"location": location, "lang": lang, "material": name, "path": rel,
            "qr_url": f"https://example.org/{location}"} | fields


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Page(HTMLParser):
    """The sheet's elements of interest, in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())

    def all(self, tag: str, attr: str) -> list[str | None]:
        return [a.get(attr) for t, a in self.tags if t == tag]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "output"
    folder.mkdir()
    return folder


def sheet(out: Path, entries: list, names: dict | None = None) -> tuple[str, Page]:
    index = write_contact_sheet(out, entries, names)
    assert index == out / INDEX
    text = index.read_text(encoding="utf-8")
    return text, Page(text)


# --- one document ---------------------------------------------------------------------------


def test_one_document(out: Path) -> None:
    data = put(out, "east/en/wallet-card.pdf", pdf_bytes(2))
    text, page = sheet(out, [entry("east/en/wallet-card.pdf", pages=2)])
    thumb = f"thumbs/east/en/wallet-card-{digest(data)[:12]}-p1.jpg"
    assert (out / thumb).is_file()
    with Image.open(out / thumb) as image:
        assert image.format == "JPEG" and max(image.size) == THUMB_PX
    assert page.all("img", "src") == [thumb]
    assert page.all("img", "alt") == ["wallet-card, page 1 of 2"]
    assert page.all("a", "href") == ["east/en/wallet-card.pdf", "east/en/wallet-card.pdf"]
    assert '<p><a href="east/en/wallet-card.pdf">wallet-card</a> — 2 pages</p>' in text
    assert '<p class="meta">QR code: https://example.org/east</p>' in text
    assert f'<p class="meta">SHA-256 {digest(data)[:12]}…</p>' in text
    assert "<title>makeprint: 1 documents</title>" in text
    assert "<h1>makeprint: 1 document</h1>" in text
    assert '<section aria-label="east"><h2>east</h2>' in text
    assert '<h3 lang="en">Language: en</h3><ul class="docs">' in text
    assert text.startswith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    assert text.endswith("\n</body>\n</html>\n")
    assert f"<style>{contact_sheet._STYLE}</style>" in text
    assert "loading=\"lazy\"" in text


def test_page_count_read_from_the_pdf_when_missing_or_wrong(out: Path) -> None:
    put(out, "a/en/card.pdf", pdf_bytes(3))
    put(out, "b/en/card.pdf", pdf_bytes(1))
    put(out, "c/en/card.pdf", pdf_bytes(2))
    text, page = sheet(out, [entry("a/en/card.pdf"), entry("b/en/card.pdf", pages=0),
                             entry("c/en/card.pdf", pages="2")])
    assert "card</a> — 3 pages</p>" in text
    assert "card</a> — 1 page</p>" in text
    assert "card</a> — 2 pages</p>" in text
    assert page.all("img", "alt") == ["card, page 1 of 3", "card, page 1 of 1",
                                      "card, page 1 of 2"]


def test_pages_given_are_believed(out: Path) -> None:
    put(out, "a/en/card.pdf", pdf_bytes(1))
    text, _ = sheet(out, [entry("a/en/card.pdf", pages=4)])
    assert "card</a> — 4 pages</p>" in text


def test_further_size_is_named(out: Path) -> None:
    put(out, "a/en/poster-small.pdf", pdf_bytes())
    text, page = sheet(out, [entry("a/en/poster-small.pdf", material="poster", size="small",
                                   pages=1)])
    assert ">poster-small</a>" in text
    assert page.all("img", "alt") == ["poster-small, page 1 of 1"]


def test_names_and_escaping(out: Path) -> None:
    put(out, "a&b/en/card.pdf", pdf_bytes())
    text, page = sheet(out, [entry("a&b/en/card.pdf", pages=1, qr_url="https://x/?a=1&b=<2>")],
                       names={"a&b": "Ana's <Place>"})
    assert ('<section aria-label="Ana&#x27;s &lt;Place&gt;"><h2>Ana&#x27;s &lt;Place&gt; '
            '<span class="slug">(a&amp;b)</span></h2>') in text
    assert "QR code: https://x/?a=1&amp;b=&lt;2&gt;</p>" in text
    assert page.all("a", "href")[0] == "a%26b/en/card.pdf"


def test_no_names_for_this_location(out: Path) -> None:
    put(out, "a/en/card.pdf", pdf_bytes())
    text, _ = sheet(out, [entry("a/en/card.pdf", pages=1)], names={"other": "Other"})
    assert '<section aria-label="a"><h2>a</h2>' in text


def test_missing_qr_url_is_empty(out: Path) -> None:
    put(out, "a/en/card.pdf", pdf_bytes())
    e = entry("a/en/card.pdf", pages=1)
    del e["qr_url"]
    text, _ = sheet(out, [e])
    assert '<p class="meta">QR code: </p>' in text


# --- grouping and order ---------------------------------------------------------------------


def test_grouped_by_location_then_language_in_order(out: Path) -> None:
    rels = ["b/fr/card.pdf", "a/es/flyer.pdf", "b/en/card.pdf", "a/en/flyer.pdf",
            "a/en/card.pdf"]
    for rel in rels:
        put(out, rel, pdf_bytes())
    text, page = sheet(out, [entry(r, pages=1) for r in rels])
    assert [h for h in re.findall(r"<h[23][^>]*>([^<]*)", text)] == [
        "a", "Language: en", "Language: es", "b", "Language: en", "Language: fr"]
    assert [h for h in page.all("a", "href")][::2] == [
        "a/en/card.pdf", "a/en/flyer.pdf", "a/es/flyer.pdf", "b/en/card.pdf", "b/fr/card.pdf"]
    assert "<h1>makeprint: 5 documents</h1>" in text
    assert "<title>makeprint: 5 documents</title>" in text
    assert text.count("<section") == 2 and text.count("</section>") == 2
    assert text.count("<ul class=\"docs\">") == 4 and text.count("</ul>") == 4


def test_order_within_a_language_by_material_then_path(out: Path) -> None:
    put(out, "a/en/z.pdf", pdf_bytes())
    put(out, "a/en/y.pdf", pdf_bytes())
    e1 = entry("a/en/z.pdf", material="card", pages=1)
    e2 = entry("a/en/y.pdf", material="card", pages=1)
    _, page = sheet(out, [e1, e2])
    assert page.all("a", "href")[::2] == ["a/en/y.pdf", "a/en/z.pdf"]
    assert contact_sheet._order({}) == ("", "", "", "")


def test_empty_sheet(out: Path) -> None:
    text, _ = sheet(out, [])
    assert "<h1>makeprint: 0 documents</h1>" in text


# --- entries that are not PDFs ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [None, 3, "a/en/card.png", "/abs/card.pdf", "a/../card.pdf", "../card.pdf", "a\\card.pdf",
     "card.PDF"],
)
def test_not_a_pdf_path(path: object) -> None:
    assert _relative(path) is None


def test_relative() -> None:
    assert str(_relative("a/en/card.pdf")) == "a/en/card.pdf"
    # "." and empty parts are dropped by PurePosixPath: the path stays below the folder
    assert str(_relative("a/./card.pdf")) == str(_relative("a//card.pdf")) == "a/card.pdf"
    assert str(_relative("./card.pdf")) == "card.pdf"


def test_bad_and_missing_entries_are_shown(out: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.pdf").write_bytes(pdf_bytes())
    (out / "a" / "en").mkdir(parents=True)
    (out / "a" / "en" / "link.pdf").symlink_to(tmp_path / "outside.pdf")
    (out / "a" / "en" / "dir.pdf").mkdir()
    entries = [entry("a/en/gone.pdf"), entry("a/en/link.pdf"), entry("a/en/dir.pdf"),
               {"location": "a", "lang": "en", "path": "../x<y>.pdf"}]
    text, _ = sheet(out, entries)
    assert '<li class="doc"><p class="missing">not a PDF path: ../x&lt;y&gt;.pdf</p></li>' in text
    assert '<li class="doc"><p class="missing">missing: a/en/gone.pdf</p></li>' in text
    assert '<li class="doc"><p class="missing">missing: a/en/link.pdf</p></li>' in text
    assert '<li class="doc"><p class="missing">missing: a/en/dir.pdf</p></li>' in text
    assert "<h1>makeprint: 4 documents</h1>" in text
    assert not (out / "thumbs").exists() or not any((out / "thumbs").rglob("*.jpg"))


def test_card_and_label_sheets_are_links(out: Path) -> None:
    put(out, "a/en/wallet-card-sheet.pdf", pdf_bytes(2))
    put(out, "a/en/kit-label-sheet.pdf", pdf_bytes(1))
    text, page = sheet(out, [
        entry("a/en/wallet-card-sheet.pdf", variant="sheet", pages=2),
        entry("a/en/kit-label-sheet.pdf", variant="sheet", pages=1),
    ])
    assert ('<li class="doc"><a href="a/en/kit-label-sheet.pdf">sheet of labels for label stock '
            '(one side, actual size)</a><p class="meta">a/en/kit-label-sheet.pdf</p></li>') in text
    assert ('<li class="doc"><a href="a/en/wallet-card-sheet.pdf">sheet of 10 for card stock '
            '(duplex, flip on long edge)</a><p class="meta">a/en/wallet-card-sheet.pdf</p></li>'
            ) in text
    assert page.all("img", "src") == []


# --- thumbnails -----------------------------------------------------------------------------


def test_thumbnail_files(out: Path) -> None:
    data = pdf_bytes(2, size=(400, 200))
    [(name, jpeg)] = thumbnail_files("a/en/card.pdf", data, page=2)
    assert name == f"thumbs/a/en/card-{digest(data)[:12]}-p2.jpg"
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.size == (THUMB_PX, THUMB_PX // 2)
        assert image.convert("L").getpixel((10, 10)) in range(89, 94)  # page 2's grey, 91
    [(name, _)] = thumbnail_files("card.pdf", data)
    assert name == f"thumbs/card-{digest(data)[:12]}-p1.jpg"


def test_thumbnails_a_build_made_are_used(out: Path) -> None:
    data = put(out, "a/en/card.pdf", pdf_bytes(2))
    base = f"thumbs/a/en/card-{digest(data)[:12]}"
    (out / "thumbs/a/en").mkdir(parents=True)
    for name in (f"{base}-p2.jpg", f"{base}-p10.jpg", f"{base}-p1.jpg"):
        (out / name).write_bytes(b"jpeg")
    for name in (f"{base}-px.jpg", f"{base}-p3.png", f"{base}-p 4.jpg", f"{base}-p5.jpgx"):
        (out / name).write_bytes(b"not a thumbnail")
    (out / f"{base}-p6.jpg").mkdir()
    (out / f"{base}-p7.jpg").symlink_to(out / f"{base}-p1.jpg")
    _, page = sheet(out, [entry("a/en/card.pdf", pages=2)])
    assert page.all("img", "src") == [f"{base}-p1.jpg", f"{base}-p2.jpg", f"{base}-p10.jpg"]
    assert page.all("img", "alt") == ["card, page 1 of 2", "card, page 2 of 2",
                                      "card, page 10 of 2"]
    assert (out / f"{base}-p1.jpg").read_bytes() == b"jpeg"  # not remade
    assert not (out / f"{base}-p3.png").exists()  # an old thumbnail no entry uses
    assert not (out / f"{base}-px.jpg").exists()
    assert not (out / f"{base}-p7.jpg").is_symlink() or (out / f"{base}-p7.jpg").exists()


def test_thumbnails_of_other_documents_in_the_folder_are_not_taken(out: Path) -> None:
    data = put(out, "a/en/card.pdf", pdf_bytes())
    other = put(out, "a/en/card-sheet.pdf", pdf_bytes(shade=30))
    put(out, "a/en/card2.pdf", pdf_bytes(shade=60))
    _, page = sheet(out, [entry("a/en/card.pdf", pages=1), entry("a/en/card2.pdf", pages=1)])
    assert page.all("img", "src")[0] == f"thumbs/a/en/card-{digest(data)[:12]}-p1.jpg"
    assert len(page.all("img", "src")) == 2
    assert other


def test_stale_thumbnails_are_removed_and_empty_folders_too(out: Path) -> None:
    data = put(out, "a/en/card.pdf", pdf_bytes())
    (out / "thumbs/old/en").mkdir(parents=True)
    (out / "thumbs/old/en/card-0123456789ab-p1.jpg").write_bytes(b"old")
    (out / "thumbs/old/en/card-0123456789ab-p1.png").write_bytes(b"older")
    (out / "thumbs/old/en/notes.txt").write_text("kept: not a thumbnail")
    (out / "thumbs/gone/en").mkdir(parents=True)
    (out / "thumbs/gone/en/x-p1.jpg").write_bytes(b"old")
    sheet(out, [entry("a/en/card.pdf", pages=1)])
    assert sorted(str(p.relative_to(out)) for p in (out / "thumbs").rglob("*")) == [
        "thumbs/a", "thumbs/a/en", f"thumbs/a/en/card-{digest(data)[:12]}-p1.jpg",
        "thumbs/old", "thumbs/old/en", "thumbs/old/en/notes.txt",
    ]


def test_a_changed_pdf_gets_new_thumbnails(out: Path) -> None:
    first = put(out, "a/en/card.pdf", pdf_bytes(shade=10))
    sheet(out, [entry("a/en/card.pdf", pages=1)])
    second = put(out, "a/en/card.pdf", pdf_bytes(shade=200))
    _, page = sheet(out, [entry("a/en/card.pdf", pages=1)])
    assert page.all("img", "src") == [f"thumbs/a/en/card-{digest(second)[:12]}-p1.jpg"]
    assert not (out / f"thumbs/a/en/card-{digest(first)[:12]}-p1.jpg").exists()


def test_a_linked_thumbnail_is_not_followed(out: Path, tmp_path: Path) -> None:
    keep = tmp_path / "keep.jpg"
    keep.write_bytes(b"keep")
    (out / "thumbs").mkdir()
    (out / "thumbs" / "link-p1.jpg").symlink_to(keep)
    put(out, "a/en/card.pdf", pdf_bytes())
    sheet(out, [entry("a/en/card.pdf", pages=1)])
    assert keep.read_bytes() == b"keep"
    assert (out / "thumbs" / "link-p1.jpg").is_symlink()


def test_thumbs_folder_that_is_a_link_is_refused(out: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (out / "thumbs").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(MakeprintError) as caught:
        write_contact_sheet(out, [])
    (problem,) = caught.value.problems
    assert problem.message == "refusing to write thumbnails through a link out of the output folder"
    assert (problem.path, problem.hint) == (str(out / "thumbs"), "remove the link")
    assert not (out / INDEX).exists()


def test_thumbs_folder_inside_via_a_link_is_refused_too(out: Path) -> None:
    (out / "real").mkdir()
    (out / "thumbs").symlink_to(out / "real")
    with pytest.raises(MakeprintError):
        write_contact_sheet(out, [])


def test_each_thumbnail_folder_is_listed_once(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("card", "flyer", "poster"):
        put(out, f"a/en/{name}.pdf", pdf_bytes())
    sheet(out, [entry(f"a/en/{n}.pdf", pages=1) for n in ("card", "flyer", "poster")])
    listed: list[str] = []
    real = contact_sheet.os.listdir

    def listdir(path: object) -> list[str]:
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(contact_sheet.os, "listdir", listdir)
    _, page = sheet(out, [entry(f"a/en/{n}.pdf", pages=1) for n in ("card", "flyer", "poster")])
    assert listed == [str(out / "thumbs/a/en")]
    assert len(page.all("img", "src")) == 3


# --- details the mutation run asked about ---------------------------------------------------


def test_the_whole_page(out: Path) -> None:
    """One document with two thumbnails: the page, character for character."""
    data = put(out, "a/en/card.pdf", pdf_bytes(2))
    base = f"thumbs/a/en/card-{digest(data)[:12]}"
    (out / "thumbs/a/en").mkdir(parents=True)
    for n in (1, 2):
        (out / f"{base}-p{n}.jpg").write_bytes(b"jpeg")
    text, _ = sheet(out, [entry("a/en/card.pdf", pages=2)], names={"a": "A"})
    card = (
        f'<li class="doc"><div class="thumbs">'
        f'<a href="a/en/card.pdf"><img src="{base}-p1.jpg" alt="card, page 1 of 2" '
        'loading="lazy"></a>'
        f'<a href="a/en/card.pdf"><img src="{base}-p2.jpg" alt="card, page 2 of 2" '
        'loading="lazy"></a></div>'
        '<p><a href="a/en/card.pdf">card</a> — 2 pages</p>'
        '<p class="meta">QR code: https://example.org/a</p>'
        f'<p class="meta">SHA-256 {digest(data)[:12]}…</p></li>'
    )
    assert text == (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>makeprint: 1 documents</title>\n<style>{contact_sheet._STYLE}</style>\n"
        "</head>\n<body>\n"
        "<h1>makeprint: 1 document</h1>\n"
        "<p>Each document with a picture of its location's own page; open a PDF to print it."
        "</p>\n"
        '<section aria-label="A"><h2>A <span class="slug">(a)</span></h2>\n'
        '<h3 lang="en">Language: en</h3><ul class="docs">\n'
        f"{card}\n"
        "</ul>\n"
        "</section>\n"
        "</body>\n</html>\n"
    )


def test_an_entry_without_fields(out: Path) -> None:
    text, _ = sheet(out, [{}])
    assert '<section aria-label=""><h2></h2>' in text
    assert '<h3 lang="en">Language: </h3>' in text
    assert '<li class="doc"><p class="missing">not a PDF path: </p></li>' in text


def test_an_entry_without_a_material(out: Path) -> None:
    put(out, "a/en/card.pdf", pdf_bytes())
    text, page = sheet(out, [{"location": "a", "lang": "en", "path": "a/en/card.pdf",
                              "pages": 1}])
    assert page.all("img", "alt") == [", page 1 of 1"]
    assert '<p><a href="a/en/card.pdf"></a> — 1 page</p>' in text


@pytest.mark.parametrize("field", ["location", "lang", "material"])
def test_order_is_by_the_fields_not_the_path(out: Path, field: str) -> None:
    put(out, "z/z/z.pdf", pdf_bytes())
    put(out, "y/y/y.pdf", pdf_bytes())
    first = {"location": "a", "lang": "en", "material": "card", "path": "z/z/z.pdf", "pages": 1}
    second = first | {field: "zz", "path": "y/y/y.pdf"}
    _, page = sheet(out, [second, first])
    assert page.all("a", "href")[::2] == ["z/z/z.pdf", "y/y/y.pdf"]


def test_one_page_given_is_believed(out: Path) -> None:
    put(out, "a/en/card.pdf", pdf_bytes(2))
    text, _ = sheet(out, [entry("a/en/card.pdf", pages=1)])
    assert "card</a> — 1 page</p>" in text


def test_remove_stale_never_follows_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x-p1.jpg").write_bytes(b"keep")
    thumbs = tmp_path / "thumbs"
    thumbs.mkdir()
    (thumbs / "linked").symlink_to(elsewhere)
    contact_sheet._remove_stale(thumbs, set())
    assert (elsewhere / "x-p1.jpg").exists()
    link = tmp_path / "thumbs-link"
    link.symlink_to(elsewhere)
    contact_sheet._remove_stale(link, set())
    assert (elsewhere / "x-p1.jpg").exists()
    contact_sheet._remove_stale(tmp_path / "none", set())  # no folder: nothing to do
