"""Mutation score per module: mutmut plants one small bug at a time in a module where a silent
failure prints something wrong, runs the tests that guard it, and counts the bugs they catch.

    python bench/mutants.py                  # every module in MODULES (`./dev mutants`)
    python bench/mutants.py hours qr         # only these
    python bench/mutants.py --report         # no run: the table from the last results
    python bench/mutants.py hours --survivors   # and the mutants no test caught

Each module runs in its own copy of the project under mutants/<module>/, with mutmut set to
mutate that one file and to run only the tests listed for it in MODULES (mutmut then runs, for
each mutant, just those of them that reach the mutated function). A mutant counts as killed
when a test failed or timed out with it; one that no test reaches counts as surviving.
Survivors that are equivalent (the program behaves the same, so no test can tell) are listed
with a reason in bench/mutants-equivalent.txt and left out of the score. Exits 1 when a
module scores under the target.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"
EQUIVALENT = Path(__file__).with_name("mutants-equivalent.txt")
TARGET = 0.85
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
NOT_RUN = {"skipped", "not checked"}
COPY = ["makeprint.py", "pyproject.toml", "makeprint_engine", "templates", "content", "assets",
        "tests", "bench"]
RESULT = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+?)\s*$")

# module (under makeprint_engine/) → the pytest arguments that select the tests guarding it.
MODULES: dict[str, list[str]] = {
    "hours": ["tests/test_hours.py"],
    "fields": ["tests/test_fields.py"],
    "qr": ["tests/test_geometry_qr.py", "tests/test_links.py", "-k",
           "not built_ and not long_host"],
    "readability": ["tests/test_readability.py", "tests/test_checks_fire.py", "-k",
                    "readab or kincaid or inflesz or sentences or syllable"],
    "fetcher": ["tests/test_fetcher.py"],
    "preflight.qr": ["tests/test_preflight_qr.py"],
    "preflight.type_size": ["tests/test_preflight_checks.py", "-k", "not contrast"],
    "preflight.contrast": ["tests/test_preflight_checks.py"],
    "preflight.overflow": ["tests/test_preflight_checks.py", "-k", "not contrast"],
    "output": ["tests/test_output.py"],
    "contact_sheet": ["tests/test_contact_sheet.py"],
    "locations": ["tests/test_locations.py"],
    "preflight.runts": ["tests/test_preflight_runts.py"],
    "preflight.reading_level": ["tests/test_preflight_reading_level.py"],
    "preflight.images": ["tests/test_preflight_images.py"],
    "preflight.document": ["tests/test_preflight_document.py"],
    "preflight.links": ["tests/test_preflight_links.py"],
    "preflight.glyphs": ["tests/test_preflight_glyphs.py"],
    "preflight.report": ["tests/test_preflight_report.py"],
}


def equivalents() -> dict[str, str]:
    """``{mutant name: reason}`` from the equivalents file (``name  # reason`` lines)."""
    found = {}
    for raw in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition("#")
            found[name.strip()] = reason.strip()
    return found


def workdir(module: str) -> Path:
    """A fresh copy of the project for one module, its pyproject set to mutate just that
    module. (Fresh: mutmut keeps which tests reach which function from its first run, and
    would not run a test added since against the mutants it should kill.)"""
    here = WORK / module
    shutil.rmtree(here, ignore_errors=True)
    for name in COPY:
        src, dst = ROOT / name, here / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "mutants"))
        else:
            here.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    path = f"makeprint_engine/{module.replace('.', '/')}.py"
    config = (
        "\n[tool.mutmut]\n"
        'source_paths = ["makeprint_engine"]\n'
        f"only_mutate = [{json.dumps('*' + path)}]\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(MODULES[module])}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]\n'
        'also_copy = ["makeprint.py", "templates", "content", "assets", "tests", "bench"]\n'
    )
    pyproject = here / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + config, encoding="utf-8")
    return here


def run(module: str, jobs: int) -> float:
    """Run mutmut for one module; the seconds it took."""
    here = workdir(module)
    start = time.monotonic()
    with (here / "run.log").open("w") as log:
        done = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children",
                               str(jobs)], cwd=here, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"mutmut failed for {module} (exit {done.returncode}): see {here}/run.log")
    return time.monotonic() - start


def results(module: str) -> dict[str, str]:
    """``{mutant name: status}`` for the module's mutants (empty before its first run)."""
    here = WORK / module
    if not (here / "mutants").is_dir():
        return {}
    done = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                          cwd=here, capture_output=True, text=True, check=True)
    prefix = f"makeprint_engine.{module}.x"
    return {m["name"]: m["status"] for line in done.stdout.splitlines()
            if (m := RESULT.match(line)) and m["name"].startswith(prefix)}


def score(statuses: dict[str, str], equivalent: dict[str, str]) -> Counter:
    counts: Counter = Counter()
    for name, status in statuses.items():
        if status in NOT_RUN:
            counts["not run"] += 1
        elif name in equivalent:
            counts["equivalent"] += 1
        else:
            counts["killed" if status in KILLED else "survived"] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help=f"modules to test (default: all of {', '.join(MODULES)})")
    parser.add_argument("--report", action="store_true", help="only print the last results")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="mutants tested at once")
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module {unknown[0]!r}: choose from {', '.join(MODULES)}")
    modules = args.modules or list(MODULES)
    equivalent = equivalents()
    seconds = {m: run(m, args.jobs) for m in modules} if not args.report else {}
    print("| module | mutants | killed | survived | equivalent | score | run |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ok = True
    survivors = []
    for module in modules:
        statuses = results(module)
        c = score(statuses, equivalent)
        scored = c["killed"] + c["survived"]
        if not scored:
            print(f"| `{module}` | not run yet | | | | | |")
            ok = False
            continue
        rate = c["killed"] / scored
        ok &= rate >= TARGET and not c["not run"]
        took = f"{seconds[module] / 60:.0f} min" if module in seconds else ""
        print(f"| `{module}` | {scored + c['equivalent']} | {c['killed']} | {c['survived']} | "
              f"{c['equivalent']} | {rate:.0%}{'' if rate >= TARGET else ' (under target)'} | "
              f"{took} |")
        survivors += [f"{n}: {s}" for n, s in sorted(statuses.items())
                      if s not in KILLED | NOT_RUN and n not in equivalent]
    if args.survivors:
        print("\n" + "\n".join(survivors))
    print(f"\ntarget: {TARGET:.0%} of mutants killed in each module — "
          f"{'met' if ok else 'not met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
