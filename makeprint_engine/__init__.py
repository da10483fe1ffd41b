"""makeprint's engine: print-ready outreach materials from content, locations and templates.

The public API is what this module exports; the CLI in ``makeprint.py`` uses nothing else.
"""

from __future__ import annotations

from .build import BuildInterrupted, BuildResult, build, default_jobs
from .directories import directory_languages
from .directories import members as directory_members
from .errors import MakeprintError, Problem
from .exchange import EXPORTABLE, FORMATS, export_translations, import_translations
from .options import PROFILES, Options
from .output import merge_manifests
from .plan import Job, Selection, parse_shard, plan_jobs
from .project import Project, find_root, load_project
from .reporting import RecordingReporter, Reporter
from .scaffold import new_project
from .sources import SOURCES_FILE, mark_current, mark_reviewed, translation_states

__version__ = "0.2.0"

__all__ = [
    "EXPORTABLE",
    "FORMATS",
    "PROFILES",
    "BuildInterrupted",
    "BuildResult",
    "Job",
    "MakeprintError",
    "Options",
    "Problem",
    "Project",
    "SOURCES_FILE",
    "RecordingReporter",
    "Reporter",
    "Selection",
    "__version__",
    "build",
    "default_jobs",
    "directory_languages",
    "directory_members",
    "export_translations",
    "find_root",
    "import_translations",
    "load_project",
    "mark_current",
    "mark_reviewed",
    "merge_manifests",
    "new_project",
    "parse_shard",
    "plan_jobs",
    "translation_states",
]
