"""Regions with their municipalities, products and tariffs, as the plugins report them."""

from flask import Blueprint, abort, render_template

from portal.auth.policy import any_role
from portal.regions import registry

bp = Blueprint("regions", __name__, url_prefix="/regios", template_folder="templates")


@bp.route("/")
@any_role
def index():
    regions = registry().regions()
    counts = {region.code: len(registry().products(region.code)) for region in regions}
    return render_template("regions/index.html", regions=regions, counts=counts)


@bp.route("/<code>")
@any_role
def detail(code: str):
    region = registry().region(code)
    if region is None:
        abort(404)
    return render_template("regions/detail.html", region=region,
                           products=registry().products(code))
