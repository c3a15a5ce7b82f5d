"""Beheer's forms for organisations and users. The checks live in services.py."""

from portal.forms import Form, choices
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.accounts.models import ORGANISATION_KINDS
from portal.accounts.roles import ROLES


class OrganisationForm(Form):
    kind = SelectField("Soort", choices=choices(ORGANISATION_KINDS.items()))
    code = StringField("AGB-code (aanbieder, 8 cijfers) of CBS-gemeentecode (gemeente, 4 cijfers)",
                       validators=[DataRequired("Vul de code in."), Length(max=8)])
    name = StringField("Naam", validators=[Length(max=200)],
                       description="Bij een gemeente mag u dit leeg laten: de naam komt uit de regio.")
    region_code = SelectField("Regio (alleen voor een gemeente)", choices=[])
    submit = SubmitField("Organisatie toevoegen")


class UserForm(Form):
    email = EmailField("E-mailadres", validators=[DataRequired("Vul het e-mailadres in."),
                                                  Length(max=254)])
    name = StringField("Naam", validators=[DataRequired("Vul de naam in."), Length(max=200)])
    role = SelectField("Rol", choices=choices(ROLES.items()))
    organisation_id = SelectField("Organisatie", choices=[], coerce=int)
    password = PasswordField("Wachtwoord (minstens 10 tekens)",
                             validators=[DataRequired("Kies een wachtwoord.")])
    submit = SubmitField("Gebruiker toevoegen")


class ToggleForm(Form):
    """A button-only form: CSRF protection for the activate/deactivate action."""

    submit = SubmitField("Wijzigen")
