"""Declaration rules that read the aanbieder's delivery registration (uitvoeringsregistratie).

A WMO323 says how much was delivered in a period, not whether the client was there, what kind of
time it was, or at what time of day. Where a region's rule needs that (regions/DECLARATION_RULES.md),
the aanbieder records it in the portal (portal.declaraties.registration: per toewijzing and day an
attendance, or a time entry with its activity), and the rules here hold the declared line to it.

**What is checked when nothing is registered: nothing.** Each rule applies only when the
registration holds something for it in the line's period (a time entry, an attendance, an absent
day); otherwise the line is checked as before. Once time is registered for a toewijzing in a
period, that registration is taken as the whole account of the period. The registration page says
so to the aanbieder.

The declaration check (portal.declaraties.services) hands a region plugin two more keys in the
line mapping of ``wmo_validate_declaration_line`` (absent on the command line, which has no
database, so these rules do not apply there):

- ``registration``: the :class:`Registered` entries of the line's toewijzing, from
  :data:`LOOKBACK_MONTHS` months before the file's first day to its last day;
- ``client_registration``: the same for every toewijzing of the client at the gemeente, any
  aanbieder (with each entry's product key), for rules about another product on the same day.

A region states its rules as data, in a TOML file of its own package (``[[rules]]`` tables, read
by :func:`load_rules`): ``id``, ``kind``, ``products`` (product keys or codes; empty: every
product), ``severity``, ``retourcode`` (the WMO325 code of a refused line; left out: 0233, "not
assessed"), ``message`` (Dutch), ``source`` (seed and line), and the kind's parameters:

| kind | parameters | finds |
| --- | --- | --- |
| time_activities | count, absent_count, absent_max_minutes | more minutes declared than registered of the activities that count (on a day the client was absent: at most absent_max_minutes of absent_count) |
| no_show | count | a line that lies on no-show days only, or minutes beyond those registered on other days |
| attended | | more dagdelen (or etmalen) declared than attendances registered "aanwezig" |
| used_that_day | max_per_day, attendance_of | vervoer on days the client was registered absent (at the products in attendance_of, or on the vervoer itself) |
| not_same_time | with | time registered at the same time of day as an attendance (or time) at one of the products in ``with`` |
| fixed_hours | field, value, hours_field, count | a toewijzing whose region field ``field`` is ``value``: per ISO week at most the hours in ``hours_field`` |
| contact_gap | field, value, months | (warning) a toewijzing with ``field`` = ``value`` without a registered contact in the months up to the line's end |
| nearest_band | field, series, bands | a staffel code above the band of the distance in ``field`` (the nearest suitable location); ``bands`` names the rule id whose attribute_range rules give each code's band |

Nothing here imports Flask or the database.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from portal.declaraties.line_rules import DeclaredLine
from portal.declaraties.volumes import amount_text, convert, iso_weeks, week_label
from portal.plugins.data_rules import DataRule, add_months
from portal.plugins.errors import RegionLoadError
from portal.plugins.types import Finding, Severity, ToewijzingFacts

# How far before a file's first day registrations are loaded: the longest look-back a rule may
# have (contact_gap's months) must fit in it.
LOOKBACK_MONTHS = 6
NOT_ASSESSED = "0233"
MINUTE = "01"

ATTENDANCE, TIME = "aanwezigheid", "tijd"
PRESENT, ABSENT, NO_SHOW = "aanwezig", "afwezig", "no_show"
DIRECT, INDIRECT, TRAVEL = "direct", "indirect", "reistijd"
ACTIVITY_NAMES = {DIRECT: "direct", INDIRECT: "indirect", TRAVEL: "reistijd"}
ATTENDANCE_NAMES = {PRESENT: "aanwezig", ABSENT: "afwezig", NO_SHOW: "no-show"}
# At most this many dates are named in one message; the rest is counted.
DATES_NAMED = 8


@dataclass(frozen=True, slots=True)
class Registered:
    """One registered entry as the rules read it (portal.declaraties.models.DeliveryEntry)."""

    toewijzing_id: int
    product_key: str | None
    day: date
    kind: str
    attendance: str | None = None
    activity: str | None = None
    minutes: int | None = None
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class RegistrationRule:
    id: str
    kind: str
    message: str
    source: str
    products: tuple[str, ...] = ()
    severity: Severity = Severity.ERROR
    retourcode: str | None = NOT_ASSESSED
    params: dict = field(default_factory=dict)

    def applies_to(self, key: str | None, code: str | None) -> bool:
        return not self.products or key in self.products or code in self.products

    def finding(self, text: str, element: str = "GeleverdVolume") -> Finding:
        retourcode = self.retourcode if self.severity == Severity.ERROR else None
        return Finding(self.id, self.severity, f"{self.message} {text} [{self.source}]", element,
                       retourcode)


# -- the region's data file ----------------------------------------------------------------------

_ACTIVITY_LIST = (list, lambda v: all(a in ACTIVITY_NAMES for a in v), "direct, indirect, reistijd")
_TEXT = (str, None, "tekst")
_WHOLE = (int, lambda v: v > 0, "een positief geheel getal")
_LIST = (list, lambda v: all(isinstance(a, str) for a in v), "een lijst van teksten")
_SERIES = (list, lambda v: all(isinstance(s, list) and all(isinstance(c, str) for c in s)
                              for s in v), "een lijst van lijsten van productcodes")
# name -> (type, extra check, what it must be) and whether it is required, per kind.
PARAMETERS: dict[str, dict[str, tuple[tuple, bool]]] = {
    "time_activities": {"count": (_ACTIVITY_LIST, True), "absent_count": (_ACTIVITY_LIST, False),
                        "absent_max_minutes": (_WHOLE, False)},
    "no_show": {"count": (_ACTIVITY_LIST, False)},
    "attended": {},
    "used_that_day": {"max_per_day": (_WHOLE, True), "attendance_of": (_LIST, False)},
    "not_same_time": {"with": (_LIST, True)},
    "fixed_hours": {"field": (_TEXT, True), "value": (_TEXT, True), "hours_field": (_TEXT, True),
                    "count": (_ACTIVITY_LIST, False)},
    "contact_gap": {"field": (_TEXT, True), "value": (_TEXT, True), "months": (_WHOLE, True)},
    "nearest_band": {"field": (_TEXT, True), "series": (_SERIES, True), "bands": (_TEXT, True)},
}
RULE_FIELDS = {"id", "kind", "products", "severity", "retourcode", "message", "source"}


def load_rules(path: Path, region: str) -> tuple[RegistrationRule, ...]:
    """The ``[[rules]]`` of ``path``; a mistake stops start-up naming the file, rule and field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RegionLoadError(region, str(path), str(error)) from error
    problems, rules = [], []
    unknown = set(data) - {"rules"}
    if unknown:
        problems.append(f"onbekende tabel(len) {', '.join(sorted(unknown))}")
    for index, row in enumerate(data.get("rules", []), start=1):
        where = f"regel {row.get('id') or index}"
        kind = row.get("kind")
        if kind not in PARAMETERS:
            problems.append(f"{where}: soort '{kind}' bestaat niet (kies uit "
                            f"{', '.join(sorted(PARAMETERS))})")
            continue
        allowed = RULE_FIELDS | set(PARAMETERS[kind])
        problems += [f"{where}: onbekend veld '{name}'" for name in sorted(set(row) - allowed)]
        for name in ("id", "message", "source"):
            if not isinstance(row.get(name), str) or not row[name].strip():
                problems.append(f"{where}: veld '{name}' ontbreekt")
        params = {}
        for name, ((expected, check, what), required) in PARAMETERS[kind].items():
            value = row.get(name)
            if value is None:
                if required:
                    problems.append(f"{where}: veld '{name}' ontbreekt voor soort '{kind}'")
                continue
            if isinstance(value, bool) or not isinstance(value, expected) or \
                    (check is not None and not check(value)):
                problems.append(f"{where}: veld '{name}' moet {what} zijn")
                continue
            params[name] = value
        severity = row.get("severity", "error")
        if severity not in ("error", "warning"):
            problems.append(f"{where}: severity is 'error' of 'warning'")
            continue
        rules.append(RegistrationRule(
            id=str(row.get("id", "")), kind=kind, message=str(row.get("message", "")),
            source=str(row.get("source", "")), products=tuple(row.get("products", ())),
            severity=Severity(severity), retourcode=row.get("retourcode", NOT_ASSESSED),
            params=params))
    if problems:
        raise RegionLoadError(region, str(path), "; ".join(problems))
    return tuple(rules)


# -- applying them -------------------------------------------------------------------------------

def findings(rules: Iterable[RegistrationRule], line: Mapping[str, Any],
             toewijzing: ToewijzingFacts | None,
             region_rules: Iterable[DataRule] = ()) -> list[Finding]:
    """Every rule of ``rules`` that applies to the line's product, on a usable debet line.
    ``region_rules``: the region's data rules (nearest_band reads its bands from them)."""
    start, end = line.get("start"), line.get("end")
    if toewijzing is None or line.get("debit_credit") == "C" or start is None or end is None \
            or start > end or line.get("volume") is None:
        return []
    entries, client_entries = line.get("registration"), line.get("client_registration")
    attributes = toewijzing.attributes or {}
    found, view = [], None
    for rule in rules:
        if not rule.applies_to(line.get("product_key"), line.get("product_code")):
            continue
        # Most lines have nothing registered: skip them before any work (a file may hold a
        # hundred thousand lines).
        if rule.kind in _ON_OWN_ENTRIES and not entries:
            continue
        if rule.kind == "used_that_day" and not entries and not client_entries:
            continue
        if "field" in rule.params and not attributes.get(rule.params["field"]):
            continue
        view = view or _Line(line, toewijzing)
        found += _KINDS[rule.kind](rule, view, region_rules)
    return found


# The kinds that look only at the line's own toewijzing's entries.
_ON_OWN_ENTRIES = frozenset({"time_activities", "no_show", "attended", "not_same_time",
                             "contact_gap"})


class _Line:
    """The line with what the rules ask of it, worked out once."""

    def __init__(self, line: Mapping[str, Any], toewijzing: ToewijzingFacts):
        self.values, self.toewijzing = line, toewijzing
        self.start: date = line["start"]
        self.end: date = line["end"]
        self.volume: int = line["volume"]
        self.unit: str | None = line.get("unit")
        self.entries: tuple[Registered, ...] = tuple(line.get("registration") or ())
        self.client_entries: tuple[Registered, ...] = tuple(line.get("client_registration") or ())

    def same_toewijzing(self) -> list[DeclaredLine]:
        """The client's other counted lines on this toewijzing, in this unit, that overlap."""
        nummer = self.values.get("toewijzing_nummer")
        return [other for other in self.values.get("client_lines") or ()
                if other.toewijzing_nummer == nummer and other.unit == self.unit
                and other.start and other.end and other.volume is not None
                and other.start <= self.end and self.start <= other.end]

    def days(self, others: Iterable[DeclaredLine]) -> set[date]:
        covered = set(_dates(self.start, self.end))
        for other in others:
            covered.update(_dates(other.start, other.end))
        return covered


def _dates(start: date, end: date) -> Iterable[date]:
    return (start + timedelta(days=offset) for offset in range((end - start).days + 1))


def _named(days: Iterable[date]) -> str:
    days = sorted(days)
    shown = ", ".join(str(day) for day in days[:DATES_NAMED])
    return shown + (f" en nog {len(days) - DATES_NAMED}" if len(days) > DATES_NAMED else "")


def _declared(line: _Line, others: list[DeclaredLine]) -> tuple[int, str]:
    """The declared volume of the line and the overlapping others, and how to say so."""
    total = line.volume + sum(other.volume for other in others)
    also = (f" (deze prestatie {amount_text(line.volume, line.unit)}, met {len(others)} andere "
            f"prestatie(s) op deze toewijzing in die dagen)") if others else ""
    return total, also


def _span(days: set[date]) -> str:
    return f"Van {min(days)} t/m {max(days)}"


def _attendance_per_day(entries: Iterable[Registered]) -> dict[date, set[str]]:
    per_day: dict[date, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.kind == ATTENDANCE and entry.attendance:
            per_day[entry.day].add(entry.attendance)
    return per_day


def _away(per_day: Mapping[date, set[str]], statuses: set[str]) -> set[date]:
    """The days with one of ``statuses`` and no attendance "aanwezig" the same day."""
    return {day for day, found in per_day.items() if found & statuses and PRESENT not in found}


def _minutes(line: _Line, total: int) -> int | None:
    minutes = convert(total, line.unit, MINUTE)
    return int(minutes) if minutes is not None and minutes.denominator == 1 else None


def _time_per_day(entries: Iterable[Registered], days: set[date]) -> dict[date, dict[str, int]]:
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        if entry.kind == TIME and entry.day in days and entry.minutes:
            per_day[entry.day][entry.activity] += entry.minutes
    return per_day


def _registered_text(per_day: Mapping[date, Mapping[str, int]]) -> str:
    totals = {activity: sum(day.get(activity, 0) for day in per_day.values())
              for activity in ACTIVITY_NAMES}
    return ", ".join(f"{minutes} min {ACTIVITY_NAMES[activity]}"
                     for activity, minutes in totals.items())


def _time_activities(rule: RegistrationRule, line: _Line, _region_rules) -> list[Finding]:
    """Declared minutes ≤ the minutes registered of the activities that count; on a day the
    client was absent, at most absent_max_minutes of absent_count."""
    others = line.same_toewijzing()
    days = line.days(others)
    per_day = _time_per_day(line.entries, days)
    if not per_day:
        return []
    total, also = _declared(line, others)
    declared = _minutes(line, total)
    if declared is None:
        return []
    count = set(rule.params["count"])
    absent_max = rule.params.get("absent_max_minutes")
    absent_count = set(rule.params.get("absent_count", count))
    absent = _away(_attendance_per_day(line.entries), {ABSENT}) if absent_max else set()
    countable, not_counted = 0, []
    for day in sorted(per_day):
        minutes = per_day[day]
        if day in absent:
            taken = sum(v for a, v in minutes.items() if a in absent_count)
            countable += min(taken, absent_max)
            if taken > absent_max:
                not_counted.append(f"{day} afwezig: {taken} min, hoogstens {absent_max}")
            left_out = {a: v for a, v in minutes.items() if a not in absent_count}
        else:
            countable += sum(v for a, v in minutes.items() if a in count)
            left_out = {a: v for a, v in minutes.items() if a not in count}
        not_counted += [f"{day} {v} min {ACTIVITY_NAMES[a]}" for a, v in sorted(left_out.items())]
    if declared <= countable:
        return []
    shown = "; ".join(not_counted[:DATES_NAMED]) + (
        f"; en nog {len(not_counted) - DATES_NAMED}" if len(not_counted) > DATES_NAMED else "")
    return [rule.finding(
        f"{_span(days)} is {declared} minuten gedeclareerd{also}; geregistreerd: "
        f"{_registered_text(per_day)}, waarvan declarabel {countable} min. "
        f"{declared - countable} minuten te veel."
        + (f" Niet declarabel: {shown}." if shown else ""))]


def _no_show(rule: RegistrationRule, line: _Line, _region_rules) -> list[Finding]:
    """No-show is not declarable: not a line on no-show days only, nor time beyond what was
    registered on the other days."""
    others = line.same_toewijzing()
    days = line.days(others)
    no_show = _away(_attendance_per_day(line.entries), {NO_SHOW}) & days
    if not no_show:
        return []
    own_days = set(_dates(line.start, line.end))
    if own_days <= no_show:
        return [rule.finding(f"De prestatie ({line.start} t/m {line.end}) valt geheel op "
                             f"no-show: {_named(own_days)}.")]
    per_day = _time_per_day(line.entries, days)
    total, also = _declared(line, others)
    declared = _minutes(line, total)
    if not per_day or declared is None:
        return []
    count = set(rule.params.get("count", ACTIVITY_NAMES))
    countable = sum(v for day, minutes in per_day.items() if day not in no_show
                    for a, v in minutes.items() if a in count)
    if declared <= countable:
        return []
    lost = sum(v for day in no_show for a, v in per_day.get(day, {}).items() if a in count)
    return [rule.finding(
        f"{_span(days)} is {declared} minuten gedeclareerd{also}; de cliënt was no-show op "
        f"{_named(no_show)} ({lost} min geregistreerd op die dagen). Op de andere dagen is "
        f"{countable} min geregistreerd: {declared - countable} minuten te veel.")]


def _attended(rule: RegistrationRule, line: _Line, _region_rules) -> list[Finding]:
    """Only the dagdelen (etmalen) registered "aanwezig" are declarable."""
    others = line.same_toewijzing()
    days = line.days(others)
    attendances = [e for e in line.entries if e.kind == ATTENDANCE and e.day in days]
    if not attendances:
        return []
    present = sum(1 for e in attendances if e.attendance == PRESENT)
    total, also = _declared(line, others)
    if total <= present:
        return []
    missed = defaultdict(list)
    for entry in attendances:
        if entry.attendance != PRESENT:
            missed[entry.attendance].append(entry.day)
    missed_text = "; ".join(f"{ATTENDANCE_NAMES[status]} op {_named(found)}"
                            for status, found in sorted(missed.items()))
    return [rule.finding(
        f"{_span(days)} is {amount_text(total, line.unit)} gedeclareerd{also}; geregistreerd "
        f"aanwezig: {present}" + (f" ({missed_text})" if missed_text else "") +
        f". {amount_text(total - present, line.unit)} te veel.")]


def _used_that_day(rule: RegistrationRule, line: _Line, _region_rules) -> list[Finding]:
    """Vervoer only on days the client used it: not on a day registered absent or no-show."""
    counted_at = set(rule.params.get("attendance_of", ()))
    entries = [e for e in line.client_entries if e.product_key in counted_at] + list(line.entries)
    per_day = _attendance_per_day(entries)
    if not per_day:
        return []
    others = [other for other in line.values.get("client_lines") or ()
              if other.unit == line.unit and other.start and other.end and other.volume is not None
              and rule.applies_to(other.product_key, other.product_code)
              and other.start <= line.end and line.start <= other.end]
    days = line.days(others)
    away = _away(per_day, {ABSENT, NO_SHOW}) & days
    if not away:
        return []
    limit = rule.params["max_per_day"] * (len(days) - len(away))
    total = line.volume + sum(other.volume for other in others)
    if total <= limit:
        return []
    also = (f" (deze prestatie {line.volume}, met {len(others)} andere vervoersprestatie(s) van "
            f"deze cliënt in die dagen)") if others else ""
    return [rule.finding(
        f"{_span(days)} ({len(days)} dag(en)) is {total} gedeclareerd{also}; de cliënt was "
        f"afwezig of niet verschenen op {_named(away)}, dus hoogstens {limit}.")]


def _overlap(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


def _not_same_time(rule: RegistrationRule, line: _Line, _region_rules) -> list[Finding]:
    """No time of this product at the same time of day as the other product."""
    days = set(_dates(line.start, line.end))
    mine = [e for e in line.entries if e.kind == TIME and e.day in days and e.start and e.end]
    if not mine:
        return []
    with_products = set(rule.params["with"])
    theirs = [e for e in line.client_entries if e.product_key in with_products
              and e.day in days and e.start and e.end
              and (e.kind == TIME or e.attendance == PRESENT)]
    clashes = sorted({f"{a.day} {a.start:%H:%M}-{a.end:%H:%M} tijdens {b.start:%H:%M}-"
                      f"{b.end:%H:%M} ({b.product_key})"
                      for a in mine for b in theirs
                      if a.day == b.day and _overlap(a.start, a.end, b.start, b.end)})
    if not clashes:
        return []
    more = f" en nog {len(clashes) - DATES_NAMED}" if len(clashes) > DATES_NAMED else ""
    return [rule.finding(f"Geregistreerd op hetzelfde moment: {'; '.join(clashes[:DATES_NAMED])}"
                         f"{more}.", "ProductPeriode")]


def _whole_number(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def _fixed_hours(rule: RegistrationRule, line: _Line, _region_rules) -> list[Finding]:
    """Flexibility "geen": per ISO week at most the fixed hours. Where time is registered, the
    weeks whose registered time goes over them; else the declared total over the weeks touched."""
    attributes = line.toewijzing.attributes or {}
    hours = _whole_number(attributes.get(rule.params["hours_field"]))
    if attributes.get(rule.params["field"]) != rule.params["value"] or hours is None:
        return []
    others = line.same_toewijzing()
    days = line.days(others)
    total, also = _declared(line, others)
    declared = _minutes(line, total)
    if declared is None:
        return []
    cap = hours * 60
    weeks = iso_weeks(min(days), max(days))
    per_day = _time_per_day(line.entries, days)
    if not per_day:
        allowed = cap * len(weeks)
        if declared <= allowed:
            return []
        return [rule.finding(
            f"{_span(days)} is {declared} minuten gedeclareerd{also}; vast {hours} uur per week "
            f"over {len(weeks)} week/weken is hoogstens {allowed} minuten.")]
    count = set(rule.params.get("count", ACTIVITY_NAMES))
    per_week: dict[tuple[int, int], int] = defaultdict(int)
    for day, minutes in per_day.items():
        per_week[day.isocalendar()[:2]] += sum(v for a, v in minutes.items() if a in count)
    over = {week: minutes for week, minutes in per_week.items() if minutes > cap}
    allowed = sum(min(cap, minutes) for minutes in per_week.values())
    if not over or declared <= allowed:
        return []
    weeks_text = ", ".join(f"{week_label(week)} {minutes} min"
                           for week, minutes in sorted(over.items()))
    return [rule.finding(
        f"{_span(days)} is {declared} minuten gedeclareerd{also}; vast {hours} uur ({cap} min) per "
        f"week, geregistreerd meer in {weeks_text}. Declarabel hoogstens {allowed} minuten: "
        f"{declared - allowed} minuten te veel.")]


def _contact_gap(rule: RegistrationRule, line: _Line, _region_rules) -> list[Finding]:
    """Waakvlam: at least one contact (direct time, or an attendance "aanwezig") per ``months``
    months, counted back from the line's last day."""
    attributes = line.toewijzing.attributes or {}
    if attributes.get(rule.params["field"]) != rule.params["value"] or not line.entries:
        return []
    window_start = add_months(line.end, -rule.params["months"]) + timedelta(days=1)
    if line.toewijzing.start > window_start:
        return []  # the toewijzing is younger than the period a contact must fall in
    contacts = sorted(e.day for e in line.entries
                      if (e.kind == TIME and e.activity == DIRECT)
                      or (e.kind == ATTENDANCE and e.attendance == PRESENT))
    if any(window_start <= day <= line.end for day in contacts):
        return []
    before = [day for day in contacts if day < window_start]
    last = f" Laatste geregistreerde contact: {before[-1]}." if before else ""
    return [rule.finding(f"Van {window_start} t/m {line.end} is geen contact geregistreerd."
                         f"{last}", "ProductPeriode")]


def _nearest_band(rule: RegistrationRule, line: _Line, region_rules) -> list[Finding]:
    """A staffel code at most the band of the nearest suitable location's distance."""
    code = line.values.get("product_code")
    km = _whole_number((line.toewijzing.attributes or {}).get(rule.params["field"]))
    series = next((list(s) for s in rule.params["series"] if code in s), None)
    if km is None or series is None:
        return []
    bands = band_ranges(region_rules, rule.params["bands"])
    band = next((c for c in series if c in bands and bands[c][0] <= km < bands[c][1]), None)
    if band is None or series.index(code) <= series.index(band):
        return []
    low, below = bands[band]
    return [rule.finding(
        f"De dichtstbijzijnde passende locatie ligt op {km} km (staffel {band}, {low} tot {below} "
        f"km); gedeclareerd is {code}. De gemeente betaalt hoogstens {band}; meerkosten spreekt "
        f"u met de cliënt af.", "ProductCode")]


def band_ranges(region_rules: Iterable[DataRule], rule_id: str) -> dict[str, tuple[int, int]]:
    """Per staffel code its [min, below) in km, from the region's attribute_range rules."""
    return {product: (rule.params.get("min", 0), rule.params.get("below", 10 ** 6))
            for rule in region_rules if rule.id == rule_id and rule.kind == "attribute_range"
            for product in rule.products}


def nearest_band_of(rule: RegistrationRule, toewijzing: ToewijzingFacts | None, code: str | None,
                    region_rules: Iterable[DataRule]) -> str | None:
    """The band of the nearest suitable location for the series ``code`` is in, if recorded."""
    if toewijzing is None or rule.kind != "nearest_band":
        return None
    km = _whole_number((toewijzing.attributes or {}).get(rule.params["field"]))
    series = next((list(s) for s in rule.params["series"] if code in s), None)
    if km is None or series is None:
        return None
    bands = band_ranges(region_rules, rule.params["bands"])
    return next((c for c in series if c in bands and bands[c][0] <= km < bands[c][1]), None)


_KINDS = {
    "time_activities": _time_activities,
    "no_show": _no_show,
    "attended": _attended,
    "used_that_day": _used_that_day,
    "not_same_time": _not_same_time,
    "fixed_hours": _fixed_hours,
    "contact_gap": _contact_gap,
    "nearest_band": _nearest_band,
}


def first_day_loaded(first_line_day: date) -> date:
    """The first day whose registrations the check loads for a file starting on that day."""
    return add_months(first_line_day, -LOOKBACK_MONTHS)
