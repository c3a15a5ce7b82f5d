"""The Prestaties of a WMO323 as the checks need them: typed values, place in the file, client.

The file has passed its schema before it gets here. It is read once more, streamed, with the same
record reader the validation uses, so every line has the element path the validation's findings
and the WMO325 answer use (``/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[1]``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.iwmo.answer import client_and_line
from portal.iwmo.records import LAYOUTS, RecordStream
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


def read_declaration(data: bytes) -> Declaration:
    """Every Prestatie of a schema-valid WMO323, in file order."""
    month = None
    prestaties: list[Prestatie] = []
    client = None
    stream = RecordStream(io.BytesIO(data), LAYOUTS["WMO323"], message_namespace("WMO323"))
    for record in stream:
        if record.kind == "Declaratie":
            begin = as_date(record.text("DeclaratiePeriode/Begindatum"))
            month = begin.replace(day=1) if begin is not None else None
        elif record.kind == "Client":
            client = record
        elif record.kind == "Prestatie":
            path = record.path
            client_number, number = client_and_line(path)
            prestaties.append(Prestatie(client_number or 1, number or 1, path,
                                        declaration_line(record, client)))
    return Declaration(month, prestaties)


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else "?"
