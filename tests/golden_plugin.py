"""Golden files: ``--update-golden`` and a ``golden`` fixture that compares or proposes them.

Registered from tests/conftest.py (``pytest_plugins = ["golden_plugin"]``). After an intended
change, ``./dev golden`` (``--update-golden``) proposes new golden files without touching the
old ones: each changed file gets ``NAME.new`` beside it (a file nothing produces any more gets
an empty ``NAME.delete``), and the run ends with a diff per file. Review them, then
``./dev golden --accept`` (``python tests/golden_plugin.py --accept``) puts them in place;
deleting the proposals discards them.

``readable_qr_codes`` normalises HTML before it is compared: each QR code's base64 SVG data
URI becomes a line a person can read in a diff (what the code says, decoded from its modules,
its version and size, and a digest of its drawing). The HTML itself is unchanged.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

HINT = ("if the change is intended, propose new golden files with ./dev golden, review the "
        "diffs, then ./dev golden --accept")
NEW, DELETE = ".new", ".delete"  # suffixes of the proposals --update-golden writes
MAX_DIFF_LINES = 40
MAX_LINE_CHARS = 160

# (golden file, its text now or None when missing, proposed text or None to delete it)
_PROPOSED = pytest.StashKey[list[tuple[Path, str | None, str | None]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="propose new golden files (NAME.new, NAME.delete beside each) instead of "
        "comparing; `python tests/golden_plugin.py --accept` puts them in place",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_PROPOSED] = []


def _clip(line: str, at: int) -> str:
    """``line`` cut to MAX_LINE_CHARS around column ``at`` (where it starts to differ)."""
    if len(line) <= MAX_LINE_CHARS:
        return line
    start = max(1, min(at - MAX_LINE_CHARS // 3, len(line) - MAX_LINE_CHARS + 1))
    end = start + MAX_LINE_CHARS - 1
    return line[0] + ("…" if start > 1 else "") + line[start:end] + ("…" if end < len(line) else "")


def short_diff(expected: str, actual: str, name: str) -> str:
    """A unified diff of at most MAX_DIFF_LINES lines; long lines shown around the change."""
    lines = list(
        difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            fromfile=f"{name} (golden)",
            tofile=f"{name} (now)",
            lineterm="",
            n=1,
        )
    )
    shown = []
    for index, line in enumerate(lines[:MAX_DIFF_LINES]):
        # A changed line shows up as "-old" then "+new": centre both on their first difference.
        other = ""
        if line.startswith("-") and index + 1 < len(lines) and lines[index + 1][:1] == "+":
            other = lines[index + 1]
        elif line.startswith("+") and index > 0 and lines[index - 1][:1] == "-":
            other = lines[index - 1]
        at = 1
        while at < min(len(line), len(other)) and line[at] == other[at]:
            at += 1
        shown.append(_clip(line, at if other else 0))
    if len(lines) > MAX_DIFF_LINES:
        shown.append(f"… {len(lines) - MAX_DIFF_LINES} more diff lines")
    return "\n".join(shown)


_SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_RUN = re.compile(r"M(\d+) (\d+)\.5h(\d+)")
QUIET_ZONE = 4  # modules of light margin the SVG draws around the symbol (makeprint_engine/qr.py)
MODULE_PX = 4  # raster pixels per module for the decoder


def qr_stand_in(svg: str) -> str:
    """``qr:v3 modules=29 ec=M url=… svg=sha256:…``: what a QR code's SVG encodes, read back
    from its drawing (one stroke per run of dark modules) by a real decoder."""
    digest = hashlib.sha256(svg.encode()).hexdigest()[:16]
    box = _VIEWBOX.search(svg)
    runs = _RUN.findall(svg)
    if not box or not runs:
        return f"qr:unreadable (not a makeprint QR drawing) svg=sha256:{digest}"
    total = int(box[1])
    modules = total - 2 * QUIET_ZONE
    image = Image.new("L", (total, total), 255)
    for x, y, length in runs:
        image.paste(0, (int(x), int(y), int(x) + int(length), int(y) + 1))
    image = image.resize((total * MODULE_PX, total * MODULE_PX), Image.Resampling.NEAREST)
    found = [r for r in zxingcpp.read_barcodes(image)
             if r.format == zxingcpp.BarcodeFormat.QRCode and r.valid]
    version = (modules - 17) / 4
    size = f"v{version:g} modules={modules}"
    if len(found) != 1:
        return f"qr:unreadable {size} ({len(found)} codes decoded) svg=sha256:{digest}"
    return f"qr:{size} ec={found[0].ec_level} url={found[0].text} svg=sha256:{digest}"


def readable_qr_codes(html: str) -> str:
    """``html`` with each base64 SVG data URI replaced by its ``qr_stand_in`` line."""

    def stand_in(match: re.Match[str]) -> str:
        svg = base64.b64decode(match[1]).decode("utf-8")
        return qr_stand_in(svg).replace("&", "&amp;").replace('"', "&quot;")

    return _SVG_URI.sub(stand_in, html)


class Golden:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.update: bool = config.getoption("--update-golden")

    def check(self, path: Path, actual: str) -> None:
        """Compare ``actual`` with the file at ``path``; with --update-golden, propose it."""
        expected = None
        if path.is_file():
            with open(path, encoding="utf-8", newline="") as handle:  # bytes as written
                expected = handle.read()
        if self.update:
            _proposal(path, NEW).unlink(missing_ok=True)  # an earlier proposal is replaced
            _proposal(path, DELETE).unlink(missing_ok=True)
        if expected == actual:
            return
        if self.update:
            _proposal(path, NEW).write_text(actual, encoding="utf-8", newline="")
            self.config.stash[_PROPOSED].append((path, expected, actual))
            return
        if expected is None:
            pytest.fail(f"golden file {path.name} is missing\n{HINT}", pytrace=False)
        pytest.fail(
            f"{path.name} differs from its golden file:\n"
            f"{short_diff(expected, actual, path.name)}\n{HINT}",
            pytrace=False,
        )

    def remove_stale(self, paths: list[Path]) -> None:
        """Golden files nothing produces any more: proposed for deletion with --update-golden
        (an empty NAME.delete), else a failure."""
        if not paths:
            return
        if self.update:
            for path in paths:
                _proposal(path, DELETE).write_text("", encoding="utf-8")
                text = path.read_text(encoding="utf-8")
                self.config.stash[_PROPOSED].append((path, text, None))
            return
        names = ", ".join(sorted(p.name for p in paths))
        pytest.fail(f"golden files no test produces: {names}\n{HINT}", pytrace=False)


def _proposal(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def summary(proposed: list[tuple[Path, str | None, str | None]]) -> list[str]:
    """Lines telling a reviewer what each proposal changes: a count, then the diff."""
    lines = [f"golden: {len(proposed)} file(s) to review (nothing replaced yet):"]
    for path, old, new in proposed:
        before = (old or "").splitlines()
        after = (new or "").splitlines()
        diff = list(difflib.unified_diff(before, after, lineterm="", n=0))
        added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
        removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
        what = ("new file" if old is None else "delete" if new is None else "changed")
        lines.append(f"== {path.name}: {what}, +{added} -{removed} lines")
        if old is not None and new is not None:
            lines += short_diff(old, new, path.name).splitlines()
    lines.append("accept them with: ./dev golden --accept   "
                 "(or delete the .new and .delete files to discard)")
    return lines


def accept(folder: Path) -> list[str]:
    """Put every proposal under ``folder`` in place; what was done, one line a file."""
    done = []
    for proposal in sorted(folder.rglob(f"*{NEW}")):
        target = proposal.with_name(proposal.name.removesuffix(NEW))
        proposal.replace(target)
        done.append(f"updated {target.name}")
    for proposal in sorted(folder.rglob(f"*{DELETE}")):
        target = proposal.with_name(proposal.name.removesuffix(DELETE))
        target.unlink(missing_ok=True)
        proposal.unlink()
        done.append(f"deleted {target.name}")
    return done


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(request.config)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    proposed = config.stash.get(_PROPOSED, [])
    if proposed:
        for line in summary(proposed):
            terminalreporter.write_line(line)


if __name__ == "__main__":  # python tests/golden_plugin.py --accept
    import sys

    if sys.argv[1:] != ["--accept"]:
        sys.exit("usage: python tests/golden_plugin.py --accept")
    lines = accept(Path(__file__).resolve().parent / "golden")
    print("\n".join(lines) if lines else "golden: nothing to accept (run ./dev golden first)")
