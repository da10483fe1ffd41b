"""speedups: pydyf's compression level, cffi's array types and the library lookups of WeasyPrint's
import, changed in this process only."""

from __future__ import annotations

import sys
import zlib

import cffi.cparser
import pydyf
import pytest
from weasyprint.text.ffi import ffi

from makeprint_engine import speedups


@pytest.fixture(autouse=True)
def applied() -> None:
    speedups.apply()


def test_apply_is_idempotent() -> None:
    new, compressor = ffi.new, pydyf.zlib
    speedups.apply()
    assert ffi.new is new and pydyf.zlib is compressor


def test_pdf_streams_are_compressed_at_level_6() -> None:
    raw = b"BT /F1 12 Tf 72 712 Td (makeprint) Tj ET\n" * 400 + bytes(range(256)) * 40
    data = pydyf.Stream([raw], compress=True).data
    body = data[data.index(b"stream\n") + 7 : data.rindex(b"\nendstream")]
    assert body == zlib.compress(raw, 6) != zlib.compress(raw, 9)
    assert zlib.decompress(body) == raw


def test_sized_arrays_are_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = []
    parse = cffi.cparser.Parser._parse

    def counting(self: object, csource: str) -> object:
        parses.append(csource)
        return parse(self, csource)

    ffi.new("hb_codepoint_t[1]", [7])  # the open type, parsed here if it never was
    monkeypatch.setattr(cffi.cparser.Parser, "_parse", counting)
    for size in (9001, 9002, 9003):  # glyph counts no font ever had
        values = list(range(size, 0, -1))
        array = ffi.new(f"hb_codepoint_t[{size}]", values)
        assert len(array) == size and list(array) == values
    assert parses == []
    # Anything else still goes to cffi as it was asked.
    assert len(ffi.new("hb_codepoint_t[4]")) == 4
    assert ffi.new("hb_codepoint_t[3]", [1, 2])[2] == 0


MAPPED = """
import json, sys
libraries = sorted({line.split()[-1] for line in open("/proc/self/maps")
                    if any(k in line for k in ("pango", "harfbuzz", "gobject", "fontconfig"))})
print(json.dumps({"libraries": libraries, "looked_up": looked_up}))
"""


def _fresh(program: str) -> dict[str, object]:
    import json
    import subprocess
    import sys

    from conftest import REPO

    proc = subprocess.run([sys.executable, "-c", program + MAPPED], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    *printed, last = proc.stdout.strip().splitlines()
    return {**json.loads(last), "printed": printed}


COUNTED = """
import ctypes.util
looked_up = []
real = ctypes.util.find_library
def counting(name):
    looked_up.append(name)
    return real(name)
ctypes.util.find_library = counting
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lookups are Linux's")
def test_weasyprint_imports_the_same_libraries_without_probing_for_them() -> None:
    plain = _fresh(COUNTED + "import weasyprint\n")
    quick = _fresh(
        COUNTED
        + "from makeprint_engine.speedups import import_weasyprint\n"
        + "import_weasyprint()\n"
        + "assert ctypes.util.find_library is counting  # given back\n"
    )
    assert plain["looked_up"], "WeasyPrint's own import asks find_library"
    assert quick["looked_up"] == []
    assert quick["libraries"] == plain["libraries"]
    assert any("libpango-1.0" in lib for lib in quick["libraries"])  # type: ignore[union-attr]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lookups are Linux's")
def test_weasyprint_import_falls_back_to_the_ordinary_way_quietly() -> None:
    """A system where Pango is found only by find_library: the quick import fails, silently,
    and the ordinary one succeeds."""
    result = _fresh(
        COUNTED
        + """
import cffi
from makeprint_engine import speedups
dlopen = cffi.FFI.dlopen
def refusing(self, name, flags=0):
    if ctypes.util.find_library is speedups._not_found and "pango-1.0" in str(name):
        raise OSError("not here")
    return dlopen(self, name, flags)
cffi.FFI.dlopen = refusing
weasyprint = speedups.import_weasyprint()
assert weasyprint.HTML
"""
    )
    assert result["looked_up"], "the second import asked find_library"
    assert result["printed"] == []  # WeasyPrint's installation hint was not shown
    assert any("libpango-1.0" in lib for lib in result["libraries"])  # type: ignore[union-attr]
