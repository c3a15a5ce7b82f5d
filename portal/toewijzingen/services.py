"""Creating a toewijzing by hand (beheer), with every check at the boundary.

Nothing is stored unless every check passes; the caller commits. The region's own rules come from
the plugins (wmo_validate_toewijzing): their errors block, their warnings are shown after saving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.accounts.services import InvalidInput
from portal.clients.models import Client
from portal.extensions import db
from portal.identifiers import bsn_problem
from portal.iwmo.codelists import FREQUENCIES, UNITS, unit_label
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Finding, Severity, ToewijzingFacts
from portal.toewijzingen.models import MAX_TOEWIJZING_NUMMER, MAX_VOLUME, Toewijzing

VOORLETTERS = re.compile(r"[a-zA-ZÀ-ỳ]{1,6}")  # LDT_Voorletters, without the dots people type


@dataclass
class ToewijzingInput:
    gemeente: Organisation
    aanbieder: Organisation | None
    bsn: str
    voorletters: str
    voorvoegsel: str
    achternaam: str
    geboortedatum: date | None
    toewijzing_nummer: int | None
    product_key: str
    volume: int | None
    eenheid: str  # "" = as in the catalogue
    frequentie: str
    ingangsdatum: date | None
    einddatum: date | None


def facts_of(toewijzing: Toewijzing) -> ToewijzingFacts:
    """The toewijzing as the plugins see it: plain values, no database objects."""
    return ToewijzingFacts(
        toewijzing_nummer=toewijzing.toewijzing_nummer,
        municipality_code=toewijzing.gemeente.code,
        provider_agb=toewijzing.aanbieder.code,
        client_birth_date=toewijzing.client.geboortedatum,
        product_category=toewijzing.product_category,
        product_code=toewijzing.product_code,
        product_key=toewijzing.product_key,
        volume=toewijzing.volume,
        unit=toewijzing.eenheid,
        frequency=toewijzing.frequentie,
        start=toewijzing.ingangsdatum,
        end=toewijzing.einddatum,
    )


def create_toewijzing(regions: RegionRegistry, data: ToewijzingInput,
                      today: date | None = None) -> tuple[Toewijzing, list[Finding]]:
    """Store a toewijzing (and its client when new); return it with the region's warnings."""
    today = today or date.today()
    errors: dict[str, str] = {}
    region = regions.region(data.gemeente.region_code or "")
    if region is None:
        raise InvalidInput({"gemeente": "De regio van deze gemeente is niet ingeschakeld."})

    if data.aanbieder is None or data.aanbieder.kind != "aanbieder":
        errors["aanbieder_id"] = "Kies de aanbieder die de ondersteuning levert."

    client = _client(data, errors, today)

    product = regions.product(region.code, data.product_key or "")
    if product is None:
        errors["product_key"] = f"Kies een product uit de productcatalogus van {region.name}."
    eenheid = data.eenheid or (product.unit if product else None)
    if product is not None:
        if product.unit and data.eenheid and data.eenheid != product.unit:
            errors["eenheid"] = (f"Dit product wordt in {region.name} toegewezen in "
                                 f"'{unit_label(product.unit)}', niet in '{unit_label(data.eenheid)}'.")
        elif not eenheid:
            errors["eenheid"] = ("De productcatalogus noemt voor dit product geen eenheid: "
                                 "kies de eenheid van de toewijzing.")
    if eenheid and eenheid not in UNITS:
        errors["eenheid"] = "Kies een eenheid uit de lijst."
    if data.frequentie not in FREQUENCIES:
        errors["frequentie"] = "Kies een frequentie uit de lijst."
    if data.volume is None or not 0 < data.volume <= MAX_VOLUME:
        errors["volume"] = f"Vul een omvang in van 1 tot en met {MAX_VOLUME}."

    if data.toewijzing_nummer is None or not 0 <= data.toewijzing_nummer <= MAX_TOEWIJZING_NUMMER:
        errors["toewijzing_nummer"] = (f"Het toewijzingnummer is een geheel getal van 0 tot en met "
                                       f"{MAX_TOEWIJZING_NUMMER}.")
    elif db.session.scalar(select(Toewijzing.id).where(
            Toewijzing.gemeente_id == data.gemeente.id,
            Toewijzing.toewijzing_nummer == data.toewijzing_nummer)):
        errors["toewijzing_nummer"] = (f"Toewijzingnummer {data.toewijzing_nummer} bestaat al bij "
                                       f"gemeente {data.gemeente.name}.")

    if data.ingangsdatum is None:
        errors["ingangsdatum"] = "Vul de ingangsdatum in."
    elif data.einddatum is not None and data.einddatum < data.ingangsdatum:
        errors["einddatum"] = "De einddatum ligt vóór de ingangsdatum."

    if errors:
        raise InvalidInput(errors)

    toewijzing = Toewijzing(
        toewijzing_nummer=data.toewijzing_nummer, client=client, aanbieder=data.aanbieder,
        gemeente=data.gemeente, product_category=product.category, product_code=product.code,
        product_key=product.key, volume=data.volume, eenheid=eenheid, frequentie=data.frequentie,
        ingangsdatum=data.ingangsdatum, einddatum=data.einddatum, status="actief",
    )
    findings = regions.validate_toewijzing(region.code, facts_of(toewijzing))
    blocking = [f for f in findings if f.severity == Severity.ERROR]
    if blocking:
        _detach(toewijzing, client)
        raise InvalidInput({_form_field(f.field): f"{f.message} ({f.rule})" for f in blocking})
    db.session.add(toewijzing)
    return toewijzing, [f for f in findings if f.severity == Severity.WARNING]


def _detach(toewijzing: Toewijzing, client: Client) -> None:
    for obj in (toewijzing, client):
        if obj in db.session:
            db.session.expunge(obj)


def _form_field(field: str | None) -> str:
    return field if field in ToewijzingInput.__dataclass_fields__ else "product_key"


def _client(data: ToewijzingInput, errors: dict[str, str], today: date) -> Client | None:
    bsn = (data.bsn or "").strip()
    problem = bsn_problem(bsn)
    if problem:
        errors["bsn"] = problem
        return None
    client = db.session.scalar(select(Client).where(Client.bsn == bsn))
    if client is not None:
        if client.gemeente_id != data.gemeente.id:
            errors["bsn"] = (f"Deze cliënt staat bij gemeente {client.gemeente.name} ingeschreven; "
                             f"een toewijzing voor deze cliënt hoort bij die gemeente.")
        return client
    voorletters = (data.voorletters or "").replace(".", "").replace(" ", "")
    if not VOORLETTERS.fullmatch(voorletters):
        errors["voorletters"] = "Vul de voorletters in (hoogstens 6 letters), bijvoorbeeld J.A."
    if not (data.achternaam or "").strip():
        errors["achternaam"] = "Vul de achternaam in."
    if data.geboortedatum is None:
        errors["geboortedatum"] = "Vul de geboortedatum in."
    elif data.geboortedatum > today:
        errors["geboortedatum"] = "De geboortedatum ligt in de toekomst."
    if errors:
        return None
    return Client(bsn=bsn, voorletters=voorletters.upper(),
                  voorvoegsel=(data.voorvoegsel or "").strip() or None,
                  achternaam=data.achternaam.strip(), geboortedatum=data.geboortedatum,
                  gemeente=data.gemeente)
