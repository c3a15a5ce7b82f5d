"""What every response carries and what no response does: the browser's safety headers on every
route of the URL map and on every error page (404, 405, 413, 429, 500, CSRF); text people type
shown as text, never as markup; an uploaded file's name never used as a path on disk; a client's
page view in the audit log with who and which client."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.audit.models import AuditLog
from portal.extensions import db
from tests.conftest import login, submit
from tests.factories import toewijzing_form_data
from tests.iwmo_messages import Client, Line, wmo323
from tests.test_security_headers import assert_safety_headers
from tests.test_security_matrix import EMAIL, make_objects, url_for_rule

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


def as_user(app, role: str):
    browser = app.test_client()
    login(browser, EMAIL[role])
    return browser


# -- headers on every response -------------------------------------------------------------------

@pytest.mark.parametrize("role", ["aanbieder", "gemeente", "beheer"])
def test_every_route_answers_with_the_safety_headers(app, world, role):
    objects = make_objects(app, world)
    browser = as_user(app, role)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        response = browser.get(url_for_rule(rule, objects.own))
        assert_safety_headers(response)
        checked += 1
    assert checked > 30


@pytest.fixture
def app_config(app_config):
    # Errors answered as in production: the 500 page, not the exception, reaches the client.
    return {**app_config, "PROPAGATE_EXCEPTIONS": False, "MAX_UPLOAD_MB": 1}


def test_error_pages_carry_the_safety_headers(app, world):
    def broken():
        raise RuntimeError("kapot")

    broken.access_policy = "public"
    app.add_url_rule("/stuk", "broken", broken)
    browser = app.test_client()
    answers = {
        404: browser.get("/bestaat-niet"),
        405: browser.put("/inloggen"),
        413: browser.post("/inloggen", data={"bestand": (io.BytesIO(b"x" * 2 * 1024 * 1024),
                                                         "groot.xml")},
                          content_type="multipart/form-data"),
        500: browser.get("/stuk"),
        400: browser.post("/inloggen", data={"email": "x"}),  # no CSRF token
        401: browser.get("/api/v1/toewijzingen"),
    }
    for _ in range(5):
        submit(browser, "/inloggen", {"email": "a@aanbieder.test", "password": "fout"})
    answers[429] = submit(browser, "/inloggen", {"email": "a@aanbieder.test", "password": "x"})
    for status, response in answers.items():
        assert response.status_code == status, (status, response.status_code)
        assert_safety_headers(response)
    assert "kapot" not in answers[500].text and "Er ging iets mis" in answers[500].text


# -- typed text is shown as text -----------------------------------------------------------------

def test_markup_typed_into_free_text_fields_is_shown_as_text(app, world):
    beheer = as_user(app, "beheer")
    made = submit(beheer, "/beheer/organisaties", {
        "kind": "aanbieder", "code": "55555555", "name": f"Zorg {PAYLOAD}", "region_code": ""})
    assert made.status_code == 302
    made = submit(beheer, "/beheer/gebruikers", {
        "email": "html@aanbieder.test", "name": f"Naam {PAYLOAD}", "role": "aanbieder",
        "password": "correct-horse-9", "organisation_id": str(world.provider_a)})
    assert made.status_code == 302
    toewijzing = submit(beheer, f"/beheer/toewijzingen/nieuw?gemeente={world.apeldoorn}",
                        toewijzing_form_data(world.provider_a, achternaam=f"Dam {PAYLOAD}"[:200],
                                             voorvoegsel=""),
                        page=f"/beheer/toewijzingen/nieuw?gemeente={world.apeldoorn}")
    assert toewijzing.status_code == 302

    aanbieder = as_user(app, "aanbieder")
    sent = submit(aanbieder, "/berichten/aanleveren", {"file": (io.BytesIO(b"geen xml"),
                                                                f"{PAYLOAD}.xml")},
                  content_type="multipart/form-data")
    assert sent.status_code == 302

    pages = [beheer.get("/beheer/organisaties"), beheer.get("/beheer/gebruikers"),
             aanbieder.get("/"), aanbieder.get(sent.headers["Location"]),
             aanbieder.get("/berichten/")]
    shown = 0
    for page in pages:
        assert PAYLOAD not in page.text and "<script>alert" not in page.text, page.request.path
        shown += page.text.count(ESCAPED)
    assert shown >= 5  # every field shown, escaped


# -- uploaded file names ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../../evil.xml", "..\\..\\evil.xml", "/tmp/evil.xml",
                                  "sub/dir/evil.xml"])
def test_an_uploaded_file_name_is_never_used_as_a_path(app, world, tmp_path, name):
    before = set(Path(tmp_path.parent).rglob("*")) | set(Path("/tmp").glob("evil*"))
    cwd_before = set(Path(os.getcwd()).glob("evil*"))
    aanbieder = as_user(app, "aanbieder")
    message = wmo323([Client("999900006", [Line("N1")])], identificatie="NAAM1")
    sent = submit(aanbieder, "/berichten/aanleveren", {"file": (io.BytesIO(message), name)},
                  content_type="multipart/form-data")
    assert sent.status_code == 302

    created = (set(Path(tmp_path.parent).rglob("*")) | set(Path("/tmp").glob("evil*"))) - before
    assert not [p for p in created if "evil" in p.name], created
    assert set(Path(os.getcwd()).glob("evil*")) == cwd_before
    # Downloading the original names it safely: no directory part, no quotes to break out of.
    original = aanbieder.get(sent.headers["Location"] + "/origineel")
    disposition = original.headers["Content-Disposition"]
    assert original.data == message
    assert "/" not in disposition and "\\" not in disposition
    assert disposition.startswith('attachment; filename="') and disposition.count('"') == 2



def test_a_stored_file_name_keeps_no_folder_and_no_control_characters():
    """A NUL byte (PostgreSQL refuses it in a text column) or a line end a client put in the name
    is not stored; neither is a folder."""
    from portal.berichten.services import _clean_name

    assert _clean_name("evil\x00.xml\n") == "evil.xml"
    assert _clean_name("..\\..\\map/sub\x1b[31m.xml") == "sub[31m.xml"
    assert _clean_name("\x00\x01") == "bestand"

# -- the audit log -------------------------------------------------------------------------------

@pytest.mark.parametrize("role, user", [("aanbieder", "aanbieder_a"),
                                        ("gemeente", "gemeente_apeldoorn"), ("beheer", "beheer")])
def test_the_audit_log_records_who_viewed_which_clients_file(app, world, role, user):
    browser = as_user(app, role)
    assert browser.get(f"/clienten/{world.client_a}").status_code == 200
    with app.app_context():
        views = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "view", AuditLog.object_type == "client")).all()
        assert [(v.user_id, v.object_id) for v in views] == [(world.users[user],
                                                              str(world.client_a))]
