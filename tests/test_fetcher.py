"""The sandboxed URL fetcher on its own: what it serves, what it refuses and why, and where it
says the refused URL was asked for. No rendering: a small project of a few files in tmp_path,
so these run in milliseconds (they are the mutation guards of ``fetcher``; the end-to-end
refusals through a real build are in test_safety.py)."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest

from makeprint_engine import fetcher as fetcher_module
from makeprint_engine.fetcher import (
    MARKER,
    MAX_DATA_URL,
    MAX_FILE,
    MAX_IMAGE_PIXELS,
    Refusal,
    SandboxFetcher,
    _common_parent,
    _comparable,
)

OUTSIDE = "outside the project's templates/, assets/ and content/ folders"
OFFLINE = "makeprint renders offline and fetches nothing from the network"
BOUND = f"larger than the {MAX_IMAGE_PIXELS // 1_000_000} million pixels allowed"


def png(width: int, height: int) -> bytes:
    """A PNG header (and a tiny, wrong-sized body) that claims ``width`` × ``height``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    image = b"," + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00\x02\x02\x44\x01\x00"
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + image + b";"


def bmp(width: int, height: int) -> bytes:
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + 40, 0, 0, 14 + 40) + info


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for folder in ("templates/materials", "assets/css", "content"):
        (root / folder).mkdir(parents=True)
    (root / "assets" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    return root


@pytest.fixture
def fetcher(proj: Path) -> SandboxFetcher:
    return SandboxFetcher([proj / "templates", proj / "assets", proj / "content"], root=proj)


def refusal(fetcher: SandboxFetcher, url: str) -> str:
    """Fetch ``url``, expecting a refusal; the exception text."""
    with pytest.raises(ValueError) as caught:
        fetcher.fetch(url)
    return str(caught.value)


# --- serving ------------------------------------------------------------------------------


def test_serves_a_project_file_with_its_type(proj: Path, fetcher: SandboxFetcher) -> None:
    logo = proj / "assets" / "logo.svg"
    response = fetcher.fetch(logo.as_uri())
    assert response.read() == b"<svg/>"
    assert response.url == logo.resolve().as_uri()
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert fetcher.refusals == [] and fetcher.refused == []


def test_unknown_type_is_octet_stream(proj: Path, fetcher: SandboxFetcher) -> None:
    odd = proj / "content" / "blob.zzqq"
    odd.write_bytes(b"\x01\x02")
    assert fetcher.fetch(odd.as_uri()).headers["Content-Type"] == "application/octet-stream"


def test_localhost_is_this_machine(proj: Path, fetcher: SandboxFetcher) -> None:
    logo = proj / "assets" / "logo.svg"
    assert fetcher.fetch(f"file://localhost{logo}").read() == b"<svg/>"


def test_quoted_path_is_unquoted(proj: Path, fetcher: SandboxFetcher) -> None:
    spaced = proj / "assets" / "a b.svg"
    spaced.write_text("<svg id='s'/>", encoding="utf-8")
    assert fetcher.fetch(spaced.as_uri()).read() == b"<svg id='s'/>"


def test_scheme_is_case_insensitive(proj: Path, fetcher: SandboxFetcher) -> None:
    logo = proj / "assets" / "logo.svg"
    assert fetcher.fetch("FILE://" + str(logo)).read() == b"<svg/>"
    assert fetcher.fetch("DATA:text/plain;base64,aGk=").read() == b"hi"


def test_serves_small_data(fetcher: SandboxFetcher) -> None:
    response = fetcher.fetch("data:text/plain;base64,aGk=")
    assert response.read() == b"hi"
    assert response.headers["Content-Type"].startswith("text/plain")
    assert fetcher.refusals == []


def test_data_url_at_the_limit_is_served(fetcher: SandboxFetcher) -> None:
    head = "data:text/plain,"
    url = head + "a" * (MAX_DATA_URL - len(head))
    assert len(url) == MAX_DATA_URL
    assert fetcher.fetch(url).read() == b"a" * (MAX_DATA_URL - len(head))


def test_data_url_over_the_limit_is_refused(fetcher: SandboxFetcher) -> None:
    head = "data:text/plain,"
    url = head + "a" * (MAX_DATA_URL - len(head) + 1)
    text = refusal(fetcher, url)
    assert fetcher.refusals[-1].why == "data: URL larger than 1024 KB"
    assert text == f"{MARKER} {url[:60]}…: data: URL larger than 1024 KB"


def test_symlink_out_of_the_project_is_refused(proj: Path, fetcher: SandboxFetcher) -> None:
    link = proj / "assets" / "link.txt"
    link.symlink_to(proj.parent / "secret.txt")
    refusal(fetcher, link.as_uri())
    assert fetcher.refusals[-1].why == OUTSIDE


def test_folder_is_not_a_file(proj: Path, fetcher: SandboxFetcher) -> None:
    refusal(fetcher, (proj / "assets" / "css").as_uri())
    assert fetcher.refusals[-1].why == "file not found"


def test_missing_file(proj: Path, fetcher: SandboxFetcher) -> None:
    url = (proj / "assets" / "nope.png").as_uri()
    assert refusal(fetcher, url) == f"{MARKER} {url}: file not found"
    assert fetcher.refused == [(url, "file not found")]


def test_outside_file_that_exists(proj: Path, fetcher: SandboxFetcher) -> None:
    url = (proj.parent / "secret.txt").as_uri()
    refusal(fetcher, url)
    assert fetcher.refused == [(url, OUTSIDE)]
    assert fetcher.refusals == [Refusal(url, OUTSIDE, attachment=False)]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file://attacker.example/etc/passwd", "the file URL names another machine "
         "(attacker.example)"),
        ("https://example.org/x.png", OFFLINE),
        ("ftp://127.0.0.1/x", OFFLINE),
    ],
)
def test_refusals_say_why(fetcher: SandboxFetcher, url: str, why: str) -> None:
    assert refusal(fetcher, url) == f"{MARKER} {url}: {why}"
    assert fetcher.refusals == [Refusal(url, why)]


def test_unreadable_path_names_the_error(fetcher: SandboxFetcher) -> None:
    refusal(fetcher, "file:///tmp/a%00b")
    why = fetcher.refusals[-1].why
    assert why.startswith("not a readable file path (") and why.endswith(")")
    assert "null" in why


def test_file_size_cap(
    proj: Path, fetcher: SandboxFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetcher_module, "MAX_FILE", 2 * 1024 * 1024)
    exact = proj / "assets" / "exact.bin"
    exact.write_bytes(b"\0" * (2 * 1024 * 1024))
    assert len(fetcher.fetch(exact.as_uri()).read()) == 2 * 1024 * 1024
    over = proj / "assets" / "over.bin"
    over.write_bytes(b"\0" * (2 * 1024 * 1024 + 1))
    refusal(fetcher, over.as_uri())
    assert fetcher.refusals[-1].why == "file larger than 2 MB"


def test_file_that_grows_past_the_cap_while_read(
    proj: Path, fetcher: SandboxFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size checked before reading can be stale; the bytes read are checked too."""
    monkeypatch.setattr(fetcher_module, "MAX_FILE", 1024 * 1024)
    grows = proj / "assets" / "grows.bin"
    grows.write_bytes(b"\0" * 10)
    real_open = open

    def growing_open(path, mode="r", *args, **kwargs):  # noqa: ANN001, ANN202
        if str(path) == str(grows.resolve()):
            grows.write_bytes(b"\0" * (1024 * 1024 + 1))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", growing_open)
    refusal(fetcher, grows.as_uri())
    assert fetcher.refusals[-1].why == "file larger than 1 MB"


def test_max_file_is_20_mb() -> None:
    assert MAX_FILE == 20 * 1024 * 1024


# --- images -------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [png, gif, bmp], ids=["png", "gif", "bmp"])
def test_image_at_the_bound_is_served(proj: Path, fetcher: SandboxFetcher, make) -> None:  # noqa: ANN001
    image = proj / "assets" / "edge.img"
    image.write_bytes(make(8000, MAX_IMAGE_PIXELS // 8000))
    assert fetcher.fetch(image.as_uri()).read() == image.read_bytes()


@pytest.mark.parametrize("make", [png, gif, bmp], ids=["png", "gif", "bmp"])
def test_image_over_the_bound_is_refused(proj: Path, fetcher: SandboxFetcher, make) -> None:  # noqa: ANN001
    image = proj / "assets" / "over.img"
    height = MAX_IMAGE_PIXELS // 8000 + 1
    image.write_bytes(make(8000, height))
    refusal(fetcher, image.as_uri())
    assert fetcher.refusals[-1].why == f"image of 8000 × {height} pixels is {BOUND}"


def test_decompression_bomb_past_pillows_bound(proj: Path, fetcher: SandboxFetcher) -> None:
    image = proj / "assets" / "bomb.png"
    image.write_bytes(png(100_000, 100_000))
    refusal(fetcher, image.as_uri())
    assert fetcher.refusals[-1].why == f"image is {BOUND} (a decompression bomb?)"


def test_bomb_in_a_data_url(fetcher: SandboxFetcher) -> None:
    url = "data:image/png;base64," + base64.b64encode(png(8000, 8000)).decode()
    refusal(fetcher, url)
    assert fetcher.refusals[-1].why == f"image of 8000 × 8000 pixels is {BOUND}"


def test_broken_image_is_left_to_weasyprint(proj: Path, fetcher: SandboxFetcher) -> None:
    broken = proj / "assets" / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    assert fetcher.fetch(broken.as_uri()).read() == b"\x89PNG not really"


def test_bound_is_40_million() -> None:
    assert MAX_IMAGE_PIXELS == 40_000_000


# --- embedding ----------------------------------------------------------------------------


def test_embedding_refuses_everything_then_stops(proj: Path, fetcher: SandboxFetcher) -> None:
    logo = (proj / "assets" / "logo.svg").as_uri()
    why = "makeprint never embeds files in a PDF (rel=attachment)"
    with fetcher.embedding():
        assert refusal(fetcher, logo) == f"{MARKER} {logo}: {why}"
    assert fetcher.refusals == [Refusal(logo, why, attachment=True)]
    assert fetcher.fetch(logo).read() == b"<svg/>"  # embedding is over


def test_embedding_ends_on_an_exception(proj: Path, fetcher: SandboxFetcher) -> None:
    with pytest.raises(RuntimeError), fetcher.embedding():
        raise RuntimeError
    assert fetcher.fetch((proj / "assets" / "logo.svg").as_uri()).read() == b"<svg/>"


def test_clear(fetcher: SandboxFetcher) -> None:
    refusal(fetcher, "https://example.org/x")
    fetcher.clear()
    assert fetcher.refused == [] and fetcher.refusals == []


# --- Refusal.shown, _comparable, _common_parent -------------------------------------------


def test_shown_shortens_data_urls_past_60() -> None:
    assert Refusal("data:" + "a" * 55, "x").shown == "data:" + "a" * 55
    assert Refusal("data:" + "a" * 56, "x").shown == "data:" + "a" * 55 + "…"
    assert Refusal("DATA:" + "a" * 56, "x").shown == "DATA:" + "a" * 55 + "…"


def test_shown_shortens_other_urls_past_300() -> None:
    url = "https://x/" + "a" * 290
    assert Refusal(url, "x").shown == url
    assert Refusal(url + "b", "x").shown == url + "…"


def test_comparable() -> None:
    assert _comparable("file:///a%20b/c.png?x=1#f") == "file:///a b/c.png"
    assert _comparable("FILE://localhost/a.png") == "file:///a.png"
    assert _comparable("https://x/a%20b?q") == "https://x/a%20b?q"


def test_common_parent(tmp_path: Path) -> None:
    assert _common_parent([tmp_path / "a", tmp_path / "b"]) == tmp_path
    assert _common_parent([tmp_path / "a", tmp_path / "b" / "c"]) == Path("/")


def test_root_defaults_to_the_common_parent(proj: Path) -> None:
    fetcher = SandboxFetcher([proj / "templates", proj / "assets"])
    assert fetcher.root == proj.resolve()
    assert fetcher.allowed == [(proj / "templates").resolve(), (proj / "assets").resolve()]


# --- problems: where the refused URL was asked for ----------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_problem_names_the_template_line(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(proj / "templates" / "materials" / "card.html",
                 "<html>\n<body>\n<img src=\"https://example.org/x.png\">\n</body>\n")
    refusal(fetcher, "https://example.org/x.png")
    (problem,) = fetcher.problems("card (en)", page, "templates/materials/card.html")
    assert problem.message == (
        f"card (en): refused to load https://example.org/x.png: {OFFLINE}"
    )
    assert (problem.path, problem.line) == ("templates/materials/card.html", 3)
    assert problem.hint == "download the file into assets/ and refer to it there"


def test_problem_for_a_file_url_and_the_fallback(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(proj / "templates" / "materials" / "card.html", "<p>{{ x }}</p>\n")
    url = (proj / "assets" / "nope.png").as_uri()
    refusal(fetcher, url)
    refusal(fetcher, url)  # the same refusal twice is one problem
    (problem,) = fetcher.problems("card", page, "the fallback")
    assert (problem.path, problem.line) == ("the fallback", None)
    assert problem.hint == "put the file under assets/ (a small file) and refer to it there"
    assert problem.message == f"card: refused to load {url}: file not found"


def test_problem_for_a_data_url(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(proj / "templates" / "materials" / "card.html", "<p></p>\n")
    url = "DATA:text/plain," + "a" * MAX_DATA_URL
    refusal(fetcher, url)
    (problem,) = fetcher.problems("card", page, "fb")
    assert problem.hint == "put the file under assets/ (a small file) and refer to it there"


def test_problem_for_an_attachment(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(proj / "templates" / "materials" / "card.html", "<p></p>\n")
    with fetcher.embedding():
        refusal(fetcher, "https://example.org/a.pdf")
    (problem,) = fetcher.problems("card", page, "fb")
    assert problem.hint == "remove rel=attachment: printed materials carry no embedded files"


def test_problems_keep_the_order_of_refusals(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(proj / "templates" / "materials" / "card.html", "<p></p>\n")
    refusal(fetcher, "https://example.org/b")
    refusal(fetcher, "https://example.org/a")
    refusal(fetcher, "https://example.org/b")
    found = fetcher.problems("card", page, "fb")
    assert [p.message.split(": ")[1] for p in found] == [
        "refused to load https://example.org/b",
        "refused to load https://example.org/a",
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('<img src="../../assets/x.png">', 1),
        ("<img\n  SRC = '../../assets/x.png'>", 2),
        ("<object data=../../assets/x.png>", 1),
        ('<use xlink:href="../../assets/x.png"/>', 1),
        ('<video poster="../../assets/x.png">', 1),
        ('<img srcset="../../assets/x.png">', 1),
        ('<a href="../../assets/x.png">', 1),
        ("<p></p>\n\n<div style=\"background: URL( '../../assets/x.png' )\">", 3),
        ('<style>a { background: url("../../assets/x.png") }</style>', 1),
        ("<style>a { background: url(../../assets/x.png) }</style>", 1),
        ('<style>@import "../../assets/x.png";</style>', 1),
        ("<style>@IMPORT '../../assets/x.png';</style>", 1),
        ('<img src=" ../../assets/x.png ">', 1),
        ('<img src="../../assets/x.png?v=2#top">', 1),
    ],
)
def test_locate_finds_each_form_of_reference(
    proj: Path, fetcher: SandboxFetcher, text: str, line: int
) -> None:
    page = write(proj / "templates" / "materials" / "card.html", text + "\n")
    url = (proj / "assets" / "x.png").as_uri()
    assert fetcher.locate(url, page) == ("templates/materials/card.html", line)


@pytest.mark.parametrize(
    "text",
    [
        '<img data-src="../../assets/x.png">',  # not an attribute that loads
        '<img my-src="../../assets/x.png">',
        '<img src="{{ asset }}/../../assets/x.png">',
        '<img src="{% if a %}../../assets/x.png{% endif %}">',
        '<img src="">',
        "<img src=http://[::1>",  # urljoin raises ValueError: skipped, not a crash
    ],
)
def test_locate_skips_what_is_not_a_reference(
    proj: Path, fetcher: SandboxFetcher, text: str
) -> None:
    page = write(proj / "templates" / "materials" / "card.html", text + "\n")
    assert fetcher.locate((proj / "assets" / "x.png").as_uri(), page) is None


def test_locate_a_later_match_in_the_same_file(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(
        proj / "templates" / "materials" / "card.html",
        '<img src="{{ a }}">\n<img src="">\n<img src="../../assets/other.png">\n'
        '<img src="../../assets/x.png">\n',
    )
    assert fetcher.locate((proj / "assets" / "x.png").as_uri(), page) == (
        "templates/materials/card.html", 4)


def test_locate_in_an_extended_template_resolves_against_the_page(
    proj: Path, fetcher: SandboxFetcher
) -> None:
    page = write(proj / "templates" / "materials" / "card.html", "{% extends 'base.html' %}\n")
    write(proj / "templates" / "base.html", "<html>\n<img src=\"../../assets/x.png\">\n")
    assert fetcher.locate((proj / "assets" / "x.png").as_uri(), page) == (
        "templates/base.html", 2)


def test_locate_in_stylesheets_and_svg_resolves_against_themselves(
    proj: Path, fetcher: SandboxFetcher
) -> None:
    page = write(proj / "templates" / "materials" / "card.html", "<p></p>\n")
    write(proj / "assets" / "css" / "site.css", "body {}\nbody { background: url(../x.png) }\n")
    write(proj / "templates" / "print.css", "@import 'theme.css';\n")
    write(proj / "assets" / "art.svg", "<svg>\n\n<image href='pic.png'/></svg>\n")
    assert fetcher.locate((proj / "assets" / "x.png").as_uri(), page) == (
        "assets/css/site.css", 2)
    assert fetcher.locate((proj / "templates" / "theme.css").as_uri(), page) == (
        "templates/print.css", 1)
    assert fetcher.locate((proj / "assets" / "pic.png").as_uri(), page) == (
        "assets/art.svg", 3)


def test_locate_prefers_the_page_to_other_templates(proj: Path, fetcher: SandboxFetcher) -> None:
    write(proj / "templates" / "a.html", '<img src="https://example.org/x">\n')
    page = write(proj / "templates" / "materials" / "z.html",
                 '\n<img src="https://example.org/x">\n')
    assert fetcher.locate("https://example.org/x", page) == ("templates/materials/z.html", 2)


def test_locate_reads_each_file_once(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(proj / "templates" / "materials" / "card.html", "<p></p>\n")
    write(proj / "templates" / "base.html", "<p></p>\n")
    write(proj / "assets" / "a.css", "a {}\n")
    sources = list(fetcher._sources(page))
    assert sources == [
        (page, page),
        (proj / "templates" / "base.html", page),
        (proj / "assets" / "a.css", proj / "assets" / "a.css"),
        (proj / "assets" / "logo.svg", proj / "assets" / "logo.svg"),
    ]


def test_locate_ignores_a_missing_base_and_unreadable_files(
    proj: Path, fetcher: SandboxFetcher
) -> None:
    gone = proj / "templates" / "materials" / "gone.html"
    write(proj / "templates" / "materials" / "card.html", '<img src="https://example.org/x">\n')
    (proj / "assets" / "dir.css").mkdir()  # matches *.css but is not a file
    assert list(fetcher._sources(gone))[0][0] == proj / "templates" / "materials" / "card.html"
    assert fetcher.locate("https://example.org/x", gone) == ("templates/materials/card.html", 1)


def test_locate_skips_a_file_it_cannot_read(
    proj: Path, fetcher: SandboxFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = write(proj / "templates" / "a.html", '<img src="https://example.org/x">\n')
    good = write(proj / "templates" / "b.html", '<img src="https://example.org/x">\n')
    page = write(proj / "templates" / "materials" / "card.html", "<p></p>\n")
    real = Path.read_text

    def read_text(self: Path, *args, **kwargs) -> str:  # noqa: ANN002, ANN003
        if self == bad:
            raise OSError("unreadable")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    assert fetcher.locate("https://example.org/x", page) == ("templates/b.html", 1)
    assert good.exists()


def test_locate_decodes_bad_bytes(proj: Path, fetcher: SandboxFetcher) -> None:
    page = proj / "templates" / "materials" / "card.html"
    page.write_bytes(b"\xff\xfe\n<img src=\"https://example.org/x\">\n")
    assert fetcher.locate("https://example.org/x", page) == ("templates/materials/card.html", 2)


# --- details the mutation run asked about ---------------------------------------------------


def test_file_name_with_a_colon(proj: Path, fetcher: SandboxFetcher) -> None:
    """The scheme is what comes before the first colon, not the last."""
    odd = proj / "assets" / "a:b.svg"
    odd.write_text("<svg id='c'/>", encoding="utf-8")
    assert fetcher.fetch(f"file://{odd}").read() == b"<svg id='c'/>"
    assert fetcher.fetch("data:text/plain,a:b").read() == b"a:b"
    missing = f"file://{proj}/assets/no:pe.png"
    refusal(fetcher, missing)
    page = write(proj / "templates" / "materials" / "card.html", "<p></p>\n")
    (problem,) = fetcher.problems("card", page, "fb")
    assert problem.hint == "put the file under assets/ (a small file) and refer to it there"


def test_data_response_keeps_its_url(fetcher: SandboxFetcher) -> None:
    assert fetcher.fetch("data:text/plain,hi").url == "data:text/plain,hi"


def test_reads_no_more_than_one_byte_past_the_cap(
    proj: Path, fetcher: SandboxFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grows without end (a log being written, say) is read only to the cap."""
    monkeypatch.setattr(fetcher_module, "MAX_FILE", 1000)
    endless = proj / "assets" / "endless.bin"
    endless.write_bytes(b"\0")
    asked: list[object] = []

    class Endless:
        def __enter__(self) -> Endless:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def read(self, size: object = -1) -> bytes:
            asked.append(size)
            if not isinstance(size, int) or size < 0:
                raise MemoryError("read the whole of an endless file")
            return b"\0" * size

    real_open = open
    monkeypatch.setattr(
        "builtins.open",
        lambda path, *a, **k: Endless() if str(path) == str(endless.resolve())
        else real_open(path, *a, **k),
    )
    refusal(fetcher, endless.as_uri())
    assert fetcher.refusals[-1].why == "file larger than 0 MB"
    assert asked == [1001]


def test_locate_an_empty_url_call(proj: Path, fetcher: SandboxFetcher) -> None:
    """``url()`` names nothing: it is not a reference to any file."""
    page = write(proj / "templates" / "materials" / "card.html", "<style>a { b: url() }</style>\n")
    assert fetcher.locate((proj / "templates" / "materials" / "XXXX").as_uri(), page) is None


def test_locate_an_empty_src_is_not_the_page(proj: Path, fetcher: SandboxFetcher) -> None:
    page = write(proj / "templates" / "materials" / "card.html", '<img src="">\n')
    assert fetcher.locate(page.as_uri(), page) is None


@pytest.mark.parametrize("raw", ["../../assets/x.png?v={{ v }}", "../../assets/x.png?{% v %}"])
def test_locate_skips_references_built_by_the_template(
    proj: Path, fetcher: SandboxFetcher, raw: str
) -> None:
    """What a template expression makes of a reference is not known from its text."""
    page = write(proj / "templates" / "materials" / "card.html", f'<img src="{raw}">\n')
    assert fetcher.locate((proj / "assets" / "x.png").as_uri(), page) is None


def test_locate_goes_on_after_a_reference_it_cannot_join(
    proj: Path, fetcher: SandboxFetcher
) -> None:
    page = write(
        proj / "templates" / "materials" / "card.html",
        '<img src="http://[::1">\n<img src="{{ a }}">\n<img src="../../assets/x.png">\n',
    )
    assert fetcher.locate((proj / "assets" / "x.png").as_uri(), page) == (
        "templates/materials/card.html", 3)
