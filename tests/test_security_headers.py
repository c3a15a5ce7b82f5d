"""Every page, including error pages, carries the browser's safety instructions; the session cookie
cannot be read by scripts or sent along by other sites; pages run no inline or outside code."""

import io
import re

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import csrf_token_from, login

SESSION_COOKIE = "wmo_portal_session"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAX_UPLOAD_MB": 1}


def assert_safety_headers(response) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, csp
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert directives.get("default-src") == ["'self'"], csp
    assert directives.get("script-src") == ["'self'"], csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin")
    if response.mimetype == "text/html":
        assert headers.get("Cache-Control") == "no-store"


def assert_no_inline_or_outside_code(page: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>.*?</script>", page, re.S | re.I):
        assert re.search(r"\ssrc=", tag), f"inline script: {tag[:80]}"
        assert re.fullmatch(r"<script\b[^>]*>\s*</script>", tag, re.S | re.I), tag[:80]
    assert not re.search(r"<style\b", page, re.I), "inline <style> block"
    assert not re.search(r"\sstyle=", page, re.I), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", page, re.I), "inline event handler"
    assert not re.search(r"javascript:", page, re.I)
    for attribute in re.findall(r"<(?:script|link)\b[^>]*>", page, re.I):
        assert not re.search(r'(?:src|href)="(?:https?:)?//', attribute, re.I), attribute


def session_cookie_header(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie")
               if value.startswith(f"{SESSION_COOKIE}=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def cookie_flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


def beheer_client(app):
    client = app.test_client()
    login(client, "beheer@portal.test")
    return client


# -- headers on every kind of page -----------------------------------------------------------------

def test_login_page(app, client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert_safety_headers(response)
    assert_no_inline_or_outside_code(response.text)


@pytest.mark.parametrize("email", ["a@aanbieder.test", "apeldoorn@gemeente.test",
                                   "beheer@portal.test"])
def test_dashboard_of_each_role(app, world, email):
    client = app.test_client()
    login(client, email)
    response = client.get("/")
    assert response.status_code == 200
    assert_safety_headers(response)
    assert_no_inline_or_outside_code(response.text)


def test_pages_with_citizens_data_and_forms(app, world):
    client = beheer_client(app)
    for url in (f"/clienten/{world.client_a}", "/beheer/organisaties", "/beheer/gebruikers",
                "/beheer/toewijzingen/nieuw",
                f"/beheer/toewijzingen/nieuw?gemeente={world.apeldoorn}",
                "/regios/", "/regios/midden_ijssel", "/account/wachtwoord"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safety_headers(response)
        assert_no_inline_or_outside_code(response.text)


def test_static_stylesheet_is_served_with_the_headers_and_without_login(app, client):
    response = client.get("/static/portal.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert_safety_headers(response)


@pytest.mark.parametrize("logged_in", [False, True])
def test_not_found_page(app, world, logged_in):
    client = beheer_client(app) if logged_in else app.test_client()
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Niet gevonden" in response.text
    assert_safety_headers(response)
    assert_no_inline_or_outside_code(response.text)


def test_csrf_failure_page(app, world, client):
    response = client.post("/inloggen", data={"email": "a@aanbieder.test",
                                              "password": "correct-horse-9"})
    assert response.status_code == 400
    assert "beveiligingscode ontbreekt" in response.text
    assert_safety_headers(response)
    assert_no_inline_or_outside_code(response.text)


def test_too_large_upload_page_says_the_limit_in_dutch(app, client):
    two_mb = io.BytesIO(b"x" * (2 * 1024 * 1024))
    response = client.post("/inloggen", data={"bestand": (two_mb, "groot.xml")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Bestand te groot" in response.text
    assert "groter dan de toegestane 1 MB" in response.text
    assert_safety_headers(response)
    assert_no_inline_or_outside_code(response.text)


def test_body_just_under_the_limit_is_not_refused_as_too_large(app, client):
    almost = io.BytesIO(b"x" * (1024 * 1024 - 10 * 1024))
    response = client.post("/inloggen", data={"bestand": (almost, "klein.xml")},
                           content_type="multipart/form-data")
    assert response.status_code == 400  # no CSRF token, but not too large


# -- the session cookie ----------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite_lax_and_not_secure_over_http(app, world, client):
    response = login(client, "a@aanbieder.test")
    assert response.status_code == 302
    flags = cookie_flags(session_cookie_header(response))
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # over plain http a Secure cookie would never come back


def test_session_cookie_is_secure_over_https(app, world):
    client = app.test_client()
    form = client.get("/inloggen", base_url="https://localhost")
    assert "secure" in cookie_flags(session_cookie_header(form))

    # Over HTTPS Flask-WTF also wants the same-origin Referer a browser sends (Referrer-Policy
    # same-origin allows it).
    response = client.post("/inloggen", base_url="https://localhost",
                           headers={"Referer": "https://localhost/inloggen"}, data={
                               "email": "a@aanbieder.test", "password": "correct-horse-9",
                               "csrf_token": csrf_token_from(form.text)})
    assert response.status_code == 302
    flags = cookie_flags(session_cookie_header(response))
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_session_cookie_is_always_secure_when_configured(app_config):
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    try:
        response = app.test_client().get("/inloggen")
        assert "secure" in cookie_flags(session_cookie_header(response))
    finally:
        with app.app_context():
            db.engine.dispose()



def test_https_post_without_referer_explains_what_is_missing(app, world):
    from tests.conftest import csrf_token_from

    client = app.test_client()
    page = client.get("/inloggen", base_url="https://localhost")
    response = client.post("/inloggen", base_url="https://localhost", data={
        "email": "a@aanbieder.test", "password": "x", "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 400
    assert "Referer" in response.text
