"""Beheer: the products an aanbieder is registered for, per region."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from portal.accounts.models import AANBIEDER_KIND, Organisation
from portal.accounts.roles import BEHEER
from portal.accounts.services import InvalidInput
from portal.auth.policy import roles
from portal.contracts.forms import contract_form_for
from portal.contracts.services import contracts_of, register_contract
from portal.extensions import db
from portal.forms import choices, show_errors
from portal.regions import registry

bp = Blueprint("contracts", __name__, url_prefix="/beheer/aanbieders", template_folder="templates")


@bp.route("/<int:aanbieder_id>/inschrijvingen", methods=["GET", "POST"])
@roles(BEHEER)
def index(aanbieder_id: int):
    aanbieder = db.session.get(Organisation, aanbieder_id)
    if aanbieder is None or aanbieder.kind != AANBIEDER_KIND:
        abort(404)
    region = registry().region(request.args.get("regio", ""))
    form = None
    if region is not None:
        products = registry().products(region.code)
        fields = registry().toewijzing_fields(region.code)
        form = contract_form_for(fields, {p.key: p for p in products})()
        form.product_key.choices = choices([("", "— kies —")] + [
            (p.key, f"{p.code or 'geen code'} · {p.name}") for p in products])
        if form.validate_on_submit():
            given = {spec.key: form[f"attr_{spec.key}"].data for spec in fields}
            try:
                register_contract(registry(), aanbieder, region.code, form.product_key.data, given)
                db.session.commit()
                flash(f"{aanbieder.name} is ingeschreven.", "info")
                return redirect(url_for("contracts.index", aanbieder_id=aanbieder.id,
                                        regio=region.code))
            except InvalidInput as invalid:
                db.session.rollback()
                show_errors(form, invalid.errors, fallback="product_key")
    products = {(r.code, p.key): p for r in registry().regions() for p in registry().products(r.code)}
    return render_template("contracts/index.html", aanbieder=aanbieder, region=region, form=form,
                           contracts=contracts_of(aanbieder), regions=registry().regions(),
                           products=products)
