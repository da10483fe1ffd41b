"""``./dev golden`` proposes, a person reviews, ``./dev golden --accept`` applies: the golden
plugin on a folder of its own (no rendering)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import golden_plugin
import pytest
from golden_plugin import _PROPOSED, Golden, accept, summary


def golden(update: bool) -> Golden:
    config = SimpleNamespace(getoption=lambda name: update, stash={_PROPOSED: []})
    return Golden(config)  # type: ignore[arg-type]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a.html").write_text("one\ntwo\nthree\n", encoding="utf-8")
    (tmp_path / "old.html").write_text("gone\n", encoding="utf-8")
    return tmp_path


def test_update_proposes_and_keeps_the_golden_files(folder: Path) -> None:
    g = golden(update=True)
    g.check(folder / "a.html", "one\n2\nthree\n")
    g.check(folder / "b.html", "new\n")
    g.remove_stale([folder / "old.html"])
    assert (folder / "a.html").read_text() == "one\ntwo\nthree\n"  # untouched until accepted
    assert (folder / "a.html.new").read_text() == "one\n2\nthree\n"
    assert (folder / "b.html.new").read_text() == "new\n" and not (folder / "b.html").exists()
    assert (folder / "old.html.delete").read_text() == "" and (folder / "old.html").exists()
    lines = summary(g.config.stash[_PROPOSED])
    assert lines[0] == "golden: 3 file(s) to review (nothing replaced yet):"
    assert "== a.html: changed, +1 -1 lines" in lines
    assert "-two" in lines and "+2" in lines
    assert "== b.html: new file, +1 -0 lines" in lines
    assert "== old.html: delete, +0 -1 lines" in lines
    assert lines[-1].startswith("accept them with: ./dev golden --accept")


def test_accept_puts_the_proposals_in_place(folder: Path) -> None:
    g = golden(update=True)
    g.check(folder / "a.html", "one\n2\nthree\n")
    g.check(folder / "b.html", "new\n")
    g.remove_stale([folder / "old.html"])
    assert accept(folder) == ["updated a.html", "updated b.html", "deleted old.html"]
    assert sorted(p.name for p in folder.iterdir()) == ["a.html", "b.html"]
    assert (folder / "a.html").read_text() == "one\n2\nthree\n"
    assert accept(folder) == []


def test_an_unchanged_file_clears_an_earlier_proposal(folder: Path) -> None:
    golden(update=True).check(folder / "a.html", "changed\n")
    assert (folder / "a.html.new").exists()
    g = golden(update=True)
    g.check(folder / "a.html", "one\ntwo\nthree\n")  # the change was reverted
    assert not (folder / "a.html.new").exists()
    assert g.config.stash[_PROPOSED] == []


def test_without_update_a_difference_fails_and_writes_nothing(folder: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="-two"):
        golden(update=False).check(folder / "a.html", "one\n2\nthree\n")
    assert sorted(p.name for p in folder.iterdir()) == ["a.html", "old.html"]


def test_the_script_wants_accept() -> None:
    """``python tests/golden_plugin.py`` does nothing without --accept (it would apply every
    proposal, so the test does not run that on the real folder)."""
    script = Path(golden_plugin.__file__)
    wrong = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           check=False)
    assert wrong.returncode == 1 and "usage: python tests/golden_plugin.py --accept" in wrong.stderr
