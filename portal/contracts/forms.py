"""Beheer registers an aanbieder for a product of a region."""

from wtforms import SelectField, SubmitField

from portal.forms import Form
from portal.toewijzingen.forms import region_fields


class ContractForm(Form):
    product_key = SelectField("Product", choices=[])
    submit = SubmitField("Inschrijving toevoegen")


def contract_form_for(fields, products_by_key) -> type[ContractForm]:
    """The contract form plus the region's own fields (a registration may be per grondslag)."""
    return type("RegionContractForm", (ContractForm,), region_fields(fields, products_by_key))
