"""Toewijzingen from a WMO301: created, or updated, per ToewijzingNummer of the sending gemeente.

Importing is idempotent on (gemeente, ToewijzingNummer): a number the portal already holds is
updated with the message's values (einddatum, omvang, RedenWijziging 13 = verwijderd), a new number
is created through :func:`portal.toewijzingen.services.create_toewijzing`, with every check a
toewijzing made by hand gets. The whole message is imported or nothing is: the first product that
cannot be imported stops the import with a Dutch message naming its ToewijzingNummer and line, and
the caller rolls back.

Left out, with a message saying so: aspecific (category only) and generic (budget) assignments,
because the portal's toewijzing needs a product of the region's catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.accounts.models import AANBIEDER_KIND, Organisation
from portal.accounts.services import InvalidInput
from portal.extensions import db
from portal.iwmo.models import IwmoMessage
from portal.iwmo.wmo301 import AssignedProduct, Toewijzingbericht
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Finding
from portal.regions.catalogue import find_product
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import ToewijzingInput, create_toewijzing

CREATED, UPDATED, UNCHANGED = "nieuw", "gewijzigd", "ongewijzigd"


class ImportRefused(Exception):
    """The message cannot be imported; the message (Dutch) names the product and why."""


@dataclass(frozen=True)
class Imported:
    toewijzing_nummer: int
    action: str  # CREATED, UPDATED or UNCHANGED
    toewijzing_id: int
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"toewijzing_nummer": self.toewijzing_nummer, "action": self.action,
                "id": self.toewijzing_id, "warnings": list(self.warnings)}


def import_toewijzingen(regions: RegionRegistry, bericht: Toewijzingbericht,
                        gemeente: Organisation, message: IwmoMessage,
                        today: date | None = None) -> list[Imported]:
    aanbieder = db.session.scalar(select(Organisation).where(
        Organisation.kind == AANBIEDER_KIND, Organisation.code == bericht.aanbieder_agb))
    if aanbieder is None:
        raise ImportRefused(f"Aanbieder met AGB-code {bericht.aanbieder_agb} (de ontvanger van "
                            f"het bericht) is niet aangesloten bij de portal.")
    done = []
    for product in bericht.products:
        existing = db.session.scalar(select(Toewijzing).where(
            Toewijzing.gemeente_id == gemeente.id,
            Toewijzing.toewijzing_nummer == product.toewijzing_nummer))
        if existing is None:
            done.append(_create(regions, bericht, product, gemeente, aanbieder, message, today))
        else:
            done.append(_update(existing, bericht, product, aanbieder, message))
        db.session.flush()
    return done


def _create(regions: RegionRegistry, bericht: Toewijzingbericht, product: AssignedProduct,
            gemeente: Organisation, aanbieder: Organisation, message: IwmoMessage,
            today: date | None) -> Imported:
    where = _where(product)
    if product.code is None:
        kind = "generieke (budget)" if product.category is None else "aspecifieke (alleen categorie)"
        raise ImportRefused(f"{where}: een {kind} toewijzing verwerkt de portal nog niet; de "
                            f"portal heeft een product uit de productcatalogus nodig.")
    region_code = gemeente.region_code or ""
    catalogued = find_product(regions, region_code, product.code)
    if catalogued is None:
        raise ImportRefused(f"{where}: productcode {product.code} staat niet in de "
                            f"productcatalogus van de regio van {gemeente.name}.")
    data = ToewijzingInput(
        gemeente=gemeente, aanbieder=aanbieder, bsn=bericht.bsn,
        voorletters=bericht.voorletters, voorvoegsel=bericht.voorvoegsel,
        achternaam=bericht.achternaam, geboortedatum=bericht.geboortedatum,
        toewijzing_nummer=product.toewijzing_nummer, product_key=catalogued.key,
        volume=product.volume, eenheid=product.eenheid or "", frequentie=product.frequentie or "",
        ingangsdatum=product.ingangsdatum, einddatum=product.einddatum,
    )
    try:
        toewijzing, warnings = create_toewijzing(regions, data, today=today, message=message)
    except InvalidInput as invalid:
        raise ImportRefused(f"{where}: " + " ".join(invalid.errors.values())) from invalid
    if product.removed:
        toewijzing.status = "verwijderd"
    db.session.flush()
    return Imported(product.toewijzing_nummer, CREATED, toewijzing.id, _texts(warnings))


def _update(toewijzing: Toewijzing, bericht: Toewijzingbericht, product: AssignedProduct,
            aanbieder: Organisation, message: IwmoMessage) -> Imported:
    where = _where(product)
    if toewijzing.client.bsn != bericht.bsn:
        raise ImportRefused(f"{where}: dit toewijzingnummer hoort bij een andere cliënt; een "
                            f"toewijzingnummer kan niet naar een andere cliënt.")
    if toewijzing.aanbieder_id != aanbieder.id:
        raise ImportRefused(f"{where}: dit toewijzingnummer hoort bij aanbieder "
                            f"{toewijzing.aanbieder.name}; een toewijzing kan niet naar een "
                            f"andere aanbieder (maak een nieuwe toewijzing).")
    if product.code is not None and toewijzing.product_code not in (None, product.code):
        raise ImportRefused(f"{where}: de productcode wijzigt van {toewijzing.product_code} in "
                            f"{product.code}; een wijziging van product is een nieuwe toewijzing.")
    if product.einddatum is not None and product.einddatum < toewijzing.ingangsdatum:
        raise ImportRefused(f"{where}: de einddatum ligt vóór de ingangsdatum van de toewijzing.")
    values = {
        "ingangsdatum": product.ingangsdatum,
        "einddatum": product.einddatum,
        "volume": product.volume if product.volume is not None else toewijzing.volume,
        "eenheid": product.eenheid or toewijzing.eenheid,
        "frequentie": product.frequentie or toewijzing.frequentie,
        "status": "verwijderd" if product.removed else toewijzing.status,
    }
    changed = {name: value for name, value in values.items()
               if getattr(toewijzing, name) != value}
    for name, value in changed.items():
        setattr(toewijzing, name, value)
    if changed:
        toewijzing.message = message
    return Imported(product.toewijzing_nummer, UPDATED if changed else UNCHANGED, toewijzing.id)


def _where(product: AssignedProduct) -> str:
    return f"ToewijzingNummer {product.toewijzing_nummer} (regel {product.line})"


def _texts(findings: list[Finding]) -> tuple[str, ...]:
    return tuple(f"{finding.message} ({finding.rule})" for finding in findings)
