"""The Prestaties of a WMO323 as the checks need them: typed values, place in the file, client.

The lines come from the same record reader the validation uses, so every line has the element
path the validation's findings and the WMO325 answer use
(``/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[1]``). An upload collects them
while it is validated (:class:`Collector`, handed to portal.iwmo.validate.validate_bytes), with
the mapping the validation made for the region's checks: reading a file of 100,000 prestaties a
second time took seconds. :func:`read_declaration` reads a file that passed its schema on its own.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.iwmo.answer import client_and_line
from portal.iwmo.records import LAYOUTS, Record, RecordStream
from portal.iwmo.recognise import message_namespace
from portal.iwmo.region_checks import declaration_line
from portal.iwmo.values import as_date


@dataclass(slots=True)
class Prestatie:
    """One Prestatie of the file. ``values`` is the declaration-line mapping the region hook gets
    (keys in portal/iwmo/region_checks.py)."""

    client: int  # Client number in the file, from 1
    number: int  # Prestatie number within its Client, from 1
    path: str  # element path of the Prestatie
    values: dict[str, Any]

    @property
    def bsn(self) -> str:
        return self.values["bsn"]

    @property
    def reference(self) -> str:
        return self.values["reference"]

    @property
    def previous_reference(self) -> str | None:
        return self.values["previous_reference"]

    @property
    def toewijzing_nummer(self) -> int | None:
        return self.values["toewijzing_nummer"]

    @property
    def category(self) -> str:
        return self.values["product_category"]

    @property
    def code(self) -> str:
        return self.values["product_code"]

    @property
    def begin(self) -> date | None:
        return self.values["start"]

    @property
    def end(self) -> date | None:
        return self.values["end"]

    @property
    def volume(self) -> int:
        return self.values["volume"] or 0

    @property
    def unit(self) -> str:
        return self.values["unit"]

    @property
    def tariff_cents(self) -> int | None:
        return self.values["tariff_cents"]

    @property
    def amount_cents(self) -> int:
        return self.values["amount_cents"] or 0

    @property
    def credit(self) -> bool:
        return self.values["debit_credit"] == "C"

    @property
    def line(self) -> int | None:
        return self.values["line"]

    @property
    def product(self) -> str:
        return f"{self.category}/{self.code}"

    @property
    def period(self) -> str:
        return f"{_day(self.begin)} t/m {_day(self.end)}"


@dataclass
class Declaration:
    month: date | None  # first day of the DeclaratiePeriode
    prestaties: list[Prestatie]


class Collector:
    """Builds the :class:`Declaration` from the records of one pass over a WMO323 (a
    portal.iwmo.validate ``Collect``): the Declaratie's period, and each Prestatie with its
    declaration-line mapping."""

    def __init__(self) -> None:
        self.month: date | None = None
        self.prestaties: list[Prestatie] = []
        self._client = 1  # the number of the Client the next Prestaties are in

    def __call__(self, record: Record, line: dict | None) -> None:
        if line is not None:  # a Prestatie of a WMO323, in the Client handed out before it
            path = record.path  # .../Client[2]/Prestaties/Prestatie[1]: the number at its end
            before, bracket, number = path.rpartition("/Prestatie[")
            self.prestaties.append(Prestatie(self._client, int(number[:-1]) if bracket else 1,
                                             path, line))
        elif record.kind == "Client":
            self._client = client_and_line(record.path)[0] or 1
        elif record.kind == "Declaratie":
            begin = as_date(record.text("DeclaratiePeriode/Begindatum"))
            self.month = begin.replace(day=1) if begin is not None else None

    def declaration(self) -> Declaration:
        return Declaration(self.month, self.prestaties)


def read_declaration(data: bytes) -> Declaration:
    """Every Prestatie of a schema-valid WMO323, in file order."""
    collector = Collector()
    client = None
    stream = RecordStream(io.BytesIO(data), LAYOUTS["WMO323"], message_namespace("WMO323"))
    for record in stream:
        if record.kind == "Client":
            client = record
        collector(record, declaration_line(record, client) if record.kind == "Prestatie"
                  else None)
    return collector.declaration()


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else "?"
