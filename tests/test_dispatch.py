"""The build dispatcher: every job once, each worker on the languages it has warmed."""

from __future__ import annotations

import random

import pytest

from makeprint_engine.dispatch import Dispatcher
from makeprint_engine.plan import Job

COST = {"pamphlet": 3.0, "flyer": 2.0, "wallet-card": 1.0}


def jobs(languages: list[str], locations: int = 4) -> list[Job]:
    return [
        Job(f"site-{i}", lang, material)
        for i in range(locations)
        for lang in languages
        for material in COST
    ]


def drain(dispatcher: Dispatcher, workers: int, rng: random.Random) -> list[list[Job]]:
    """Hand out every job, workers asking in a random order (as renders finish)."""
    got: list[list[Job]] = [[] for _ in range(workers)]
    live = list(range(workers))
    while live:
        worker = rng.choice(live)
        job = dispatcher.next_for(worker)
        if job is None:
            live.remove(worker)
        else:
            got[worker].append(job)
    return got


@pytest.mark.parametrize("seed", range(8))
def test_every_job_is_handed_out_once(seed: int) -> None:
    rng = random.Random(seed)
    todo = jobs(["en", "es", "vi", "zh", "ar"][: rng.randint(1, 5)], rng.randint(1, 6))
    workers = rng.randint(1, 4)
    got = drain(Dispatcher(todo, lambda j: COST[j.material], workers), workers, rng)
    handed = [job for share in got for job in share]
    assert sorted(handed, key=str) == sorted(todo, key=str)


def test_two_workers_two_languages_keep_one_language_each() -> None:
    todo = jobs(["en", "es"])
    dispatcher = Dispatcher(todo, lambda j: COST[j.material], 2)
    got: list[list[Job]] = [[], []]
    for _ in range(len(todo) // 2):  # taking turns, as equal workers would
        for worker in (0, 1):
            got[worker].append(dispatcher.next_for(worker))  # type: ignore[arg-type]
    assert dispatcher.next_for(0) is None and dispatcher.next_for(1) is None
    assert {j.lang for j in got[0]} == {"en"} and {j.lang for j in got[1]} == {"es"}
    # Costly materials first, so the cheap ones even out the end of the build.
    for share in got:
        costs = [COST[j.material] for j in share]
        assert costs == sorted(costs, reverse=True)


def test_a_worker_that_runs_out_claims_a_new_language_before_helping() -> None:
    todo = jobs(["en", "es", "vi"], locations=2)
    dispatcher = Dispatcher(todo, lambda j: COST[j.material], 2)
    first = [dispatcher.next_for(0), dispatcher.next_for(1)]
    assert [j.lang for j in first] == ["en", "es"]  # type: ignore[union-attr]
    while True:  # worker 0 goes on alone: its own language, then the unclaimed one
        job = dispatcher.next_for(0)
        assert job is not None
        if job.lang != "en":
            break
    assert job.lang == "vi"


def test_with_one_language_every_worker_helps_costliest_first() -> None:
    todo = jobs(["en"], locations=3)
    dispatcher = Dispatcher(todo, lambda j: COST[j.material], 2)
    got = [dispatcher.next_for(w % 2) for w in range(len(todo))]
    assert [j.material for j in got[:2]] == ["pamphlet", "pamphlet"]  # type: ignore[union-attr]
    assert dispatcher.next_for(0) is None
