"""Helpers for the API tests: a token per organisation of the test world, and the header."""

from __future__ import annotations

import pytest

from portal.accounts.models import Organisation
from portal.api.tokens import create_token
from portal.extensions import db

PROBLEM = "application/problem+json"


def make_token(app, organisation_id: int, name: str = "Testsysteem", days: int | None = 365) -> str:
    with app.app_context():
        _token, secret = create_token(db.session.get(Organisation, organisation_id), name, days)
        db.session.commit()
        return secret


def bearer(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def tokens(app, world) -> dict[str, str]:
    """A token for each organisation of the world: aanbieder_a/_b, apeldoorn, geldrop."""
    return {"aanbieder_a": make_token(app, world.provider_a),
            "aanbieder_b": make_token(app, world.provider_b),
            "apeldoorn": make_token(app, world.apeldoorn),
            "geldrop": make_token(app, world.geldrop)}


def assert_problem(response, status: int, *words: str) -> dict:
    """The response is an RFC 9457 problem with this status, its Dutch detail naming ``words``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"].startswith("/api/v1/docs#")
    for word in words:
        assert word in body["detail"] + str(body.get("errors", "")), body
    return body
