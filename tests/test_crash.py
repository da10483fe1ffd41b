"""Nothing is lost: a build killed at any moment leaves no partial or corrupt file in output/
and the next build is complete and correct; two builds on one output folder never interleave;
a full disk or an unwritable folder is a clear error that keeps earlier files."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import REPO, copy_project, manifest, run_cli, snapshot

from makeprint_engine import MakeprintError, load_project
from makeprint_engine.output import LOCK, PARTIAL, atomic_write, output_lock
from makeprint_engine.plan import Selection, plan_jobs

KILLS = 20
SUBSET = ("-m", "wallet-card", "--lang", "en")  # three cards: seconds, where all takes ten
ONE = ("-l", "east-harbor", "--lang", "en", "-m", "wallet-card", "-j", "1")


def start(project: Path, *args: str) -> subprocess.Popen[str]:
    """``python makeprint.py build`` in its own process group (its workers die with it)."""
    return subprocess.Popen(
        [sys.executable, str(REPO / "makeprint.py"), "build", "--project", str(project), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)


def finished_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.is_file() and PARTIAL not in p.relative_to(out).parts]


def check_output(out: Path, pages: dict[str, int]) -> set[str]:
    """Every file in output/ is whole: PDFs open with the right page count, the manifest and
    cache are valid JSON, manifest entries match their files. Returns the PDFs' paths."""
    files = finished_files(out)
    assert not [p for p in files if p.name.endswith(".tmp")], "a temporary outside .partial/"
    listed: dict[str, dict[str, object]] = {}
    for name in ("manifest.json", ".cache/fingerprints.json"):
        if (out / name).exists():
            data = json.loads((out / name).read_text(encoding="utf-8"))
            if name == "manifest.json":
                listed = {str(e["path"]): e for e in data["files"]}
    pdfs = {str(p.relative_to(out)) for p in files if p.suffix == ".pdf"}
    for relpath in pdfs:
        pdf = out / relpath
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF"), pdf
        count = len(pypdf.PdfReader(pdf, strict=True).pages)
        if pdf.stem in pages:  # the document itself (a card sheet is named after it)
            assert count == pages[pdf.stem], pdf
        if relpath in listed:
            assert count == listed[relpath]["pages"], pdf
    for relpath, entry in listed.items():
        path = out / relpath
        assert path.is_file(), entry
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry
    return pdfs


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "proj")
    out = project / "output"
    loaded = load_project(project)
    pages = {name: m.pages for name, m in loaded.materials.items()}
    every = {job.relpath for job in plan_jobs(loaded, Selection())}

    # A clean build: the bytes the subset must always produce. Then how long one takes.
    clean = start(project, *SUBSET)
    _, stderr = clean.communicate(timeout=120)
    assert clean.returncode == 0, stderr
    began = time.monotonic()
    _, stderr = start(project, *SUBSET, "--force").communicate(timeout=120)
    duration = time.monotonic() - began
    reference = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.pdf")}
    assert len(reference) >= 3  # three cards (and whatever else is made from each)

    seed = int(os.environ.get("MAKEPRINT_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"kill seed {seed} (set MAKEPRINT_KILL_SEED to repeat), build takes {duration:.1f} s")
    killed = attempts = 0
    moments = []
    while killed < KILLS:
        attempts += 1
        assert attempts <= KILLS * 2, f"builds kept finishing before the kill (seed {seed})"
        # Spread the kills over the whole build: start-up, rendering and writing.
        delay = (killed + rng.random()) * duration * 0.97 / KILLS
        began = time.monotonic()
        build = start(project, *SUBSET, "--force")
        time.sleep(delay)
        if build.poll() is None:
            kill(build)
            killed += 1
            moments.append(round(delay, 2))
        else:  # faster than measured: aim within the time it really took
            build.communicate()
            duration = min(duration, time.monotonic() - began)
        check_output(out, pages)

    # The next build completes, and everything it lists is whole and right.
    result = subprocess.run(
        [sys.executable, str(REPO / "makeprint.py"), "build", "--project", str(project)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    listed = {str(e["path"]) for e in manifest(project)}
    assert check_output(out, pages) == listed
    assert every <= listed
    for relpath, data in reference.items():
        assert (out / relpath).read_bytes() == data, f"{relpath} differs from a clean build"
    assert not any((out / PARTIAL).glob("*")), "temporaries left after a clean build"
    print(f"killed at {moments}")


def held_locks() -> set[int]:
    """Inodes of files locked right now, from /proc/locks (read-only: takes no lock)."""
    inodes = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        device = next((f for f in fields if f.count(":") == 2), None)
        if device:
            inodes.add(int(device.rsplit(":", 1)[1]))
    return inodes


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_a_second_build_on_the_same_output_refuses(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "proj")
    first = start(project, "--force")
    lock = project / "output" / LOCK
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.stat().st_ino in held_locks()):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first build never took the lock"
        time.sleep(0.02)
    second = start(project, "-m", "wallet-card", "--force")
    _, err = second.communicate(timeout=120)
    still_running = first.poll() is None
    assert second.returncode == 1, err
    assert "another makeprint build is writing to this output folder" in err
    assert "--out" in err and "Traceback" not in err
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert still_running, "the first build ended before the second was refused"
    pages = {name: m.pages for name, m in load_project(project).materials.items()}
    listed = {str(e["path"]) for e in manifest(project)}
    assert check_output(project / "output", pages) == listed
    assert {job.relpath for job in plan_jobs(load_project(project), Selection())} <= listed


# --- full disk, unwritable output -----------------------------------------------------------


@pytest.fixture
def prebuilt(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "proj")
    result = run_cli("build", "--project", str(project), *ONE, "-m", "flyer")
    assert result.exit_code == 0, result.output
    return project


def _fail_with(code: int):  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("target", "code", "reason"),
    [
        ("os.fsync", errno.ENOSPC, "the disk is full"),
        ("tempfile.mkstemp", errno.EACCES, "permission denied"),
        ("os.replace", errno.EROFS, "the file system is read-only"),
    ],
    ids=["disk-full", "unwritable", "read-only"],
)
def test_write_failure_is_a_clear_error_and_keeps_earlier_files(
    prebuilt: Path, monkeypatch: pytest.MonkeyPatch, target: str, code: int, reason: str
) -> None:
    out = prebuilt / "output"
    before = snapshot(out)
    assert {Path(k).name for k in before} >= {"wallet-card.pdf", "flyer.pdf", "manifest.json"}
    module, name = target.split(".")
    monkeypatch.setattr(f"makeprint_engine.output.{module}.{name}", _fail_with(code))
    result = run_cli("build", "--project", str(prebuilt), *ONE, "-m", "flyer", "--force")
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert any(reason in e and ".pdf" in e for e in errors), errors  # names the PDF
    assert any(reason in e and "manifest.json" in e for e in errors), errors
    assert snapshot(out) == before  # earlier files, the manifest included, are untouched
    assert not list((out / PARTIAL).glob("*"))


def test_out_whose_parent_is_a_file(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("build", "--project", str(project), *ONE, "--out", str(blocker / "out"))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "cannot write to the output folder: part of the path is a file" in result.output
    assert blocker.read_text(encoding="utf-8") == "x"


def test_out_that_is_a_file_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("build", "--project", str(project), *ONE, "--out", str(blocker))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# --- the writing primitives -----------------------------------------------------------------


def test_temporaries_live_in_partial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "output"
    renames: list[tuple[Path, Path]] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        renames.append((Path(src), Path(dst)))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    with output_lock(out):
        atomic_write(out / "a" / "en" / "card.pdf", b"%PDF-1.7 whole")
        atomic_write(out / "manifest.json", b"{}")
    assert [src.parent for src, _ in renames] == [out / PARTIAL] * 2
    assert all(not src.name.endswith(".pdf") for src, _ in renames)
    assert (out / "a" / "en" / "card.pdf").read_bytes() == b"%PDF-1.7 whole"


def test_an_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "output"
    with output_lock(out):
        atomic_write(out / "card.pdf", b"old")

        def interrupt(fd: int) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "fsync", interrupt)
        with pytest.raises(KeyboardInterrupt):
            atomic_write(out / "card.pdf", b"new, half written")
    assert (out / "card.pdf").read_bytes() == b"old"
    assert not list((out / PARTIAL).glob("*"))


CHUNK = 2048  # bytes a slowed writer puts out between two looks at the output folder


def whole(path: Path) -> bool:
    """A finished file as a reader finds it: every kind the build writes ends as it should."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        if not data.rstrip().endswith(b"%%EOF"):
            return False
        pypdf.PdfReader(path, strict=True)
        return True
    if path.suffix == ".json":
        json.loads(data)
        return True
    if path.suffix == ".jpg":
        return data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    if path.suffix == ".html":
        return data.endswith(b"</html>\n")
    return path.name == LOCK


def test_no_reader_ever_sees_a_partial_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file the build opens for writing inside output/ writes in 2 KB pieces, and after
    each piece the output folder is read as another program would: every file under its
    final name must be whole. A file written in place (truncated, then filled) is caught
    mid-write; one written to .partial/ and renamed is never seen half done."""
    from makeprint_engine import output

    out = (project / "output").resolve()
    looks: list[int] = []

    def look() -> None:
        partial = [str(p.relative_to(out)) for p in finished_files(out) if not whole(p)]
        assert partial == [], f"a reader saw a partial file: {partial}"
        looks.append(1)

    class Slow:
        """A file whose writes go out a piece at a time, the folder read after each."""

        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def write(self, data: bytes) -> int:
            view = memoryview(data)
            for start in range(0, len(view), CHUNK):
                self.handle.write(view[start : start + CHUNK])
                self.handle.flush()
                look()
            return len(view)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> Slow:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.__exit__(*exc)

    def inside(name: object) -> bool:
        return Path(os.path.realpath(name)).is_relative_to(out)  # type: ignore[arg-type]

    real_fdopen, real_open = os.fdopen, open

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        return Slow(handle) if inside(f"/proc/self/fd/{fd}") else handle

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return Slow(handle) if "w" in mode and inside(file) else handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    monkeypatch.setattr(output, "open", open_, raising=False)  # a plain open() in output.py
    result = run_cli("build", "--project", str(project), *ONE)
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    pdf = out / "east-harbor" / "en" / "wallet-card.pdf"
    # The card alone is many pieces: the folder was read while it was being written.
    assert len(looks) > pdf.stat().st_size // CHUNK > 8
    check_output(out, {"wallet-card": 2})


def test_each_rename_is_flushed_before_and_its_folder_after(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's data reaches the disk before it is renamed into place, and the folder that
    holds the new name is fsynced after the rename: without that, a power cut may forget the
    rename (and leave the old file, or none) even though the build said it was written."""
    from makeprint_engine import output

    events: list[tuple[str, Path]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}"))))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append(("replace from", Path(os.path.realpath(src))))
        real_replace(src, dst)
        events.append(("replace to", Path(os.path.realpath(dst))))

    monkeypatch.setattr(output.os, "fsync", fsync)
    monkeypatch.setattr(output.os, "replace", replace)
    result = run_cli("build", "--project", str(project), *ONE)
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    out = (project / "output").resolve()
    written = [path for kind, path in events if kind == "replace to"]
    expected = {p.resolve() for p in finished_files(out) if p.name != LOCK}
    assert set(written) == expected  # every file the build left was renamed into place
    for index, (kind, path) in enumerate(events):
        if kind == "replace from":
            assert ("fsync", path) in events[:index], f"{path.name} renamed before its fsync"
        if kind == "replace to":
            assert ("fsync", path.parent) in events[index:], f"{path.parent} not fsynced"


def test_the_lock_holder_clears_stale_temporaries(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / PARTIAL).mkdir(parents=True)
    stale = out / PARTIAL / "wallet-card.pdf.k1ll3d.tmp"
    stale.write_bytes(b"%PDF-1.7 half")
    with output_lock(out):
        assert not stale.exists()


def test_a_partial_folder_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "output"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep", encoding="utf-8")
    out.mkdir()
    (out / PARTIAL).symlink_to(elsewhere, target_is_directory=True)
    with output_lock(out):
        atomic_write(out / "card.pdf", b"%PDF")
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"]
    assert (out / "card.pdf").read_bytes() == b"%PDF"


def test_the_lock_refuses_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_lock(out):
        with pytest.raises(MakeprintError, match="another makeprint build"), output_lock(out):
            pass
        atomic_write(out / "card.pdf", b"%PDF")  # still the holder, still in .partial
    assert (out / "card.pdf").is_file()
    shutil.rmtree(out)
