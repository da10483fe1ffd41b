"""A problem found by preflight, placed in the data or the printed document."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..errors import Problem, file_place

CHECKS = (
    "data",
    "translation",
    "selection",
    "render",
    "overflow",
    "resources",
    "glyphs",
    "qr",
    "type-size",
    "contrast",
    "links",
    "reading-level",
    "runts",
)


@dataclass(frozen=True)
class Finding(Problem):
    """A problem found by preflight, placed in the data or in the printed document."""

    check: str = "render"
    location: str | None = None  # location slug
    lang: str | None = None
    material: str | None = None
    page: int | None = None  # 1-based
    element: str | None = None  # e.g. "h1.name", "ol.steps li::before"
    region: str | None = None  # the fixed-size box it sits in (data-fit), e.g. "wallet-card back"
    text: str | None = None  # the printed text concerned
    strict_error: bool = True  # --strict turns this warning into an error

    @property
    def document(self) -> str | None:
        if self.location is None or self.lang is None or self.material is None:
            return None
        return f"{self.location} / {self.lang} / {self.material}"

    def where(self) -> str:
        parts = []
        if self.path:
            parts.append(file_place(self.path, self.line, self.column))
        place = []
        if self.document:
            place.append(self.document)
        elif self.lang and self.material:
            place.append(f"{self.lang} / {self.material}")
        if self.page:
            place.append(f"page {self.page}")
        if self.element:
            element = self.element
            if self.region and self.region != self.element:
                element += f" in {self.region}"
            place.append(element)
        if place:
            parts.append(", ".join(place))
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        field_ = f"{self.field}: " if self.field else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where + ': ' if where else ''}{field_}{self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        data = {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "location": self.location,
            "lang": self.lang,
            "material": self.material,
            "page": self.page,
            "element": self.element,
            "region": self.region,
            "text": self.text,
        }
        return data


def finding_from(problem: Problem, check: str, **where: Any) -> Finding:
    """A plain Problem as a Finding of ``check``."""
    if isinstance(problem, Finding):
        return replace(problem, **where) if where else problem
    return Finding(
        problem.message,
        path=problem.path,
        line=problem.line,
        column=problem.column,
        field=problem.field,
        hint=problem.hint,
        severity=problem.severity,
        key=problem.key,
        check=check,
        **where,
    )
