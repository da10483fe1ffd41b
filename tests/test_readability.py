"""The reading-level formulas' parts, each against a value worked out by hand: the English
syllable rule for words the dictionary lacks, INFLESZ's bands, what makes a sentence weigh,
which sentences are named as hardest, and which languages are measured at all."""

from __future__ import annotations

import pytest

from makeprint_engine import readability
from makeprint_engine.readability import Sentence


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("blorpake", 2),   # a silent final e: blor-pak
        ("snurble", 2),    # final -le is a syllable
        ("flobee", 2),     # so is -ee
        ("grandye", 2),    # and -ye
        ("blorped", 1),    # -ed after a consonant is silent
        ("flanted", 2),    # but not after t
        ("fladded", 2),    # or d
        ("blorpes", 1),    # -es is silent
        ("plasses", 2),    # but not after s
        ("frizzes", 2),    # z
        ("pluces", 2),     # or c
        ("naïvor", 2),     # accents stripped, "ai" one group
        ("quayzoo", 2),    # "uay" and "oo": vowel groups, y a vowel
        ("zyx", 1),        # three letters or fewer: one
        ("123", 1),        # no letters: one
        ("strengthsz", 1),
    ],
)
def test_words_the_dictionary_lacks_count_vowel_groups(word: str, syllables: int) -> None:
    assert readability._guess_en(word) == syllables


@pytest.mark.parametrize(
    ("value", "band"),
    [(-5, "very hard"), (39.99, "very hard"), (40, "somewhat hard"), (54.99, "somewhat hard"),
     (55, "normal"), (64.99, "normal"), (65, "fairly easy"), (79.99, "fairly easy"),
     (80, "very easy"), (120, "very easy")],
)
def test_inflesz_bands_start_where_the_scale_says(value: float, band: str) -> None:
    assert readability.inflesz_band(value) == band


def test_a_sentence_weighs_by_its_length_and_its_word_length() -> None:
    sentence = Sentence("x", 7, 10)
    assert readability._weight(sentence, "en") == pytest.approx(0.39 * 7 + 11.8 * 10 / 7)
    assert readability._weight(sentence, "es") == pytest.approx(7 + 62.3 * 10 / 7)
    assert readability._weight(Sentence("", 0, 0), "en") == 0


def test_the_two_hardest_sentences_are_named_hardest_first() -> None:
    text = "Call now. Stay with the person until help arrives. Everybody remembers everything. Go."
    assert [readability.syllables_en(w) for w in ("everybody", "remembers", "everything")] == [
        4, 3, 3]
    score = readability.measure([text], "en-US")
    assert score is not None
    assert score.hardest == ("Everybody remembers everything.",
                             "Stay with the person until help arrives.")
    spanish = readability.measure(["Llame ya. Quédese con la persona hasta mañana. Ya."], "es_MX")
    assert spanish is not None
    assert spanish.hardest == ("Quédese con la persona hasta mañana.", "Llame ya.")
    assert (spanish.words, spanish.sentences, spanish.syllables) == (9, 3, 17)


@pytest.mark.parametrize(
    ("lang", "measured"),
    [("en", True), ("en-US", True), ("EN_gb", True), ("es", True), ("es-419", True),
     ("vi", False), ("zh-Hans", False), ("ar", False), ("eno", False)],
)
def test_only_english_and_spanish_are_measured(lang: str, measured: bool) -> None:
    assert readability.language_measured(lang) is measured
    score = readability.measure(["Call now. Llame ya."], lang)
    assert (score is not None) is measured


def test_no_words_is_no_score() -> None:
    assert readability.measure(["", "— · —", "..."], "en") is None
    assert readability.measure([], "es") is None


def test_sentences_end_at_stops_quotes_and_list_separators() -> None:
    text = 'He said "stop." Then   left · safe • done… Really? Yes!'
    assert [s.text for s in readability.split_sentences(text)] == [
        'He said "stop."', "Then left", "safe", "done…", "Really?", "Yes!"]
    assert [s.words for s in readability.split_sentences("Don't re-use it. 911 now.")] == [3, 2]
