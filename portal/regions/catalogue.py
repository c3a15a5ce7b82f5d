"""A region's effective catalogue: the plugin's data combined with what beheer configured.

One place answers "which code does this product have" and "which tariff applies on this date":
1. a tariff beheer configured for the product (and grondslag variant) valid on that date;
2. else the document's tariff (of the variant, or of the product) when the date is inside its
   validity;
3. else, for a derived product (G1 = B3 / 3), the base product's tariff on that date / divisor;
4. else none: "tarief niet vastgesteld", and no amount is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.iwmo.codelists import unit_label
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Product
from portal.pricing import Price, PriceError, Tariff, line_price
from portal.regions.models import ConfiguredProductCode, ConfiguredTariff


@dataclass(frozen=True)
class Quote:
    """A priced line and the facts behind it, as `wmo-portal price` reports them."""

    product: Product
    code: str | None
    price: Price


def _inside(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True)
class Configuration:
    """What beheer set for one region (tariffs newest first, codes), loaded in two queries so that
    a page or a quote asks the database once, not once per product."""

    tariffs: dict[str, list[ConfiguredTariff]]
    codes: dict[str, str]  # product key -> configured code

    def tariffs_of(self, product: Product) -> list[ConfiguredTariff]:
        return self.tariffs.get(product.key, [])


def configuration(region: str) -> Configuration:
    tariffs: dict[str, list[ConfiguredTariff]] = {}
    for row in db.session.scalars(select(ConfiguredTariff).where(
            ConfiguredTariff.region_code == region)
            .order_by(ConfiguredTariff.valid_from.desc(), ConfiguredTariff.id.desc())):
        tariffs.setdefault(row.product_key, []).append(row)
    codes = dict(db.session.execute(select(
        ConfiguredProductCode.product_key, ConfiguredProductCode.code).where(
        ConfiguredProductCode.region_code == region)).all())
    return Configuration(tariffs, codes)


def effective_code(region: str, product: Product, config: Configuration | None = None) -> str | None:
    """The document's code, or the one beheer set when the document has none."""
    return product.code or (config or configuration(region)).codes.get(product.key)


def find_product(registry: RegionRegistry, region: str, code_or_key: str,
                 config: Configuration | None = None) -> Product | None:
    """A product of ``region`` by its iWmo code (document's or configured) or its key."""
    products = registry.products(region)
    for product in products:
        if code_or_key in (product.code, product.key):
            return product
    configured = {code: key for key, code in (config or configuration(region)).codes.items()}
    return next((p for p in products if p.key == configured.get(code_or_key)), None)


def unknown_product_message(registry: RegionRegistry, region: str, code: str) -> str:
    """Dutch: the code is not in this region's catalogue, with the nearest known code as a hint
    (e.g. a code typed with the letter O for a zero)."""
    message = (f"Product '{code}' bestaat niet in de productcatalogus van "
               f"{registry.region(region).name}.")
    nearest = registry.nearest_product(region, code)
    if nearest is not None:
        message += f" Bedoelt u {nearest.code or nearest.key} ({nearest.name})?"
    return message


def configured_tariffs(region: str, product: Product,
                       config: Configuration | None = None) -> list[ConfiguredTariff]:
    return (config or configuration(region)).tariffs_of(product)


def tariff_on(registry: RegionRegistry, region: str, product: Product, day: date,
              variant: str | None = None, config: Configuration | None = None,
              _seen: frozenset[str] = frozenset()) -> Tariff | None:
    """The tariff of ``product`` valid on ``day`` (see the module docstring for the order)."""
    config = config or configuration(region)
    if product.variants and variant is not None and variant not in {v.key for v in product.variants}:
        known = ", ".join(v.key for v in product.variants)
        raise PriceError(f"Grondslag '{variant}' bestaat niet voor {product.name}; kies uit {known}.")

    for row in config.tariffs_of(product):
        if row.variant_key in (variant, None) and row.valid_on(day):
            when = f"{row.valid_from:%d-%m-%Y}" + (f" t/m {row.valid_until:%d-%m-%Y}"
                                                  if row.valid_until else "")
            return Tariff.of(Decimal(row.amount_cents) / 100, row.tariff_unit,
                             f"ingesteld door beheer, geldig vanaf {when}")

    if variant is not None:
        for option in product.variants:
            if option.key == variant and option.tariff is not None and _inside(
                    day, option.valid_from or product.valid_from,
                    option.valid_until or product.valid_until):
                return Tariff.of(option.tariff, product.tariff_unit or "", str(option.source or
                                                                               product.source))
    if product.tariff is not None and _inside(day, product.valid_from, product.valid_until):
        return Tariff.of(product.tariff, product.tariff_unit or "", str(product.source))

    if product.tariff_derived_from and product.key not in _seen:
        base = find_product(registry, region, product.tariff_derived_from, config)
        if base is not None:
            base_tariff = tariff_on(registry, region, base, day, variant, config,
                                    _seen | {product.key})
            if base_tariff is not None:
                return base_tariff.divided_by(
                    product.tariff_divisor,
                    f"{base.code or base.key} / {product.tariff_divisor} ({base_tariff.source})")
    return None


def quote(registry: RegionRegistry, region: str, code_or_key: str, volume: int,
          unit: str | None = None, variant: str | None = None, day: date | None = None) -> Quote:
    """Price ``volume`` of a product of ``region``; raise PriceError with a Dutch message."""
    if registry.region(region) is None:
        known = ", ".join(r.code for r in registry.regions())
        raise PriceError(f"Regio '{region}' is onbekend of niet ingeschakeld; bekend zijn: {known}.")
    config = configuration(region)
    product = find_product(registry, region, code_or_key, config)
    if product is None:
        raise PriceError(unknown_product_message(registry, region, code_or_key))
    if unit and product.declaration_unit and unit != product.declaration_unit:
        raise PriceError(f"{product.name} wordt in {registry.region(region).name} gedeclareerd in "
                         f"'{unit_label(product.declaration_unit)}', niet in '{unit_label(unit)}'.")
    unit = unit or product.declaration_unit or product.tariff_unit
    if not unit:
        raise PriceError(f"De productcatalogus noemt voor {product.name} geen eenheid; "
                         f"geef de eenheid op.")
    if product.variants and variant is None and unit != "83":
        unconditional = any(row.variant_key is None for row in config.tariffs_of(product))
        if not unconditional:
            known = ", ".join(v.key for v in product.variants)
            raise PriceError(f"{product.name} heeft een tarief per grondslag; geef de grondslag "
                             f"op ({known}).")
    tariff = tariff_on(registry, region, product, day or date.today(), variant, config)
    return Quote(product, effective_code(region, product, config), line_price(tariff, volume, unit))
