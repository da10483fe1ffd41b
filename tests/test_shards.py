"""Sharded builds: every document in exactly one balanced part, parts joined into one manifest,
and the GitHub Actions workflow that runs them checked and replayed locally."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_project, run_cli

from makeprint_engine import MakeprintError, Selection, load_project, parse_shard, plan_jobs
from makeprint_engine.plan import Job, shard_jobs
from makeprint_engine.project import Project

WORKFLOW = REPO / ".github" / "workflows" / "build-materials.yml"
SELECTION = ("--lang", "en", "-m", "wallet-card", "-m", "flyer")  # six documents, two costs


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return load_project(copy_project(tmp_path_factory.mktemp("sample") / "proj"))


@pytest.fixture(scope="module")
def big_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with 40 generated locations (varied, in en and es)."""
    root = copy_project(tmp_path_factory.mktemp("big") / "proj")
    _bench().make_locations(root / "content" / "locations.csv", 40)
    return root


@pytest.fixture(scope="module")
def big(big_root: Path) -> Project:
    return load_project(big_root)


def cost(project: Project, jobs: list[Job]) -> float:
    return sum(project.materials[job.material].cost for job in jobs)


@pytest.mark.parametrize("which", ["sample", "big"])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_every_document_in_exactly_one_balanced_shard(
    which: str, n: int, request: pytest.FixtureRequest
) -> None:
    project: Project = request.getfixturevalue(which)
    jobs = plan_jobs(project, Selection())
    per_location = sum(len(loc.languages) for loc in project.locations)
    assert len(jobs) == per_location * len(project.materials)
    assert which == "sample" or len(jobs) == 40 * 2 * len(project.materials)
    parts = [shard_jobs(jobs, project, k, n) for k in range(1, n + 1)]
    counts = Counter(job for part in parts for job in part)
    assert set(counts) == set(jobs)
    assert set(counts.values()) == {1}
    for part in parts:
        assert part, "no shard is empty while there are more documents than shards"
        assert part == [job for job in jobs if job in part]  # in plan order
    # deterministic: the same parts on every call (every runner computes them on its own)
    assert parts == [shard_jobs(list(jobs), project, k, n) for k in range(1, n + 1)]
    # balanced by cost: no part is more than one document's cost above another
    costs = [cost(project, part) for part in parts]
    largest = max(project.materials[job.material].cost for job in jobs)
    assert max(costs) - min(costs) <= largest


def test_shards_balance_cost_not_count(big: Project) -> None:
    """Three pamphlets (cost 5) and five wallet cards (cost 1): two pamphlets are as much work
    as one pamphlet and five cards."""
    jobs = plan_jobs(big, Selection(languages=("en",)))
    jobs = [j for j in jobs if j.material == "pamphlet"][:3] + [
        j for j in jobs if j.material == "wallet-card"
    ][:5]
    parts = [shard_jobs(jobs, big, k, 2) for k in (1, 2)]
    assert [cost(big, part) for part in parts] == [10, 10]
    assert sorted(len(part) for part in parts) == [2, 6]


SHARDS_IN_A_FRESH_PROCESS = """
import json, sys
from pathlib import Path
from makeprint_engine import Selection, load_project, plan_jobs
from makeprint_engine.plan import shard_jobs
project = load_project(Path(sys.argv[1]))
jobs = plan_jobs(project, Selection())
print(json.dumps([[j.relpath for j in shard_jobs(jobs, project, k, 3)] for k in (1, 2, 3)]))
"""


def test_shards_are_the_same_in_every_process(big_root: Path, big: Project) -> None:
    """Runners are separate machines: the split must not depend on hash seeds or anything
    else that differs between processes."""
    jobs = plan_jobs(big, Selection())
    here = [[j.relpath for j in shard_jobs(jobs, big, k, 3)] for k in (1, 2, 3)]
    for seed in ("1", "12345"):
        proc = subprocess.run(
            [sys.executable, "-c", SHARDS_IN_A_FRESH_PROCESS, str(big_root)],
            cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == here


@pytest.mark.parametrize("text", ["1/1", "1/4", "4/4", "2/5"])
def test_parse_shard(text: str) -> None:
    k, n = text.split("/")
    assert parse_shard(text) == (int(k), int(n))


@pytest.mark.parametrize(
    "text", ["0/2", "3/2", "x", "", "2", "1/0", "-1/2", "1/2/3", "a/b", "1/", "/2", "²/3", "1/2 "]
)
def test_parse_shard_refuses_what_is_not_a_shard(text: str) -> None:
    with pytest.raises(MakeprintError) as caught:
        parse_shard(text)
    problem = caught.value.problems[0]
    assert "is not a shard" in problem.message
    assert problem.hint and "K/N" in problem.hint


@pytest.mark.parametrize("text", ["0/2", "3/2", "x"])
def test_build_with_a_bad_shard_is_a_clear_error(project: Path, text: str) -> None:
    result = run_cli("build", "--project", str(project), "--shard", text)
    assert result.exit_code == 1
    assert f'"{text}" is not a shard' in result.stderr
    assert "K/N" in result.stderr
    assert not (project / "output").exists() or not list((project / "output").rglob("*.pdf"))


def entries(out: Path, name: str = "manifest.json") -> list[dict[str, object]]:
    return json.loads((out / name).read_text(encoding="utf-8"))["files"]


def build(root: Path, out: Path, *args: str) -> None:
    result = run_cli("build", "--project", str(root), "--out", str(out), "-j", "1", *args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(project, output of --shard 1/2 then 2/2 merged, output of one unsharded build)."""
    base = tmp_path_factory.mktemp("sharded")
    root = copy_project(base / "proj")
    build(root, base / "parts", *SELECTION, "--shard", "1/2")
    build(root, base / "parts", *SELECTION, "--shard", "2/2")
    result = run_cli("merge-manifests", "--out", str(base / "parts"))
    assert result.exit_code == 0, result.output
    assert "files from 2 manifest parts" in result.stdout, result.output
    build(root, base / "whole", *SELECTION)
    return root, base / "parts", base / "whole"


def test_merged_manifest_equals_an_unsharded_build(sharded: tuple[Path, Path, Path]) -> None:
    _root, parts, whole = sharded
    merged = entries(parts)
    assert merged == entries(whole)  # same paths, sha256, pages, QR text: same bytes
    for entry in merged:
        data = (parts / str(entry["path"])).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    one, two = (
        entries(parts, "manifest.part-1-of-2.json"),
        entries(parts, "manifest.part-2-of-2.json"),
    )
    assert one and two
    assert not {e["path"] for e in one} & {e["path"] for e in two}
    assert sorted(one + two, key=lambda e: str(e["path"])) == merged


def test_merge_rewrites_the_contact_sheet_for_every_part(sharded: tuple[Path, Path, Path]) -> None:
    """Each shard wrote index.html for its own part; the merge lists every document."""
    from urllib.parse import quote

    _root, parts, _whole = sharded
    page = (parts / "index.html").read_text(encoding="utf-8")
    for entry in entries(parts):
        path = str(entry["path"])
        assert path in page or quote(path) in page, path


def test_merged_output_is_up_to_date_for_an_unsharded_build(
    sharded: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    root, parts, _whole = sharded
    out = Path(shutil.copytree(parts, tmp_path / "out"))
    result = run_cli("build", "--project", str(root), "--out", str(out), "-j", "1", *SELECTION)
    assert result.exit_code == 0, result.output
    documents = len([e for e in entries(parts) if e["variant"] != "sheet"])
    assert re.search(rf"\b0 files written .*\({documents} up to date\)", result.stdout)


def test_merge_with_a_missing_part_fails_clearly(
    sharded: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    out = Path(shutil.copytree(sharded[1], tmp_path / "out"))
    (out / "manifest.json").unlink()
    (out / "manifest.part-2-of-2.json").unlink()
    result = run_cli("merge-manifests", "--out", str(out))
    assert result.exit_code == 1
    assert "manifest parts 2 of 2 are missing" in result.stderr
    assert "build the missing shards" in result.stderr
    assert "Traceback" not in result.output
    assert not (out / "manifest.json").exists()


def test_merge_of_parts_from_different_splits_fails_clearly(
    sharded: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    out = Path(shutil.copytree(sharded[1], tmp_path / "out"))
    shutil.copy(out / "manifest.part-1-of-2.json", out / "manifest.part-1-of-3.json")
    result = run_cli("merge-manifests", "--out", str(out))
    assert result.exit_code == 1
    assert "manifest parts come from different splits" in result.stderr
    assert "Traceback" not in result.output


def test_merge_without_parts_fails_clearly(tmp_path: Path) -> None:
    result = run_cli("merge-manifests", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no manifest parts found" in result.stderr
    assert "--shard K/N" in result.stderr


# --- the GitHub Actions workflow ------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict[object, object]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps(workflow: dict[object, object], job: str) -> list[dict[str, object]]:
    return workflow["jobs"][job]["steps"]  # type: ignore[index]


def _runs(workflow: dict[object, object], job: str, command: str) -> list[str]:
    """The lines of ``run:`` scripts in ``job`` that start with ``command``."""
    return [
        line.strip()
        for step in _steps(workflow, job)
        for line in str(step.get("run", "")).splitlines()
        if line.strip().startswith(command)
    ]


def _uses(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [str(node["uses"])] if "uses" in node else []
        return found + [u for value in node.values() for u in _uses(value)]
    if isinstance(node, list):
        return [u for value in node for u in _uses(value)]
    return []


def test_workflow_triggers(workflow: dict[object, object]) -> None:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict)
    push = triggers["push"]
    assert push["branches"] == ["main"]
    assert set(push["paths"]) == {"templates/**", "content/**", "assets/**"}
    assert "workflow_dispatch" in triggers


def test_workflow_matrix_matches_the_shard_count(workflow: dict[object, object]) -> None:
    build_job = workflow["jobs"]["build"]  # type: ignore[index]
    assert build_job["runs-on"] == "ubuntu-latest"
    shards = build_job["strategy"]["matrix"]["shard"]
    commands = _runs(workflow, "build", "makeprint build")
    assert len(commands) == 1
    found = re.search(r"--shard \$\{\{ matrix\.shard \}\}/(\d+)\b", commands[0])
    assert found, commands[0]
    assert shards == list(range(1, int(found[1]) + 1))
    setup = [
        s
        for s in _steps(workflow, "build")
        if str(s.get("uses", "")).startswith("actions/setup-python@")
    ]
    assert setup and str(setup[0]["with"]["python-version"]) == "3.11"  # type: ignore[index]
    installs = " ".join(str(s.get("run", "")) for s in _steps(workflow, "build"))
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0",
                    "fonts-noto-core", "fonts-noto-cjk"):  # fmt: skip
        assert package in installs
    uploads = [s for s in _steps(workflow, "build") if "upload-artifact" in str(s.get("uses"))]
    assert uploads[0]["with"]["name"] == "materials-shard-${{ matrix.shard }}"  # type: ignore[index]
    assert uploads[0]["with"]["path"] in ("output", "output/")  # type: ignore[index]


def test_workflow_merge_job(workflow: dict[object, object]) -> None:
    merge = workflow["jobs"]["merge"]  # type: ignore[index]
    assert merge["needs"] in ("build", ["build"])
    downloads = [s for s in merge["steps"] if "download-artifact" in str(s.get("uses"))]
    assert downloads[0]["with"]["pattern"] == "materials-shard-*"
    assert downloads[0]["with"]["merge-multiple"] is True
    assert downloads[0]["with"]["path"] in ("output", "output/")
    assert _runs(workflow, "merge", "makeprint merge-manifests") == [
        "makeprint merge-manifests --out output"
    ]
    assert _runs(workflow, "merge", "pip install") == ["pip install ."]
    uploads = [s for s in merge["steps"] if "upload-artifact" in str(s.get("uses"))]
    assert uploads[-1]["with"]["name"] == "materials"


def test_workflow_actions_are_pinned_to_a_major_version(workflow: dict[object, object]) -> None:
    uses = _uses(workflow["jobs"])
    assert {u.split("@")[0] for u in uses} >= {
        "actions/checkout", "actions/setup-python", "actions/upload-artifact",
        "actions/download-artifact",
    }  # fmt: skip
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", action), action
    assert "actions/upload-artifact@v4" in uses and "actions/download-artifact@v4" in uses


def _command(line: str, **values: object) -> list[str]:
    """A workflow run line as a local command: ${{ matrix.X }} filled in, makeprint from here."""
    for key, value in values.items():
        line = line.replace(f"${{{{ matrix.{key} }}}}", str(value))
    assert "${{" not in line, line
    words = shlex.split(line)
    assert words[0] == "makeprint"
    return [sys.executable, str(REPO / "makeprint.py"), *words[1:]]


def _upload(output: Path, artifact: Path) -> None:
    """What actions/upload-artifact@v4 keeps of a folder: every file but hidden ones."""
    for path in sorted(output.rglob("*")):
        relative = path.relative_to(output)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            (artifact / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, artifact / relative)


def test_workflow_commands_build_every_document_exactly_once(
    workflow: dict[object, object], tmp_path: Path
) -> None:
    """Replay the workflow: each shard on a fresh checkout, artifacts downloaded into one
    folder, then the merge step, with a small selection appended to keep it quick."""
    (line,) = _runs(workflow, "build", "makeprint build")
    shards = workflow["jobs"]["build"]["strategy"]["matrix"]["shard"]  # type: ignore[index]
    runners = []
    for shard in shards:  # the runners work at the same time, each on its own checkout
        checkout = copy_project(tmp_path / f"runner-{shard}")
        command = [*_command(line, shard=shard), *SELECTION, "-j", "1"]
        runners.append(
            (
                shard,
                checkout,
                subprocess.Popen(
                    command, cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                ),
            )
        )
    merged = copy_project(tmp_path / "merge")
    for shard, checkout, proc in runners:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        assert re.search(r"files written to output", stdout), stdout
        artifact = tmp_path / "artifacts" / f"materials-shard-{shard}"
        _upload(checkout / "output", artifact)
        assert (artifact / f"manifest.part-{shard}-of-{len(shards)}.json").is_file()
        _upload(artifact, merged / "output")  # download-artifact, merge-multiple: true
    (merge_line,) = _runs(workflow, "merge", "makeprint merge-manifests")
    proc = subprocess.run(
        _command(merge_line), cwd=merged, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert f"from {len(shards)} manifest parts" in proc.stdout
    planned = plan_jobs(load_project(merged), Selection(languages=("en",),
                        materials=("wallet-card", "flyer")))  # fmt: skip
    files = entries(merged / "output")
    documents = [e["path"] for e in files if e["variant"] != "sheet"]
    assert sorted(documents) == sorted(job.relpath for job in planned)  # each exactly once
    assert len(files) == len({e["path"] for e in files})
    for entry in files:
        data = (merged / "output" / str(entry["path"])).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    on_disk = {str(p.relative_to(merged / "output")) for p in (merged / "output").rglob("*.pdf")}
    assert on_disk == {e["path"] for e in files}
