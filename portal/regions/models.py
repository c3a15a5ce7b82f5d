"""What beheer sets where a region's document is silent: tariffs (with validity) and product codes.

Tariffs are integer cents, never floats. Every row is audited by portal.audit (who, when).
Configured values sit beside the plugins' data: the catalogue (portal.regions.catalogue) combines
both, and a configured tariff wins over the document's for the dates it is valid.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Moment, db


class ConfiguredTariff(db.Model):
    __tablename__ = "configured_tariff"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount"),
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(40))
    product_key: Mapped[str] = mapped_column(String(40))
    variant_key: Mapped[str | None] = mapped_column(String(40))  # e.g. a grondslag; None = all
    amount_cents: Mapped[int]
    tariff_unit: Mapped[str] = mapped_column(String(2))  # WJ756
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[Moment]

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class ConfiguredProductCode(db.Model):
    __tablename__ = "configured_product_code"
    __table_args__ = (
        UniqueConstraint("region_code", "product_key", name="uq_configured_product_code_product"),
        UniqueConstraint("region_code", "code", name="uq_configured_product_code_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(40))
    product_key: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(5))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[Moment]
