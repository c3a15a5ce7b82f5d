"""The authorisation matrix, generated from the URL map: every route × every role (anonymous,
aanbieder, gemeente, beheer) × an object of the user's own tenant and one of another tenant. The
expected answer follows from the policy the view declares (portal/auth/policy.py), so a new route
is checked the moment it exists, and one without a policy fails here.

- anonymous: a page sends the browser to /inloggen; an API route answers 401.
- a role the policy does not name: 404 (the page's existence is not revealed).
- a named role: its own tenant's object opens (200 for a page read), another tenant's answers 404,
  and so does an object under a parent it does not belong to (the "cross" case, see ARGUMENTS).
- the API (/api/...) authenticates by token only: a logged-in browser session without a token
  gets 401 there, for every role; with a token, a role the policy does not name gets 403, and
  another tenant's object answers as an object that does not exist (API_BODIES: a body that
  passes validation, so the object is looked up).

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
class Elsewhere:
    """Where tenant A's gemeente (Apeldoorn, Midden-IJssel) cannot hold a kind of object, the
    gemeente of a region that can, with a parent and an object there of aanbieder A (``own``) and
    of aanbieder B (``other``)."""

    gemeente_email: str
    gemeente_id: int
    own: dict[str, object]
    other: dict[str, object]


@dataclass(frozen=True)
class Objects:
    """Ids of objects of tenant A (aanbieder A, gemeente Apeldoorn: the users of the matrix) and of
    tenant B (aanbieder B, gemeente Geldrop-Mierlo); ``elsewhere``: per URL argument of ELSEWHERE,
    its objects in the region that holds them."""

    own: dict[str, object]
    other: dict[str, object]
    elsewhere: dict[str, Elsewhere]


# How each URL argument is filled. "tenant": the object belongs to an aanbieder and a gemeente, so
# own/other differ (beheer sees both); "shared": the same for everybody (catalogue, static
# files); "beheer": only beheer's routes take it; "unmade": no object of this kind is made here
# yet (the route is still checked for roles and login; only own/other is not).
#
# entry_id, deviation_id and result_id are tenant objects, but Apeldoorn (Midden-IJssel) cannot
# hold the last two: of the regions only Geldrop-Mierlo lets a plan deviate from its terms
# (GM-P14), and its one gemeente is tenant B's; only Midden-Limburg records results on a
# toewijzing (ML-P3). So a route taking one of ELSEWHERE (or named in ELSEWHERE_ROUTES) is checked
# in that region:
# - own: aanbieder A's object there, sent by aanbieder A, beheer, and for the gemeente role by
#   that region's gemeente (its user in ELSEWHERE);
# - other: aanbieder B's object there, sent by the matrix's users (aanbieder A, Apeldoorn), to
#   whom it is another aanbieder's and another gemeente's;
# - cross: the own case's parent with aanbieder B's object, which hangs under another parent
#   (PARENT), sent as the own case: 404 for every role, beheer too. That gemeente sees both the
#   parent and the object, so only the route's check that the object is the parent's refuses it.
ARGUMENTS = {
    "client_id": "tenant", "toewijzing_id": "tenant", "upload_id": "tenant", "plan_id": "tenant",
    "entry_id": "tenant", "deviation_id": "tenant", "result_id": "tenant",
    "code": "shared", "key": "shared", "kind": "shared", "filename": "shared",
    "user_id": "beheer", "aanbieder_id": "beheer", "token_id": "beheer",
}
SHARED = {"code": "midden_ijssel", "key": "02A16", "kind": "plan", "filename": "portal.css"}
ELSEWHERE = {"deviation_id": "geldrop@gemeente.test", "result_id": "leudal@gemeente.test"}
PARENT = {"deviation_id": "plan_id", "result_id": "toewijzing_id"}
# Routes that take only the parent of such an object, also checked in its region: a toewijzing's
# results open only where its region records them (Apeldoorn's answer 404).
ELSEWHERE_ROUTES = {"plans.toewijzing_results": "result_id",
                    "api_werkwijze.toewijzing_results": "result_id",
                    "api_werkwijze.record_result": "result_id"}
LEUDAL = "1640"  # a Midden-Limburg gemeente


def _id_after(response) -> int:
    """The id at the end of the page a form sent the browser to."""
    assert response.status_code == 302, response.text[:500]
    return int(response.headers["Location"].split("#")[0].rstrip("/").rsplit("/", 1)[1])


def _newest(app: Flask, model, **where) -> int:
    from sqlalchemy import select

    from portal.extensions import db

    with app.app_context():
        return db.session.scalar(select(model.id).filter_by(**where).order_by(model.id.desc()))


def _start_plan(browser, toewijzing: int, client: int) -> int:
    return _id_after(submit(browser, f"/plannen/nieuw/{toewijzing}/plan", {},
                            page=f"/clienten/{client}"))


def _ask_deviation(app: Flask, browser, plan_id: int) -> int:
    from portal.plans.models import Deviation

    asked = submit(browser, f"/plannen/{plan_id}/afwijking",
                   {"regel": "GM-P4", "reden": "Cliënt opgenomen.", "nieuwe_datum": ""},
                   page=f"/plannen/{plan_id}", follow_redirects=True)
    assert "naar de gemeente gestuurd" in asked.text, asked.text[:2000]
    return _newest(app, Deviation, plan_id=plan_id)


def _record_result(app: Flask, browser, toewijzing: int) -> int:
    from portal.plans.models import ToewijzingResult

    url = f"/plannen/toewijzing/{toewijzing}/resultaten"
    recorded = submit(browser, url, {"deel_resultaat": "Zelf boodschappen doen",
                                     "deel_activiteitstype": "helpen"})
    assert recorded.status_code == 302, recorded.text[:2000]
    return _newest(app, ToewijzingResult, toewijzing_id=toewijzing)


def _register_entry(app: Flask, browser, toewijzing: int) -> int:
    from portal.declaraties.models import DeliveryEntry

    registered = submit(browser, f"/declaraties/toewijzingen/{toewijzing}/registratie",
                        {"day": "2026-10-05", "kind": "tijd", "attendance": "",
                         "activity": "direct", "minutes": "45", "start_time": "",
                         "end_time": ""})
    assert registered.status_code == 302, registered.text[:2000]
    return _newest(app, DeliveryEntry, toewijzing_id=toewijzing)


def _elsewhere_world(app: Flask, world) -> dict[str, int]:
    """What the regions of ELSEWHERE need, made through the services: a Geldrop-Mierlo toewijzing
    of aanbieder A (02B01, whose plan may deviate), the Midden-Limburg gemeente Leudal with a user,
    and a BGI toewijzing there of aanbieder A and of aanbieder B (the plan lists its results)."""
    from datetime import date

    from portal.accounts.models import Organisation
    from portal.accounts.services import create_organisation, create_user
    from portal.extensions import db
    from portal.regions import registry
    from portal.toewijzingen.services import create_toewijzing
    from tests.factories import PASSWORD, toewijzing_input

    with app.app_context():
        regions = registry()
        provider_a = db.session.get(Organisation, world.provider_a)
        provider_b = db.session.get(Organisation, world.provider_b)
        geldrop = db.session.get(Organisation, world.geldrop)
        leudal = create_organisation(regions, "gemeente", LEUDAL, None, "midden_limburg")
        db.session.flush()
        create_user(ELSEWHERE["result_id"], "Lea", "gemeente", PASSWORD, leudal)
        until = date(date.today().year + 1, 12, 31)
        made = {
            "gm_a": create_toewijzing(regions, toewijzing_input(
                geldrop, provider_a, "999900043", "02B01", 1002, achternaam="Bakker"))[0],
            "ml_a": create_toewijzing(regions, toewijzing_input(
                leudal, provider_a, "999900055", "BGI", 1003, einddatum=until,
                attributes={"perceel": "1", "grondslag": "PSY"}), today=date.today())[0],
            "ml_b": create_toewijzing(regions, toewijzing_input(
                leudal, provider_b, "999900067", "BGI", 2003, einddatum=until,
                attributes={"perceel": "1", "grondslag": "PSY"}), today=date.today())[0],
        }
        db.session.commit()
        return {"leudal": leudal.id,
                **{name: t.id for name, t in made.items()},
                **{f"{name}_client": t.client_id for name, t in made.items()}}


def make_objects(app: Flask, world) -> Objects:
    """Each aanbieder starts a plan, registers what it delivered and hands in a declaration to its
    gemeente, through the pages. Deviations and results, which Apeldoorn cannot hold (ELSEWHERE),
    are made in a region that can: each aanbieder asks to deviate from a term of a Geldrop-Mierlo
    plan, and Leudal records a result on a toewijzing of each."""
    own, other = {}, {}
    browsers = {}
    for ids, email, toewijzing, client, bsn, sender, receiver, nummer in (
            (own, "a@aanbieder.test", world.toewijzing_a, world.client_a, "999900006",
             "11111111", "0200", 1001),
            (other, "b@aanbieder.test", world.toewijzing_b, world.client_b, "999900018",
             "22222222", "1771", 2001)):
        browser = browsers[email] = app.test_client()
        login(browser, email)
        ids["plan_id"] = _start_plan(browser, toewijzing, client)
        ids["entry_id"] = _register_entry(app, browser, toewijzing)
        message = wmo323([Client(bsn, [Line("M1", toewijzing_nummer=nummer)])], sender=sender,
                         receiver=receiver, identificatie=f"MX{sender[0]}")
        sent = submit(browser, "/berichten/aanleveren",
                      {"file": (io.BytesIO(message), "matrix.xml")},
                      content_type="multipart/form-data")
        ids["upload_id"] = _id_after(sent)
        assert "WMO325 downloaden" in browser.get(sent.headers["Location"]).text
    own.update(client_id=world.client_a, toewijzing_id=world.toewijzing_a)
    other.update(client_id=world.client_b, toewijzing_id=world.toewijzing_b)

    made = _elsewhere_world(app, world)
    provider_a, provider_b = browsers["a@aanbieder.test"], browsers["b@aanbieder.test"]
    plan_a = _start_plan(provider_a, made["gm_a"], made["gm_a_client"])
    deviations = Elsewhere(
        ELSEWHERE["deviation_id"], world.geldrop,
        own={"plan_id": plan_a, "deviation_id": _ask_deviation(app, provider_a, plan_a)},
        other={"plan_id": other["plan_id"],
               "deviation_id": _ask_deviation(app, provider_b, other["plan_id"])})
    leudal = app.test_client()
    login(leudal, ELSEWHERE["result_id"])
    results = Elsewhere(
        ELSEWHERE["result_id"], made["leudal"],
        own={"toewijzing_id": made["ml_a"],
             "result_id": _record_result(app, leudal, made["ml_a"])},
        other={"toewijzing_id": made["ml_b"],
               "result_id": _record_result(app, leudal, made["ml_b"])})
    elsewhere = {"deviation_id": deviations, "result_id": results}
    beheer = {"user_id": world.users["aanbieder_a"], "aanbieder_id": world.provider_a,
              "token_id": MISSING}
    for ids, tenant in ((own, "own"), (other, "other")):
        ids.update(SHARED, **beheer, **{name: getattr(region, tenant)[name]
                                        for name, region in elsewhere.items()})
    return Objects(own, other, elsewhere)


def cases(rule: Rule) -> tuple[str, ...]:
    """own and other for a rule taking a tenant's object, and cross where it names the object's
    parent too."""
    if not tenant_bound(rule):
        return ("own",)
    if any(name in PARENT and PARENT[name] in rule.arguments for name in rule.arguments):
        return ("own", "other", "cross")
    return ("own", "other")


def case_for(rule: Rule, case: str, role: str, objects: Objects) -> tuple[dict, str | None]:
    """The ids a case fills the rule's URL with, and the e-mail of who sends it (None: the role's
    user of tenant A)."""
    [region] = [objects.elsewhere[name] for name in (*rule.arguments,
                                                     ELSEWHERE_ROUTES.get(rule.endpoint))
                if name in objects.elsewhere] or [None]
    if region is None:
        return getattr(objects, case), None
    email = region.gemeente_email if role == "gemeente" else None
    if case == "own":
        return {**objects.own, **region.own}, email
    if case == "other":
        return {**objects.other, **region.other}, None
    child = next(name for name in rule.arguments if name in PARENT)
    return {**objects.own, **region.own, child: region.other[child]}, email


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


def expected(rule: Rule, method: str, role: str, case: str) -> set[int]:
    policy = rule_policy(rule)
    if policy == PUBLIC:
        return {200} if role == "anonymous" else {200, 302}  # the login page sends users on
    if is_api(rule):
        return {401}  # a browser session is no API credential, whatever its role
    if role == "anonymous":
        return {302}  # to /inloggen, checked below
    if role not in policy:
        return {404}
    if case == "cross" or (case == "other" and tenant_bound(rule) and role != "beheer"):
        return {404}
    if any(ARGUMENTS[name] == "unmade" for name in rule.arguments):
        return {404}  # the id is of no object
    if method == "GET":
        return READ_EXCEPTIONS.get(rule.endpoint, {200, 302})
    return set()  # a form post of one's own: its behaviour is the feature tests' business


# Pages a permitted user of the right tenant opens without a 200, and why (none now).
READ_EXCEPTIONS: dict[str, set[int]] = {}


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

    browsers = {None: browser_for(app, role)}
    checks = [(rule, case, method) for rule in app.url_map.iter_rules() for case in cases(rule)
              for method in sorted(rule.methods - NOT_SENT)]
    # Reads first (a change of one's own may remove what a read opens); logging out ends the
    # session the rest is checked with: last.
    checks.sort(key=lambda check: (check[0].endpoint == "auth.logout", check[2] != "GET",
                                   check[0].rule, check[1]))
    wrong, checked = [], 0
    for rule, case, method in checks:
        ids, email = case_for(rule, case, role, objects)
        if email not in browsers:
            browsers[email] = app.test_client()
            login(browsers[email], email)
        url = url_for_rule(rule, ids)
        want = expected(rule, method, role, case)
        response = send(browsers[email], method, url, role)
        checked += 1
        status = response.status_code
        who = f"{case}, as {email}" if email else case
        if status >= 500 or (want and status not in want):
            wrong.append(f"{method} {url} ({rule.endpoint}, {who}): {status}, "
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


def make_token(app: Flask, organisation_id: int, name: str) -> str:
    from portal.accounts.models import Organisation
    from portal.api.tokens import create_token
    from portal.extensions import db

    with app.app_context():
        secret = create_token(db.session.get(Organisation, organisation_id), name)[1]
        db.session.commit()
    return secret


def api_tokens(app: Flask, world) -> dict[str, str]:
    """An API key of aanbieder A and one of gemeente Apeldoorn (keys belong to an organisation)."""
    return {"aanbieder": make_token(app, world.provider_a, "matrix"),
            "gemeente": make_token(app, world.apeldoorn, "matrix")}


@pytest.mark.parametrize("role", ["aanbieder", "gemeente"])
def test_api_routes_answer_a_token_as_the_policy_says(app, world, role):
    objects = make_objects(app, world)
    tokens = {None: api_tokens(app, world)[role]}
    for region in objects.elsewhere.values():
        tokens[region.gemeente_email] = make_token(app, region.gemeente_id, "matrix")
    client = app.test_client()
    wrong, checked = [], 0
    for rule in app.url_map.iter_rules():
        policy = getattr(app.view_functions[rule.endpoint], "access_policy", None)
        if not is_api(rule) or policy == PUBLIC:
            continue
        body = API_BODIES.get(rule.endpoint, {})
        for case in cases(rule):
            ids, email = case_for(rule, case, role, objects)
            headers = {"Authorization": f"Bearer {tokens[email]}"}
            url = url_for_rule(rule, ids)
            for method in sorted(rule.methods - NOT_SENT):
                if role not in policy:
                    want = {403}
                elif case in ("other", "cross"):
                    # Another tenant's object, or one under another parent, answers exactly as
                    # one that does not exist (a body may be refused before the object is looked
                    # up), and never with success.
                    missing = url_for_rule(rule, {**ids, **{
                        name: MISSING for name in rule.arguments if ARGUMENTS[name] == "tenant"
                        and (case == "other" or name in PARENT)}})
                    status = client.open(missing, method=method, headers=headers,
                                         json=body).status_code
                    want = {status} - set(range(200, 400))
                    assert want, f"{method} {missing}: {status}"
                elif method == "GET":
                    want = {200}
                else:
                    continue  # a change of one's own: the API's own tests
                status = client.open(url, method=method, headers=headers, json=body).status_code
                checked += 1
                if status not in want:
                    wrong.append(f"{method} {url} ({rule.endpoint}, {case}): {status}, "
                                 f"expected {sorted(want)}")
    assert wrong == [], "\n".join(wrong)
    assert checked > 10


# Bodies the API accepts for a change, so that the object is looked up rather than the body
# refused first (an empty body answers 422 for any object, and so would check nothing). Each is
# refused after the lookup (a stale lock_version, a date out of reach, a draft plan not yet
# handed in, nothing filled in), so even a route that let another tenant through changes nothing.
API_BODIES: dict[str, dict] = {
    "api_plannen.save_concept": {"lock_version": -1, "content": {}},
    "api_plannen.submit_plan": {"lock_version": -1},
    "api_plannen.review": {"action": "terugsturen"},
    "api_werkwijze.record_support_start": {"started_on": "2999-01-01"},
    "api_werkwijze.request_deviation": {"rule": "GEEN", "reason": ""},
    "api_werkwijze.decide_deviation": {"action": "afwijzen"},  # without a comment
    "api_werkwijze.ask_extra_evaluation": {"due": "2000-01-03"},
    "api_werkwijze.agree_date": {"replaces": "2000-01-03", "due": "2000-01-04"},
    "api_werkwijze.signal": {"missed": "2999-01-01"},
    "api_werkwijze.record_result": {"values": {}},
}
