"""Beheer sets a tariff or a product code. Checks at the boundary; the caller commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.services import InvalidInput
from portal.extensions import db
from portal.iwmo.codelists import UNITS
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Product
from portal.regions.catalogue import find_product
from portal.regions.models import ConfiguredProductCode, ConfiguredTariff


def set_tariff(region: str, product: Product, amount: Decimal, tariff_unit: str,
               variant: str | None, valid_from: date, valid_until: date | None,
               user_id: int | None) -> ConfiguredTariff:
    errors: dict[str, str] = {}
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = "Een tarief is een bedrag van 0 of meer met hoogstens 2 decimalen."
    if tariff_unit not in UNITS:
        errors["tariff_unit"] = "Kies een eenheid uit de lijst."
    if variant and variant not in {v.key for v in product.variants}:
        errors["variant"] = "Kies een grondslag van dit product."
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = "De einddatum ligt vóór de ingangsdatum."
    if product.tariff_derived_from:
        errors["amount"] = (f"Het tarief van dit product volgt uit dat van "
                            f"{product.tariff_derived_from}; stel dat tarief in.")
    if errors:
        raise InvalidInput(errors)
    row = ConfiguredTariff(region_code=region, product_key=product.key, variant_key=variant or None,
                           amount_cents=int(amount * 100), tariff_unit=tariff_unit,
                           valid_from=valid_from, valid_until=valid_until, created_by_id=user_id)
    db.session.add(row)
    return row


def set_product_code(registry: RegionRegistry, region: str, product: Product, code: str,
                     user_id: int | None) -> ConfiguredProductCode:
    if product.code:
        raise InvalidInput({"code": f"Dit product heeft al productcode {product.code} uit de "
                                    f"productbeschrijving."})
    taken = find_product(registry, region, code)
    if taken is not None and taken.key != product.key:
        raise InvalidInput({"code": f"Productcode {code} hoort in deze regio al bij {taken.name}."})
    row = db.session.scalar(select(ConfiguredProductCode).where(
        ConfiguredProductCode.region_code == region, ConfiguredProductCode.product_key == product.key))
    if row is None:
        row = ConfiguredProductCode(region_code=region, product_key=product.key, code=code,
                                    created_by_id=user_id)
        db.session.add(row)
    else:
        row.code, row.created_by_id = code, user_id
    return row
