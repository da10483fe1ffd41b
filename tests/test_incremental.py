"""Incremental builds: each input kind rebuilds exactly the documents it shapes, nothing else.

One small build is made per module (two locations × en, es × every material) and copied for
each test. Whether a file was rewritten is told by its inode and mtime (every write is a new
file renamed into place), and cross-checked with the build's own summary line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, copy_project, manifest, run_cli

import makeprint_engine
from makeprint_engine import fingerprint

SITES = ("riverside-clinic", "mobile-outreach")
# Rebuilding "everything" is shown on a part of the plan, to stay fast.
SMALL = ("-l", "mobile-outreach", "-m", "wallet-card", "-m", "flyer")
TINY = ("--lang", "en", "-m", "flyer")
ONE = ("-l", "mobile-outreach", "-m", "wallet-card")
SUMMARY = re.compile(r"(\d+) files written to .+ in [\d.]+ s(?: \((\d+) up to date\))?")
LOCATIONS = """\
slug,name,street,city,region,postal_code,phone,hours,services,languages,# note
riverside-clinic,Riverside Recovery Clinic,45 River Rd,Frederick,MD,21701,301-555-0178 ext. 12,\
Mon-Fri 08:00-17:00,methadone;naloxone,en;es,EXAMPLE: fictional
mobile-outreach,Westside Mobile Outreach Van,300 W Lexington St,Baltimore,MD,21201,\
+1 443 555 0190,24/7,naloxone;syringe-services,en,EXAMPLE: fictional
"""


def _trim_locations(root: Path, keep: tuple[str, ...] = SITES) -> None:
    path = root / "content" / "locations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        lines[0] + "".join(line for line in lines[1:] if line.startswith(keep)), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two locations (one in en and es, one in en), every material, built; plus a partial
    that only the flyer imports."""
    root = copy_project(tmp_path_factory.mktemp("incremental") / "proj")
    (root / "content" / "locations.csv").write_text(LOCATIONS, encoding="utf-8")
    partial = root / "templates" / "partials" / "flyer-note.html"
    partial.write_text("{% macro note() %}{% endmacro %}\n", encoding="utf-8")
    flyer = root / "templates" / "materials" / "flyer.html"
    lines = flyer.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, '{% import "partials/flyer-note.html" as flyer_note %}\n')
    flyer.write_text("".join(lines), encoding="utf-8")
    build(root)
    return root


@pytest.fixture
def proj(base: Path, tmp_path: Path) -> Path:
    """A private copy of the built base project, output and cache included."""
    return Path(shutil.copytree(base, tmp_path / "proj"))


@pytest.fixture
def fresh_versions():  # type: ignore[no-untyped-def]
    fingerprint._versions.cache_clear()
    yield
    fingerprint._versions.cache_clear()


def build(root: Path, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = run_cli("build", "--project", str(root), "-j", "1", *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def summary(result) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(files written, documents up to date) from the summary line."""
    found = SUMMARY.search(result.stdout)
    assert found, result.output
    return int(found[1]), int(found[2] or 0)


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Every file the manifest lists, with (inode, mtime): a rewrite changes both."""
    out = root / "output"
    found = {}
    for entry in manifest(root):
        stat = (out / str(entry["path"])).stat()
        found[str(entry["path"])] = (stat.st_ino, stat.st_mtime_ns)
    return found


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {path for path, stamp in after.items() if before.get(path) != stamp}


def files(root: Path, keep: Callable[[dict[str, object]], bool]) -> set[str]:
    """Manifest paths (documents and their card sheets) of the documents ``keep`` picks."""
    return {str(e["path"]) for e in manifest(root) if keep(e)}


def documents(root: Path, keep: Callable[[dict[str, object]], bool]) -> int:
    return sum(1 for e in manifest(root) if keep(e) and e["variant"] != "sheet")


def check_manifest(root: Path) -> None:
    """The manifest describes exactly the files on disk, byte for byte."""
    out = root / "output"
    entries = manifest(root)
    assert len({e["path"] for e in entries}) == len(entries)
    for entry in entries:
        data = (out / str(entry["path"])).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*.pdf") if ".partial" not in p.parts}
    assert on_disk == {e["path"] for e in entries}


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def edit_location(root: Path, old: str, new: str) -> None:
    path = root / "content" / "locations.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


Entry = dict[str, object]


def _in(*names: str) -> Callable[[Entry], bool]:
    """Documents whose location, language or material is one of ``names``."""
    return lambda e: bool({e["location"], e["lang"], e["material"]} & set(names))


def _every(entry: Entry) -> bool:
    return True


def selected(args: tuple[str, ...]) -> Callable[[Entry], bool]:
    """The documents a build with these -l/--lang/-m arguments covers."""
    keys = {"-l": "location", "--lang": "lang", "-m": "material"}
    wanted: dict[str, set[str]] = {key: set() for key in keys.values()}
    for flag, value in zip(args, args[1:], strict=False):
        if flag in keys:
            wanted[keys[flag]].add(value)
    return lambda e: all(not names or e[key] in names for key, names in wanted.items())


def expect_rebuilt(root: Path, args: tuple[str, ...], keep: Callable[[Entry], bool]):  # type: ignore[no-untyped-def]
    """Build with ``args``; exactly the selected documents ``keep`` picks must be rewritten."""
    before = stamps(root)
    result = build(root, *args)
    chosen = selected(args)
    expected = files(root, lambda e: chosen(e) and keep(e))
    assert rewritten(before, stamps(root)) == expected
    rebuilt = documents(root, lambda e: chosen(e) and keep(e))
    assert summary(result) == (len(expected), documents(root, chosen) - rebuilt)
    return result


T = "templates"
C = "content"
CHANGES = {
    # id: (change, build arguments, the documents it must rebuild)
    "location-phone": (
        lambda r: edit_location(r, "301-555-0178 ext. 12", "301-555-0179 ext. 12"),
        ("-m", "flyer"),
        _in("riverside-clinic"),
    ),
    "material-template": (
        lambda r: append(r / T / "materials" / "flyer.html", "{# edited #}\n"),
        (),
        _in("flyer"),
    ),
    "partial-every-material": (
        lambda r: append(r / T / "partials" / "blocks.html", "{# edited #}\n"),
        ("-l", "mobile-outreach"),
        _every,
    ),
    "partial-one-material": (
        lambda r: append(r / T / "partials" / "flyer-note.html", "{# edited #}\n"),
        (),
        _in("flyer"),
    ),
    "base-template": (lambda r: append(r / T / "base.html", "{# edited #}\n"), SMALL, _every),
    "base-css": (lambda r: append(r / T / "styles" / "base.css", "/* edited */\n"), SMALL, _every),
    "material-css": (
        lambda r: append(r / T / "styles" / "pamphlet.css", "/* edited */\n"),
        ("--lang", "en"),
        _in("pamphlet"),
    ),
    "material-settings": (
        lambda r: append(r / T / "materials" / "wallet-card.yaml", "# edited\n"),
        (),
        _in("wallet-card"),
    ),
    "sheet-stock": (  # the default card stock for letter paper: only wallet cards use it
        lambda r: append(r / T / "sheets" / "avery-8371.yaml", "# edited\n"),
        (),
        _in("wallet-card"),
    ),
    "label-stock": (  # the default label stock for letter paper: only kit labels use it
        lambda r: append(r / T / "sheets" / "avery-5163.yaml", "# edited\n"),
        (),
        _in("kit-label"),
    ),
    "asset": (lambda r: append(r / "assets" / "logo.svg", "<!-- edited -->\n"), SMALL, _every),
    "language-common": (
        lambda r: append(r / C / "es" / "common.yaml", "# edited\n"),
        (),
        _in("es"),
    ),
    "language-material": (
        lambda r: append(r / C / "es" / "flyer.yaml", "# edited\n"),
        (),
        lambda e: e["lang"] == "es" and e["material"] == "flyer",
    ),
    "language-settings": (
        lambda r: append(r / C / "es" / "language.yaml", "# edited\n"),
        ("-m", "flyer"),
        _in("es"),
    ),
    "organization": (lambda r: append(r / C / "organization.yaml", "# edited\n"), SMALL, _every),
    "hotlines": (lambda r: append(r / C / "hotlines.yaml", "# edited\n"), SMALL, _every),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_each_input_rebuilds_exactly_what_it_shapes(proj: Path, change) -> None:  # type: ignore[no-untyped-def]
    mutate, args, keep = change
    assert files(proj, lambda e: selected(args)(e) and keep(e)), "must shape some document"
    mutate(proj)
    expect_rebuilt(proj, args, keep)
    check_manifest(proj)
    assert summary(build(proj, *args))[0] == 0  # and now it is current again


def test_no_change_rebuild_writes_nothing(proj: Path) -> None:
    before = stamps(proj)
    result = build(proj)
    assert summary(result) == (0, documents(proj, _every))
    assert "0 files written" in result.stdout
    assert stamps(proj) == before


def _touch_everything(root: Path) -> None:
    for folder in ("templates", "content", "assets"):
        for path in (root / folder).rglob("*"):
            if path.is_file():
                os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))


def _reorder_rows(root: Path) -> None:
    path = root / "content" / "locations.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(header + "".join(reversed(rows)), encoding="utf-8")


NO_CHANGES = {
    "touch-every-input": _touch_everything,
    "location-note-column": lambda r: edit_location(r, "EXAMPLE: fictional", "NOTE: fictional"),
    "location-row-order": _reorder_rows,
    "language-not-built": lambda r: append(r / C / "vi" / "common.yaml", "# edited\n"),
    "stylesheet-of-rtl-only": lambda r: append(r / T / "styles" / "rtl.css", "/* edited */\n"),
    "other-sheet-stock": lambda r: append(r / T / "sheets" / "a4-10up-85x55.yaml", "# edited\n"),
}


@pytest.mark.parametrize("change", NO_CHANGES.values(), ids=NO_CHANGES.keys())
def test_what_shapes_nothing_rebuilds_nothing(proj: Path, change) -> None:  # type: ignore[no-untyped-def]
    before = stamps(proj)
    change(proj)
    assert summary(build(proj)) == (0, documents(proj, _every))
    assert stamps(proj) == before


def test_right_to_left_stylesheet_rebuilds_right_to_left_languages(project: Path) -> None:
    """rtl.css shapes only right-to-left languages (ar here)."""
    (project / C / "locations.csv").write_text(
        LOCATIONS.replace("methadone;naloxone,en;es", "methadone;naloxone,en;ar"), encoding="utf-8"
    )
    args = ("-l", "riverside-clinic", "-m", "wallet-card")
    build(project, *args)
    append(project / T / "styles" / "rtl.css", "/* edited */\n")
    expect_rebuilt(project, args, _in("ar"))


def test_profile_writes_its_own_files_and_keeps_the_others(proj: Path) -> None:
    before = stamps(proj)
    cards = ("--lang", "en", "-m", "wallet-card")
    result = build(proj, "--profile", "press", *cards)
    after = stamps(proj)
    press = {p for p in after if p.endswith("-press.pdf")}
    assert press == {f"{site}/en/wallet-card-press.pdf" for site in SITES}  # no card sheets
    assert rewritten(before, after) == press  # office files untouched, and not removed
    assert summary(result) == (len(press), 0)
    assert summary(build(proj, "--profile", "press", *cards)) == (0, len(press))
    assert summary(build(proj))[0] == 0  # the office files are still current
    check_manifest(proj)


def test_build_option_rebuilds_everything(proj: Path) -> None:
    expect_rebuilt(proj, ("--no-tags", *SMALL), _every)
    assert summary(build(proj, "--no-tags", *SMALL))[0] == 0


@pytest.mark.parametrize("package", ["makeprint", "weasyprint"])
def test_new_version_rebuilds_everything(
    proj: Path, package: str, monkeypatch: pytest.MonkeyPatch, fresh_versions: None
) -> None:
    if package == "makeprint":
        monkeypatch.setattr(makeprint_engine, "__version__", "99.0.0")
    else:
        real = fingerprint.importlib.metadata.version
        monkeypatch.setattr(
            fingerprint.importlib.metadata,
            "version",
            lambda name: "99.0" if name == "weasyprint" else real(name),
        )
    fingerprint._versions.cache_clear()
    assert f"{package} 99." in fingerprint._versions()
    expect_rebuilt(proj, TINY, _every)


def test_force_rebuilds_everything(proj: Path) -> None:
    expect_rebuilt(proj, ("--force", *TINY), _every)
    check_manifest(proj)


def test_removed_location_removes_its_outputs_and_lists_them(proj: Path) -> None:
    gone = files(proj, _in("mobile-outreach"))
    kept = files(proj, lambda e: e["location"] != "mobile-outreach")
    before = stamps(proj)
    _trim_locations(proj, ("riverside-clinic",))
    result = build(proj)
    assert summary(result) == (0, documents(proj, _every))
    listed = set(re.findall(r"^removed (\S+)", result.stderr, re.MULTILINE))
    assert listed == gone
    for path in gone:
        assert not (proj / "output" / path).exists()
    assert set(stamps(proj)) == kept
    assert rewritten(before, stamps(proj)) == set()
    check_manifest(proj)
    cache = json.loads((proj / "output" / fingerprint.CACHE).read_text(encoding="utf-8"))
    assert not [path for path in cache if path.startswith("mobile-outreach/")]
    assert "removed" not in build(proj).stderr  # listed once


def test_removed_language_of_a_location_removes_its_outputs(proj: Path) -> None:
    before = stamps(proj)
    gone = files(proj, lambda e: e["location"] == "riverside-clinic" and e["lang"] == "es")
    edit_location(proj, "methadone;naloxone,en;es", "methadone;naloxone,en")
    result = build(proj, "-m", "flyer")  # removal follows the plan, not the selection
    listed = set(re.findall(r"^removed (\S+)", result.stderr, re.MULTILINE))
    assert listed == gone
    assert not list((proj / "output" / "riverside-clinic" / "es").glob("*.pdf"))
    # the row changed, so the location's remaining documents are rebuilt; the other's are not
    assert rewritten(before, stamps(proj)) == {"riverside-clinic/en/flyer.pdf"}
    check_manifest(proj)


CORRUPT = {
    "garbage-bytes": b"\x00\xff\xfe garbage \x9c\x00" * 50,
    "truncated-json": b'{"riverside-clinic/en/flyer.pdf": {"fp": "ab',
    "json-list": b"[1, 2, 3]",
    "json-null": b"null",
    "entries-not-objects": b'{"riverside-clinic/en/flyer.pdf": 5, "x": [1]}',
    "fingerprint-not-a-string": b'{"riverside-clinic/en/flyer.pdf": {"fp": 5}}',
}


@pytest.mark.parametrize("data", CORRUPT.values(), ids=CORRUPT.keys())
def test_unreadable_cache_means_a_full_rebuild(proj: Path, data: bytes) -> None:
    (proj / "output" / fingerprint.CACHE).write_bytes(data)
    expect_rebuilt(proj, TINY, _every)
    assert summary(build(proj, *TINY))[0] == 0  # and a good cache was written


@pytest.mark.parametrize("extras", [5, None, "wallet-card-sheet.pdf", [1, None]])
def test_cache_entries_of_the_wrong_shape_are_rebuilt_not_errors(
    proj: Path, extras: object
) -> None:
    """The right fingerprints but a garbled list of extra files: rebuilt, not a crash."""
    path = proj / "output" / fingerprint.CACHE
    cache = json.loads(path.read_text(encoding="utf-8"))
    for entry in cache.values():
        entry["extras"] = extras
    path.write_text(json.dumps(cache), encoding="utf-8")
    expect_rebuilt(proj, ONE, _every)
    assert summary(build(proj, *ONE))[0] == 0


@pytest.mark.parametrize("what", ["file", "folder"])
def test_deleted_cache_means_a_full_rebuild(proj: Path, what: str) -> None:
    cache = proj / "output" / fingerprint.CACHE
    cache.unlink() if what == "file" else shutil.rmtree(cache.parent)
    expect_rebuilt(proj, TINY, _every)


def test_corrupt_manifest_means_a_rebuild_not_an_error(proj: Path) -> None:
    (proj / "output" / "manifest.json").write_bytes(b"\x00not json")
    result = build(proj, *TINY)
    assert summary(result) == (len(SITES), 0)  # the manifest vouches for no file
    assert {e["path"] for e in manifest(proj)} == {f"{site}/en/flyer.pdf" for site in SITES}


@pytest.mark.parametrize(
    "victim", ["riverside-clinic/es/flyer.pdf", "mobile-outreach/en/wallet-card-sheet.pdf"]
)
def test_deleted_output_is_rebuilt(proj: Path, victim: str) -> None:
    before = stamps(proj)
    (proj / "output" / victim).unlink()
    result = build(proj)
    expected = {victim, victim.replace("-sheet", "")}  # a card and its sheet go together
    assert rewritten(before, stamps(proj)) == expected
    assert summary(result) == (len(expected), documents(proj, _every) - 1)
    check_manifest(proj)


FINGERPRINT_EVERY_JOB = """
import sys
from pathlib import Path
from makeprint_engine import load_project, plan_jobs, Selection, Options
from makeprint_engine.fingerprint import Fingerprints, read_cache
project = load_project(Path(sys.argv[1]))
for options in (Options(), Options(profile="press", tagged=False)):
    prints = Fingerprints(project, options)
    jobs = plan_jobs(project, Selection(), options.profile)
    values = {job: prints.job(job) for job in jobs}
    assert len(set(values.values())) == len(jobs), "every document has its own fingerprint"
read_cache(Path(sys.argv[1]) / "output")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("weasyprint", "pydyf", "tinycss2"))
assert not loaded, loaded
print(len(jobs), "jobs")
"""


def test_fingerprints_do_not_import_weasyprint(proj: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FINGERPRINT_EVERY_JOB, str(proj)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{documents(proj, _every)} jobs"
