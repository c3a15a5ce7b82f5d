"""The delivery registration (uitvoeringsregistratie): what an aanbieder records per toewijzing and
day, so that the region rules that need it can check declarations (portal.declaraties
.registration_rules; regions/DECLARATION_RULES.md).

- :func:`load_for_check`: a declaration's registrations in one query (never one per line);
- :class:`EntryInput` and :func:`save_entry` / :func:`delete_entry`: adding, correcting and
  deleting one entry, checked first, with a Dutch message per field (the screens in
  ``registration_routes.py`` and the CSV import use them);
- :func:`hours_report`: per client the hours direct, indirect and travel and the number of
  no-shows over a period (a report a region may ask for), for the screen and its CSV.

Who may change what is decided in the routes: an aanbieder only the entries of its own
toewijzingen. Every change is written to the audit log by the recorder (portal.audit), as any row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import or_, select

from portal.clients.models import Client
from portal.declaraties.models import (
    ACTIVITIES,
    ATTENDANCES,
    MINUTES_PER_DAY,
    DeliveryEntry,
)
from portal.declaraties.registration_rules import (
    ATTENDANCE,
    DIRECT,
    INDIRECT,
    NO_SHOW,
    TIME,
    TRAVEL,
    Registered,
    first_day_loaded,
)
from portal.extensions import db, utcnow
from portal.toewijzingen.models import Toewijzing


# -- for the declaration check -------------------------------------------------------------------

@dataclass
class Registrations:
    """A declaration's registrations, grouped in memory: per toewijzing and per client."""

    by_toewijzing: dict[int, tuple[Registered, ...]]
    by_client: dict[int, tuple[Registered, ...]]


def load_for_check(gemeente_id: int, aanbieder_id: int, first: date | None,
                   last: date | None) -> Registrations:
    """The entries of the aanbieder's toewijzingen at the gemeente, and of the other toewijzingen
    of the same clients there, from :data:`LOOKBACK_MONTHS` months before ``first`` to ``last``:
    one query."""
    if first is None or last is None:
        return Registrations({}, {})
    own_clients = select(Toewijzing.client_id).where(Toewijzing.gemeente_id == gemeente_id,
                                                     Toewijzing.aanbieder_id == aanbieder_id)
    entry = DeliveryEntry
    rows = db.session.execute(
        select(entry.toewijzing_id, Toewijzing.client_id, Toewijzing.product_key, entry.day,
               entry.kind, entry.attendance, entry.activity, entry.minutes, entry.start_time,
               entry.end_time)
        .join(Toewijzing, entry.toewijzing_id == Toewijzing.id)
        .where(Toewijzing.gemeente_id == gemeente_id,
               or_(Toewijzing.aanbieder_id == aanbieder_id,
                   Toewijzing.client_id.in_(own_clients)),
               entry.day >= first_day_loaded(first), entry.day <= last)
        .order_by(entry.day, entry.id))
    by_toewijzing: dict[int, list[Registered]] = defaultdict(list)
    by_client: dict[int, list[Registered]] = defaultdict(list)
    for row in rows:
        registered = Registered(row.toewijzing_id, row.product_key, row.day, row.kind,
                                row.attendance, row.activity, row.minutes, row.start_time,
                                row.end_time)
        by_toewijzing[row.toewijzing_id].append(registered)
        by_client[row.client_id].append(registered)
    return Registrations({k: tuple(v) for k, v in by_toewijzing.items()},
                         {k: tuple(v) for k, v in by_client.items()})


# -- one entry -----------------------------------------------------------------------------------

class InvalidEntry(ValueError):
    """Field name -> Dutch message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class EntryInput:
    """An entry as typed in a form or read from a CSV row (all text, checked by :meth:`checked`)."""

    day: str
    kind: str
    attendance: str = ""
    activity: str = ""
    minutes: str = ""
    start_time: str = ""
    end_time: str = ""

    def checked(self, toewijzing: Toewijzing, today: date) -> dict:
        """The values to store, or InvalidEntry with a Dutch message per field."""
        errors: dict[str, str] = {}
        values: dict = {"kind": self.kind.strip().lower()}
        day = _day(self.day.strip())
        if day is None:
            errors["day"] = "Vul een datum in als JJJJ-MM-DD of DD-MM-JJJJ, bijvoorbeeld 2026-10-05."
        elif day > today:
            errors["day"] = f"{day:%d-%m-%Y} ligt in de toekomst; registreer wat geleverd is."
        elif day < toewijzing.ingangsdatum or (toewijzing.einddatum is not None
                                               and day > toewijzing.einddatum):
            end = f"{toewijzing.einddatum:%d-%m-%Y}" if toewijzing.einddatum else "open"
            errors["day"] = (f"{day:%d-%m-%Y} valt buiten de toewijzing "
                             f"({toewijzing.ingangsdatum:%d-%m-%Y} t/m {end}).")
        values["day"] = day
        start, end = _time(self.start_time.strip()), _time(self.end_time.strip())
        if self.start_time.strip() and start is None:
            errors["start_time"] = "Schrijf de begintijd als UU:MM, bijvoorbeeld 09:30."
        if self.end_time.strip() and end is None:
            errors["end_time"] = "Schrijf de eindtijd als UU:MM, bijvoorbeeld 12:30."
        if (start is None) != (end is None) and "start_time" not in errors \
                and "end_time" not in errors:
            errors["end_time"] = "Vul begin- én eindtijd in, of geen van beide."
        elif start is not None and end is not None and start >= end:
            errors["end_time"] = "De eindtijd ligt niet na de begintijd (een registratie gaat " \
                                 "niet over middernacht; splits haar per dag)."
        values["start_time"], values["end_time"] = start, end
        if values["kind"] == ATTENDANCE:
            attendance = self.attendance.strip().lower().replace("-", "_")
            if attendance not in ATTENDANCES:
                errors["attendance"] = "Kies aanwezig, afwezig of no-show."
            if self.activity.strip() or self.minutes.strip():
                errors["minutes"] = "Een aanwezigheid heeft geen activiteit of minuten; " \
                                    "registreer tijd als aparte regel."
            values.update(attendance=attendance, activity=None, minutes=None)
        elif values["kind"] == TIME:
            activity = self.activity.strip().lower()
            if activity not in ACTIVITIES:
                errors["activity"] = "Kies direct, indirect of reistijd."
            minutes = _minutes(self.minutes.strip(), start, end)
            if minutes is None:
                errors["minutes"] = (f"Vul het aantal minuten in, een geheel getal van 1 tot en "
                                     f"met {MINUTES_PER_DAY} (of alleen begin- en eindtijd).")
            elif start is not None and end is not None and minutes > _span(start, end):
                errors["minutes"] = (f"{minutes} minuten passen niet tussen {start:%H:%M} en "
                                     f"{end:%H:%M} ({_span(start, end)} minuten).")
            if self.attendance.strip():
                errors["attendance"] = "Tijd heeft geen aanwezigheid; registreer die als " \
                                       "aparte regel."
            values.update(attendance=None, activity=activity, minutes=minutes)
        else:
            errors["kind"] = "Kies aanwezigheid of tijd."
        if errors:
            raise InvalidEntry(errors)
        return values


def _day(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _time(text: str) -> time | None:
    try:
        return datetime.strptime(text, "%H:%M").time() if text else None
    except ValueError:
        return None


def _span(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _minutes(text: str, start: time | None, end: time | None) -> int | None:
    if not text:
        return _span(start, end) if start is not None and end is not None and start < end \
            else None
    if not text.isdigit() or not 1 <= int(text) <= MINUTES_PER_DAY:
        return None
    return int(text)


def save_entry(toewijzing: Toewijzing, data: EntryInput, user_id: int | None, today: date,
               entry: DeliveryEntry | None = None, flush: bool = True) -> DeliveryEntry:
    """Add an entry (``entry`` None) or correct ``entry``; the caller commits (an import of many
    rows flushes once, at the end)."""
    values = data.checked(toewijzing, today)
    if entry is None:
        entry = DeliveryEntry(toewijzing_id=toewijzing.id)
        db.session.add(entry)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.recorded_by_id = user_id
    entry.updated_at = utcnow()
    if flush:
        db.session.flush()
    return entry


def delete_entry(entry: DeliveryEntry) -> None:
    db.session.delete(entry)
    db.session.flush()


def entries_of(toewijzing_id: int) -> list[DeliveryEntry]:
    return list(db.session.scalars(select(DeliveryEntry)
                                   .where(DeliveryEntry.toewijzing_id == toewijzing_id)
                                   .order_by(DeliveryEntry.day.desc(), DeliveryEntry.id.desc())))


# -- the hours report ---------------------------------------------------------------------------

@dataclass
class ReportRow:
    client: Client
    toewijzingen: set[int]
    direct: int = 0
    indirect: int = 0
    travel: int = 0
    no_shows: int = 0


def hours_report(toewijzingen, first: date, last: date) -> list[ReportRow]:
    """Per client of ``toewijzingen`` (a select of Toewijzing the user may see): minutes direct,
    indirect and travel, and the number of no-shows, registered from ``first`` to ``last``.
    One query."""
    visible = toewijzingen.subquery()
    rows = db.session.execute(
        select(DeliveryEntry, Toewijzing, Client)
        .join(Toewijzing, DeliveryEntry.toewijzing_id == Toewijzing.id)
        .join(Client, Toewijzing.client_id == Client.id)
        .where(Toewijzing.id.in_(select(visible.c.id)),
               DeliveryEntry.day >= first, DeliveryEntry.day <= last)
        .order_by(Client.achternaam, Client.id)).all()
    per_client: dict[int, ReportRow] = {}
    for entry, toewijzing, client in rows:
        row = per_client.setdefault(client.id, ReportRow(client, set()))
        row.toewijzingen.add(toewijzing.toewijzing_nummer)
        if entry.kind == TIME:
            if entry.activity == DIRECT:
                row.direct += entry.minutes or 0
            elif entry.activity == INDIRECT:
                row.indirect += entry.minutes or 0
            elif entry.activity == TRAVEL:
                row.travel += entry.minutes or 0
        elif entry.attendance == NO_SHOW:
            row.no_shows += 1
    return list(per_client.values())

