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


def show_errors(form: Form, errors: dict[str, str], fallback: str | None = None) -> None:
    """Put a service's Dutch messages (field name -> message) beside the form's fields; a message
    for a field the form does not have goes to ``fallback``."""
    for name, message in errors.items():
        target = getattr(form, name, None) or (getattr(form, fallback) if fallback else None)
        if target is not None:
            target.errors = [*target.errors, message]
