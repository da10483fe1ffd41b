"""Line breaking: content text binds its last words, `|` soft breaks, the runts check on real
layouts, and a language's font_scale."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import copy_project, pdf_text_runs
from markupsafe import Markup

from makeprint_engine.errors import MakeprintError
from makeprint_engine.plan import Job
from makeprint_engine.preflight.layout import Doc, walk
from makeprint_engine.preflight.runts import runt_problems
from makeprint_engine.project import load_project
from makeprint_engine.render import Renderer, inline_markdown, scaled_type, template_environment
from makeprint_engine.typeset import (
    NBSP,
    WORD_JOINER,
    ContentText,
    bind_last_words,
    finalize,
    keep_hangul_words,
    typeset,
)

ZWSP = "\u200b"


# --- binding the last words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stay with them until help comes.", f"Stay with them until help{NBSP}comes."),
        ("Gọi 911 ngay lập tức.", f"Gọi 911 ngay lập{NBSP}tức."),
        ("اتصل بالرقم 911 فوراً.", f"اتصل بالرقم 911{NBSP}فوراً."),
        ("Позвоните сразу же.", f"Позвоните сразу{NBSP}же."),
        ("Carry naloxone", f"Carry{NBSP}naloxone"),
        ("Hours", "Hours"),
        ("", ""),
    ],
)
def test_the_last_two_words_are_bound(text: str, expected: str) -> None:
    assert bind_last_words(text) == expected


def test_a_long_last_chunk_is_left_free() -> None:
    # Binding 'pharmacotherapy interventions.' could push a line past its box.
    text = "Ask about pharmacotherapy interventions."
    assert bind_last_words(text) == text


@pytest.mark.parametrize(
    "text",
    ["Go to https://example.org/intake", "Write to help@example.org", "See example.org/x"],
)
def test_addresses_are_never_bound(text: str) -> None:
    assert bind_last_words(text) == text


def test_cjk_joins_the_last_characters_with_their_punctuation() -> None:
    out = typeset("如果没有阿片类药物，它不起作用。")
    assert out == "如果没有阿片类药物，它不" + WORD_JOINER.join("起作用。")
    # Digits and spaces inside the chunk: 第 2 剂 is one unit, the space made no-break.
    # No joiner beside a digit or a no-break space: those never break anyway.
    assert typeset("再给第 2 剂。").endswith(f"给{WORD_JOINER}第{NBSP}2{NBSP}剂{WORD_JOINER}。")
    # Across a comma: 鼻孔，按下。 never leaves 按下。 alone.
    assert typeset("放进一侧鼻孔，按下。").endswith(WORD_JOINER.join("孔，按下。"))


def test_cjk_joiners_leave_markdown_emphasis_whole() -> None:
    """A joiner between the two asterisks of ``**`` turned bold into literal stars and
    italics (and embedded a whole italic face in the Chinese wallet card)."""
    out = typeset("做人工呼吸。**再给第 2 剂**。")
    assert "**" in out and "*" + WORD_JOINER not in out and WORD_JOINER + "*" not in out
    html = inline_markdown(out)
    assert "<strong>" in html and "<em>" not in html and "*" not in html


def test_korean_words_are_joined_inside_and_break_at_spaces() -> None:
    """Hangul syllables may break anywhere under UAX #14; Korean breaks between words."""
    j = WORD_JOINER.join
    words = ("방법입니다.", "깨끗한", "도구")
    assert keep_hangul_words(" ".join(words)) == " ".join(j(word) for word in words)
    # Digits, brackets and the range sign go with the word they are part of ...
    # (a digit run and 2~3 are one unit already: AL and NU do not break between them)
    assert keep_hangul_words("2~3분 911에") == f"2~3{WORD_JOINER}분 911{WORD_JOINER}에"
    assert keep_hangul_words("날록손(나르칸)") == j("날록손(나르칸)")
    # ... but no joiner beside a Markdown marker, and nothing changes without Hangul.
    out = typeset("인공호흡을 하세요. **한 번 더 주세요.**")
    assert "**" in out and "*" + WORD_JOINER not in out and WORD_JOINER + "*" not in out
    assert "<strong>" in inline_markdown(out)
    assert keep_hangul_words("Call 911 now.") == "Call 911 now."
    assert keep_hangul_words("再给第 2 剂。") == "再给第 2 剂。"


def test_soft_break_markers() -> None:
    assert typeset("Stay safer. | Get help when | you’re ready.") == (
        f"Stay{NBSP}safer. Get{NBSP}help{NBSP}when you’re{NBSP}ready."
    )
    assert typeset("保护好自己。|准备好了就来求助。") == (
        WORD_JOINER.join("保护好自己。") + ZWSP + WORD_JOINER.join("准备好了就来求助。")
    )
    assert "|" not in typeset("a|b | c")


def test_finalize_touches_content_only() -> None:
    assert finalize(ContentText("Help without judgment")) == f"Help without{NBSP}judgment"
    assert finalize("services checks") == "services checks"  # a class name, not content
    assert finalize(Markup("Noto Sans Arabic")) == "Noto Sans Arabic"
    assert finalize(12.5) == 12.5


def test_templates_print_content_typeset_and_data_as_is(tmp_path: Path) -> None:
    env = template_environment(tmp_path)
    template = env.from_string(
        '<p class="{{ cls }}">{{ t.a }}</p><p>{{ t.b | md }}</p><p>{{ t.signs | join(" · ") }}'
        "</p><p>{{ url | ltr }}</p><p>{{ name | one_line }}</p>"
    )
    html = template.render(
        cls="services checks",
        t={
            "a": ContentText("Call 911 right away."),
            "b": ContentText("It does **nothing** at all."),
            "signs": [ContentText("Slow breathing"), ContentText("Very small pupils")],
        },
        url="Go to example.org/intake now",
        name="Línea Nacional de SAMHSA",
    )
    assert 'class="services checks"' in html
    assert f"right{NBSP}away." in html
    assert f"at{NBSP}all." in html and "<strong>nothing</strong>" in html
    assert f"small{NBSP}pupils" in html
    assert "Go to example.org/intake now" in html  # through ltr: Markup, never bound
    assert f"Línea{NBSP}Nacional{NBSP}de{NBSP}SAMHSA" in html


# --- the runts check on real layouts ---------------------------------------------------------


def _doc(html: str) -> Doc:
    """A laid-out page of ``html`` as the check sees a document."""
    from weasyprint import HTML

    document = HTML(string=f"<html><body>{html}</body></html>").render()
    rendered = SimpleNamespace(job=Job("x", "en", "flyer"), document=document)
    return Doc(None, rendered, walk(document))  # type: ignore[arg-type]


STYLE = "font: 12pt 'Noto Sans'; width: 40mm; margin: 0"
LONE = "Naloxone reverses an opioid overdose. It does nothing"


def test_runts_fires_on_a_paragraph_ending_in_one_word() -> None:
    (finding,) = runt_problems(_doc(f'<p class="body" style="{STYLE}">{LONE} else.</p>'))
    assert finding.check == "runts" and finding.severity == "warning"
    assert finding.text == "else." and finding.page == 1 and finding.element == "p.body"
    assert finding.lang == "en"


def test_runts_fires_on_list_items_and_headings() -> None:
    found = runt_problems(
        _doc(f'<ul><li style="{STYLE}">{LONE} else.</li></ul><h2 style="{STYLE}">{LONE} else.</h2>')
    )
    assert sorted(f.element for f in found) == ["h2", "li"]


def test_runts_does_not_fire_when_the_words_are_bound() -> None:
    html = f'<p style="{STYLE}">{typeset(LONE + " else.")}</p>'
    assert runt_problems(_doc(html)) == []


@pytest.mark.parametrize(
    "html",
    [
        f'<p style="{STYLE}">Call us.</p>',  # one line
        f'<p style="{STYLE}">{LONE} 42</p>',  # a number, not a word
        f'<p style="{STYLE}"><a href="https://example.org/intake?site=east-harbor">'
        "example.org/intake?site= east-harbor</a></p>",  # a URL
        f'<td style="{STYLE}">{LONE} else.</td>',  # a table cell: data, not running text
    ],
)
def test_runts_does_not_fire_on(html: str) -> None:
    assert runt_problems(_doc(html)) == []


CJK = "font: 12pt 'Noto Sans CJK SC'; width: 37mm; margin: 0"


def test_runts_fires_on_one_or_two_cjk_characters() -> None:
    text = "纳洛酮可以逆转阿片类药物过量。无反应？再给第二剂。"
    found = runt_problems(_doc(f'<p lang="zh-Hans" style="{CJK}">{text}</p>'))
    assert [f.text for f in found] and all(len(f.text.rstrip("。")) <= 2 for f in found)
    assert runt_problems(_doc(f'<p lang="zh-Hans" style="{CJK}">{typeset(text)}</p>')) == []


def test_pango_keeps_closing_punctuation_off_the_line_start() -> None:
    # Pango follows UAX #14: no line starts with 。，、） on its own; the check finds one only
    # where a forced break makes it.
    text = "纳洛酮可以逆转阿片类药物过量，自二零二三年起，无需处方即可购买。"
    for width in range(20, 60, 3):
        style = f"font: 12pt 'Noto Sans CJK SC'; width: {width}mm"
        found = runt_problems(_doc(f'<p style="{style}">{text}</p>'))
        assert not [f for f in found if "starts" in f.message], width
    forced = runt_problems(_doc(f'<p style="{CJK}">纳洛酮可以逆转<br>。阿片类药物过量</p>'))
    assert any("starts with “。”" in f.message for f in forced)


# --- a language's font_scale ------------------------------------------------------------------


def test_scaled_type_scales_absolute_sizes_only() -> None:
    css = "h1 { font-size: 38pt; line-height: 1.1 } p { font-size:10.5pt; line-height: 13pt }"
    assert scaled_type(css, 1.1) == (
        "h1 { font-size: 41.8pt; line-height: 1.1 } p { font-size:11.55pt; line-height: 14.3pt }"
    )


def test_arabic_is_set_larger_than_english(tmp_path: Path) -> None:
    project = load_project(copy_project(tmp_path / "proj"))
    assert project.languages["ar"].font_scale == pytest.approx(1.1)
    assert project.languages["en"].font_scale == 1.0
    renderer = Renderer(project)
    sizes = {}
    for lang in ("en", "ar"):
        rendered = renderer.render(Job("east-harbor", lang, "wallet-card"))
        assert rendered.ok, rendered.problems
        texts = walk(rendered.document).texts
        sizes[lang] = max(t.size_px for t in texts if t.element.startswith("ol.steps"))
    assert sizes["ar"] == pytest.approx(sizes["en"] * 1.1, rel=0.01)


@pytest.mark.parametrize("value", ["2", "zero", "0.5"])
def test_a_bad_font_scale_is_refused_with_its_line(tmp_path: Path, value: str) -> None:
    root = copy_project(tmp_path / "proj")
    path = root / "content" / "ar" / "language.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "\n".join(
            f"font_scale: {value}" if line.startswith("font_scale:") else line
            for line in text.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(MakeprintError) as caught:
        load_project(root)
    (problem,) = [p for p in caught.value.problems if p.field == "font_scale"]
    assert problem.path == "content/ar/language.yaml" and problem.line == 10
    assert "1.12" in (problem.hint or "")


def test_phone_numbers_in_running_text_are_isolated_left_to_right() -> None:
    """In a right-to-left sentence, 1-800-484-3731 printed as 3731-1-800-484 (a wrong number)
    until phone numbers in content were isolated."""
    from makeprint_engine.typeset import LRI, PDI

    out = typeset("اتصل بخط Never Use Alone على 1-800-484-3731.")
    assert f"{LRI}1-800-484-3731{PDI}." in out
    assert f"{LRI}(410) 555-0142{PDI}" in typeset("Call (410) 555-0142 today, any time of day.")
    assert LRI not in typeset("Call or text 988.") and LRI not in typeset("On 2026-12-04.")


def test_arabic_pamphlet_prints_the_never_use_alone_number_in_order(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    rendered = Renderer(load_project(project)).render(Job("east-harbor", "ar", "pamphlet"))
    path = tmp_path / "ar.pdf"
    path.write_bytes(rendered.pdf)
    text = pdf_text_runs(path)
    assert "1-800-484-3731" in text and "3731-1-800" not in text


def test_a_names_last_words_are_bound_up_to_name_bound() -> None:
    """'Reduction Coalition' (19 characters) was left free and printed 'Coalition' alone on
    the last line of every document of a real program."""
    from makeprint_engine.render import NAME_BOUND, isolated

    assert f"Reduction{NBSP}Coalition" in isolated("Baltimore Harm Reduction Coalition")
    long_tail = "Center " + "x" * NAME_BOUND
    assert NBSP not in isolated(long_tail)
