"""The client: BSN (elfproef checked before it gets here), name parts, date of birth, gemeente."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation
from portal.extensions import Moment, db


class Client(db.Model):
    __tablename__ = "client"
    # Lists of thousands of clients are shown a page at a time in this order (the dashboards).
    __table_args__ = (Index("ix_client_name", "achternaam", "voorletters", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bsn: Mapped[str] = mapped_column(String(9), unique=True)
    voorletters: Mapped[str] = mapped_column(String(6))
    voornamen: Mapped[str | None] = mapped_column(String(200))
    voorvoegsel: Mapped[str | None] = mapped_column(String(10))
    achternaam: Mapped[str] = mapped_column(String(200))
    geboortedatum: Mapped[date]
    gemeente_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[Moment]

    gemeente: Mapped[Organisation] = relationship()
    toewijzingen: Mapped[list["Toewijzing"]] = relationship(  # noqa: F821
        back_populates="client", order_by="Toewijzing.ingangsdatum.desc()")

    @property
    def display_name(self) -> str:
        initials = "".join(f"{letter}." for letter in self.voorletters)
        parts = [initials, self.voorvoegsel, self.achternaam]
        return " ".join(part for part in parts if part)

    @property
    def masked_bsn(self) -> str:
        """Lists show only the last three digits; the client's own page shows the whole BSN."""
        return "••••••" + self.bsn[-3:]
