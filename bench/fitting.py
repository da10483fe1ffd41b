"""What copyfitting costs: render time per document with fitting and without, same run.

    python bench/fitting.py [--locations FILE ...] [--rounds N]

For each locations file (default: the sample, and tests/data/stress-locations.csv), every
document (location × its languages × material) is rendered in one warm process twice per
round: once as makeprint renders it, once with fitting switched off (one layout, whatever
overflows). Reported per file: documents, layouts per document, ms per document each way and
their ratio (the cost of fitting), and how many documents needed more than one layout. Medians
over the rounds. Rendering only: no PDF checks, nothing written.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from makeprint_engine import fit  # noqa: E402
from makeprint_engine.plan import Selection, plan_jobs  # noqa: E402
from makeprint_engine.project import load_project  # noqa: E402
from makeprint_engine.render import Renderer  # noqa: E402


def run(locations: Path | None, rounds: int) -> dict[str, object]:
    project = load_project(REPO, locations)
    jobs = plan_jobs(project, Selection())
    renderer = Renderer(project)
    layouts: list[int] = []
    once = renderer._layout_once

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        layouts.append(1)
        return once(*args, **kwargs)

    renderer._layout_once = counting  # type: ignore[method-assign]
    for job in jobs:  # warm: fonts, stylesheets, shared pages
        renderer.render(job)
    fitted_ms, plain_ms, per_doc, refitted = [], [], [], 0
    update = fit.Fitter.update
    for _ in range(rounds):
        layouts.clear()
        counts = []
        start = time.perf_counter()
        for job in jobs:
            before = len(layouts)
            renderer.render(job)
            counts.append(len(layouts) - before)
        fitted_ms.append((time.perf_counter() - start) * 1000 / len(jobs))
        per_doc.append(sum(counts) / len(jobs))
        refitted = sum(1 for c in counts if c > 1)
        fit.Fitter.update = lambda self, seen: False  # type: ignore[method-assign]
        try:
            start = time.perf_counter()
            for job in jobs:
                renderer.render(job)
            plain_ms.append((time.perf_counter() - start) * 1000 / len(jobs))
        finally:
            fit.Fitter.update = update  # type: ignore[method-assign]
    fitted, plain = statistics.median(fitted_ms), statistics.median(plain_ms)
    return {
        "locations": _shown(locations),
        "documents": len(jobs),
        "layouts_per_document": round(statistics.median(per_doc), 2),
        "documents_refitted": refitted,
        "ms_per_document_fitted": round(fitted, 1),
        "ms_per_document_one_layout": round(plain, 1),
        "fitting_cost_ratio": round(fitted / plain, 3),
    }


def _shown(locations: Path | None) -> str:
    if locations is None:
        return "content/locations.csv"
    return str(locations.relative_to(REPO)) if locations.is_relative_to(REPO) else locations.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=Path, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    files = args.locations or [None, REPO / "tests" / "data" / "stress-locations.csv"]
    results = [run(f.resolve() if f else None, args.rounds) for f in files]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(
            f"{r['locations']}: {r['documents']} documents, {r['layouts_per_document']} layouts "
            f"each ({r['documents_refitted']} fitted), {r['ms_per_document_fitted']} ms with "
            f"fitting vs {r['ms_per_document_one_layout']} ms with one layout: "
            f"×{r['fitting_cost_ratio']}"
        )


if __name__ == "__main__":
    main()
