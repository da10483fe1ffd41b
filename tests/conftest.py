"""Shared fixtures: copies of the sample project, one built sample set, real PDF and QR readers."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from click.testing import CliRunner

import makeprint

pytest_plugins = ["golden_plugin"]
REPO = Path(__file__).resolve().parent.parent
PARTS = ("templates", "content", "assets")
# Every language the project ships (a folder under content/ with a language.yaml), English
# first. The sample locations list only some of them (tests count documents from that column):
# a test that means "every language" puts them on its own copy with ``set_languages``.
SHIPPED = tuple(
    sorted(
        (p.parent.name for p in (REPO / "content").glob("*/language.yaml")),
        key=lambda code: (code != "en", code),
    )
)


def copy_project(target: Path, poster: bool = False, directory: bool = False) -> Path:
    """A private copy of the repository's own sample project.

    Without the poster unless asked (``poster=True``): its two sizes of large pages made every
    build of the sample take about 70 % longer, in the dozens of tests that build it for
    something else. The session's ``built`` sample, test_poster.py and the golden files build it.
    Without the resource directory unless asked (``directory=True``) for the same reason: its
    documents (one per directory and language) are not what those tests are about; the
    session's ``built`` sample and test_directory.py build it.
    """
    for part in PARTS:
        shutil.copytree(REPO / part, target / part)
    left_out = [name for name, keep in (("poster", poster), ("directory", directory)) if not keep]
    for name in left_out:  # the material is its template; its content files are then not read
        for path in (target / "templates" / "materials").glob(f"{name}.*"):
            path.unlink()
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "proj")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project, built once for the whole session (read-only for tests)."""
    root = copy_project(tmp_path_factory.mktemp("built") / "proj", poster=True, directory=True)
    result = run_cli("build", "--project", str(root))
    assert result.exit_code == 0, result.output
    return root


def set_languages(root: Path, slug: str, langs: tuple[str, ...] = SHIPPED) -> None:
    """A copied project's location ``slug`` printed in ``langs`` (its languages column)."""
    path = root / "content" / "locations.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    assert any(row["slug"] == slug for row in rows), slug
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "languages": ";".join(langs)} if row["slug"] == slug else row)


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(makeprint.cli, list(args), catch_exceptions=False)


def manifest(root: Path) -> list[dict[str, object]]:
    return json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))["files"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, to prove a failed run changed nothing."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def pdf_text(path: Path) -> list[str]:
    """Text of each page, as PDFium extracts it."""
    doc = pypdfium2.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def pdf_text_runs(path: Path) -> str:
    """Text in the order it is drawn (pypdf): left-to-right runs such as a phone number stay
    whole inside right-to-left lines, where PDFium reorders a line by reading direction."""
    import pypdf

    return " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def decode_qr(path: Path, page: int | None = None, dpi: int = 300) -> list[str]:
    """Rasterize pages and decode every QR code on them with a real decoder (zxing-cpp)."""
    doc = pypdfium2.PdfDocument(str(path))
    found: list[str] = []
    try:
        pages = range(len(doc)) if page is None else [page]
        for index in pages:
            image = doc[index].render(scale=dpi / 72).to_pil()
            found += [
                r.text
                for r in zxingcpp.read_barcodes(image)
                if r.format == zxingcpp.BarcodeFormat.QRCode
            ]
    finally:
        doc.close()
    return found


def structure(pdf: pikepdf.Pdf) -> list[tuple[str, str | None]]:
    """(structure type, /Alt) of every element in the structure tree."""
    found: list[tuple[str, str | None]] = []
    seen: set[tuple[int, int]] = set()

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
            return
        if not isinstance(node, pikepdf.Dictionary):
            return
        if node.is_indirect:
            if node.objgen in seen:
                return
            seen.add(node.objgen)
        if "/S" in node:
            alt = node.get("/Alt")
            found.append((str(node.S), str(alt) if alt is not None else None))
        if "/K" in node:
            walk(node.K)

    walk(pdf.Root.StructTreeRoot)
    return found


def overfill_hours(root: Path, slug: str = "east-harbor") -> str:
    """Valid opening hours far too many for a wallet card, even at its 8 pt minimum: a
    document that cannot fit. Returns the hours written."""
    path = root / "content" / "locations.csv"
    text = path.read_text(encoding="utf-8")
    spans = "06:00-07:00,08:00-09:00,10:00-11:00,12:00-13:00"
    many = "; ".join(f"{day} {spans}" for day in ("Mon", "Tue", "Wed", "Thu", "Fri"))
    row = next(line for line in text.splitlines() if line.startswith(f"{slug},"))
    old = "Mon-Fri 09:00-17:00; Sat 10:00-14:00"
    assert old in row, "the sample row's hours changed: update this helper"
    path.write_text(text.replace(row, row.replace(old, f'"{many}"')), encoding="utf-8")
    return many
