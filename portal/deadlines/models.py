"""A stored deadline of a toewijzing (see portal.deadlines)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.toewijzingen.models import Toewijzing


class StoredDeadline(db.Model):
    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    toewijzing_id: Mapped[int] = mapped_column(
        ForeignKey("toewijzing.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # portal.plugins.data_deadlines.KINDS
    due: Mapped[date] = mapped_column(index=True)
    shown_from: Mapped[date | None]  # not shown before this day (a signal: once a report is late)
    rule: Mapped[str] = mapped_column(String(40))  # e.g. GM-P4
    message: Mapped[str] = mapped_column(Text)  # Dutch
    severity: Mapped[str] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(200))  # seed file and line

    toewijzing: Mapped[Toewijzing] = relationship()
