"""The benchmark runs and reports every figure the README quotes (its numbers are measured by
running it, not here: a timed unit test on a shared machine proves nothing)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.slow
def test_quick_benchmark_reports_every_figure_with_rounds() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--locations", "2",
         "--repeat", "2", "--json"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["documents"] == 12  # 2 locations × 2 languages × 3 materials
    assert report["one_location_rebuilt"] == 6
    for key in ("speedup_vs_naive", "overhead_vs_bare", "parallel_speedup", "noop_rebuild_s",
                "bare_bound_speedup", "rss_growth"):
        assert report[key] > 0, key
    rounds = report["rounds"]
    assert len(rounds) == 2
    for key in ("speedup_vs_naive", "overhead_vs_bare", "parallel_speedup"):
        values = sorted(r[key] for r in rounds)
        assert report[key] == pytest.approx(sum(values) / 2, abs=0.002), key  # the median
    # Each round's ratio is its own naive time over its own build time.
    for r in rounds:
        ratio = r["naive_s_per_doc"] * report["documents"] / r["makeprint_jall_s"]
        assert r["speedup_vs_naive"] == pytest.approx(ratio, rel=0.01)
    assert any(key.startswith("rss_mb_") for key in report)
    # Copyfitting's cost: the sample needs one layout a document, the long data more.
    # (The sample's flyers and covers take a half-point step in some languages since the
    # design pass set them larger: a second layout for those; at most MAX_LAYOUTS for any.)
    assert 1.0 <= report["fit_layouts_sample"] <= 2.5
    assert 1.0 <= report["fit_layouts_long"] <= 10
    assert report["fit_cost_sample"] > 0 and report["fit_cost_long"] > 0
