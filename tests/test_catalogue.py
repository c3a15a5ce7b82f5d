"""The effective catalogue: beheer's tariffs and codes beside the documents', and `wmo-portal price`."""

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditLog
from portal.extensions import db
from portal.pricing import PriceError
from portal.regions import registry
from portal.regions.catalogue import quote, tariff_on
from portal.regions.models import ConfiguredProductCode, ConfiguredTariff
from tests.conftest import login, submit


def add_tariff(region, key, cents, unit="04", start=date(2026, 1, 1), end=None, variant=None):
    db.session.add(ConfiguredTariff(region_code=region, product_key=key, variant_key=variant,
                                    amount_cents=cents, tariff_unit=unit, valid_from=start,
                                    valid_until=end))
    db.session.commit()


def test_document_tariff_applies_inside_its_validity_only(app):
    with app.app_context():
        product = registry().product("midden_ijssel", "02A16")
        assert tariff_on(registry(), "midden_ijssel", product, date(2026, 6, 1)).display() == "90.14"
        assert tariff_on(registry(), "midden_ijssel", product, date(2027, 1, 1)) is None


def test_configured_tariff_wins_for_its_dates(app):
    with app.app_context():
        add_tariff("midden_ijssel", "02A16", 9500, start=date(2027, 1, 1))
        product = registry().product("midden_ijssel", "02A16")
        assert tariff_on(registry(), "midden_ijssel", product, date(2027, 3, 1)).display() == "95.00"
        assert tariff_on(registry(), "midden_ijssel", product, date(2026, 3, 1)).display() == "90.14"


def test_g1_follows_b3_divided_by_three_exactly(app):
    with app.app_context():
        with pytest.raises(PriceError, match="Tarief niet vastgesteld"):
            quote(registry(), "geldrop_mierlo", "02G01", 60, day=date(2026, 5, 1))
        add_tariff("geldrop_mierlo", "02B03", 10000)
        g1 = quote(registry(), "geldrop_mierlo", "02G01", 50, day=date(2026, 5, 1)).price
        # 50 minutes at 100.00 / 3 per hour = 27.777... → 27.78, rounded once.
        assert g1.amount == Decimal("27.78")
        assert g1.tariff.display() == "33.333333"


def test_grondslag_tariffs(app):
    with app.app_context():
        with pytest.raises(PriceError, match="tarief per grondslag"):
            quote(registry(), "midden_limburg", "BGI", 2, day=date(2026, 5, 1))
        add_tariff("midden_limburg", "BGI", 6800, variant="PSY")
        price = quote(registry(), "midden_limburg", "BGI", 2, variant="PSY",
                      day=date(2026, 5, 1)).price
        assert price.amount == Decimal("136.00")
        with pytest.raises(PriceError, match="Tarief niet vastgesteld"):
            quote(registry(), "midden_limburg", "BGI", 2, variant="SOM", day=date(2026, 5, 1))
        with pytest.raises(PriceError, match="Grondslag 'XYZ' bestaat niet"):
            quote(registry(), "midden_limburg", "BGI", 2, variant="XYZ", day=date(2026, 5, 1))


def test_codes_are_region_scoped(app):
    with app.app_context():
        # 02A22 is Begeleiding Individueel Licht in Midden-IJssel and IB1 behoudgericht in seed 001.
        mij = quote(registry(), "midden_ijssel", "02A22", 60, day=date(2026, 5, 1))
        assert mij.product.name == "Begeleiding Individueel Licht"
        with pytest.raises(PriceError, match="bestaat niet in de productcatalogus"):
            quote(registry(), "midden_ijssel", "02B01", 60, day=date(2026, 5, 1))


# -- the command line ----------------------------------------------------------------------------

def price(app, *args):
    from portal.commands import price_command

    return app.test_cli_runner().invoke(price_command, list(args))


def test_price_json_contract(app):
    result = price(app, "--region", "midden_ijssel", "--product", "02A16", "--volume", "90",
                   "--date", "2026-03-01", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"amount": "135.21", "amount_cents": 13521,
                                         "tariff": "90.14", "tariff_unit": "04", "volume": 90,
                                         "unit": "01"}


def test_price_unit_defaults_to_declaration_unit_and_can_be_given(app):
    result = price(app, "--region", "midden_ijssel", "--product", "02A16", "--volume", "120",
                   "--unit", "01", "--date", "2026-03-01", "--json")
    assert json.loads(result.output)["amount"] == "180.28"
    by_day = price(app, "--region", "midden_ijssel", "--product", "04W02", "--volume", "3",
                   "--date", "2026-03-01", "--json")
    assert json.loads(by_day.output) == {"amount": "583.95", "amount_cents": 58395,
                                         "tariff": "194.65", "tariff_unit": "14", "volume": 3,
                                         "unit": "14"}


@pytest.mark.parametrize("args, message", [
    (["--product", "99X99", "--volume", "5"], "bestaat niet in de productcatalogus"),
    (["--product", "02B01", "--volume", "5"], "bestaat niet in de productcatalogus"),
    (["--product", "02A16", "--volume", "vijf"], "geheel getal"),
    (["--product", "02A16", "--volume", "-5"], "geheel getal"),
    (["--product", "02A16", "--volume", "100000000"], "tussen 0 en"),
    (["--product", "02A16", "--volume", "5", "--unit", "04"], "gedeclareerd in 'minuut', niet in 'uur'"),
    (["--product", "02A16", "--volume", "5", "--unit", "16"], "niet in 'dagdeel'"),
    (["--product", "02A16", "--volume", "5", "--unit", "99"], "geen WJ756-code"),
])
def test_price_refuses_with_a_dutch_message_and_exit_1(app, args, message):
    result = price(app, "--region", "midden_ijssel", *args, "--date", "2026-03-01", "--json")
    assert result.exit_code == 1
    assert message in json.loads(result.output)["error"]


def test_price_without_tariff_says_tarief_niet_vastgesteld(app):
    result = price(app, "--region", "geldrop_mierlo", "--product", "02B01", "--volume", "60")
    assert result.exit_code == 1
    assert "Tarief niet vastgesteld" in result.output


# -- beheer sets tariffs and codes ---------------------------------------------------------------

def tariff_form(client, region, key, **values):
    data = {"tarief-amount": "68,00", "tarief-tariff_unit": "04", "tarief-variant": "",
            "tarief-valid_from": "2026-01-01", "tarief-valid_until": "", **values}
    return submit(client, f"/regios/{region}/producten/{key}/tarief", data,
                  page=f"/regios/{region}/producten/{key}")


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_beheer_sets_a_tariff_and_everyone_sees_it(app, world):
    client = app.test_client()
    login(client, "beheer@portal.test")
    response = tariff_form(client, "geldrop_mierlo", "02B01", **{"tarief-amount": "68,50"})
    assert response.status_code == 302
    page = client.get("/regios/geldrop_mierlo").text
    assert "€ 68,50 per uur" in page and "ingesteld door beheer" in page
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "configured_tariff"))
        assert row.action == "create" and row.actor == "beheer@portal.test"

    provider = app.test_client()
    login(provider, "b@aanbieder.test")
    assert "€ 68,50 per uur" in provider.get("/regios/geldrop_mierlo/producten/02B01").text


@pytest.mark.parametrize("values, message", [
    ({"tarief-amount": "veel"}, "hoogstens 2 decimalen"),
    ({"tarief-amount": "68,505"}, "hoogstens 2 decimalen"),
    ({"tarief-amount": "-5"}, "hoogstens 2 decimalen"),
    ({"tarief-valid_until": "2025-12-31"}, "De einddatum ligt vóór de ingangsdatum."),
    ({"tarief-valid_from": "31-12-2026"}, "Ongeldige datum"),
])
def test_bad_tariff_input_is_refused_and_nothing_stored(app, world, values, message):
    client = app.test_client()
    login(client, "beheer@portal.test")
    response = tariff_form(client, "geldrop_mierlo", "02B01", **values)
    assert response.status_code == 200
    assert message in response.text
    assert count(app, ConfiguredTariff) == 0


def test_derived_product_takes_no_tariff_of_its_own(app, world):
    client = app.test_client()
    login(client, "beheer@portal.test")
    response = tariff_form(client, "geldrop_mierlo", "02G01")
    assert "volgt uit dat van 02B03" in response.text
    assert count(app, ConfiguredTariff) == 0


def test_beheer_sets_a_missing_product_code_once_per_region(app, world):
    client = app.test_client()
    login(client, "beheer@portal.test")
    page = "/regios/midden_limburg/producten/BGI"
    ok = submit(client, "/regios/midden_limburg/producten/BGI/code", {"code-code": "02c01"}, page=page)
    assert ok.status_code == 302
    assert "02C01" in client.get("/regios/midden_limburg").text
    taken = submit(client, "/regios/midden_limburg/producten/BGG/code", {"code-code": "02C01"},
                   page="/regios/midden_limburg/producten/BGG")
    assert "hoort in deze regio al bij" in taken.text
    assert count(app, ConfiguredProductCode) == 1
    documented = submit(client, "/regios/midden_ijssel/producten/02A16/code", {"code-code": "02X01"},
                        page="/regios/midden_ijssel/producten/02A16")
    assert "heeft al productcode 02A16" in documented.text


@pytest.mark.parametrize("user", ["a@aanbieder.test", "apeldoorn@gemeente.test"])
def test_only_beheer_may_set_tariffs(app, world, user):
    client = app.test_client()
    login(client, user)
    response = tariff_form(client, "geldrop_mierlo", "02B01")
    assert response.status_code == 404
    assert count(app, ConfiguredTariff) == 0


def test_letter_o_spelling_of_respijtopvang_is_refused_with_a_hint(app):
    # MIJ-D10: the product texts print O4W01 (letter O), the tariff table 04W01 (digit zero).
    with app.app_context():
        with pytest.raises(PriceError) as refusal:
            quote(registry(), "midden_ijssel", "O4W01", 2, day=date(2026, 5, 1))
    assert "bestaat niet" in str(refusal.value)
    assert "Bedoelt u 04W01 (Respijtopvang Thuis)?" in str(refusal.value)
