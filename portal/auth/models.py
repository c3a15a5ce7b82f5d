"""The login rate limit's counters, in the portal's own database (see ratelimit_store)."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class RateLimitCounter(db.Model):
    """One fixed window of one limit: how many failed logins a key (an address, a typed account,
    hashed) has had since the window began, and when the window ends (Unix seconds)."""

    __tablename__ = "rate_limit_counter"
    __table_args__ = (Index("ix_rate_limit_counter_expires_at", "expires_at"),)

    limit_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)
