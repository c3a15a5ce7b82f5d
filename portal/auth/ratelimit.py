"""Login rate limiting (Flask-Limiter): password guessing is slowed per client address and per
account, whatever the answer says.

Only failed attempts count (a successful login answers with a redirect), so people who log in and
out all day are never stopped. Limits:

- per client address: LOGIN_LIMIT_PER_ADDRESS failed logins (one office behind one address gets
  room for several people mistyping);
- per typed e-mail address: LOGIN_LIMIT_PER_ACCOUNT failed logins, from any address (guessing one
  account's password from many addresses). Unknown addresses count the same as known ones, so the
  limit tells nothing about which accounts exist.

Storage: the portal's own database (``portal-db://``, portal.auth.ratelimit_store), shared by
every gunicorn worker and every app server that shares the database, and kept across restarts.
WMO_RATELIMIT_STORAGE_URI may name another storage of the `limits` library instead (for example
``redis://host:6379``; ``memory://`` counts inside each worker process, so N workers on M servers
would give an attacker N × M times the limit). Behind a reverse proxy the client address must be
the proxy's X-Forwarded-For (configure the proxy and Werkzeug's ProxyFix), or every attempt counts
against the proxy's address.
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.auth.ratelimit_store import SCHEME  # registers the portal-db:// storage

LOGIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
LOGIN_LIMIT_PER_ACCOUNT = "5 per 10 minutes"
TOO_MANY = ("Te veel mislukte inlogpogingen. Wacht tien minuten en probeer het dan opnieuw; "
            "weet u uw wachtwoord niet meer, vraag dan de beheerder van de portal om hulp.")

limiter = Limiter(get_remote_address)


def typed_account() -> str:
    """The key of the per-account limit: the e-mail address as typed (normalised as the login
    does), hashed, so the storage holds no addresses."""
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()


def failed_login(response) -> bool:
    """A successful login redirects; a failed one shows the form again."""
    return response.status_code != 302


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          os.environ.get("WMO_RATELIMIT_STORAGE_URI") or f"{SCHEME}://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)  # tells a guesser nothing extra
    limiter.init_app(app)

    @app.errorhandler(429)
    def too_many_attempts(_error):
        return render_template("error.html", title="Te veel pogingen", message=TOO_MANY), 429


def limit_login(view):
    """Decorate the login view with both limits, for posted attempts only."""
    per_account = limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, key_func=typed_account, methods=["POST"],
                                deduct_when=failed_login, scope="login-account")
    per_address = limiter.limit(LOGIN_LIMIT_PER_ADDRESS, methods=["POST"],
                                deduct_when=failed_login, scope="login-address")
    return per_address(per_account(view))
