"""Forms for logging in and changing the password."""

from portal.forms import Form
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.auth.passwords import password_problem


class LoginForm(Form):
    email = EmailField("E-mailadres", validators=[DataRequired("Vul uw e-mailadres in."),
                                                  Length(max=254)])
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in.")])
    submit = SubmitField("Inloggen")


class ChangePasswordForm(Form):
    current_password = PasswordField("Huidig wachtwoord",
                                     validators=[DataRequired("Vul uw huidige wachtwoord in.")])
    new_password = PasswordField("Nieuw wachtwoord",
                                 validators=[DataRequired("Kies een nieuw wachtwoord.")])
    repeat_password = PasswordField("Herhaal nieuw wachtwoord", validators=[
        DataRequired("Herhaal het nieuwe wachtwoord."),
        EqualTo("new_password", "De twee nieuwe wachtwoorden zijn niet gelijk."),
    ])
    submit = SubmitField("Wachtwoord wijzigen")

    def validate_new_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
