"""The content of a WMO301 (toewijzing) as plain values, for the portal to import.

Read from a file that passed its schema and rules (:func:`portal.iwmo.validate.validate_bytes`),
so every required element is there. A 301 holds one client, so the whole tree is small and is
parsed at once (with the safe parser options). Field meanings: ../shared/docs/iwmo.md §2.5.
Nothing here imports Flask or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree


from portal.iwmo.recognise import BASIS_NAMESPACE as BASIS, message_namespace
from portal.iwmo.safe_xml import PARSER_OPTIONS
from portal.iwmo.values import as_date, as_int

NAMESPACE = message_namespace("WMO301")
REMOVED = "13"  # WMO002 RedenWijziging 13: verwijderd


@dataclass(frozen=True)
class AssignedProduct:
    line: int  # where the ToegewezenProduct starts in the file
    toewijzing_nummer: int
    category: str | None  # None for a generic (budget) assignment
    code: str | None  # None for an aspecific assignment
    ingangsdatum: date
    einddatum: date | None
    reden_wijziging: str | None
    volume: int | None
    eenheid: str | None
    frequentie: str | None
    budget_cents: int | None

    @property
    def removed(self) -> bool:
        return self.reden_wijziging == REMOVED


@dataclass(frozen=True)
class Toewijzingbericht:
    gemeente_code: str  # Afzender
    aanbieder_agb: str  # Ontvanger
    identificatie: str
    dagtekening: date
    bsn: str
    geboortedatum: date | None
    voorletters: str
    voorvoegsel: str
    achternaam: str
    products: tuple[AssignedProduct, ...]


def read_wmo301(data: bytes) -> Toewijzingbericht:
    root = etree.fromstring(data, etree.XMLParser(**PARSER_OPTIONS))
    header = root.find(_m("Header"))
    client = root.find(_m("Client"))
    naam = client.find(_m("Naam"))
    geslachtsnaam = naam.find(_b("Geslachtsnaam"))
    return Toewijzingbericht(
        gemeente_code=header.findtext(_m("Afzender")),
        aanbieder_agb=header.findtext(_m("Ontvanger")),
        identificatie=header.findtext(f"{_m('BerichtIdentificatie')}/{_b('Identificatie')}"),
        dagtekening=as_date(header.findtext(f"{_m('BerichtIdentificatie')}/{_b('Dagtekening')}")),
        bsn=client.findtext(_m("Bsn")),
        geboortedatum=as_date(client.findtext(f"{_m('Geboortedatum')}/{_b('Datum')}")),
        voorletters=naam.findtext(_b("Voorletters")) or "",
        voorvoegsel=geslachtsnaam.findtext(_b("Voorvoegsel")) or "",
        achternaam=geslachtsnaam.findtext(_b("Achternaam")) or "",
        products=tuple(_product(element) for element in
                       client.iterfind(f"{_m('ToegewezenProducten')}/{_m('ToegewezenProduct')}")),
    )


def _product(element) -> AssignedProduct:
    product = element.find(_m("Product"))
    omvang = element.find(_m("Omvang"))
    return AssignedProduct(
        line=element.sourceline,
        toewijzing_nummer=as_int(element.findtext(_m("ToewijzingNummer"))),
        category=product.findtext(_b("Categorie")) if product is not None else None,
        code=product.findtext(_b("Code")) if product is not None else None,
        ingangsdatum=as_date(element.findtext(_m("Ingangsdatum"))),
        einddatum=as_date(element.findtext(_m("Einddatum"))),
        reden_wijziging=element.findtext(_m("RedenWijziging")),
        volume=as_int(omvang.findtext(_b("Volume"))) if omvang is not None else None,
        eenheid=omvang.findtext(_b("Eenheid")) if omvang is not None else None,
        frequentie=omvang.findtext(_b("Frequentie")) if omvang is not None else None,
        budget_cents=as_int(element.findtext(_m("Budget"))),
    )


def _m(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _b(name: str) -> str:
    return f"{{{BASIS}}}{name}"
