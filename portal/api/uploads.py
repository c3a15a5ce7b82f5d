"""Handing in an iWmo message through the API: the same :func:`portal.berichten.services.receive`
as the browser's upload, so the bytes are stored unchanged first and every check of the page runs.

The body is the XML itself (``application/xml`` or ``text/xml``) or a form upload
(``multipart/form-data`` with the file in ``bestand``). Each endpoint takes one kind of message: a
message of another recognised kind is refused before anything is stored (422, naming the right
address); anything else, a broken file too, is stored and answered with its verdict, as on the
page.

``receive`` commits the bytes before it processes them. When the processing fails (a database
error), the upload stays stored as "ontvangen" (niet verwerkt) and the API answers 503 with its
address under /berichten; ``POST /berichten/{id}/verwerken`` has it processed again, once (as the
page's button does).
"""

from __future__ import annotations

from datetime import date

from flask import current_app, request, url_for
from marshmallow import Schema, fields

from portal.api.problems import Problem
from portal.api.schemas import Moment
from portal.berichten.archive import is_zip
from portal.berichten.models import Upload
from portal.berichten.services import NotProcessed, Settings, process_again, receive
from portal.iwmo.recognise import recognise, root_tag
from portal.iwmo.safe_xml import HEAD_BYTES, Refused, inspect_head
from portal.regions import registry

XML_TYPES = ("application/xml", "text/xml")
UPLOAD_TYPES = (*XML_TYPES, "multipart/form-data")
FILE_FIELD = "bestand"
# Where each message goes, for the message that names the wrong address.
ADDRESS = {"WMO323": "POST /api/v1/declaraties", "WMO301": "POST /api/v1/toewijzingen/wmo301"}

REQUEST_BODY = {
    "required": True,
    "description": "Eén iWmo 3.2-bericht: de XML zelf, of als formulier met het bestand in "
                   f"'{FILE_FIELD}'.",
    "content": {
        "application/xml": {"schema": {"type": "string", "format": "binary"}},
        "text/xml": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": [FILE_FIELD],
            "properties": {FILE_FIELD: {"type": "string", "format": "binary"}}}},
    },
}


class UploadFindingSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Regelcode (TR..., XSD, regio)."})
    retourcode = fields.String(allow_none=True, metadata={"description": "iWmo-retourcode."})
    severity = fields.String(required=True, metadata={"description": "error of warning."})
    message = fields.String(required=True, metadata={"description": "Nederlands."})
    line = fields.Integer(allow_none=True, metadata={"description": "Regel in het bestand."})
    path = fields.String(allow_none=True, metadata={"description": "Element in het bericht."})
    client = fields.Integer(allow_none=True, metadata={"description": "Nummer van de Client."})
    prestatie = fields.Integer(allow_none=True, metadata={
        "description": "Nummer van de Prestatie binnen die Client."})


class UploadSchema(Schema):
    """What the portal made of a handed-in message."""

    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    message_type = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={
        "description": "geldig, ongeldig, dubbel, geweigerd, of ontvangen (bewaard, niet "
                       "verwerkt: laat het opnieuw verwerken)."})
    summary = fields.String(required=True, metadata={"description": "Oordeel in het Nederlands."})
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = Moment(required=True)
    sender = fields.String(allow_none=True, attribute="sender_code")
    receiver = fields.String(allow_none=True, attribute="receiver_code")
    identificatie = fields.String(allow_none=True)
    findings = fields.List(fields.Nested(UploadFindingSchema), required=True)


class DeclarationSchema(UploadSchema):
    declaratie_nummer = fields.String(allow_none=True)
    answer_identificatie = fields.String(allow_none=True, metadata={
        "description": "Identificatie van het WMO325-antwoord; null als er geen is."})
    submitted_cents = fields.Integer(allow_none=True, metadata={
        "description": "Ingediend bedrag in centen (debet +, credit -)."})
    granted_cents = fields.Integer(allow_none=True, metadata={
        "description": "Toegekend bedrag in centen."})
    line_count = fields.Integer(allow_none=True)
    refused_count = fields.Integer(allow_none=True)


class ImportedSchema(Schema):
    toewijzing_nummer = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"description": "nieuw, gewijzigd of "
                                                                   "ongewijzigd."})
    id = fields.Integer(required=True)
    warnings = fields.List(fields.String(), required=True)


class ImportSchema(UploadSchema):
    imported = fields.List(fields.Nested(ImportedSchema), required=True)


class MessageSchema(DeclarationSchema, ImportSchema):
    """Any handed-in message: a declaration's fields, a WMO301's import (empty for others)."""


def received_upload(expected: str) -> Upload:
    """Receive the request's message as the token's account; the caller's transaction commits
    the processing."""
    from flask_login import current_user

    filename, data = _body()
    if is_zip(data):
        raise Problem(415, "Stuur één XML-bericht per verzoek; een ZIP-bestand kan alleen via "
                           "de pagina Berichten.")
    message = _message_type(data)
    if message is not None and message != expected and message in ADDRESS:
        raise Problem(422, f"Dit is een {message}-bericht; stuur het naar {ADDRESS[message]}. "
                           f"Hier hoort een {expected}.")
    try:
        return receive(registry(), current_user, filename, data, _settings())
    except NotProcessed as failed:
        current_app.logger.exception("Upload %s niet verwerkt (API)", failed.upload_id)
        location = url_for("api_berichten.get_message", upload_id=failed.upload_id)
        raise Problem(503, f"Het bestand is ontvangen en bewaard ({location}), maar kon nu niet "
                           f"worden verwerkt. Laat het opnieuw verwerken met POST "
                           f"{location}/verwerken; stuur het niet opnieuw.",
                      headers={"Location": location, "Retry-After": "60"}) from None


def processed_again(upload: Upload) -> Upload:
    """Process a stored upload that was not processed (the uploader's organisation); the caller
    commits. 409 when it was processed already."""
    from flask_login import current_user

    if upload.archive_id is not None or upload.organisation_id != current_user.organisation_id:
        raise Problem(404, "Alleen de organisatie die het bestand aanleverde laat het opnieuw "
                           "verwerken.")
    try:
        processed = process_again(registry(), upload.id, _settings())
    except NotProcessed:
        current_app.logger.exception("Upload %s opnieuw niet verwerkt (API)", upload.id)
        raise Problem(503, "De verwerking is opnieuw mislukt; het bestand blijft bewaard. "
                           "Probeer het later nog eens.", headers={"Retry-After": "60"}) from None
    if processed is None:
        raise Problem(409, "Dit bestand was al verwerkt; er is niets opnieuw gedaan.")
    return processed


def _settings() -> Settings:
    return Settings(max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
                    today=date.today())


def _body() -> tuple[str, bytes]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get(FILE_FIELD)
        if upload is None:
            raise Problem(422, f"Het formulier heeft geen bestand in '{FILE_FIELD}'.",
                          [{"pointer": f"#/{FILE_FIELD}", "detail": "Dit veld is verplicht."}])
        # A name is text the database keeps: no NUL or other control characters.
        name = "".join(c for c in upload.filename or "" if c.isprintable())
        return name or "bericht.xml", upload.read()
    data = request.get_data(cache=True)
    if not data:
        raise Problem(422, "Het verzoek heeft geen inhoud; stuur het iWmo-bericht als XML.")
    return "api-bericht.xml", data


def _message_type(data: bytes) -> str | None:
    """The message's kind from its root element, or None when the file does not say."""
    try:
        head = data[:HEAD_BYTES]
        return recognise(root_tag(head, inspect_head(head, len(data)))).message
    except Refused:
        return None


