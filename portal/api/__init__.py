"""The JSON API under ``/api/v1/``, for providers' and municipalities' own software.

Framework: **flask-smorest** (marshmallow schemas, webargs request parsing, apispec for the OpenAPI
3 document). Chosen over APIFlask and flask-openapi3 because it is an extension of the plain Flask
app the portal already is: APIFlask and flask-openapi3 want their own application class, which
would change every page of the portal for the sake of the API. flask-smorest also leaves the error
format to us (every error is an RFC 9457 problem, portal.api.problems) and lets a view keep the
portal's one authorisation policy (``@roles``) as is. Request bodies and query parameters are
validated against the same schemas the document is generated from; unknown fields are refused.
Responses are checked against the document itself while testing (``API_VALIDATE_RESPONSES``,
portal.api.validation, with openapi-schema-validator).

The documentation page (``/api/v1/docs``) is rendered by the portal from the OpenAPI document, in
Jinja, with no JavaScript and nothing from a CDN, so it obeys the portal's Content-Security-Policy;
the document itself is at ``/api/v1/openapi.json``.

Authentication: ``Authorization: Bearer <token>`` only (portal.api.tokens, portal.api.core); the
API is exempt from CSRF because no browser session authenticates it. Each resource module reuses
the services the pages use, so the same rules and the same tenant filters apply.
"""

from __future__ import annotations

from flask import Flask

API_PREFIX = "/api/v1"


def init_app(app: Flask) -> None:
    """Register the API on the app: before the page policy runs (see portal.api.core)."""
    from portal.api import (
        berichten,
        catalogue,
        declaraties,
        docs,
        plannen,
        toewijzingen,
        werkwijze,
    )
    from portal.api.beheer import bp as beheer_bp
    from portal.api.core import PortalApi, authenticate
    from portal.api.problems import Problem, handle_problem
    from portal.auth.policy import public
    from portal.extensions import csrf

    app.config.setdefault("API_TITLE", "Wmo-portaal API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": docs.DESCRIPTION},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "Een API-sleutel van uw organisatie (begint met wmo_)."}}},
    })
    # Dutch text as text in JSON (cliënt, €), not \u escapes; only the API answers in JSON.
    app.json.ensure_ascii = False
    app.before_request(authenticate)
    api = PortalApi(app)
    for module in (catalogue, toewijzingen, declaraties, plannen, werkwijze, berichten):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX)
        csrf.exempt(module.blp)
    app.register_blueprint(docs.bp, url_prefix=API_PREFIX)
    app.register_blueprint(beheer_bp)
    # The document and its page are public: a client reads them before it has a token.
    serve_document = app.view_functions["api-docs.openapi_json"]
    app.view_functions["api-docs.openapi_json"] = public(lambda: serve_document())
    app.register_error_handler(Problem, handle_problem)
    app.extensions["wmo_api"] = api
    if app.config.get("API_VALIDATE_RESPONSES"):
        from portal.api import validation

        validation.init_app(app, api)
