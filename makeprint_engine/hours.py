"""Opening hours: parse the compact ``Mon-Fri 09:00-17:00`` form and print it per locale."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_interval, get_day_names
from babel.lists import format_list

from .fields import FieldError
from .typeset import keep_hangul_words

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FORMAT_HINT = "write hours like 'Mon-Fri 09:00-17:00; Sat 10:00-14:00' or '24/7'"
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Entry:
    """Days (0 = Monday) and the time spans they share; minutes from midnight."""

    days: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    # How the days were written, so a range prints as a range: ("range", a, b) or ("list",).
    form: tuple[object, ...]


@dataclass(frozen=True)
class Hours:
    always_open: bool
    entries: tuple[Entry, ...]


def _day(token: str) -> int:
    word = token.strip().lower()
    key = word[:3]
    if key not in DAYS or word not in (key, _full_name(key)):
        raise FieldError(f'"{token.strip()}" is not a day', "use Mon, Tue, Wed, Thu, Fri, Sat, Sun")
    return DAYS.index(key)


def _full_name(key: str) -> str:
    return {
        "mon": "monday",
        "tue": "tuesday",
        "wed": "wednesday",
        "thu": "thursday",
        "fri": "friday",
        "sat": "saturday",
        "sun": "sunday",
    }[key]


def _minutes(token: str) -> int:
    match = _TIME_RE.match(token.strip())
    if not match:
        raise FieldError(f'"{token.strip()}" is not a time', "write times as HH:MM, e.g. 09:00")
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise FieldError(f'"{token.strip()}" is not a time of day', "use 00:00 to 24:00")
    return hour * 60 + minute


def _days(text: str) -> tuple[tuple[int, ...], tuple[object, ...]]:
    if "-" in text or "–" in text:
        first, _, last = text.replace("–", "-").partition("-")
        a, b = _day(first), _day(last)
        if b <= a:
            raise FieldError(
                f'day range "{text}" runs backwards', "write ranges Monday-first, e.g. Mon-Fri"
            )
        return tuple(range(a, b + 1)), ("range", a, b)
    days = tuple(_day(t) for t in text.split(","))
    if len(set(days)) != len(days):
        raise FieldError(f'"{text}" names a day twice', "name each day once")
    return days, ("list",)


def parse_hours(raw: str) -> Hours:
    """Parse an hours field; raise :class:`FieldError` saying what is wrong and how to write it."""
    text = raw.strip()
    if text.replace(" ", "").lower() == "24/7":
        return Hours(True, ())
    entries: list[Entry] = []
    seen: set[int] = set()
    for chunk in (c.strip() for c in text.split(";")):
        if not chunk:
            continue
        match = re.match(r"^([A-Za-z,\-– ]+?)\s+(\d.*)$", chunk)
        if not match:
            raise FieldError(f'"{chunk}" is not an hours entry', FORMAT_HINT)
        days, form = _days(match[1].replace(" ", ""))
        spans = []
        for span in match[2].split(","):
            start, sep, end = span.replace("–", "-").partition("-")
            if not sep:
                raise FieldError(f'"{span.strip()}" is not a time span', FORMAT_HINT)
            a, b = _minutes(start), _minutes(end)
            if a == b:
                raise FieldError(f'"{span.strip()}" opens and closes at the same time', FORMAT_HINT)
            spans.append((a, b))
        twice = seen.intersection(days)
        if twice:
            name = DAYS[min(twice)].capitalize()
            raise FieldError(f"{name} is listed in more than one entry", "give each day one entry")
        seen.update(days)
        entries.append(Entry(days, tuple(sorted(spans)), form))
    if not entries:
        raise FieldError("hours are empty", FORMAT_HINT)
    return Hours(False, tuple(entries))


def _time(minutes: int) -> dt.time:
    return dt.time(0, 0) if minutes == 24 * 60 else dt.time(minutes // 60, minutes % 60)


def _unbreakable(text: str) -> str:
    """Keep one time span on one line; lines may still break between spans.

    No-break spaces are not enough: a line may still break after a dash ("9:00 ص –" /
    "5:00 م" ran off the foot of the Arabic poster), so dashes get WORD JOINERs around them.
    """
    text = text.replace("\u2009", "\u202f").replace(" ", "\u00a0")
    return re.sub("([\u2013\u2014])", "\u2060\\1\u2060", text)


def _skeleton(locale: Locale) -> str:
    """'hm' where the locale writes 12-hour times, 'Hm' where it writes 24-hour times."""
    return "hm" if "h" in locale.time_formats["short"].pattern else "Hm"


def _span(a: int, b: int, skeleton: str, locale: Locale, all_day_label: str) -> str:
    if (a, b) == (0, 24 * 60):
        return all_day_label  # midnight to midnight would print as a single time
    return _unbreakable(format_interval(_time(a), _time(b), skeleton, locale=locale))


def range_connector(locale: Locale) -> str:
    """What the locale writes between the two ends of a range of days: " – ", "至", "～".

    CLDR has no interval format for weekdays alone, so the connector is read from the
    locale's interval format for weekday + month + day (skeleton MEd) when the months differ:
    its first part is the whole first date followed by the connector ("E, M/d – " in
    English, "M/dE至" in Chinese). The locale's fallback interval ("{0} – {1}") otherwise.
    """
    formats = locale.interval_formats
    try:
        first, second = formats["MEd"]["M"]
    except (KeyError, TypeError, ValueError):
        first, second = "", ""
    if first.startswith(second) and len(first) > len(second):
        return first[len(second) :].replace("'", "")
    fallback = str(formats.get(None) or "{0}\u2009–\u2009{1}")
    return fallback.partition("{0}")[2].partition("{1}")[0] or "–"


def day_range(first: str, last: str, locale: Locale) -> str:
    """"Mon – Fri", "周一至周五", "lun – vie": one unit that never breaks across lines."""
    return _unbreakable(f"{first}{range_connector(locale)}{last}")


def has_day_names(locale_name: str) -> bool:
    """Whether CLDR names the days for this locale (itself or a parent short of root).

    CLDR's root locale names days "Mon" … "Sun" (wide and abbreviated alike): a locale with
    only basic data (Haitian Creole, ``ht``, in CLDR 47) inherits those, which would print
    English on its materials. (Read through the merged data only: Babel caches what
    ``localedata.load`` returns per name, so an unmerged load would stand in for the locale.)
    """
    wide = dict(get_day_names("wide", locale=Locale.parse(locale_name)))
    return wide != dict(get_day_names("wide", locale=Locale("root")))


def format_hours(
    hours: Hours,
    locale_name: str,
    always_open_label: str,
    all_day_label: str = "24 h",
    day_names: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """Return (days, times) rows in the locale's words and time style.

    ``day_names`` (Monday first) replace CLDR's abbreviated names: a language whose locale
    CLDR gives no day names (see :func:`has_day_names`) names them in its language.yaml.
    """
    if hours.always_open:
        return [("", always_open_label)]
    locale = Locale.parse(locale_name)
    names = (
        dict(enumerate(day_names))
        if day_names
        else get_day_names("abbreviated", locale=locale)
    )
    skeleton = _skeleton(locale)
    rows = []
    for entry in hours.entries:
        if entry.form[0] == "range":
            a, b = int(entry.form[1]), int(entry.form[2])  # type: ignore[call-overload]
            days = day_range(names[a], names[b], locale)
        else:
            days = format_list([names[d] for d in entry.days], locale=locale)
        times = format_list(
            [_span(a, b, skeleton, locale, all_day_label) for a, b in entry.spans],
            locale=locale,
        )
        # Korean times and day names ("오후 1:00") break only between words, as content does.
        rows.append((keep_hangul_words(days), keep_hangul_words(times)))
    return rows
