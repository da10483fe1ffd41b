"""Facts in content/ that CONTENT.md corrects: a wrong one is a wrong fact in print."""

from __future__ import annotations

import pytest
import yaml
from conftest import REPO, SHIPPED

LANGS = list(SHIPPED)
# 988 takes texts in English and Spanish: never say texting is English-only.
ENGLISH_ONLY = ["English only", "English-only", "solo en inglés", "chỉ tiếng Anh", "仅限英语",
                "بالإنجليزية فقط", "영어로만", "영어만", "только на английском",
                "только по-английски", "só em inglês", "somente em inglês", "apenas em inglês",
                "Ingles lang", "Ingles lamang", "sèlman an anglè", "anglè sèlman"]
SPANISH = {"es": "español", "vi": "Tây Ban Nha", "zh-Hans": "西班牙语", "ar": "الإسبانية",
           "ko": "스페인어", "ru": "испанском", "pt-BR": "espanhol", "tl": "Espanyol",
           "ht": "panyòl"}
# Calls are answered in English and Spanish with interpreters for 240+ languages: the other
# languages tell the reader to ask for one, in their own words.
INTERPRETER = {"vi": "thông dịch", "zh-Hans": "口译", "ar": "مترجم", "ko": "통역",
               "ru": "переводчика", "pt-BR": "intérprete", "tl": "interpreter",
               "ht": "entèprèt"}


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


def test_every_language_has_its_facts_checked() -> None:
    assert set(SPANISH) | {"en"} == set(LANGS)
    assert set(INTERPRETER) | {"en", "es"} == set(LANGS)


@pytest.mark.parametrize("lang", sorted(INTERPRETER))
def test_988_notes_say_ask_for_an_interpreter(lang: str) -> None:
    card, crisis = crisis_notes(lang)
    assert "988" in card, card
    for note in (card, crisis):
        assert INTERPRETER[lang] in note, f"{lang}: {note}"
