"""iWmo messages the portal received, so that what came from a message can be traced to it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Moment, db


class IwmoMessage(db.Model):
    __tablename__ = "iwmo_message"
    __table_args__ = (
        # TR056: Identificatie is unique per message type and sender. The constraint is what
        # refuses a duplicate, also when the same file is uploaded twice at the same moment.
        UniqueConstraint("message_type", "sender", "identificatie", name="uq_iwmo_message_identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_type: Mapped[str] = mapped_column(String(6))  # e.g. WMO301
    identificatie: Mapped[str] = mapped_column(String(12))
    sender: Mapped[str] = mapped_column(String(8))  # AGB or CBS code
    receiver: Mapped[str] = mapped_column(String(8))
    dagtekening: Mapped[date]
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[Moment]
