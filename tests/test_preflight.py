"""Preflight (`makeprint check`): the sample passes, and each broken fixture is caught exactly.

Every fixture project is a copy of the sample project with one change. Findings are compared
as (check, severity) sets so that a fixture which trips a second, unexpected check fails.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from conftest import copy_project, run_cli, snapshot

from makeprint_engine import Selection, load_project, plan_jobs
from makeprint_engine.preflight import (
    Finding,
    build_problems,
    contrast_ratio,
    run_check,
    schema,
)

FIXTURES = Path(__file__).parent / "fixtures" / "preflight"
ONE = ("-l", "east-harbor", "--lang", "en")
GRADE_12 = (FIXTURES / "grade-12-paragraph.txt").read_text(encoding="utf-8").strip()


def check_json(root: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("check", "--project", str(root), "--format", "json", "-j", "1", *args)
    report = json.loads(result.output)
    jsonschema.validate(report, schema())
    return result.exit_code, report


def kinds(report: dict | list[dict]) -> set[tuple[str, str]]:
    findings = report["findings"] if isinstance(report, dict) else report
    return {(f["check"], f["severity"]) for f in findings if f["severity"] != "info"}


def _key(finding: dict) -> tuple[object, ...]:
    return tuple(
        finding[k]
        for k in ("check", "severity", "message", "location", "lang", "material", "page", "element")
    )


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The findings of the unchanged sample for the same options, computed once."""
    root = copy_project(tmp_path_factory.mktemp("baseline") / "proj")
    cache: dict[tuple[str, ...], dict] = {}

    def get(*args: str) -> dict:
        if args not in cache:
            cache[args] = check_json(root, *args)[1]
        return cache[args]

    return get


def new_findings(report: dict, base: dict) -> list[dict]:
    """What a fixture's one change adds to the sample's own findings."""
    known = {_key(f) for f in base["findings"]}
    return [f for f in report["findings"] if _key(f) not in known]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the shipped sample ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, Path]:
    root = copy_project(tmp_path_factory.mktemp("check") / "proj")
    result = run_cli("check", "--project", str(root), "--format", "json")
    return result.exit_code, json.loads(result.output), root


def planned(root: Path, *langs: str, slugs: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    """Documents a check of ``root`` renders, and the draft languages among them."""
    project = load_project(root)
    jobs = plan_jobs(project, Selection(slugs, langs, ()))
    drafts = sorted({j.lang for j in jobs if project.languages[j.lang].is_draft})
    return len(jobs), [f"content/{code}/language.yaml" for code in drafts]


def assert_clean(code: int, report: dict, root: Path, slugs: tuple[str, ...] = ()) -> None:
    problems = [
        f"{f['severity']}: {f['check']}: {f['message']}"
        for f in report["findings"]
        if f["severity"] == "error" or (f["severity"] == "warning" and f["check"] != "translation")
    ]
    assert problems == []
    assert code == 0 and report["ok"]
    documents, drafts = planned(root, slugs=slugs)
    translation = [f for f in report["findings"] if f["check"] == "translation"]
    assert all(f["severity"] == "warning" for f in translation)
    assert sorted(f["path"] for f in translation) == drafts
    assert report["documents"] == documents


def test_sample_content_has_no_errors_and_only_draft_warnings(sample_report) -> None:  # type: ignore[no-untyped-def]
    code, report, root = sample_report
    assert_clean(code, report, root)


def test_sample_reading_levels_are_measured(sample_report) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = sample_report
    levels = {(r["lang"], r["material"]): r for r in report["reading_levels"]}
    materials = ("flyer", "pamphlet", "wallet-card")
    assert {(lang, m) for lang in ("en", "es") for m in materials} <= set(levels)
    formulas = {"en": "flesch-kincaid-grade", "es": "inflesz"}
    for (lang, _), level in levels.items():
        assert level["formula"] == formulas.get(lang)
        if lang not in formulas:
            assert level["score"] is None
            continue
        assert level["words"] > 20 and level["sentences"] > 3
        assert level["location"] in ("east-harbor", "riverside-clinic", "mobile-outreach")
        if lang == "en":
            assert level["score"] <= 6
    not_measured = [f for f in report["findings"]
                    if f["severity"] == "info" and f["check"] == "reading-level"]
    assert {(f["lang"], f["material"]) for f in not_measured} == {
        key for key, level in levels.items() if level["formula"] is None
    }


def test_sample_report_validates_against_the_schema(sample_report) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = sample_report
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(report, schema())
    counts = {
        s: sum(1 for f in report["findings"] if f["severity"] == s)
        for s in ("error", "warning", "info")
    }
    assert report["counts"] == counts
    assert report["ok"] == (counts["error"] == 0)


def test_check_writes_nothing_but_the_report(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj")
    before = snapshot(root)
    report_file = tmp_path / "reports" / "preflight.json"
    result = run_cli(
        "check",
        "--project",
        str(root),
        "-m",
        "wallet-card",
        "-l",
        "east-harbor",
        "--lang",
        "en",
        "--lang",
        "es",
        "--report",
        str(report_file),
    )
    assert snapshot(root) == before
    assert not (root / "output").exists()
    jsonschema.validate(json.loads(report_file.read_text(encoding="utf-8")), schema())
    assert result.output.startswith(
        "warning: content/es/language.yaml: status: language 'es' is a draft translation — "
    )
    assert re.search(
        r"^2 documents checked in \d+\.\d s: 0 errors, 1 warning$", result.output, re.M
    )
    assert result.exit_code == 0
    strict = run_cli(
        "check",
        "--project",
        str(root),
        "-m",
        "wallet-card",
        "-l",
        "east-harbor",
        "--lang",
        "es",
        "--strict",
    )
    assert strict.output.startswith("error: content/es/language.yaml: status: language 'es'")
    assert strict.exit_code == 1


def test_other_languages_are_not_measured(project: Path) -> None:
    # A copy of Spanish under a code that no formula here knows.
    shutil.copytree(project / "content" / "es", project / "content" / "xx")
    edit(project / "content" / "xx" / "language.yaml", "code: es", "code: xx")
    path = project / "content" / "locations.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("languages")
    rows[1][column] += ";xx"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    _, report = check_json(project, "-l", rows[1][0], "--lang", "xx", "-m", "wallet-card")
    infos = [f for f in report["findings"] if f["severity"] == "info"]
    assert [(f["check"], f["lang"], f["material"]) for f in infos] == [
        ("reading-level", "xx", "wallet-card")
    ]
    assert "reading level not measured" in infos[0]["message"]
    assert [r["score"] for r in report["reading_levels"]] == [None]


# --- one broken fixture per check: each adds exactly the expected finding ----------------------


def test_long_text_overflows_the_card(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    edit(
        project / "content" / "en" / "wallet-card.yaml",
        'Stay until help comes."',
        'Stay until help comes. Keep them warm, keep talking to them, and tell the paramedics '
        'which drugs were used, how much, and when, if you know it. Then tell them again."',
    )
    code, report = check_json(project, *ONE, "-m", "wallet-card")
    [finding] = new_findings(report, baseline(*ONE, "-m", "wallet-card"))
    assert (finding["check"], finding["severity"]) == ("overflow", "error")
    assert finding["location"] == "east-harbor" and finding["material"] == "wallet-card"
    assert re.search(
        r"wallet-card front: overdose steps: \d+ lines? \(\d+\.\d mm\) too long at the 8 pt "
        r"minimum",
        finding["message"],
    )
    assert code == 1


def test_colour_pair_at_three_to_one(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    edit(project / "content" / "organization.yaml", '"#1A1D21"', '"#949494"')  # ink
    code, report = check_json(project, *ONE, "-m", "wallet-card")
    found = new_findings(report, baseline(*ONE, "-m", "wallet-card"))
    assert kinds(found) == {("contrast", "error")}
    # Every finding is about the ink colour: on the paper (3.0:1), and on the amber badges.
    assert all(f["message"].startswith("text #949494 on ") for f in found)
    on_paper = [
        f
        for f in found
        if "#949494 on #FFFFFF has a contrast of 3.0:1, needs 4.5:1" in f["message"]
    ]
    assert {f["page"] for f in on_paper} == {1, 2}
    assert "ol.steps li" in {f["element"].replace(".half", "") for f in on_paper}
    assert code == 1


def test_emoji_the_fonts_lack(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    edit(
        project / "content" / "locations.csv",
        "East Harbor Drop-In Center",
        "East Harbor Drop-In Center \U0001f642",
    )
    code, report = check_json(project, *ONE, "-m", "wallet-card")
    [finding] = new_findings(report, baseline(*ONE, "-m", "wallet-card"))
    assert (finding["check"], finding["severity"]) == ("glyphs", "error")
    assert "U+1F642" in finding["message"]
    assert "“East Harbor Drop-In Center 🙂”" in finding["message"]
    assert finding["element"] == "h1.name" and finding["page"] == 2
    assert (finding["path"], finding["line"]) == ("content/locations.csv", 2)
    assert code == 1


def test_character_drawn_by_a_fallback_font(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    edit(
        project / "content" / "locations.csv", "East Harbor Drop-In Center", "East Harbor ☎ Center"
    )
    _, report = check_json(project, *ONE, "-m", "wallet-card")
    [finding] = new_findings(report, baseline(*ONE, "-m", "wallet-card"))
    assert (finding["check"], finding["severity"]) == ("glyphs", "error")
    # Drawn by whatever system font has it (DejaVu Sans here), or by none: both are errors.
    assert re.match(
        r"U\+260E black telephone “☎” (is not in the design's font \(Noto Sans Display, Noto Sans\)"
        r" and was drawn with .+ instead|has no glyph in any font)",
        finding["message"],
    )
    assert finding["element"] == "h1.name"


def test_qr_scaled_to_ten_millimetres(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    css = (FIXTURES / "qr-10mm.css").read_text(encoding="utf-8")
    with open(project / "templates" / "styles" / "wallet-card.css", "a", encoding="utf-8") as f:
        f.write("\n" + css)
    code, report = check_json(project, *ONE, "-m", "wallet-card")
    found = new_findings(report, baseline(*ONE, "-m", "wallet-card"))
    assert kinds(found) == {("qr", "error")}
    messages = sorted(f["message"] for f in found)
    assert len(messages) == 2, messages
    # The card's code carries no tracking now (the density budget): 33 modules, not 45.
    assert re.match(r"QR modules are 0\.2\d mm, below 0\.4 mm", messages[0])
    assert re.match(
        r"the QR code is 10\.\d mm wide with its quiet zone, \d+ modules of "
        r"0\.2\d mm: below 15 mm",
        messages[1],
    )
    assert all(f["page"] == 2 and f["element"].startswith("QR code at") for f in found)
    assert code == 1


def test_missing_spanish_key(project: Path) -> None:
    path = project / "content" / "es" / "wallet-card.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\n  heading: .*", "", text, count=1), encoding="utf-8")
    code, report = check_json(project)
    [finding] = report["findings"]
    assert (finding["check"], finding["severity"]) == ("data", "error")
    assert finding["message"] == "key 'front.heading' is missing for language 'es'"
    assert finding["path"] == "content/es/wallet-card.yaml"
    assert finding["line"] == 2  # "front:", where the key belongs
    assert report["documents"] == 0 and code == 1


def test_missing_image(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    edit(
        project / "templates" / "materials" / "flyer.html",
        'src="{{ org.logo }}"',
        'src="../../assets/missing-photo.png"',
    )
    code, report = check_json(project, *ONE, "-m", "flyer")
    found = new_findings(report, baseline(*ONE, "-m", "flyer"))
    [finding] = found
    assert (finding["check"], finding["severity"]) == ("resources", "error")
    assert finding["message"].startswith("refused to load file://")
    assert finding["message"].endswith("file not found")
    lines = (project / "templates" / "materials" / "flyer.html").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "missing-photo.png" in text)
    assert (finding["path"], finding["line"]) == ("templates/materials/flyer.html", line)
    assert code == 1


def test_logo_file_missing_is_a_data_error(project: Path) -> None:
    edit(project / "content" / "organization.yaml", "logo: logo.svg", "logo: gone.png")
    code, report = check_json(project)
    [finding] = report["findings"]
    assert (finding["check"], finding["path"], finding["field"]) == (
        "data",
        "content/organization.yaml",
        "logo",
    )
    assert finding["line"] and code == 1


def test_logo_at_150_dpi(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(FIXTURES / "logo-150dpi.png", project / "assets" / "logo-150dpi.png")
    edit(project / "content" / "organization.yaml", "logo: logo.svg", "logo: logo-150dpi.png")
    _, report = check_json(project, *ONE, "-m", "flyer")
    [finding] = new_findings(report, baseline(*ONE, "-m", "flyer"))
    assert (finding["check"], finding["severity"]) == ("resources", "warning")
    assert re.match(
        r"logo-150dpi\.png is 143 × 143 px printed at 24\.1 × 24\.1 mm: 15\d dpi, "
        r"below 300 dpi",
        finding["message"],
    )
    assert finding["element"] == "img.logo" and finding["page"] == 1
    assert finding["hint"].startswith("use an image of at least 285 × 285 px")
    _, strict = check_json(project, *ONE, "-m", "flyer", "--strict")
    [finding] = new_findings(strict, baseline(*ONE, "-m", "flyer", "--strict"))
    assert (finding["check"], finding["severity"]) == ("resources", "error")


def test_grade_12_paragraph(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    path = project / "content" / "en" / "flyer.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"(?m)^naloxone_text: .*$", f"naloxone_text: {json.dumps(GRADE_12)}", text),
        encoding="utf-8",
    )
    _, report = check_json(project, *ONE, "-m", "flyer")
    # (A longer paragraph may also be fitted a little smaller: an info note of its own.)
    [finding] = [f for f in new_findings(report, baseline(*ONE, "-m", "flyer"))
                 if f["check"] == "reading-level"]
    assert (finding["check"], finding["severity"]) == ("reading-level", "warning")
    assert (finding["lang"], finding["material"], finding["path"]) == (
        "en",
        "flyer",
        "content/en/flyer.yaml",
    )
    grade = float(
        re.match(
            r"Flesch–Kincaid grade (\d+\.\d) is above the target of grade 6", finding["message"]
        )[1]
    )
    assert grade > 6
    assert GRADE_12[:40] in finding["hint"]  # the hardest sentence is quoted
    _, strict = check_json(project, *ONE, "-m", "flyer", "--strict")
    [finding] = [f for f in new_findings(strict, baseline(*ONE, "-m", "flyer", "--strict"))
                 if f["check"] == "reading-level"]
    assert finding["severity"] == ("error" if grade > 8 else "warning")


def test_phone_link_that_dials_another_number(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    edit(
        project / "templates" / "partials" / "blocks.html",
        '<a class="{{ cls }}" href="{{ phone.tel }}"',
        '<a class="{{ cls }}" href="tel:+1-410-555-0199"',
    )
    code, report = check_json(project, *ONE, "-m", "wallet-card")
    [finding] = new_findings(report, baseline(*ONE, "-m", "wallet-card"))
    assert (finding["check"], finding["severity"]) == ("links", "error")
    assert finding["message"] == (
        "printed number (410) 555-0142 does not match the number its link dials "
        "(tel:+1-410-555-0199)"
    )
    assert finding["element"] == "a.phone.big" and finding["page"] == 2
    assert code == 1


def test_printed_url_that_is_not_its_link(project: Path, baseline) -> None:  # type: ignore[no-untyped-def]
    edit(
        project / "templates" / "materials" / "wallet-card.html",
        'href="{{ loc.link.href }}">{{ loc.link.text',
        'href="http://example.org/elsewhere">{{ loc.link.text',
    )
    code, report = check_json(project, *ONE, "-m", "wallet-card")
    [finding] = new_findings(report, baseline(*ONE, "-m", "wallet-card"))
    assert (finding["check"], finding["severity"]) == ("links", "error")
    assert "links to http://example.org/elsewhere, which is not https" in finding["message"]
    assert code == 1


def test_a_project_that_does_not_load_is_reported_as_findings(project: Path) -> None:
    edit(project / "content" / "locations.csv", "(410) 555-0142", "555-CALL-NOW")
    code, report = check_json(project)
    assert kinds(report) == {("data", "error")}
    [finding] = report["findings"]
    assert finding["path"] == "content/locations.csv" and finding["line"] == 2
    assert code == 1
    text = run_cli("check", "--project", str(project))
    assert text.output.startswith("error: content/locations.csv:2: column 'phone':")
    assert text.exit_code == 1


# --- the functions build calls, and the pieces -------------------------------------------------


def test_build_problems_adds_layout_checks_to_the_renderer(project: Path) -> None:
    from makeprint_engine.render import Renderer

    edit(
        project / "content" / "locations.csv",
        "East Harbor Drop-In Center",
        "East Harbor Drop-In Center \U0001f642",
    )
    proj = load_project(project)
    renderer = Renderer(proj)
    [job] = plan_jobs(proj, Selection(("east-harbor",), ("en",), ("wallet-card",)))
    rendered = renderer.render(job)
    problems = build_problems(proj, rendered)
    errors = [p for p in problems if p.severity == "error"]
    glyphs = [p for p in errors if isinstance(p, Finding) and p.check == "glyphs"]
    assert len(glyphs) == 1 and "U+1F642" in str(glyphs[0])
    # WeasyPrint's own ".notdef" log line, if any, is replaced by the located finding.
    assert not any(".notdef" in p.message for p in problems)


def test_build_checks_shared_pages_once_and_reports_them_for_every_location(
    project: Path,
) -> None:
    """The card front is the same page for every location: checked once per language, its
    findings carried to every card, exactly as if each card had been checked whole."""
    from makeprint_engine.render import Renderer

    css = project / "templates" / "styles" / "wallet-card.css"
    css.write_text(  # pale text on the front only (page 1, shared by every location)
        css.read_text(encoding="utf-8") + "\n.front li { color: #C8CCD0; }\n",
        encoding="utf-8",
    )
    proj = load_project(project)
    renderer = Renderer(proj)
    jobs = plan_jobs(proj, Selection((), ("en",), ("wallet-card",)))
    assert len(jobs) >= 2
    cache: dict = {}
    for job in jobs:
        rendered = renderer.render(job)
        cached = build_problems(proj, rendered, cache)
        whole = build_problems(proj, rendered)
        assert cached == whole, job
        front = [p for p in cached if isinstance(p, Finding) and p.page == 1]
        assert front and all(p.location == job.slug for p in front)
        assert any(p.check == "contrast" and p.severity == "error" for p in front)
    assert [k for k in cache if k[0] == "shared pages"] == [("shared pages", "en", "wallet-card")]


def test_contrast_ratio_matches_wcag() -> None:
    assert round(contrast_ratio((0, 0, 0), (1, 1, 1)), 2) == 21.0
    grey = 0x76 / 255  # #767676 is the lightest grey with 4.5:1 on white
    assert round(contrast_ratio((grey,) * 3, (1, 1, 1)), 2) == 4.54


def test_readability_formulas() -> None:
    from makeprint_engine import readability as r

    assert [r.syllables_es(w) for w in ("sobredosis", "día", "guía", "agua", "que", "muy")] == [
        4,
        2,
        2,
        2,
        1,
        1,
    ]
    assert [r.syllables_en(w) for w in ("overdose", "naloxone", "help", "breathing")] == [
        3,
        3,
        1,
        2,
    ]
    easy = r.measure(["Call 911 right away.", "Stay with them until help comes."], "en")
    hard = r.measure([GRADE_12], "en")
    assert easy is not None and hard is not None
    assert easy.value < 3 and hard.value > 12
    assert r.measure(["Hola."], "vi") is None
    es = r.measure(["Llame al 911 ahora mismo.", "Quédese con la persona."], "es")
    assert es is not None and es.value > 80


def test_run_check_in_process_matches_workers(project: Path) -> None:
    proj = load_project(project)
    selection = Selection(("east-harbor",), ("en", "es"), ("wallet-card",))
    one = run_check(proj, selection, jobs=1)
    two = run_check(proj, selection, jobs=2)
    assert [f.as_dict() for f in one.findings] == [f.as_dict() for f in two.findings]
    assert one.documents == two.documents == 2
