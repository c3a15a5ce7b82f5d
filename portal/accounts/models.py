"""Organisations and users."""

from __future__ import annotations

import secrets

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Moment, db

AANBIEDER_KIND = "aanbieder"
GEMEENTE_KIND = "gemeente"
ORGANISATION_KINDS = {AANBIEDER_KIND: "Aanbieder", GEMEENTE_KIND: "Gemeente"}


class Organisation(db.Model):
    """An aanbieder (identified by its 8-digit AGB code) or a gemeente (4-digit CBS code).

    A gemeente belongs to exactly one region; its CBS code must be one of that region's
    municipalities (checked in portal.accounts.services).
    """

    __tablename__ = "organisation"
    __table_args__ = (
        UniqueConstraint("kind", "code", name="uq_organisation_kind_code"),
        CheckConstraint("kind IN ('aanbieder', 'gemeente')", name="kind"),
        CheckConstraint("(kind = 'gemeente') = (region_code IS NOT NULL)", name="region_only_gemeente"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[Moment]

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_gemeente(self) -> bool:
        return self.kind == GEMEENTE_KIND

    @property
    def code_label(self) -> str:
        return "CBS-code" if self.is_gemeente else "AGB-code"

    def __repr__(self) -> str:
        return f"<Organisation {self.kind} {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('aanbieder', 'gemeente', 'beheer')", name="role"),
        CheckConstraint("(role = 'beheer') = (organisation_id IS NULL)", name="organisation_by_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # The id Flask-Login keeps in the session. A new one on every password change ends every
    # other session of the user.
    login_id: Mapped[str] = mapped_column(String(64), unique=True,
                                          default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[Moment]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    def get_id(self) -> str:
        return self.login_id

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
