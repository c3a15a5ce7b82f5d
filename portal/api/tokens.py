"""Creating, checking and revoking API tokens.

A token is ``wmo_`` followed by 43 random URL-safe characters (256 bits). It is shown once, when it
is made (beheer's page or ``wmo-portal create-token``); the portal keeps only its SHA-256, its
first characters (to recognise it in a list), its organisation, who made it, when it expires and
whether it was revoked. Each token acts through an account of its own (portal.api.models).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import Organisation, User
from portal.accounts.roles import ORGANISATION_KIND_OF_ROLE
from portal.accounts.services import InvalidInput
from portal.api.models import ApiToken
from portal.audit.recorder import record
from portal.auth.passwords import hash_password
from portal.extensions import db, utcnow

TOKEN_PREFIX = "wmo_"
SHOWN_PREFIX = 12  # "wmo_" and 8 characters: enough to tell tokens apart in a list
DEFAULT_DAYS = 365
MAX_DAYS = 2 * 365
# The role a token's account gets: the role that belongs to its organisation's kind.
ROLE_OF_KIND = {kind: role for role, kind in ORGANISATION_KIND_OF_ROLE.items() if kind}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(organisation: Organisation | None, name: str, days: int | None = DEFAULT_DAYS,
                 created_by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for the organisation; returns it with the secret, which is never stored.
    Raises InvalidInput (Dutch message per field); the caller commits."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if organisation is None or organisation.kind not in ROLE_OF_KIND:
        errors["organisation_id"] = "Kies de aanbieder of gemeente waarvoor de sleutel is."
    if not name or len(name) > 100:
        errors["name"] = "Geef de sleutel een naam van 1 tot 100 tekens, bijvoorbeeld het systeem."
    if days is not None and not 1 <= days <= MAX_DAYS:
        errors["days"] = f"Een sleutel is 1 tot en met {MAX_DAYS} dagen geldig."
    if errors:
        raise InvalidInput(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    # The token's own account: nobody can log in with it (a random password nobody is told).
    # It stays active: Flask-Login treats an inactive user as not authenticated, and beheer
    # switching the account off (Gebruikers) stops the token too.
    account = User(email=f"api-{secrets.token_hex(8)}@api-sleutel.invalid",
                   name=f"API-sleutel {name}"[:200], role=ROLE_OF_KIND[organisation.kind],
                   password_hash=hash_password(secrets.token_urlsafe(32)),
                   organisation=organisation)
    token = ApiToken(organisation=organisation, user=account, name=name,
                     prefix=secret[:SHOWN_PREFIX], token_hash=token_hash(secret),
                     created_by=created_by, created_at=utcnow(),
                     expires_at=utcnow() + timedelta(days=days) if days else None)
    db.session.add(token)
    db.session.flush()
    record("sleutel_maken", "api_token", token.id, {"organisatie": organisation.code})
    return token, secret


@dataclass(frozen=True)
class Verdict:
    token: ApiToken | None
    problem: str | None  # Dutch, when the token is refused


def verify(secret: str, now: datetime | None = None) -> Verdict:
    """The token a request presented, or why it is refused."""
    if not secret.startswith(TOKEN_PREFIX):
        return Verdict(None, "Dit is geen API-sleutel van deze portal (een sleutel begint met "
                             f"'{TOKEN_PREFIX}').")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None:
        return Verdict(None, "Deze API-sleutel is onbekend.")
    now = now or utcnow()
    if token.revoked_at is not None:
        return Verdict(None, f"Deze API-sleutel ({token.prefix}…) is ingetrokken op "
                             f"{_aware(token.revoked_at):%d-%m-%Y}.")
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        return Verdict(None, f"Deze API-sleutel ({token.prefix}…) is verlopen op "
                             f"{_aware(token.expires_at):%d-%m-%Y}; vraag beheer om een nieuwe.")
    if not token.user.active:
        return Verdict(None, f"Het account van deze API-sleutel ({token.prefix}…) is "
                             f"uitgeschakeld door beheer.")
    return Verdict(token, None)


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("sleutel_intrekken", "api_token", token.id)


def find_organisation(code: str) -> Organisation | None:
    """By AGB code (aanbieder, 8 digits) or CBS code (gemeente, 4 digits): never both."""
    return db.session.scalar(select(Organisation).where(Organisation.code == (code or "").strip()))


def _aware(moment: datetime) -> datetime:
    # SQLite returns moments without their time zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
