"""The reading-level check: the printed running text, and its grade as findings."""

from __future__ import annotations

from dataclasses import dataclass

from .. import readability
from ..errors import display_path
from ..project import Project
from .findings import Finding
from .layout import Doc, Text, _clean, _quote

FK_TARGET = 6.0
FK_LIMIT = 8.0
INFLESZ_TARGET = 65.0
INFLESZ_LIMIT = 55.0


def printed_blocks(doc: Doc) -> list[str]:
    """The running text as printed, block by block, without the location's own data.

    Left out: links (phone numbers, URLs, e-mail), tables (opening hours), generated content
    (list counters), the labels of the services the location lists, and every block holding
    any of those or the location's or organization's name or address.
    """
    project = doc.project
    location = next((loc for loc in project.locations if loc.slug == doc.job.slug), None)
    data = [project.organization.name]
    if location is not None:
        data += [
            location.name,
            *location.address_lines,
            location.phone.main,
            location.phone.national,
        ]
    data = [" ".join(d.split()) for d in data if d and d.strip()]
    # The services a location lists are its data too: labels, not sentences to grade.
    language = project.languages.get(doc.job.lang)
    labels = language.common.get("services", {}) if language is not None else {}
    chosen = {" ".join(str(labels.get(key, "")).split()) for key in location.services} if (
        location is not None) else set()
    blocks: dict[int, list[Text]] = {}
    dropped: set[int] = set()
    for text in doc.layout.texts:
        if not text.visible:
            continue
        if text.link is not None or text.in_table:
            dropped.add(text.block)
            continue
        if text.pseudo:
            continue
        blocks.setdefault(text.block, []).append(text)
    result = []
    for block, texts in blocks.items():
        if block in dropped:
            continue
        pieces = []
        previous_line = None
        for text in texts:
            if previous_line is not None and text.line != previous_line:
                pieces.append(" ")
            pieces.append(text.text)
            previous_line = text.line
        joined = " ".join(_clean("".join(pieces)).split())
        if not any(c.isalpha() for c in joined) or any(d in joined for d in data):
            continue
        if joined in chosen:
            continue
        result.append(joined)
    return result


@dataclass
class Reading:
    lang: str
    material: str
    score: readability.Score | None
    location: str | None  # the location whose document scored worst
    measured: int = 0  # documents (locations) measured for this language and material


def reading_findings(project: Project, readings: list[Reading]) -> list[Finding]:
    findings = []
    for reading in readings:
        language = project.languages.get(reading.lang)
        folder = language.folder if language else project.content_dir / reading.lang
        path = display_path(folder / f"{reading.material}.yaml", project.root)
        base = {
            "check": "reading-level",
            "lang": reading.lang,
            "material": reading.material,
            "path": path,
        }
        score = reading.score
        if score is None:
            name = language.name if language else reading.lang
            findings.append(
                Finding(
                    f"reading level not measured: no validated formula for {name} here",
                    severity="info",
                    strict_error=False,
                    **base,
                )
            )
            continue
        counts = (
            f"{score.words} words in {score.sentences} sentences, "
            f"{score.syllables / score.words:.2f} syllables per word"
        )
        if reading.measured > 1 and reading.location:
            counts += (
                f"; {reading.location}'s {reading.material}, the hardest of {reading.measured}"
            )
        hardest = (
            "; hardest: " + " / ".join(_quote(s, 90) for s in score.hardest)
            if score.hardest
            else ""
        )
        if score.formula == "flesch-kincaid-grade":
            if score.value <= FK_TARGET:
                continue
            over = score.value > FK_LIMIT
            message = (
                f"{score.label} is above the target of grade {FK_TARGET:g}"
                + (f" and the limit of {FK_LIMIT:g}" if over else "")
                + f" ({counts})"
            )
            hint = "use shorter sentences and everyday words" + hardest
        else:
            if score.value >= INFLESZ_TARGET:
                continue
            over = score.value < INFLESZ_LIMIT
            message = (
                f"{score.label} is below the target of {INFLESZ_TARGET:g}"
                + (f" and the limit of {INFLESZ_LIMIT:g}" if over else "")
                + f" ({counts})"
            )
            hint = "use shorter sentences and everyday words" + hardest
        findings.append(
            Finding(message, severity="warning", strict_error=over, hint=hint, text=None, **base)
        )
    return findings
