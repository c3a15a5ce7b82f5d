"""Builds the Flask application: settings, extensions, region plugins, blueprints, safety nets.

No business logic here; each feature package owns its routes and services.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import formatting
from portal.audit import recorder
from portal.auth import ratelimit
from portal.auth.policy import enforce_access
from portal.config import ensure_secret_key, settings_from_env
from portal.extensions import csrf, db, login_manager, migrate
from portal.plugins.manager import RegionRegistry

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def build_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask("portal", instance_path=_instance_path(config))
    app.config.update(settings_from_env(Path(app.instance_path)))
    app.config.update(config or {})
    ensure_secret_key(app.config, Path(app.instance_path))
    _configure_web_safety(app)

    _init_database(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te openen."
    csrf.init_app(app)
    ratelimit.init_app(app)
    recorder.init_app(app)

    app.extensions["wmo_regions"] = RegionRegistry.create(
        app.config,
        plugins=app.config.get("WMO_PLUGINS", ()),
        load_entry_points=app.config["WMO_LOAD_ENTRY_POINTS"],
    )

    _register_blueprints(app)
    _keep_deadlines_stored(app)
    formatting.init_app(app)
    app.before_request(enforce_access)
    app.after_request(_security_headers)
    _register_error_pages(app)
    return app


def _instance_path(config: Mapping[str, Any] | None) -> str | None:
    if config and config.get("INSTANCE_PATH"):
        return str(config["INSTANCE_PATH"])
    return None


def _configure_web_safety(app: Flask) -> None:
    # The limit is per file (MAX_UPLOAD_MB, checked by the upload itself with a clear message);
    # the request may be a little larger for the form around the file.
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_NAME"] = "wmo_portal_session"
    app.config["WTF_I18N_ENABLED"] = False  # see portal.forms.Form
    app.session_interface = HttpsAwareSessionInterface()


def _keep_deadlines_stored(app: Flask) -> None:
    from portal.deadlines import store

    store.init_app(app)


def _init_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    import portal.models  # noqa: F401  (every table known before migrations compare)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless asked, per connection; PostgreSQL always enforces them.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from portal.accounts.routes import bp as accounts_bp
    from portal.auth.routes import bp as auth_bp
    from portal.berichten.routes import bp as berichten_bp
    from portal.clients.routes import bp as clients_bp
    from portal.contracts.routes import bp as contracts_bp
    from portal.dashboard.routes import bp as dashboard_bp
    from portal.declaraties.routes import bp as declaraties_bp
    from portal.plans.routes import bp as plans_bp
    from portal.regions.routes import bp as regions_bp
    from portal.toewijzingen.routes import bp as toewijzingen_bp

    for blueprint in (auth_bp, dashboard_bp, clients_bp, toewijzingen_bp, accounts_bp, regions_bp,
                      contracts_bp, berichten_bp, plans_bp, declaraties_bp):
        app.register_blueprint(blueprint)
    # The JSON API authenticates by token before the page policy runs, so it is set up here.
    from portal import api

    api.init_app(app)
    # Static files are public: the login page needs its stylesheet.
    app.view_functions["static"].access_policy = "public"


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        # Pages hold citizens' data: never keep them in a shared cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


# A database that failed under a request (connection lost, deadlock, lock or pool timeout, disk
# full): passing trouble, not a bug, so 503 and "try again" rather than 500.
DATABASE_TROUBLE = (OperationalError, InterfaceError, PoolTimeout)
NOTHING_SAVED = "Er ging iets mis bij het opslaan; er is niets opgeslagen. Probeer het opnieuw."
PARTLY_SAVED = ("Er ging iets mis bij het opslaan; de laatste stap is niet opgeslagen. Open de "
                "pagina opnieuw om te zien wat er wel staat, en probeer het dan nog eens.")
NOT_READ = "De gegevens konden nu niet worden gelezen. Probeer het zo opnieuw."
DATABASE_TROUBLE_TITLE = "Niet gelukt"
# Optimistic locking (a plan's lock_version) refused a write, or a unique row was written by
# another request first: someone changed the data between this request's reading and writing
# it. Views that can say more (the plan form, the API's changes) catch it first.
CHANGED_MEANWHILE = ("Iemand anders wijzigde dit tegelijk met u; uw wijziging is niet "
                     "opgeslagen. Open de pagina opnieuw en kijk wat er nu staat.")


@event.listens_for(Session, "after_commit")
def _note_commit(session) -> None:
    # The database error page says "nothing saved" only when the request committed nothing
    # before the error (an upload commits its bytes first, then processes them). A savepoint's
    # release fires this too, but keeps nothing until the transaction commits.
    if has_request_context() and not session.in_nested_transaction():
        g.database_committed = True


def note_database_trouble(error: Exception) -> str:
    """Log a database failure under this request; returns what the user is told (Dutch)."""
    current_app.logger.error("database error under %s %s", request.method, request.path,
                             exc_info=error)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return NOT_READ
    return PARTLY_SAVED if g.get("database_committed") else NOTHING_SAVED


ERROR_PAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt. Probeer het opnieuw."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina."),
    404: ("Niet gevonden", "Deze pagina bestaat niet, of u heeft er geen toegang toe."),
    405: ("Niet toegestaan", "Deze handeling is op deze pagina niet mogelijk."),
    413: ("Bestand te groot", None),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Er is niets half opgeslagen; "
                              "probeer het later opnieuw."),
}


def _error_page(code: int, title: str, message: str, back: str | None = None):
    """The error page; after a server-side error the request's writes are rolled back first (a
    failed flush leaves the session unusable, and the page reads the user for its menu). When
    even that read fails (the database is gone), a page that needs nothing from it."""
    if code >= 500:
        db.session.rollback()
    try:
        return render_template("error.html", title=title, message=message, back=back), code
    except DATABASE_TROUBLE:
        db.session.rollback()
        page = (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>'
                f'{escape(title)} · Wmo-portaal</title></head><body><main><h1>{escape(title)}'
                f'</h1><p>{escape(message)}</p></main></body></html>')
        return page, code


def _same_site_referrer() -> str | None:
    """The page the failed form came from, to go back to (only one of the portal's own)."""
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else None


def _register_error_pages(app: Flask) -> None:
    from portal.api.problems import is_api_request, problem_for_http_error, problem_response

    def render_error(code: int, message: str | None = None, error=None):
        if is_api_request():  # an API client gets problem details, never an HTML page
            return problem_for_http_error(error if error is not None else InternalServerError())
        title, default = ERROR_PAGES[code]
        return _error_page(code, title, message or default)

    for code in ERROR_PAGES:
        if code == 413:
            continue
        app.register_error_handler(code, lambda e, code=code: render_error(code, error=e))

    @app.errorhandler(413)
    def too_large(error):
        return render_error(413, f"Het bestand is groter dan de toegestane "
                                 f"{app.config['MAX_UPLOAD_MB']} MB.", error)

    def database_trouble(error):
        # One handler for every route: whatever the request wrote is rolled back (one
        # transaction per submission), and the user is told so in Dutch; never a traceback.
        message = note_database_trouble(error)
        if is_api_request():
            db.session.rollback()
            return problem_response(503, message)
        return _error_page(503, DATABASE_TROUBLE_TITLE, message, back=_same_site_referrer())

    for trouble in DATABASE_TROUBLE:
        app.register_error_handler(trouble, database_trouble)

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def changed_meanwhile(error):
        # Logged: a unique row refused by the database can also be a bug, not a race.
        app.logger.warning("refused as changed meanwhile under %s %s", request.method,
                           request.path, exc_info=error)
        db.session.rollback()
        if is_api_request():
            return problem_response(409, CHANGED_MEANWHILE)
        return _error_page(409, "Tegelijk gewijzigd", CHANGED_MEANWHILE,
                           back=_same_site_referrer())

    @app.errorhandler(HTTPException)
    def other_http_errors(error):
        # Codes without a page of their own (401, 409, 415, 422, ...): a problem for the API,
        # Werkzeug's own answer elsewhere.
        return problem_for_http_error(error) if is_api_request() else error

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        db.session.rollback()
        if "referrer" in (error.description or "").lower():
            return render_error(400, "Uw browser gaf niet mee van welke pagina het formulier "
                                     "kwam (Referer-header), en over https is dat verplicht. "
                                     "Sta de Referer voor dit portaal toe en probeer het opnieuw.")
        return render_error(400, "Het formulier is verlopen of onvolledig verzonden "
                                 "(beveiligingscode ontbreekt). Laad de pagina opnieuw en "
                                 "probeer het nog eens.")
