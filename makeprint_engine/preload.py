"""Imported first by the fork server (workers.PRELOAD): WeasyPrint, the quick way (speedups)."""

from .speedups import import_weasyprint

import_weasyprint()
