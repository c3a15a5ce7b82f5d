"""Volumes and periods: converting declared units, and how much a toewijzing allows in a period.

Pure functions (no database, no Flask): the core's checks and the region plugins share them.

Units are WJ756 codes. Minutes and hours convert into each other (the factors of
:mod:`portal.pricing`, written down once); dagdelen, etmalen and stuks only count in their own
unit, because how long a dagdeel lasts differs per region (3 hours in one, 4 in another), so the
portal never turns them into hours. A line in a unit that does not convert is refused by TR341
before any volume is compared.

How much a toewijzing allows in a declared period (../shared/docs/iwmo.md §4, "Per week"):

| Frequentie | allowed in the period |
| --- | --- |
| 1 per dag | volume × days |
| 2 per week | volume × calendar (ISO) weeks the period touches (see below) |
| 4 per maand | volume × months touched (a ProductPeriode lies in one month: 1) |
| 6 totaal | the volume, over the whole toewijzing (TR322) |

Per week, category 01 (hulp bij het huishouden) always counts 6 weeks; an output unit (82) counts
the Sundays in the period, plus 1 in the period holding the toewijzing's last Sunday when the
toewijzing does not end on a Sunday.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

from portal.pricing import UNIT_FACTORS

PER_DAY, PER_WEEK, PER_MONTH, TOTAL = "1", "2", "4", "6"
OUTPUT_PIECES = "82"
HOUSEHOLD = "01"  # WMO020 category hulp bij het huishouden: always 6 weeks per period (TR321)

# Plural Dutch names, for sentences such as "2400 minuten".
_PLURAL = {"01": "minuten", "04": "uur", "14": "etmalen", "16": "dagdelen",
           "82": "stuks", "83": "cent", "84": "stuks"}


def convert(volume: Fraction | int, unit: str | None, to_unit: str | None) -> Fraction | None:
    """``volume`` in ``unit`` expressed in ``to_unit``; None when the units do not convert."""
    if unit is None or to_unit is None:
        return None
    if unit == to_unit:
        return Fraction(volume)
    factor = UNIT_FACTORS.get((unit, to_unit))
    return Fraction(volume) * factor if factor is not None else None


def converts(unit: str | None, to_unit: str | None) -> bool:
    return convert(1, unit, to_unit) is not None


def amount_text(volume: Fraction | int, unit: str | None) -> str:
    """'2400 minuten', '1,5 uur': a volume as people read it (comma decimals, at most 2)."""
    value = Fraction(volume)
    if value.denominator == 1:
        number = str(value.numerator)
    else:
        number = f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} {_PLURAL.get(unit or '', unit or 'eenheden')}"


# -- periods -------------------------------------------------------------------------------------

def days(start: date, end: date) -> int:
    return max(0, (end - start).days + 1)


def overlaps(start: date, end: date, other_start: date | None, other_end: date | None) -> bool:
    return (other_end is None or start <= other_end) and (other_start is None or other_start <= end)


def clip(start: date, end: date, limit_start: date | None,
         limit_end: date | None) -> tuple[date, date] | None:
    """The part of start..end inside limit_start..limit_end (open ends: unlimited), or None."""
    first = max(start, limit_start) if limit_start else start
    last = min(end, limit_end) if limit_end else end
    return (first, last) if first <= last else None


def iso_weeks(start: date, end: date) -> list[tuple[int, int]]:
    """The ISO weeks (year, week) the period touches, in order."""
    weeks = []
    day = start - timedelta(days=start.weekday())
    while day <= end:
        year, week, _ = day.isocalendar()
        weeks.append((year, week))
        day += timedelta(days=7)
    return weeks


def _weeks_touched(start: date, end: date) -> int:
    """len(iso_weeks(start, end)), counted without listing them (once for every line)."""
    first_monday = start - timedelta(days=start.weekday())
    return (end - first_monday).days // 7 + 1 if end >= first_monday else 0


def week_label(week: tuple[int, int]) -> str:
    return f"{week[0]}-W{week[1]:02d}"


def union_days(periods: Iterable[tuple[date, date]]) -> int:
    """How many days the periods cover together (overlaps counted once)."""
    total, covered_until = 0, None
    for start, end in sorted(periods):
        if covered_until is not None and start <= covered_until:
            if end > covered_until:
                total += (end - covered_until).days
                covered_until = end
            continue
        total += days(start, end)
        covered_until = end
    return total


def sundays(start: date, end: date) -> int:
    first = start + timedelta(days=(6 - start.weekday()) % 7)
    return 0 if first > end else (end - first).days // 7 + 1


def periods_in(frequency: str | None, category: str | None, unit: str | None, start: date,
               end: date, toewijzing_end: date | None) -> tuple[int, str] | None:
    """How many times the toewijzing's volume fits in start..end (already clipped to the
    toewijzing), with the Dutch name of what is counted; None for a total (frequentie 6) or an
    unknown frequency."""
    if frequency == PER_DAY:
        return days(start, end), "dag(en)"
    if frequency == PER_WEEK:
        if category == HOUSEHOLD:
            return 6, "week (hulp bij het huishouden: altijd 6)"
        if unit == OUTPUT_PIECES:
            count = sundays(start, end)
            if toewijzing_end is not None and toewijzing_end.weekday() != 6:
                last_sunday = toewijzing_end - timedelta(days=toewijzing_end.weekday() + 1)
                if start <= last_sunday <= end:
                    count += 1
            return count, "zondag(en)"
        return _weeks_touched(start, end), "kalenderweek/-weken"
    if frequency == PER_MONTH:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return months, "maand(en)"
    return None
