"""The toewijzing, mirroring the 301's ToegewezenProduct (../shared/docs/iwmo.md §2.5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation
from portal.clients.models import Client
from portal.extensions import Moment, db
from portal.iwmo.models import IwmoMessage

MAX_TOEWIJZING_NUMMER = 999_999_999  # LDT_Nummer
MAX_VOLUME = 99_999_999  # LDT_Volume


class Toewijzing(db.Model):
    __tablename__ = "toewijzing"
    __table_args__ = (
        # ToewijzingNummer is the gemeente's number: unique per gemeente, not across the country.
        UniqueConstraint("gemeente_id", "toewijzing_nummer", name="uq_toewijzing_gemeente_nummer"),
        CheckConstraint("einddatum IS NULL OR einddatum >= ingangsdatum", name="period"),
        CheckConstraint(f"toewijzing_nummer BETWEEN 0 AND {MAX_TOEWIJZING_NUMMER}", name="nummer"),
        CheckConstraint(f"volume IS NULL OR volume BETWEEN 0 AND {MAX_VOLUME}", name="volume"),
        CheckConstraint("status IN ('actief', 'beeindigd', 'verwijderd')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    toewijzing_nummer: Mapped[int]
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    aanbieder_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    gemeente_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    product_category: Mapped[str] = mapped_column(String(2))  # WMO020
    product_code: Mapped[str | None] = mapped_column(String(5))  # iWmo code; None if not set
    product_key: Mapped[str | None] = mapped_column(String(40))  # the region catalogue's key
    volume: Mapped[int | None]
    eenheid: Mapped[str | None] = mapped_column(String(2))  # WJ756
    frequentie: Mapped[str | None] = mapped_column(String(1))  # WMO757
    ingangsdatum: Mapped[date]
    einddatum: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="actief")
    # The region's own fields (ToewijzingField), e.g. {"perceel": "2", "grondslag": "PSY"}.
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    # The region's warnings when the toewijzing was made: [{"rule", "message"}], for the reviewer.
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("iwmo_message.id"))
    created_at: Mapped[Moment]

    client: Mapped[Client] = relationship(back_populates="toewijzingen")
    aanbieder: Mapped[Organisation] = relationship(foreign_keys=[aanbieder_id])
    gemeente: Mapped[Organisation] = relationship(foreign_keys=[gemeente_id])
    message: Mapped[IwmoMessage | None] = relationship()

    def is_active_on(self, day: date) -> bool:
        return (self.status == "actief" and self.ingangsdatum <= day
                and (self.einddatum is None or day <= self.einddatum))
