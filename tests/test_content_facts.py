"""Facts in content/ that CONTENT.md corrects: a wrong one is a wrong fact in print."""

from __future__ import annotations

import pytest
import yaml
from conftest import REPO

LANGS = ["en", "es", "vi", "zh-Hans", "ar"]
# 988 takes texts in English and Spanish: never say texting is English-only.
ENGLISH_ONLY = ["English only", "English-only", "solo en inglés", "chỉ tiếng Anh", "仅限英语",
                "بالإنجليزية فقط"]
SPANISH = {"es": "español", "vi": "Tây Ban Nha", "zh-Hans": "西班牙语", "ar": "الإسبانية"}


def crisis_notes(lang: str) -> list[str]:
    common = yaml.safe_load((REPO / "content" / lang / "common.yaml").read_text("utf-8"))
    card = yaml.safe_load((REPO / "content" / lang / "wallet-card.yaml").read_text("utf-8"))
    notes = [card["back"]["hotline_note"]]
    notes += [h["note"] for key, h in common["hotlines"].items() if key == "crisis"]
    return notes


@pytest.mark.parametrize("lang", LANGS)
def test_988_texting_is_never_called_english_only(lang: str) -> None:
    notes = crisis_notes(lang)
    assert len(notes) == 2
    for note in notes:
        assert not any(phrase in note for phrase in ENGLISH_ONLY), f"{lang}: {note}"
        if lang in SPANISH:  # texts in English or Spanish: the Spanish is named
            assert SPANISH[lang] in note, f"{lang}: {note}"
