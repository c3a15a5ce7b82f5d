"""Regions with their municipalities, products and tariffs; beheer sets what a document leaves open."""

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.roles import BEHEER
from portal.accounts.services import InvalidInput
from portal.auth.policy import any_role, roles
from portal.extensions import db
from portal.forms import choices, show_errors
from portal.iwmo.codelists import UNITS
from portal.plugins.types import Product
from portal.pricing import PriceError, Tariff
from portal.regions import registry
from portal.regions.catalogue import (
    Configuration,
    configuration,
    configured_tariffs,
    effective_code,
    tariff_on,
)
from portal.regions.forms import ProductCodeForm, TariffForm, parse_amount
from portal.regions.services import set_product_code, set_tariff

bp = Blueprint("regions", __name__, url_prefix="/regios", template_folder="templates")


@dataclass(frozen=True)
class CatalogueRow:
    """A product as a page shows it: its effective code and today's tariff (or why there is none)."""

    product: Product
    code: str | None
    tariff: Tariff | None
    per_variant: dict[str, Tariff | None]


def _row(region: str, product: Product, today: date, config: Configuration) -> CatalogueRow:
    per_variant = {}
    for variant in product.variants:
        try:
            per_variant[variant.label] = tariff_on(registry(), region, product, today,
                                                   variant.key, config)
        except PriceError:
            per_variant[variant.label] = None
    return CatalogueRow(product, effective_code(region, product, config),
                        tariff_on(registry(), region, product, today, config=config), per_variant)


def _region_or_404(code: str):
    region = registry().region(code)
    if region is None:
        abort(404)
    return region


def _product_or_404(region_code: str, key: str) -> Product:
    product = registry().product(region_code, key)
    if product is None:
        abort(404)
    return product


@bp.route("/")
@any_role
def index():
    regions = registry().regions()
    counts = {region.code: len(registry().products(region.code)) for region in regions}
    return render_template("regions/index.html", regions=regions, counts=counts)


@bp.route("/<code>")
@any_role
def detail(code: str):
    region = _region_or_404(code)
    today = date.today()
    config = configuration(code)
    rows = [_row(code, product, today, config) for product in registry().products(code)]
    return render_template("regions/detail.html", region=region, rows=rows, today=today)


def _forms(product: Product) -> tuple[TariffForm, ProductCodeForm]:
    tariff_form = TariffForm(prefix="tarief")
    unit = product.tariff_unit or product.declaration_unit or product.unit
    tariff_form.tariff_unit.choices = choices(UNITS.items())
    if unit and not tariff_form.tariff_unit.data:
        tariff_form.tariff_unit.data = unit
    tariff_form.variant.choices = choices(
        [("", "alle grondslagen" if product.variants else "niet van toepassing")]
        + [(v.key, v.label) for v in product.variants])
    # Without variants the page shows no Grondslag field, so a browser posts none: nothing to check.
    tariff_form.variant.validate_choice = bool(product.variants)
    return tariff_form, ProductCodeForm(prefix="code")


def _product_page(region_code: str, product: Product, tariff_form, code_form, status=200):
    region = _region_or_404(region_code)
    today = date.today()
    config = configuration(region_code)
    return render_template(
        "regions/product.html", region=region, row=_row(region_code, product, today, config),
        history=configured_tariffs(region_code, product, config), tariff_form=tariff_form,
        code_form=code_form, today=today), status


@bp.route("/<code>/producten/<key>")
@any_role
def product(code: str, key: str):
    product = _product_or_404(code, key)
    return _product_page(code, product, *_forms(product))


@bp.route("/<code>/producten/<key>/tarief", methods=["POST"])
@roles(BEHEER)
def set_product_tariff(code: str, key: str):
    product = _product_or_404(code, key)
    tariff_form, code_form = _forms(product)
    if tariff_form.validate_on_submit():
        try:
            set_tariff(code, product, parse_amount(tariff_form.amount.data),
                       tariff_form.tariff_unit.data, tariff_form.variant.data or None,
                       tariff_form.valid_from.data, tariff_form.valid_until.data, current_user.id)
            db.session.commit()
            flash(f"Het tarief van {product.name} is opgeslagen.", "info")
            return redirect(url_for("regions.product", code=code, key=key))
        except InvalidInput as invalid:
            db.session.rollback()
            show_errors(tariff_form, invalid.errors, fallback="amount")
    return _product_page(code, product, tariff_form, code_form, 200)


@bp.route("/<code>/producten/<key>/code", methods=["POST"])
@roles(BEHEER)
def set_code(code: str, key: str):
    product = _product_or_404(code, key)
    tariff_form, code_form = _forms(product)
    if code_form.validate_on_submit():
        try:
            set_product_code(registry(), code, product, code_form.code.data, current_user.id)
            db.session.commit()
            flash(f"De productcode van {product.name} is opgeslagen.", "info")
            return redirect(url_for("regions.product", code=code, key=key))
        except InvalidInput as invalid:
            db.session.rollback()
            if product.code:  # the page shows no code form for a documented code: say it on top
                flash(invalid.errors["code"], "error")
            code_form.code.errors = [*code_form.code.errors, invalid.errors["code"]]
    return _product_page(code, product, tariff_form, code_form, 200)
