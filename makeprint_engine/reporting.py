"""What happened during a build, kept apart from how it is shown (console, tests, CI)."""

from __future__ import annotations

from typing import Protocol

from .errors import Problem
from .plan import Job


class Reporter(Protocol):
    def start(self, total: int) -> None: ...

    def done(self, job: Job, path: str) -> None: ...

    def failed(self, job: Job, problems: list[Problem]) -> None: ...

    def warning(self, problem: Problem) -> None: ...


class RecordingReporter:
    """Keeps every event; used by tests and by callers that want a summary afterwards."""

    def __init__(self) -> None:
        self.total = 0
        self.written: list[str] = []
        self.failures: list[tuple[Job, list[Problem]]] = []
        self.warnings: list[Problem] = []

    def start(self, total: int) -> None:
        self.total = total

    def done(self, job: Job, path: str) -> None:
        self.written.append(path)

    def failed(self, job: Job, problems: list[Problem]) -> None:
        self.failures.append((job, problems))

    def warning(self, problem: Problem) -> None:
        self.warnings.append(problem)
