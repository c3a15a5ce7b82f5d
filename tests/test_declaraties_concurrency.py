"""Two declarations on the same toewijzing handed in at the same moment are checked one after the
other: they cannot both take the last minutes (the toewijzing rows are locked before the volume is
counted, SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers). Runs on both databases."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import select

from portal.accounts.models import User
from portal.berichten.services import Settings, receive
from portal.declaraties.models import DeclarationLine
from portal.extensions import db
from portal.regions import registry
from tests.factories import BSN_A
from tests.iwmo_messages import Client, Line, wmo323
from tests.test_declaraties_matching import set_region_tariff


def hand_in_together(app, world, files: list[bytes]) -> None:
    settings = Settings(max_bytes=25 * 1024 * 1024, today=date(2026, 11, 23))
    barrier = threading.Barrier(len(files))
    failures: list[BaseException] = []

    def hand_in(data: bytes) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, world.users["aanbieder_a"])
                barrier.wait()
                receive(registry(), user, "oktober.xml", data, settings)
                db.session.commit()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=hand_in, args=(data,)) for data in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures


def declaration(number: int, volume: int, begin: str, end: str) -> bytes:
    return wmo323([Client(BSN_A, [Line(f"R{number}", volume=volume, begin=begin, end=end)])],
                  identificatie=f"D{number}", nummer=f"DEC{number}")


def outcomes(app) -> dict[str, tuple[str, list[str]]]:
    with app.app_context():
        return {line.reference: (line.outcome, line.retourcodes)
                for line in db.session.scalars(select(DeclarationLine))}


def test_two_declarations_cannot_both_take_the_last_minutes(app, world):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    # Toewijzing 1001 has 40 uur = 2400 minutes; each declaration asks 1500.
    hand_in_together(app, world, [declaration(1, 1500, "2026-10-01", "2026-10-15"),
                                  declaration(2, 1500, "2026-10-16", "2026-10-31")])
    result = outcomes(app)
    assert sorted(outcome for outcome, _codes in result.values()) == ["afgewezen", "toegekend"]
    refused = next(codes for outcome, codes in result.values() if outcome == "afgewezen")
    assert refused == ["9322"]


def test_two_declarations_that_fit_together_are_both_granted(app, world):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    hand_in_together(app, world, [declaration(1, 1000, "2026-10-01", "2026-10-15"),
                                  declaration(2, 1000, "2026-10-16", "2026-10-31")])
    assert [outcome for outcome, _codes in outcomes(app).values()] == ["toegekend", "toegekend"]
