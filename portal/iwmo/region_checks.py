"""A region's checks on declaration lines: its catalogue, its declaration unit, its plugins' rules.

With a region given (``wmo-portal validate --region CODE``), every WMO323 Prestatie is checked
against that region's product list (TR381, retourcode S329: the product code must be in the list in
use, in the declared category, valid for the period), against the unit the region declares the
product in, and through the region plugins' ``wmo_validate_declaration_line`` hook. An unknown
product code gets a hint with the nearest known code.

The hook receives the line as a mapping with these keys (values as in the file, typed):

| key | value |
| --- | --- |
| bsn | the Client's Bsn (str) |
| reference | ProductReferentie/ReferentieNummer (str) |
| previous_reference | ProductReferentie/VorigReferentieNummer (str or None) |
| toewijzing_nummer | ToewijzingNummer (int or None) |
| product_category, product_code | ProductCategorie, ProductCode (str) |
| start, end | ProductPeriode Begindatum, Einddatum (date or None) |
| volume | GeleverdVolume (int or None) |
| unit | Eenheid (WJ756 code) |
| tariff_cents, amount_cents | ProductTarief and IngediendBedrag/Bedrag in cents (int or None) |
| debit_credit | "D" or "C" |
| line | the Prestatie's line number in the file |
| product_key | the region catalogue key of the matched toewijzing's product (None when unmatched) |
| client_lines | the client's other declared lines that count: the granted debets of earlier declarations to this gemeente that were not credited, and the lines before this one in the same file that are not refused; each a :class:`portal.declaraties.line_rules.DeclaredLine` |
| registration | the aanbieder's delivery registration for the matched toewijzing (attendance, time with its activity type), each a :class:`portal.declaraties.registration_rules.Registered`; only when a toewijzing matched |
| client_registration | the same for every toewijzing of the client at this gemeente, any aanbieder, each with its product key (rules about another product on the same day) |

No toewijzing is known on the command line, so the hook gets ``toewijzing=None``, ``product_key``
None, no ``client_lines`` and no registration: a rule about several lines then sees this line
alone, and a rule on the registration does not apply. An upload is
checked twice: once like the command line while the file is validated, and again with the matched
toewijzing and the client's lines (portal.declaraties); a rule code found the first time on a line
is not reported again the second time. A hook finding may carry the official retourcode closest to
its rule (``Finding.retourcode``); the WMO325 answer then gives the refused line that code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Any

from portal.iwmo.codelists import unit_label
from portal.iwmo.findings import Finding
from portal.iwmo.records import Record
from portal.iwmo.values import as_date, as_int
from portal.plugins.types import Product, Severity

PRODUCT_LIST_CODE, PRODUCT_LIST_RETOURCODE = "TR381", "S329"
UNIT_CODE = "REGIO-EENHEID"


class UnknownRegion(Exception):
    """The region code is not one of the enabled regions; the message (Dutch) lists them."""


class RegionCheck:
    """The checks of one region, built once and applied to every Prestatie of every file."""

    def __init__(self, registry, code: str, configured_codes: Mapping[str, str] | None = None):
        """``configured_codes`` (product key → iWmo code) are the codes beheer set for products
        whose document has none; the web passes them, the command line has no database."""
        region = registry.region(code)
        if region is None:
            known = ", ".join(r.code for r in registry.regions()) or "geen"
            raise UnknownRegion(f"Onbekende regio '{code}'; bekend zijn: {known}.")
        self.registry = registry
        self.code = code
        self.name = region.name
        self._products: dict[str, list[Product]] = {}
        configured = configured_codes or {}
        for product in registry.products(code):
            product_code = product.code or configured.get(product.key)
            if product_code:
                self._products.setdefault(product_code, []).append(product)
        self._hints: dict[str, str | None] = {}

    @classmethod
    def from_environment(cls, code: str, environ: Mapping[str, str] = os.environ) -> RegionCheck:
        """Build the region registry from the settings alone (no Flask, no database)."""
        from portal.config import region_settings
        from portal.plugins.manager import RegionRegistry

        settings = region_settings(environ)
        registry = RegionRegistry.create(settings,
                                         load_entry_points=settings["WMO_LOAD_ENTRY_POINTS"])
        return cls(registry, code)

    def check(self, line: Record, facts: Mapping[str, Any]) -> list[Finding]:
        """The findings on one Prestatie; ``facts`` is its :func:`declaration_line`."""
        findings = self._catalogue(line)
        for found in self.registry.validate_declaration_line(self.code, facts, None):
            where, path = line.where(found.field) if found.field and line.has(found.field) \
                else line.where()
            findings.append(Finding(found.rule, found.retourcode, where, found.message, path,
                                    Severity(found.severity)))
        return findings

    # -- catalogue --------------------------------------------------------------------------------

    def _catalogue(self, line: Record) -> list[Finding]:
        code, category = line.text("ProductCode"), line.text("ProductCategorie")
        if code is None:
            return []
        candidates = self._products.get(code)
        if not candidates:
            hint = self._hint(code)
            advice = f" Bedoelt u {hint}?" if hint else ""
            return [self._finding(line, "ProductCode", PRODUCT_LIST_CODE, PRODUCT_LIST_RETOURCODE,
                                  f"Productcode {code} staat niet in de productenlijst van regio "
                                  f"{self.name}.{advice}")]
        in_category = [p for p in candidates if p.category == category]
        if not in_category:
            categories = ", ".join(sorted({p.category for p in candidates}))
            return [self._finding(line, "ProductCategorie", PRODUCT_LIST_CODE,
                                  PRODUCT_LIST_RETOURCODE,
                                  f"Productcode {code} hoort in regio {self.name} bij categorie "
                                  f"{categories}, niet bij ProductCategorie {category}.")]
        start = as_date(line.text("ProductPeriode/Begindatum"))
        valid = [p for p in in_category if _valid_on(p, start)]
        if not valid:
            periods = "; ".join(_validity(p) for p in in_category)
            return [self._finding(line, "ProductPeriode/Begindatum", PRODUCT_LIST_CODE,
                                  PRODUCT_LIST_RETOURCODE,
                                  f"Productcode {code} geldt in regio {self.name} niet op "
                                  f"{line.text('ProductPeriode/Begindatum')} ({periods}).")]
        unit = line.text("Eenheid")
        units = {p.declaration_unit for p in valid if p.declaration_unit}
        if units and unit not in units:
            wanted = " of ".join(f"{u} ({unit_label(u)})" for u in sorted(units))
            return [self._finding(line, "Eenheid", UNIT_CODE, None,
                                  f"Regio {self.name} declareert product {code} in eenheid "
                                  f"{wanted}, niet in {unit} ({unit_label(unit)}).")]
        return []

    def _hint(self, code: str) -> str | None:
        if code not in self._hints:
            nearest = self.registry.nearest_product(self.code, code)
            self._hints[code] = (nearest.code or nearest.key) if nearest else None
        return self._hints[code]

    @staticmethod
    def _finding(line: Record, field: str, code: str, retourcode: str | None,
                 message: str) -> Finding:
        where, path = line.where(field)
        return Finding(code, retourcode, where, message, path)


def _valid_on(product: Product, day: date | None) -> bool:
    if day is None:
        return True
    return (product.valid_from is None or product.valid_from <= day) and \
        (product.valid_until is None or day <= product.valid_until)


def _validity(product: Product) -> str:
    start = product.valid_from.isoformat() if product.valid_from else "…"
    end = product.valid_until.isoformat() if product.valid_until else "…"
    return f"geldig van {start} tot en met {end}"


def declaration_line(line: Record, client: Record | None) -> dict[str, Any]:
    """The Prestatie as the declaration-line hook receives it (see the module docstring)."""
    return {
        "bsn": client.text("Bsn") if client is not None else None,
        "reference": line.text("ProductReferentie/ReferentieNummer"),
        "previous_reference": line.text("ProductReferentie/VorigReferentieNummer"),
        "toewijzing_nummer": as_int(line.text("ToewijzingNummer")),
        "product_category": line.text("ProductCategorie"),
        "product_code": line.text("ProductCode"),
        "start": as_date(line.text("ProductPeriode/Begindatum")),
        "end": as_date(line.text("ProductPeriode/Einddatum")),
        "volume": as_int(line.text("GeleverdVolume")),
        "unit": line.text("Eenheid"),
        "tariff_cents": as_int(line.text("ProductTarief")),
        "amount_cents": as_int(line.text("IngediendBedrag/Bedrag")),
        "debit_credit": line.text("IngediendBedrag/DebetCredit"),
        "line": line.line,
        "product_key": None,
        "client_lines": (),
    }
