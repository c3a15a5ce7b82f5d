"""Building blocks for a region's declaration-line rules (hook ``wmo_validate_declaration_line``).

A region plugin gets one Prestatie at a time as a mapping (keys in portal/iwmo/region_checks.py),
with the matched toewijzing's facts and the client's other lines that count (``client_lines``).
The functions here turn that into findings for the rules several regions share, reading the
parameters from the region's own data where the data already says them:

- :func:`per_day_caps`: a toewijzing rule of kind ``volume`` with frequentie 1 (per dag) and a
  ``max`` says how much a client may get per day; the client's declarations are held to the same
  cap per day (vervoer: one return trip a day). At most ``max`` per day also means at most
  7 × ``max`` per week.
- :func:`on_line_period`: a toewijzing rule (e.g. "vervoer only beside dagbesteding", "staffel
  code fits the distance") checked again for the product and the period actually declared.
- :func:`age_on_line`: a toewijzing rule of kind ``age``, with the age on the line's first day.
- :func:`per_week_without_flexibility`: lines within one ISO week, together, stay within the
  toewijzing's volume per week.

The declaration check also hands the line's delivery registration (keys ``registration`` and
``client_registration``); the rules that read it are in portal/declaraties/registration_rules.py.

A Prestatie sums a period (at most a month), so "per day" and "per week" are checked the only way
the sums allow without false alarms: the volumes of the lines that overlap must fit in the days
(or weeks) those lines cover together. Credit lines never add use and are skipped.

Nothing here imports Flask or the database: plugins load without the web stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from portal.declaraties.volumes import convert, iso_weeks, union_days, week_label
from portal.plugins.data_rules import DataRule, age_on
from portal.plugins.types import Finding, ToewijzingFacts

# The official retourcode closest to "more volume than allowed for the period" (TR321).
OVER_VOLUME_RETOURCODE = "9321"


@dataclass(frozen=True, slots=True)
class DeclaredLine:
    """Another line of the same client that counts (see ``client_lines``)."""

    reference: str | None
    toewijzing_nummer: int | None
    product_key: str | None
    product_category: str | None
    product_code: str | None
    start: date | None
    end: date | None
    volume: int | None
    unit: str | None


def _applies(products: Iterable[str], key: str | None, code: str | None) -> bool:
    products = tuple(products)
    return not products or key in products or code in products


def _usable(line: Mapping[str, Any]) -> bool:
    start, end = line.get("start"), line.get("end")
    return (line.get("debit_credit") != "C" and start is not None and end is not None
            and start <= end and line.get("volume") is not None)


def _source(rule: DataRule) -> str:
    return f" [{rule.source}]" if rule.source else ""


def per_day_caps(rules: Iterable[DataRule], line: Mapping[str, Any],
                 retourcode: str | None = OVER_VOLUME_RETOURCODE) -> list[Finding]:
    """Per client and day at most the ``max`` of each per-day volume rule (see the module)."""
    if not _usable(line):
        return []
    start, end, volume, unit = line["start"], line["end"], line["volume"], line.get("unit")
    found = []
    for rule in rules:
        limit = rule.params.get("max")
        if rule.kind != "volume" or rule.params.get("frequency") != "1" or limit is None:
            continue
        if not _applies(rule.products, line.get("product_key"), line.get("product_code")):
            continue
        others = [other for other in line.get("client_lines") or ()
                  if other.unit == unit and other.start and other.end and other.volume is not None
                  and _applies(rule.products, other.product_key, other.product_code)
                  and other.start <= end and start <= other.end]
        periods = [(start, end)] + [(other.start, other.end) for other in others]
        covered = union_days(periods)
        total = volume + sum(other.volume for other in others)
        if total <= limit * covered:
            continue
        first, last = min(p[0] for p in periods), max(p[1] for p in periods)
        with_others = (f", met {len(others)} andere prestatie(s) van deze cliënt die deze dagen "
                       f"overlappen" if others else "")
        found.append(Finding(
            rule.id, rule.severity,
            f"{rule.message} Van {first} t/m {last} ({covered} dag(en)) is {total} gedeclareerd "
            f"(deze prestatie {volume}{with_others}); hoogstens {limit * covered}.{_source(rule)}",
            "GeleverdVolume", retourcode))
    return found


_ELEMENT_OF_FIELD = {"product_key": "ProductCode", "volume": "GeleverdVolume"}


def on_line_period(rule: DataRule, line: Mapping[str, Any], toewijzing: ToewijzingFacts | None,
                   retourcode: str | None = None) -> list[Finding]:
    """A toewijzing rule checked for the product and period declared on the line."""
    if toewijzing is None or not _usable(line):
        return []
    facts = replace(toewijzing, start=line["start"], end=line["end"],
                    product_key=line.get("product_key") or toewijzing.product_key,
                    product_code=line.get("product_code") or toewijzing.product_code)
    return [Finding(found.rule, found.severity,
                    f"In de periode van de prestatie ({line['start']} t/m {line['end']}): "
                    f"{found.message}", _ELEMENT_OF_FIELD.get(found.field or ""), retourcode)
            for found in rule.check(facts)]


def age_on_line(rule: DataRule, line: Mapping[str, Any], toewijzing: ToewijzingFacts | None,
                retourcode: str | None = None) -> list[Finding]:
    """An ``age`` rule with the client's age on the first day of the declared period."""
    if toewijzing is None or toewijzing.client_birth_date is None or not _usable(line):
        return []
    if rule.kind != "age" or not _applies(rule.products, line.get("product_key"),
                                          line.get("product_code")):
        return []
    age = age_on(toewijzing.client_birth_date, line["start"])
    low, high = rule.params.get("min_age"), rule.params.get("max_age")
    if (low is None or age >= low) and (high is None or age <= high):
        return []
    return [Finding(rule.id, rule.severity,
                    f"{rule.message} Leeftijd op {line['start']} (begin van de prestatie): "
                    f"{age}.{_source(rule)}", "ProductCode", retourcode)]


def per_week_without_flexibility(rule_id: str, products: Iterable[str], message: str,
                                 line: Mapping[str, Any], toewijzing: ToewijzingFacts | None,
                                 severity, retourcode: str | None = OVER_VOLUME_RETOURCODE,
                                 source: str | None = None) -> list[Finding]:
    """Lines of one toewijzing (frequentie per week) that lie within one ISO week stay, together,
    within its volume per week. A longer line is compared with the weeks it touches by TR321."""
    if toewijzing is None or not _usable(line) or toewijzing.frequency != "2" \
            or toewijzing.volume is None:
        return []
    if not _applies(products, line.get("product_key"), line.get("product_code")):
        return []
    weeks = iso_weeks(line["start"], line["end"])
    if len(weeks) != 1:
        return []
    unit = line.get("unit")
    same = [other for other in line.get("client_lines") or ()
            if other.toewijzing_nummer == line.get("toewijzing_nummer") and other.unit == unit
            and other.start and other.end and other.volume is not None
            and iso_weeks(other.start, other.end) == weeks]
    declared = line["volume"] + sum(other.volume for other in same)
    total = convert(declared, unit, toewijzing.unit)
    if total is None or total <= toewijzing.volume:
        return []
    where = f" [{source}]" if source else ""
    return [Finding(rule_id, severity,
                    f"{message} In week {week_label(weeks[0])} is {declared} gedeclareerd (deze "
                    f"prestatie {line['volume']}, {len(same)} andere prestatie(s) in die week); "
                    f"toegewezen per week: {toewijzing.volume}.{where}",
                    "GeleverdVolume", retourcode)]
