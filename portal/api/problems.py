"""Every API error as RFC 9457 problem details (``application/problem+json``), in Dutch.

A problem has ``type`` (a link to its explanation on the API's documentation page), ``title``,
``status``, ``detail`` (what is wrong, in Dutch) and ``instance`` (the request path); a validation
problem adds ``errors``: one entry per finding, with a JSON pointer into the body (``pointer``) or
the name of the query parameter or header (``parameter``, ``header``), and its ``detail``.

Views raise :class:`Problem`; the error handlers of the app (portal.app) turn any other HTTP error
on an API path into a problem through :func:`problem_for_http_error`, so no HTML page and no
traceback ever reaches an API client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Response, current_app, json, request

PROBLEM_MIMETYPE = "application/problem+json"
API_PREFIX = "/api/"

# status: (type slug, title, default detail). The slugs are anchors on the documentation page.
KINDS: dict[int, tuple[str, str, str]] = {
    400: ("ongeldig-verzoek", "Ongeldig verzoek",
          "Het verzoek kon niet worden gelezen."),
    401: ("niet-aangemeld", "Niet aangemeld",
          "Stuur een geldige API-sleutel mee als 'Authorization: Bearer <sleutel>'."),
    403: ("geen-toegang", "Geen toegang",
          "Deze API-sleutel mag deze handeling niet uitvoeren."),
    404: ("niet-gevonden", "Niet gevonden",
          "Dit bestaat niet, of deze API-sleutel heeft er geen toegang toe."),
    405: ("methode-niet-toegestaan", "Methode niet toegestaan",
          "Deze HTTP-methode is op dit adres niet mogelijk."),
    406: ("niet-aanvaardbaar", "Niet aanvaardbaar",
          "De API antwoordt alleen in de gevraagde vorm die hier beschreven staat."),
    409: ("conflict", "Conflict",
          "Het verzoek botst met de huidige toestand."),
    413: ("te-groot", "Verzoek te groot",
          "Het verzoek is groter dan is toegestaan."),
    415: ("verkeerd-inhoudstype", "Verkeerd inhoudstype",
          "Het inhoudstype (Content-Type) van het verzoek wordt hier niet aangenomen."),
    422: ("ongeldige-invoer", "Ongeldige invoer",
          "De invoer is niet geldig; zie 'errors' voor elk veld."),
    503: ("niet-verwerkt", "Niet verwerkt",
          "Het verzoek kon nu niet worden verwerkt; probeer het later opnieuw."),
    500: ("serverfout", "Er ging iets mis",
          "Er ging iets mis aan onze kant. Er is niets half opgeslagen; probeer het later "
          "opnieuw."),
}


class Problem(Exception):
    """An API error: raised by a view, answered as problem details."""

    def __init__(self, status: int, detail: str | None = None,
                 errors: list[dict] | None = None, headers: Mapping[str, str] | None = None):
        super().__init__(detail or "")
        self.status, self.detail, self.errors = status, detail, errors
        self.headers = dict(headers or {})


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem_response(status: int, detail: str | None = None, errors: list[dict] | None = None,
                     headers: Mapping[str, str] | None = None) -> Response:
    slug, title, default = KINDS.get(status, KINDS[500] if status >= 500 else KINDS[400])
    body: dict[str, Any] = {"type": f"/api/v1/docs#probleem-{slug}", "title": title,
                            "status": status, "detail": detail or default,
                            "instance": request.path}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False),
                                          status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_problem(problem: Problem) -> Response:
    return problem_response(problem.status, problem.detail, problem.errors, problem.headers)


def problem_for_http_error(error) -> Response:
    """An HTTP error (abort(404), a body too large, webargs' 422, ...) on an API path."""
    from portal.extensions import db

    code = getattr(error, "code", None) or 500
    if code >= 500:
        db.session.rollback()
    headers = {}
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if code == 413:
        limit = request.max_content_length or current_app.config.get("MAX_CONTENT_LENGTH")
        return problem_response(413, f"Het verzoek is groter dan de toegestane "
                                     f"{_size(limit)}.", headers=headers)
    if code == 400 and messages and _invalid_json(messages):
        return problem_response(400, "De inhoud van het verzoek is geen geldige JSON.")
    if messages:
        errors = list(field_errors(messages))
        return problem_response(422 if code == 400 else code,
                                "De invoer is niet geldig: " + "; ".join(
                                    f"{_where(e)}: {e['detail']}" for e in errors[:5])
                                + (" (en meer)" if len(errors) > 5 else "") + ".",
                                errors, headers)
    return problem_response(code, None, headers=headers)


def _invalid_json(messages: Mapping) -> bool:
    return any(value == ["Invalid JSON body."] for value in messages.values())


def _size(limit: int | None) -> str:
    if not limit:
        return "grootte"
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.0f} MB"
    return f"{limit // 1024} kB"


def _where(error: dict) -> str:
    if "pointer" in error:
        return error["pointer"].removeprefix("#/") or "inhoud"
    return error.get("parameter") or error.get("header") or "verzoek"


def field_errors(messages: Mapping) -> Iterable[dict]:
    """webargs' {location: {field: [messages]}} as RFC 9457 entries, messages in Dutch."""
    for location, fields in messages.items():
        for path, message in _flatten(fields, ()):
            detail = dutch(message)
            if location in ("json", "form", "files", "json_or_form"):
                yield {"pointer": "#/" + "/".join(path), "detail": detail}
            elif location == "headers":
                yield {"header": path[0] if path else "", "detail": detail}
            else:
                yield {"parameter": ".".join(path), "detail": detail}


def _flatten(value: Any, path: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], str]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _flatten(inner, (*path, str(key).replace("~", "~0").replace("/", "~1")))
    elif isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value):
            for item in value:
                yield path, item
        else:
            for item in value:
                yield from _flatten(item, path)
    else:
        yield path, str(value)


# marshmallow's own messages, in Dutch. Our validators pass Dutch messages themselves.
_DUTCH = {
    "Missing data for required field.": "Dit veld is verplicht.",
    "Field may not be null.": "Dit veld mag niet leeg (null) zijn.",
    "Unknown field.": "Onbekend veld.",
    "Invalid input type.": "Ongeldig soort invoer.",
    "Invalid value.": "Ongeldige waarde.",
    "Not a valid integer.": "Geen geldig geheel getal.",
    "Not a valid number.": "Geen geldig getal.",
    "Not a valid string.": "Geen geldige tekst.",
    "Not a valid boolean.": "Geen geldige ja/nee-waarde (true of false).",
    "Not a valid date.": "Geen geldige datum; schrijf JJJJ-MM-DD.",
    "Not a valid datetime.": "Geen geldig tijdstip (ISO 8601).",
    "Not a valid mapping type.": "Verwacht een object ({...}).",
    "Not a valid list.": "Verwacht een lijst ([...]).",
    "Not a valid email address.": "Geen geldig e-mailadres.",
    "Invalid JSON body.": "De inhoud is geen geldige JSON.",
    "Not a valid tuple.": "Verwacht een lijst ([...]).",
    "Cannot be null.": "Dit veld mag niet leeg (null) zijn.",
    "Number too large.": "Het getal is te groot.",
    "Not a valid choice.": "Geen geldige keuze.",
}
_ONE_OF = re.compile(r"Must be one of: (.*)\.")


def dutch(message: str) -> str:
    if message in _DUTCH:
        return _DUTCH[message]
    match = _ONE_OF.fullmatch(message)
    if match:
        return f"Kies uit: {match.group(1)}."
    return message
