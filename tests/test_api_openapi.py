"""The API's OpenAPI document: valid, complete (every route of /api/v1 in it, every operation with
its errors as problems), and the running app keeps to it. The property-based test lets Schemathesis
generate requests from the document, valid and invalid, for every operation, sends them to the
portal served by gunicorn, and checks that it never answers with a server error and never with a
response the document does not describe (status, content type, body schema, headers). Inside the
test suite every API response is checked against the document as well (API_VALIDATE_RESPONSES,
portal/api/validation.py), so each API test doubles as a check of the document."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal import create_app
from portal.api.validation import openapi_path
from portal.extensions import db
from tests.api_support import assert_problem, bearer, tokens  # noqa: F401
from tests.browser.plugin import WMO_PORTAL, served_demo
from tests.conftest import base_config
from tests.iwmo_messages import Client, Line, wmo323

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    # The document is built from the code alone: no database needed to read it.
    tmp = tmp_path_factory.mktemp("openapi")
    app = create_app(base_config(tmp, f"sqlite:///{tmp}/unused.sqlite3"))
    return app.test_client().get("/api/v1/openapi.json").get_json()


def test_the_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_in_the_document(document, tmp_path):
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path}/unused.sqlite3"))
    documented = {(path, method.upper()) for path, item in document["paths"].items()
                  for method in item if method in METHODS}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(("api-docs.",
                                                                              "api_docs_page.")):
            continue
        path = re.sub(r"<(?:[^>]*:)?(\w+)>", r"{\1}", rule.rule)
        routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_every_operation_documents_its_errors_as_problems(document):
    problem = document["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert "default" in operation["responses"], (method, path)
            assert operation.get("summary"), (method, path)  # from the view's docstring
            if method != "get":
                assert any(code.startswith("2") for code in operation["responses"]), path


# -- the property-based test, against the running app ---------------------------------------------
# The real portal served by gunicorn (tests/browser/plugin.py: the demo data, on SQLite or on the
# PostgreSQL run's server), with tokens of the demo aanbieder and of one of its gemeenten, an
# upload, an approved plan and a deviation asked, all made over HTTP. Schemathesis (4.x) loads
# the document from the server and generates requests for every operation: valid ones aimed at
# those real rows, and valid and invalid ones with whatever ids it draws. Its own pytest loader
# does not run under pytest 9, so each operation is a parametrized test that draws the cases with
# Hypothesis.

DEMO_AGB, DEMO_GEMEENTE = "98765432", "1771"  # the demo aanbieder, and one of its gemeenten
# The one list of what every response must satisfy.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
EXAMPLES = 7  # per operation and kind of case: about 700 requests, about a minute


def _operations() -> list[tuple[str, str, str]]:
    """Each operation of the document, with the role whose token calls it: the aanbieder's,
    unless the view's policy admits only a gemeente."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(base_config(Path(tmp), f"sqlite:///{tmp}/unused.sqlite3"))
        paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
        policies = {(openapi_path(rule.rule), method.lower()):
                    getattr(app.view_functions[rule.endpoint], "access_policy", None)
                    for rule in app.url_map.iter_rules() for method in rule.methods}
    return [(method.upper(), path,
             "aanbieder" if "aanbieder" in policies[(path, method)] else "gemeente")
            for path, item in paths.items() for method in item if method in METHODS]


@dataclass(frozen=True)
class Served:
    schema: object  # Schemathesis' view of the document the server serves
    tokens: dict[str, str]  # "aanbieder", "gemeente"
    ids: dict[str, object]  # a real value for each path parameter


def _token(env: dict, organisation: str) -> str:
    made = subprocess.run(WMO_PORTAL + ["create-token", "--org", organisation, "--name",
                                        "Schemathesis"], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return made.stdout.strip()


def _seed(base: str, tokens: dict[str, str]) -> dict[str, object]:
    """Over the API, as the parties' systems would: the aanbieder's declaration and plan for its
    B1 (02B01) toewijzing, approved by the gemeente, and a deviation the aanbieder asks; so every
    step of the plan's workflow has something real to act on."""
    from tests.test_plan_rules import GOOD

    aanbieder, gemeente = requests.Session(), requests.Session()
    aanbieder.headers["Authorization"] = f"Bearer {tokens['aanbieder']}"
    gemeente.headers["Authorization"] = f"Bearer {tokens['gemeente']}"
    api = f"{base}/api/v1"
    [toewijzing] = [t for t in aanbieder.get(f"{api}/toewijzingen", params={
        "product": "02B01", "per_page": 200}).json()["items"]
                    if t["gemeente"]["code"] == DEMO_GEMEENTE][:1]
    start, end = date.fromisoformat(toewijzing["ingangsdatum"]), toewijzing["einddatum"]
    plan = aanbieder.post(f"{api}/plannen", json={"toewijzing_id": toewijzing["id"],
                                                  "kind": "plan"}).json()
    moments = [{**GOOD[("geldrop_mierlo", "plan")]["doelen"][0], "evaluatiemoment": day}
               for day in (str(start + timedelta(days=150)), end)]
    content = {**GOOD[("geldrop_mierlo", "plan")], "doelen": moments,
               "startdatum_indicatie": str(start), "einddatum_indicatie": end,
               "datum_besproken": str(start + timedelta(days=19))}
    saved = aanbieder.put(f"{api}/plannen/{plan['id']}/concept", json={
        "lock_version": plan["lock_version"], "content": content})
    assert saved.status_code == 200, saved.text
    submitted = aanbieder.post(f"{api}/plannen/{plan['id']}/indienen",
                               json={"lock_version": saved.json()["plan"]["lock_version"]})
    assert submitted.status_code == 200, submitted.text
    approved = gemeente.post(f"{api}/plannen/{plan['id']}/beoordeling",
                             json={"action": "goedkeuren"})
    assert approved.status_code == 200, approved.text
    asked = aanbieder.post(f"{api}/plannen/{plan['id']}/afwijkingen", json={
        "rule": "GM-P4", "reason": "Cliënt opgenomen.",
        "new_due": str(start + timedelta(days=60))})
    assert asked.status_code == 200, asked.text
    line = Line("S1", toewijzing_nummer=toewijzing["toewijzing_nummer"],
                category=toewijzing["product_category"], code=toewijzing["product_code"])
    upload = aanbieder.post(f"{api}/declaraties", data=wmo323(
        [Client(toewijzing["client"]["bsn"], [line])], sender=DEMO_AGB, receiver=DEMO_GEMEENTE,
        identificatie="ST0001"), headers={"Content-Type": "application/xml"})
    assert upload.status_code == 201, upload.text
    return {"toewijzing_id": toewijzing["id"], "plan_id": plan["id"],
            "upload_id": upload.json()["id"], "code": toewijzing["region"], "kind": "plan",
            "deviation_id": asked.json()["deviations"][0]["id"]}


@pytest.fixture(scope="module")
def served(tmp_path_factory, request) -> Served:
    with served_demo(tmp_path_factory.mktemp("api"), request, "wmo_api_schemathesis",
                     API_VALIDATE_RESPONSES="true") as (base, env):
        tokens = {"aanbieder": _token(env, DEMO_AGB), "gemeente": _token(env, DEMO_GEMEENTE)}
        ids = _seed(base, tokens)
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json", timeout=30)
        yield Served(schema, tokens, ids)


@pytest.mark.db  # runs again on the PostgreSQL run, as the served portal's database
@pytest.mark.parametrize(("method", "path", "role"), _operations())
def test_generated_requests_get_no_server_error_and_documented_answers(served, method, path,
                                                                       role):
    operation = served.schema[path][method]
    headers = {"Authorization": f"Bearer {served.tokens[role]}"}
    real = {name: served.ids[name] for name in re.findall(r"{(\w+)}", path) if name in served.ids}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real),  # real rows
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=EXAMPLES * 3, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    call()


# -- every response checked against the document (portal/api/validation.py) ------------------------

def _break_the_catalogue(app) -> None:
    """The catalogue answers a region without its required fields, as a slip in a view would."""
    from portal.auth.policy import any_role

    app.view_functions["api_catalogus.regions"] = any_role(
        lambda: {"regions": [{"code": "midden_ijssel", "products": "geen lijst"}]})


def test_a_response_that_breaks_the_document_is_a_500_naming_the_mismatch(app, client, tokens,
                                                                          caplog):
    assert app.config["API_VALIDATE_RESPONSES"]  # on in the test configuration
    _break_the_catalogue(app)
    with caplog.at_level("ERROR", logger="portal"):
        response = client.get("/api/v1/regios", headers=bearer(tokens["aanbieder_a"]))
    body = assert_problem(response, 500, "klopt niet met het OpenAPI-document", "products",
                          "'name' is a required property")
    assert "(200)" in body["detail"]
    assert "GET /api/v1/regios -> 200" in caplog.text and "products" in caplog.text


def test_an_undocumented_content_type_is_a_500_as_well(app, client, tokens):
    from flask import Response

    from portal.auth.policy import any_role

    app.view_functions["api_catalogus.regions"] = any_role(
        lambda: Response("<regios/>", mimetype="application/xml"))
    assert_problem(client.get("/api/v1/regios", headers=bearer(tokens["aanbieder_a"])), 500,
                   "inhoudstype application/xml is niet beschreven", "application/json")


def test_without_the_check_as_in_production_the_response_goes_out_unchanged(app_config, tokens):
    unchecked = create_app({**app_config, "API_VALIDATE_RESPONSES": False})  # the same database
    _break_the_catalogue(unchecked)
    response = unchecked.test_client().get("/api/v1/regios", headers=bearer(tokens["aanbieder_a"]))
    assert response.status_code == 200
    assert response.get_json()["regions"][0]["products"] == "geen lijst"
    with unchecked.app_context():
        db.engine.dispose()


def test_production_settings_leave_the_check_off_and_test_settings_turn_it_on():
    from portal.config import settings_from_env

    assert settings_from_env(Path("/tmp"), {"WMO_ENV": "production"})[
        "API_VALIDATE_RESPONSES"] is False
    assert settings_from_env(Path("/tmp"), {"WMO_ENV": "test"})["API_VALIDATE_RESPONSES"] is True
    assert settings_from_env(Path("/tmp"), {"WMO_ENV": "demo", "API_VALIDATE_RESPONSES": "true"})[
        "API_VALIDATE_RESPONSES"] is True
