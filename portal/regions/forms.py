"""Beheer's forms for what a region's document leaves open: tariffs and product codes."""

import re
from decimal import Decimal, InvalidOperation

from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional, ValidationError

from portal.forms import Form

AMOUNT = re.compile(r"\d{1,6}([.,]\d{1,2})?")
PRODUCT_CODE = re.compile(r"[0-9A-Z]{1,5}")


def parse_amount(text: str) -> Decimal:
    """'90,14' or '90.14' → Decimal('90.14'); anything else raises ValueError with a Dutch message."""
    text = (text or "").strip().replace("€", "").strip()
    if not AMOUNT.fullmatch(text):
        raise ValueError("Vul een bedrag in euro's in met hoogstens 2 decimalen, bijvoorbeeld 90,14.")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError("Dit is geen bedrag.") from None


class TariffForm(Form):
    amount = StringField("Tarief in euro's", validators=[InputRequired("Vul het tarief in.")],
                         description="Bijvoorbeeld 90,14. Hoogstens 2 decimalen.")
    tariff_unit = SelectField("Per eenheid", choices=[])
    variant = SelectField("Grondslag", choices=[])
    valid_from = DateField("Geldig vanaf", validators=[InputRequired("Vul de ingangsdatum in.")])
    valid_until = DateField("Geldig tot en met", validators=[Optional()],
                            description="Leeg laten als het einde nog niet bekend is.")
    submit = SubmitField("Tarief opslaan")

    def validate_amount(self, field):
        try:
            parse_amount(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError("De einddatum ligt vóór de ingangsdatum.")


class ProductCodeForm(Form):
    code = StringField("iWmo-productcode", validators=[InputRequired("Vul de productcode in.")],
                       description="Hoogstens 5 tekens: cijfers en hoofdletters, bijvoorbeeld 02A01.")
    submit = SubmitField("Productcode opslaan")

    def validate_code(self, field):
        field.data = (field.data or "").strip().upper()
        if not PRODUCT_CODE.fullmatch(field.data):
            raise ValidationError("Een productcode bestaat uit 1 tot 5 cijfers of hoofdletters.")
