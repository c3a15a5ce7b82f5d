"""The same message uploaded twice at the same moment is processed once (TR056): the unique
constraint on the message identity decides, not the timing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import select

from portal.accounts.models import User
from portal.berichten.models import Upload
from portal.berichten.services import Settings, receive
from portal.extensions import db
from portal.regions import registry
from tests.iwmo_messages import Client, Line, wmo323


def test_two_simultaneous_uploads_of_one_message_process_it_once(app, world):
    data = wmo323([Client("999900006", [Line("R1")])])
    settings = Settings(max_bytes=25 * 1024 * 1024, today=date(2026, 11, 23))
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def hand_in() -> None:
        try:
            with app.app_context():
                user = db.session.get(User, world.users["aanbieder_a"])
                barrier.wait()
                receive(registry(), user, "oktober.xml", data, settings)
                db.session.commit()
        except BaseException as error:  # reported below, with the thread's own traceback lost
            failures.append(error)

    threads = [threading.Thread(target=hand_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures

    with app.app_context():
        statuses = sorted(db.session.scalars(select(Upload.status)))
        answered = db.session.scalars(select(Upload).where(
            Upload.answer_identificatie.is_not(None))).all()
    # One was processed (its lines may be refused: that is not what this test is about), the
    # other refused as the same message.
    assert statuses.count("dubbel") == 1 and len(statuses) == 2
    assert len(answered) == 1
