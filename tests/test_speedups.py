"""speedups: pydyf's compression level and cffi's array types, changed in this process only."""

from __future__ import annotations

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
