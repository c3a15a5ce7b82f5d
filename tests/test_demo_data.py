"""`wmo-portal demo-data`: a demonstration portal in one command, never in production."""

from itertools import islice

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.models import Organisation, User
from portal.clients.models import Client
from portal.commands import demo_data
from portal.demo.data import MAX_CLIENTS, demo_bsns
from portal.extensions import db
from portal.identifiers import passes_elfproef
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from tests.conftest import login

DEMO_USERS = ("aanbieder@example.nl", "gemeente@example.nl", "beheer@example.nl")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WMO_ENV": "demo"}


@pytest.fixture
def loaded(app):
    result = app.test_cli_runner().invoke(demo_data)
    assert result.exit_code == 0, result.output
    return result


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count(model.id)))
                for model in (Organisation, User, Client, Toewijzing)}


def demo_login(app, email):
    client = app.test_client()
    response = login(client, email, "demo")
    assert response.status_code == 302 and response.headers["Location"] == "/", email
    return client


def test_demo_data_loads_and_names_the_accounts(app, loaded):
    assert "Voorbeeldgegevens geladen." in loaded.output
    for email in DEMO_USERS:
        assert f"{email} / demo" in loaded.output
    counts = table_counts(app)
    assert counts["User"] == 3
    assert counts["Client"] > 0 and counts["Toewijzing"] >= counts["Client"]


def test_running_it_twice_is_harmless(app, loaded):
    before = table_counts(app)

    again = app.test_cli_runner().invoke(demo_data)

    assert again.exit_code == 0, again.output
    assert "al geladen" in again.output
    assert table_counts(app) == before


def test_production_refuses_and_stores_nothing(app_config, app):
    production = create_app({**app_config, "WMO_ENV": "production"})
    try:
        result = production.test_cli_runner().invoke(demo_data)
    finally:
        with production.app_context():
            db.engine.dispose()

    assert result.exit_code != 0
    assert "weigert in productie" in result.output
    assert "WMO_ENV=demo" in result.output
    assert "Traceback" not in result.output
    assert table_counts(app) == {"Organisation": 0, "User": 0, "Client": 0, "Toewijzing": 0}


def test_aanbieder_demo_user_sees_its_clients(app, loaded):
    page = demo_login(app, "aanbieder@example.nl").get("/").text
    assert "Zorg Dichtbij Begeleiding B.V." in page
    assert 'class="card"' in page
    assert "Er zijn nog geen cliënten." not in page
    with app.app_context():
        own = db.session.scalars(select(Client).join(Toewijzing).join(
            Organisation, Toewijzing.aanbieder_id == Organisation.id)
            .where(Organisation.code == "98765432")).all()
        assert own
        names = [client.achternaam for client in own]
    for name in names:
        assert name in page


def test_gemeente_demo_user_sees_its_clients_and_what_to_review(app, loaded):
    page = demo_login(app, "gemeente@example.nl").get("/").text
    assert "Te beoordelen" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "gemeente@example.nl"))
        gemeente_name = user.organisation.name
        own = db.session.scalars(select(Client).where(
            Client.gemeente_id == user.organisation_id)).all()
        others = db.session.scalars(select(Client).where(
            Client.gemeente_id != user.organisation_id)).all()
        own_bsns = [client.masked_bsn for client in own]
        other_bsns = [client.masked_bsn for client in others]
    assert f"Overzicht gemeente {gemeente_name}" in page
    assert len(own_bsns) >= 2  # the demo gives the demo user's gemeente a list, not one client
    for masked in own_bsns:
        assert masked in page
    for masked in other_bsns:
        assert masked not in page


def test_beheer_demo_user_sees_the_regions_table(app, loaded):
    page = demo_login(app, "beheer@example.nl").get("/").text
    assert "Regio's" in page
    with app.app_context():
        regions = registry().regions()
        assert regions
        codes = [region.code for region in regions]
        toewijzingen = db.session.scalar(select(func.count(Toewijzing.id)))
    for code in codes:
        assert f'<td class="code">{code}</td>' in page
    assert f"<strong>{toewijzingen}</strong> toewijzingen" in page


def test_every_municipality_of_every_region_became_a_gemeente(app, loaded):
    with app.app_context():
        expected = {(region.code, m.code, m.name) for region in registry().regions()
                    for m in region.municipalities}
        gemeenten = {(o.region_code, o.code, o.name) for o in db.session.scalars(
            select(Organisation).where(Organisation.kind == "gemeente"))}
    assert len(expected) > 10
    assert gemeenten == expected


def test_every_region_with_municipalities_has_a_toewijzing(app, loaded):
    with app.app_context():
        with_municipalities = {region.code for region in registry().regions()
                               if region.municipalities}
        with_toewijzing = set(db.session.scalars(
            select(Organisation.region_code).join(
                Toewijzing, Toewijzing.gemeente_id == Organisation.id).distinct()))
    assert with_municipalities
    assert with_municipalities <= with_toewijzing


def test_demo_bsns_pass_the_elfproef_and_are_test_numbers(app, loaded):
    with app.app_context():
        bsns = list(db.session.scalars(select(Client.bsn)))
    assert bsns and len(set(bsns)) == len(bsns)
    for bsn in bsns:
        assert passes_elfproef(bsn), bsn
        assert bsn.startswith("9999"), bsn  # test numbers, never a real person's


def test_demo_users_can_open_their_clients_pages(app, loaded):
    client = demo_login(app, "gemeente@example.nl")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "gemeente@example.nl"))
        client_id = db.session.scalar(select(Client.id).where(
            Client.gemeente_id == user.organisation_id))
    page = client.get(f"/clienten/{client_id}")
    assert page.status_code == 200
    assert "Geen toewijzingen." not in page.text


# A demo at scale (`demo-data --clients N`): the load test of `make bench` uses 10,000 clients.

def load_at_scale(app, clients):
    result = app.test_cli_runner().invoke(demo_data, ["--clients", str(clients)])
    assert result.exit_code == 0, result.output
    return result


def spread(app):
    """Per gemeente code: the number of clients and the aanbieder codes of its toewijzingen."""
    with app.app_context():
        gemeenten = db.session.scalars(select(Organisation).where(
            Organisation.kind == "gemeente")).all()
        found = {}
        for gemeente in gemeenten:
            clients = db.session.scalar(select(func.count(Client.id)).where(
                Client.gemeente_id == gemeente.id))
            providers = set(db.session.scalars(select(Organisation.code).join(
                Toewijzing, Toewijzing.aanbieder_id == Organisation.id).where(
                Toewijzing.gemeente_id == gemeente.id)))
            found[gemeente.code] = (clients, providers)
        return found


def test_demo_at_scale_makes_that_many_clients_spread_over_gemeenten_and_aanbieders(app):
    load_at_scale(app, 400)

    counts = table_counts(app)
    assert counts["Client"] == 400
    assert counts["Toewijzing"] >= 400
    with app.app_context():
        with_region = {m.code for region in registry().regions()
                       if registry().products(region.code) for m in region.municipalities}
        bsns = list(db.session.scalars(select(Client.bsn)))
        without = db.session.scalar(select(func.count(Client.id)).where(
            ~Client.toewijzingen.any()))
    assert without == 0
    assert len(set(bsns)) == 400 and all(passes_elfproef(bsn) for bsn in bsns)
    assert all(bsn.startswith("999") for bsn in bsns)
    per_gemeente = spread(app)
    for code in with_region:
        clients, providers = per_gemeente[code]
        assert clients >= 10, code
        assert providers == {"98765432", "87654321"}, code


def test_demo_bsns_go_on_beyond_the_test_range_for_a_demo_at_scale():
    # The 9999xxxxx test range holds about 9,090 elfproef numbers; 10,000 clients need more.
    bsns = list(islice(demo_bsns(), MAX_CLIENTS))

    assert len(set(bsns)) == MAX_CLIENTS and all(passes_elfproef(bsn) for bsn in bsns)
    assert bsns[0].startswith("9999") and bsns[-1].startswith("9998")
    assert all(bsn.startswith("999") for bsn in bsns)


def test_demo_at_scale_is_the_same_every_time(app_config, app):
    load_at_scale(app, 150)
    with app.app_context():
        first = db.session.execute(select(Client.bsn, Client.achternaam, Client.geboortedatum)
                                   .order_by(Client.bsn)).all()
        first_toewijzingen = db.session.execute(select(
            Toewijzing.toewijzing_nummer, Toewijzing.product_key, Toewijzing.aanbieder_id)
            .order_by(Toewijzing.toewijzing_nummer)).all()
    assert len(first) == 150

    again = load_at_scale(app, 150)

    assert "al geladen" in again.output  # a second run adds nothing
    with app.app_context():
        assert db.session.execute(select(Client.bsn, Client.achternaam, Client.geboortedatum)
                                  .order_by(Client.bsn)).all() == first
        assert db.session.execute(select(
            Toewijzing.toewijzing_nummer, Toewijzing.product_key, Toewijzing.aanbieder_id)
            .order_by(Toewijzing.toewijzing_nummer)).all() == first_toewijzingen


def test_demo_at_scale_is_refused_in_production(app_config, app):
    production = create_app({**app_config, "WMO_ENV": "production"})
    try:
        result = production.test_cli_runner().invoke(demo_data, ["--clients", "500"])
    finally:
        with production.app_context():
            db.engine.dispose()

    assert result.exit_code != 0 and "weigert in productie" in result.output
    assert table_counts(app)["Client"] == 0


def test_demo_at_scale_refuses_more_clients_than_it_has_test_numbers(app):
    result = app.test_cli_runner().invoke(demo_data, ["--clients", "50000"])

    assert result.exit_code != 0 and "--clients" in result.output
    assert table_counts(app)["Client"] == 0


def test_demo_user_of_a_demo_at_scale_sees_the_copied_clients(app):
    load_at_scale(app, 300)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "gemeente@example.nl"))
        copied = db.session.scalar(select(Client).where(
            Client.gemeente_id == user.organisation_id).order_by(Client.id.desc()))
        masked, client_id = copied.masked_bsn, copied.id
    browser = demo_login(app, "gemeente@example.nl")

    assert masked in browser.get("/").text
    page = browser.get(f"/clienten/{client_id}")
    assert page.status_code == 200 and "Geen toewijzingen." not in page.text
