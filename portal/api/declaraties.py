"""Declarations: hand in a WMO323 (an aanbieder), read its outcome per prestatie, download the
WMO325 answer, and list declarations by month and status.

Handing in is :func:`portal.berichten.services.receive`, as on the page: the bytes are stored,
validated with the region's checks, every prestatie is matched and checked against the
toewijzingen (portal.declaraties) and answered in the WMO325, all in one transaction. Who sees
which declaration is :func:`portal.berichten.routes.visible_uploads` (its own, and those addressed
to a gemeente); the prestaties are :func:`portal.declaraties.routes.visible_lines`.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Response, url_for
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import exists, select
from sqlalchemy.orm import undefer

from portal.accounts.roles import AANBIEDER
from portal.api.core import ID, ApiBlueprint, consumes, mutation
from portal.api.paging import page_of
from portal.api.problems import Problem
from portal.api.schemas import PageArgs, PageSchema
from portal.api.uploads import (
    REQUEST_BODY,
    UPLOAD_TYPES,
    DeclarationSchema,
    received_upload,
)
from portal.auth.policy import any_role, roles
from portal.berichten.models import STATUSES, Upload
from portal.berichten.routes import visible_uploads
from portal.declaraties.models import OUTCOMES, DeclarationLine
from portal.extensions import db

blp = ApiBlueprint("api_declaraties", __name__, description="Declaraties (WMO323) en hun antwoord "
                                                     "(WMO325).")

_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def _month(text: str) -> None:
    if not _MONTH.fullmatch(text):
        raise ValidationError("Schrijf de maand als JJJJ-MM, bijvoorbeeld 2026-10.")


# -- shapes ----------------------------------------------------------------------------------------

class DeclarationPageSchema(PageSchema):
    items = fields.List(fields.Nested(DeclarationSchema), required=True)


class DeclarationFilter(PageArgs):
    month = fields.String(validate=_month, metadata={
        "description": "JJJJ-MM: declaraties met prestaties in die declaratiemaand."})
    status = fields.String(validate=validate.OneOf(tuple(STATUSES), error="Kies uit: {choices}."))


class LineFindingSchema(Schema):
    code = fields.String(required=True)
    severity = fields.String(required=True, metadata={"description": "error of warning."})
    message = fields.String(required=True, metadata={"description": "Nederlands."})
    retourcode = fields.String(allow_none=True)


class PrestatieSchema(Schema):
    client_number = fields.Integer(required=True)
    prestatie_number = fields.Integer(required=True)
    line = fields.Integer(allow_none=True, attribute="file_line",
                          metadata={"description": "Regel in het bestand."})
    reference = fields.String(required=True, metadata={"description": "ReferentieNummer."})
    bsn = fields.String(required=True, attribute="client_bsn")
    toewijzing_nummer = fields.Integer(allow_none=True)
    toewijzing_id = fields.Integer(allow_none=True)
    product_code = fields.String(required=True, attribute="code")
    begin = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    volume = fields.Integer(required=True)
    unit = fields.String(required=True)
    amount_cents = fields.Integer(required=True, attribute="signed_cents")
    outcome = fields.String(required=True, metadata={"description": "toegekend of afgewezen."})
    retourcodes = fields.List(fields.String(), required=True)
    findings = fields.List(fields.Nested(LineFindingSchema), required=True)


class PrestatiePageSchema(PageSchema):
    items = fields.List(fields.Nested(PrestatieSchema), required=True)


class PrestatieFilter(PageArgs):
    outcome = fields.String(validate=validate.OneOf(tuple(OUTCOMES), error="Kies uit: {choices}."))
    bsn = fields.String(validate=validate.Regexp(r"^[0-9]{9}$", error="Een BSN is 9 cijfers."))
    product = fields.String(validate=validate.Length(min=1, max=5, error="1 tot 5 tekens."))


# -- the resource ----------------------------------------------------------------------------------

def declarations(user):
    return visible_uploads(user).where(Upload.message_type == "WMO323")


def declaration_or_404(upload_id: int, *options) -> Upload:
    upload = db.session.scalar(declarations(current_user).where(Upload.id == upload_id)
                               .options(*options))
    if upload is None:
        raise Problem(404, f"Declaratie {upload_id} bestaat niet, of deze sleutel heeft er geen "
                           f"toegang toe.")
    return upload


@blp.route("/declaraties", methods=["POST"])
@roles(AANBIEDER)
@consumes(*UPLOAD_TYPES, max_bytes=0)
@mutation
@blp.doc(requestBody=REQUEST_BODY)
@blp.response(201, DeclarationSchema)
@blp.problem(422, "Een bericht van een andere soort (bijv. een WMO301).")
def hand_in():
    """Een WMO323 indienen. Het antwoord geeft het oordeel; ook een afgekeurd bestand wordt
    bewaard en beantwoord (status ongeldig, dubbel of geweigerd). De uitkomst per prestatie staat
    onder /declaraties/{id}/prestaties, het antwoordbericht onder /declaraties/{id}/wmo325."""
    upload = received_upload("WMO323")
    db.session.flush()
    return upload, 201, {"Location": url_for("api_declaraties.get_declaration", upload_id=upload.id)}


@blp.route("/declaraties")
@any_role
@blp.arguments(DeclarationFilter, location="query")
@blp.response(200, DeclarationPageSchema)
def list_declarations(args):
    """Declaraties van (of aan) uw organisatie, nieuwste eerst; te filteren op maand en status."""
    query = declarations(current_user)
    if "status" in args:
        query = query.where(Upload.status == args["status"])
    if "month" in args:
        year, month = (int(part) for part in args["month"].split("-"))
        query = query.where(exists().where(DeclarationLine.upload_id == Upload.id,
                                           DeclarationLine.month == date(year, month, 1)))
    return page_of(query.order_by(Upload.uploaded_at.desc(), Upload.id.desc()), args)


@blp.route(f"/declaraties/<{ID}:upload_id>")
@any_role
@blp.response(200, DeclarationSchema)
def get_declaration(upload_id: int):
    """Eén declaratie: het oordeel, de bedragen en alle bevindingen met code, ernst,
    Nederlandse melding en regel."""
    return declaration_or_404(upload_id)


@blp.route(f"/declaraties/<{ID}:upload_id>/prestaties")
@any_role
@blp.arguments(PrestatieFilter, location="query")
@blp.response(200, PrestatiePageSchema)
def prestaties(args, upload_id: int):
    """De uitkomst per prestatie (toegekend of afgewezen, met retourcodes en bevindingen), in de
    volgorde van het bestand. Een declaratie die als geheel is afgewezen heeft geen prestaties;
    haar bevindingen staan bij de declaratie."""
    upload = declaration_or_404(upload_id)
    query = select(DeclarationLine).where(DeclarationLine.upload_id == upload.id)
    if "outcome" in args:
        query = query.where(DeclarationLine.outcome == args["outcome"])
    if "bsn" in args:
        query = query.where(DeclarationLine.client_bsn == args["bsn"])
    if "product" in args:
        query = query.where(DeclarationLine.code == args["product"])
    return page_of(query.order_by(DeclarationLine.client_number,
                                  DeclarationLine.prestatie_number), args)


@blp.route(f"/declaraties/<{ID}:upload_id>/wmo325")
@any_role
@blp.response(200, {"type": "string", "description": "Het WMO325-bericht (iWmo 3.2)."},
              description="Het WMO325-antwoordbericht.", content_type="application/xml")
def answer(upload_id: int):
    """Het WMO325-antwoord op deze declaratie (XML)."""
    upload = declaration_or_404(upload_id, undefer(Upload.answer))
    if upload.answer is None:
        raise Problem(404, "Deze declaratie heeft geen WMO325-antwoord: ze is niet door de "
                           "XSD-controle gekomen of als dubbel geweigerd. Zie de bevindingen.")
    response = Response(upload.answer, mimetype="application/xml")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="WMO325_{upload.answer_identificatie}.xml"'
    return response
