"""An aanbieder's registration for one product of a region, qualified by the region's fields."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation
from portal.extensions import Moment, db


class ProviderContract(db.Model):
    __tablename__ = "provider_contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    aanbieder_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(40))
    product_key: Mapped[str] = mapped_column(String(40))
    # The region's fields for this product (ToewijzingField), e.g. {"grondslag": "PSY", "perceel": "1"}.
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[Moment]

    aanbieder: Mapped[Organisation] = relationship()
