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


def region_fields(fields, products_by_key) -> dict:
    """Form fields (attr_<key>) for a region's own toewijzing fields, e.g. perceel."""
    extra = {}
    for spec in fields:
        applies = ", ".join(products_by_key[k].code or products_by_key[k].name
                            for k in spec.products if k in products_by_key)
        description = " ".join(part for part in (
            spec.help, f"Alleen voor: {applies}." if applies else None,
            f"Bron: {spec.source}." if spec.source else None) if part)
        if spec.choices:
            # Left out of a post (a client that sends only what it fills in) is the same as
            # "— kies —": whether the field is required is the region's rule, checked on save.
            extra[f"attr_{spec.key}"] = SelectField(
                spec.label, choices=choices([("", "— kies —"), *spec.choices]),
                validators=[Optional()], description=description)
        else:
            extra[f"attr_{spec.key}"] = StringField(spec.label, description=description)
    return extra


def with_region_fields(fields, products_by_key) -> type[ToewijzingForm]:
    """The toewijzing form plus the region's own fields, built per region."""
    return type("RegionToewijzingForm", (ToewijzingForm,), region_fields(fields, products_by_key))
