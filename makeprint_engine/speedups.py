"""Two costs in WeasyPrint's PDF writer that no option reaches, taken away in this process.

Both leave the output a valid, deterministic PDF; ``apply()`` is idempotent and is called by
every ``Renderer``. Measured on the benchmark's documents (``bench/run.py``):

1. pydyf, WeasyPrint's PDF serializer, compresses every stream at zlib level 9. Level 6, zlib's
   own default, makes files 0.5-2 % larger and saves 1-8 ms a document (8 on a pamphlet,
   whose font programs and page streams are the largest): level 9 searches longer matches
   for little gain on this kind of data.
2. WeasyPrint asks cffi for a new C type ``hb_codepoint_t[N]`` for every glyph count N it
   subsets a font with, and cffi parses each new type string with the whole C declaration
   set: about 4 ms each, 0.3 s in the first ~50 documents of every worker process. An array
   of the open type ``hb_codepoint_t[]`` built from the same N values is the same memory,
   and its type is parsed once.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

PDF_ZLIB_LEVEL = 6
_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class _Zlib:
    """The zlib module as pydyf sees it: compression objects at PDF_ZLIB_LEVEL."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(min(level, PDF_ZLIB_LEVEL) if level >= 0 else level, *args,
                                **kwargs)


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
