"""Registering an aanbieder for a product: the region's fields and contract rules are checked."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.accounts.services import InvalidInput
from portal.contracts.models import ProviderContract
from portal.extensions import db
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import ContractFacts, Severity
from portal.toewijzingen.services import region_attributes


def contracts_of(aanbieder: Organisation, region: str | None = None) -> list[ProviderContract]:
    query = select(ProviderContract).where(ProviderContract.aanbieder_id == aanbieder.id)
    if region is not None:
        query = query.where(ProviderContract.region_code == region)
    return list(db.session.scalars(query.order_by(ProviderContract.region_code,
                                                  ProviderContract.product_key)))


def _facts(contract: ProviderContract, others: list[ProviderContract]) -> ContractFacts:
    return ContractFacts(
        provider_agb=contract.aanbieder.code, product_key=contract.product_key,
        attributes=dict(contract.attributes or {}),
        others=tuple(ContractFacts(o.aanbieder.code, o.product_key, dict(o.attributes or {}))
                     for o in others))


def register_contract(regions: RegionRegistry, aanbieder: Organisation, region_code: str,
                      product_key: str, given: dict[str, str]) -> ProviderContract:
    """Store the registration, or raise InvalidInput (nothing stored) with Dutch messages."""
    errors: dict[str, str] = {}
    region = regions.region(region_code)
    product = regions.product(region_code, product_key) if region else None
    if aanbieder.kind != "aanbieder":
        errors["aanbieder"] = "Alleen een aanbieder kan voor een product worden ingeschreven."
    if product is None:
        errors["product_key"] = "Kies een product uit de productcatalogus van de regio."
        raise InvalidInput(errors)
    attributes = region_attributes(regions.toewijzing_fields(region_code), product, given, errors)
    existing = contracts_of(aanbieder, region_code)
    if any(c.product_key == product.key and c.attributes == attributes for c in existing):
        errors["product_key"] = f"{aanbieder.name} is hier al voor ingeschreven."
    if errors:
        raise InvalidInput(errors)
    contract = ProviderContract(aanbieder=aanbieder, region_code=region_code,
                                product_key=product.key, attributes=attributes)
    blocking = [f for f in regions.validate_contract(region_code, _facts(contract, existing))
                if f.severity == Severity.ERROR]
    if blocking:
        if contract in db.session:
            db.session.expunge(contract)
        raise InvalidInput({"product_key": " ".join(f"{f.message} ({f.rule})" for f in blocking)})
    db.session.add(contract)
    return contract
