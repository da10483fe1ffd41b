"""The load test's short form (bench/load.py, 20 s): 25 staff, slow clients, a stuck render."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow

ROBUST = ("no 5xx for staff", "slow clients held on, others served", "server still serving")
# The stuck render's answer includes its wait for a render slot, so it depends on the
# machine as the latency does.
TIMING = (
    "cached preview p95 < 200 ms",
    "uncached wallet card p95 < 2 s",
    "memory within 15 %",
    "hang answered in time",
)


def test_twenty_seconds_of_25_staff(tmp_path: Path) -> None:
    cores = os.cpu_count() or 1
    busy_before = os.getloadavg()[0]
    report_file = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "load.py"), "--seconds", "20", "--staff", "25",
         "--render-timeout", "20", "--json", str(report_file)],
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(report_file.read_text())
    checks = report["checks"]
    assert report["by_kind"]["sign in"] == {"303": 25}
    assert report["requests"] > 150 and report["hang_answers_s"], report
    # The looping template is always answered, with a readable error (inf: it was not).
    assert all(seconds != float("inf") for seconds in report["hang_answers_s"]), report
    # Whatever else runs on the machine, nothing fails and slow clients hold no one up.
    assert all(checks[name] for name in ROBUST), {k: checks[k] for k in ROBUST} | report
    # Latency needs the cores: on a machine already busier than its cores (other jobs), the
    # figures say more about them than about makeprint.
    busy = max(busy_before, report["load_average"][0])
    missed = [name for name in TIMING if not checks[name]]
    if missed and busy > cores:
        pytest.xfail(f"load average {busy:.1f} on {cores} cores: {missed} not judged ({report})")
    assert not missed, report
