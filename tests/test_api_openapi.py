"""The API's OpenAPI document: valid, complete (every route of /api/v1 in it, every operation with
its errors as problems), and the running app keeps to it. The property-based test lets Schemathesis
generate requests from the document, valid and invalid, for every operation, and checks that the
app never answers with a server error and never with a response the document does not describe
(status, content type, body schema, headers)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal import create_app
from portal.extensions import db
from tests.api_support import assert_problem, bearer, tokens  # noqa: F401
from tests.conftest import base_config

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


# -- the property-based test -----------------------------------------------------------------------
# Schemathesis' own pytest loader (from_fixture) does not run under pytest 9, so each operation is
# a parametrized test that draws Schemathesis' generated cases with Hypothesis itself.

def _operations() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(base_config(Path(tmp), f"sqlite:///{tmp}/unused.sqlite3"))
        paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item
            if method in METHODS]


# Operations that only a gemeente may call; the others are called with an aanbieder's token.
GEMEENTE_OPERATIONS = {("POST", "/api/v1/toewijzingen"), ("POST", "/api/v1/toewijzingen/wmo301"),
                       ("POST", "/api/v1/plannen/{plan_id}/beoordeling")}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


@pytest.mark.parametrize(("method", "path"), _operations())
def test_generated_requests_get_no_server_error_and_documented_answers(app, world, tokens,
                                                                       method, path):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    headers = bearer(tokens["apeldoorn" if (method, path) in GEMEENTE_OPERATIONS
                            else "aanbieder_a"])

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

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
