"""The reading-level check on its own: which printed blocks are graded (printed_blocks, fed
laid-out texts built by hand) and what a score becomes (reading_findings). The mutation guards
of ``preflight.reading_level``; test_readability.py checks the formulas."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from test_preflight_checks import JOB, text

from makeprint_engine.fields import parse_phone
from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.layout import Doc, Layout
from makeprint_engine.preflight.reading_level import (
    FK_LIMIT,
    FK_TARGET,
    INFLESZ_LIMIT,
    INFLESZ_TARGET,
    Reading,
    printed_blocks,
    reading_findings,
)
from makeprint_engine.readability import Score

ROOT = Path("/project")


def project(with_location: bool = True, services: dict | None = None) -> SimpleNamespace:
    location = SimpleNamespace(
        slug=JOB.slug, name="East Harbor Center", address_lines=("1200 Eastern Ave",
                                                                 "Baltimore, MD 21224"),
        phone=parse_phone("(410) 555-0142 ext. 12", "US"), services=("naloxone", "methadone"))
    language = SimpleNamespace(
        common={"services": services if services is not None else {
            "naloxone": "Free  naloxone", "methadone": "Methadone"}},
        folder=ROOT / "content" / "en", name="English")
    return SimpleNamespace(
        locations=[location] if with_location else [],
        organization=SimpleNamespace(name="Harbor Network"),
        languages={"en": language}, root=ROOT, content_dir=ROOT / "content")


def blocks(texts: list, proj: SimpleNamespace | None = None) -> list[str]:
    doc = Doc(proj or project(), SimpleNamespace(job=JOB), Layout(texts, []))  # type: ignore[arg-type]
    return printed_blocks(doc)


def test_blocks_joined_by_line() -> None:
    texts = [text("Carry naloxone", block=1, line=1), text("with you.", block=1, line=2),
             text("Call", block=2, line=3), text("us", block=2, line=3),
             text("\u2068Ask\u2069  us  anything.", block=3, line=4)]
    assert blocks(texts) == ["Carry naloxone with you.", "Callus", "Ask us anything."]


def test_what_is_left_out() -> None:
    texts = [
        text("Hidden words", block=1, visible=False),
        text("Call us", block=2), text("(410) 555-0142", block=2, link=object()),
        text("Mon-Fri", block=3, in_table=True),
        text("1.", block=4, pseudo=True), text("Carry it.", block=4),
        text("12 34", block=5),
        text("Visit East Harbor Center today.", block=6),
        text("Harbor Network helps.", block=7),
        text("At 1200 Eastern Ave.", block=8),
        text("In Baltimore, MD 21224 now.", block=9),
        text("Dial (410) 555-0142 now.", block=10),
        text("Dial (410) 555-0142 ext. 12 now.", block=11),
        text("Free naloxone", block=12), text("Methadone", block=13),
        text("Free naloxone here.", block=14),
    ]
    assert blocks(texts) == ["Carry it.", "Free naloxone here."]


def test_without_the_location_or_language() -> None:
    texts = [text("Visit East Harbor Center today.", block=1), text("Methadone", block=2),
             text("Harbor Network helps.", block=3)]
    assert blocks(texts, project(with_location=False)) == [
        "Visit East Harbor Center today.", "Methadone"]
    proj = project()
    proj.languages = {}
    assert blocks(texts, proj) == ["Methadone"]


def test_a_service_without_a_label() -> None:
    texts = [text("Methadone", block=1), text("Naloxone", block=2)]
    assert blocks(texts, project(services={"naloxone": "Naloxone"})) == ["Methadone"]


def test_empty_data_is_not_matched() -> None:
    proj = project()
    proj.organization.name = "  "
    assert blocks([text("Plain words.", block=1)], proj) == ["Plain words."]


# --- reading_findings ---------------------------------------------------------------------


def score(formula: str, value: float, hardest: tuple[str, ...] = ()) -> Score:
    return Score("en", formula, value, words=120, sentences=10, syllables=180, hardest=hardest)


def find(reading: Reading, proj: SimpleNamespace | None = None) -> list[Finding]:
    return reading_findings(proj or project(), [reading])  # type: ignore[arg-type]


BASE = {"check": "reading-level", "lang": "en", "material": "flyer",
        "path": "content/en/flyer.yaml"}
COUNTS = "120 words in 10 sentences, 1.50 syllables per word"


def test_thresholds() -> None:
    assert (FK_TARGET, FK_LIMIT, INFLESZ_TARGET, INFLESZ_LIMIT) == (6.0, 8.0, 65.0, 55.0)


def test_grade_within_the_target() -> None:
    assert find(Reading("en", "flyer", score("flesch-kincaid-grade", 6.0), None)) == []


def test_grade_above_the_target() -> None:
    (found,) = find(Reading("en", "flyer", score("flesch-kincaid-grade", 7.0, ("A b c.",)),
                            "east", measured=1))
    assert found == Finding(
        f"Flesch–Kincaid grade 7.0 is above the target of grade 6 ({COUNTS})",
        severity="warning", strict_error=False,
        hint="use shorter sentences and everyday words; hardest: “A b c.”", **BASE)


def test_grade_above_the_limit_with_the_hardest_location() -> None:
    (found,) = find(Reading("en", "flyer", score("flesch-kincaid-grade", 8.5, ("A.", "B.")),
                            "east", measured=3))
    assert found.message == (
        f"Flesch–Kincaid grade 8.5 is above the target of grade 6 and the limit of 8 "
        f"({COUNTS}; east's flyer, the hardest of 3)")
    assert found.strict_error is True
    assert found.hint == "use shorter sentences and everyday words; hardest: “A.” / “B.”"
    (at,) = find(Reading("en", "flyer", score("flesch-kincaid-grade", 8.0), None))
    assert at.strict_error is False and at.hint == "use shorter sentences and everyday words"


def test_inflesz() -> None:
    assert find(Reading("en", "flyer", score("inflesz", 65.0), None)) == []
    (found,) = find(Reading("en", "flyer", score("inflesz", 60.0), "east", measured=1))
    assert found.message == f"{score('inflesz', 60.0).label} is below the target of 65 ({COUNTS})"
    assert found.strict_error is False
    (found,) = find(Reading("en", "flyer", score("inflesz", 50.0), None, measured=2))
    assert found.message == (f"{score('inflesz', 50.0).label} is below the target of 65 and "
                             f"the limit of 55 ({COUNTS})")
    assert found.strict_error is True
    (at,) = find(Reading("en", "flyer", score("inflesz", 55.0), None))
    assert at.strict_error is False


def test_not_measured() -> None:
    (found,) = find(Reading("en", "flyer", None, None))
    assert found == Finding(
        "reading level not measured: no validated formula for English here", severity="info",
        strict_error=False, **BASE)
    proj = project()
    proj.languages = {}
    (found,) = find(Reading("xx", "card", None, None), proj)
    assert found.message == "reading level not measured: no validated formula for xx here"
    assert found.path == "content/xx/card.yaml"


def test_every_reading_in_order() -> None:
    readings = [Reading("en", m, None, None) for m in ("a", "b", "c")]
    assert [f.material for f in reading_findings(project(), readings)] == ["a", "b", "c"]  # type: ignore[arg-type]


@pytest.mark.parametrize("measured", [0, 1])
def test_one_document_is_not_named_the_hardest(measured: int) -> None:
    (found,) = find(Reading("en", "flyer", score("flesch-kincaid-grade", 7.0), "east",
                            measured=measured))
    assert "the hardest of" not in found.message


def test_a_language_without_service_labels() -> None:
    proj = project()
    proj.languages["en"].common = {}
    assert blocks([text("Methadone", block=1)], proj) == ["Methadone"]


def test_a_service_without_a_label_drops_no_other_block() -> None:
    texts = [text("None", block=1), text("Naloxone", block=2)]
    assert blocks(texts, project(services={"naloxone": "Naloxone"})) == ["None"]


def test_two_documents_name_the_hardest() -> None:
    (found,) = find(Reading("en", "flyer", score("flesch-kincaid-grade", 7.0), "east",
                            measured=2))
    assert found.message.endswith("; east's flyer, the hardest of 2)")


def test_the_path_is_the_languages_folder() -> None:
    proj = project()
    proj.languages["en"].folder = ROOT / "content" / "english"
    (found,) = find(Reading("en", "flyer", None, None), proj)
    assert found.path == "content/english/flyer.yaml"


def test_hardest_sentences_shortened_to_90() -> None:
    long = "word " * 30
    (found,) = find(Reading("en", "flyer", score("inflesz", 60.0, (long,)), None))
    shown = " ".join(long.split())
    assert found.hint == f"use shorter sentences and everyday words; hardest: “{shown[:89]}…”"


def test_readings_within_target_do_not_stop_the_others() -> None:
    readings = [Reading("en", "a", score("flesch-kincaid-grade", 5.0), None),
                Reading("en", "b", score("inflesz", 70.0), None),
                Reading("en", "c", score("inflesz", 60.0), None)]
    assert [f.material for f in reading_findings(project(), readings)] == ["c"]  # type: ignore[arg-type]
