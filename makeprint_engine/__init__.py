"""makeprint's engine: print-ready outreach materials from content, locations and templates.

The public API is what this module exports; the CLI in ``makeprint.py`` uses nothing else.
"""

from __future__ import annotations

from .build import BuildResult, build
from .errors import MakeprintError, Problem
from .plan import Job, Selection, plan_jobs
from .project import Project, find_root, load_project
from .reporting import RecordingReporter, Reporter
from .scaffold import new_project

__version__ = "0.1.0"

__all__ = [
    "BuildResult",
    "Job",
    "MakeprintError",
    "Problem",
    "Project",
    "RecordingReporter",
    "Reporter",
    "Selection",
    "__version__",
    "build",
    "find_root",
    "load_project",
    "new_project",
    "plan_jobs",
]
