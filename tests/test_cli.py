"""The command line through click's runner: help, list, usage errors, new, build summaries."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import REPO, copy_project, run_cli

import makeprint
import makeprint_engine

SAMPLE_SLUGS = ("east-harbor", "riverside-clinic", "mobile-outreach")
SAMPLE_MATERIALS = ("flyer", "kit-label", "pamphlet", "wallet-card")
# "N files written to WHERE in X s", then optionally " (M up to date)" and "; K failed".
SUMMARY = re.compile(
    r"^(?P<written>\d+) files written to (?P<where>.+?) in (?P<seconds>\d+\.\d) s"
    r"(?: \((?P<skipped>\d+) up to date\))?(?:; (?P<failed>\d+) failed)?$",
    re.M,
)


def summary(output: str) -> dict[str, str | None]:
    """The one summary line of a build, parsed; exactly one must be present."""
    found = list(SUMMARY.finditer(output))
    assert len(found) == 1, output
    return found[0].groupdict()


def command_paths(
    group: click.Group = makeprint.cli, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Every command below ``group``, subcommands of nested groups included, as argv prefixes."""
    ctx = click.Context(group, info_name="makeprint")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = makeprint.cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, path
        command = found
    return command


# ---------------------------------------------------------------------------------------- help


@pytest.mark.parametrize("path", [(), *command_paths()], ids=lambda p: " ".join(p) or "makeprint")
def test_every_command_has_help_and_an_example(path: tuple[str, ...]) -> None:
    command = command_at(path)
    assert command.help and command.help.strip(), f"{path} has no docstring / help text"
    result = run_cli(*path, "--help")
    assert result.exit_code == 0, result.output
    first_line = command.help.strip().splitlines()[0]
    assert " ".join(first_line.split()[:4]) in " ".join(result.output.split())
    assert "Example:" in result.output, f"'{' '.join(path)} --help' has no Example: block"
    example = result.output.split("Example:", 1)[1].splitlines()[1:]
    commands = [line.strip() for line in example if line.strip().startswith("makeprint")]
    assert commands, f"the Example: block of {path} shows no makeprint command"
    if path:  # an example of a subcommand uses that subcommand
        assert any(line.split()[1 : 1 + len(path)] == list(path) for line in commands), commands


def test_commands_are_discovered() -> None:
    # The walk above must see the real commands (others are added later without test edits).
    assert {"build", "list", "new"} <= {p[0] for p in command_paths()}


def test_short_help_option() -> None:
    assert run_cli("-h").output == run_cli("--help").output


# ---------------------------------------------------------------------------------------- list


def test_list_shows_locations_languages_and_materials(project: Path) -> None:
    result = run_cli("list", "--project", str(project))
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in ("Locations", "Languages", "Materials"):
        assert heading in out
    locations = out.split("Languages")[0]
    for slug in SAMPLE_SLUGS:
        assert re.search(rf"^\s+{slug}\s", locations, re.M), slug
    assert re.search(r"^\s+en\s.*\bsource\b", out, re.M), out
    assert re.search(r"^\s+es\s.*\bdraft\b", out, re.M), out
    materials = out.split("Materials")[1]
    for material in SAMPLE_MATERIALS:
        assert re.search(rf"^\s+{material}\s", materials, re.M), material
    assert "Traceback" not in out


def test_list_from_inside_the_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = run_cli("list")
    assert result.exit_code == 0, result.output
    assert all(slug in result.output for slug in SAMPLE_SLUGS)


# ------------------------------------------------------------------------- version and usage


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"makeprint, version {makeprint_engine.__version__}"
    with open(REPO / "pyproject.toml", "rb") as handle:
        packaged = tomllib.load(handle)["project"]["version"]
    assert makeprint_engine.__version__ == packaged


@pytest.mark.parametrize(
    "args",
    [
        ("--no-such-option",),
        ("no-such-command",),
        ("build", "--no-such-option"),
        ("build", "-l"),  # option without its value
        ("new",),  # missing argument
    ],
    ids=" ".join,
)
def test_wrong_usage_exits_2(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output
    assert "Traceback" not in result.output


def test_unknown_location_lists_the_valid_ones(project: Path) -> None:
    result = run_cli("build", "--project", str(project), "-l", "no-such-place")
    assert result.exit_code == 1, result.output
    assert "no-such-place" in result.output
    for slug in SAMPLE_SLUGS:
        assert slug in result.output
    assert "Traceback" not in result.output
    assert not (project / "output").exists()


@pytest.mark.parametrize("args", [("build",), ("list",), ("build", "-m", "flyer")], ids=" ".join)
def test_not_a_project(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args)
    assert result.exit_code == 1, result.output
    assert "content/organization.yaml" in result.output
    assert "makeprint new" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_project_option_naming_a_non_project(tmp_path: Path) -> None:
    result = run_cli("list", "--project", str(tmp_path))
    assert result.exit_code == 1, result.output
    assert "content/organization.yaml" in result.output
    assert "makeprint new" in result.output


# ----------------------------------------------------------------------------------------- new


def test_new_creates_a_project_that_builds(tmp_path: Path) -> None:
    target = tmp_path / "my-center"
    result = run_cli("new", str(target))
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    for part in ("templates", "content", "assets"):
        assert (target / part).is_dir(), part
    assert (target / "content" / "organization.yaml").is_file()
    assert "output/" in (target / ".gitignore").read_text(encoding="utf-8").split()
    result = run_cli("build", "--project", str(target), "-m", "wallet-card", "--lang", "en")
    assert result.exit_code == 0, result.output
    for slug in SAMPLE_SLUGS:
        assert (target / "output" / slug / "en" / "wallet-card.pdf").is_file()


def test_new_into_an_existing_empty_folder(tmp_path: Path) -> None:
    result = run_cli("new", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "content" / "organization.yaml").is_file()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("new", str(target))
    assert result.exit_code == 1, result.output
    assert "not empty" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_new_relative_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "here")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "here" / "templates").is_dir()


# ------------------------------------------------------------------------------- build summary


def test_build_prints_one_line_summary(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "proofs"
    result = run_cli(
        "build", "--project", str(project), "-m", "wallet-card", "--lang", "en", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    line = summary(result.output)
    # Each wallet card is written twice: the card, and the sheet of ten for card stock.
    assert int(str(line["written"])) == 2 * len(SAMPLE_SLUGS)
    assert Path(str(line["where"])) == out
    assert line["failed"] is None
    assert "failed" not in result.output
    assert len(list(out.rglob("*.pdf"))) == 2 * len(SAMPLE_SLUGS)


def test_summary_names_output_relative_to_cwd(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    result = run_cli("build", "-l", "east-harbor", "--lang", "es", "-m", "flyer")
    assert result.exit_code == 0, result.output
    line = summary(result.output)
    assert (line["written"], line["where"]) == ("1", "output"), result.output


def test_failed_document_gives_exit_1_and_failed_in_summary(project: Path) -> None:
    csv_path = project / "content" / "locations.csv"
    text = csv_path.read_text(encoding="utf-8")
    # Valid hours, far too many for a wallet card: that document fails, the others are written.
    spans = "06:00-07:00,08:00-09:00,10:00-11:00,12:00-13:00"
    many = "; ".join(f"{day} {spans}" for day in ("Mon", "Tue", "Wed", "Thu", "Fri"))
    changed = text.replace("Mon-Fri 09:00-17:00; Sat 10:00-14:00", f'"{many}"')
    assert changed != text
    csv_path.write_text(changed, encoding="utf-8")
    result = run_cli("build", "--project", str(project), "-m", "wallet-card", "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "failed" in result.output
    assert "east-harbor / en / wallet-card" in result.output
    line = summary(result.output)
    written = str(2 * (len(SAMPLE_SLUGS) - 1))  # card and sheet for each good location
    assert (line["written"], line["failed"]) == (written, "1"), result.output
    assert "Traceback" not in result.output


def test_runner_separates_stderr_for_errors(project: Path) -> None:
    # Errors go to stderr, so scripts reading stdout do not get them.
    result = CliRunner().invoke(
        makeprint.cli, ["build", "--project", str(project), "-l", "nowhere"], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "nowhere" in result.stderr
    assert "nowhere" not in result.stdout


# ------------------------------------------------------------------------------------ packaging


@pytest.mark.slow
def test_wheel_ships_cli_engine_and_skeleton(tmp_path: Path) -> None:
    """The wheel holds makeprint.py, the engine and the skeleton `makeprint new` copies."""
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("makeprint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "makeprint = makeprint:main" in archive.read(entry_points).decode()
        site = tmp_path / "site"
        archive.extractall(site)
    assert "makeprint.py" in names
    for module in ("__init__", "build", "project", "render", "scaffold", "preflight/__init__"):
        assert f"makeprint_engine/{module}.py" in names
    # The preflight package and the report schema it reads (``makeprint check --format json``).
    preflight = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "makeprint_engine" / "preflight").iterdir()
        if p.is_file() and p.suffix in (".py", ".json")
    }
    assert "makeprint_engine/preflight/preflight-report.schema.json" in preflight
    assert preflight <= names, f"preflight files missing from the wheel: {preflight - names}"
    skeleton = "makeprint_engine/_skeleton"
    for part in ("templates", "content", "assets"):
        source = {
            p.relative_to(REPO).as_posix()
            for p in (REPO / part).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        shipped = {
            n.removeprefix(f"{skeleton}/") for n in names if n.startswith(f"{skeleton}/{part}/")
        }
        assert source <= shipped, f"{part}/ files missing from the wheel: {source - shipped}"
    assert f"{skeleton}/content/organization.yaml" in names
    assert f"{skeleton}/templates/base.html" in names
    assert not any(n.startswith(("output/", "tests/", ".venv/")) or "/output/" in n for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)

    # Imported from the unpacked wheel (not the checkout), from a folder that is no project:
    # the skeleton is found inside the package, and `makeprint new` from it gives a project
    # the engine loads.
    new = tmp_path / "fresh"
    script = f"""
import sys
sys.path.insert(0, {str(site)!r})
from pathlib import Path
import makeprint_engine.scaffold as s
from makeprint_engine import load_project, new_project
print(s.__file__)
print(s.shipped_root())
project = load_project(new_project(Path({str(new)!r})))
print(len(project.locations), sorted(project.materials), sorted(project.languages))
"""
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd="/", timeout=120
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    module_file, root, summary = ran.stdout.strip().splitlines()
    assert Path(module_file).is_relative_to(site)
    assert Path(root) == (site / skeleton).resolve()
    sample = makeprint_engine.load_project(
        copy_project(tmp_path / "sample", poster=True, directory=True))
    assert summary == (
        f"{len(sample.locations)} {sorted(sample.materials)} {sorted(sample.languages)}"
    )
    for part in ("templates", "content", "assets"):
        assert (new / part).is_dir()
    assert (new / ".gitignore").is_file()

    # The console script's target runs from the wheel too.
    cli = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(site)!r}); import makeprint; makeprint.main()",
            "list",
            "--project",
            str(new),
        ],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=120,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert all(slug in cli.stdout for slug in SAMPLE_SLUGS)
