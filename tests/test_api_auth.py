"""API tokens: made by beheer (page) or `wmo-portal create-token`, shown once, stored hashed; sent
as a Bearer token only; refused when unknown, expired or revoked; a token carries its
organisation's role, and sessions and CSRF play no part in the API."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from portal.api.models import ApiToken
from portal.audit.models import AuditLog
from portal.extensions import db, utcnow
from tests.api_support import assert_problem, bearer, make_token, tokens  # noqa: F401
from tests.conftest import login, submit


def test_a_request_without_a_token_gets_401_with_a_bearer_challenge(client, world):
    response = client.get("/api/v1/toewijzingen")
    body = assert_problem(response, 401, "Authorization: Bearer")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["instance"] == "/api/v1/toewijzingen"


def test_a_logged_in_browser_session_does_not_authenticate_the_api(client, world):
    login(client, "a@aanbieder.test")
    assert client.get("/").status_code == 200
    assert_problem(client.get("/api/v1/toewijzingen"), 401)


def test_an_unknown_or_malformed_token_gets_401(client, world):
    assert_problem(client.get("/api/v1/regios", headers=bearer("wmo_nietbestaand")), 401,
                   "onbekend")
    assert_problem(client.get("/api/v1/regios", headers=bearer("abc")), 401, "wmo_")
    assert_problem(client.get("/api/v1/regios", headers={"Authorization": "Basic YTpi"}), 401)


def test_only_the_hash_of_a_token_is_stored(app, world):
    secret = make_token(app, world.provider_a)
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (token.prefix, token.token_hash) and secret.startswith(token.prefix)
        # The token acts through an account of its own, with its organisation's role.
        assert token.user.role == "aanbieder" and token.user.organisation_id == world.provider_a


def test_an_expired_token_is_refused(app, client, world):
    secret = make_token(app, world.provider_a)
    with app.app_context():
        db.session.scalar(select(ApiToken)).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert_problem(client.get("/api/v1/regios", headers=bearer(secret)), 401, "verlopen")


def test_switching_off_the_tokens_account_stops_the_token(app, client, world):
    secret = make_token(app, world.provider_a)
    assert client.get("/api/v1/regios", headers=bearer(secret)).status_code == 200
    with app.app_context():
        db.session.scalar(select(ApiToken)).user.active = False
        db.session.commit()
    assert_problem(client.get("/api/v1/regios", headers=bearer(secret)), 401, "uitgeschakeld")


def test_beheer_makes_a_token_shown_once_and_revokes_it(app, client, world):
    login(client, "beheer@portal.test")
    page = submit(client, "/beheer/api-sleutels/", {
        "organisation_id": str(world.provider_a), "name": "Declaratiesysteem", "days": "30"})
    assert page.status_code == 200
    secret = re.search(r'<code id="nieuwe-sleutel">(wmo_[^<]+)</code>', page.text).group(1)
    api = app.test_client()
    assert api.get("/api/v1/regios", headers=bearer(secret)).status_code == 200
    listing = client.get("/beheer/api-sleutels/").text
    assert "Declaratiesysteem" in listing and secret not in listing  # shown once only
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    revoked = submit(client, f"/beheer/api-sleutels/{token_id}/intrekken", {},
                     page="/beheer/api-sleutels/", follow_redirects=True)
    assert "is ingetrokken" in revoked.text
    assert_problem(api.get("/api/v1/regios", headers=bearer(secret)), 401, "ingetrokken")
    with app.app_context():
        actions = set(db.session.scalars(select(AuditLog.action).where(
            AuditLog.object_type == "api_token")))
    assert {"sleutel_maken", "sleutel_intrekken"} <= actions


def test_beheer_page_refuses_a_token_without_organisation_and_other_roles_do_not_see_it(
        client, world):
    login(client, "beheer@portal.test")
    page = submit(client, "/beheer/api-sleutels/", {"organisation_id": "0", "name": "X",
                                                     "days": "30"})
    assert "Kies de aanbieder of gemeente" in page.text and "nieuwe-sleutel" not in page.text
    other = client.application.test_client()
    login(other, "a@aanbieder.test")
    assert other.get("/beheer/api-sleutels/").status_code == 404


def test_cli_creates_a_token_for_an_agb_or_cbs_code_and_prints_it_once(app, world):
    from portal.commands import create_token_command

    runner = app.test_cli_runner()
    result = runner.invoke(create_token_command, ["--org", "0200", "--name", "Zaaksysteem"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("wmo_")
    response = app.test_client().get("/api/v1/toewijzingen", headers=bearer(secret))
    assert response.status_code == 200
    assert [t["gemeente"]["code"] for t in response.get_json()["items"]] == ["0200"]
    unknown = runner.invoke(create_token_command, ["--org", "99999999", "--name", "X"])
    assert unknown.exit_code != 0 and "Geen aanbieder of gemeente met code 99999999" in \
        unknown.output


def test_a_token_of_the_wrong_role_gets_403(client, tokens):
    response = client.post("/api/v1/toewijzingen", json={}, headers=bearer(tokens["aanbieder_a"]))
    assert_problem(response, 403, "gemeente", "aanbieder")


def test_the_api_needs_no_csrf_token_and_sets_no_session(client, tokens):
    response = client.post("/api/v1/toewijzingen", json={"bsn": "1"},
                           headers=bearer(tokens["apeldoorn"]))
    assert response.status_code == 422  # validated, not refused for a missing CSRF token
    assert "Set-Cookie" not in response.headers


def test_an_unknown_address_or_method_is_a_problem_not_a_page(client, tokens):
    assert_problem(client.get("/api/v1/bestaat-niet", headers=bearer(tokens["aanbieder_a"])), 404)
    response = client.delete("/api/v1/regios", headers=bearer(tokens["aanbieder_a"]))
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_server_error_is_a_problem_without_a_traceback(app, client, tokens, monkeypatch):
    import portal.api.catalogue as catalogue

    def broken(*_args):
        raise RuntimeError("geheim intern detail")

    monkeypatch.setattr(catalogue, "region_json", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    response = client.get("/api/v1/regios", headers=bearer(tokens["aanbieder_a"]))
    assert_problem(response, 500, "niets half opgeslagen")
    assert "geheim" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_document_and_the_docs_page_are_public_and_need_no_cdn(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and document.get_json()["openapi"].startswith("3.")
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "/api/v1/declaraties" in page.text
    assert "<script" not in page.text and "https://" not in page.text.replace(
        "https://www.", "")  # no external assets
    assert "probleem-ongeldige-invoer" in page.text
