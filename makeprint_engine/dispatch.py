"""Which document each build worker renders next: the languages it has already warmed first.

A worker's first document of a language and material costs far more than the next ones: the
pages every location shares are laid out, the language's fonts and the material's stylesheet
and template are loaded (0.1-0.3 s each time, against 0.08-0.18 s for a whole document once
warm). Handing jobs out from one shared queue makes every worker warm every language and
material. Instead, each worker keeps to the languages it has started, claims a language no
one has started when its own run out, and only then helps with another's: with as many
languages as workers, each warms its own share only. Within that, costly materials go first,
so the cheap ones are left to even out the end of the build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .plan import Job


@dataclass
class _Worker:
    pairs: set[tuple[str, str]] = field(default_factory=set)  # (language, material) warmed
    languages: set[str] = field(default_factory=set)


class Dispatcher:
    def __init__(self, jobs: list[Job], cost: Callable[[Job], float], workers: int) -> None:
        self.cost = cost
        self.workers = [_Worker() for _ in range(workers)]
        self.left: dict[tuple[str, str], list[Job]] = {}  # in plan order, taken from the front
        for job in jobs:
            self.left.setdefault((job.lang, job.material), []).append(job)
        self.order = list(self.left)  # ties go to the earlier group in the plan

    def next_for(self, worker: int) -> Job | None:
        """The next job for ``worker``, or None when every job has been handed out."""
        if not self.left:
            return None
        mine = self.workers[worker]
        claimed = set().union(*(w.languages for w in self.workers))
        for wanted in (
            lambda pair: pair in mine.pairs,
            lambda pair: pair[0] in mine.languages,
            lambda pair: pair[0] not in claimed,
        ):
            groups = [pair for pair in self.order if pair in self.left and wanted(pair)]
            if groups:
                pair = max(groups, key=self._costliest)
                break
        else:  # help whoever has the most left
            pair = max((p for p in self.order if p in self.left), key=self._work_left)
        jobs = self.left[pair]
        job = jobs.pop(0)
        if not jobs:
            del self.left[pair]
            self.order.remove(pair)
        mine.pairs.add(pair)
        mine.languages.add(pair[0])
        return job

    def _costliest(self, pair: tuple[str, str]) -> tuple[float, int]:
        return self.cost(self.left[pair][0]), -self.order.index(pair)

    def _work_left(self, pair: tuple[str, str]) -> tuple[float, int]:
        return sum(map(self.cost, self.left[pair])), -self.order.index(pair)
