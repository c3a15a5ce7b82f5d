"""Logging in and out, and changing the password, as the people using the portal notice it."""

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import login, submit
from tests.factories import PASSWORD

LOGIN_FAILED = "Het e-mailadres of het wachtwoord is onjuist."
SESSION_COOKIE = "wmo_portal_session"
NEW_PASSWORD = "paard-batterij-nietje-7"


def session_cookie(client) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie else None


def is_logged_in(client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/inloggen")
        return False
    assert response.status_code == 200
    return True


def logout(client):
    return submit(client, "/uitloggen", {}, page="/")


def change_password(client, current: str, new: str, repeat: str | None = None):
    return submit(client, "/account/wachtwoord", {
        "current_password": current, "new_password": new,
        "repeat_password": new if repeat is None else repeat})


def set_active(app, email: str, active: bool) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).active = active
        db.session.commit()


# -- logging in ------------------------------------------------------------------------------------

def test_correct_password_logs_in_to_the_dashboard(app, world, client):
    response = login(client, "a@aanbieder.test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)


def test_email_address_is_not_case_sensitive(app, world, client):
    login(client, "  A@Aanbieder.TEST ")
    assert is_logged_in(client)


def test_wrong_password_and_unknown_email_look_the_same(app, world):
    wrong_password = login(app.test_client(), "a@aanbieder.test", "verkeerd-wachtwoord")
    unknown_email = login(app.test_client(), "niemand@aanbieder.test", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert LOGIN_FAILED in wrong_password.text
    assert LOGIN_FAILED in unknown_email.text
    # Apart from the address typed (and the CSRF token), the two pages are the same.
    assert _without_noise(wrong_password.text, "a@aanbieder.test") == \
        _without_noise(unknown_email.text, "niemand@aanbieder.test")


def _without_noise(page: str, email: str) -> str:
    page = page.replace(email, "EMAIL")
    return re.sub(r'value="[^"]+"', 'value="..."', page)


def test_inactive_user_cannot_log_in_and_gets_the_same_message(app, world):
    set_active(app, "a@aanbieder.test", False)
    client = app.test_client()

    response = login(client, "a@aanbieder.test")

    assert response.status_code == 200
    assert LOGIN_FAILED in response.text
    assert not is_logged_in(client)


def test_deactivating_a_user_ends_their_running_session(app, world):
    client = app.test_client()
    login(client, "a@aanbieder.test")
    assert is_logged_in(client)
    set_active(app, "a@aanbieder.test", False)
    assert not is_logged_in(client)


def test_login_starts_a_new_session(app, world, client):
    client.get("/inloggen")
    with client.session_transaction() as session:
        session["marker"] = "van voor het inloggen"
    before = session_cookie(client)
    assert before

    login(client, "a@aanbieder.test")

    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "marker" not in session
    assert is_logged_in(client)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "http:/evil.example"])
def test_next_parameter_never_leaves_the_site(app, world, client, target):
    response = submit(client, f"/inloggen?next={target}",
                      {"email": "a@aanbieder.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_parameter_to_a_page_of_the_portal_is_honoured(app, world, client):
    assert client.get("/regios/").headers["Location"].startswith("/inloggen?next=/regios/")
    response = submit(client, "/inloggen?next=/regios/",
                      {"email": "a@aanbieder.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/regios/"


def test_logged_in_user_opening_the_login_page_goes_to_the_dashboard(app, world, client):
    login(client, "a@aanbieder.test")
    response = client.get("/inloggen")
    assert response.status_code == 302 and response.headers["Location"] == "/"


# -- logging out -----------------------------------------------------------------------------------

def test_logout_is_only_possible_by_post(app, world, client):
    login(client, "a@aanbieder.test")
    response = client.get("/uitloggen")
    assert response.status_code == 405
    assert "Niet toegestaan" in response.text
    assert is_logged_in(client)


def test_logout_ends_the_session(app, world, client):
    login(client, "a@aanbieder.test")

    response = logout(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen"
    assert "U bent uitgelogd." in client.get("/inloggen").text
    assert not is_logged_in(client)
    assert client.get(f"/clienten/{world.client_a}").status_code == 302


def test_logout_without_csrf_token_is_refused(app, world, client):
    login(client, "a@aanbieder.test")
    assert client.post("/uitloggen").status_code == 400
    assert is_logged_in(client)


# -- changing the password -------------------------------------------------------------------------

def test_wrong_current_password_is_refused(app, world, client):
    login(client, "a@aanbieder.test")

    response = change_password(client, "niet-mijn-wachtwoord", NEW_PASSWORD)

    assert response.status_code == 200
    assert "Het huidige wachtwoord is onjuist." in response.text
    assert login(app.test_client(), "a@aanbieder.test", PASSWORD).status_code == 302


@pytest.mark.parametrize("new, repeat, message", [
    ("negen-789", None, "Kies een wachtwoord van minstens 10 tekens."),
    (" spatie-voor-en-na ", None, "mag niet beginnen of eindigen met een spatie"),
    (NEW_PASSWORD, "iets-anders-dan-het-nieuwe", "De twee nieuwe wachtwoorden zijn niet gelijk."),
])
def test_weak_or_mistyped_new_password_is_refused(app, world, client, new, repeat, message):
    login(client, "a@aanbieder.test")

    response = change_password(client, PASSWORD, new, repeat)

    assert response.status_code == 200
    assert message in response.text
    # The old password still works.
    assert login(app.test_client(), "a@aanbieder.test", PASSWORD).status_code == 302


def test_new_password_of_exactly_ten_characters_is_accepted(app, world, client):
    login(client, "a@aanbieder.test")
    assert change_password(client, PASSWORD, "tien-tekst").status_code == 302
    assert login(app.test_client(), "a@aanbieder.test", "tien-tekst").status_code == 302


def test_password_change_ends_the_user_s_other_sessions(app, world):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "a@aanbieder.test")
    login(phone, "a@aanbieder.test")
    assert is_logged_in(phone)

    response = change_password(laptop, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert "Uw wachtwoord is gewijzigd." in laptop.get("/").text
    phone_response = phone.get("/")
    assert phone_response.status_code == 302
    assert phone_response.headers["Location"].startswith("/inloggen")


def test_after_a_password_change_only_the_new_password_works(app, world, client):
    login(client, "a@aanbieder.test")
    change_password(client, PASSWORD, NEW_PASSWORD)

    old = login(app.test_client(), "a@aanbieder.test", PASSWORD)
    assert old.status_code == 200 and LOGIN_FAILED in old.text
    fresh = app.test_client()
    assert login(fresh, "a@aanbieder.test", NEW_PASSWORD).status_code == 302
    assert is_logged_in(fresh)


def test_password_change_leaves_other_users_logged_in(app, world):
    mine, someone_else = app.test_client(), app.test_client()
    login(mine, "a@aanbieder.test")
    login(someone_else, "b@aanbieder.test")
    change_password(mine, PASSWORD, NEW_PASSWORD)
    assert is_logged_in(someone_else)


def test_password_hashes_are_scrypt_and_do_not_contain_the_password(app, world, client):
    login(client, "a@aanbieder.test")
    change_password(client, PASSWORD, NEW_PASSWORD)
    with app.app_context():
        hashes = {user.email: user.password_hash for user in db.session.scalars(select(User))}
    assert len(hashes) == 5
    for email, password_hash in hashes.items():
        assert password_hash.startswith("scrypt:"), email
        assert PASSWORD not in password_hash and NEW_PASSWORD not in password_hash
    # The same password gives a different hash (salted).
    assert hashes["b@aanbieder.test"] != hashes["beheer@portal.test"]
