"""Benchmark makeprint against WeasyPrint itself, measured in one run on this machine.

    python bench/run.py [--locations N] [--quick] [--repeat N] [--json]

Generates N synthetic locations (valid and varied: long names, every service, extensions,
several hours entries, both languages) in a temporary copy of the sample project, then
measures, in the same run:

  (a) naive: one `weasyprint` command per document on makeprint's own HTML (sampled),
      writing the same tagged PDF/UA-1 (`--pdf-variant pdf/ua-1`) that makeprint writes;
  (b) bare: WeasyPrint in one warm process on the same HTML (shared fonts, parsed CSS),
      writing the same tagged PDF/UA-1 that makeprint writes by default;
  (c) `makeprint build` cold with -j1 and with every core (half of (a) just before the
      all-core build, half just after: each ratio's terms are measured back to back);
  (d) a rebuild with nothing changed (wall time, interpreter start included; median of 3);
  (e) a rebuild after one location's phone number changed (documents rebuilt);
  (f) peak memory of a worker process for a small and a large build;
  (g) copyfitting's cost: render time with fitting ÷ with one layout, sample and long data.

With --repeat N, (a), (b) and (c) are measured N times, one round after another, each ratio
is taken within its round, and the report gives the median of each (and every round, in the
JSON). Ratios are what to compare across machines; seconds are for this one.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from makeprint_engine.locations import SERVICES  # noqa: E402 - the repo comes first on sys.path

# (b): stock WeasyPrint in one warm process; prints seconds per document.
BARE = """
import json, sys, time
import weasyprint
from weasyprint.text.fonts import FontConfiguration

fonts = FontConfiguration()
sources = json.load(open(sys.argv[1]))
parsed = {}
for _, css in sources:
    for name in css:
        if name not in parsed:
            parsed[name] = weasyprint.CSS(filename=name, font_config=fonts)


def write(path, css):
    weasyprint.HTML(filename=path).write_pdf(
        stylesheets=[parsed[c] for c in css], font_config=fonts, pdf_variant="pdf/ua-1"
    )


write(*sources[0])  # warm-up
started = time.perf_counter()
for source in sources:
    write(*source)
print((time.perf_counter() - started) / len(sources))
"""

HOURS = (
    "Mon-Fri 09:00-17:00",
    "Mon-Fri 08:30-12:00,13:00-17:30; Sat 10:00-14:00",
    "24/7",
    "Mon,Wed,Fri 10:00-18:00; Tue,Thu 12:00-20:00",
    "Tue-Sat 11:00-19:00",
)
NAMES = (
    "Harbor Point Drop-In Center",
    "Clínica Comunitaria Esperanza",
    "Northside Recovery Clinic",
    "St. Agnes Wellness & Recovery Services",
    "Mobile Outreach Van",
    "Peña & Hijos Health Hub",
    "Eastern Shore Regional Harm Reduction Program",
)


def make_locations(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "slug",
                "name",
                "street",
                "city",
                "region",
                "postal_code",
                "phone",
                "intake_url",
                "hours",
                "services",
                "languages",
            ]
        )
        for i in range(count):
            services = SERVICES if i % 5 == 0 else rng.sample(list(SERVICES), rng.randint(3, 9))
            phone = f"(410) 555-01{i % 100:02d}" + (f" ext. {100 + i}" if i % 4 == 0 else "")
            out.writerow(
                [
                    f"site-{i:04d}",
                    f"{NAMES[i % len(NAMES)]} {i}",
                    f"{100 + i} Main Street",
                    "Baltimore",
                    "MD",
                    "21201",
                    phone,
                    f"https://example.org/intake?site={i}#start" if i % 3 == 0 else "",
                    HOURS[i % len(HOURS)],
                    ";".join(services),
                    "en;es",
                ]
            )


def make_project(base: Path, count: int) -> Path:
    root = base / f"proj-{count}"
    for part in ("templates", "content", "assets"):
        shutil.copytree(REPO / part, root / part)
    # The three materials every figure in the README was measured on: the poster (two sizes
    # of large pages), the kit label (and its sheet) and the directory (per directory, not
    # per location), added later, would change what "a document" is between runs.
    for material in ("poster", "kit-label", "directory"):
        for path in (root / "templates" / "materials").glob(f"{material}.*"):
            path.unlink()
    make_locations(root / "content" / "locations.csv", count)
    return root


def makeprint(root: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(REPO / "makeprint.py"), "build", "--project", str(root), "-q", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"makeprint build failed:\n{proc.stdout}\n{proc.stderr}")
    return seconds, proc.stdout + proc.stderr


def written(output: str) -> int:
    match = re.search(r"(\d+) files written", output)
    return int(match[1]) if match else -1


def peak_worker_rss_mb(root: Path, jobs: int, extra: list[str]) -> float:
    """Run a build and report the largest peak RSS (VmHWM) among its processes' descendants:
    the workers, which are children of the fork server, not of the build, so rusage of
    children does not see them. Read from /proc every 20 ms while the build runs."""
    cmd = [sys.executable, str(REPO / "makeprint.py"), "build", "--project", str(root), "-q",
           "--force", "-j", str(jobs), *extra]
    peak = 0
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors)
        while proc.poll() is None:
            for pid in _descendants(proc.pid):
                peak = max(peak, _peak_rss_kb(pid))
            time.sleep(0.02)
        if proc.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"makeprint build failed:\n{errors.read().decode()}")
    return peak / 1024


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def documents(root: Path) -> tuple[list[tuple[object, str]], object]:
    from makeprint_engine import Selection, load_project, plan_jobs

    project = load_project(root)
    return [(job, job.material) for job in plan_jobs(project, Selection())], project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--locations",
        type=int,
        default=None,
        help="synthetic locations (default 50; 8 with --quick)",
    )
    parser.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="measure (a), (b) and (c) N times, interleaved, and report the medians",
    )
    args = parser.parse_args()
    count = args.locations or (8 if args.quick else 50)
    naive_per_material = 1 if args.quick else 3  # per half
    cores = len(os.sched_getaffinity(0))
    report: dict[str, object] = {"cores": cores, "locations": count}
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))

    with tempfile.TemporaryDirectory(prefix="makeprint-bench-") as tmp:
        base = Path(tmp)
        root = make_project(base, count)
        jobs, project = documents(root)
        report["documents"] = len(jobs)
        log(f"{count} locations → {len(jobs)} documents on {cores} cores")

        # The same HTML for every contender: makeprint's own, all pages.
        from makeprint_engine.render import Renderer

        renderer = Renderer(project)
        html_dir = root / "templates" / "materials"
        sources = [
            (html_dir / f"bench-{i:05d}.html", material) for i, (_, material) in enumerate(jobs)
        ]
        job_of = {path: job for (job, _), (path, _) in zip(jobs, sources, strict=True)}
        styles = {
            m: [
                root / "templates" / "styles" / "base.css",
                root / "templates" / "styles" / f"{m}.css",
            ]
            for m in project.materials
        }
        # (a) is sampled per material: half of the sample just before the all-core build, half
        # just after, so a machine that speeds up or slows down during the run (shared
        # machines do, by several per cent) weighs on both sides of the ratio alike.
        samples = {
            m: [s for s in sources if s[1] == m][: naive_per_material * 2]
            for m in project.materials
        }
        bare_sources = sources if not args.quick else sources[: max(12, len(sources) // 2)]
        cards = sum(1 for _, material in jobs if material == "wallet-card")

        def write_html(paths: list[Path]) -> None:
            for path in paths:
                path.write_text(renderer.html(job_of[path]), encoding="utf-8")

        def run_naive(half: int, times: dict[str, list[float]], halves: list[float]) -> None:
            """(a) naive: one weasyprint command per document of one half of the sample."""
            for material, sample in samples.items():
                # Documents come location by location, a language each: alternate so that
                # both halves hold both languages.
                mine = [path for i, (path, _) in enumerate(sample) if (i + i // 2) % 2 == half]
                write_html(mine)
                for path in mine:
                    cmd = [sys.executable, "-m", "weasyprint", "-q", "--pdf-variant", "pdf/ua-1",
                           str(path), str(path) + ".pdf"]
                    for css in styles[material]:
                        cmd += ["-s", str(css)]
                    started = time.perf_counter()
                    subprocess.run(cmd, check=True, capture_output=True)
                    elapsed = time.perf_counter() - started
                    times[material].append(elapsed)
                    halves.append(elapsed)
                    path.unlink()
                    Path(str(path) + ".pdf").unlink()

        def measure(number: int) -> dict[str, float]:
            """One round of (a), (b) and (c); the ratios are taken within the round.

            Each ratio's two terms are measured back to back, so that the machine's drift
            between them is small: bare WeasyPrint, makeprint -j1, half of the naive sample,
            makeprint on every core, the other half.
            """
            times: dict[str, list[float]] = {m: [] for m in project.materials}
            halves: list[list[float]] = [[], []]

            # (b) bare WeasyPrint, warm, one process, same HTML, fonts and CSS shared: in a
            # fresh interpreter, so nothing makeprint changes in its own process applies.
            write_html([path for path, _ in bare_sources])
            listing = base / "bare.json"
            listing.write_text(
                json.dumps([[str(path), [str(c) for c in styles[m]]] for path, m in bare_sources])
            )
            bare = float(
                subprocess.run(
                    [sys.executable, "-c", BARE, str(listing)],
                    capture_output=True, text=True, check=True,
                ).stdout
            )
            for path, _ in bare_sources:
                path.unlink()
            log(f"(b) bare WeasyPrint, warm: {bare:.4f} s/document")

            # (c) makeprint, cold, -j1; then every core, between the two halves of (a).
            j1, _ = makeprint(root, "-j", "1", "--force", "--out", str(base / "out-j1"))
            run_naive(0, times, halves[0])
            jall, out = makeprint(root, "-j", str(cores), "--force")
            # Every document, plus a sheet of ten for card stock per wallet card (office).
            assert written(out) == len(jobs) + cards, out
            log(
                f"(c) makeprint -j1: {j1:.2f} s ({j1 / len(jobs):.4f} s/document); "
                f"-j{cores}: {jall:.2f} s"
            )
            run_naive(1, times, halves[1])
            naive_mean = {m: sum(t) / len(t) for m, t in times.items()}
            naive = sum(naive_mean[m] for _, m in sources) / len(sources)
            before, after = (sum(h) / len(h) for h in halves)
            log(f"(a) naive weasyprint CLI: {naive:.3f} s/document "
                f"({sum(map(len, times.values()))} sampled; mean {before:.3f} s before "
                f"-j{cores}, {after:.3f} s after)")
            figures = {
                "naive_s_per_doc": naive,
                "naive_before_s": before,
                "naive_after_s": after,
                "bare_s_per_doc": bare,
                "makeprint_j1_s": j1,
                "makeprint_jall_s": jall,
                "speedup_vs_naive": naive * len(jobs) / jall,
                "overhead_vs_bare": (j1 / len(jobs)) / bare,
                "parallel_speedup": j1 / jall,
                # What bare WeasyPrint would reach with no overhead at all and every core
                # fully used: the bound for a tool that renders each document whole.
                # makeprint can pass it only by doing less per document (shared pages laid
                # out once).
                "bare_bound_speedup": naive / (bare / cores),
            }
            if args.repeat > 1:
                log(f"   round {number}: {figures['speedup_vs_naive']:.2f}× vs naive, "
                    f"overhead {figures['overhead_vs_bare']:.3f}, "
                    f"parallel {figures['parallel_speedup']:.2f}×")
            return figures

        rounds = [measure(number) for number in range(1, args.repeat + 1)]
        # One figure per key: the median over the rounds (the only round, by default).
        for key in rounds[0]:
            report[key] = round(statistics.median(r[key] for r in rounds), 3)
        if args.repeat > 1:
            report["rounds"] = [{k: round(v, 3) for k, v in r.items()} for r in rounds]

        # (d) nothing changed (the median of three: one is 0.25 s, and one slow moment of the
        # machine would be all of it); (e) one phone changed.
        noops = [makeprint(root) for _ in range(3)]
        noop = statistics.median(seconds for seconds, _ in noops)
        assert all(written(out) == 0 for _, out in noops), noops
        report["noop_rebuild_s"] = round(noop, 3)
        log(f"(d) no-change rebuild: {noop:.3f} s (median of "
            f"{', '.join(f'{seconds:.3f}' for seconds, _ in noops)}), nothing written")
        csv_path = root / "content" / "locations.csv"
        text = csv_path.read_text(encoding="utf-8")
        csv_path.write_text(text.replace("(410) 555-0101", "(410) 555-0177", 1), encoding="utf-8")
        one, out = makeprint(root)
        report["one_location_rebuilt"] = written(out) - 2  # less its two wallet-card sheets
        report["one_location_rebuild_s"] = round(one, 2)
        log(f"(e) one phone changed: {report['one_location_rebuilt']} documents rebuilt "
            f"(and their 2 card sheets) in {one:.2f} s")

        # (f) peak RSS per worker, small and large build.
        small_n, large_n = (4, count) if args.quick else (17, count * 4)
        small = make_project(base, small_n)
        large = root if large_n == count else make_project(base, large_n)
        small_docs, large_docs = small_n * 6, large_n * 6
        rss_small = peak_worker_rss_mb(small, cores, [])
        rss_large = peak_worker_rss_mb(large, cores, [])
        report[f"rss_mb_{small_docs}"] = round(rss_small, 1)
        report[f"rss_mb_{large_docs}"] = round(rss_large, 1)
        report["rss_growth"] = round(rss_large / rss_small, 3)
        log(
            f"(f) peak worker RSS: {rss_small:.0f} MB at {small_docs} documents, "
            f"{rss_large:.0f} MB at {large_docs}"
        )

        # (g) copyfitting's cost: every document rendered in one warm process with fitting and
        # with a single layout, on the sample and on this run's long data (bench/fitting.py).
        from fitting import run as fitting_run

        for name, locations in (("sample", None), ("long", csv_path)):
            fitted = fitting_run(locations, 1 if args.quick else 3)
            report[f"fit_cost_{name}"] = fitted["fitting_cost_ratio"]
            report[f"fit_layouts_{name}"] = fitted["layouts_per_document"]
            log(f"(g) fitting on the {name} data: {fitted['layouts_per_document']} layouts a "
                f"document ({fitted['documents_refitted']} of {fitted['documents']} fitted), "
                f"×{fitted['fitting_cost_ratio']} the time of one layout")

    if args.json:
        print(json.dumps(report, sort_keys=True))
        return
    print()
    if args.repeat > 1:
        print(f"medians of {args.repeat} rounds of (a), (b) and (c):")
    print(f"{'speedup vs naive CLI loop':34} {report['speedup_vs_naive']:>8}×   (target ≥ 12)")
    print(
        f"{'  bound: bare WeasyPrint, all cores':34} {report['bare_bound_speedup']:>8}×   "
        "(no overhead, perfect parallelism)"
    )
    print(
        f"{'-j1 cost ÷ bare warm WeasyPrint':34} {report['overhead_vs_bare']:>8}    (target ≤ 1.15)"
    )
    print(f"{'-j1 time ÷ all-core time':34} {report['parallel_speedup']:>8}×   (target ≥ 1.8)")
    print(f"{'no-change rebuild':34} {report['noop_rebuild_s']:>8} s  (target < 0.5 s)")
    print(
        f"{'documents rebuilt, one phone changed':34} {report['one_location_rebuilt']:>8}    "
        f"(target: that location's {len(project.languages) and 6})"
    )
    print(f"{'worker RSS, large ÷ small build':34} {report['rss_growth']:>8}    (target ≤ 1.10)")
    for name in ("sample", "long"):
        print(f"{'fitting cost, ' + name + ' data':34} {report['fit_cost_' + name]:>8}×   "
              f"({report['fit_layouts_' + name]} layouts a document)")


if __name__ == "__main__":
    main()
