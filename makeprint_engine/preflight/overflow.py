"""The renderer's own problems (overflow, page count, resources, templates) as findings."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..fit import FitProblem
from .findings import Finding, finding_from

_WHERE_RE = re.compile(r"^(?P<where>[^:]+?)(?:, page (?P<page>\d+))?: (?P<message>.*)$", re.S)


def renderer_findings(rendered: Any) -> list[Finding]:
    """Rendered.problems (overflow, WeasyPrint log, refused files, template errors) as findings."""
    job = rendered.job
    findings = []
    for problem in rendered.problems:
        message = problem.message
        page = None
        match = _WHERE_RE.match(message)
        if match and match["where"] == str(job):
            message, page = match["message"], int(match["page"]) if match["page"] else None
        if isinstance(problem, FitProblem) or re.search(r"rendered \d+ pages?, expected", message):
            check = "overflow"
        elif problem.path and "template" in message:
            check = "render"
        else:
            check = "resources"
        findings.append(
            finding_from(
                replace(problem, message=message) if message != problem.message else problem,
                check,
                location=job.slug,
                lang=job.lang,
                material=job.name,
                page=page,
            )
        )
    return findings
