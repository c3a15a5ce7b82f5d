"""Reading iWmo values the way the XSD accepts them, so the rules never crash on a valid file.

lxml accepts more than the obvious notation (../shared/docs/iwmo.md §2.1): integers with spaces,
``+``, leading zeros or ``-0``; dates with surrounding spaces, a negative year (``-2023-01-01``) or
a year beyond 9999 (``12023-01-01``). ``date.fromisoformat`` fails on several of these, so the rules
read values through the functions here: a negative year reads as the earliest date and a five-digit
year as the latest, so the date rules report them as far past or far future instead of crashing.

Money is integer cents throughout; :func:`euro` shows cents to users.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_DATE = re.compile(r"(-?)([0-9]{4,})-([0-9]{2})-([0-9]{2})")
_CACHE_LIMIT = 4096  # distinct date texts remembered; a file has few, a hostile file many
_dates: dict[str, date | None] = {}


def as_date(text: str | None) -> date | None:
    """The date an ``LDT_Datum`` text stands for, or None when it is no date (or absent)."""
    value = _dates.get(text)
    if value is not None or text is None:
        return value
    value = _parse_date(text)
    if len(_dates) < _CACHE_LIMIT:
        _dates[text] = value
    return value


def _parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    negative, year_text, month, day = match.groups()
    year = int(year_text)
    if negative:
        return date.min
    if year > 9999:
        return date.max
    try:
        return date(year, int(month), int(day))
    except ValueError:  # year 0 or an impossible day: the XSD rejects these
        return None


def as_int(text: str | None) -> int | None:
    """The integer an ``xs:integer`` text stands for (``" +005000 "`` is 5000), or None."""
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def odd_integer(text: str) -> bool:
    """True when an integer text is valid but unusual: spaces, a sign, or leading zeros."""
    return not (text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1))


def odd_date(text: str) -> bool:
    """True when a date text is not plain ``JJJJ-MM-DD`` (spaces, a sign, a long year)."""
    return len(text) != 10 or text[4] != "-" or not text[:4].isdigit()


def last_day(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def years_before(day: date, years: int) -> date:
    """``day`` minus whole years; 29 February becomes 28 February in a common year."""
    if day in (date.min, date.max):
        return day
    year = max(1, day.year - years)
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def euro(cents: int) -> str:
    """Integer cents as Dutch money: 123456 → '€ 1.234,56'."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"€ {sign}{whole:,}".replace(",", ".") + f",{rest:02d}"


def shown(text: str | None) -> str:
    """A value as users should see it in a message: quoted, so spaces stay visible."""
    return "(leeg)" if text is None else f"'{text}'"
