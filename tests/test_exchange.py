"""Exchange with translators: export PO/XLIFF, edit it as a translation tool would, import."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from conftest import pdf_text, run_cli, snapshot
from translate.storage import xliff
from translate.storage.pypo import pofile

from makeprint_engine.yamledit import set_strings
from makeprint_engine.yamlsrc import load_yaml

SLUG = "east-harbor"
OLD, NEW = "Tiny pupils", "Very small pupils"  # content/en/wallet-card.yaml front.signs[4]
UNIT = "wallet-card:front.signs[4]"
VI_OLD, VI_NEW = "Con ngươi rất nhỏ", "Đồng tử co lại rất nhỏ"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _change_english(root: Path, old: str = OLD, new: str = NEW) -> None:
    _edit(root / "content" / "en" / "wallet-card.yaml", f'"{old}"', f'"{new}"')


def _export(root: Path, out: Path, *args: str) -> str:
    result = run_cli("translations", "export", "--project", str(root), "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return result.output


def _import(root: Path, path: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("translations", "import", "--project", str(root), *args, str(path))


def _counts(root: Path) -> dict[str, str]:
    result = run_cli("list", "--project", str(root))
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"(?m)^  ([\w-]+): +(\d+ translated.*)$", result.output))


def _sign_line(root: Path) -> int:
    return load_yaml(root / "content" / "vi" / "wallet-card.yaml")["front"]["signs"].item_lines[4]


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_po_round_trip_clears_a_stale_string_and_prints_it(project: Path, tmp_path: Path) -> None:
    _change_english(project)
    po = tmp_path / "vi.po"
    assert "1 string(s) of content/vi/ written" in _export(
        project, po, "--lang", "vi", "--only", "stale"
    )

    # As any PO tool reads it (translate-toolkit): the key, both Englishes, where it prints.
    (unit,) = [u for u in pofile.parsestring(po.read_bytes()).units if not u.isheader()]
    assert unit.getcontext() == UNIT
    assert (unit.source, unit.target, unit.prev_source) == (NEW, VI_OLD, OLD)
    assert unit.isfuzzy()
    notes = " ".join(unit.getnotes("developer").split())  # wrapped at 76 columns
    assert "Prints on: wallet card, wallet-card front." in notes
    assert f"Goes in content/vi/wallet-card.yaml:{_sign_line(project)}." in notes
    assert "Space, measured on the English layout: wallet-card, page 1, overdose steps" in notes
    assert "The English is 17 characters" in notes
    assert unit.getlocations() == ["content/en/wallet-card.yaml:10"]

    # The translator's tool (Babel's reader and writer) sets the new text and clears fuzzy.
    with po.open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get(NEW, context=UNIT)
    message.string = VI_NEW
    message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog)

    yaml_path = project / "content" / "vi" / "wallet-card.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    result = _import(project, po)
    assert result.exit_code == 0, result.output
    assert f"{UNIT}: imported" in result.output
    assert "1 string(s) imported into content/vi/ (2 file(s) written)" in result.output
    # Only the string changed: comments, key order and every other byte are as they were.
    assert yaml_path.read_text(encoding="utf-8") == before.replace(f'"{VI_OLD}"', f'"{VI_NEW}"')
    sources = (project / "content" / "vi" / ".sources.yaml").read_text(encoding="utf-8")
    assert f'  front.signs[4]: "{NEW}"' in sources

    check = run_cli("check", "--project", str(project), "-l", SLUG, "--lang", "vi",
                    "-m", "wallet-card")
    assert check.exit_code == 0, check.output
    assert "the English changed" not in check.output

    build = run_cli("build", "--project", str(project), "-l", SLUG, "--lang", "vi",
                    "-m", "wallet-card")
    assert build.exit_code == 0, build.output
    text = _flat(" ".join(pdf_text(project / "output" / SLUG / "vi" / "wallet-card.pdf")))
    assert VI_NEW in text and VI_OLD not in text


def test_xliff_round_trip(project: Path, tmp_path: Path) -> None:
    _change_english(project)
    path = tmp_path / "vi.xlf"
    _export(project, path, "--lang", "vi", "--only", "stale,missing")

    # Edited with translate-toolkit's XLIFF classes, as a translation tool would.
    store = xliff.xlifffile.parsestring(path.read_bytes())
    (unit,) = list(store.unit_iter())
    assert unit.xmlelement.get("id") == UNIT
    assert (unit.source, unit.target) == (NEW, VI_OLD)
    assert unit.isfuzzy()
    (previous,) = unit.getalttrans(origin="previous")
    assert previous.source == OLD
    assert "Prints on: wallet card, wallet-card front." in unit.getnotes()
    unit.target = VI_NEW  # a new target is translated and approved
    path.write_bytes(bytes(store))

    yaml_path = project / "content" / "vi" / "wallet-card.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    result = _import(project, path, "--lang", "vi")
    assert result.exit_code == 0, result.output
    assert f"{UNIT}: imported" in result.output
    assert yaml_path.read_text(encoding="utf-8") == before.replace(f'"{VI_OLD}"', f'"{VI_NEW}"')
    assert _counts(project)["vi"].startswith("176 translated, 0 stale, 0 missing")


def test_unconfirmed_and_empty_units_are_left_out(project: Path, tmp_path: Path) -> None:
    _change_english(project)
    po = tmp_path / "vi.po"
    _export(project, po, "--lang", "vi", "--only", "stale")
    before = snapshot(project / "content")
    result = _import(project, po)  # sent back untouched: still fuzzy
    assert result.exit_code == 0, result.output
    assert f"left out, still marked fuzzy or for review: {UNIT}" in result.output
    assert snapshot(project / "content") == before
    assert "1 stale" in _counts(project)["vi"]


def test_import_refuses_unknown_units_and_changed_english(project: Path, tmp_path: Path) -> None:
    _change_english(project)
    po = tmp_path / "vi.po"
    _export(project, po, "--lang", "vi", "--only", "stale")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    catalog.get(NEW, context=UNIT).string = VI_NEW
    catalog.get(NEW, context=UNIT).flags.discard("fuzzy")
    catalog.add("Gone", "Đã mất", context="wallet-card:front.no_such_key")
    with po.open("wb") as handle:
        write_po(handle, catalog)
    before = snapshot(project / "content")
    result = _import(project, po)
    assert result.exit_code == 1, result.output
    assert re.search(r"vi\.po:\d+: wallet-card:front\.no_such_key: unknown unit: "
                     r"content/en/wallet-card\.yaml has no such string", result.output)
    assert snapshot(project / "content") == before  # the good unit is not written either

    # The English changes again after the export: the translation is of the older English.
    catalog.delete("Gone", context="wallet-card:front.no_such_key")
    with po.open("wb") as handle:
        write_po(handle, catalog)
    _change_english(project, NEW, "Pinpoint pupils")
    before = snapshot(project / "content")
    result = _import(project, po)
    assert result.exit_code == 1, result.output
    assert (f'{UNIT}: its English is "{NEW}", but content/en/wallet-card.yaml now says '
            '"Pinpoint pupils"') in result.output
    assert "export again" in result.output
    assert snapshot(project / "content") == before


def test_export_missing_and_import_adds_the_keys(project: Path, tmp_path: Path) -> None:
    common = project / "content" / "vi" / "common.yaml"
    _edit(common, "  call:", "  # call:")
    card = project / "content" / "vi" / "wallet-card.yaml"
    _edit(card, f'    - "{VI_OLD}"\n', "")
    po = tmp_path / "vi.po"
    assert "2 string(s)" in _export(project, po, "--lang", "vi", "--only", "missing")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    units = {m.context: m for m in catalog if m.id}
    assert set(units) == {"common:labels.call", UNIT}
    assert units["common:labels.call"].string == "" and units["common:labels.call"].id == "Call"
    assert "not there yet" in " ".join(units[UNIT].auto_comments)
    units["common:labels.call"].string = "Gọi"
    units[UNIT].string = VI_NEW
    with po.open("wb") as handle:
        write_po(handle, catalog)

    common_before, card_before = common.read_text("utf-8"), card.read_text("utf-8")
    result = _import(project, po)
    assert result.exit_code == 0, result.output
    assert "still missing" not in result.output
    # Each new line goes where the English has it: labels.call first, the sign last.
    assert common.read_text("utf-8") == common_before.replace(
        "labels:\n", 'labels:\n  call: "Gọi"\n', 1)
    last = '    - "Môi, móng xanh hoặc xám"\n'
    assert card.read_text("utf-8") == card_before.replace(last, f'{last}    - "{VI_NEW}"\n')
    assert _counts(project)["vi"].startswith("176 translated, 0 stale, 0 missing")


def test_export_leaves_out_identifiers_and_says_where_strings_print(
    project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "vi.xlf"
    output = _export(project, path, "--lang", "vi")
    store = xliff.xlifffile.parsestring(path.read_bytes())
    ids = [u.xmlelement.get("id") for u in store.unit_iter()]
    assert "wallet-card:front.steps[0].text" in ids
    assert "wallet-card:front.steps[0].icon" not in ids  # an icon name, not text
    assert not any(re.fullmatch(r"[\w-]+:(back\.)?hotlines\[\d\]", i) for i in ids)
    assert f"{len(ids)} string(s)" in output
    notes = {u.xmlelement.get("id"): u.getnotes() for u in store.unit_iter()}
    assert "English file's note: above the number" in notes["flyer:call_heading"]
    assert "Keep {n} as written" in notes["common:labels.and_more"]


def test_bad_files_are_refused_by_name(project: Path, tmp_path: Path) -> None:
    before = snapshot(project / "content")
    junk = tmp_path / "junk.po"
    junk.write_text("hello there\n", encoding="utf-8")
    result = _import(project, junk)
    assert result.exit_code == 1, result.output
    assert "junk.po:1: not a PO file this can read" in result.output

    broken = tmp_path / "broken.xlf"
    broken.write_text('<?xml version="1.0"?>\n<xliff version="1.2">\n<file>\n', encoding="utf-8")
    result = _import(project, broken)
    assert result.exit_code == 1, result.output
    assert re.search(r"broken\.xlf:4:\d+: not an XLIFF file this can read", result.output)

    other = tmp_path / "es.po"
    _export(project, other, "--lang", "es", "--only", "current")
    result = _import(project, other, "--lang", "vi")
    assert result.exit_code == 1, result.output
    assert 'es.po: it is a translation into "es", not "vi"' in result.output

    french = tmp_path / "fr.po"
    with french.open("wb") as handle:
        write_po(handle, Catalog(locale="fr"))
    result = _import(project, french)
    assert result.exit_code == 1, result.output
    assert 'it is in language "fr", which this project does not have' in result.output

    assert _import(project, tmp_path / "none.po").exit_code == 2
    bad = run_cli("translations", "export", "--project", str(project), "--lang", "vi",
                  "--only", "stale,old", "-o", str(tmp_path / "x.po"))
    assert bad.exit_code == 2 and "choose from current, stale, missing, unknown" in bad.output
    assert snapshot(project / "content") == before


def test_editing_keeps_every_other_byte() -> None:
    """A string set in the Arabic pamphlet, whose other strings write bidi isolates as \\u
    escapes: only its own value changes, and an isolate in it is written as an escape too."""
    root = Path(__file__).resolve().parent.parent / "content"
    english = load_yaml(root / "en" / "pamphlet.yaml")
    text = (root / "ar" / "pamphlet.yaml").read_text(encoding="utf-8")
    old = load_yaml(root / "ar" / "pamphlet.yaml")["cover"]["kicker"]
    new = set_strings(text, {"cover.kicker": "الحد من \u2066HIV\u2069 الضرر"}, english, "x")
    assert new == text.replace(f'"{old}"', '"الحد من \\u2066HIV\\u2069 الضرر"', 1)


def test_import_refuses_a_lost_placeholder_and_a_key_with_nowhere_to_go(
    project: Path, tmp_path: Path
) -> None:
    po = tmp_path / "vi.po"
    _export(project, po, "--lang", "vi", "--only", "current")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    catalog.get("and {n} more", context="common:labels.and_more").string = "và các dịch vụ khác"
    with po.open("wb") as handle:
        write_po(handle, catalog)
    before = snapshot(project / "content")
    result = _import(project, po)
    assert result.exit_code == 1, result.output
    assert re.search(r"vi\.po:\d+: common:labels\.and_more: the translation has no placeholder "
                     r"where the English has \{n\}", result.output)
    assert snapshot(project / "content") == before

    # A whole section missing: the importer will not invent its shape.
    card = project / "content" / "vi" / "wallet-card.yaml"
    card.write_text(card.read_text("utf-8").split("back:\n")[0], encoding="utf-8")
    _export(project, po, "--lang", "vi", "--only", "missing")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            message.string = "Văn bản"
    with po.open("wb") as handle:
        write_po(handle, catalog)
    before = snapshot(project / "content")
    result = _import(project, po)
    assert result.exit_code == 1, result.output
    assert ("content/vi/wallet-card.yaml: back.hotline_note: cannot add or change this string "
            "here: it has no 'back' to hold it") in result.output
    assert snapshot(project / "content") == before
