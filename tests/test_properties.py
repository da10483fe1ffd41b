"""Property-based: location rows made of arbitrary Unicode, lengths and formats.

For every generated row the outcome is one of
  (a) a MakeprintError whose every problem is located (path and line),
  (b) a rendered wallet card whose QR code decodes to the expected URL and whose text holds
      the location's name, or
  (c) a card that failed only because the text does not fit (overflow or page count) or a
      character has no glyph in any font,
and never another exception, a hang, or a PDF with the name missing.

Examples are derandomized so CI is repeatable; to explore, set MAKEPRINT_HYPOTHESIS_RANDOM=1
and MAKEPRINT_HYPOTHESIS_EXAMPLES=500."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_project, decode_qr, pdf_text
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from makeprint_engine import MakeprintError, load_project
from makeprint_engine.context import qr_for
from makeprint_engine.locations import SERVICES
from makeprint_engine.plan import Job

EXAMPLES = int(os.environ.get("MAKEPRINT_HYPOTHESIS_EXAMPLES", 30))
HANG_SECONDS = 60  # one example (load, render, rasterize, decode) takes about a second

TRICKY = [
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\u00ad",  # soft hyphen
    "\u0301",  # combining acute
    "🚑",
    "👩🏽‍⚕️",
    "𝕏",
    "ﷺ",
    "مركز",
    "诊所",
    "Ngọc",
    '"',
    "'",
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "<",
    ">",
    "&",
    "{{ x }}",
    "=",
    "#",
    "\\",
    "\x00",
    "\x07",
    "\x1b[31m",
    "<img src=file:///etc/passwd>",
    "](file:///etc/passwd)",
    " ",
]
UNICODE = st.characters(codec="utf-8")  # everything but lone surrogates
PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
FIELDS = ("slug", "name", "street", "city", "phone", "hours", "services")

anything = st.one_of(
    st.text(UNICODE, max_size=40),
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(UNICODE, max_size=6)), max_size=8).map(
        "".join
    ),
    st.text(UNICODE, min_size=90, max_size=170),  # around the length limits
)
COMMON = st.one_of(  # scripts the sample fonts print: Latin, Arabic, CJK, emoji
    st.characters(codec="utf-8", max_codepoint=0x2FF, exclude_categories=("Cc", "Cs")),
    st.sampled_from(list("مركز الشفاء 中文诊所 Ngọc Lan 🚑\u200f")),
)
printable = st.one_of(  # arbitrary Unicode a spreadsheet could hold: no control characters
    st.text(COMMON, min_size=1, max_size=45),
    st.text(PRINTABLE, min_size=1, max_size=45),
    st.lists(
        st.one_of(
            st.sampled_from([t for t in TRICKY if not any(ord(c) < 32 for c in t)]),
            st.text(PRINTABLE, max_size=6),
        ),
        min_size=1,
        max_size=8,
    ).map("".join),
    st.builds(
        lambda base, extra: base + extra,
        st.sampled_from(["East Harbor Center", "Clínica Peña", "مركز الشفاء", "中文诊所"]),
        st.text(PRINTABLE, max_size=12),
    ),
)
valid_phones = st.sampled_from(
    [
        "(410) 555-0142",
        "410.555.0142",
        "+1 410 555 0142",
        "410-555-0142 ext. 12",
        "4105550142",
        "+1 (410) 555-0142 x 9",
        "+44 20 7946 0958",
        "  (410)555-0142  ",
    ]
)
odd_phones = st.one_of(
    st.sampled_from(["555-CALL-NOW", "", "0", "+", "911", "(410) 555-01425555555"]),
    st.text(alphabet="0123456789 ()+-.xext#*;,", max_size=30),
)
valid_hours = st.sampled_from(
    [
        "",
        "24/7",
        "Mon-Fri 09:00-17:00",
        "Mon,Wed,Fri 09:00-12:00,13:00-17:00",
        "Mon-Fri 09:00-17:00; Sat 10:00-14:00; Sun 12:00-13:00",
        "Mon 08:00-09:00; Tue 08:00-09:00; Wed 08:00-09:00; Thu 08:00-09:00; Fri 08:00-09:00",
        "Mon-Sun 00:00-24:00",
    ]
)
odd_hours = st.one_of(
    st.sampled_from(["Fri-Mon 09:00-17:00", "Mon 25:00-26:00", "Mon-Fri 9am-5pm", ";;", "-"]),
    st.text(alphabet="MonTuesWdhFriSatSun0123456789:-;, /", max_size=60),
)


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """A location row in which up to two fields are anything at all and the others are
    arbitrary but plausible, so that all three outcomes are exercised."""
    hostile = draw(st.sets(st.sampled_from(FIELDS), max_size=2))

    def pick(field: str, plausible: st.SearchStrategy[str], odd: st.SearchStrategy[str]) -> str:
        return draw(odd if field in hostile else plausible)

    listed = st.lists(st.sampled_from(SERVICES), max_size=16)
    return {
        "slug": pick("slug", st.sampled_from(["site", "site", ""]), st.text(UNICODE, max_size=20)),
        "name": pick("name", printable, anything),
        "street": pick("street", printable, anything),
        "city": pick("city", printable, anything),
        "phone": pick("phone", valid_phones, odd_phones),
        "hours": pick("hours", valid_hours, odd_hours),
        "services": pick(
            "services",
            listed.map(";".join),
            st.lists(st.sampled_from([*SERVICES, "hugs", " NALOXONE ", ""]), max_size=17).map(
                ";".join
            ),
        ),
        "languages": "en",
    }


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One project copy and one warm renderer (WeasyPrint start-up is slow) for all examples."""
    from makeprint_engine.render import Renderer

    root = copy_project(tmp_path_factory.mktemp("properties") / "proj")
    return {"root": root, "renderer": Renderer(load_project(root)), "pdf": root / "card.pdf"}


@contextmanager
def no_hang(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"one example took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def visible(value: str) -> str:
    """Text as compared with what a PDF reader extracts: NFKC, without spaces, controls or
    invisible format characters, and without hyphens (a line may break at one)."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(
        c
        for c in value
        if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf") and c not in "-‐"
    )


def prints(name: str, page_text: str) -> bool:
    wanted, found = visible(name), visible(page_text)
    if any(unicodedata.bidirectional(c) in ("R", "AL", "RLO", "RLE") for c in name):
        return not Counter(wanted) - Counter(found)  # right-to-left: order is visual
    return wanted in found


# The only reasons a valid row may still fail: its text does not fit, or a character in it
# has no glyph in any font (it would print as an empty box: missing text).
UNPRINTABLE = re.compile(
    r"overflows its box|rendered \d+ pages, expected \d+|glyph rendered for Unicode string "
    r"unsupported by fonts"
)


@settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=HANG_SECONDS),
    derandomize=not os.environ.get("MAKEPRINT_HYPOTHESIS_RANDOM"),
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(row=rows())
def test_any_location_row_renders_or_is_refused_cleanly(
    workbench: dict[str, Any], row: dict[str, str]
) -> None:
    root, renderer, pdf = workbench["root"], workbench["renderer"], workbench["pdf"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(row.keys())
    writer.writerow(row.values())
    (root / "content" / "locations.csv").write_text(buffer.getvalue(), encoding="utf-8")

    with no_hang(HANG_SECONDS):
        try:
            project = load_project(root)
        except MakeprintError as exc:  # (a) a clean, located validation error
            assert exc.problems
            for problem in exc.problems:
                assert problem.path and problem.line, f"not located: {problem}"
            event("refused: " + ", ".join(sorted({str(p.field) for p in exc.problems})))
            return
        (location,) = project.locations
        job = Job(location.slug, "en", "wallet-card")
        renderer.project = project  # same templates and content; only the row differs
        rendered = renderer.render(job)

        if not rendered.ok:  # (c) only because the text does not fit or print
            errors = [p for p in rendered.problems if p.severity == "error"]
            assert errors and all(UNPRINTABLE.search(p.message) for p in errors), errors
            event("does not fit" if "glyph" not in str(errors) else "no font has it")
            return

        assert rendered.pdf is not None  # (b) a card that scans and says where to go
        pdf.write_bytes(rendered.pdf)
        assert decode_qr(pdf) == [qr_for(project, job)]
        page_text = " ".join(pdf_text(pdf))
        assert visible(location.name), f"{location.name!r} prints nothing"
        assert prints(location.name, page_text), f"{location.name!r} not in {page_text!r}"
        assert rendered.pages == project.materials["wallet-card"].pages
        event("rendered")


def test_the_checks_above_can_fail(workbench: dict[str, Any]) -> None:
    """The name check is not vacuous: a name that is not on the card is not found."""
    assert prints("East Harbor", "Call East\nHarbor now")
    assert not prints("West Harbor", "Call East Harbor now")
    assert prints("مركز الشفاء", "ءافشلا زكرم")
    assert not prints("مركز الشفاء", "ءافشلا")
    assert isinstance(workbench["pdf"], Path)
