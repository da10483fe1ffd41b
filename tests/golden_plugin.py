"""Golden files: ``--update-golden`` and a ``golden`` fixture that compares or rewrites them.

Registered from tests/conftest.py (``pytest_plugins = ["golden_plugin"]``). Regenerate every
golden file after an intended change with ``./dev golden``.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

HINT = "if the change is intended, regenerate the golden files with: ./dev golden"
MAX_DIFF_LINES = 40
MAX_LINE_CHARS = 160

_REWRITTEN = pytest.StashKey[list[Path]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/golden/ instead of comparing with them",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REWRITTEN] = []


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


class Golden:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.update: bool = config.getoption("--update-golden")

    def check(self, path: Path, actual: str) -> None:
        """Compare ``actual`` with the file at ``path``; with --update-golden, rewrite it."""
        expected = None
        if path.is_file():
            with open(path, encoding="utf-8", newline="") as handle:  # bytes as written
                expected = handle.read()
        if expected == actual:
            return
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8", newline="")
            self.config.stash[_REWRITTEN].append(path)
            return
        if expected is None:
            pytest.fail(f"golden file {path.name} is missing\n{HINT}", pytrace=False)
        pytest.fail(
            f"{path.name} differs from its golden file:\n"
            f"{short_diff(expected, actual, path.name)}\n{HINT}",
            pytrace=False,
        )

    def remove_stale(self, paths: list[Path]) -> None:
        """Golden files nothing produces any more: deleted with --update-golden, else a failure."""
        if not paths:
            return
        if self.update:
            for path in paths:
                path.unlink()
                self.config.stash[_REWRITTEN].append(path)
            return
        names = ", ".join(sorted(p.name for p in paths))
        pytest.fail(f"golden files no test produces: {names}\n{HINT}", pytrace=False)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(request.config)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    rewritten = config.stash.get(_REWRITTEN, [])
    if rewritten:
        terminalreporter.write_line(f"golden: {len(rewritten)} file(s) rewritten or removed:")
        for path in rewritten:
            terminalreporter.write_line(f"  {path}")
