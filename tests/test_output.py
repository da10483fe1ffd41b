"""Writing results on its own: atomic writes and their errors, the lock, the manifest.

Plain files in tmp_path, no rendering: milliseconds each (the mutation guards of ``output``;
test_crash.py kills real builds mid-write).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from makeprint_engine import output
from makeprint_engine.errors import MakeprintError, Problem
from makeprint_engine.output import (
    LOCK,
    MANIFEST,
    PARTIAL,
    OutputWriteError,
    _output_root,
    _temp_dirs,
    _write_error,
    atomic_write,
    clear_partial,
    manifest_name,
    merge_manifests,
    output_lock,
    read_manifest,
    sha256,
    write_manifest,
)

FREE = "free some disk space, or build into another folder with --out; "
WRITABLE = "check that the output folder is writable, or build into another with --out; "
KEPT = "files written before are kept as they were"


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "hint"),
    [
        (errno.ENOSPC, "the disk is full", FREE),
        (errno.EDQUOT, "the disk quota is used up", FREE),
        (errno.EROFS, "the file system is read-only", WRITABLE),
        (errno.EACCES, "permission denied", WRITABLE),
        (errno.EPERM, "permission denied", WRITABLE),
        (errno.ENOTDIR, "part of the path is a file, not a folder", WRITABLE),
        (errno.EISDIR, "a folder is in the way", WRITABLE),
        (errno.ENAMETOOLONG, "the path is too long", WRITABLE),
    ],
)
def test_write_error_says_why(tmp_path: Path, code: int, reason: str, hint: str) -> None:
    path = tmp_path / "out" / "a.pdf"
    error = _write_error(path, OSError(code, os.strerror(code)), None)
    full = f"{reason} ({os.strerror(code)})"
    assert error.problems == [
        Problem(f"cannot write this file: {full}", path=str(path), hint=hint + KEPT)
    ]
    assert (error.errno, error.strerror, error.filename) == (code, full, str(path))
    assert isinstance(error, OSError) and isinstance(error, MakeprintError)
    assert str(error) == str(error.problems[0])


def test_write_error_of_an_unlisted_errno(tmp_path: Path) -> None:
    error = _write_error(tmp_path / "a", OSError(errno.EIO, "Input/output error"), None)
    assert error.problems[0].message == "cannot write this file: Input/output error"
    assert error.problems[0].hint == WRITABLE + KEPT


def test_write_error_without_strerror(tmp_path: Path) -> None:
    error = _write_error(tmp_path / "a", OSError("odd"), None)
    assert error.problems[0].message == "cannot write this file: odd"
    assert error.errno is None
    error = _write_error(tmp_path / "a", OSError(errno.ENOSPC, None), None)
    assert error.problems[0].message == "cannot write this file: the disk is full"


def test_write_error_path_is_shown_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    error = _write_error(tmp_path / "out" / "a.pdf", OSError(errno.ENOSPC, "x"), None)
    assert error.problems[0].path == "out/a.pdf"


def test_write_error_keeps_the_earlier_one(tmp_path: Path) -> None:
    first = _write_error(tmp_path / "a.pdf", OSError(errno.ENOSPC, "No space"), None)
    second = _write_error(tmp_path / "manifest.json", OSError(errno.ENOSPC, "No space"), first)
    assert [p.path for p in second.problems] == [str(tmp_path / "a.pdf"),
                                                  str(tmp_path / "manifest.json")]
    again = _write_error(tmp_path / "a.pdf", OSError(errno.ENOSPC, "No space"), first)
    assert again.problems == first.problems  # the same problem once
    other = _write_error(tmp_path / "b", OSError(errno.ENOSPC, "x"), ValueError("not ours"))
    assert len(other.problems) == 1


# --- atomic_write ---------------------------------------------------------------------------


def test_atomic_write_writes_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "a.pdf"
    atomic_write(path, b"one")
    assert path.read_bytes() == b"one"
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.pdf"]  # no temporaries left


def test_atomic_write_makes_ordinary_files(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    atomic_write(path, b"x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~output._umask()
    assert stat.S_IMODE(output._FILE_MODE) == 0o666 & ~output._umask()


def test_umask_is_read_without_changing_it() -> None:
    before = os.umask(0o027)
    try:
        assert output._umask() == 0o027
        assert output._umask() == 0o027
    finally:
        os.umask(before)


def test_temporary_goes_to_partial_in_a_locked_folder(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    seen: list[tuple[str, str]] = []
    real = os.replace

    def replace(src: str, dst: object) -> None:
        seen.append((src, str(dst)))
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    with output_lock(out):
        atomic_write(out / "loc" / "a.pdf", b"x")
        atomic_write(tmp_path / "elsewhere.txt", b"y")
    (src, dst), (src2, _) = seen
    assert Path(src).parent == out / PARTIAL
    assert Path(src).name.startswith("a.pdf.") and src.endswith(".tmp")
    assert dst == str(out / "loc" / "a.pdf")
    assert Path(src2).parent == tmp_path
    assert Path(src2).name.startswith(".elsewhere.txt.") and src2.endswith(".tmp")
    assert (out / "loc" / "a.pdf").read_bytes() == b"x"


def test_across_file_systems_the_temporary_goes_beside(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    real = os.replace
    tried: list[str] = []

    def replace(src: str, dst: object) -> None:
        tried.append(src)
        if Path(src).parent.name == PARTIAL:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    with output_lock(out):
        atomic_write(out / "loc" / "a.pdf", b"x")
        assert list((out / PARTIAL).iterdir()) == []  # the first temporary removed
    assert (out / "loc" / "a.pdf").read_bytes() == b"x"
    assert [Path(t).parent for t in tried] == [out / PARTIAL, out / "loc"]
    assert sorted(p.name for p in (out / "loc").iterdir()) == ["a.pdf"]


def test_cross_device_beside_the_file_is_an_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(src: str, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OutputWriteError) as caught:
        atomic_write(tmp_path / "a.pdf", b"x")
    assert caught.value.errno == errno.EXDEV
    assert list(tmp_path.iterdir()) == []


def test_other_errors_in_partial_are_not_retried(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    tried: list[str] = []

    def replace(src: str, dst: object) -> None:
        tried.append(src)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "replace", replace)
    with output_lock(out), pytest.raises(OutputWriteError) as caught:
        atomic_write(out / "a.pdf", b"x")
    assert len(tried) == 1
    assert caught.value.problems[0].message == (
        "cannot write this file: the disk is full (No space left on device)")
    assert list((out / PARTIAL).iterdir()) == []
    assert not (out / "a.pdf").exists()


def test_a_failed_write_leaves_no_temporary(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(output.os, "fsync", fsync)
    with pytest.raises(OutputWriteError):
        atomic_write(tmp_path / "a.pdf", b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "loc").write_text("a file")
    with pytest.raises(OutputWriteError) as caught:
        atomic_write(tmp_path / "loc" / "a.pdf", b"x")
    assert caught.value.errno in (errno.EEXIST, errno.ENOTDIR)
    assert caught.value.filename == str(tmp_path / "loc" / "a.pdf")


def test_an_interrupt_removes_the_temporary(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(src: str, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "a.pdf", b"x")
    assert list(tmp_path.iterdir()) == []


def test_pending_error_is_reported_first(tmp_path: Path) -> None:
    (tmp_path / "loc").write_text("a file")
    first = _write_error(tmp_path / "a.pdf", OSError(errno.ENOSPC, "x"), None)
    with pytest.raises(OutputWriteError) as caught:
        try:
            raise first
        finally:
            atomic_write(tmp_path / "loc" / "manifest.json", b"{}")
    assert [p.path for p in caught.value.problems] == [
        str(tmp_path / "a.pdf"), str(tmp_path / "loc" / "manifest.json")]


def test_writing_through_a_link_out_of_the_output_folder(tmp_path: Path) -> None:
    out, away = tmp_path / "out", tmp_path / "away"
    away.mkdir()
    with output_lock(out):
        (out / "loc").symlink_to(away)
        with pytest.raises(MakeprintError) as caught:
            atomic_write(out / "loc" / "new" / "a.pdf", b"x")
        (problem,) = caught.value.problems
        assert problem.message == (
            "refusing to write through a link that leads out of the output folder")
        assert problem.hint == f"remove the symbolic link inside {out}"
        assert problem.path == str(out / "loc" / "new" / "a.pdf")
        assert not (away / "new").exists()
        atomic_write(out / "fine" / "deeper" / "a.pdf", b"x")  # folders not there yet
    assert (out / "fine" / "deeper" / "a.pdf").read_bytes() == b"x"


def test_a_link_reached_through_dot_dot_is_refused(tmp_path: Path) -> None:
    """``new/../loc/`` where ``loc`` leads out: once ``new`` is made, the write lands outside.
    (Walking up to the nearest folder that exists stopped at ``out`` and let it through.)"""
    out, away = tmp_path / "out", tmp_path / "away"
    away.mkdir()
    with output_lock(out):
        (out / "loc").symlink_to(away)
        with pytest.raises(MakeprintError, match="leads out of the output folder"):
            atomic_write(out / "new" / ".." / "loc" / "a.pdf", b"x")
        atomic_write(out / "new" / ".." / "inside.txt", b"x")
    assert list(away.iterdir()) == []
    assert (out / "inside.txt").read_bytes() == b"x"


def test_a_lock_file_left_marks_an_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "loc").mkdir(parents=True)
    (out / LOCK).write_text("")
    assert _output_root(out / "loc" / "a.pdf") == out
    assert _output_root(tmp_path / "a.pdf") is None
    (out / "loc" / LOCK).mkdir()  # a folder named like the lock is not one
    assert _output_root(out / "loc" / "a.pdf") == out


def test_the_held_folder_is_found_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "inner").mkdir(parents=True)
    (out / "inner" / LOCK).write_text("")
    with output_lock(out):
        assert _output_root(out / "inner" / "a.pdf") == out
    assert _output_root(out / "inner" / "a.pdf") == out / "inner"


def test_relative_paths_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with output_lock(Path("out")):
        assert _output_root(Path("out/a.pdf")) == tmp_path / "out"


def test_temp_dirs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        assert _temp_dirs(out / "loc" / "a.pdf") == [out / PARTIAL, out / "loc"]
        (out / PARTIAL).symlink_to(tmp_path)
        assert _temp_dirs(out / "loc" / "a.pdf") == [out / "loc"]
    assert _temp_dirs(tmp_path / "x" / "a.pdf") == [tmp_path / "x"]


def test_sync_folder_is_best_effort(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output._sync_folder(tmp_path / "missing")  # cannot open: no error
    closed: list[int] = []
    real_close = os.close

    def fsync(fd: int) -> None:
        raise OSError(errno.EINVAL, "not supported")

    def close(fd: int) -> None:
        closed.append(fd)
        real_close(fd)

    monkeypatch.setattr(output.os, "fsync", fsync)
    monkeypatch.setattr(output.os, "close", close)
    output._sync_folder(tmp_path)
    assert len(closed) == 1


# --- the lock and .partial ----------------------------------------------------------------


def test_second_build_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        with pytest.raises(MakeprintError) as caught, output_lock(out):
            pass
        (problem,) = caught.value.problems
        assert problem == Problem(
            "another makeprint build is writing to this output folder", path=str(out),
            hint="wait for it to finish, or build into another folder with --out")
        assert _output_root(out / "a") == out  # still held by the first
    with output_lock(out):  # released
        pass
    assert output._held == set()


def test_lock_is_released_on_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), output_lock(out):
        raise RuntimeError
    assert output._held == set()
    with output_lock(out):
        pass


def test_output_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(MakeprintError) as caught, output_lock(tmp_path / "file" / "out"):
        pass
    (problem,) = caught.value.problems
    assert problem == Problem(
        "cannot write to the output folder: part of the path is a file, not a folder"
        if problem.message.endswith("folder") else problem.message,
        path=str(tmp_path / "file" / "out"),
        hint="check it exists and is writable, or choose another with --out")
    assert problem.message.startswith("cannot write to the output folder: ")


def test_lock_clears_what_a_killed_build_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / PARTIAL).mkdir(parents=True)
    (out / PARTIAL / "a.pdf.123.tmp").write_bytes(b"half")
    with output_lock(out):
        assert not (out / PARTIAL).exists()


def test_clear_partial(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / PARTIAL).write_text("a file")
    clear_partial(out)
    assert not (out / PARTIAL).exists()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep").write_text("x")
    (out / PARTIAL).symlink_to(tmp_path / "elsewhere")
    clear_partial(out)
    assert not (out / PARTIAL).is_symlink()
    assert (tmp_path / "elsewhere" / "keep").exists()  # never followed
    (out / PARTIAL / "deep").mkdir(parents=True)
    clear_partial(out)
    assert not (out / PARTIAL).exists()
    clear_partial(out)  # nothing there: nothing to do


def test_clear_partial_ignores_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / PARTIAL).mkdir()

    def rmtree(path: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output.shutil, "rmtree", rmtree)
    clear_partial(tmp_path)


# --- the manifest -------------------------------------------------------------------------


def test_manifest_name() -> None:
    assert manifest_name() == MANIFEST == "manifest.json"
    assert manifest_name((2, 3)) == "manifest.part-2-of-3.json"


def test_sha256() -> None:
    assert sha256(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[1, 2]", '{"files": 3}', '{"files": null}', '{"files": "ab"}',
     '{"other": []}'],
)
def test_unreadable_manifest_is_empty(tmp_path: Path, text: str) -> None:
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    assert read_manifest(tmp_path) == []


def test_read_manifest_keeps_entries_with_a_path(tmp_path: Path) -> None:
    files = [{"path": "a.pdf"}, {"path": 3}, "x", {"other": 1}, {"path": "b.pdf", "pages": 2}]
    (tmp_path / "m.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    assert read_manifest(tmp_path, "m.json") == [{"path": "a.pdf"}, {"path": "b.pdf", "pages": 2}]
    assert read_manifest(tmp_path) == []  # no manifest.json


def test_write_manifest_merges_drops_and_sorts(tmp_path: Path) -> None:
    for name in ("a.pdf", "b.pdf", "c.pdf", "é.pdf"):
        (tmp_path / name).write_bytes(b"%PDF")
    write_manifest(tmp_path, [{"path": "c.pdf", "v": 1}, {"path": "a.pdf", "v": 1},
                              {"path": "gone.pdf", "v": 1}])
    write_manifest(tmp_path, [{"path": "b.pdf", "v": 2}, {"path": "c.pdf", "v": 2},
                              {"path": "é.pdf", "v": 2}], drop=["a.pdf"])
    text = (tmp_path / MANIFEST).read_text(encoding="utf-8")
    assert json.loads(text) == {"files": [
        {"path": "b.pdf", "v": 2}, {"path": "c.pdf", "v": 2}, {"path": "é.pdf", "v": 2}]}
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert "é.pdf" in text
    write_manifest(tmp_path, [], drop=["nothing"])
    assert len(read_manifest(tmp_path)) == 3
    write_manifest(tmp_path, [{"path": "a.pdf"}], name="manifest.part-1-of-2.json")
    assert read_manifest(tmp_path, "manifest.part-1-of-2.json") == [{"path": "a.pdf"}]
    assert len(read_manifest(tmp_path)) == 3


def test_a_folder_is_not_a_file_in_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "dir.pdf").mkdir()
    write_manifest(tmp_path, [{"path": "dir.pdf"}])
    assert read_manifest(tmp_path) == []


# --- merging the manifests of a split build ----------------------------------------------------


@pytest.fixture
def sheets(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, list]]:
    calls: list[tuple[Path, list]] = []
    from makeprint_engine import contact_sheet

    monkeypatch.setattr(contact_sheet, "write_contact_sheet",
                        lambda out, entries: calls.append((out, entries)))
    return calls


def part(out: Path, k: int, n: int, *paths: str, extra: dict | None = None) -> None:
    for path in paths:
        (out / path).write_bytes(b"%PDF")
    files = [{"path": p, **(extra or {})} for p in paths]
    (out / f"manifest.part-{k}-of-{n}.json").write_text(json.dumps({"files": files}))


def test_merge_manifests(tmp_path: Path, sheets: list) -> None:
    part(tmp_path, 1, 3, "a.pdf", "b.pdf")
    part(tmp_path, 2, 3, "c.pdf")
    part(tmp_path, 3, 3, "b.pdf", "d.pdf")  # the same entry twice is fine
    assert merge_manifests(tmp_path) == (4, 3)
    merged = [{"path": p} for p in ("a.pdf", "b.pdf", "c.pdf", "d.pdf")]
    assert read_manifest(tmp_path) == merged
    assert sheets == [(tmp_path, merged)]


def test_merge_with_ten_parts_or_more(tmp_path: Path, sheets: list) -> None:
    for k in range(1, 12):
        part(tmp_path, k, 11, f"{k}.pdf")
    assert merge_manifests(tmp_path) == (11, 11)


def test_merge_without_parts(tmp_path: Path, sheets: list) -> None:
    with pytest.raises(MakeprintError) as caught:
        merge_manifests(tmp_path)
    assert caught.value.problems == [Problem(
        "no manifest parts found", path=str(tmp_path),
        hint="run 'makeprint build --shard K/N' first")]
    assert sheets == []


def test_merge_of_different_splits(tmp_path: Path, sheets: list) -> None:
    part(tmp_path, 1, 2, "a.pdf")
    part(tmp_path, 1, 3, "b.pdf")
    with pytest.raises(MakeprintError) as caught:
        merge_manifests(tmp_path)
    assert caught.value.problems == [Problem(
        "manifest parts come from different splits", path=str(tmp_path),
        hint="delete the old parts and build every shard again")]


def test_merge_with_parts_missing(tmp_path: Path, sheets: list) -> None:
    part(tmp_path, 2, 4, "a.pdf")
    with pytest.raises(MakeprintError) as caught:
        merge_manifests(tmp_path)
    assert caught.value.problems == [Problem(
        "manifest parts 1, 3, 4 of 4 are missing", path=str(tmp_path),
        hint="build the missing shards (or copy their output here) first")]
    assert not (tmp_path / MANIFEST).exists()


def test_merge_of_parts_that_disagree(tmp_path: Path, sheets: list) -> None:
    part(tmp_path, 1, 2, "a.pdf", extra={"sha256": "1"})
    part(tmp_path, 2, 2, "a.pdf", extra={"sha256": "2"})
    with pytest.raises(MakeprintError) as caught:
        merge_manifests(tmp_path)
    assert caught.value.problems == [Problem(
        "two parts disagree about a.pdf", path=str(tmp_path / "manifest.part-2-of-2.json"),
        hint="rebuild with one --shard N for every runner")]


# --- details the mutation run asked about ---------------------------------------------------


def test_write_error_text_is_one_line_a_problem(tmp_path: Path) -> None:
    first = _write_error(tmp_path / "a.pdf", OSError(errno.ENOSPC, "x"), None)
    both = _write_error(tmp_path / "b.pdf", OSError(errno.ENOSPC, "x"), first)
    assert str(both) == f"{both.problems[0]}\n{both.problems[1]}"


def test_partial_that_cannot_be_made_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        (out / PARTIAL).write_text("a file where the folder goes")
        with pytest.raises(OutputWriteError) as caught:
            atomic_write(out / "a.pdf", b"x")
    assert caught.value.errno == errno.EEXIST
    assert caught.value.problems[0].message == "cannot write this file: File exists"


def test_the_rename_is_made_durable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[Path] = []
    monkeypatch.setattr(output, "_sync_folder", synced.append)
    atomic_write(tmp_path / "sub" / "a.pdf", b"x")
    assert synced == [tmp_path / "sub"]


def test_an_error_after_the_rename_is_reported_as_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary is gone once renamed: cleaning up must not raise in its place."""
    real = os.replace

    def replace(src: str, dst: object) -> None:
        real(src, dst)
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OutputWriteError) as caught:
        atomic_write(tmp_path / "a.pdf", b"x")
    assert caught.value.errno == errno.EIO


def test_an_interrupt_after_the_rename_stays_an_interrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace

    def replace(src: str, dst: object) -> None:
        real(src, dst)
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "a.pdf", b"x")
    assert (tmp_path / "a.pdf").read_bytes() == b"x"


def test_merge_reads_the_total_after_the_last_of(tmp_path: Path, sheets: list) -> None:
    part(tmp_path, 1, 3, "a.pdf")
    (tmp_path / "manifest.part-1-of-3.json").rename(tmp_path / "manifest.part-1-of-2-of-3.json")
    with pytest.raises(MakeprintError) as caught:
        merge_manifests(tmp_path)
    assert caught.value.problems[0].message == "manifest parts 2, 3 of 3 are missing"
