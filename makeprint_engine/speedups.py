"""Costs in WeasyPrint that no option reaches, taken away in this process.

``import_weasyprint()`` imports WeasyPrint without probing for libraries by compiler (3.). The
other two leave the output a valid, deterministic PDF; ``apply()`` is idempotent and is called
by every ``Renderer``. Measured on the benchmark's documents (``bench/run.py``):

1. pydyf, WeasyPrint's PDF serializer, compresses every stream at zlib level 9. Level 6, zlib's
   own default, makes files 0.5-2 % larger and saves 1-8 ms a document (8 on a pamphlet,
   whose font programs and page streams are the largest): level 9 searches longer matches
   for little gain on this kind of data.
2. WeasyPrint asks cffi for a new C type ``hb_codepoint_t[N]`` for every glyph count N it
   subsets a font with, and cffi parses each new type string with the whole C declaration
   set: about 4 ms each, 0.3 s in the first ~50 documents of every worker process. An array
   of the open type ``hb_codepoint_t[]`` built from the same N values is the same memory,
   and its type is parsed once.
3. ``import weasyprint`` opens Pango, HarfBuzz and friends through cffi, trying each one's
   names for every platform in turn (``libpango-1.0-0``, ``pango-1.0-0``, ``pango-1.0``,
   ``libpango-1.0.so.0``, ...). cffi hands each name that is not a file to
   ``ctypes.util.find_library``, which on Linux runs ``ldconfig``, then ``gcc`` and ``ld`` to
   look for it: eighteen failed searches, 0.16 s of every import (the fork server's is on
   the critical path of every parallel build). Every list also holds the library's soname
   (``libpango-1.0.so.0``), which the dynamic loader finds itself, in the same places
   (LD_LIBRARY_PATH, the ldconfig cache, the system folders): so the import runs with
   ``find_library`` answering "not found", the sonames load, and the same files are mapped.
   Should that ever fail, the import is simply run again the ordinary way.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import sys
import zlib
from types import ModuleType
from typing import Any

PDF_ZLIB_LEVEL = 6
_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class _Zlib:
    """The zlib module as pydyf sees it: compression objects at PDF_ZLIB_LEVEL."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(
            min(level, PDF_ZLIB_LEVEL) if level >= 0 else level, *args, **kwargs
        )


def apply() -> None:
    import pydyf
    from weasyprint.text.ffi import ffi

    if not isinstance(getattr(pydyf, "zlib", None), _Zlib):
        pydyf.zlib = _Zlib()  # type: ignore[attr-defined]
    if not getattr(ffi.new, "makeprint_open_arrays", False):
        ffi.new = _open_arrays(ffi.new)


def _open_arrays(new: Any) -> Any:
    def new_array(cdecl: Any, init: Any = None) -> Any:
        if isinstance(cdecl, str) and hasattr(init, "__len__"):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            if sized and len(init) == int(sized[2]):
                return new(f"{sized[1]}[]", init)
        return new(cdecl, init)

    new_array.makeprint_open_arrays = True  # type: ignore[attr-defined]
    return new_array


def import_weasyprint() -> ModuleType:
    """``import weasyprint``, without the compiler probes of ``find_library`` on Linux (3.)."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        return importlib.import_module("weasyprint")
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = _not_found
    try:
        # WeasyPrint prints an installation hint before it gives up on a library: not here,
        # where giving up means trying again.
        with contextlib.redirect_stdout(io.StringIO()):
            return importlib.import_module("weasyprint")
    except OSError:  # a library only find_library could locate: the ordinary way, below
        for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = find_library
    return importlib.import_module("weasyprint")  # pragma: no cover - no such system seen


def _not_found(name: str) -> None:
    return None
