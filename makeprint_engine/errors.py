"""Problems found in a project, and the exception that carries them to the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input or the output, located as precisely as known.

    Rendered as ``path:line[:column]: [field: ]message — hint``, the form editors and CI
    logs turn into links.
    """

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None
    severity: str = "error"  # "error" or "warning"
    key: str | None = None  # the bare field name (e.g. "phone"), for forms that show it inline

    def __str__(self) -> str:
        where = f"{file_place(self.path, self.line, self.column)}: " if self.path else ""
        field = f"{self.field}: " if self.field else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
            "key": self.key,
        }


class MakeprintError(Exception):
    """Raised by the engine when input or output is wrong; carries every problem found."""

    def __init__(self, problems: Iterable[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems while validating, so that all are reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, message: str, **where: object) -> None:
        self.items.append(Problem(message, **where))  # type: ignore[arg-type]

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise MakeprintError(self.errors)


def sheet_source(path: str, sheet: str) -> str:
    """The ``path`` of problems in one sheet of a spreadsheet file: ``book.xlsx, sheet 'Sites'``."""
    return f"{path}, sheet '{sheet}'"


def file_place(path: str, line: int | None, column: int | None = None) -> str:
    """``path:line[:column]``, or ``book.xlsx, sheet 'Sites', row 14`` in a spreadsheet."""
    if not line:
        return path
    if path.endswith("'") and ", sheet '" in path:  # made by sheet_source
        return f"{path}, row {line}"
    return f"{path}:{line}:{column}" if column else f"{path}:{line}"


def display_path(path: Path, root: Path | None = None) -> str:
    """Return ``path`` relative to ``root`` (or the working directory) when it lies below it."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
