"""Measure how much of a locations file builds: documents attempted, built and refused, by cause.

    python bench/corpus.py [LOCATIONS] [--lang CODE ...] [--paper letter|a4 ...] [-j N] [--json]

Builds every material of LOCATIONS (default: tests/data/realistic-locations.csv) in each
language and on each paper, each paper in its own temporary copy of the sample project whose
organization.yaml says that `paper:`, into a temporary output folder, through the engine's
public API (the same `build` the CLI calls). Reports, per paper and in total, the documents
attempted, built and refused (%), the refusals grouped by cause (the first line of each
error, with numbers, quoted values and the location's own words replaced by placeholders), and
the wall time. A locations file the loader rejects counts every document it would have made
as refused, under the loader's first error.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import makeprint_engine as engine  # noqa: E402 - the repo comes first on sys.path

DEFAULT = REPO / "tests" / "data" / "realistic-locations.csv"
PAPERS = ("letter", "a4")


def project_copy(base: Path, paper: str) -> Path:
    """The sample project with organization.yaml's paper set to ``paper``."""
    root = base / f"proj-{paper}"
    for part in ("templates", "content", "assets"):
        shutil.copytree(REPO / part, root / part)
    # Documents per location only: the directory (one per directory) is no location's.
    for path in (root / "templates" / "materials").glob("directory.*"):
        path.unlink()
    org = root / "content" / "organization.yaml"
    text, count = re.subn(r"(?m)^paper:\s*\S+", f"paper: {paper}", org.read_text("utf-8"))
    if count != 1:
        raise SystemExit("content/organization.yaml has no single 'paper:' line to change")
    org.write_text(text, encoding="utf-8")
    return root


def cause(problem: engine.Problem) -> str:
    """The first line of an error with what varies per document replaced: the cause."""
    text = problem.message.splitlines()[0] if problem.message else ""
    if problem.field:
        text = f"{problem.field}: {text}"
    text = re.sub(r"\"[^\"]*\"|'[^']*'|“[^”]*”", "…", text)  # quoted values
    text = re.sub(r"\bhttps?://\S+?(?=\)?(?:\s|$))", "<url>", text)  # the link's target
    text = re.sub(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*", "<printed url>", text)
    text = re.sub(r"\((U\+[0-9A-F]{4,6}[^)]*)\)", "(<characters>)", text)
    text = re.sub(r"\d+(?:[.,]\d+)*", "N", text)
    return text


def expected_documents(locations: Path, langs: tuple[str, ...], materials: int) -> int:
    """Documents a file would make if it loaded: rows × languages (of the ones asked for)."""
    with open(locations, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    total = 0
    for row in rows:
        row_langs = [c.strip() for c in (row.get("languages") or "en;es").split(";") if c.strip()]
        total += sum(1 for lang in langs if lang in row_langs) * materials
    return total


def measure_paper(
    locations: Path, paper: str, langs: tuple[str, ...], jobs: int, base: Path
) -> dict[str, object]:
    root = project_copy(base, paper)
    started = time.perf_counter()
    causes: Counter[str] = Counter()
    refused_docs: list[dict[str, str]] = []
    try:
        project = engine.load_project(root, locations.resolve())
    except engine.MakeprintError as exc:
        materials = len(list((root / "templates" / "materials").glob("*.yaml")))
        attempted = expected_documents(locations, langs, materials)
        first = exc.problems[0] if exc.problems else engine.Problem("unknown load error")
        causes[f"load: {cause(first)}"] = attempted
        return {
            "paper": paper, "attempted": attempted, "built": 0, "refused": attempted,
            "causes": dict(causes), "refused_documents": [], "load_errors": len(exc.problems),
            "seconds": round(time.perf_counter() - started, 1),
        }
    reporter = engine.RecordingReporter()
    selection = engine.Selection((), langs, ())
    planned = engine.plan_jobs(project, selection)
    result = engine.build(project, selection, base / f"out-{paper}", reporter, jobs=jobs)
    for job, problems in result.failed:
        errors = [p for p in problems if p.severity == "error"] or problems
        seen = set()
        for problem in errors:  # a document counts once per distinct cause
            key = cause(problem)
            if key not in seen:
                causes[key] += 1
                seen.add(key)
        refused_docs.append({"location": job.slug, "lang": job.lang, "material": job.material,
                             "error": str(errors[0]).splitlines()[0] if errors else ""})
    attempted = len(planned)
    refused = len(result.failed)
    return {
        "paper": paper,
        "attempted": attempted,
        "built": attempted - refused,
        "refused": refused,
        "causes": dict(causes.most_common()),
        "refused_documents": refused_docs,
        "seconds": round(time.perf_counter() - started, 1),
    }


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def report_text(report: dict[str, object]) -> str:
    lines = [f"{report['locations']}: languages {', '.join(report['langs'])}; "  # type: ignore[arg-type]
             f"-j{report['jobs']}"]
    for row in report["papers"]:  # type: ignore[attr-defined]
        lines.append(
            f"  {row['paper']:<6} {row['attempted']:>5} attempted, {row['built']:>5} built "
            f"({percent(row['built'], row['attempted'])}), {row['refused']:>5} refused "
            f"({percent(row['refused'], row['attempted'])}) in {row['seconds']} s")
    total = report["total"]
    lines.append(
        f"  total  {total['attempted']:>5} attempted, {total['built']:>5} built "  # type: ignore[index]
        f"({percent(total['built'], total['attempted'])}), {total['refused']:>5} refused "  # type: ignore[index]
        f"({percent(total['refused'], total['attempted'])}) in {report['seconds']} s")  # type: ignore[index]
    if total["causes"]:  # type: ignore[index]
        lines.append("  refusals by cause (documents; a document may have several causes):")
        for text, count in total["causes"].items():  # type: ignore[index]
            lines.append(f"    {count:>5}  {text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("locations", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--lang", action="append", dest="langs", metavar="CODE",
                        help="a language to build (repeatable; default: en and es)")
    parser.add_argument("--paper", action="append", dest="papers", choices=PAPERS,
                        help="a paper to build on (repeatable; default: both)")
    parser.add_argument("-j", "--jobs", type=int, default=2,
                        help="worker processes (default 2; the machine may be shared)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    langs = tuple(args.langs or ("en", "es"))
    papers = tuple(args.papers or PAPERS)
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="makeprint-corpus-") as tmp:
        for paper in papers:
            rows.append(measure_paper(args.locations, paper, langs, args.jobs, Path(tmp)))
    causes: Counter[str] = Counter()
    for row in rows:
        causes.update(row["causes"])  # type: ignore[arg-type]
    attempted = sum(int(r["attempted"]) for r in rows)  # type: ignore[call-overload]
    built = sum(int(r["built"]) for r in rows)  # type: ignore[call-overload]
    report = {
        "locations": str(args.locations),
        "langs": list(langs),
        "jobs": args.jobs,
        "papers": rows,
        "total": {"attempted": attempted, "built": built, "refused": attempted - built,
                  "built_percent": round(100 * built / attempted, 2) if attempted else None,
                  "causes": dict(causes.most_common())},
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=1, ensure_ascii=False) if args.json else report_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
