"""What every API request goes through: the token, the role, the content type and size, and, for a
change, one transaction with its Idempotency-Key.

Order per request: :func:`authenticate` runs before the portal's page policy
(portal.auth.policy.enforce_access); it finds the token, makes the token's account the current user
(so the policy, the tenant filters and the audit log see it, and the session cookie is never read),
refuses a role the view does not declare with 403, and checks the content type (415) and sets the
size limit (413). Then the view runs.
"""

from __future__ import annotations

import hashlib
import http
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from flask_smorest import Api, Blueprint
from flask_smorest.spec import prepare_response
from marshmallow import RAISE
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from webargs.flaskparser import FlaskParser

from portal.api.problems import PROBLEM_MIMETYPE, Problem, is_api_request
from portal.api.schemas import ProblemSchema
from portal.auth.policy import PUBLIC, policy_of
from portal.extensions import db, login_manager, utcnow

JSON = "application/json"
JSON_MAX_BYTES = 1024 * 1024  # a plan or a toewijzing is a few kB; larger is a mistake
IDEMPOTENCY_HOURS = 24  # how long a response is kept for a retry with the same key
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A database id in a URL: 1 up to PostgreSQL's integer. A larger number finds no route (404)
# instead of overflowing the query; the OpenAPI document states the range.
ID = "int(min=1, max=2147483647)"


class PortalApi(Api):
    """flask-smorest's Api with the portal's error format: every documented error is a problem
    (application/problem+json), and the app's own handlers answer errors (portal.app)."""

    def _register_error_handlers(self):
        pass  # portal.api.init_app registers the problem handlers

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Een fout, als probleem volgens RFC 9457 (Nederlands).",
                    "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class ApiBlueprint(Blueprint):
    """A resource of the API. An unknown field is refused wherever it is sent: webargs would
    silently drop an unknown query parameter, so a misspelt filter would return everything."""

    ARGUMENTS_PARSER = FlaskParser(unknown=RAISE)

    def problem(self, status: int, description: str):
        """Document an error a view answers, with what it means there: a problem (RFC 9457), as
        every error is (alt_response alone would document it without a body)."""
        return self.alt_response(status, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE,
                                 description=description)


def consumes(*mimetypes: str, max_bytes: int | None = None) -> Callable:
    """The content types a view takes (default: JSON) and its largest body (default: 1 MB;
    ``max_bytes=0`` keeps the app's upload limit)."""

    def decorate(view: Callable) -> Callable:
        view.api_consumes = frozenset(mimetypes)
        view.api_max_bytes = max_bytes
        return view

    return decorate


def authenticate() -> None:
    """before_app_request, registered before the page policy: see the module docstring."""
    if not is_api_request() or request.endpoint is None:
        return  # no route: the 404/405 handler answers with a problem
    policy = policy_of(request.endpoint)
    if policy == PUBLIC:
        return
    from portal.api.tokens import verify

    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="wmo-portal"'}
    if scheme.lower() != "bearer" or not secret.strip():
        raise Problem(401, "Stuur een API-sleutel mee als 'Authorization: Bearer <sleutel>'. "
                           "Beheer maakt sleutels aan; een sessie van de browser geldt hier "
                           "niet.", headers=challenge)
    verdict = verify(secret.strip())
    if verdict.token is None:
        raise Problem(401, verdict.problem, headers={
            "WWW-Authenticate": 'Bearer realm="wmo-portal", error="invalid_token"'})
    account = verdict.token.user
    # The token's account is the current user for this request: the page policy, the tenant
    # filters and the audit log all see it. The session is never consulted.
    login_manager._update_request_context_with_user(account)
    g.api_token = verdict.token
    if policy is not None and account.role not in policy:
        allowed = " of ".join(sorted(policy))
        raise Problem(403, f"Dit kan alleen met een sleutel van een {allowed}; deze sleutel is "
                           f"van een {account.role}.")
    _check_body(current_app.view_functions[request.endpoint])


def _check_body(view) -> None:
    if request.method not in WRITE_METHODS:
        return
    accepted = getattr(view, "api_consumes", frozenset({JSON}))
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()
    if has_body and request.mimetype not in accepted:
        got = request.mimetype or "geen Content-Type"
        raise Problem(415, f"Dit adres neemt {' of '.join(sorted(accepted))} aan, niet {got}.")
    limit = getattr(view, "api_max_bytes", None)
    if limit != 0:
        request.max_content_length = limit or JSON_MAX_BYTES


# -- one transaction per change, with Idempotency-Key --------------------------------------------

def mutation(view: Callable) -> Callable:
    """Run a changing view in one transaction and commit it; with an ``Idempotency-Key`` header,
    keep the successful response with the change, so a retry with the same key and the same
    request gets that response again (header ``Idempotent-Replayed: true``) and changes nothing;
    the same key with another request is refused (422)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return _commit(view, args, kwargs)
        if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
            raise Problem(400, "De Idempotency-Key is 1 tot 255 leesbare ASCII-tekens.",
                          [{"header": "Idempotency-Key", "detail": "Ongeldige sleutel."}])
        fingerprint = _fingerprint()
        earlier = _kept(key)
        if earlier is not None:
            return _replay(earlier, fingerprint)
        try:
            response = _run(view, args, kwargs)
        except IntegrityError:
            # A unique row written at the same moment, most likely by this request's twin.
            winner = _kept(key)
            if winner is None:
                raise Problem(409, _AT_THE_SAME_TIME) from None
            return _replay(winner, fingerprint)
        if not 200 <= response.status_code < 300:
            db.session.commit()  # an error changed nothing; a retry is judged afresh
            return response
        from portal.api.models import IdempotencyKey

        db.session.add(IdempotencyKey(
            token_id=g.api_token.id, key=key, fingerprint=fingerprint,
            status_code=response.status_code, content_type=response.content_type or JSON,
            location=response.headers.get("Location"), body=response.get_data(),
            created_at=utcnow()))
        try:
            db.session.commit()
        except IntegrityError:
            # The same key at the same moment: the other request won; this one did nothing.
            db.session.rollback()
            winner = _kept(key)
            if winner is None:
                raise Problem(409, "Een verzoek met dezelfde Idempotency-Key wordt nog "
                                   "verwerkt; probeer het zo opnieuw.") from None
            return _replay(winner, fingerprint)
        return response

    return wrapper


_AT_THE_SAME_TIME = ("Een ander verzoek legde tegelijk hetzelfde vast (bijvoorbeeld hetzelfde "
                     "toewijzingnummer); er is niets opgeslagen. Lees de huidige stand en "
                     "probeer het zo nodig opnieuw.")


def _run(view, args, kwargs):
    try:
        return current_app.make_response(view(*args, **kwargs))
    except Exception:
        db.session.rollback()
        raise


def _commit(view, args, kwargs):
    try:
        response = _run(view, args, kwargs)
        db.session.commit()
    except IntegrityError:
        # Two requests passed the same uniqueness check at once; the database refused the later.
        db.session.rollback()
        raise Problem(409, _AT_THE_SAME_TIME) from None
    return response


def _kept(key: str):
    from portal.api.models import IdempotencyKey

    token_id = g.api_token.id
    cutoff = utcnow() - timedelta(hours=IDEMPOTENCY_HOURS)
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.token_id == token_id,
                                                    IdempotencyKey.created_at < cutoff))
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.token_id == token_id,
                                                          IdempotencyKey.key == key))


def _replay(earlier, fingerprint: str):
    if earlier.fingerprint != fingerprint:
        db.session.rollback()
        raise Problem(422, "Deze Idempotency-Key is al gebruikt voor een ander verzoek (een "
                           "andere inhoud of een ander adres). Gebruik voor elk nieuw verzoek "
                           "een nieuwe sleutel; een herhaling stuurt precies hetzelfde.",
                      [{"header": "Idempotency-Key", "detail": "Al gebruikt voor een ander "
                                                               "verzoek."}])
    response = current_app.response_class(earlier.body, status=earlier.status_code,
                                          content_type=earlier.content_type)
    if earlier.location:
        response.headers["Location"] = earlier.location
    response.headers["Idempotent-Replayed"] = "true"
    db.session.commit()  # the expired keys removed by _kept
    return response


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}?{request.query_string.decode()}"
                            .encode())
    if request.mimetype == "multipart/form-data":
        # The boundary differs per retry; the fields and files do not.
        for name in sorted(request.form):
            digest.update(f"\0{name}={request.form.getlist(name)}".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            digest.update(f"\0{name}:{upload.filename}:".encode())
            digest.update(upload.stream.read())
            upload.stream.seek(0)
    else:
        digest.update(f"\0{request.mimetype}\0".encode())
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()
