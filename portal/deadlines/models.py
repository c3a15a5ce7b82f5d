"""A stored deadline of a toewijzing (see portal.deadlines)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.toewijzingen.models import Toewijzing


class StoredDeadline(db.Model):
    """One deadline of an active toewijzing. The toewijzing's organisations, client and end are
    copied onto the row, so that a dashboard finds an organisation's most urgent deadlines in
    one index, without joining thousands of toewijzingen first; the copies are written together
    with the toewijzing (portal.deadlines.store), so they cannot drift apart."""

    __tablename__ = "deadline"
    __table_args__ = (Index("ix_deadline_aanbieder_due", "aanbieder_id", "due"),
                      Index("ix_deadline_gemeente_due", "gemeente_id", "due"))

    id: Mapped[int] = mapped_column(primary_key=True)
    toewijzing_id: Mapped[int] = mapped_column(
        ForeignKey("toewijzing.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    aanbieder_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    gemeente_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    ends: Mapped[date | None]  # the toewijzing's einddatum: its deadlines count until then
    kind: Mapped[str] = mapped_column(String(40))  # portal.plugins.data_deadlines.KINDS
    due: Mapped[date]
    shown_from: Mapped[date | None]  # not shown before this day (a signal: once a report is late)
    rule: Mapped[str] = mapped_column(String(40))  # e.g. GM-P4
    message: Mapped[str] = mapped_column(Text)  # Dutch
    severity: Mapped[str] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(200))  # seed file and line

    toewijzing: Mapped[Toewijzing] = relationship()
