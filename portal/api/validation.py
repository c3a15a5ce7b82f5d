"""Every API response checked against the OpenAPI document, while testing.

flask-smorest generates the document from the schemas and validates each request against them;
what a view answers it only serialises (``@blp.response`` drops unknown keys, it checks nothing).
With ``API_VALIDATE_RESPONSES`` on (the test configuration; off in production, where a check per
response would cost time and a mismatch is better answered than refused), an ``after_request``
hook holds each response of a documented operation against the document itself:

- its status must be documented for the operation (or fall under ``default``);
- a response with a body must have a documented content type;
- a JSON body (``application/json``, ``application/problem+json``) must validate against that
  response's schema, with openapi-schema-validator (jsonschema with OpenAPI 3.0's ``nullable``,
  ``readOnly`` and formats).

A mismatch is logged (the app's logger: method, path, status and what is wrong) and the
response becomes a 500 problem naming it, so every API test doubles as a check of the document.
"""

from __future__ import annotations

import re
from flask import Flask, Response, current_app, json, request
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

from portal.api.problems import PROBLEM_MIMETYPE, problem_response

JSON_TYPES = ("application/json", PROBLEM_MIMETYPE)
# werkzeug's <int(min=1):plan_id> is OpenAPI's {plan_id}
_ARGUMENT = re.compile(r"<(?:[^>]*:)?(\w+)>")


def init_app(app: Flask, api) -> None:
    checker = ResponseChecker(api)
    app.after_request(checker)


def openapi_path(rule: str) -> str:
    return _ARGUMENT.sub(r"{\1}", rule)


class ResponseChecker:
    """The after_request hook; the document and a validator per response schema are built once
    (the routes do not change while the app runs)."""

    def __init__(self, api) -> None:
        self.api = api
        self._document: dict | None = None
        self._validators: dict[str, OAS30ReadValidator] = {}

    def __call__(self, response: Response) -> Response:
        rule = request.url_rule
        if rule is None or not request.path.startswith("/api/"):
            return response  # no route: its 404/405 is a problem, not an operation's answer
        operation = self.document["paths"].get(openapi_path(rule.rule), {}).get(
            request.method.lower())
        if operation is None:
            return response  # the document itself, its page, HEAD and OPTIONS
        mismatch = self.mismatch(operation, response)
        if mismatch is None:
            return response
        current_app.logger.error("API response does not match the OpenAPI document: "
                                 "%s %s -> %s: %s", request.method, request.path,
                                 response.status_code, mismatch)
        return problem_response(500, f"Het antwoord ({response.status_code}) klopt niet met het "
                                     f"OpenAPI-document: {mismatch}")

    @property
    def document(self) -> dict:
        if self._document is None:
            self._document = self.api.spec.to_dict()
        return self._document

    def mismatch(self, operation: dict, response: Response) -> str | None:
        responses = operation["responses"]
        described = responses.get(str(response.status_code)) or responses.get("default")
        if described is None:
            return f"status {response.status_code} is niet beschreven"
        content = self._resolve(described).get("content") or {}
        # A file sent as is is not read here (that would consume it); its type is checked.
        body = b"" if response.direct_passthrough else response.get_data()
        if not body and not response.direct_passthrough:
            return None
        mimetype = response.mimetype
        if mimetype not in content:
            return (f"inhoudstype {mimetype} is niet beschreven (wel: "
                    f"{', '.join(content) or 'geen inhoud'})")
        schema = content[mimetype].get("schema")
        if schema is None or mimetype not in JSON_TYPES or not body:
            return None
        try:
            instance = json.loads(body)
        except ValueError:
            return "de inhoud is geen JSON"
        errors = sorted(self._validator(schema).iter_errors(instance),
                        key=lambda e: [str(p) for p in e.absolute_path])
        if not errors:
            return None
        return "; ".join(f"{'/'.join(str(p) for p in e.absolute_path) or '(inhoud)'}: "
                         f"{e.message}" for e in errors[:5])

    def _resolve(self, item: dict) -> dict:
        while "$ref" in item:
            node = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item

    def _validator(self, schema: dict) -> OAS30ReadValidator:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            # The schema's $refs point into the document's components: give it them as its root.
            root = {**schema, "components": self.document.get("components", {})}
            self._validators[key] = OAS30ReadValidator(root, format_checker=oas30_format_checker)
        return self._validators[key]
