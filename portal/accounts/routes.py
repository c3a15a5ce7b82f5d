"""Beheer: organisations and users."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.forms import OrganisationForm, ToggleForm, UserForm
from portal.accounts.models import Organisation, User
from portal.accounts.roles import BEHEER
from portal.accounts.services import InvalidInput, create_organisation, create_user
from portal.auth.policy import roles
from portal.extensions import db
from portal.forms import choices, show_errors
from portal.regions import registry

bp = Blueprint("accounts", __name__, url_prefix="/beheer", template_folder="templates")


@bp.route("/organisaties", methods=["GET", "POST"])
@roles(BEHEER)
def organisations():
    form = OrganisationForm()
    form.region_code.choices = choices([("", "— geen (aanbieder) —")] + [
        (region.code, region.name) for region in registry().regions()])
    if form.validate_on_submit():
        try:
            organisation = create_organisation(registry(), form.kind.data, form.code.data,
                                               form.name.data, form.region_code.data or None)
            db.session.commit()
            flash(f"{organisation.name} ({organisation.code}) is toegevoegd.", "info")
            return redirect(url_for("accounts.organisations"))
        except InvalidInput as invalid:
            db.session.rollback()
            show_errors(form, invalid.errors)
    rows = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    regions = {region.code: region for region in registry().regions()}
    return render_template("accounts/organisations.html", form=form, organisations=list(rows),
                           regions=regions)


@bp.route("/gebruikers", methods=["GET", "POST"])
@roles(BEHEER)
def users():
    form = UserForm()
    organisations = list(db.session.scalars(
        select(Organisation).order_by(Organisation.kind, Organisation.name)))
    form.organisation_id.choices = choices([(0, "— geen (beheer) —")] + [
        (o.id, f"{o.name} ({o.code_label} {o.code})") for o in organisations])
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data) \
            if form.organisation_id.data else None
        try:
            user = create_user(form.email.data, form.name.data, form.role.data,
                               form.password.data, organisation)
            db.session.commit()
            flash(f"Gebruiker {user.email} is toegevoegd.", "info")
            return redirect(url_for("accounts.users"))
        except InvalidInput as invalid:
            db.session.rollback()
            show_errors(form, invalid.errors)
    rows = db.session.scalars(select(User).order_by(User.email))
    return render_template("accounts/users.html", form=form, users=list(rows),
                           toggle=ToggleForm())


@bp.route("/gebruikers/<int:user_id>/actief", methods=["POST"])
@roles(BEHEER)
def toggle_active(user_id: int):
    form = ToggleForm()
    user = db.session.get(User, user_id)
    if user is None or not form.validate_on_submit():
        abort(404 if user is None else 400)
    if user.id == current_user.id:
        flash("U kunt uw eigen account niet uitschakelen.", "error")
        return redirect(url_for("accounts.users"))
    user.active = not user.active
    db.session.commit()
    flash(f"{user.email} is {'ingeschakeld' if user.active else 'uitgeschakeld'}.", "info")
    return redirect(url_for("accounts.users"))
