"""Ctrl-C during a build: exit code 130, finished files kept and recorded, nothing partial left,
and the next build finishes the rest without redoing what was done."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from conftest import REPO, copy_project

from makeprint_engine import Selection, load_project, plan_jobs

pytestmark = pytest.mark.slow

LOCATIONS = """\
slug,name,street,city,region,postal_code,phone,hours,services,languages
riverside-clinic,Riverside Recovery Clinic,45 River Rd,Frederick,MD,21701,301-555-0178 ext. 12,\
Mon-Fri 08:00-17:00,methadone;naloxone,en;es
mobile-outreach,Westside Mobile Outreach Van,300 W Lexington St,Baltimore,MD,21201,\
+1 443 555 0190,24/7,naloxone;syringe-services,en;es
"""
OWN_FILES = {"manifest.json", ".makeprint.lock", ".cache/fingerprints.json", "index.html"}
OWN_FOLDERS = {"thumbs", ".partial"}  # the contact sheet's thumbnails; temporaries


@pytest.fixture(autouse=True)
def ctrl_c_reaches_the_build() -> Iterator[None]:
    """As from a terminal. A suite started as a background job (`cmd &` in a script) has
    SIGINT ignored, and every build started here would inherit that and never stop."""
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    yield
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    signal.signal(signal.SIGINT, handler)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Two locations in two languages: a dozen documents, a few seconds of work."""
    root = copy_project(tmp_path / "proj")
    (root / "content" / "locations.csv").write_text(LOCATIONS, encoding="utf-8")
    return root


def expected(root: Path) -> tuple[dict[str, int], int]:
    """(pages of every file the plan makes, by path; the number of documents)."""
    project = load_project(root)
    pages = {}
    jobs = plan_jobs(project, Selection())
    for job in jobs:
        material = project.materials[job.material]
        pages[job.relpath] = material.pages
        if material.stock:  # cards: a front sheet and a back sheet; labels: one sheet
            pages[job.sibling("sheet")] = 2 if material.stock == "cards" else 1
    return pages, len(jobs)


def command(root: Path, jobs: int) -> list[str]:
    return [sys.executable, "makeprint.py", "build", "--project", str(root), "-j", str(jobs)]


def finished_pdfs(out: Path) -> set[str]:
    if not out.is_dir():
        return set()
    return {str(p.relative_to(out)) for p in out.rglob("*.pdf") if ".partial" not in p.parts}


def interrupt_after_first_pdf(root: Path, jobs: int) -> subprocess.CompletedProcess[str]:
    """Start a build in its own process group, Ctrl-C it (SIGINT to the whole group, as a
    terminal does) as soon as a finished PDF appears."""
    out = root / "output"
    proc = subprocess.Popen(
        command(root, jobs), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not finished_pdfs(out):
            if proc.poll() is not None:
                stdout, stderr = proc.communicate()
                pytest.fail(f"the build ended before writing anything:\n{stdout}\n{stderr}")
            assert time.monotonic() < deadline, "no PDF after 120 s"
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)
        sent = time.monotonic()
        stdout, stderr = proc.communicate(timeout=60)
        assert time.monotonic() - sent < 30, "the build took too long to stop"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def check_left_behind(out: Path, pages: dict[str, int]) -> list[dict[str, object]]:
    """Every file in the output is finished, readable and recorded; temporaries are not PDFs
    and live in .partial only."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    recorded = {str(e["path"]): e for e in manifest}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out)
        name = str(relative)
        if path.is_dir() or name in OWN_FILES or name in recorded:
            continue
        assert relative.parts[0] in OWN_FOLDERS, f"stray file left in the output: {name}"
        assert not name.endswith(".pdf"), f"a temporary with a finished file's name: {name}"
        assert relative.parts[0] != ".partial" or name.endswith(".tmp"), name
    assert finished_pdfs(out) == set(recorded), "the manifest lists exactly the finished files"
    for name, entry in recorded.items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        reader = pypdf.PdfReader(out / name)
        assert len(reader.pages) == entry["pages"] == pages[name], name
    cache = json.loads((out / ".cache" / "fingerprints.json").read_text(encoding="utf-8"))
    documents = {name for name, entry in recorded.items() if entry["variant"] != "sheet"}
    assert set(cache) == documents  # exactly the finished documents will be skipped
    return manifest


@pytest.mark.parametrize("jobs", [2, 1])
def test_interrupted_build_keeps_finished_files_and_resumes(small: Path, jobs: int) -> None:
    out = small / "output"
    pages, total = expected(small)
    interrupted = interrupt_after_first_pdf(small, jobs)
    assert interrupted.returncode == 130, interrupted.stderr
    assert "interrupted" in interrupted.stderr
    assert "Traceback" not in interrupted.stderr
    assert "KeyboardInterrupt" not in interrupted.stderr
    manifest = check_left_behind(out, pages)
    done = [e for e in manifest if e["variant"] != "sheet"]
    assert 1 <= len(done) < total, "interrupted between the first and the last document"
    stamps = {str(e["path"]): (out / str(e["path"])).stat().st_mtime_ns for e in manifest}

    rerun = subprocess.run(
        command(small, jobs), cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    found = re.search(r"(\d+) files written to .+ \((\d+) up to date\)", rerun.stdout)
    assert found, rerun.stdout
    assert int(found[2]) == len(done)
    assert int(found[1]) == len(pages) - len(manifest)
    for name, mtime in stamps.items():  # what was finished was not redone
        assert (out / name).stat().st_mtime_ns == mtime, name
    final = check_left_behind(out, pages)
    assert {str(e["path"]) for e in final} == set(pages)  # everything, each once


@pytest.mark.parametrize("after", [0.4, 0.7, 1.0])
def test_ctrl_c_while_the_workers_start_is_quiet(small: Path, after: float) -> None:
    """Ctrl-C in the first second, while the fork server and workers are importing: the
    build stops with 130 and no process prints a KeyboardInterrupt traceback."""
    proc = subprocess.Popen(
        command(small, 2), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(after)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    if (small / "output" / "manifest.json").is_file():  # whatever was finished is whole
        check_left_behind(small / "output", expected(small)[0])
