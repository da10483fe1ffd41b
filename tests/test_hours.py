"""Opening hours: parse the compact form; print it in each locale's words and time style."""

from __future__ import annotations

import re

import pytest

from makeprint_engine.fields import FieldError
from makeprint_engine.hours import Entry, Hours, format_hours, parse_hours

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def plain(text: str) -> str:
    """Fold the no-break, narrow and thin spaces Babel (and the engine) use into plain spaces.

    The tables below check the words, the order and the dashes; which kind of space keeps a
    span on one line (and the word joiners around its dash) is a typesetting choice.
    """
    return re.sub(r"[\u00a0\u202f\u2009]", " ", text.replace("\u2060", ""))


def rows(raw: str, locale: str, label: str = "Open 24/7") -> list[tuple[str, str]]:
    return [
        (plain(days), plain(times)) for days, times in format_hours(parse_hours(raw), locale, label)
    ]


# --- parse_hours: accepted forms ------------------------------------------------------------


def test_day_range() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:00")
    assert hours == Hours(
        False,
        (Entry((MON, TUE, WED, THU, FRI), ((hm("09:00"), hm("17:00")),), ("range", MON, FRI)),),
    )


def test_day_list() -> None:
    (entry,) = parse_hours("Mon,Wed,Fri 10:00-14:00").entries
    assert entry.days == (MON, WED, FRI)
    assert entry.spans == ((hm("10:00"), hm("14:00")),)
    assert entry.form == ("list",)


def test_several_entries_separated_by_semicolons() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:00; Sat 10:00-14:00")
    assert [e.days for e in hours.entries] == [(MON, TUE, WED, THU, FRI), (SAT,)]
    assert hours.entries[1].spans == ((hm("10:00"), hm("14:00")),)


def test_several_spans_on_the_same_days() -> None:
    (entry,) = parse_hours("Mon-Fri 09:00-12:00,13:00-17:00").entries
    assert entry.spans == ((hm("09:00"), hm("12:00")), (hm("13:00"), hm("17:00")))


def test_spans_are_kept_in_time_order() -> None:
    (entry,) = parse_hours("Sat 13:00-17:00,09:00-12:00").entries
    assert entry.spans == ((hm("09:00"), hm("12:00")), (hm("13:00"), hm("17:00")))


@pytest.mark.parametrize("raw", ["24/7", " 24 / 7 ", "24/7 ", "24 /7"])
def test_always_open(raw: str) -> None:
    assert parse_hours(raw) == Hours(True, ())


@pytest.mark.parametrize(
    "raw",
    [
        "Monday-Friday 09:00-17:00",
        "mon-fri 09:00-17:00",
        "MON-FRI 9:00-17:00",
        "Mon - Fri 09:00 - 17:00",
        "Mon–Fri 09:00–17:00",
        "Monday-Fri 09:00-17:00",
    ],
)
def test_full_day_names_case_spaces_and_en_dashes(raw: str) -> None:
    (entry,) = parse_hours(raw).entries
    assert entry.days == (MON, TUE, WED, THU, FRI)
    assert entry.spans == ((hm("09:00"), hm("17:00")),)
    assert entry.form == ("range", MON, FRI)


def test_full_day_names_in_a_list() -> None:
    (entry,) = parse_hours("Tuesday,Thursday,Sunday 08:00-12:00").entries
    assert entry.days == (TUE, THU, SUN)


def test_empty_entries_between_semicolons_are_ignored() -> None:
    hours = parse_hours("Mon-Fri 09:00-17:00;; Sat 10:00-14:00;")
    assert len(hours.entries) == 2


def test_midnight_closing_time_is_24_00() -> None:
    (entry,) = parse_hours("Fri,Sat 18:00-24:00").entries
    assert entry.spans == ((hm("18:00"), 24 * 60),)


# --- parse_hours: errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Fri-Mon 09:00-17:00", 'day range "Fri-Mon" runs backwards'),
        ("Sun-Sat 09:00-17:00", 'day range "Sun-Sat" runs backwards'),
        ("Funday 09:00-17:00", '"Funday" is not a day'),
        ("Tues 09:00-17:00", '"Tues" is not a day'),
        ("Mon-Fry 09:00-17:00", '"Fry" is not a day'),
        ("Mon 25:00-26:00", '"25:00" is not a time of day'),
        ("Mon 09:60-10:00", '"09:60" is not a time of day'),
        ("Mon 24:30-23:00", '"24:30" is not a time of day'),
        ("Mon 9am-5pm", '"9am" is not a time'),
        ("Mon 09.00-17.00", '"09.00" is not a time'),
        ("Mon-Fri 09:00-17:00; Fri 10:00-12:00", "Fri is listed in more than one entry"),
        ("Mon-Wed 09:00-17:00; Tue,Sat 10:00-12:00", "Tue is listed in more than one entry"),
        ("Mon,Wed,Mon 09:00-10:00", '"Mon,Wed,Mon" names a day twice'),
        ("Mon-Fri", '"Mon-Fri" is not an hours entry'),
        ("Mon-Fri 09:00-17:00; Sat", '"Sat" is not an hours entry'),
        ("09:00-17:00", '"09:00-17:00" is not an hours entry'),
        ("Mon 09:00", '"09:00" is not a time span'),
        ("Mon 09:00-09:00", '"09:00-09:00" opens and closes at the same time'),
        ("", "hours are empty"),
        (" ; ; ", "hours are empty"),
    ],
)
def test_malformed_hours_say_what_is_wrong_and_how_to_write_it(raw: str, message: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_hours(raw)
    assert info.value.message == message
    assert info.value.hint  # every error says how to fix it


def test_format_hint_shows_the_accepted_form() -> None:
    with pytest.raises(FieldError) as info:
        parse_hours("whenever")
    assert info.value.hint and "Mon-Fri 09:00-17:00" in info.value.hint
    assert "24/7" in info.value.hint


# --- format_hours ---------------------------------------------------------------------------

FORMAT_TABLE = [
    # (hours, en_US rows, es_US rows)
    (
        "Mon-Fri 09:00-17:00",
        [("Mon – Fri", "9:00 AM – 5:00 PM")],
        [("lun – vie", "9:00 a.m. – 5:00 p.m.")],
    ),
    (
        "Mon-Fri 09:00-17:00; Sat 10:00-14:00",
        [("Mon – Fri", "9:00 AM – 5:00 PM"), ("Sat", "10:00 AM – 2:00 PM")],
        [("lun – vie", "9:00 a.m. – 5:00 p.m."), ("sáb", "10:00 a.m. – 2:00 p.m.")],
    ),
    (
        "Mon,Wed,Fri 10:00-14:00",
        [("Mon, Wed, and Fri", "10:00 AM – 2:00 PM")],
        [("lun, mié y vie", "10:00 a.m. – 2:00 p.m.")],
    ),
    (
        "Tue,Thu 08:30-11:45",
        [("Tue and Thu", "8:30 – 11:45 AM")],
        [("mar y jue", "8:30–11:45 a.m.")],
    ),
    (
        "Mon-Fri 09:00-12:00,13:00-17:00",
        [("Mon – Fri", "9:00 AM – 12:00 PM and 1:00 – 5:00 PM")],
        [("lun – vie", "9:00 a.m. – 12:00 p.m. y 1:00–5:00 p.m.")],
    ),
    ("Sunday 12:00-16:00", [("Sun", "12:00 – 4:00 PM")], [("dom", "12:00–4:00 p.m.")]),
    (
        "Fri,Sat 20:00-24:00",
        [("Fri and Sat", "8:00 PM – 12:00 AM")],
        [("vie y sáb", "8:00 p.m. – 12:00 a.m.")],
    ),
]


@pytest.mark.parametrize(("raw", "en", "es"), FORMAT_TABLE)
def test_format_hours_en_us_and_es_us(
    raw: str, en: list[tuple[str, str]], es: list[tuple[str, str]]
) -> None:
    assert rows(raw, "en_US") == en
    assert rows(raw, "es_US") == es


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mon-Fri 09:00-17:00", [("lun – vie", "9:00–17:00")]),
        ("Mon-Fri 09:00-12:00,13:00-17:00", [("lun – vie", "9:00–12:00 y 13:00–17:00")]),
        ("Sat 10:00-14:00", [("sáb", "10:00–14:00")]),
    ],
)
def test_a_24_hour_locale_writes_24_hour_times(raw: str, expected: list[tuple[str, str]]) -> None:
    formatted = rows(raw, "es")
    assert formatted == expected
    assert not any(marker in times for _, times in formatted for marker in ("a.m.", "p.m."))


def test_always_open_prints_the_languages_label() -> None:
    hours = parse_hours("24/7")
    assert format_hours(hours, "en_US", "Open 24/7") == [("", "Open 24/7")]
    assert format_hours(hours, "es_US", "Abierto las 24 horas") == [("", "Abierto las 24 horas")]


def test_midnight_closing_prints_as_midnight_not_as_an_error() -> None:
    (row,) = rows("Sat 22:00-24:00", "en_US")
    assert row == ("Sat", "10:00 PM – 12:00 AM")
    (row,) = rows("Sat 22:00-24:00", "es")
    assert row[1] in ("22:00–0:00", "22:00–24:00", "22:00–00:00")


def test_a_day_range_keeps_its_written_form_but_a_list_is_listed() -> None:
    (range_row,) = rows("Mon-Wed 09:00-17:00", "en_US")
    (list_row,) = rows("Mon,Tue,Wed 09:00-17:00", "en_US")
    assert range_row[0] == "Mon – Wed"
    assert list_row[0] == "Mon, Tue, and Wed"


def test_an_all_day_span_prints_as_a_span() -> None:
    # Midnight to midnight would print as one time ("12:00 AM"); it prints the all-day words.
    for locale in ("en_US", "es_US", "es"):
        ((days, times),) = format_hours(parse_hours("Sat 00:00-24:00"), locale, "24/7", "All day")
        assert times == "All day", (locale, times)
        assert days.lower().startswith(("sat", "sáb")), (locale, days)


# --- day ranges as CLDR writes them --------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Mon – Fri"),
        ("es", "lun – vie"),
        ("vi", "Thứ 2 – Thứ 6"),
        ("zh_Hans", "周一至周五"),  # CLDR: 至, not a dash
        ("ar", "الاثنين – الجمعة"),
        ("ja", "月～金"),
        ("fa", "دوشنبه تا جمعه"),
    ],
)
def test_a_day_range_uses_the_locales_own_connector(locale: str, expected: str) -> None:
    ((days, _),) = format_hours(parse_hours("Mon-Fri 09:00-17:00"), locale, "24/7")
    assert plain(days) == expected
    # The range never breaks across lines: no plain space in it.
    assert " " not in days


def test_the_connector_comes_from_cldr_data_not_a_table() -> None:
    from babel import Locale

    from makeprint_engine.hours import range_connector

    # The month-and-weekday interval's first part is the first date then the connector.
    for name in ("en", "es", "vi", "zh_Hans", "ar"):
        locale = Locale.parse(name)
        first, second = locale.interval_formats["MEd"]["M"]
        assert first == second + range_connector(locale)
    assert range_connector(Locale.parse("zh_Hans")) == "至"


# --- what mutation testing found unguarded (bench/mutants.py hours) -------------------------


def test_a_day_is_its_three_letters_or_its_whole_name_and_nothing_else() -> None:
    (entry,) = parse_hours("MONDAY-friday 09:00-17:00").entries
    assert entry.days == (MON, TUE, WED, THU, FRI)
    for wrong in ("Mondax", "Frixay", "Satxrday", "Sunda"):
        with pytest.raises(FieldError) as info:
            parse_hours(f"{wrong} 09:00-17:00")
        assert info.value.message == f'"{wrong}" is not a day'


def test_spaces_around_days_and_dashes_are_allowed() -> None:
    assert parse_hours("Mon - Fri 09:00-17:00") == parse_hours("Mon-Fri 09:00-17:00")
    assert parse_hours("Mon, Wed 09:00-17:00") == parse_hours("Mon,Wed 09:00-17:00")
    assert parse_hours(" 24 / 7 ").always_open


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        ("Mox 09:00-17:00", "use Mon, Tue, Wed, Thu, Fri, Sat, Sun"),
        ("Fri-Mon 09:00-17:00", "write ranges Monday-first, e.g. Mon-Fri"),
        ("Mon,Mon 09:00-10:00", "name each day once"),
        ("Mon 9am-5pm", "write times as HH:MM, e.g. 09:00"),
        ("Mon 25:00-26:00", "use 00:00 to 24:00"),
        ("Mon-Fri 09:00-17:00; Fri 10:00-12:00", "give each day one entry"),
        ("Mon 09:00", "write hours like 'Mon-Fri 09:00-17:00; Sat 10:00-14:00' or '24/7'"),
    ],
)
def test_each_error_hints_at_its_own_fix(raw: str, hint: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_hours(raw)
    assert info.value.hint == hint


def test_a_time_span_never_breaks_inside_but_the_list_may_between_spans() -> None:
    [(days, times)] = format_hours(parse_hours("Mon-Fri 09:00-12:00,13:00-17:00"), "en_US", "")
    assert " " not in days and "\u2009" not in days
    first, second = times.split(" and ")
    assert "\u2060–\u2060" in days and "\u2060–\u2060" in first  # no break after a dash
    assert " " not in first and " " not in second and "\u2009" not in first + second


def test_all_day_prints_its_label_not_a_single_time() -> None:
    assert format_hours(parse_hours("Sat 00:00-24:00"), "en_US", "Open 24/7") == [("Sat", "24 h")]
    assert format_hours(parse_hours("Sat 00:00-24:00"), "en_US", "x", "all day") == [
        ("Sat", "all day")
    ]


@pytest.mark.parametrize(
    ("formats", "connector"),
    [
        ({"MEd": {"M": ("E, M/d – ", "E, M/d")}}, " – "),       # the MEd interval's connector
        ({"MEd": {"M": ("M/d'至'", "M/d")}}, "至"),             # quotes dropped
        ({"MEd": {}, None: "{0} ~ {1}"}, " ~ "),               # no MEd: the fallback interval
        ({"MEd": {"M": ("E", "E, M/d")}, None: "{0}-{1}"}, "-"),  # MEd not a prefix: fallback
        ({}, "\u2009–\u2009"),                                 # nothing: a spaced en dash
        ({None: "{0}{1}"}, "–"),                               # an empty connector: en dash
    ],
)
def test_range_connector_reads_the_locale_or_falls_back(formats: dict, connector: str) -> None:
    from types import SimpleNamespace

    from makeprint_engine.hours import range_connector

    assert range_connector(SimpleNamespace(interval_formats=formats)) == connector
