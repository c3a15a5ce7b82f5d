"""Werkdagen: Monday to Friday minus Dutch public holidays, under a named holiday policy.

The seeds count many deadlines in werkdagen without saying which holidays count
(../shared/docs/region-rules.md §6.1). Two lists are in use in the Netherlands:

- ``termijnenwet`` (the default): the Algemene termijnenwet's list (art. 3): Nieuwjaarsdag,
  tweede Paasdag, Koningsdag, Hemelvaartsdag, tweede Pinksterdag, both Christmas days, and
  Bevrijdingsdag (5 May) every year; Goede Vrijdag is a working day. Chosen as the default because
  it is the list Dutch public bodies use for time limits, and it does not depend on collective
  agreements. 20 werkdagen from 2026-03-20 end on 2026-04-20.
- ``holidays``: the `holidays` library's Netherlands list as it is: Goede Vrijdag is a holiday,
  5 May only in lustrum years. 20 werkdagen from 2026-03-20 end on 2026-04-21.

A region chooses with ``holiday_policy`` in its ``[region]`` table.

Counting: "n werkdagen after a date" starts on the next working day as werkdag 1 (region-rules
§6.3 item 20); "n werkdagen before a date" counts back the same way.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter

POLICIES = ("termijnenwet", "holidays")
DEFAULT_POLICY = "termijnenwet"


@lru_cache(maxsize=64)
def _holidays_of(year: int, policy: str) -> frozenset[date]:
    days = set(holidays.country_holidays("NL", years=year))
    if policy == "termijnenwet":
        days.discard(easter(year) - timedelta(days=2))  # Goede Vrijdag is a working day
        days.add(date(year, 5, 5))
    return frozenset(days)


def is_working_day(day: date, policy: str = DEFAULT_POLICY) -> bool:
    if policy not in POLICIES:
        raise ValueError(f"unknown holiday policy {policy!r}; use one of {POLICIES}")
    return day.weekday() < 5 and day not in _holidays_of(day.year, policy)


def add_working_days(day: date, count: int, policy: str = DEFAULT_POLICY) -> date:
    """The ``count``-th working day after ``day`` (count > 0) or before it (count < 0)."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day, policy):
            remaining -= 1
    return day
