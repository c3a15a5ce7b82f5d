"""Every state-changing route of the pages refuses a form posted without its CSRF token (another
site cannot make a logged-in browser act), for a user the route is meant for, and changes nothing.
The API is exempt from CSRF because no browser session authenticates it (a token does:
tests/test_security_matrix.py shows a session alone gets 401 there)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditLog
from portal.auth.policy import PUBLIC
from portal.extensions import db
from tests.conftest import login
from tests.test_security_matrix import EMAIL, MISSING, SHARED, is_api

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditLog.id)))


def example_url(rule, world) -> str:
    values = {**SHARED, "client_id": world.client_a, "toewijzing_id": world.toewijzing_a,
              "user_id": world.users["aanbieder_a"], "aanbieder_id": world.provider_a}
    return rule.build({name: values.get(name, MISSING) for name in rule.arguments})[1]


def test_every_changing_route_refuses_a_post_without_csrf_token(app, world):
    browsers = {}
    for role, email in EMAIL.items():
        browsers[role] = app.test_client()
        login(browsers[role], email)
    not_refused, checked = [], 0
    for rule in app.url_map.iter_rules():
        policy = getattr(app.view_functions[rule.endpoint], "access_policy", None)
        methods = rule.methods & CHANGING
        if not methods or is_api(rule):
            continue
        roles = ["aanbieder", "gemeente", "beheer"] if policy == PUBLIC else sorted(policy)
        url = example_url(rule, world)
        for method in sorted(methods):
            for role in roles:
                before = audit_rows(app)
                response = browsers[role].open(url, method=method, data={"naam": "zonder token"})
                checked += 1
                if response.status_code != 400 or "beveiligingscode" not in response.text:
                    not_refused.append(f"{method} {url} as {role}: {response.status_code}")
                assert audit_rows(app) == before, f"{method} {url} as {role} changed something"
    assert not_refused == [], "\n".join(not_refused)
    assert checked >= 15  # the login, logout, forms of beheer, plans, uploads, ...


def test_a_token_of_another_session_is_refused(app, world):
    """A token is bound to its session: one taken from another browser does not work."""
    from tests.conftest import csrf_token_from

    attacker = app.test_client()
    stolen = csrf_token_from(attacker.get("/inloggen").text)
    victim = app.test_client()
    login(victim, "beheer@portal.test")
    response = victim.post("/beheer/organisaties", data={
        "csrf_token": stolen, "kind": "aanbieder", "code": "44444444", "name": "Via een ander"})
    assert response.status_code == 400
    assert "Via een ander" not in victim.get("/beheer/organisaties").text
