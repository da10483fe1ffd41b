"""Stale translations: the English a string was made from, recorded and compared (issue 15)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import SHIPPED, copy_project, run_cli, set_languages

from makeprint_engine.yamlsrc import load_yaml

SLUG = "east-harbor"
TRANSLATED = tuple(lang for lang in SHIPPED if lang != "en")
OLD, NEW = "Tiny pupils", "Very small pupils"  # content/en/wallet-card.yaml front.signs[4]
KEY = "front.signs[4]"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _change_english(root: Path) -> None:
    _edit(root / "content" / "en" / "wallet-card.yaml", f'"{OLD}"', f'"{NEW}"')


def _sign_line(root: Path, lang: str) -> int:
    data = load_yaml(root / "content" / lang / "wallet-card.yaml")
    return data["front"]["signs"].item_lines[4]  # type: ignore[no-any-return]


def _counts(output: str) -> dict[str, str]:
    """``makeprint list``'s translation lines, by language."""
    found = re.findall(r"(?m)^  ([\w-]+): +(\d+ translated.*)$", output)
    return dict(found)


def test_shipped_translations_are_current(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "proj", poster=True, directory=True)  # every material's
    for lang in TRANSLATED:
        assert (project / "content" / lang / ".sources.yaml").is_file()
    result = run_cli("list", "--project", str(project))
    assert result.exit_code == 0, result.output
    counts = _counts(result.output)
    assert set(counts) == set(TRANSLATED)
    for lang in TRANSLATED:
        assert re.fullmatch(r"\d+ translated, 0 stale, 0 missing", counts[lang]), counts[lang]
    # Recording again what is already recorded changes nothing, byte for byte.
    before = (project / "content" / "es" / ".sources.yaml").read_bytes()
    result = run_cli("translations", "mark-current", "--project", str(project), "--lang", "es")
    assert result.exit_code == 0, result.output
    assert "0 string(s) marked" in result.output
    assert (project / "content" / "es" / ".sources.yaml").read_bytes() == before


def test_check_names_every_translation_of_a_changed_string(project: Path) -> None:
    set_languages(project, SLUG)  # check reports the languages it checks: every one
    _change_english(project)
    result = run_cli("check", "--project", str(project), "-l", SLUG, "-m", "wallet-card")
    assert result.exit_code == 0, result.output  # warnings only
    for lang in TRANSLATED:
        line = _sign_line(project, lang)
        expected = (
            f"warning: content/{lang}/wallet-card.yaml:{line}: {KEY}: the English changed since "
            f'this was translated — was "{OLD}", now "{NEW}"'
        )
        assert expected in result.output, result.output
        assert f"mark-current --lang {lang} wallet-card:{KEY}" in result.output
    assert "content/en/wallet-card.yaml:" not in result.output  # English is the source

    strict = run_cli(
        "check", "--project", str(project), "-l", SLUG, "-m", "wallet-card", "--lang", "es",
        "--strict", "--format", "json",
    )
    assert strict.exit_code == 1, strict.output
    (stale,) = [
        f for f in json.loads(strict.output)["findings"] if f["check"] == "translation"
        and f["field"] == KEY
    ]
    assert stale["severity"] == "error" and stale["lang"] == "es"
    assert stale["path"] == "content/es/wallet-card.yaml"
    assert stale["line"] == _sign_line(project, "es")


def test_list_counts_stale_missing_and_unused(project: Path) -> None:
    _change_english(project)
    _edit(project / "content" / "en" / "pamphlet.yaml", "  picture:", "  old_picture:")
    # A key missing from a translation fails the load as before, but list still counts it.
    _edit(project / "content" / "vi" / "common.yaml", "  call:", "  # call:")
    result = run_cli("list", "--project", str(project))
    assert result.exit_code == 0, result.output
    counts = _counts(result.output)
    assert counts["es"] == "175 translated, 1 stale, 1 missing, 1 unused", counts
    assert counts["vi"] == "174 translated, 1 stale, 2 missing, 1 unused", counts
    build = run_cli("build", "--project", str(project), "-l", SLUG, "--lang", "vi")
    assert build.exit_code == 1
    assert "key 'labels.call' is missing for language 'vi'" in build.output


def test_a_key_removed_from_english_is_unused(project: Path) -> None:
    _edit(project / "content" / "en" / "pamphlet.yaml",
          '  picture: "Two people side by side, with a heart above them"\n', "")
    result = run_cli(
        "check", "--project", str(project), "-l", SLUG, "--lang", "es", "-m", "pamphlet"
    )
    line = load_yaml(project / "content" / "es" / "pamphlet.yaml")["cover"].line_of("picture")
    assert (
        f"warning: content/es/pamphlet.yaml:{line}: cover.picture: unused: "
        "content/en/pamphlet.yaml has no such key"
    ) in result.output, result.output
    assert result.exit_code == 0, result.output  # a warning


def test_require_reviewed_refuses_a_stale_string_until_marked_current(project: Path) -> None:
    reviewer = "Ana Ruiz, certified translator, 2026-11-20"
    result = run_cli(
        "translations", "mark-reviewed", "--project", str(project), "--lang", "es", "--by", reviewer
    )
    assert result.exit_code == 0, result.output
    meta = load_yaml(project / "content" / "es" / "language.yaml")
    assert meta["status"] == "reviewed" and meta["reviewed_by"] == reviewer
    assert meta["notes"]  # the rest of the file is kept
    build = ("build", "--project", str(project), "--require-reviewed", "--lang", "es", "-l", SLUG,
             "-m", "wallet-card")

    _change_english(project)
    result = run_cli(*build)
    assert result.exit_code == 1, result.output
    line = _sign_line(project, "es")
    assert f"content/es/wallet-card.yaml:{line}: {KEY}: the English changed" in result.output
    assert "--require-reviewed refuses it" in result.output
    assert not list(project.rglob("*.pdf"))

    # The translator updates it; marking it current clears it.
    _edit(project / "content" / "es" / "wallet-card.yaml", '"Pupilas diminutas"',
          '"Pupilas muy pequeñas"')
    result = run_cli("translations", "mark-current", "--project", str(project), "--lang", "es",
                     f"wallet-card:{KEY}")
    assert result.exit_code == 0, result.output
    assert f"wallet-card:{KEY}: marked current" in result.output
    assert f'  {KEY}: "{NEW}"' in (project / "content" / "es" / ".sources.yaml").read_text(
        encoding="utf-8"
    )
    counts = _counts(run_cli("list", "--project", str(project)).output)
    assert counts["es"].startswith("176 translated, 0 stale") and "1 stale" in counts["vi"]
    result = run_cli(*build)
    assert result.exit_code == 0, result.output
    assert (project / "output" / SLUG / "es" / "wallet-card.pdf").is_file()


def test_mark_current_refuses_unknown_keys_and_the_source_language(project: Path) -> None:
    mark = ("translations", "mark-current", "--project", str(project))
    result = run_cli(*mark, "--lang", "es", "pamphlet:no.such.key")
    assert result.exit_code == 1
    assert "no translated string 'pamphlet:no.such.key' in content/es/" in result.output
    result = run_cli(*mark, "--lang", "en")
    assert result.exit_code == 1 and "source language" in result.output
    result = run_cli(*mark, "--lang", "xx")
    assert result.exit_code == 1 and 'no language "xx"' in result.output


def test_a_string_with_no_recorded_source_is_unknown_not_stale(project: Path) -> None:
    sources = project / "content" / "es" / ".sources.yaml"
    _edit(sources, f'  {KEY}: "{OLD}"\n', "")
    counts = _counts(run_cli("list", "--project", str(project)).output)
    assert counts["es"] == "176 translated, 0 stale, 0 missing, 1 of unknown source"
    result = run_cli(
        "check", "--project", str(project), "-l", SLUG, "--lang", "es", "-m", "wallet-card",
    )
    assert result.exit_code == 0, result.output
    assert "warning: content/es/wallet-card.yaml" not in result.output
    assert f"info: content/es/wallet-card.yaml:{_sign_line(project, 'es')}: {KEY}: unknown source"\
        in result.output
    sources.unlink()  # a language never tracked: one note, nothing stale
    counts = _counts(run_cli("list", "--project", str(project)).output)
    assert counts["es"] == (
        "176 translated, 0 stale, 0 missing, 176 of unknown source (not tracked: no .sources.yaml)"
    )


def test_the_sources_file_does_not_rebuild_documents(project: Path) -> None:
    build = ("build", "--project", str(project), "-l", SLUG, "--lang", "es", "-m", "wallet-card")
    assert run_cli(*build).exit_code == 0
    sources = project / "content" / "es" / ".sources.yaml"
    _edit(sources, f'"{OLD}"', '"Something else"')  # now stale: nothing printed changed
    result = run_cli(*build)
    assert result.exit_code == 0, result.output
    assert "0 files written" in result.output and "up to date" in result.output


def test_the_web_page_notes_stale_translations(project: Path) -> None:
    from makeprint_engine.server import App

    _change_english(project)
    app = App(project)
    current, generation = app.state()
    assert app.stale(current, generation, "es") == 1
    assert app.stale(current, generation, "en") == 0
