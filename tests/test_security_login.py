"""Logging in, seen by someone trying to get in: guessing is slowed (Flask-Limiter, per client
address and per account), an unknown account and a wrong password cannot be told apart (same page,
same work), a login starts a new session that nothing from before carries into, and passwords are
stored with a slow hash."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.auth import passwords
from portal.auth.ratelimit import LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_ADDRESS
from portal.extensions import db
from tests.conftest import csrf_token_from, login
from tests.factories import PASSWORD
from tests.test_auth import is_logged_in, logout, session_cookie

PER_ADDRESS = int(LOGIN_LIMIT_PER_ADDRESS.split()[0])
PER_ACCOUNT = int(LOGIN_LIMIT_PER_ACCOUNT.split()[0])


def browser_from(app, address: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def attempt(browser, email: str, password: str):
    page = browser.get("/inloggen")
    return browser.post("/inloggen", data={"email": email, "password": password,
                                           "csrf_token": csrf_token_from(page.text)})


def without_token(html: str) -> str:
    return re.sub(r'value="[^"]+"', "", html)


# -- rate limiting -------------------------------------------------------------------------------

def test_guessing_one_account_from_many_addresses_is_stopped(app, world):
    for number in range(PER_ACCOUNT):
        response = attempt(browser_from(app, f"127.0.1.{number}"), "a@aanbieder.test", "fout")
        assert response.status_code == 200 and "onjuist" in response.text

    # Now even the right password is refused for a while, from yet another address.
    refused = attempt(browser_from(app, "127.0.2.1"), "a@aanbieder.test", PASSWORD)
    assert refused.status_code == 429
    assert "Te veel mislukte inlogpogingen" in refused.text
    # Another account is not affected.
    assert attempt(browser_from(app, "127.0.2.1"), "b@aanbieder.test", PASSWORD).status_code == 302


def test_guessing_from_one_address_is_stopped(app, world):
    browser = browser_from(app, "127.0.3.1")
    for number in range(PER_ADDRESS):
        assert attempt(browser, f"gok{number}@voorbeeld.test", "fout").status_code == 200

    refused = attempt(browser, "beheer@portal.test", PASSWORD)
    assert refused.status_code == 429
    assert "Te veel mislukte inlogpogingen" in refused.text
    assert not is_logged_in(browser)
    # Someone at another address logs in as usual.
    assert attempt(browser_from(app, "127.0.3.2"), "beheer@portal.test", PASSWORD) \
        .status_code == 302


def test_successful_logins_do_not_count(app, world):
    browser = browser_from(app, "127.0.4.1")
    for _ in range(PER_ACCOUNT + 2):
        assert attempt(browser, "a@aanbieder.test", PASSWORD).status_code == 302
        logout(browser)


def test_the_limit_says_nothing_about_which_accounts_exist(app, world):
    answers = {}
    for email in ("a@aanbieder.test", "niemand@aanbieder.test"):
        for number in range(PER_ACCOUNT):
            attempt(browser_from(app, f"127.0.5.{number}"), email, "fout")
        answers[email] = attempt(browser_from(app, "127.0.6.1"), email, "fout")
    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    assert without_token(known.text) == without_token(unknown.text)


def test_a_new_browser_does_not_reset_the_limit(app, world):
    """The count is kept by the server, not in the browser: dropping cookies changes nothing."""
    for _ in range(PER_ACCOUNT):
        fresh = app.test_client()
        attempt(fresh, "b@aanbieder.test", "fout")
    assert attempt(app.test_client(), "b@aanbieder.test", PASSWORD).status_code == 429


def test_the_counts_are_kept_in_the_database_and_survive_a_restart(app_config, world):
    """The counts live in the portal's database, not in the server process: a restarted server
    (or another server on the same database, tests/test_several_servers.py) still refuses, and
    the typed account is stored hashed, not as typed."""
    from portal import create_app
    from portal.auth.models import RateLimitCounter

    first = create_app(app_config)
    for number in range(PER_ACCOUNT):
        assert attempt(browser_from(first, f"127.0.8.{number}"), "a@aanbieder.test",
                       "fout").status_code == 200
    with first.app_context():
        keys = db.session.scalars(select(RateLimitCounter.limit_key)).all()
        db.engine.dispose()
    assert keys and not any("a@aanbieder.test" in key for key in keys)

    restarted = create_app(app_config)
    assert attempt(browser_from(restarted, "127.0.9.1"), "a@aanbieder.test",
                   PASSWORD).status_code == 429
    with restarted.app_context():
        db.engine.dispose()


# -- no user enumeration -------------------------------------------------------------------------

def test_unknown_account_and_wrong_password_give_the_same_page_and_the_same_work(
        app, world, monkeypatch):
    checks = []
    real_check = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash",
                        lambda stored, given: checks.append(stored.split("$")[0])
                        or real_check(stored, given))
    pages = []
    for email in ("a@aanbieder.test", "niemand@aanbieder.test"):
        checks.clear()
        response = attempt(browser_from(app, "127.0.7.1"), email, "niet-het-wachtwoord")
        pages.append((response.status_code, without_token(response.text)))
        # One scrypt check with the same parameters, whether the account exists or not.
        assert checks == [passwords._DUMMY_HASH.split("$")[0]]
    assert pages[0] == pages[1]


# -- session fixation ----------------------------------------------------------------------------

def test_the_session_from_before_the_login_does_not_become_logged_in(app, world):
    browser = app.test_client()
    browser.get("/inloggen")
    planted = session_cookie(browser)  # what an attacker could have handed the victim

    login(browser, "a@aanbieder.test")
    assert is_logged_in(browser) and session_cookie(browser) != planted

    attacker = app.test_client()
    attacker.set_cookie("wmo_portal_session", planted)
    assert attacker.get(f"/clienten/{world.client_a}").status_code == 302  # to the login page
    assert not is_logged_in(attacker)


# -- password storage ----------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["a@aanbieder.test", "beheer@portal.test"])
def test_passwords_are_stored_with_a_slow_memory_hard_hash(app, world, email):
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.email == email))
    method, _salt, digest = stored.split("$")
    name, cost, block_size, _parallel = method.split(":")
    assert name == "scrypt"
    assert int(cost) >= 2 ** 14 and int(block_size) >= 8  # OWASP's minimum for scrypt
    assert PASSWORD not in stored and len(digest) >= 64


def test_a_session_cookie_copied_before_logout_is_useless_after_it(app, world):
    browser = app.test_client()
    login(browser, "a@aanbieder.test")
    copied = session_cookie(browser)  # e.g. read from a shared computer

    logout(browser)

    thief = app.test_client()
    thief.set_cookie("wmo_portal_session", copied)
    assert thief.get(f"/clienten/{world.client_a}").status_code == 302
