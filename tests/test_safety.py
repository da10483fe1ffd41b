"""Hostile input: templates, stylesheets, content and location data from people makeprint does
not fully trust. Rendering reads nothing outside the project and nothing from the network,
prints hostile text literally, refuses attachments, symlinks that lead out, oversized data and
decompression bombs, writes nowhere but its output folder, and bounds every input's size.

Each refusal is an error naming the template or stylesheet (and line) that asked, the build
exits 1 for that document, and no traceback escapes."""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_project, pdf_text, run_cli, snapshot

from makeprint_engine import MakeprintError, load_project
from makeprint_engine.fetcher import MAX_IMAGE_PIXELS, SandboxFetcher
from makeprint_engine.plan import Job

ONE = ("-l", "east-harbor", "--lang", "en", "-m", "wallet-card")
CARD = Path("east-harbor/en/wallet-card.pdf")
OUTSIDE = "outside the project's templates/, assets/ and content/ folders"
OFFLINE = "makeprint renders offline and fetches nothing from the network"
SECRET = "SECRET-TWO-LEVELS-ABOVE-THE-PROJECT"


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    """The sample project two folders down, with a secret file two levels above it."""
    root = copy_project(tmp_path / "outer" / "inner" / "proj")
    (tmp_path / "outer" / "secret.css").write_text(
        f"body::before {{ content: '{SECRET}'; }}\n", encoding="utf-8"
    )
    (tmp_path / "outer" / "secret.png").write_bytes(_png(10, 10))
    return root


class Listener:
    """A real TCP server on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except OSError:
                continue
            self.connections.append(peer)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()
    assert server.connections == [], f"makeprint connected to {server.connections}"


def insert_line(path: Path, after: str, text: str) -> int:
    """Insert ``text`` as a new line after the first line containing ``after``; its number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if after in line)
    lines.insert(index + 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return index + 2


def prepend(path: Path, text: str) -> int:
    path.write_text(text + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return 1


def append(path: Path, text: str) -> int:
    body = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(body + text + "\n", encoding="utf-8")
    return body.count("\n") + 1


def template(proj: Path) -> Path:
    return proj / "templates" / "materials" / "wallet-card.html"


def stylesheet(proj: Path) -> Path:
    return proj / "templates" / "styles" / "wallet-card.css"


def body_line(proj: Path, html: str) -> int:
    """Put ``html`` first in the wallet card's body block; the line it is on."""
    return insert_line(template(proj), "{% block body %}", html)


def refused(proj: Path, *args: str) -> list[str]:
    """Build one wallet card; expect exit 1, no traceback, no PDF; return the error lines."""
    result = run_cli("build", "--project", str(proj), *(args or ONE))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not (proj / "output" / CARD).exists()
    assert SECRET not in result.output
    assert "root:x:0:0" not in result.output  # /etc/passwd's first line
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def one_refusal(errors: list[str], file: str, line: int, url: str, why: str) -> str:
    """The refusal of ``url``, located at ``file:line``. A material whose pages are shared by
    every location lays those out apart, so the refusal may be reported for each part."""
    pattern = re.compile(
        rf"^error: {re.escape(file)}:{line}: .*refused to load {re.escape(url)}: "
        rf"{re.escape(why)}[^—]* — .+$"
    )
    found = [e for e in errors if pattern.match(e)]
    assert found, f"want a refusal of {url} at {file}:{line}, got:\n" + "\n".join(errors)
    elsewhere = [e for e in errors if f"refused to load {url}:" in e and e not in found]
    assert not elsewhere, elsewhere
    return found[0]


def _png(width: int, height: int) -> bytes:
    """A valid PNG header (and a tiny, wrong-sized body) that claims ``width`` × ``height``."""

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


# --- templates ------------------------------------------------------------------------------


def test_template_img_of_etc_passwd(proj: Path) -> None:
    line = body_line(proj, '<img src="file:///etc/passwd" alt="">')
    errors = refused(proj)
    one_refusal(errors, "templates/materials/wallet-card.html", line, "file:///etc/passwd", OUTSIDE)


def test_template_stylesheet_two_levels_above_the_project(proj: Path) -> None:
    line = body_line(proj, '<link rel="stylesheet" href="../../../../secret.css">')
    url = (proj.parent.parent / "secret.css").as_uri()
    errors = refused(proj)
    one_refusal(errors, "templates/materials/wallet-card.html", line, url, OUTSIDE)


def test_template_img_from_the_network(proj: Path, listener: Listener) -> None:
    url = listener.url("x.png")
    line = body_line(proj, f'<img src="{url}" alt="">')
    errors = refused(proj)
    one_refusal(errors, "templates/materials/wallet-card.html", line, url, OFFLINE)


def test_template_in_base_html_is_named(proj: Path, listener: Listener) -> None:
    url = listener.url("style.css")
    line = insert_line(
        proj / "templates" / "base.html", "<head>", f'<link rel="stylesheet" href="{url}">'
    )
    one_refusal(refused(proj), "templates/base.html", line, url, OFFLINE)


# --- stylesheets ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["import", "background"])
@pytest.mark.parametrize("target", ["etc-passwd", "two-levels-up", "network"])
def test_stylesheet_refusals(proj: Path, listener: Listener, how: str, target: str) -> None:
    url = {
        "etc-passwd": "file:///etc/passwd",
        "two-levels-up": "../../../../secret.png",
        "network": listener.url("x.css"),
    }[target]
    if how == "import":
        line = prepend(stylesheet(proj), f'@import url("{url}");')
    else:
        line = append(stylesheet(proj), f'body {{ background: url("{url}") !important; }}')
    if target == "two-levels-up":
        url = (proj.parent.parent / "secret.png").as_uri()
    why = OFFLINE if target == "network" else OUTSIDE
    one_refusal(refused(proj), "templates/styles/wallet-card.css", line, url, why)


def test_stylesheet_refusal_fails_every_document_that_uses_it(proj: Path) -> None:
    """Stylesheets are parsed once per material; their errors must count for every job."""
    line = prepend(stylesheet(proj), '@import url("file:///etc/passwd");')
    errors = refused(proj, "--lang", "en", "-m", "wallet-card", "-j", "1")
    located = [e for e in errors if e.startswith(f"error: templates/styles/wallet-card.css:{line}")]
    assert len(located) == 3, errors  # one per location
    assert not list((proj / "output").rglob("*.pdf"))


# --- content and location data: printed, never interpreted ----------------------------------


HOSTILE_CONTENT = {
    "**Call 911** right away.": "<img src=file:///etc/passwd>",
    "Turn them **on their side.** Stay until help comes.": "![x](file:///etc/passwd)",
    "Overdose? Act fast.": "{{ 7 * 7 }} <b>",
}


def test_content_and_locations_print_literally(proj: Path, listener: Listener) -> None:
    url = listener.url("x.css")
    replacements = dict(HOSTILE_CONTENT)
    replacements["Give rescue breaths. No response in 2–3 minutes? Give a **2nd dose.**"] = (
        f"[a]({url})")
    wallet = proj / "content" / "en" / "wallet-card.yaml"
    text = wallet.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(f'"{old}"', "'" + new.replace("'", "''") + "'")
    wallet.write_text(text, encoding="utf-8")
    name = '<img src="file:///etc/passwd">'
    csv = proj / "content" / "locations.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("East Harbor Drop-In Center", '"<img src=""file:///etc/passwd"">"')
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")

    # The HTML holds the text escaped: no element, no URL for WeasyPrint to fetch.
    from makeprint_engine.render import Renderer

    renderer = Renderer(load_project(proj))
    html = renderer.html(Job("east-harbor", "en", "wallet-card"))
    assert "<img src=file:///etc/passwd>" not in html
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html  # the location name
    assert "file:///etc/passwd" not in re.findall(r'(?:src|href)="([^"]*)"', html)
    assert "{{ 7 * 7 }}" in html  # content is text, never a template
    assert f'href="{url}"' not in html

    result = run_cli("build", "--project", str(proj), *ONE)
    assert result.exit_code == 0, result.output
    printed = "".join("".join(pdf_text(proj / "output" / CARD)).split())  # lines wrap anywhere
    for literal in [*HOSTILE_CONTENT.values(), f"[a]({url})", name]:
        assert "".join(literal.split()) in printed, f"{literal!r} not in {printed!r}"
    assert "root:x:0:0" not in printed


# --- attachments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "html", "url"),
    [
        (
            "material",
            '<a rel="attachment" href="../../content/locations.csv" '
            'style="position: absolute; top: 0; left: 0">data</a>',
            "inside",
        ),
        ("base", '<link rel="attachment" href="file:///etc/passwd">', "file:///etc/passwd"),
        ("base", '<link rel="attachment" href="../../../../secret.css">', "two-levels-up"),
    ],
    ids=["a-in-project", "link-etc-passwd", "link-two-levels-up"],
)
def test_attachments_are_never_embedded(proj: Path, where: str, html: str, url: str) -> None:
    if where == "material":  # out of the flow: the card still fits, and is then refused
        file, line = "templates/materials/wallet-card.html", body_line(proj, html)
    else:
        file = "templates/base.html"
        line = insert_line(proj / "templates" / "base.html", "<head>", html)
    url = {
        "inside": (proj / "content" / "locations.csv").as_uri(),
        "two-levels-up": (proj.parent.parent / "secret.css").as_uri(),
    }.get(url, url)
    errors = refused(proj)
    message = one_refusal(errors, file, line, url, "makeprint never embeds files in a PDF")
    assert "rel=attachment" in message


# --- symlinks, data: URLs, images ----------------------------------------------------------


def test_symlink_under_assets_that_leads_out_is_refused(proj: Path) -> None:
    (proj / "assets" / "photo.png").symlink_to(proj.parent.parent / "secret.png")
    (proj / "assets" / "linked").symlink_to(proj.parent.parent, target_is_directory=True)
    line = body_line(
        proj,
        '<img src="../../assets/photo.png" alt="">\n'
        '<img src="../../assets/linked/secret.png" alt="">',
    )
    errors = refused(proj)
    asked = "templates/materials/wallet-card.html"
    one_refusal(errors, asked, line, (proj / "assets" / "photo.png").as_uri(), OUTSIDE)
    one_refusal(errors, asked, line + 1, (proj / "assets/linked/secret.png").as_uri(), OUTSIDE)


def test_symlinked_template_that_leads_out_is_refused(proj: Path) -> None:
    (proj / "templates" / "partials" / "extra.html").symlink_to("/etc/passwd")
    line = body_line(proj, '{% include "partials/extra.html" %}')
    errors = refused(proj)
    assert any(
        e.startswith(f"error: templates/materials/wallet-card.html:{line}: ")
        and "template not found: partials/extra.html is a link to a file outside templates/" in e
        for e in errors
    ), errors


def test_oversized_data_url_is_refused(proj: Path) -> None:
    data = "data:image/png;base64," + base64.b64encode(b"\0" * 800_000).decode()
    line = body_line(proj, f'<img src="{data}" alt="">')
    errors = refused(proj)
    found = [e for e in errors if "data: URL larger than 1024 KB" in e]
    assert found, errors
    for error in found:
        assert error.startswith(f"error: templates/materials/wallet-card.html:{line}: ")
        assert len(error) < 1000  # the URL is shortened in the message


@pytest.mark.parametrize(
    ("width", "height"), [(10_000, 5_000), (100_000, 100_000)], ids=["50-mpx", "10-gpx"]
)
def test_decompression_bomb_is_refused_before_decoding(proj: Path, width: int, height: int) -> None:
    (proj / "assets" / "bomb.png").write_bytes(_png(width, height))
    line = body_line(proj, '<img src="../../assets/bomb.png" alt="">')
    errors = refused(proj)
    url = (proj / "assets" / "bomb.png").as_uri()
    bound = f"{MAX_IMAGE_PIXELS // 1_000_000} million pixels allowed"
    message = one_refusal(errors, "templates/materials/wallet-card.html", line, url, "image ")
    assert bound in message


def test_bomb_in_a_data_url_is_refused(proj: Path) -> None:
    data = "data:image/png;base64," + base64.b64encode(_png(8_000, 8_000)).decode()
    line = body_line(proj, f'<img src="{data}" alt="">')
    errors = refused(proj)
    assert any(
        e.startswith(f"error: templates/materials/wallet-card.html:{line}: ")
        and "image of 8000 × 8000 pixels" in e
        for e in errors
    ), errors


def test_file_over_the_size_cap_is_refused(proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from makeprint_engine import fetcher

    monkeypatch.setattr(fetcher, "MAX_FILE", 1024 * 1024)
    (proj / "assets" / "huge.png").write_bytes(_png(100, 100) + b"\0" * (1024 * 1024))
    line = body_line(proj, '<img src="../../assets/huge.png" alt="">')
    url = (proj / "assets" / "huge.png").as_uri()
    one_refusal(
        refused(proj), "templates/materials/wallet-card.html", line, url, "file larger than 1 MB"
    )


# --- the fetcher on its own: odd URLs never crash or hang -----------------------------------


@pytest.fixture
def fetcher(proj: Path) -> SandboxFetcher:
    return SandboxFetcher([proj / "templates", proj / "assets", proj / "content"], root=proj)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file://attacker.example/etc/passwd", "names another machine"),
        ("file:///etc/passwd", OUTSIDE),
        ("file:///%2e%2e/etc/passwd", OUTSIDE),
        ("ftp://127.0.0.1/x", OFFLINE),
        ("https://example.org/x.png", OFFLINE),
        ("gopher://127.0.0.1:9/x", OFFLINE),
        ("file:///tmp/a%00b", "not a readable file path"),
    ],
)
def test_fetcher_refuses(fetcher: SandboxFetcher, url: str, why: str) -> None:
    with pytest.raises(ValueError, match="makeprint refused"):
        fetcher.fetch(url)
    assert why in fetcher.refusals[-1].why


def test_fetcher_refuses_a_fifo_without_hanging(proj: Path, fetcher: SandboxFetcher) -> None:
    fifo = proj / "assets" / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="file not found"):
        fetcher.fetch(fifo.as_uri())


def test_fetcher_serves_project_files_and_small_data(proj: Path, fetcher: SandboxFetcher) -> None:
    logo = proj / "assets" / "logo.svg"
    assert fetcher.fetch(logo.as_uri()).read() == logo.read_bytes()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert fetcher.refusals == []


def test_fetcher_embedding_refuses_everything(proj: Path, fetcher: SandboxFetcher) -> None:
    with fetcher.embedding(), pytest.raises(ValueError):
        fetcher.fetch((proj / "assets" / "logo.svg").as_uri())
    assert fetcher.refusals[-1].attachment


# --- templates cannot reach Python ---------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "{{ loc.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ t.front.steps.append('x') }}",
    ],
)
def test_template_sandbox(proj: Path, expression: str) -> None:
    line = body_line(proj, expression)
    errors = refused(proj)
    assert any(
        e.startswith(f"error: templates/materials/wallet-card.html:{line}: ")
        and "template error: SecurityError: " in e
        and "is unsafe" in e
        for e in errors
    ), errors


# --- paths: nothing is written outside the output folder -----------------------------------


def tree(folder: Path, skip: Path | None = None) -> dict[str, bytes | str]:
    """Every file and link below ``folder`` (except ``skip``), to prove nothing else changed."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_symlink():
            found[str(path.relative_to(folder))] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


@pytest.mark.parametrize("out", [".", "..", "content/.."], ids=["root", "parent", "dotdot"])
def test_out_that_holds_the_sources_is_refused(proj: Path, out: str) -> None:
    before = tree(proj.parent)
    result = run_cli("build", "--project", str(proj), "--out", str(proj / out), *ONE)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "contains the project's" in result.output and "--out" in result.output
    assert tree(proj.parent) == before


def test_out_relative_to_the_working_directory(proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(proj / "content")
    result = run_cli("build", "--project", str(proj), "--out", "..", *ONE)
    assert result.exit_code == 1, result.output
    assert "contains the project's" in result.output


def test_build_writes_only_inside_its_output_folder(proj: Path, tmp_path: Path) -> None:
    world = tmp_path  # the project, the folders around it and another output folder
    elsewhere = tmp_path / "proofs"
    before = tree(world)
    result = run_cli("build", "--project", str(proj), "-m", "wallet-card", "--lang", "en")
    assert result.exit_code == 0, result.output
    result = run_cli("build", "--project", str(proj), "--out", str(elsewhere), *ONE)
    assert result.exit_code == 0, result.output
    out = proj / "output"
    after = {
        k: v
        for k, v in tree(world).items()
        if not (tmp_path / k).is_relative_to(out) and not (tmp_path / k).is_relative_to(elsewhere)
    }
    assert after == before
    for folder in (out, elsewhere):
        for pdf in folder.rglob("*.pdf"):
            assert pdf.resolve().is_relative_to(folder.resolve())
    made = {p.name for p in elsewhere.rglob("*.pdf")}
    assert "wallet-card.pdf" in made and all(n.startswith("wallet-card") for n in made), made


def test_symlink_inside_output_is_not_followed_out(proj: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (proj / "output").mkdir()
    (proj / "output" / "east-harbor").symlink_to(victim, target_is_directory=True)
    result = run_cli("build", "--project", str(proj), *ONE)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "link that leads out of the output folder" in result.output
    assert list(victim.rglob("*")) == []


# --- limits ---------------------------------------------------------------------------------


def test_limits_in_locations_are_what_the_errors_say() -> None:
    from makeprint_engine import locations

    assert locations.MAX_ROWS == 5000
    assert locations.MAX_FILE_BYTES == 5 * 1024 * 1024
    assert locations.DEFAULT_MAX_FIELD == 160 and locations.MAX_FIELD["name"] == 100


def load_error(proj: Path, locations: Path | None = None) -> list[str]:
    with pytest.raises(MakeprintError) as caught:
        load_project(proj, locations)
    return [str(p) for p in caught.value.problems]


def test_too_many_rows(proj: Path) -> None:
    rows = ["name,street,city,phone"] + [f"S{i},1 Main St,Baltimore,x" for i in range(5001)]
    (proj / "content" / "locations.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert load_error(proj) == [
        "content/locations.csv: 5001 rows is more than the 5000 allowed — split the file and "
        "build each part with --locations"
    ]


def test_locations_file_too_large(proj: Path) -> None:
    path = proj / "content" / "locations.csv"
    path.write_bytes(path.read_bytes() + b"#" * (5 * 1024 * 1024))
    assert load_error(proj) == [
        "content/locations.csv: file is larger than 5 MB — split it into several files"
    ]


@pytest.mark.parametrize(
    "file", ["content/organization.yaml", "content/en/wallet-card.yaml", "content/hotlines.yaml"]
)
def test_yaml_file_over_1_mb(proj: Path, file: str) -> None:
    path = proj / file
    path.write_bytes(path.read_bytes() + b"# " + b"x" * (1024 * 1024) + b"\n")
    errors = load_error(proj)
    assert f"{file}: file is larger than 1 MB — " in "\n".join(errors), errors


def test_yaml_locations_have_the_locations_limit(proj: Path) -> None:
    """A locations list in YAML may be up to 5 MB like a CSV, not the 1 MB of content."""
    path = proj / "content" / "sites.yaml"
    padding = "# " + "x" * 100 + "\n"
    path.write_text(
        padding * 15_000
        + "- {slug: a, name: A, street: 1 Main St, city: Baltimore, phone: (410) 555-0142}\n",
        encoding="utf-8",
    )
    assert path.stat().st_size > 1024 * 1024
    assert [loc.slug for loc in load_project(proj, path).locations] == ["a"]


def test_an_input_that_is_not_a_file(proj: Path) -> None:
    path = proj / "content" / "locations.csv"
    path.unlink()
    path.mkdir()
    errors = load_error(proj)
    assert errors and all("Traceback" not in e for e in errors)


def test_output_of_a_failed_load_is_untouched(proj: Path) -> None:
    result = run_cli("build", "--project", str(proj), *ONE)
    assert result.exit_code == 0, result.output
    before = snapshot(proj / "output")
    shutil.copy(proj / "content" / "organization.yaml", proj / "content" / "org.bak")
    path = proj / "content" / "organization.yaml"
    path.write_bytes(path.read_bytes() + b"# " + b"x" * (1024 * 1024) + b"\n")
    result = run_cli("build", "--project", str(proj), *ONE)
    assert result.exit_code == 1 and "larger than 1 MB" in result.output
    assert snapshot(proj / "output") == before
