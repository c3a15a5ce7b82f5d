"""Beheer creates a toewijzing: first the gemeente (so the form offers its region's products),
then the client, the aanbieder and the product."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from portal.accounts.models import AANBIEDER_KIND, GEMEENTE_KIND, Organisation
from portal.accounts.roles import BEHEER
from portal.accounts.services import InvalidInput
from portal.auth.policy import roles
from portal.extensions import db
from portal.forms import choices, show_errors
from portal.regions import registry
from portal.toewijzingen.forms import ChooseGemeenteForm, with_region_fields
from portal.toewijzingen.services import ToewijzingInput, create_toewijzing

bp = Blueprint("toewijzingen", __name__, url_prefix="/beheer/toewijzingen",
               template_folder="templates")


def _gemeenten() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(
        Organisation.kind == GEMEENTE_KIND).order_by(Organisation.name)))


@bp.route("/nieuw", methods=["GET", "POST"])
@roles(BEHEER)
def new():
    gemeente_id = request.args.get("gemeente", type=int)
    if gemeente_id is None:
        choose = ChooseGemeenteForm(request.args, meta={"csrf": False})
        choose.gemeente.choices = choices((g.id, f"{g.name} ({g.code})") for g in _gemeenten())
        return render_template("toewijzingen/choose_gemeente.html", form=choose)

    gemeente = db.session.get(Organisation, gemeente_id)
    if gemeente is None or gemeente.kind != GEMEENTE_KIND:
        abort(404)
    region = registry().region(gemeente.region_code or "")
    if region is None:
        flash("De regio van deze gemeente is niet ingeschakeld.", "error")
        return redirect(url_for("toewijzingen.new"))
    products = registry().products(region.code)
    region_fields = registry().toewijzing_fields(region.code)

    form = with_region_fields(region_fields, {p.key: p for p in products})()
    form.aanbieder_id.choices = choices([(0, "— kies —")] + [
        (a.id, f"{a.name} (AGB {a.code})") for a in db.session.scalars(
            select(Organisation).where(Organisation.kind == AANBIEDER_KIND)
            .order_by(Organisation.name))])
    form.product_key.choices = choices([("", "— kies —")] + [
        (p.key, f"{p.code or 'geen code'} · {p.name}") for p in products])

    if form.validate_on_submit():
        data = ToewijzingInput(
            gemeente=gemeente,
            aanbieder=db.session.get(Organisation, form.aanbieder_id.data or 0),
            bsn=form.bsn.data, voorletters=form.voorletters.data,
            voorvoegsel=form.voorvoegsel.data, achternaam=form.achternaam.data,
            geboortedatum=form.geboortedatum.data,
            toewijzing_nummer=form.toewijzing_nummer.data, product_key=form.product_key.data,
            volume=form.volume.data, eenheid=form.eenheid.data, frequentie=form.frequentie.data,
            ingangsdatum=form.ingangsdatum.data, einddatum=form.einddatum.data,
            attributes={spec.key: form[f"attr_{spec.key}"].data for spec in region_fields},
        )
        try:
            toewijzing, warnings = create_toewijzing(registry(), data)
            db.session.commit()
        except InvalidInput as invalid:
            db.session.rollback()
            show_errors(form, invalid.errors, fallback="product_key")
        else:
            flash(f"Toewijzing {toewijzing.toewijzing_nummer} is opgeslagen.", "info")
            for warning in warnings:
                flash(f"Let op ({warning.rule}): {warning.message}", "warning")
            return redirect(url_for("clients.detail", client_id=toewijzing.client_id))
    return render_template("toewijzingen/new.html", form=form, gemeente=gemeente, region=region,
                           products=products, region_fields=region_fields)
