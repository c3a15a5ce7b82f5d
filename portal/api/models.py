"""API tokens and the responses kept for idempotency keys.

A token belongs to one organisation and acts through its own account (``user``): a user row with
the organisation's role that cannot log in (inactive, unknown password). The existing services
take a user (who uploaded, who saved a plan version, the audit log's actor), so the API calls them
exactly as the pages do, and every change is recorded under the token's own name.

Only the token's SHA-256 is stored: a token is 256 random bits, so a fast hash is enough (a slow
password hash protects guessable secrets, not random ones), and one indexed lookup finds it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.accounts.models import Organisation, User
from portal.extensions import Moment, db


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))  # beheer's label, e.g. "Declaratiesysteem"
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, for lists
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[Moment]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: CLI
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… {self.name}>"


class IdempotencyKey(db.Model):
    """The response to a mutating request sent with an Idempotency-Key header, kept so that a
    retry with the same key and body gets the same response instead of doing it twice."""

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_api_idempotency_key_token_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[Moment]
