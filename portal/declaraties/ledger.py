"""What a declaration is checked against, loaded in a fixed number of queries per file.

1. the toewijzingen of the gemeente for this aanbieder, with their clients, **locked** (SELECT ...
   FOR UPDATE on PostgreSQL; SQLite serialises writers anyway): two declarations on the same
   toewijzing are checked one after the other, so they cannot both take the last minutes;
2. the active toewijzingen of other aanbieders for the same clients at the gemeente (for region
   rules about combinations, e.g. vervoer only beside dagbesteding);
3. the granted lines of earlier declarations to the gemeente for these clients (volume used,
   debets that credits name, lines per client and day);
4. the ReferentieNummers the aanbieder used in earlier declarations (TR314).

The granted lines are read after the lock is taken, so they include what a declaration that held
the lock before has just committed. Nothing is loaded per line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.berichten.models import Upload
from portal.clients.models import Client
from portal.declaraties.models import GRANTED, DeclarationLine
from portal.extensions import db
from portal.toewijzingen.models import Toewijzing


@dataclass(frozen=True, slots=True)
class Assigned:
    """A toewijzing as the checks read it."""

    id: int
    nummer: int
    aanbieder_id: int
    aanbieder_code: str
    client_id: int
    bsn: str
    birth_date: date | None
    category: str
    code: str | None
    key: str | None
    volume: int | None
    unit: str | None
    frequency: str | None
    start: date
    end: date | None
    status: str
    attributes: dict


@dataclass(frozen=True, slots=True)
class Booked:
    """A granted line of an earlier declaration."""

    aanbieder_id: int
    toewijzing_id: int | None
    product_key: str | None
    bsn: str
    reference: str
    previous_reference: str | None
    toewijzing_nummer: int | None
    category: str
    code: str
    begin: date | None
    end: date | None
    volume: int
    unit: str
    amount_cents: int
    credit: bool


@dataclass
class Ledger:
    own: dict[int, Assigned]  # the aanbieder's toewijzingen at the gemeente, by ToewijzingNummer
    by_client: dict[int, list[Assigned]]  # active toewijzingen per client, any aanbieder
    booked: list[Booked]
    references: dict[str, str] = field(default_factory=dict)  # used before → where (Dutch)

    def __post_init__(self) -> None:
        self._by_id = {toewijzing.id: toewijzing for toewijzing in self.own.values()}

    def by_id(self, toewijzing_id: int | None) -> Assigned | None:
        return self._by_id.get(toewijzing_id)


_COLUMNS = (Toewijzing.id, Toewijzing.toewijzing_nummer, Toewijzing.aanbieder_id,
            Organisation.code, Toewijzing.client_id, Client.bsn, Client.geboortedatum,
            Toewijzing.product_category, Toewijzing.product_code, Toewijzing.product_key,
            Toewijzing.volume, Toewijzing.eenheid, Toewijzing.frequentie, Toewijzing.ingangsdatum,
            Toewijzing.einddatum, Toewijzing.status, Toewijzing.attributes)


def _assigned(row) -> Assigned:
    return Assigned(*row[:-1], attributes=dict(row[-1] or {}))


def load_ledger(gemeente_id: int, aanbieder_id: int) -> Ledger:
    own_clients = select(Toewijzing.client_id).where(Toewijzing.gemeente_id == gemeente_id,
                                                     Toewijzing.aanbieder_id == aanbieder_id)
    own_rows = db.session.execute(
        select(*_COLUMNS).join(Client, Toewijzing.client_id == Client.id)
        .join(Organisation, Toewijzing.aanbieder_id == Organisation.id)
        .where(Toewijzing.gemeente_id == gemeente_id, Toewijzing.aanbieder_id == aanbieder_id)
        .order_by(Toewijzing.id)
        .with_for_update(of=Toewijzing)).all()
    own = {row.toewijzing_nummer: _assigned(row) for row in own_rows}

    other_rows = db.session.execute(
        select(*_COLUMNS).join(Client, Toewijzing.client_id == Client.id)
        .join(Organisation, Toewijzing.aanbieder_id == Organisation.id)
        .where(Toewijzing.gemeente_id == gemeente_id, Toewijzing.aanbieder_id != aanbieder_id,
               Toewijzing.status == "actief", Toewijzing.client_id.in_(own_clients))).all()
    by_client: dict[int, list[Assigned]] = {}
    for assigned in list(own.values()) + [_assigned(row) for row in other_rows]:
        if assigned.status == "actief":
            by_client.setdefault(assigned.client_id, []).append(assigned)

    own_bsns = select(Client.bsn).join(Toewijzing, Toewijzing.client_id == Client.id).where(
        Toewijzing.gemeente_id == gemeente_id, Toewijzing.aanbieder_id == aanbieder_id)
    line = DeclarationLine
    booked = [Booked(row.aanbieder_id, row.toewijzing_id, row.product_key, row.client_bsn,
                     row.reference, row.previous_reference, row.toewijzing_nummer, row.category,
                     row.code, row.begin, row.end, row.volume, row.unit, row.amount_cents,
                     row.debit_credit == "C")
              for row in db.session.execute(
                  select(line.aanbieder_id, line.toewijzing_id, Toewijzing.product_key,
                         line.client_bsn, line.reference, line.previous_reference,
                         line.toewijzing_nummer, line.category, line.code, line.begin, line.end,
                         line.volume, line.unit, line.amount_cents, line.debit_credit)
                  .outerjoin(Toewijzing, line.toewijzing_id == Toewijzing.id)
                  .where(line.gemeente_id == gemeente_id, line.outcome == GRANTED,
                         line.client_bsn.in_(own_bsns))
                  .order_by(line.id))]

    references: dict[str, str] = {}
    for reference, nummer, uploaded_at in db.session.execute(
            select(line.reference, Upload.declaratie_nummer, Upload.uploaded_at)
            .join(Upload, line.upload_id == Upload.id)
            .where(line.aanbieder_id == aanbieder_id).order_by(line.id)):
        references.setdefault(reference, f"declaratie {nummer} van {uploaded_at:%d-%m-%Y}")
    return Ledger(own, by_client, booked, references)
