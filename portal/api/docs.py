"""The API's documentation page, rendered by the portal from its own OpenAPI document: no
JavaScript and nothing from a CDN, so it obeys the portal's Content-Security-Policy."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

from portal.api.problems import KINDS
from portal.auth.policy import public

bp = Blueprint("api_docs_page", __name__, template_folder="templates")

DESCRIPTION = (
    "De API van het Wmo-portaal voor de eigen systemen van aanbieders en gemeenten: dezelfde "
    "regels en dezelfde rechten als in de browser. Stuur bij elk verzoek een API-sleutel van uw "
    "organisatie mee als `Authorization: Bearer <sleutel>` (beheer maakt sleutels aan). Fouten "
    "zijn problemen volgens RFC 9457 (`application/problem+json`) met een Nederlandse `detail` "
    "en, bij ongeldige invoer, per veld een bevinding in `errors`. Lijsten zijn per pagina "
    "(`page`, `per_page`). Een wijzigend verzoek mag een `Idempotency-Key` meesturen: een "
    "herhaling met dezelfde sleutel en dezelfde inhoud geeft hetzelfde antwoord en wordt niet "
    "twee keer verwerkt (24 uur lang); dezelfde sleutel met een andere inhoud geeft 422.")

METHODS = ("get", "post", "put", "patch", "delete")


@bp.app_template_filter("code_spans")
def code_spans(text: str | None) -> Markup:
    """`quoted` parts of a description as <code>, everything escaped."""
    parts = (text or "").split("`")
    return Markup("").join(Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
                           for index, part in enumerate(parts))


@bp.route("/docs")
@public
def docs():
    document = current_app.extensions["wmo_api"].spec.to_dict()
    operations = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                operations.append((path, method.upper(), item[method]))
    return render_template("api/docs.html", document=document, operations=operations,
                           problems=sorted(KINDS.items()))
