"""The base form of every form in the portal: CSRF-protected, with WTForms' own messages in Dutch."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


class Form(FlaskForm):
    class Meta:
        # WTForms ships Dutch messages ("Geen geldige datum"); portal.app turns off Flask-WTF's
        # Babel lookup (WTF_I18N_ENABLED) so that these are used.
        locales = ("nl",)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the options of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]
