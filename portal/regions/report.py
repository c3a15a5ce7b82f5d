"""`wmo-portal regions [--json]`: the enabled regions with municipalities and products.

Reads the plugins' data only; no web stack, no database.
"""

from __future__ import annotations

import json
import os
import sys

from portal.config import region_settings
from portal.iwmo.codelists import unit_label
from portal.plugins.errors import RegionLoadError
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Product, Region


def product_json(product: Product) -> dict:
    return {
        "code": product.code,
        "key": product.key,
        "name": product.name,
        "category": product.category,
        "unit": product.unit,
        "declaration_unit": product.declaration_unit,
        "tariff": None if product.tariff is None else f"{product.tariff:.2f}",
        "tariff_unit": product.tariff_unit,
    }


def region_json(registry: RegionRegistry, region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "plugin": region.plugin,
        "municipalities": [{"code": m.code, "name": m.name} for m in region.municipalities],
        "products": [product_json(p) for p in registry.products(region.code)],
    }


def _text(registry: RegionRegistry) -> str:
    lines = []
    for region in registry.regions():
        lines.append(f"{region.name} [{region.code}] (plugin {region.plugin})")
        municipalities = ", ".join(f"{m.code} {m.name}" for m in region.municipalities)
        lines.append(f"  gemeenten: {municipalities or 'geen opgegeven'}")
        for p in registry.products(region.code):
            tariff = f"€ {p.tariff:.2f} per {unit_label(p.tariff_unit)}" if p.tariff is not None \
                else "tarief niet vastgesteld"
            lines.append(f"  {p.code or '-----'}  {p.name}  ({unit_label(p.unit)} → "
                         f"{unit_label(p.declaration_unit)}; {tariff})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if any(arg not in ("--json",) for arg in argv):
        print("gebruik: wmo-portal regions [--json]", file=sys.stderr)
        return 2
    settings = region_settings(os.environ)
    try:
        registry = RegionRegistry.create(settings,
                                         load_entry_points=settings["WMO_LOAD_ENTRY_POINTS"])
    except RegionLoadError as error:
        print(f"fout: {error}", file=sys.stderr)
        return 1
    if "--json" in argv:
        document = {"regions": [region_json(registry, r) for r in registry.regions()]}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(_text(registry))
    return 0
