"""The resource directory: a collection material, one document per directory × language.

Which locations (filters, named directories), in which order (the language's collation),
laid out on as many pages as they take with no entry split, rebuilt when a listed location
changes and not otherwise, each on exactly one shard.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from conftest import REPO, SHIPPED, copy_project, manifest, run_cli

from makeprint_engine import Selection, load_project, plan_jobs
from makeprint_engine.directories import grouped, members, parse_where
from makeprint_engine.directory_view import month_year
from makeprint_engine.errors import MakeprintError
from makeprint_engine.plan import shard_jobs

REALISTIC = REPO / "tests" / "data" / "realistic-locations.csv"


def place(name: str, city: str = "Springfield") -> SimpleNamespace:
    return SimpleNamespace(name=name, city=city, region="", slug=name)


NAMES = ["Zeta House", "Ñandú Center", "Nube Clinic", "Oso Program", "Échelle Services",
         "Eagle Outreach", "Dông Care", "Đà Nẵng Aid", "Dove Place"]


def order(locale: str) -> list[str]:
    ((_, entries),) = grouped([place(n) for n in NAMES], locale)
    return [loc.name for loc in entries]


def test_english_collation_keeps_accented_letters_with_their_base_letter() -> None:
    assert order("en_US") == ["Đà Nẵng Aid", "Dông Care", "Dove Place", "Eagle Outreach",
                              "Échelle Services", "Ñandú Center", "Nube Clinic", "Oso Program",
                              "Zeta House"]


def test_spanish_collation_puts_n_tilde_after_n() -> None:
    names = order("es_US")
    assert names.index("Nube Clinic") < names.index("Ñandú Center") < names.index("Oso Program")
    assert names.index("Eagle Outreach") < names.index("Échelle Services") < names.index(
        "Nube Clinic")
    assert names[-1] == "Zeta House"


def test_vietnamese_collation_puts_d_stroke_after_d() -> None:
    names = order("vi")
    # ô is a letter after o (English: Dông before Dove), and đ one after every d
    assert names[:3] == ["Dove Place", "Dông Care", "Đà Nẵng Aid"]
    assert names.index("Ñandú Center") < names.index("Oso Program") < names.index("Zeta House")


def test_cities_are_groups_in_the_languages_order() -> None:
    places = [place("B", "Zamora"), place("A", "Ñuñoa"), place("C", "Nogales"),
              place("D", "Écija"), place("E", "Zamora")]
    for locale, cities in (("en_US", ["Écija", "Nogales", "Ñuñoa", "Zamora"]),
                           ("es_US", ["Écija", "Nogales", "Ñuñoa", "Zamora"]),
                           ("vi", ["Écija", "Nogales", "Ñuñoa", "Zamora"])):
        groups = grouped(places, locale)
        assert [city for city, _ in groups] == cities
        assert [loc.name for loc in groups[-1][1]] == ["B", "E"]


def test_updated_month_in_the_languages_words() -> None:
    assert month_year("2026-12-04", "en_US") == "December 2026"
    assert month_year("2026-12-04", "es_US") == "diciembre de 2026"
    assert month_year("2026-12-04", "vi") == "tháng 12 năm 2026"
    assert month_year("2026-12-04", "ht", ("janvye",) * 11 + ("desanm",)) == "desanm 2026"


# --- which locations ---------------------------------------------------------------------------


def test_filters_and_named_directories() -> None:
    project = load_project(REPO)
    slugs = [loc.slug for loc in project.locations]
    assert set(project.directories) == {"all", "baltimore-naloxone"}
    assert [loc.slug for loc in members(project.directories["all"], project.locations)] == slugs
    named = members(project.directories["baltimore-naloxone"], project.locations)
    assert {loc.slug for loc in named} == {"east-harbor", "mobile-outreach"}
    where = parse_where(["city=baltimore", "service=methadone"])  # case does not matter
    assert where.name == "city-baltimore-service-methadone"
    assert members(where, project.locations) == []
    either = parse_where(["city=Frederick", "city=Baltimore"])
    assert len(members(either, project.locations)) == len(slugs)
    assert [loc.slug for loc in members(parse_where(["service=methadone"]),
                                        project.locations)] == ["riverside-clinic"]


def test_the_plan_makes_one_job_per_directory_and_language() -> None:
    project = load_project(REPO)
    jobs = [j for j in plan_jobs(project, Selection()) if j.kind == "directory"]
    assert {j.relpath for j in jobs} >= {
        "_directories/all/en/directory.pdf", "_directories/baltimore-naloxone/es/directory.pdf"}
    assert all(j.material == "directory" for j in jobs)
    assert not any(j.kind == "location" and j.material == "directory"
                   for j in plan_jobs(project, Selection()))
    # Named locations alone: no directory. A directory or filters alone: no location.
    assert all(j.kind == "location" for j in plan_jobs(project, Selection(("east-harbor",))))
    only = plan_jobs(project, Selection(where=("city=Frederick",), languages=("es",)))
    assert [j.relpath for j in only] == ["_directories/city-frederick/es/directory.pdf"]


def test_each_directory_is_on_exactly_one_shard() -> None:
    project = load_project(REPO)
    jobs = plan_jobs(project, Selection())
    directories = [j for j in jobs if j.kind == "directory"]
    for n in (2, 3, 5):
        parts = [shard_jobs(jobs, project, k, n) for k in range(1, n + 1)]
        for job in directories:
            assert sum(job in part for part in parts) == 1


@pytest.mark.parametrize(("args", "message"), [
    (("--where", "colour=blue"), '--where: unknown field "colour" — filter by city, region'),
    (("--where", "city"), '--where: "city" is not a filter — write it as FIELD=VALUE'),
    (("--where", "city=Atlantis"), "--where: no location matches city=Atlantis — check the"),
    (("-d", "nowhere"), '--directory: no directory named "nowhere" — choose from: all, '
     "baltimore-naloxone"),
    (("--where", "city=Baltimore", "-m", "flyer"),
     "--where: chooses directories, but flyer is made per location — add -m directory"),
])
def test_bad_filters_are_clear_errors(tmp_path: Path, args: tuple[str, ...],
                                      message: str) -> None:
    project = directory_project(tmp_path / "proj")
    result = run_cli("build", "--project", str(project), *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("yaml", "message"), [
    ("directories:\n  Bad Name: {city: Baltimore}\n",
     'directories.Bad Name: "Bad Name" is not a valid directory name — use lowercase'),
    ("directories:\n  atlantis: {city: Atlantis}\n",
     "directories.atlantis: no location matches city=Atlantis — check the spelling"),
    ("directories:\n  x: {colour: blue}\n",
     'directories.x.colour: unknown field "colour" — filter by city'),
    ("directories:\n  x: {languages: [xx]}\n",
     "directories.x.languages: unknown language xx — available languages are"),
])
def test_bad_named_directories_are_located_errors(tmp_path: Path, yaml: str,
                                                  message: str) -> None:
    project = directory_project(tmp_path / "proj")
    org = project / "content" / "organization.yaml"
    text = org.read_text(encoding="utf-8")
    start = text.index("\ndirectories:") + 1
    end = text.index("directory_url:")
    org.write_text(text[:start] + yaml + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 2
    result = run_cli("build", "--project", str(project))
    assert result.exit_code == 1
    assert f"content/organization.yaml:{line}: {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_no_directories_named_means_one_of_every_location(project: Path) -> None:
    org = project / "content" / "organization.yaml"
    text = org.read_text(encoding="utf-8")
    start, end = text.index("\ndirectories:") + 1, text.index("directory_url:")
    org.write_text(text[:start] + text[end:], encoding="utf-8")
    assert list(load_project(project).directories) == ["all"]


# --- rendering ---------------------------------------------------------------------------------


def directory_project(root: Path, rows: int | None = None, paper: str = "letter") -> Path:
    """The sample with the directory, listing the realistic corpus's first ``rows`` rows."""
    copy_project(root, directory=True)
    org = root / "content" / "organization.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("paper: letter", f"paper: {paper}"),
                   encoding="utf-8")
    if rows is not None:
        with open(REALISTIC, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns, chosen = list(reader.fieldnames or []), list(reader)[:rows]
        with open(root / "content" / "locations.csv", "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(chosen)
        text = org.read_text(encoding="utf-8")
        start, end = text.index("\ndirectories:") + 1, text.index("directory_url:")
        org.write_text(text[:start] + text[end:], encoding="utf-8")  # the default: "all"
    return root


def page_text(doc: pdfium.PdfDocument, index: int) -> str:
    """A page's text on one line, spaces as typed (names bind their last words)."""
    text = doc[index].get_textpage().get_text_range()
    return text.replace("\r\n", " ").replace("\n", " ").replace("\xa0", " ")


def entry_pages(pdf: Path, names: list[str]) -> dict[str, set[int]]:
    """On which pages each location's name and the line that ends its entry print."""
    doc = pdfium.PdfDocument(pdf)
    texts = [page_text(doc, i) for i in range(len(doc))]
    return {name: {i for i, t in enumerate(texts) if name in t} for name in names}


@pytest.mark.slow  # about 25 s: six pages of entries laid out, then every preflight check
def test_eighty_locations_paginate_with_no_entry_split_or_clipped(tmp_path: Path) -> None:
    from makeprint_engine.preflight import build_problems
    from makeprint_engine.render import Renderer

    root = directory_project(tmp_path / "proj", rows=80)
    project = load_project(root)
    assert len(project.locations) == 80
    (job,) = plan_jobs(project, Selection(materials=("directory",), languages=("en",)))
    renderer = Renderer(project)
    rendered = renderer.render(job)
    problems = rendered.problems + build_problems(project, rendered, renderer.check_cache)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert not errors, errors  # preflight's overflow check: nothing clipped or overflowing
    assert rendered.pages >= 4
    # Each entry is one box on one page: a split entry would be laid out on two.
    seen: dict[str, list[int]] = {}

    def walk(box, page: int) -> None:  # type: ignore[no-untyped-def]
        element = getattr(box, "element", None)
        if box.element_tag == "article" and element is not None:
            seen.setdefault(element.get("data-fit"), []).append(page)
            return
        for child in getattr(box, "children", ()):
            walk(child, page)

    for number, page in enumerate(rendered.document.pages, 1):
        walk(page._page_box, number)
    assert len(seen) == 80
    assert all(len(pages) == 1 for pages in seen.values()), {
        k: v for k, v in seen.items() if len(v) > 1}
    # In the written PDF too: every page numbered "n / N", each name on one page only.
    pdf = tmp_path / "directory.pdf"
    pdf.write_bytes(rendered.pdf)
    doc = pdfium.PdfDocument(pdf)
    total = len(doc)
    for i in range(total):
        assert f"{i + 1}\u2009/\u2009{total}" in page_text(doc, i)
    short = [loc.name[:18] for loc in project.locations]
    placed = entry_pages(pdf, short)
    assert all(placed[name] for name in short), [n for n in short if not placed[n]]


def test_build_writes_the_directory_and_rebuilds_only_for_listed_locations(
        tmp_path: Path) -> None:
    root = directory_project(tmp_path / "proj")
    args = ("build", "--project", str(root), "-m", "directory", "--lang", "en", "-j", "1")
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    entries = {e["path"]: e for e in manifest(root)}
    for name in ("all", "baltimore-naloxone"):
        entry = entries[f"_directories/{name}/en/directory.pdf"]
        assert entry["directory"] == name and "location" not in entry
        assert entry["qr_url"].startswith("https://example.org/locations")
    pdf = root / "output" / "_directories" / "baltimore-naloxone" / "en" / "directory.pdf"
    text = page_text(pdfium.PdfDocument(pdf), 0)
    assert "East Harbor Drop-In Center" in text and "Riverside" not in text
    assert "Baltimore" in text and "Updated " in text
    # Riverside (Frederick) is listed by "all" only.
    locations = root / "content" / "locations.csv"
    locations.write_text(locations.read_text(encoding="utf-8").replace(
        "45 River Rd Suite 200", "47 River Rd Suite 200"), encoding="utf-8")
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    assert "1 files written" in result.output and "(1 up to date)" in result.output
    # East Harbor is listed by both.
    locations.write_text(locations.read_text(encoding="utf-8").replace(
        "1200 Eastern Ave", "1202 Eastern Ave"), encoding="utf-8")
    result = run_cli(*args)
    assert "2 files written" in result.output
    result = run_cli(*args)
    assert "0 files written" in result.output and "(2 up to date)" in result.output
    sheet = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert "Directory: baltimore-naloxone" in sheet
    assert 'href="_directories/baltimore-naloxone/en/directory.pdf"' in sheet
    result = run_cli("check", "--project", str(root), "-d", "baltimore-naloxone", "--lang", "es",
                     "-j", "1")
    assert result.exit_code == 0, result.output
    assert "1 document checked" in result.output or "1 documents checked" in result.output
    listed = run_cli("list", "--project", str(root)).output
    assert "baltimore-naloxone           2 location(s): city=Baltimore, service=naloxone" in listed


def test_where_builds_a_spanish_baltimore_list_of_two_pages(tmp_path: Path) -> None:
    root = directory_project(tmp_path / "proj")
    out = tmp_path / "out"
    result = run_cli("build", "--project", str(root), "--locations", str(REALISTIC),
                     "--where", "city=Baltimore", "--lang", "es", "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = data["files"]
    assert entry["path"] == "_directories/city-baltimore/es/directory.pdf"
    assert entry["where"] == "city=Baltimore" and entry["pages"] == 2
    doc = pdfium.PdfDocument(out / entry["path"])
    first = page_text(doc, 0)
    assert "Dónde conseguir ayuda" in first and "1\u2009/\u20092" in first
    assert "Actualizado en" in first
    # The same inputs make the same bytes (dates only from SOURCE_DATE_EPOCH).
    again = tmp_path / "again"
    result = run_cli("build", "--project", str(root), "--locations", str(REALISTIC),
                     "--where", "city=Baltimore", "--lang", "es", "-o", str(again), "-j", "1")
    assert (again / entry["path"]).read_bytes() == (out / entry["path"]).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_language_both_papers_and_press(tmp_path: Path, paper: str) -> None:
    from conftest import set_languages

    root = directory_project(tmp_path / "proj", paper=paper)
    set_languages(root, "east-harbor", SHIPPED)
    for profile in ("office", "press"):
        result = run_cli("build", "--project", str(root), "-d", "all", "--profile", profile)
        assert result.exit_code == 0, result.output
    files = {e["path"] for e in manifest(root)}
    for lang in SHIPPED:
        assert f"_directories/all/{lang}/directory.pdf" in files
        assert f"_directories/all/{lang}/directory-press.pdf" in files


def test_a_directory_that_matches_nothing_is_refused_before_anything_is_built(
        tmp_path: Path) -> None:
    project = directory_project(tmp_path / "proj")
    with pytest.raises(MakeprintError) as caught:
        plan_jobs(load_project(project), Selection(where=("service=detox",)))
    assert "no location matches service=detox" in str(caught.value)


def test_the_web_page_offers_and_makes_directories(tmp_path: Path) -> None:
    from test_server import Served

    served = Served(directory_project(tmp_path / "proj"), watch=False)
    try:
        status, catalog = served.json("/api/catalog")
        assert status == 200
        assert {d["name"]: d["count"] for d in catalog["directories"]} == {
            "all": 3, "baltimore-naloxone": 2}
        assert [m["name"] for m in catalog["materials"] if m["collection"]] == ["directory"]
        query = "directory=baltimore-naloxone&lang=es&material=directory"
        status, doc = served.json("/api/document?" + query)
        assert status == 200 and doc["ok"], doc
        assert doc["pages"] == 1 and doc["filename"] == "directory-baltimore-naloxone-es.pdf"
        assert doc["qr_url"].startswith("https://example.org/locations")
        status, _, pdf = served.get(doc["pdf"])
        assert status == 200 and pdf.startswith(b"%PDF")
        for bad, message in (
            ("directory=nowhere&lang=es&material=directory", 'no directory named "nowhere"'),
            ("directory=all&lang=ht&material=directory", "directory all is made in"),
            ("directory=all&lang=es&material=flyer", "made as a directory, not a flyer"),
            ("location=east-harbor&lang=es&material=directory", "made per directory"),
        ):
            status, error = served.json("/api/document?" + bad)
            assert status == 404 and message in error["error"], (bad, error)
    finally:
        served.close()


def test_preview_draws_a_directory(tmp_path: Path) -> None:
    root = directory_project(tmp_path / "proj")
    out = tmp_path / "dir.png"
    result = run_cli("preview", "--project", str(root), "baltimore-naloxone", "directory",
                     "--lang", "es", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    result = run_cli("preview", "--project", str(root), "baltimore-naloxone", "directory",
                     "--lang", "ko")
    assert result.exit_code == 1 and "its languages are ar, en, es, vi, zh-Hans" in result.stderr
