"""Beheer's toewijzing form. Choices (aanbieders, products, units) are filled per gemeente."""

from portal.forms import Form, choices
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from portal.iwmo.codelists import FREQUENCIES, UNITS


class ChooseGemeenteForm(Form):
    class Meta:
        csrf = False  # a GET form that only chooses what the next page shows

    gemeente = SelectField("Gemeente", choices=[], coerce=int)
    submit = SubmitField("Verder")


class ToewijzingForm(Form):
    bsn = StringField("BSN van de cliënt", validators=[InputRequired("Vul het BSN in."),
                                                       Length(max=9)])
    voorletters = StringField("Voorletters", validators=[Length(max=20)])
    voorvoegsel = StringField("Voorvoegsel", validators=[Length(max=10)])
    achternaam = StringField("Achternaam", validators=[Length(max=200)])
    geboortedatum = DateField("Geboortedatum", validators=[Optional()])
    aanbieder_id = SelectField("Aanbieder", choices=[], coerce=int)
    toewijzing_nummer = IntegerField("Toewijzingnummer",
                                     validators=[InputRequired("Vul het toewijzingnummer in.")])
    product_key = SelectField("Product", choices=[])
    volume = IntegerField("Omvang (volume)", validators=[InputRequired("Vul de omvang in.")])
    eenheid = SelectField("Eenheid", choices=choices([("", "volgens de productcatalogus"), *UNITS.items()]))
    frequentie = SelectField("Frequentie", choices=choices(FREQUENCIES.items()), default="6")
    ingangsdatum = DateField("Ingangsdatum", validators=[InputRequired("Vul de ingangsdatum in.")])
    einddatum = DateField("Einddatum", validators=[Optional()])
    submit = SubmitField("Toewijzing opslaan")
