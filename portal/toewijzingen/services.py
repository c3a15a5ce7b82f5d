"""Creating a toewijzing by hand (beheer), with every check at the boundary.

Nothing is stored unless every check passes; the caller commits. The region's own rules come from
the plugins (wmo_validate_toewijzing): their errors block, their warnings are shown after saving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.accounts.services import InvalidInput
from portal.clients.models import Client
from portal.extensions import db
from portal.identifiers import bsn_problem
from portal.iwmo.codelists import FREQUENCIES, UNITS, unit_label
from portal.iwmo.models import IwmoMessage
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Finding, Product, Severity, ToewijzingFacts, ToewijzingField
from portal.regions.catalogue import configuration, effective_code, tariff_on
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
    attributes: dict[str, str] = field(default_factory=dict)  # the region's own fields


def facts_of(toewijzing: Toewijzing, with_others: bool = True) -> ToewijzingFacts:
    """The toewijzing as the plugins see it: plain values, no database objects, and the client's
    other active toewijzingen (for rules about combinations)."""
    others: tuple[ToewijzingFacts, ...] = ()
    if with_others and toewijzing.client is not None and toewijzing.client.id is not None:
        # No autoflush: the toewijzing being checked must not be written before it passes.
        with db.session.no_autoflush:
            others = tuple(facts_of(other, with_others=False) for other in db.session.scalars(
                select(Toewijzing).where(Toewijzing.client_id == toewijzing.client.id,
                                         Toewijzing.status == "actief",
                                         Toewijzing.id != (toewijzing.id or -1))))
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
        attributes=dict(toewijzing.attributes or {}),
        others=others,
    )


def create_toewijzing(regions: RegionRegistry, data: ToewijzingInput,
                      today: date | None = None,
                      message: IwmoMessage | None = None) -> tuple[Toewijzing, list[Finding]]:
    """Store a toewijzing (and its client when new); return it with the region's warnings.

    ``message`` is the WMO301 the toewijzing comes from. A 301 cannot carry the region's own
    fields (perceel, grondslag, ...), so when they are missing the toewijzing is still stored,
    with a warning that beheer completes them.
    """
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

    missing: list[ToewijzingField] = []
    attributes = region_attributes(regions.toewijzing_fields(region.code), product,
                                   data.attributes, errors,
                                   missing=missing if message is not None else None)
    config = configuration(region.code)
    code = effective_code(region.code, product, config) if product else None
    if product is not None and product.placeholder and data.ingangsdatum is not None:
        # The document only has placeholders: assignable once beheer set code and price (G3-O1).
        if code is None or tariff_on(regions, region.code, product, data.ingangsdatum,
                                     config=config) is None:
            errors["product_key"] = (f"{product.name} kan nog niet worden toegewezen: de "
                                     f"productcode en de prijs moeten eerst door beheer worden "
                                     f"ingevuld (de productbeschrijving heeft alleen placeholders).")

    if errors:
        raise InvalidInput(errors)

    toewijzing = Toewijzing(
        toewijzing_nummer=data.toewijzing_nummer, client=client, aanbieder=data.aanbieder,
        gemeente=data.gemeente, product_category=product.category, product_code=code,
        product_key=product.key, volume=data.volume, eenheid=eenheid, frequentie=data.frequentie,
        ingangsdatum=data.ingangsdatum, einddatum=data.einddatum, status="actief",
        attributes=attributes,
    )
    findings = regions.validate_toewijzing(region.code, facts_of(toewijzing))
    blocking = [f for f in findings if f.severity == Severity.ERROR]
    if blocking:
        _detach(toewijzing, client)
        messages: dict[str, str] = {}
        for finding in blocking:
            key = _form_field(finding.field, attributes)
            text = f"{finding.message} ({finding.rule})"
            messages[key] = f"{messages[key]} {text}" if key in messages else text
        raise InvalidInput(messages)
    warnings = [f for f in findings if f.severity == Severity.WARNING]
    warnings += [Finding(rule="WMO301", severity=Severity.WARNING, field=spec.key,
                         message=f"'{spec.label}' staat niet in het toewijzingsbericht; beheer "
                                 f"vult dit aan, de regels van de regio hebben het nodig.")
                 for spec in missing]
    toewijzing.message = message
    toewijzing.warnings = [{"rule": f.rule, "message": f.message} for f in warnings]
    db.session.add(toewijzing)
    return toewijzing, warnings


def region_attributes(fields: list[ToewijzingField], product: Product | None,
                      given: dict[str, str], errors: dict[str, str],
                      missing: list[ToewijzingField] | None = None) -> dict[str, str]:
    """The region's own fields for this product: required where they apply, valid choices only.

    With a ``missing`` list, a required field without a value is added to it instead of being an
    error (a toewijzing from a 301, which cannot carry these fields).
    """
    values: dict[str, str] = {}
    for spec in fields:
        if product is None or not spec.applies_to(product.key):
            continue
        value = (given.get(spec.key) or "").strip()
        if not value:
            if spec.required and missing is not None:
                missing.append(spec)
            elif spec.required:
                errors[f"attr_{spec.key}"] = f"Vul '{spec.label}' in; dit is nodig voor {product.name}."
            continue
        if spec.choices and value not in {choice for choice, _ in spec.choices}:
            errors[f"attr_{spec.key}"] = f"Kies een waarde uit de lijst voor '{spec.label}'."
            continue
        if not spec.choices and not value.isdigit():
            errors[f"attr_{spec.key}"] = f"'{spec.label}' moet een geheel getal zijn."
            continue
        values[spec.key] = value
    return values


def _detach(toewijzing: Toewijzing, client: Client) -> None:
    for obj in (toewijzing, client):
        if obj in db.session:
            db.session.expunge(obj)


def _form_field(name: str | None, attributes: dict[str, str]) -> str:
    """The form field a finding belongs to: a toewijzing field, a region field, or the product."""
    if name in {"einddatum", "ingangsdatum", "volume", "product_key"}:
        return name
    if name in attributes:
        return f"attr_{name}"
    return "product_key"


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
