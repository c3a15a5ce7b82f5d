"""Beheer's page for API tokens: make one (shown once), see them all, revoke one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from portal.accounts.models import Organisation
from portal.accounts.roles import BEHEER
from portal.accounts.services import InvalidInput
from portal.api.models import ApiToken
from portal.api.tokens import DEFAULT_DAYS, MAX_DAYS, create_token, revoke
from portal.auth.policy import roles
from portal.extensions import db
from portal.forms import Form, choices, show_errors

bp = Blueprint("api_tokens", __name__, url_prefix="/beheer/api-sleutels",
               template_folder="templates")


class TokenForm(Form):
    organisation_id = SelectField("Organisatie", choices=[], coerce=int)
    name = StringField("Naam van de sleutel (bijvoorbeeld het systeem dat hem gebruikt)",
                       validators=[DataRequired("Geef de sleutel een naam."), Length(max=100)])
    days = IntegerField(f"Geldig (dagen, 1 tot en met {MAX_DAYS})", default=DEFAULT_DAYS,
                        validators=[NumberRange(1, MAX_DAYS, f"Kies 1 tot en met {MAX_DAYS} "
                                                             f"dagen.")])
    submit = SubmitField("Sleutel maken")


class RevokeForm(Form):
    submit = SubmitField("Intrekken")


@bp.route("/", methods=["GET", "POST"])
@roles(BEHEER)
def index():
    form = _form()
    secret = None
    if form.validate_on_submit():
        try:
            token, secret = create_token(db.session.get(Organisation, form.organisation_id.data),
                                         form.name.data, form.days.data,
                                         created_by=current_user._get_current_object())
            db.session.commit()
        except InvalidInput as invalid:
            db.session.rollback()
            show_errors(form, invalid.errors, fallback="name")
        else:
            flash(f"Sleutel '{token.name}' is gemaakt voor {token.organisation.name}. Kopieer "
                  f"hem nu: hij wordt maar één keer getoond.", "info")
            form = _form(formdata=None)  # an empty form below the token shown once
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(),
                                                          ApiToken.id.desc())).all()
    return render_template("api/tokens.html", form=form, tokens=tokens, secret=secret,
                           revoke_form=RevokeForm())


def _form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    form.organisation_id.choices = choices([(0, "— kies —")] + [
        (o.id, f"{o.name} ({o.code_label} {o.code})") for o in db.session.scalars(
            select(Organisation).order_by(Organisation.kind, Organisation.name))])
    return form


@bp.route("/<int:token_id>/intrekken", methods=["POST"])
@roles(BEHEER)
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not RevokeForm().validate_on_submit():
        abort(404 if token is None else 400)
    revoke(token)
    db.session.commit()
    flash(f"Sleutel '{token.name}' ({token.prefix}…) is ingetrokken.", "info")
    return redirect(url_for("api_tokens.index"))
