"""The type-size, contrast and renderer (overflow) checks fed the laid-out texts they read.

Each check takes a ``Doc``: the project, the rendered document and its layout walked into
``Text`` records. These tests build those records by hand (a size, a colour, the colour under
it), so each finding is checked exactly and in milliseconds; test_checks_fire.py checks the
same findings end to end on the rendered sample. They are the mutation guards of
``preflight.type_size``, ``preflight.contrast`` and ``preflight.overflow``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from makeprint_engine.errors import Problem
from makeprint_engine.fit import FitProblem
from makeprint_engine.plan import Job
from makeprint_engine.preflight.contrast import (
    CONTRAST_LARGE,
    CONTRAST_NORMAL,
    LARGE_BOLD_PX,
    LARGE_PX,
    _hex,
    contrast_problems,
    contrast_ratio,
    luminance,
)
from makeprint_engine.preflight.findings import Finding
from makeprint_engine.preflight.layout import Doc, Layout, Text
from makeprint_engine.preflight.overflow import renderer_findings
from makeprint_engine.preflight.type_size import type_size_problems

BLACK = (0.0, 0.0, 0.0, 1.0)
WHITE = (1.0, 1.0, 1.0)
JOB = Job("east-harbor", "en", "wallet-card")


def text(words: str = "Call us", **fields: object) -> Text:
    base: dict[str, object] = {
        "page": 1, "box": None, "text": words, "element": "p.call", "region": "card back",
        "color": BLACK, "background": WHITE, "background_is_image": False, "size_px": 16.0,
        "bold": False, "visible": True, "pseudo": False, "link": None, "in_table": False,
        "block": 1, "line": 1,
    }
    return Text(**(base | fields))  # type: ignore[arg-type]


def doc(
    texts: list[Text],
    *,
    min_pt: float = 8.0,
    roles: dict[str, float] | None = None,
    colors: dict[str, str] | None = None,
    root: Path | None = None,
    job: Job = JOB,
) -> Doc:
    roles = roles or {}
    material = SimpleNamespace(
        min_font_pt=min_pt,
        min_font_pt_roles=roles,
        min_font_pt_for=lambda role: roles.get(role or "", min_pt),
    )
    root = root or Path("/nonexistent-project")
    project = SimpleNamespace(
        materials={job.material: material},
        organization=SimpleNamespace(colors=colors or {}),
        root=root,
        content_dir=root / "content",
    )
    return Doc(project, SimpleNamespace(job=job), Layout(texts, []))  # type: ignore[arg-type]


def px(pt: float) -> float:
    return pt / 0.75


# --- type size -----------------------------------------------------------------------------


def test_text_below_the_minimum() -> None:
    (found,) = type_size_problems(doc([text("Call us", size_px=px(6))], min_pt=8))
    assert found == Finding(
        "text is 6 pt, below the 8 pt minimum for a wallet-card: “Call us”",
        check="type-size",
        location="east-harbor",
        lang="en",
        material="wallet-card",
        page=1,
        element="p.call",
        region="card back",
        text="Call us",
        hint="set this element's font-size to at least 8pt in templates/styles/ (or change "
        "min_font_pt in templates/materials/wallet-card.yaml)",
    )
    assert found.severity == "error"


def test_text_at_the_minimum_and_within_rounding() -> None:
    texts = [text("a", size_px=px(8)), text("b", size_px=px(8 - 0.004)),
             text("c", size_px=px(8 - 0.006))]
    found = type_size_problems(doc(texts, min_pt=8))
    assert [f.text for f in found] == ["c"]
    assert found[0].message.startswith("text is 8 pt, below the 8 pt minimum")  # 7.994 shown
    # exactly 0.005 pt under is within rounding too (6.005 - 0.005 is 6.0 in floating point)
    assert type_size_problems(doc([text("d", size_px=px(6))], min_pt=6.005)) == []


def test_what_is_not_printed_is_not_measured() -> None:
    texts = [
        text("hidden", size_px=px(5), visible=False),
        text(" \u00a0\u200b\u2060 ", size_px=px(5)),
        text("clear", size_px=px(5), color=(0.0, 0.0, 0.0, 0.0)),
    ]
    assert type_size_problems(doc(texts, min_pt=8)) == []
    after = type_size_problems(doc([*texts, text("small", size_px=px(5))], min_pt=8))
    assert [f.text for f in after] == ["small"]
    faint = type_size_problems(doc([text("faint", size_px=px(5), color=(0, 0, 0, 0.1))]))
    assert [f.text for f in faint] == ["faint"]


def test_texts_of_one_element_and_size_are_one_finding() -> None:
    texts = [text(w, size_px=px(6)) for w in ("one", "two", "one", "three", "four", "five")]
    texts.append(text("other", size_px=px(6), element="p.other"))
    texts.append(text("bigger", size_px=px(7)))
    texts.append(text("page two", size_px=px(6), page=2))
    found = type_size_problems(doc(texts, min_pt=8))
    assert [(f.page, f.element, f.text) for f in found] == [
        (1, "p.call", "one two three four five"),
        (1, "p.other", "other"),
        (1, "p.call", "bigger"),
        (2, "p.call", "page two"),
    ]
    assert found[0].message == (
        "text is 6 pt, below the 8 pt minimum for a wallet-card: “one”, “two”, “three”, “four” …"
    )
    assert found[2].message.startswith("text is 7 pt, below")


def test_four_samples_have_no_ellipsis() -> None:
    texts = [text(w, size_px=px(6)) for w in ("a", "b", "c", "d")]
    (found,) = type_size_problems(doc(texts))
    assert found.message.endswith(": “a”, “b”, “c”, “d”")


def test_samples_are_plain_and_shortened_to_30() -> None:
    long = "x" * 31
    texts = [text("\u2068 a  b \u2069", size_px=px(6)), text(long, size_px=px(6))]
    (found,) = type_size_problems(doc(texts))
    assert found.message.endswith(": “a b”, “" + "x" * 29 + "…”")
    assert found.text == f"a b {long}"


def test_size_is_shown_to_a_tenth() -> None:
    (found,) = type_size_problems(doc([text("a", size_px=px(6.26))]))
    assert found.message.startswith("text is 6.3 pt, below the 8 pt minimum")
    (found,) = type_size_problems(doc([text("a", size_px=px(7.5))], min_pt=8.5))
    assert found.message.startswith("text is 7.5 pt, below the 8.5 pt minimum")


def test_role_minimum() -> None:
    texts = [
        text("Naloxone", size_px=px(20), role="headline", element="h1"),
        text("body", size_px=px(20)),
        text("tag", size_px=px(20), role="tag", element="span"),  # no minimum of its own
    ]
    found = type_size_problems(doc(texts, min_pt=8, roles={"headline": 24}))
    assert [f.text for f in found] == ["Naloxone"]
    assert found[0].message == (
        "text is 20 pt, below the 24 pt minimum for a wallet-card's headline: “Naloxone”"
    )
    assert found[0].hint == (
        "set this element's font-size to at least 24pt in templates/styles/ (or change "
        "min_font_pt_roles.headline in templates/materials/wallet-card.yaml)"
    )


def test_role_without_a_minimum_of_its_own_uses_the_material_minimum() -> None:
    (found,) = type_size_problems(doc([text("tag", size_px=px(6), role="tag")], min_pt=8))
    assert found.message == "text is 6 pt, below the 8 pt minimum for a wallet-card: “tag”"
    assert "(or change min_font_pt in" in found.hint


def test_same_size_different_roles_are_two_findings() -> None:
    texts = [text("a", size_px=px(6), role="x"), text("b", size_px=px(6), role="y")]
    assert [f.text for f in type_size_problems(doc(texts, roles={"x": 9, "y": 9}))] == ["a", "b"]


def test_type_size_region_is_the_first_texts() -> None:
    texts = [text("a", size_px=px(6), region="front"), text("b", size_px=px(6), region="back")]
    (found,) = type_size_problems(doc(texts))
    assert found.region == "front"


def test_further_size_is_named_by_its_document() -> None:
    job = Job("east-harbor", "en", "wallet-card", size="small")
    (found,) = type_size_problems(doc([text("a", size_px=px(6))], job=job))
    assert found.material == "wallet-card-small"
    assert "for a wallet-card:" in found.message


# --- contrast: the WCAG formulas --------------------------------------------------------------


def wcag_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2's relative luminance, written out from the definition."""
    out = []
    for c in rgb:
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#767676", "#FFFFFF", 4.54),  # the lightest grey that passes on white
        ("#777777", "#FFFFFF", 4.48),
        ("#FFFFFF", "#0000FF", 8.59),
        ("#FF0000", "#FFFFFF", 4.0),
        ("#00FF00", "#000000", 15.3),
    ],
)
def test_published_contrast_ratios(fg: str, bg: str, ratio: float) -> None:
    def rgb(h: str) -> tuple[float, float, float]:
        return tuple(int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]

    assert contrast_ratio(rgb(fg), rgb(bg)) == pytest.approx(ratio, abs=0.005)
    assert contrast_ratio(rgb(bg), rgb(fg)) == pytest.approx(ratio, abs=0.005)


@pytest.mark.parametrize(
    "rgb", [(0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (0.04, 0.5, 0.9), (0.3, 0.04045, 0.0405),
            (0.2, 0.6, 0.1), (0.02, 0.03, 0.05)]
)
def test_luminance_is_wcags(rgb: tuple[float, float, float]) -> None:
    assert luminance(rgb) == pytest.approx(wcag_luminance(rgb), rel=1e-12, abs=1e-15)


def test_each_channel_has_its_weight() -> None:
    assert luminance((1.0, 0.0, 0.0)) == pytest.approx(0.2126)
    assert luminance((0.0, 1.0, 0.0)) == pytest.approx(0.7152)
    assert luminance((0.0, 0.0, 1.0)) == pytest.approx(0.0722)
    assert luminance((0.02, 0.0, 0.0)) == pytest.approx(0.2126 * 0.02 / 12.92)


def test_hex() -> None:
    assert _hex((0.0, 1.0, 0.5)) == "#00FF80"
    assert _hex((0.002, 0.998, 10 / 255)) == "#01FE0A"


# --- contrast: the check ----------------------------------------------------------------------


GREY = (0x99 / 255, 0x99 / 255, 0x99 / 255, 1.0)  # 2.85:1 on white


def test_grey_on_white() -> None:
    (found,) = contrast_problems(doc([text("Call us", color=GREY)]))
    assert found == Finding(
        "text #999999 on #FFFFFF has a contrast of 2.8:1, needs 4.5:1: “Call us”",
        check="contrast",
        location="east-harbor",
        lang="en",
        material="wallet-card",
        page=1,
        element="p.call",
        region="card back",
        text="Call us",
        hint="use a darker text colour or a lighter background for this element in "
        "templates/styles/",
    )
    assert found.severity == "error"


def grey(level: int) -> tuple[float, float, float, float]:
    return (level / 255, level / 255, level / 255, 1.0)


def test_normal_text_threshold() -> None:
    """#767676 passes (4.54:1) and #777777 does not (4.48:1) at 4.5:1."""
    assert contrast_problems(doc([text("a", color=grey(0x76))])) == []
    (found,) = contrast_problems(doc([text("a", color=grey(0x77))]))
    assert "has a contrast of 4.5:1, needs 4.5:1" in found.message


def test_large_text_needs_3() -> None:
    """#959595 is 3.0:1 on white, #969696 2.96:1: fine at 18 pt, and at 14 pt bold."""
    for fields in ({"size_px": LARGE_PX}, {"size_px": LARGE_PX - 0.009},
                   {"size_px": LARGE_BOLD_PX, "bold": True}):
        assert contrast_problems(doc([text("a", color=grey(0x95), **fields)])) == [], fields
        (found,) = contrast_problems(doc([text("a", color=grey(0x96), **fields)]))
        assert found.message.startswith("large text #969696 on #FFFFFF has a contrast of 3.0:1, "
                                        "needs 3:1: "), fields


def test_not_large_text_needs_4_5() -> None:
    for fields in ({"size_px": LARGE_PX - 0.011}, {"size_px": LARGE_BOLD_PX - 0.01, "bold": True},
                   {"size_px": LARGE_BOLD_PX, "bold": False}):
        (found,) = contrast_problems(doc([text("a", color=grey(0x95), **fields)]))
        assert found.message.startswith("text #959595 on #FFFFFF has a contrast of 3.0:1, "
                                        "needs 4.5:1: "), fields


def test_thresholds() -> None:
    assert (CONTRAST_NORMAL, CONTRAST_LARGE, LARGE_PX, LARGE_BOLD_PX) == (4.5, 3.0, 24.0, 18.66)


def test_ratio_within_rounding_of_the_threshold_passes() -> None:
    """A ratio 0.004 under the need passes (rounding of colours), 0.006 under does not."""
    # Find greys on a background chosen so the ratio sits just under 4.5:1.
    def ratio_on(bg: float) -> float:
        return contrast_ratio((0.0, 0.0, 0.0), (bg, bg, bg))

    lo, hi = 0.0, 1.0  # background where black text has exactly 4.5 - 0.004, then - 0.006
    for target, fails in ((4.5 - 0.004, False), (4.5 - 0.006, True)):
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if ratio_on(mid) < target else (lo, mid)
        found = contrast_problems(doc([text("a", color=BLACK, background=(hi, hi, hi))]))
        assert bool(found) is fails, target


def test_ratio_exactly_at_the_rounding_margin_passes() -> None:
    """A ratio of exactly 4.5 - 0.005 passes: the grey under black text that gives it."""
    import math

    target = CONTRAST_NORMAL - 0.005
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if contrast_ratio((0, 0, 0), (mid,) * 3) < target else (lo, mid)
    exact = next(b for b in (lo, hi, math.nextafter(lo, 0), math.nextafter(hi, 1))
                 if contrast_ratio((0, 0, 0), (b,) * 3) == target)
    assert contrast_problems(doc([text("a", color=BLACK, background=(exact,) * 3)])) == []


def test_large_from_exactly_a_hundredth_under_18_pt() -> None:
    assert contrast_problems(doc([text("a", color=grey(0x95), size_px=LARGE_PX - 0.01)])) == []


def test_what_is_not_printed_or_is_on_an_image_is_not_measured() -> None:
    texts = [
        text("hidden", color=GREY, visible=False),
        text(" \u200b ", color=GREY),
        text("clear", color=(0.6, 0.6, 0.6, 0.0)),
        text("on a photo", color=GREY, background_is_image=True),
    ]
    assert contrast_problems(doc(texts)) == []
    for skipped in texts:  # and the texts after one skipped are still measured
        found = contrast_problems(doc([skipped, text("after", color=GREY)]))
        assert [f.text for f in found] == ["after"]


def test_translucent_text_is_blended_with_the_paper() -> None:
    """Black at 40 % on white prints as #999999."""
    (found,) = contrast_problems(doc([text("a", color=(0.0, 0.0, 0.0, 0.4))]))
    assert found.message.startswith("text #999999 on #FFFFFF has a contrast of 2.8:1")
    assert contrast_problems(doc([text("a", color=(0.0, 0.0, 0.0, 0.9))])) == []


def test_dark_background() -> None:
    navy = (0x1F / 255, 0x2A / 255, 0x44 / 255)
    (found,) = contrast_problems(doc([text("a", color=grey(0x4D), background=navy)]))
    assert found.message.startswith("text #4D4D4D on #1F2A44 has a contrast of 1.7:1")
    assert contrast_problems(doc([text("a", color=(1, 1, 1, 1), background=navy)])) == []


def test_findings_are_grouped_by_element_and_colours() -> None:
    texts = [text(w, color=GREY) for w in ("a", "b", "a", "c", "d")]
    texts += [text("e", color=GREY, element="p.x"), text("f", color=GREY, page=2),
              text("g", color=grey(0x98)), text("h", color=GREY, background=(0.99, 1, 1)),
              text("i", color=GREY, size_px=LARGE_PX * 2)]
    found = contrast_problems(doc(texts))
    assert [(f.page, f.element, f.text) for f in found] == [
        (1, "p.call", "a b c d"), (1, "p.x", "e"), (2, "p.call", "f"), (1, "p.call", "g"),
        (1, "p.call", "h"), (1, "p.call", "i"),
    ]
    assert found[0].message.endswith(": “a”, “b”, “c” …")
    assert found[1].message.endswith(": “e”")
    assert found[5].message.startswith("large text #999999 on #FFFFFF")


def test_three_samples_have_no_ellipsis_and_are_shortened_to_40() -> None:
    texts = [text(w, color=GREY) for w in ("a", "b", "y" * 41)]
    (found,) = contrast_problems(doc(texts))
    assert found.message.endswith(": “a”, “b”, “" + "y" * 39 + "…”")
    (found,) = contrast_problems(doc([text("z" * 40, color=GREY)]))
    assert found.message.endswith(": “" + "z" * 40 + "”")


def test_contrast_region_is_the_first_texts() -> None:
    texts = [text("a", color=GREY, region="front"), text("b", color=GREY, region="back")]
    (found,) = contrast_problems(doc(texts))
    assert found.region == "front"


ORG = """\
name: East Harbor
colors:
  paper: "#ffffff"
  ink: "#1f2a44"
  muted: "#999999"
  band: "#777777"
"""


@pytest.fixture
def org_root(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "organization.yaml").write_text(ORG, encoding="utf-8")
    return tmp_path


COLORS = {"paper": "#ffffff", "ink": "#1f2a44", "muted": "#999999", "band": "#777777"}


def test_organization_text_colour_is_named_with_its_line(org_root: Path) -> None:
    (found,) = contrast_problems(doc([text("a", color=GREY)], colors=COLORS, root=org_root))
    assert (found.path, found.line, found.field) == (
        "content/organization.yaml", 5, "colors.muted")
    assert found.hint == (
        "change the organization colours muted (#999999) / paper (#FFFFFF), or this "
        "element's colour in templates/styles/"
    )
    assert str(found).startswith("content/organization.yaml:5: east-harbor / en / wallet-card, "
                                 "page 1, p.call in card back: colors.muted: text #999999")


def test_organization_background_colour_is_named(org_root: Path) -> None:
    band = (0x77 / 255, 0x77 / 255, 0x77 / 255)
    colors = {"ink": "#1f2a44", "band": "#777777"}  # the paper is not an organization colour
    (found,) = contrast_problems(
        doc([text("a", color=(0.35, 0.35, 0.35, 1), background=band)], colors=colors,
            root=org_root)
    )
    assert (found.path, found.line, found.field) == (
        "content/organization.yaml", 6, "colors.band")
    assert found.hint == (
        "change the organization colour band (#777777), or this element's colour in "
        "templates/styles/"
    )


def test_colour_missing_from_the_file(org_root: Path) -> None:
    colors = {"paper": "#FFFFFF", "grey": "#999999"}  # not in organization.yaml
    (found,) = contrast_problems(doc([text("a", color=GREY)], colors=colors, root=org_root))
    assert (found.path, found.line, found.field) == ("content/organization.yaml", None, None)


@pytest.mark.parametrize(
    "body",
    ["name: x\n", "- a list\n", "colors: [1, 2]\n", "colors: {\n"],
    ids=["no-colors", "not-a-mapping", "colors-not-a-mapping", "broken"],
)
def test_organization_file_without_the_colour(org_root: Path, body: str) -> None:
    (org_root / "content" / "organization.yaml").write_text(body, encoding="utf-8")
    (found,) = contrast_problems(doc([text("a", color=GREY)], colors=COLORS, root=org_root))
    broken = body == "colors: {\n"
    assert (found.path, found.line, found.field) == (
        (None, None, None) if broken else ("content/organization.yaml", None, None))
    assert found.hint.startswith("change the organization colours muted (#999999) / paper")


def test_organization_file_missing(tmp_path: Path) -> None:
    (found,) = contrast_problems(doc([text("a", color=GREY)], colors=COLORS, root=tmp_path))
    assert (found.path, found.line, found.field) == (None, None, None)


# --- the renderer's own problems --------------------------------------------------------------


def rendered(*problems: Problem, job: Job = JOB) -> SimpleNamespace:
    return SimpleNamespace(job=job, problems=list(problems))


def test_fit_problem_is_overflow_with_its_page() -> None:
    problem = FitProblem("east-harbor / en / wallet-card, page 2: address 3.5 mm too wide",
                         path="content/locations.csv", line=2, hint="shorten it")
    (found,) = renderer_findings(rendered(problem))
    assert found == Finding(
        "address 3.5 mm too wide",
        path="content/locations.csv",
        line=2,
        hint="shorten it",
        check="overflow",
        location="east-harbor",
        lang="en",
        material="wallet-card",
        page=2,
    )


def test_page_count_is_overflow_without_a_page() -> None:
    problem = Problem("east-harbor / en / wallet-card: rendered 3 pages, expected 2")
    (found,) = renderer_findings(rendered(problem))
    assert (found.check, found.message, found.page) == (
        "overflow", "rendered 3 pages, expected 2", None)
    one = Problem("rendered 1 page, expected 2", severity="warning")
    (found,) = renderer_findings(rendered(one))
    assert (found.check, found.severity) == ("overflow", "warning")


def test_template_problem_is_render() -> None:
    problem = Problem("east-harbor / en / wallet-card: template error: 'x' is undefined",
                      path="templates/materials/wallet-card.html", line=4)
    (found,) = renderer_findings(rendered(problem))
    assert (found.check, found.message, found.path, found.line) == (
        "render", "template error: 'x' is undefined", "templates/materials/wallet-card.html", 4)


def test_other_problems_are_resources() -> None:
    problems = [
        Problem("east-harbor / en / wallet-card: refused to load x.png", path="assets/a.css"),
        Problem("a template mentioned without a file"),  # "template" but no path
    ]
    found = renderer_findings(rendered(*problems))
    assert [f.check for f in found] == ["resources", "resources"]
    assert found[0].message == "refused to load x.png"


def test_another_documents_name_is_kept() -> None:
    """Only this document's own name is taken off the message, with its page."""
    problem = Problem("west-side / en / wallet-card, page 2: something")
    (found,) = renderer_findings(rendered(problem))
    assert (found.message, found.page) == ("west-side / en / wallet-card, page 2: something", None)
    assert (found.location, found.lang, found.material) == ("east-harbor", "en", "wallet-card")


def test_further_size_document_name() -> None:
    job = Job("east-harbor", "en", "poster", size="small")
    problem = FitProblem("east-harbor / en / poster-small, page 1: headline does not fit")
    (found,) = renderer_findings(rendered(problem, job=job))
    assert (found.message, found.page, found.material) == (
        "headline does not fit", 1, "poster-small")


def test_multiline_message_and_unchanged_problem() -> None:
    problem = Problem("east-harbor / en / wallet-card: first\nsecond", key="k", column=3,
                      field="f", severity="warning")
    (found,) = renderer_findings(rendered(problem))
    assert found == Finding("first\nsecond", column=3, field="f", severity="warning", key="k",
                            check="resources", location="east-harbor", lang="en",
                            material="wallet-card")
    plain = Problem("no document named here")
    (found,) = renderer_findings(rendered(plain))
    assert found.message == "no document named here" and found.page is None


def test_every_problem_becomes_one_finding_in_order() -> None:
    problems = [Problem(f"p{i}") for i in range(3)]
    assert [f.message for f in renderer_findings(rendered(*problems))] == ["p0", "p1", "p2"]
