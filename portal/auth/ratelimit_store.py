"""A storage for the `limits` library in the portal's own database: ``portal-db://``.

Why: Flask-Limiter's default keeps its counts in the memory of each worker process, so with N
workers on M servers a password guesser gets N × M times the limit, and a restart forgets it. A
shared store usually means running Redis or memcached beside the portal; the portal already has one
store that every worker and every server shares, its database. Failed logins are rare, so a row per
key and window (table ``rate_limit_counter``) costs nothing worth a second service.

Each call uses its own short transaction on the portal's engine, apart from the request's session:
a count must stand whether or not the request's own work commits. Only the fixed-window strategy
(Flask-Limiter's default, the one portal.auth.ratelimit uses) is supported.
"""

from __future__ import annotations

import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from portal.auth.models import RateLimitCounter

SCHEME = "portal-db"

# One statement that starts a window or counts in the current one, on SQLite and PostgreSQL alike;
# concurrent attempts on one key serialise on its row, so none is lost.
_INCREMENT = text(
    "INSERT INTO rate_limit_counter (limit_key, hits, expires_at) VALUES (:key, :amount, :ends) "
    "ON CONFLICT (limit_key) DO UPDATE SET "
    "hits = CASE WHEN rate_limit_counter.expires_at <= :now THEN :amount "
    "ELSE rate_limit_counter.hits + :amount END, "
    "expires_at = CASE WHEN rate_limit_counter.expires_at <= :now THEN :ends "
    "ELSE rate_limit_counter.expires_at END "
    "RETURNING hits")


class PortalDatabaseStorage(Storage):
    STORAGE_SCHEME = [SCHEME]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @staticmethod
    def _engine():
        # The engine of the app handling the request (Flask-Limiter calls inside one).
        return current_app.extensions["sqlalchemy"].engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._engine().begin() as connection:
            # Windows long over go first, so keys typed once (an address, a guessed account) do not
            # pile up; the index on expires_at keeps this cheap.
            connection.execute(delete(RateLimitCounter).where(
                RateLimitCounter.expires_at < now - expiry))
            return connection.execute(_INCREMENT, {
                "key": key, "amount": amount, "now": now, "ends": now + expiry}).scalar_one()

    def get(self, key: str) -> int:
        with self._engine().connect() as connection:
            count = connection.scalar(select(RateLimitCounter.hits).where(
                RateLimitCounter.limit_key == key, RateLimitCounter.expires_at > time.time()))
        return count or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self._engine().connect() as connection:
            ends = connection.scalar(select(RateLimitCounter.expires_at).where(
                RateLimitCounter.limit_key == key, RateLimitCounter.expires_at > now))
        return ends if ends is not None else now

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.scalar(select(RateLimitCounter.limit_key).limit(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.limit_key == key))
