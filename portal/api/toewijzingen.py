"""Toewijzingen: create one from JSON (a gemeente), import a WMO301 (a gemeente), list and read
them with the region's findings, and the region's deadlines of one.

Creating goes through :func:`portal.toewijzingen.services.create_toewijzing`, the function behind
beheer's form, so every check and region rule is the same; the gemeente is the token's own. Who
sees which toewijzing is :func:`portal.auth.policy.visible_toewijzingen`: another tenant's answers
404.
"""

from __future__ import annotations

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

from portal.accounts.models import AANBIEDER_KIND, Organisation
from portal.accounts.roles import GEMEENTE
from portal.accounts.services import InvalidInput
from portal.api.core import ID, ApiBlueprint, consumes, mutation
from portal.api.problems import Problem
from portal.api.schemas import InputSchema, PageArgs, PageSchema, RuleFindingSchema
from portal.api.uploads import REQUEST_BODY, UPLOAD_TYPES, ImportSchema, received_upload
from portal.audit.recorder import record
from portal.auth.policy import any_role, roles, visible_toewijzingen
from portal.clients.models import Client
from portal.extensions import db
from portal.iwmo.codelists import FREQUENCIES, UNITS
from portal.regions import registry
from portal.regions.catalogue import find_product
from portal.toewijzingen.models import MAX_TOEWIJZING_NUMMER, MAX_VOLUME, Toewijzing
from portal.toewijzingen.services import ToewijzingInput, create_toewijzing, facts_of

blp = ApiBlueprint("api_toewijzingen", __name__, description="Toewijzingen, hun bevindingen en termijnen.")

STATUSES = ("actief", "beeindigd", "verwijderd")
BSN = validate.Regexp(r"^[0-9]{9}$", error="Een BSN is 9 cijfers.")


# -- shapes ----------------------------------------------------------------------------------------

class ClientSchema(Schema):
    id = fields.Integer(required=True)
    bsn = fields.String(required=True)
    voorletters = fields.String(required=True)
    voorvoegsel = fields.String(allow_none=True)
    achternaam = fields.String(required=True)
    geboortedatum = fields.Date(required=True)


class OrganisationSchema(Schema):
    code = fields.String(required=True, metadata={"description": "AGB- of CBS-code."})
    name = fields.String(required=True)


class WarningSchema(Schema):
    rule = fields.String(required=True)
    message = fields.String(required=True)


class ToewijzingSchema(Schema):
    id = fields.Integer(required=True)
    toewijzing_nummer = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "actief, beeindigd of "
                                                                   "verwijderd."})
    client = fields.Nested(ClientSchema, required=True)
    gemeente = fields.Nested(OrganisationSchema, required=True)
    aanbieder = fields.Nested(OrganisationSchema, required=True)
    region = fields.String(required=True, attribute="gemeente.region_code")
    product_category = fields.String(required=True)
    product_code = fields.String(allow_none=True)
    product_key = fields.String(allow_none=True)
    volume = fields.Integer(allow_none=True)
    eenheid = fields.String(allow_none=True, metadata={"description": "WJ756."})
    frequentie = fields.String(allow_none=True, metadata={"description": "WMO757."})
    ingangsdatum = fields.Date(required=True)
    einddatum = fields.Date(allow_none=True)
    attributes = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                             metadata={"description": "De eigen velden van de regio."})
    warnings = fields.List(fields.Nested(WarningSchema), required=True, metadata={
        "description": "Waarschuwingen van de regio bij het aanmaken."})


class ToewijzingDetailSchema(ToewijzingSchema):
    findings = fields.List(fields.Nested(RuleFindingSchema), required=True, metadata={
        "description": "Wat de regels van de regio nu over deze toewijzing zeggen."})


class ToewijzingPageSchema(PageSchema):
    items = fields.List(fields.Nested(ToewijzingSchema), required=True)


class ToewijzingFilter(PageArgs):
    bsn = fields.String(validate=BSN, metadata={"description": "BSN van de cliënt."})
    product = fields.String(validate=validate.Length(min=1, max=40, error="1 tot 40 tekens."),
                            metadata={"description": "Productcode of sleutel."})
    status = fields.String(validate=validate.OneOf(STATUSES, error="Kies uit: {choices}."))
    period_start = fields.Date(metadata={"description": "Alleen toewijzingen die op of na deze "
                                                        "datum nog lopen."})
    period_end = fields.Date(metadata={"description": "Alleen toewijzingen die op of voor deze "
                                                      "datum ingaan."})


class ToewijzingCreateSchema(InputSchema):
    """A new toewijzing of the token's gemeente; client data is needed only for a new client."""

    aanbieder_agb = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9]{8}$", error="Een AGB-code is 8 cijfers."))
    bsn = fields.String(required=True, validate=BSN)
    voorletters = fields.String(load_default="", validate=validate.Length(max=20))
    voorvoegsel = fields.String(load_default="", validate=validate.Length(max=10))
    achternaam = fields.String(load_default="", validate=validate.Length(max=200))
    geboortedatum = fields.Date(load_default=None)
    toewijzing_nummer = fields.Integer(required=True, validate=validate.Range(
        min=0, max=MAX_TOEWIJZING_NUMMER, error="Een geheel getal van {min} tot en met {max}."))
    product = fields.String(required=True, validate=validate.Length(min=1, max=40),
                            metadata={"description": "Productcode of sleutel uit de catalogus."})
    volume = fields.Integer(required=True, validate=validate.Range(
        min=1, max=MAX_VOLUME, error="Een omvang van {min} tot en met {max}."))
    eenheid = fields.String(load_default="", validate=validate.OneOf(
        ("", *UNITS), error="Kies een WJ756-eenheid: {choices}."),
        metadata={"description": "Leeg: de eenheid uit de catalogus."})
    frequentie = fields.String(required=True, validate=validate.OneOf(
        tuple(FREQUENCIES), error="Kies een WMO757-frequentie: {choices}."))
    ingangsdatum = fields.Date(required=True)
    einddatum = fields.Date(load_default=None, allow_none=True)
    attributes = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict,
                             metadata={"description": "De eigen velden van de regio."})


class DeadlineSchema(Schema):
    kind = fields.String(required=True)
    due = fields.Date(required=True)
    rule = fields.String(required=True, metadata={"description": "Wat er moet gebeuren."})
    source = fields.String(allow_none=True, metadata={"description": "Bron: seedbestand:regel."})
    id = fields.String(required=True, metadata={"description": "Regelcode."})


class DeadlinesSchema(Schema):
    deadlines = fields.List(fields.Nested(DeadlineSchema), required=True)


# -- reading -----------------------------------------------------------------------------------------

def toewijzing_or_404(toewijzing_id: int) -> Toewijzing:
    toewijzing = db.session.scalar(visible_toewijzingen(current_user)
                                   .where(Toewijzing.id == toewijzing_id))
    if toewijzing is None:
        raise Problem(404, f"Toewijzing {toewijzing_id} bestaat niet, of deze sleutel heeft er "
                           f"geen toegang toe.")
    return toewijzing


@blp.route("/toewijzingen")
@any_role
@blp.arguments(ToewijzingFilter, location="query")
@blp.response(200, ToewijzingPageSchema)
def list_toewijzingen(args):
    """Toewijzingen van uw organisatie, te filteren op cliënt, product, status en periode."""
    query = visible_toewijzingen(current_user)
    if "bsn" in args:
        query = query.join(Client, Toewijzing.client_id == Client.id).where(
            Client.bsn == args["bsn"])
    if "product" in args:
        query = query.where(or_(Toewijzing.product_code == args["product"],
                                Toewijzing.product_key == args["product"]))
    if "status" in args:
        query = query.where(Toewijzing.status == args["status"])
    if "period_start" in args:
        query = query.where(or_(Toewijzing.einddatum.is_(None),
                                Toewijzing.einddatum >= args["period_start"]))
    if "period_end" in args:
        query = query.where(Toewijzing.ingangsdatum <= args["period_end"])
    from portal.api.paging import page_of

    return page_of(query.order_by(Toewijzing.id), args)


@blp.route(f"/toewijzingen/<{ID}:toewijzing_id>")
@any_role
@blp.response(200, ToewijzingDetailSchema)
def get_toewijzing(toewijzing_id: int):
    """Eén toewijzing, met wat de regels van de regio er nu over zeggen."""
    toewijzing = toewijzing_or_404(toewijzing_id)
    findings = registry().validate_toewijzing(toewijzing.gemeente.region_code or "",
                                              facts_of(toewijzing))
    record("view", "toewijzing", toewijzing.id)  # the API reads a client's data: logged
    db.session.commit()
    return {**_as_dict(toewijzing), "findings": [
        {"rule": f.rule, "severity": f.severity.value, "message": f.message, "field": f.field}
        for f in findings]}


def _as_dict(toewijzing: Toewijzing) -> dict:
    return {name: getattr(toewijzing, name) for name in ToewijzingSchema().fields
            if name != "region"}


@blp.route(f"/toewijzingen/<{ID}:toewijzing_id>/termijnen")
@any_role
@blp.response(200, DeadlinesSchema)
def deadlines(toewijzing_id: int):
    """De termijnen die de regio aan deze toewijzing verbindt (plan, evaluatie, ...)."""
    toewijzing = toewijzing_or_404(toewijzing_id)
    found = registry().deadlines(toewijzing.gemeente.region_code or "",
                                 facts_of(toewijzing, with_others=False))
    return {"deadlines": [{"kind": d.kind, "due": d.due, "rule": d.message,
                           "source": str(d.source) if d.source else None, "id": d.rule}
                          for d in found]}


# -- creating ----------------------------------------------------------------------------------------

# The service names form fields; the API names JSON fields.
_POINTERS = {"aanbieder_id": "aanbieder_agb", "product_key": "product", "gemeente": ""}


@blp.route("/toewijzingen", methods=["POST"])
@roles(GEMEENTE)
@mutation
@blp.arguments(ToewijzingCreateSchema)
@blp.response(201, ToewijzingSchema)
@blp.problem(422, "Ongeldige invoer of een regel van de regio.")
def create(data):
    """Een nieuwe toewijzing van uw gemeente (met elke controle van het beheerformulier)."""
    gemeente = current_user.organisation
    region = gemeente.region_code or ""
    product = find_product(registry(), region, data["product"]) if registry().region(region) \
        else None
    aanbieder = db.session.scalar(select(Organisation).where(
        Organisation.kind == AANBIEDER_KIND, Organisation.code == data["aanbieder_agb"]))
    errors = {}  # the service asks to choose an aanbieder; the API names the code it got
    if aanbieder is None:
        errors["aanbieder_id"] = f"Aanbieder met AGB-code {data['aanbieder_agb']} is niet " \
                                 f"aangesloten bij de portal."
    try:
        toewijzing, _warnings = create_toewijzing(registry(), ToewijzingInput(
            gemeente=gemeente, aanbieder=aanbieder, bsn=data["bsn"],
            voorletters=data["voorletters"], voorvoegsel=data["voorvoegsel"],
            achternaam=data["achternaam"], geboortedatum=data["geboortedatum"],
            toewijzing_nummer=data["toewijzing_nummer"],
            product_key=product.key if product else data["product"], volume=data["volume"],
            eenheid=data["eenheid"], frequentie=data["frequentie"],
            ingangsdatum=data["ingangsdatum"], einddatum=data["einddatum"],
            attributes=data["attributes"]))
    except InvalidInput as invalid:
        found = {**invalid.errors, **errors}
        raise Problem(422, "De toewijzing is niet opgeslagen: " + " ".join(found.values()),
                      [{"pointer": "#/" + _pointer(name), "detail": message}
                       for name, message in found.items()]) from None
    db.session.flush()
    return toewijzing, 201, {"Location": url_for("api_toewijzingen.get_toewijzing",
                                                 toewijzing_id=toewijzing.id)}


def _pointer(name: str) -> str:
    if name.startswith("attr_"):
        return f"attributes/{name.removeprefix('attr_')}"
    return _POINTERS.get(name, name)


@blp.route("/toewijzingen/wmo301", methods=["POST"])
@roles(GEMEENTE)
@consumes(*UPLOAD_TYPES, max_bytes=0)
@mutation
@blp.doc(requestBody=REQUEST_BODY)
@blp.response(201, ImportSchema)
@blp.problem(422, "Een bericht van een andere soort (bijv. een WMO323).")
def import_wmo301():
    """Een WMO301 van uw gemeente inlezen: toewijzingen aangemaakt of bijgewerkt per
    ToewijzingNummer, het hele bericht of niets. Het antwoord geeft het oordeel en per
    toewijzing wat er gebeurde; een afgekeurd bericht staat er met zijn bevindingen."""
    upload = received_upload("WMO301")
    db.session.flush()
    return upload, 201, {"Location": url_for("api_berichten.get_message", upload_id=upload.id)}


