"""The catalogue: regions with their municipalities and products, units and tariffs, exactly as
``wmo-portal regions --json`` prints them (portal.regions.report)."""

from __future__ import annotations

from marshmallow import Schema, fields

from portal.api.core import ApiBlueprint
from portal.api.problems import Problem
from portal.auth.policy import any_role
from portal.regions import registry
from portal.regions.report import region_json

blp = ApiBlueprint("api_catalogus", __name__, description="Regio's, gemeenten en producten.")


class MunicipalitySchema(Schema):
    code = fields.String(required=True, metadata={"description": "CBS-gemeentecode."})
    name = fields.String(required=True)


class ProductSchema(Schema):
    code = fields.String(allow_none=True, metadata={"description": "iWmo-productcode."})
    key = fields.String(required=True, metadata={"description": "Sleutel in de catalogus."})
    name = fields.String(required=True)
    category = fields.String(allow_none=True, metadata={"description": "WMO020-categorie."})
    unit = fields.String(allow_none=True, metadata={"description": "WJ756-eenheid toewijzing."})
    declaration_unit = fields.String(allow_none=True,
                                     metadata={"description": "WJ756-eenheid declaratie."})
    tariff = fields.String(allow_none=True, metadata={
        "description": "Tarief in euro's als tekst (bijv. '75.50'); null: niet vastgesteld."})
    tariff_unit = fields.String(allow_none=True)


class RegionSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    plugin = fields.String(required=True)
    municipalities = fields.List(fields.Nested(MunicipalitySchema), required=True)
    products = fields.List(fields.Nested(ProductSchema), required=True)


class CatalogueSchema(Schema):
    regions = fields.List(fields.Nested(RegionSchema), required=True)


@blp.route("/regios")
@any_role
@blp.response(200, CatalogueSchema)
def regions():
    """Alle regio's met gemeenten en producten (zoals `wmo-portal regions --json`)."""
    return {"regions": [region_json(registry(), r) for r in registry().regions()]}


@blp.route("/regios/<code>")
@any_role
@blp.response(200, RegionSchema)
def region(code: str):
    """Eén regio met gemeenten en producten."""
    found = registry().region(code)
    if found is None:
        raise Problem(404, f"Regio '{code}' bestaat niet of is niet ingeschakeld.")
    return region_json(registry(), found)
