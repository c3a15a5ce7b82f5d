"""The authorisation matrix, generated from the URL map: every route × every role (anonymous,
aanbieder, gemeente, beheer) × an object of the user's own tenant and one of another tenant. The
expected answer follows from the policy the view declares (portal/auth/policy.py), so a new route
is checked the moment it exists, and one without a policy fails here.

- anonymous: a page sends the browser to /inloggen; an API route answers 401.
- a role the policy does not name: 404 (the page's existence is not revealed).
- a named role: its own tenant's object opens (200 for a page read), another tenant's answers 404.
- the API (/api/...) authenticates by token only: a logged-in browser session without a token
  gets 401 there, for every role; with a token, a role the policy does not name gets 403, and
  another tenant's object answers as an object that does not exist.

Every URL argument must be listed in ARGUMENTS below, with how to find an object of the user's own
and of another tenant; an argument the table does not know fails the test, so the author of a new
route decides how its objects are split between tenants.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.routing import Rule

from portal.auth.policy import PUBLIC
from tests.conftest import csrf_token_from, login, submit
from tests.iwmo_messages import Client, Line, wmo323

ROLES = ("anonymous", "aanbieder", "gemeente", "beheer")
EMAIL = {"aanbieder": "a@aanbieder.test", "gemeente": "apeldoorn@gemeente.test",
         "beheer": "beheer@portal.test"}
NOT_SENT = {"HEAD", "OPTIONS"}
MISSING = 987654  # an id no object has


@dataclass(frozen=True)
class Objects:
    """Ids of objects of tenant A (aanbieder A, gemeente Apeldoorn: the users of the matrix) and of
    tenant B (aanbieder B, gemeente Geldrop-Mierlo)."""

    own: dict[str, object]
    other: dict[str, object]


# How each URL argument is filled. "tenant": the object belongs to an aanbieder and a gemeente, so
# own/other differ (beheer sees both); "shared": the same for everybody (catalogue, static
# files); "beheer": only beheer's routes take it; "unmade": no object of this kind is made here
# yet (the route is still checked for roles and login; only own/other is not).
ARGUMENTS = {
    "client_id": "tenant", "toewijzing_id": "tenant", "upload_id": "tenant", "plan_id": "tenant",
    "code": "shared", "key": "shared", "kind": "shared", "filename": "shared",
    "user_id": "beheer", "aanbieder_id": "beheer", "token_id": "beheer",
    "entry_id": "unmade", "deviation_id": "unmade", "result_id": "unmade",
}
SHARED = {"code": "midden_ijssel", "key": "02A16", "kind": "plan", "filename": "portal.css"}


def make_objects(app: Flask, world) -> Objects:
    """Each aanbieder starts a plan and hands in a declaration to its gemeente, through the pages."""
    own, other = {}, {}
    for ids, email, toewijzing, bsn, sender, receiver, nummer in (
            (own, "a@aanbieder.test", world.toewijzing_a, "999900006", "11111111", "0200", 1001),
            (other, "b@aanbieder.test", world.toewijzing_b, "999900018", "22222222", "1771",
             2001)):
        browser = app.test_client()
        login(browser, email)
        started = submit(browser, f"/plannen/nieuw/{toewijzing}/plan", {},
                         page=f"/clienten/{world.client_a if ids is own else world.client_b}")
        assert started.status_code == 302, started.text[:500]
        ids["plan_id"] = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        message = wmo323([Client(bsn, [Line("M1", toewijzing_nummer=nummer)])], sender=sender,
                         receiver=receiver, identificatie=f"MX{sender[0]}")
        sent = submit(browser, "/berichten/aanleveren",
                      {"file": (io.BytesIO(message), "matrix.xml")},
                      content_type="multipart/form-data")
        assert sent.status_code == 302, sent.text[:500]
        ids["upload_id"] = int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        assert "WMO325 downloaden" in browser.get(sent.headers["Location"]).text
    own.update(client_id=world.client_a, toewijzing_id=world.toewijzing_a)
    other.update(client_id=world.client_b, toewijzing_id=world.toewijzing_b)
    beheer = {"user_id": world.users["aanbieder_a"], "aanbieder_id": world.provider_a,
              "token_id": MISSING}
    for ids in (own, other):
        ids.update(SHARED, **beheer, entry_id=MISSING, deviation_id=MISSING, result_id=MISSING)
    return Objects(own, other)


def url_for_rule(rule: Rule, ids: dict) -> str:
    unknown = set(rule.arguments) - set(ARGUMENTS)
    assert not unknown, (f"{rule.endpoint} ({rule.rule}) takes {sorted(unknown)}: add them to "
                         f"ARGUMENTS in {__name__} with how own and other tenant's objects differ")
    return rule.build({name: ids[name] for name in rule.arguments})[1]


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def tenant_bound(rule: Rule) -> bool:
    return any(ARGUMENTS[name] == "tenant" for name in rule.arguments)


def browser_for(app: Flask, role: str):
    browser = app.test_client()
    if role != "anonymous":
        login(browser, EMAIL[role])
    return browser


def send(browser, method: str, url: str, role: str):
    """A request as a browser sends it: a form post carries a valid CSRF token, so that what is
    tested is the policy, not the missing token (tests/test_security_csrf.py tests that)."""
    if method == "GET":
        return browser.get(url)
    token_page = "/inloggen" if role == "anonymous" else "/account/wachtwoord"
    token = csrf_token_from(browser.get(token_page).text)
    return browser.open(url, method=method, data={"csrf_token": token})


def expected(rule: Rule, method: str, role: str, tenant: str) -> set[int]:
    policy = rule_policy(rule)
    if policy == PUBLIC:
        return {200} if role == "anonymous" else {200, 302}  # the login page sends users on
    if is_api(rule):
        return {401}  # a browser session is no API credential, whatever its role
    if role == "anonymous":
        return {302}  # to /inloggen, checked below
    if role not in policy:
        return {404}
    if tenant == "other" and tenant_bound(rule) and role != "beheer":
        return {404}
    if any(ARGUMENTS[name] == "unmade" for name in rule.arguments):
        return {404}  # the id is of no object
    if method == "GET":
        return READ_EXCEPTIONS.get(rule.endpoint, {200, 302})
    return set()  # a form post of one's own: its behaviour is the feature tests' business


# Pages a permitted user of the right tenant opens without a 200, and why.
READ_EXCEPTIONS: dict[str, set[int]] = {
    # Only for products whose region records results on the toewijzing; 02A16 and 02B01 have none.
    "plans.toewijzing_results": {404},
}


_POLICIES: dict[str, object] = {}


def rule_policy(rule: Rule):
    return _POLICIES[rule.endpoint]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_its_policy_says(app, world, role):
    objects = make_objects(app, world)
    _POLICIES.clear()
    undeclared = []
    for rule in app.url_map.iter_rules():
        policy = getattr(app.view_functions[rule.endpoint], "access_policy", None)
        if policy is None:
            undeclared.append(rule.endpoint)
        _POLICIES[rule.endpoint] = policy
    assert undeclared == [], f"routes without an access policy: {undeclared}"

    browser = browser_for(app, role)
    wrong, checked = [], 0
    # Logging out ends the session the rest is checked with: last.
    for rule in sorted(app.url_map.iter_rules(),
                       key=lambda r: (r.endpoint == "auth.logout", r.rule)):
        tenants = ("own", "other") if tenant_bound(rule) else ("own",)
        for tenant in tenants:
            url = url_for_rule(rule, getattr(objects, tenant))
            for method in sorted(rule.methods - NOT_SENT):
                want = expected(rule, method, role, tenant)
                response = send(browser, method, url, role)
                checked += 1
                status = response.status_code
                if status >= 500 or (want and status not in want):
                    wrong.append(f"{method} {url} ({rule.endpoint}, {tenant}): {status}, "
                                 f"expected {sorted(want) or 'no server error'}")
                elif status == 302 and rule_policy(rule) != PUBLIC and (
                        method == "GET" or role == "anonymous"):
                    to_login = response.headers["Location"].startswith("/inloggen")
                    if to_login != (role == "anonymous"):
                        wrong.append(f"{method} {url}: redirected to "
                                     f"{response.headers['Location']}, not to /inloggen")
    assert wrong == [], "\n".join(wrong)
    assert checked > 50


def test_a_route_without_a_policy_is_refused_and_named(app, world):
    app.add_url_rule("/vergeten-te-beveiligen", "forgotten", lambda: "geheim")
    browser = browser_for(app, "beheer")
    assert browser.get("/vergeten-te-beveiligen").status_code == 404
    assert getattr(app.view_functions["forgotten"], "access_policy", None) is None


def test_api_routes_refuse_a_browser_session_and_a_missing_token(app, world):
    api_rules = [rule for rule in app.url_map.iter_rules()
                 if is_api(rule) and getattr(app.view_functions[rule.endpoint],
                                             "access_policy", None) != PUBLIC]
    assert api_rules, "the API's routes are in the URL map"
    objects = make_objects(app, world)
    for role in ROLES:
        browser = browser_for(app, role)
        for rule in api_rules:
            url = url_for_rule(rule, objects.own)
            for method in sorted(rule.methods - NOT_SENT):
                response = browser.open(url, method=method)
                assert response.status_code == 401, (role, method, url, response.status_code)
                assert "Bearer" in response.headers.get("WWW-Authenticate", ""), url


def api_tokens(app: Flask, world) -> dict[str, str]:
    """An API key of aanbieder A and one of gemeente Apeldoorn (keys belong to an organisation)."""
    from portal.accounts.models import Organisation
    from portal.api.tokens import create_token
    from portal.extensions import db

    with app.app_context():
        secrets = {role: create_token(db.session.get(Organisation, organisation), "matrix")[1]
                   for role, organisation in (("aanbieder", world.provider_a),
                                              ("gemeente", world.apeldoorn))}
        db.session.commit()
    return secrets


@pytest.mark.parametrize("role", ["aanbieder", "gemeente"])
def test_api_routes_answer_a_token_as_the_policy_says(app, world, role):
    objects = make_objects(app, world)
    token = api_tokens(app, world)[role]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    wrong, checked = [], 0
    for rule in app.url_map.iter_rules():
        policy = getattr(app.view_functions[rule.endpoint], "access_policy", None)
        if not is_api(rule) or policy == PUBLIC:
            continue
        tenants = ("own", "other") if tenant_bound(rule) else ("own",)
        for tenant in tenants:
            url = url_for_rule(rule, getattr(objects, tenant))
            for method in sorted(rule.methods - NOT_SENT):
                if role not in policy:
                    want = {403}
                elif tenant == "other":
                    # Another tenant's object answers exactly as one that does not exist (a body
                    # may be refused before the object is looked up), and never with success.
                    missing = url_for_rule(rule, {**objects.other, **{
                        name: MISSING for name in rule.arguments if ARGUMENTS[name] == "tenant"}})
                    status = client.open(missing, method=method, headers=headers,
                                         json={}).status_code
                    want = {status} - set(range(200, 400))
                    assert want, f"{method} {missing}: {status}"
                elif method == "GET":
                    want = {200}
                else:
                    continue  # a change of one's own: the API's own tests
                status = client.open(url, method=method, headers=headers, json={}).status_code
                checked += 1
                if status not in want:
                    wrong.append(f"{method} {url} ({rule.endpoint}, {tenant}): {status}, "
                                 f"expected {sorted(want)}")
    assert wrong == [], "\n".join(wrong)
    assert checked > 10
