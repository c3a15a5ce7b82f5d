"""Nothing lost when processing an upload fails: the bytes are committed first, a database error in
the middle leaves no half state (no message registered, no answer, no declaration lines), the
upload is shown as "niet verwerkt", and its organisation can have it processed again, once."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import undefer

from portal.berichten import services as berichten_services
from portal.berichten.models import Upload
from portal.declaraties.models import DeclarationLine
from portal.extensions import db
from portal.iwmo.models import IwmoMessage
from tests.conftest import csrf_token_from
from tests.test_berichten_upload import (  # noqa: F401  (declarable: a fixture)
    as_user, declarable, good_declaration, upload, upload_id)


def _database_error(*_args, **_kwargs):
    raise OperationalError("INSERT INTO declaration_line ...", {}, Exception("server closed "
                                                                             "the connection"))


@pytest.fixture
def broken_check(monkeypatch):
    """The declaration check fails half-way, after the message was registered."""
    monkeypatch.setattr(berichten_services, "check_declaration", _database_error)
    return monkeypatch


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _stored(app, number: int) -> Upload:
    with app.app_context():
        stored = db.session.get(Upload, number, options=[undefer(Upload.answer)])
        db.session.expunge(stored)
        return stored


def _switch_to(client, who: str) -> None:
    client.post("/uitloggen", data={"csrf_token": csrf_token_from(client.get("/").text)})
    as_user(client, who)


def _process_again(client, number: int):
    page = client.get(f"/berichten/{number}")
    return client.post(f"/berichten/{number}/verwerken",
                       data={"csrf_token": csrf_token_from(page.text)}, follow_redirects=True)


def test_a_database_error_while_processing_keeps_the_bytes_and_nothing_else(client, app,
                                                                            declarable,
                                                                            broken_check):
    as_user(client, "aanbieder_a")
    data = good_declaration()
    response = upload(client, data)
    assert response.status_code == 200
    assert "Niet verwerkt." in response.text
    assert "Opnieuw verwerken" in response.text
    number = upload_id(response)
    stored = _stored(app, number)
    assert stored.status == "ontvangen"
    with app.app_context():
        assert db.session.scalar(select(Upload.content).where(Upload.id == number)) == data
    # Nothing of the processing stayed: no registered message, no answer, no lines.
    assert stored.answer is None and stored.message_id is None and stored.findings == []
    assert _count(app, IwmoMessage) == 0
    assert _count(app, DeclarationLine) == 0
    # The original can be downloaded all the same.
    assert client.get(f"/berichten/{number}/origineel").data == data


def test_an_upload_not_processed_is_processed_again_once(client, app, declarable, broken_check):
    as_user(client, "aanbieder_a")
    number = upload_id(upload(client, good_declaration()))
    broken_check.undo()  # the database is back

    response = _process_again(client, number)
    assert "Het bestand is verwerkt." in response.text
    assert "Geldig." in response.text
    assert _stored(app, number).status == "geldig"
    assert _count(app, DeclarationLine) == 3
    assert client.get(f"/berichten/{number}/antwoord").status_code == 200

    again = _process_again(client, number)  # a second click (or a second tab)
    assert "al verwerkt" in again.text
    assert _count(app, DeclarationLine) == 3
    assert _count(app, IwmoMessage) == 1


def test_processing_that_fails_again_says_so_and_keeps_the_upload(client, app, declarable,
                                                                  broken_check):
    as_user(client, "aanbieder_a")
    number = upload_id(upload(client, good_declaration()))
    response = _process_again(client, number)
    assert "opnieuw mislukt" in response.text
    assert _stored(app, number).status == "ontvangen"
    assert _count(app, DeclarationLine) == 0


def test_only_the_uploaders_organisation_or_beheer_may_process_again(client, app, declarable,
                                                                     broken_check):
    as_user(client, "aanbieder_a")
    number = upload_id(upload(client, good_declaration()))
    broken_check.undo()

    _switch_to(client, "apeldoorn")  # the receiver sees the upload, but it is not its file
    assert "Opnieuw verwerken" not in client.get(f"/berichten/{number}").text
    own_token = csrf_token_from(client.get("/").text)
    refused = client.post(f"/berichten/{number}/verwerken", data={"csrf_token": own_token})
    assert refused.status_code == 404
    _switch_to(client, "aanbieder_b")
    assert client.get(f"/berichten/{number}").status_code == 404
    assert _stored(app, number).status == "ontvangen"

    _switch_to(client, "beheer")
    assert "Het bestand is verwerkt." in _process_again(client, number).text
    assert _stored(app, number).status == "geldig"


def test_a_zip_whose_processing_fails_keeps_the_zip_and_no_entries(client, app, declarable,
                                                                   broken_check):
    as_user(client, "aanbieder_a")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("oktober.xml", good_declaration())
    response = upload(client, archive.getvalue(), "maand.zip")
    number = upload_id(response)
    assert _stored(app, number).status == "ontvangen"
    assert _count(app, Upload) == 1  # the ZIP; its message is stored when it is processed
    broken_check.undo()
    response = _process_again(client, number)
    assert "oktober.xml" in response.text
    assert _count(app, Upload) == 2
    assert _count(app, DeclarationLine) == 3
