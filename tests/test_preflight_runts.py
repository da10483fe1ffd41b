"""The runts check fed laid-out lines built by hand: which last lines are one word (or one
or two CJK characters), which CJK lines break at forbidden punctuation, and how findings of
repeated copies are counted. The mutation guards of ``preflight.runts``."""

from __future__ import annotations

import pytest
from test_preflight_checks import doc, text

from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.layout import Text
from makeprint_engine.preflight.runts import _is_runt, _line_text, runt_problems

HINT = ("content text binds its last words on its own; shorten or reword this text, or for "
        "location data set a short_name")
KINSOKU = "keep the punctuation with the character before it (a WORD JOINER, U+2060)"


def para(*lines: str, block: int = 1, element: str = "p.note", **fields: object) -> list[Text]:
    """A block whose lines are ``lines``; each line one text box."""
    return [text(words, block=block, line=n, block_element=element, element=element, **fields)
            for n, words in enumerate(lines)]


def runts(*texts: Text) -> list[Finding]:
    return runt_problems(doc(list(texts)))


def test_a_last_line_of_one_word() -> None:
    (found,) = runts(*para("Call us any time of day or", "night."))
    assert found == Finding(
        "the last line holds a single word: “night.” (of “Call us any time of day or night.”)",
        severity="warning", check="runts", location="east-harbor", lang="en",
        material="wallet-card", page=1, element="p.note", region="card back", text="night.",
        hint=HINT)


def test_two_words_on_the_last_line_are_fine() -> None:
    assert runts(*para("Call us any time of day", "or night.")) == []


def test_one_line_is_no_runt() -> None:
    assert runts(*para("Alone")) == []
    assert runts(*para("Alone", "  ")) == []  # a line of spaces is not a line


@pytest.mark.parametrize("element", ["p", "li.step", "h1", "h6.x", "dd", "dt", "figcaption",
                                     "blockquote", "div.card p.note"])
def test_running_text_elements(element: str) -> None:
    assert len(runts(*para("one two three", "four", element=element))) == 1


@pytest.mark.parametrize("element", ["td", "div.address", "span", "pre", "h7", "p-x",
                                     "p.note td"])
def test_data_elements_are_not_checked(element: str) -> None:
    assert runts(*para("one two three", "four", element=element)) == []


def test_what_is_not_printed_is_left_out() -> None:
    base = para("one two three", "four")
    for fields in ({"pseudo": True}, {"visible": False}, {"color": (0, 0, 0, 0)}, {"line": -1}):
        last = text("four", block=1, block_element="p.note", element="p.note",
                    **({"line": 1} | fields))
        assert runts(base[0], last) == [], fields


def test_a_last_line_in_a_link_is_left_alone() -> None:
    lines = para("Visit us at", "example")
    lines[1].link = object()
    assert runts(*lines) == []
    lines[0].link, lines[1].link = object(), None
    assert len(runts(*lines)) == 1


def test_a_line_of_several_boxes() -> None:
    texts = para("Call us any", "ti")
    texts.append(text("me", block=1, line=1, block_element="p.note"))
    (found,) = runts(*texts)
    assert found.text == "time"


def test_blocks_are_separate() -> None:
    texts = para("one two", "three", block=1) + para("four five", "six seven", block=2)
    texts += para("eight nine", "ten", block=3, element="li", page=2)
    found = runts(*texts)
    assert [(f.page, f.element, f.text) for f in found] == [(1, "p.note", "three"),
                                                            (2, "li", "ten")]


def test_line_text() -> None:
    texts = [text("\u2068a\u00a0 b"), text("c\u2069  ")]
    assert _line_text(texts) == "a bc"


@pytest.mark.parametrize(
    ("line", "runt"),
    [
        ("word", True), (" word. ", True), ("two words", False), ("123", False), ("—", False),
        ("example.org", False), ("a@b.c", False), ("https://x", False), ("x/y", False),
        ("日本", True), ("日本語", False), ("日", True), ("7 天", True), ("10 天", True),
        ("到 10 天", False), ("ab日", False), ("日本。", True), ("word日", False),
    ],
)
def test_is_runt(line: str, runt: bool) -> None:
    assert _is_runt(line) is runt


def test_a_cjk_runt_is_a_character() -> None:
    (found,) = runts(*para("请在任何时间给我们打电", "话。"))
    assert found.message.startswith("the last line holds a single character: “话。”")


def test_quotes_are_shortened() -> None:
    first = "x " * 40
    (found,) = runts(*para(first.strip(), "y" * 31))
    assert found.message == (
        f"the last line holds a single word: “{'y' * 29}…” "
        f"(of “{('x ' * 40)[:49]}…”)")


def test_kinsoku_line_start() -> None:
    found = runts(*para("请在任何时间给我们打电话", "。我们在这里帮助你"))
    assert found == [Finding(
        "a line starts with “。”, which Chinese and Japanese typesetting forbids: "
        "“。我们在这里帮助你”", severity="warning", check="runts", location="east-harbor",
        lang="en", material="wallet-card", page=1, element="p.note", region="card back",
        text="。我们在这里帮助你", hint=KINSOKU)]


def test_kinsoku_line_end() -> None:
    (found,) = runts(*para("请在任何时间给我们打电话（", "我们在这里帮助你）"))
    assert found.message == ("a line ends with “（”, which Chinese and Japanese typesetting "
                             "forbids: “请在任何时间给我们打电话（”")
    assert found.text == "请在任何时间给我们打电话（"


def test_latin_text_may_break_at_punctuation() -> None:
    assert runts(*para("Call us (any time", ", day or night) now")) == []


def test_kinsoku_start_wins_over_end() -> None:
    found = runts(*para("我们在这里帮助你（", "。我们在这里帮助你"))
    assert [f.message.split(",")[0] for f in found] == ["a line starts with “。”"]


def test_repeated_copies_are_counted_once() -> None:
    texts = []
    for block in range(3):
        texts += para("one two three", "four", block=block)
    texts += para("one two three", "four", block=9, page=2)
    found = runts(*texts)
    assert [(f.page, f.message.endswith("(3 times)")) for f in found] == [(1, True), (2, False)]
    assert found[0].message == (
        "the last line holds a single word: “four” (of “one two three four”) (3 times)")
    assert found[1].message == "the last line holds a single word: “four” (of “one two three four”)"


def test_skipped_texts_and_blocks_do_not_stop_the_check() -> None:
    skipped = [text("1.", block=5, line=9, pseudo=True, block_element="p.note"),
               text("Mon", block=6, line=8, block_element="td")]
    single = para("Alone", block=7)
    assert len(runts(*skipped, *single, *para("one two three", "four"))) == 1


def test_the_innermost_element_decides() -> None:
    assert runts(*para("one two three", "four", element="div.a p.b td")) == []


def test_the_last_of_three_lines() -> None:
    (found,) = runts(*para("one two three", "four five six", "seven"))
    assert found.text == "seven"
    assert runts(*para("one two three", "four", "five six")) == []
    lines = para("one two three", "four five six", "seven")
    lines[2].link = object()
    assert runts(*lines) == []


def test_two_copies_are_counted() -> None:
    texts = para("one two three", "four", block=1) + para("one two three", "four", block=2)
    (found,) = runts(*texts)
    assert found.message.endswith(" (2 times)")


def test_kinsoku_quote_is_shortened_to_30() -> None:
    long = "。" + "我" * 40
    (found,) = runts(*para("请在任何时间给我们打电话", long))
    assert found.message.endswith(f"“{long[:29]}…”")


def test_a_heading_of_three_words_may_wrap_to_one_word() -> None:
    """'Help without / judgment' on the poster: a three-word heading that wraps leaves one
    word alone on a line whatever the break; a longer heading, or a paragraph, is a runt."""
    assert runts(*para("Help without", "judgment", element="h1.headline")) == []
    assert runts(*para("Get help", "today", element="div.hero h2")) == []
    assert runts(*para("Get help", "today", element="main div.hero h2.kicker")) == []
    (found,) = runts(*para("Get help without", "judgment", element="h1.headline"))
    assert found.text == "judgment" and found.element == "h1.headline"
    (found,) = runts(*para("Help without", "judgment", element="p.note"))
    assert found.text == "judgment"
