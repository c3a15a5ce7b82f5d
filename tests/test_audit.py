"""The audit log: who viewed or changed what, from where, written with the change itself, and never
a copy of citizens' data or secrets."""

import json

from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.audit.models import AuditLog
from portal.clients.models import Client
from portal.extensions import db
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import create_toewijzing
from tests.factories import toewijzing_form_data
from tests.conftest import login, submit
from tests.factories import BSN_A, BSN_B, PASSWORD, toewijzing_input

NEW_BSN = "999900043"


def audit_rows(app, **where) -> list[dict]:
    """Audit rows matching column=value filters, oldest first, as plain dicts."""
    with app.app_context():
        query = select(AuditLog).order_by(AuditLog.id)
        for column, value in where.items():
            query = query.where(getattr(AuditLog, column) == value)
        return [{column.key: getattr(row, column.key) for column in AuditLog.__table__.columns}
                for row in db.session.scalars(query)]


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditLog.id))) or 0


def rows_after(app, audit_id: int, **where) -> list[dict]:
    return [row for row in audit_rows(app, **where) if row["id"] > audit_id]


def logged_in(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def toewijzing_form(world, **changes) -> dict:
    return toewijzing_form_data(world.provider_a, **{
        "bsn": NEW_BSN, "toewijzing_nummer": "1003", "product_key": "02A16", **changes})


def post_toewijzing(client, world, **changes):
    return submit(client, f"/beheer/toewijzingen/nieuw?gemeente={world.apeldoorn}",
                  toewijzing_form(world, **changes))


# -- views -----------------------------------------------------------------------------------------

def test_viewing_a_client_is_logged_with_who_and_from_where(app, world):
    client = logged_in(app, "a@aanbieder.test")
    start = last_audit_id(app)

    assert client.get(f"/clienten/{world.client_a}").status_code == 200

    views = rows_after(app, start, action="view")
    assert len(views) == 1
    view = views[0]
    assert (view["object_type"], view["object_id"]) == ("client", str(world.client_a))
    assert view["actor"] == "a@aanbieder.test"
    assert view["user_id"] == world.users["aanbieder_a"]
    assert view["organisation_id"] == world.provider_a
    assert view["remote_addr"] == "127.0.0.1"
    assert view["at"] is not None


def test_every_view_is_logged_again(app, world):
    client = logged_in(app, "beheer@portal.test")
    start = last_audit_id(app)
    client.get(f"/clienten/{world.client_a}")
    client.get(f"/clienten/{world.client_b}")
    client.get(f"/clienten/{world.client_a}")
    views = rows_after(app, start, action="view", object_type="client")
    assert [row["object_id"] for row in views] == [str(world.client_a), str(world.client_b),
                                                   str(world.client_a)]
    assert {row["actor"] for row in views} == {"beheer@portal.test"}


def test_a_refused_view_of_another_tenants_client_is_not_logged_as_a_view(app, world):
    client = logged_in(app, "a@aanbieder.test")
    start = last_audit_id(app)
    assert client.get(f"/clienten/{world.client_b}").status_code == 404
    assert rows_after(app, start, action="view") == []


# -- changes ---------------------------------------------------------------------------------------

def test_creating_a_toewijzing_logs_the_toewijzing_and_the_new_client(app, world):
    beheer = logged_in(app, "beheer@portal.test")
    start = last_audit_id(app)

    assert post_toewijzing(beheer, world).status_code == 302

    creates = rows_after(app, start, action="create")
    assert sorted(row["object_type"] for row in creates) == ["client", "toewijzing"]
    for row in creates:
        assert row["actor"] == "beheer@portal.test"
        assert row["user_id"] == world.users["beheer"]
        assert row["organisation_id"] is None
        assert row["remote_addr"] == "127.0.0.1"


def test_create_rows_name_the_created_objects(app, world):
    beheer = logged_in(app, "beheer@portal.test")
    start = last_audit_id(app)
    assert post_toewijzing(beheer, world).status_code == 302

    with app.app_context():
        client = db.session.scalar(select(Client).where(Client.bsn == NEW_BSN))
        toewijzing = db.session.scalar(select(Toewijzing).where(Toewijzing.client_id == client.id))
        client_id, toewijzing_id = client.id, toewijzing.id
    creates = rows_after(app, start, action="create")
    assert {(row["object_type"], row["object_id"]) for row in creates} == {
        ("client", str(client_id)), ("toewijzing", str(toewijzing_id))}


def test_a_toewijzing_for_a_known_client_logs_no_client_creation(app, world):
    beheer = logged_in(app, "beheer@portal.test")
    start = last_audit_id(app)
    assert post_toewijzing(beheer, world, bsn=BSN_A).status_code == 302
    creates = rows_after(app, start, action="create")
    assert [row["object_type"] for row in creates] == ["toewijzing"]


def test_audit_rows_are_part_of_the_change_s_transaction(app, world):
    # Made and flushed, then rolled back: the audit rows go with it, as they would when a commit
    # fails. Nothing is logged that did not happen.
    start = last_audit_id(app)
    with app.app_context():
        apeldoorn = db.session.get(Organisation, world.apeldoorn)
        provider = db.session.get(Organisation, world.provider_a)
        create_toewijzing(registry(), toewijzing_input(apeldoorn, provider, NEW_BSN, "02A16", 1004))
        db.session.flush()
        pending = db.session.scalars(select(AuditLog).where(AuditLog.id > start)).all()
        assert {row.object_type for row in pending} == {"client", "toewijzing"}
        db.session.rollback()
    assert rows_after(app, start) == []


def test_a_refused_form_logs_no_creation(app, world):
    beheer = logged_in(app, "beheer@portal.test")
    start = last_audit_id(app)

    refused = [
        post_toewijzing(beheer, world, bsn="999900007"),
        post_toewijzing(beheer, world, toewijzing_nummer="1001"),
        post_toewijzing(beheer, world, einddatum="2025-12-31"),
        post_toewijzing(beheer, world, bsn=BSN_B),
        submit(beheer, "/beheer/gebruikers", {
            "email": "a@aanbieder.test", "name": "Dubbel", "role": "aanbieder",
            "organisation_id": str(world.provider_a), "password": "een-lang-wachtwoord"}),
    ]

    assert [response.status_code for response in refused] == [200] * len(refused)
    assert rows_after(app, start, action="create") == []


def test_deactivating_a_user_logs_the_field_name_and_no_values(app, world):
    beheer = logged_in(app, "beheer@portal.test")
    target = world.users["aanbieder_a"]
    start = last_audit_id(app)

    response = submit(beheer, f"/beheer/gebruikers/{target}/actief", {}, page="/beheer/gebruikers")

    assert response.status_code == 302
    updates = rows_after(app, start, action="update")
    assert len(updates) == 1
    update = updates[0]
    assert (update["object_type"], update["object_id"]) == ("user_account", str(target))
    assert update["actor"] == "beheer@portal.test"
    assert json.loads(update["detail"]) == {"velden": ["active"]}
    for value in ("true", "false", "True", "False", "0", "1"):
        assert value not in update["detail"]


def test_changing_a_password_logs_only_that_the_password_changed(app, world):
    client = logged_in(app, "a@aanbieder.test")
    start = last_audit_id(app)
    submit(client, "/account/wachtwoord", {"current_password": PASSWORD,
                                           "new_password": "paard-batterij-nietje-7",
                                           "repeat_password": "paard-batterij-nietje-7"})
    updates = rows_after(app, start, action="update", object_type="user_account")
    assert len(updates) == 1
    assert set(json.loads(updates[0]["detail"])["velden"]) == {"login_id", "password_hash"}


# -- logins ----------------------------------------------------------------------------------------

def test_failed_login_is_logged(app, world):
    start = last_audit_id(app)
    login(app.test_client(), "a@aanbieder.test", "verkeerd-wachtwoord")
    login(app.test_client(), "niemand@aanbieder.test")

    failed = rows_after(app, start, action="login_mislukt")
    assert [(row["actor"], row["object_id"]) for row in failed] == [
        ("a@aanbieder.test", str(world.users["aanbieder_a"])), ("onbekend account", None)]
    assert all(row["user_id"] is None and row["remote_addr"] == "127.0.0.1" for row in failed)
    assert rows_after(app, start, action="login") == []


def test_login_and_logout_are_logged(app, world):
    client = app.test_client()
    start = last_audit_id(app)
    login(client, "b@aanbieder.test")
    submit(client, "/uitloggen", {}, page="/")
    rows = [row for row in rows_after(app, start) if row["action"] in ("login", "logout")]
    assert [(row["action"], row["actor"]) for row in rows] == [
        ("login", "b@aanbieder.test"), ("logout", "b@aanbieder.test")]


def test_audit_log_never_holds_a_bsn_or_a_password(app, world):
    beheer = logged_in(app, "beheer@portal.test")
    post_toewijzing(beheer, world)  # a new client
    post_toewijzing(beheer, world, bsn=BSN_B, toewijzing_nummer="1005")  # refused
    beheer.get(f"/clienten/{world.client_a}")
    submit(beheer, "/beheer/gebruikers", {
        "email": "nieuw@gemeente.test", "name": "Nieuw", "role": "gemeente",
        "organisation_id": str(world.apeldoorn), "password": "een-lang-wachtwoord"})
    login(app.test_client(), "a@aanbieder.test", "verkeerd-wachtwoord")
    aanbieder = logged_in(app, "a@aanbieder.test")
    submit(aanbieder, "/account/wachtwoord", {"current_password": PASSWORD,
                                              "new_password": "paard-batterij-nietje-7",
                                              "repeat_password": "paard-batterij-nietje-7"})

    with app.app_context():
        bsns = set(db.session.scalars(select(Client.bsn)))
        hashes = set(db.session.scalars(select(User.password_hash)))
    secrets = bsns | {BSN_B} | hashes | {PASSWORD, "een-lang-wachtwoord", "paard-batterij-nietje-7",
                                         "verkeerd-wachtwoord"}
    assert NEW_BSN in bsns
    rows = audit_rows(app)
    assert len(rows) > 10
    for row in rows:
        for column, value in row.items():
            text = str(value)
            for secret in secrets:
                assert secret not in text, (column, row["action"], row["object_type"])
            assert "scrypt:" not in text, (column, row["action"])


def test_a_failed_login_never_logs_what_was_typed_as_the_address(app, world):
    # Someone types a password into the e-mail field: it must not end up in the audit log.
    start = last_audit_id(app)
    client = app.test_client()
    login(client, "geheim-wachtwoord-123", "x")
    failed = rows_after(app, start, action="login_mislukt")
    assert failed and all("geheim" not in str(value) for row in failed for value in row.values())
