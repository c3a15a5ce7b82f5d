"""Schemas shared by the API's resources: problems, pages of a list, findings.

Every schema refuses fields it does not know (marshmallow's default, RAISE): a misspelt field is a
422 naming it, never silently dropped.
"""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, post_load, validate

MAX_PER_PAGE = 200


class ProblemErrorSchema(Schema):
    pointer = fields.String(metadata={"description": "JSON-pointer naar het veld in de inhoud, "
                                                     "bijvoorbeeld #/bsn."})
    parameter = fields.String(metadata={"description": "Naam van de queryparameter."})
    header = fields.String(metadata={"description": "Naam van de header."})
    detail = fields.String(required=True, metadata={"description": "Wat er mis is (Nederlands)."})


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True, metadata={"description": "Uitleg van het soort probleem."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "Wat er mis is (Nederlands)."})
    instance = fields.String(required=True)
    errors = fields.List(fields.Nested(ProblemErrorSchema),
                         metadata={"description": "Bij ongeldige invoer: elke bevinding per veld."})


class InputSchema(Schema):
    """What a client sends. A NUL character is refused in any text: PostgreSQL cannot store it in
    a text column, and no Dutch name, code or plan holds one."""

    @post_load
    def _no_nul(self, data, **_kwargs):
        found = {}
        for key, value in data.items():
            if _has_nul(value):
                found[key] = ["Tekst met een NUL-teken (\\u0000) wordt niet aangenomen."]
        if found:
            raise ValidationError(found)
        return data


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class PageArgs(InputSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=1_000_000, error="Een paginanummer is 1 of meer."),
        metadata={"description": "Paginanummer, vanaf 1."})
    per_page = fields.Integer(load_default=50, validate=validate.Range(
        min=1, max=MAX_PER_PAGE, error=f"Per pagina 1 tot en met {MAX_PER_PAGE}."),
        metadata={"description": f"Aantal per pagina (hoogstens {MAX_PER_PAGE})."})


class PageSchema(Schema):
    """The envelope of a list: subclasses add ``items``."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Aantal in totaal."})
    pages = fields.Integer(required=True, metadata={"description": "Aantal pagina's."})


class RuleFindingSchema(Schema):
    """A finding of a region rule: its code, severity and Dutch message."""

    rule = fields.String(required=True, metadata={"description": "Regelcode, bijvoorbeeld TR346."})
    severity = fields.String(required=True, metadata={"description": "error of warning."})
    message = fields.String(required=True)
    field = fields.String(allow_none=True)


class Moment(fields.DateTime):
    """A moment in UTC with its offset, also when the database (SQLite) returns it without one."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
