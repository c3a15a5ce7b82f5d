"""Beheer types something wrong: the page says in Dutch, next to the field, what is wrong, and
nothing is stored. One happy path shows the same form does store a correct toewijzing."""

import html
import re

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.clients.models import Client
from portal.extensions import db
from portal.toewijzingen.models import Toewijzing
from tests.factories import toewijzing_form_data
from tests.conftest import login, submit
from tests.factories import BSN_A, BSN_B

NEW_BSN = "999900031"  # passes the elfproef, not in the world yet


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def counts(app, *models) -> dict:
    return {model.__name__: count(app, model) for model in models}


def field_error(page: str, field: str) -> str:
    """The error text shown beside a form field (macros/forms.html), or "" when there is none."""
    match = re.search(rf'<p class="error" id="{re.escape(field)}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


@pytest.fixture
def beheer(app, world):
    client = app.test_client()
    login(client, "beheer@portal.test")
    return client


def toewijzing_form(world, **changes) -> dict:
    """A correct toewijzing for a new client of Apeldoorn (region midden_ijssel)."""
    return toewijzing_form_data(world.provider_a, **{"bsn": NEW_BSN, **changes})


def post_toewijzing(beheer, gemeente_id: int, data: dict):
    return submit(beheer, f"/beheer/toewijzingen/nieuw?gemeente={gemeente_id}", data)


# -- the toewijzing form ---------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"bsn": "999900007"}, "bsn", "voldoet niet aan de elfproef"),
    ({"bsn": "12345678"}, "bsn", "precies 9 cijfers"),
    ({"ingangsdatum": "2026-03-01", "einddatum": "2026-02-28"}, "einddatum",
     "De einddatum ligt vóór de ingangsdatum."),
    ({"toewijzing_nummer": "1001"}, "toewijzing_nummer",
     "Toewijzingnummer 1001 bestaat al bij gemeente Apeldoorn."),
    ({"bsn": BSN_B}, "bsn", "Deze cliënt staat bij gemeente Geldrop-Mierlo ingeschreven"),
], ids=["bsn-elfproef", "bsn-length", "einddatum-before-ingangsdatum",
        "duplicate-toewijzingnummer", "client-of-another-gemeente"])
def test_bad_toewijzing_is_refused_beside_the_field_and_nothing_is_stored(
        app, world, beheer, changes, field, message):
    before = counts(app, Toewijzing, Client)

    response = post_toewijzing(beheer, world.apeldoorn, toewijzing_form(world, **changes))

    assert response.status_code == 200
    assert message in field_error(response.text, field)
    assert "Controleer het formulier" in response.text
    assert counts(app, Toewijzing, Client) == before


def test_the_same_toewijzingnummer_is_fine_in_another_gemeente(app, world, beheer):
    # 1001 is taken in Apeldoorn only: the number is the gemeente's own, not the country's.
    response = post_toewijzing(beheer, world.geldrop, toewijzing_form(
        world, toewijzing_nummer="1001", product_key="02B01"))
    assert response.status_code == 302
    assert count(app, Toewijzing) == 3


def test_product_of_another_region_is_refused(app, world, beheer):
    # 02B01 is Geldrop-Mierlo's product; Apeldoorn's form does not offer it, but a crafted post
    # may still send it.
    form_page = beheer.get(f"/beheer/toewijzingen/nieuw?gemeente={world.apeldoorn}").text
    assert 'value="02B01"' not in form_page
    before = counts(app, Toewijzing, Client)

    response = post_toewijzing(beheer, world.apeldoorn, toewijzing_form(world, product_key="02B01"))

    assert response.status_code == 200
    error = field_error(response.text, "product_key")
    assert error in (
        "Ongeldige keuze.",  # WTForms' own Dutch message: the option is not on the form
        "Kies een product uit de productcatalogus van Midden-IJssel/Oost-Veluwe.",
    ), error
    assert counts(app, Toewijzing, Client) == before


def test_new_client_without_name_and_birth_date_is_refused(app, world, beheer):
    before = counts(app, Toewijzing, Client)
    response = post_toewijzing(beheer, world.apeldoorn, toewijzing_form(
        world, voorletters="", achternaam="", geboortedatum=""))
    assert response.status_code == 200
    assert "Vul de achternaam in." in field_error(response.text, "achternaam")
    assert "Vul de geboortedatum in." in field_error(response.text, "geboortedatum")
    assert "Vul de voorletters in" in field_error(response.text, "voorletters")
    assert counts(app, Toewijzing, Client) == before


def test_valid_toewijzing_creates_one_toewijzing_and_one_client(app, world, beheer):
    before = counts(app, Toewijzing, Client)

    response = post_toewijzing(beheer, world.apeldoorn, toewijzing_form(world))

    assert response.status_code == 302
    with app.app_context():
        client = db.session.scalar(select(Client).where(Client.bsn == NEW_BSN))
        assert client is not None and client.gemeente_id == world.apeldoorn
        assert (client.voorletters, client.voorvoegsel, client.achternaam) == ("KL", "van", "Dam")
        toewijzing = db.session.scalar(select(Toewijzing).where(Toewijzing.client_id == client.id))
        assert (toewijzing.toewijzing_nummer, toewijzing.product_key) == (1002, "02A22")
        assert toewijzing.eenheid == "04"  # "" on the form: the catalogue's unit
        client_id = client.id
    assert counts(app, Toewijzing, Client) == {"Toewijzing": before["Toewijzing"] + 1,
                                               "Client": before["Client"] + 1}
    assert response.headers["Location"] == f"/clienten/{client_id}"

    page = beheer.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Toewijzing 1002 is opgeslagen." in page.text
    assert "K.L. van Dam" in page.text
    assert "Begeleiding Individueel Licht" in page.text  # the product's name from the catalogue


def test_known_client_needs_only_the_bsn(app, world, beheer):
    # BSN_A is Apeldoorn's client already: a second toewijzing adds no client.
    before = counts(app, Toewijzing, Client)
    response = post_toewijzing(beheer, world.apeldoorn, toewijzing_form(
        world, bsn=BSN_A, voorletters="", achternaam="", geboortedatum=""))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/clienten/{world.client_a}"
    assert counts(app, Toewijzing, Client) == {"Toewijzing": before["Toewijzing"] + 1,
                                               "Client": before["Client"]}


# -- organisations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    ({"kind": "aanbieder", "code": "1234567", "name": "Te Kort B.V."},
     "Een AGB-code bestaat uit precies 8 cijfers."),
    ({"kind": "aanbieder", "code": "1234567X", "name": "Letter B.V."},
     "Een AGB-code bestaat uit precies 8 cijfers."),
    ({"kind": "gemeente", "code": "200", "name": "", "region_code": "midden_ijssel"},
     "Een CBS-gemeentecode bestaat uit precies 4 cijfers."),
    ({"kind": "gemeente", "code": "1771", "name": "", "region_code": "midden_ijssel"},
     "Gemeentecode 1771 hoort niet bij regio Midden-IJssel/Oost-Veluwe"),
    ({"kind": "aanbieder", "code": "11111111", "name": "Dubbel"},
     "Er bestaat al een aanbieder met code 11111111."),
], ids=["agb-7-digits", "agb-with-letter", "cbs-3-digits", "cbs-outside-region", "agb-twice"])
def test_bad_organisation_is_refused_beside_the_code(app, world, beheer, data, message):
    before = count(app, Organisation)

    response = submit(beheer, "/beheer/organisaties", {"region_code": "", **data})

    assert response.status_code == 200
    assert message in field_error(response.text, "code")
    assert count(app, Organisation) == before


def test_cbs_code_outside_region_names_the_region_s_municipalities(app, world, beheer):
    response = submit(beheer, "/beheer/organisaties", {
        "kind": "gemeente", "code": "1771", "name": "", "region_code": "midden_ijssel"})
    assert "0200 Apeldoorn" in field_error(response.text, "code")


def test_gemeente_without_region_is_refused(app, world, beheer):
    before = count(app, Organisation)
    response = submit(beheer, "/beheer/organisaties", {
        "kind": "gemeente", "code": "0200", "name": "", "region_code": ""})
    assert response.status_code == 200
    assert "Kies de regio" in field_error(response.text, "region_code")
    assert count(app, Organisation) == before


def test_valid_gemeente_takes_its_name_from_the_region(app, world, beheer):
    response = submit(beheer, "/beheer/organisaties", {
        "kind": "gemeente", "code": "0301", "name": "", "region_code": "midden_ijssel"})
    assert response.status_code == 302
    with app.app_context():
        gemeente = db.session.scalar(select(Organisation).where(Organisation.code == "0301"))
        assert (gemeente.name, gemeente.region_code) == ("Zutphen", "midden_ijssel")


# -- users -----------------------------------------------------------------------------------------

def user_form(world, **changes) -> dict:
    values = dict(email="nieuw@aanbieder.test", name="Nel Nieuw", role="aanbieder",
                  organisation_id=str(world.provider_a), password="een-lang-wachtwoord")
    values.update(changes)
    return values


@pytest.mark.parametrize("changes, field, message", [
    ({"email": "a@aanbieder.test"}, "email", "Er bestaat al een gebruiker met dit e-mailadres."),
    ({"email": " A@Aanbieder.TEST "}, "email", "Er bestaat al een gebruiker met dit e-mailadres."),
    ({"password": "kort-9"}, "password", "Kies een wachtwoord van minstens 10 tekens."),
    ({"organisation_id": "0"}, "organisation_id",
     "Kies de aanbieder waarvoor deze gebruiker werkt."),
    ({"role": "beheer"}, "organisation_id", "Een beheerder hoort niet bij een organisatie."),
], ids=["duplicate-email", "duplicate-email-other-case", "short-password", "aanbieder-without-org",
        "beheer-with-org"])
def test_bad_user_is_refused_beside_the_field(app, world, beheer, changes, field, message):
    before = count(app, User)

    response = submit(beheer, "/beheer/gebruikers", user_form(world, **changes))

    assert response.status_code == 200
    assert message in field_error(response.text, field)
    assert count(app, User) == before
