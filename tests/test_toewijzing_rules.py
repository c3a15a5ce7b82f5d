"""Every [M] toewijzing rule of ../shared/docs/region-rules.md, broken once and kept once.

Rules run when a toewijzing is made (here through the same service the beheer form uses):
errors refuse it with the rule id and seed line, warnings are stored with it.
"""

from datetime import date
from pathlib import Path

import pytest

from portal.accounts.services import InvalidInput, create_organisation
from portal.demo.data import demo_bsns
from portal.extensions import db
from portal.regions import registry
from portal.regions.models import ConfiguredProductCode, ConfiguredTariff
from portal.toewijzingen.services import ToewijzingInput, create_toewijzing

ROOT = Path(__file__).resolve().parent.parent
BSNS = demo_bsns()  # test BSNs that pass the elfproef, a fresh one per client


@pytest.fixture
def app_config(app_config, tmp_path):
    # The generic data sets name no gemeenten; copies with a test gemeente make them assignable.
    extra = tmp_path / "regions"
    extra.mkdir()
    for name, code in (("generic_001", "9901"), ("generic_003", "9902")):
        text = (ROOT / f"regions/generic/data/{name}.toml").read_text(encoding="utf-8")
        text = text.replace(f'code = "{name}"', f'code = "test_{name}"', 1)
        text = text.replace("\n[[products]]", f'\n[[municipalities]]\ncode = "{code}"\n'
                                              f'name = "Proefgemeente {code}"\n\n[[products]]', 1)
        (extra / f"test_{name}.toml").write_text(text, encoding="utf-8")
    return {**app_config, "WMO_GENERIC_REGIONS_DIR": str(extra)}


class Desk:
    """Makes toewijzingen for one client, the way beheer does."""

    def __init__(self, region: str, cbs: str, birth=date(1970, 1, 1)):
        self.region = region
        self.gemeente = create_organisation(registry(), "gemeente", cbs, None, region)
        self.provider = _provider("11111111")
        self.other_provider = _provider("22222222")
        db.session.flush()
        self.bsn = next(BSNS)
        self.birth = birth
        self.number = 0

    def make(self, product, volume=10, frequentie="6", start=date(2026, 1, 1),
             end=date(2026, 12, 31), provider=None, **attributes):
        self.number += 1
        toewijzing, warnings = create_toewijzing(registry(), ToewijzingInput(
            gemeente=self.gemeente, aanbieder=provider or self.provider, bsn=self.bsn,
            voorletters="T", voorvoegsel="", achternaam="Test", geboortedatum=self.birth,
            toewijzing_nummer=self.number, product_key=product, volume=volume, eenheid="",
            frequentie=frequentie, ingangsdatum=start, einddatum=end, attributes=attributes),
            today=date(2026, 1, 1))
        db.session.flush()
        return {w.rule for w in warnings}

    def refused(self, product, **kwargs) -> str:
        with pytest.raises(InvalidInput) as refusal:
            self.make(product, **kwargs)
        return " ".join(refusal.value.errors.values())


def _provider(agb):
    from sqlalchemy import select

    from portal.accounts.models import Organisation

    existing = db.session.scalar(select(Organisation).where(Organisation.code == agb))
    return existing or create_organisation(registry(), "aanbieder", agb, f"Aanbieder {agb}")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


# -- Midden-IJssel ---------------------------------------------------------------------------------

def test_mij_o1_zorgcoordinatie_only_for_a_provider_already_involved(ctx):
    desk = Desk("midden_ijssel", "0200")
    assert "MIJ-O1" in desk.refused("02A76", volume=20)
    desk.make("02A16", provider=desk.other_provider)
    assert "MIJ-O1" in desk.refused("02A76", volume=20)  # involved, but another provider
    desk.make("02A19")
    assert "MIJ-O1" not in desk.make("02A76", volume=20)


def test_mij_o2_vervoer_needs_begeleiding_groep_or_werkt_mee(ctx):
    desk = Desk("midden_ijssel", "0200")
    message = desk.refused("08A03")
    assert "MIJ-O2" in message and "[000:903]" in message
    desk.make("07A11", start=date(2026, 6, 1))
    assert desk.make("08A03", start=date(2026, 7, 1)) == set()


def test_mij_o4_werkt_mee_trede_3_longer_than_two_years_is_a_warning(ctx):
    desk = Desk("midden_ijssel", "0200")
    assert desk.make("02A63", end=date(2028, 6, 30)) == {"MIJ-O4"}
    assert desk.make("02A64", end=date(2027, 12, 31)) == set()


def test_mij_o5_werkt_mee_ontwikkeling_at_most_six_months(ctx):
    desk = Desk("midden_ijssel", "0200")
    assert "MIJ-O5" in desk.refused("02A56", volume=1, end=date(2026, 7, 1))
    assert "MIJ-O5" in desk.refused("02A56", volume=1, end=None)
    assert desk.make("02A56", volume=1, end=date(2026, 6, 30)) == set()


def test_mij_o5_third_consecutive_werkt_mee_ontwikkeling_is_a_warning(ctx):
    desk = Desk("midden_ijssel", "0200")
    assert desk.make("02A57", volume=1, start=date(2026, 1, 1), end=date(2026, 6, 30)) == set()
    assert desk.make("02A57", volume=1, start=date(2026, 7, 1), end=date(2026, 12, 31)) == set()
    assert desk.make("02A57", volume=1, start=date(2027, 1, 1), end=date(2027, 6, 30)) == {"MIJ-O5"}
    other = Desk("midden_ijssel", "0213")
    other.make("02A57", volume=1, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert other.make("02A57", volume=1, start=date(2026, 9, 1), end=date(2027, 2, 28)) == set()


def test_mij_d9_age_bound_codes(ctx):
    teenager = Desk("midden_ijssel", "0200", birth=date(2009, 3, 1))  # 16 on 2026-01-01
    assert teenager.make("02A63") == {"MIJ-D9"}
    assert teenager.make("02J64") == set()
    adult = Desk("midden_ijssel", "0213")
    assert adult.make("02J63") == {"MIJ-D9"}


def test_mij_o12_bw_code_in_zutphen_is_a_warning(ctx):
    assert Desk("midden_ijssel", "0301").make("15G01") == {"MIJ-O12"}
    assert Desk("midden_ijssel", "0200").make("15G02") == set()


def test_mij_d5_zorgcoordinatie_at_most_one_stuk_per_week(ctx):
    desk = Desk("midden_ijssel", "0200")
    desk.make("02A16")
    assert desk.make("02A76", volume=60, end=date(2026, 6, 30)) == {"MIJ-D5"}  # 26 weeks
    assert desk.make("02A76", volume=26, end=date(2026, 6, 30)) == set()
    assert desk.make("02A76", volume=2, frequentie="2") == {"MIJ-D5"}


# -- Midden-Limburg --------------------------------------------------------------------------------

def test_ml_region_fields_are_required(ctx):
    desk = Desk("midden_limburg", "0988")
    message = desk.refused("BGI")
    assert "Vul 'Perceel' in" in message and "Vul 'Grondslag' in" in message


def test_ml_o1_one_perceel_at_a_time_except_perceel_5(ctx):
    desk = Desk("midden_limburg", "0988")
    desk.make("BGI", perceel="1", grondslag="SOM")
    assert "ML-O1" in desk.refused("BGG", perceel="2", grondslag="SOM")
    assert desk.make("KDV", volume=20, perceel="5") == set()
    assert desk.make("BGG", perceel="1", grondslag="SOM") == set()
    later = Desk("midden_limburg", "1640")
    later.make("BGI", end=date(2026, 6, 30), perceel="1", grondslag="SOM")
    assert later.make("BGI", start=date(2026, 7, 1), perceel="2", grondslag="SOM") == set()


@pytest.mark.parametrize("product, attributes", [
    ("KDV", {"perceel": "1"}),
    ("BGI-complex", {"perceel": "2", "grondslag": "PSY"}),
    ("BGI", {"perceel": "5", "grondslag": "SOM"}),
    ("VERVOER", {"perceel": "6"}),
])
def test_ml_o2_products_per_perceel(ctx, product, attributes):
    assert "ML-O2" in Desk("midden_limburg", "0988").refused(product, **attributes)


def test_ml_o3_bgi_complex_only_for_psychische_stoornis(ctx):
    desk = Desk("midden_limburg", "0988")
    assert "ML-O3" in desk.refused("BGI-complex", start=date(2027, 1, 1), end=date(2027, 12, 31),
                                   perceel="6", grondslag="SOM")
    assert desk.make("BGI-complex", start=date(2027, 1, 1), end=date(2027, 12, 31),
                     perceel="6", grondslag="PSY") == set()


def test_ml_o5_two_grondslagen_for_one_product_is_a_warning(ctx):
    desk = Desk("midden_limburg", "0988")
    desk.make("BGI", perceel="1", grondslag="SOM")
    assert desk.make("BGI", perceel="1", grondslag="PSY") == {"ML-O5"}
    assert desk.make("BGG", perceel="1", grondslag="VG") == set()  # another product may differ


def test_ml_o6_durations(ctx):
    desk = Desk("midden_limburg", "0988")
    assert "ML-O6" in desk.refused("BGI-complex", start=date(2027, 1, 1), end=date(2028, 1, 1),
                                   perceel="6", grondslag="PSY")
    assert "ML-O6" in desk.refused("KDV", volume=20, end=date(2027, 1, 1), perceel="5")
    assert Desk("midden_limburg", "1640").make("BGI", end=date(2028, 6, 30), perceel="1",
                                               grondslag="SOM") == {"ML-O6"}
    assert Desk("midden_limburg", "1641").make("BGI", end=date(2026, 6, 30), perceel="3",
                                               grondslag="SOM") == {"ML-O6"}
    assert Desk("midden_limburg", "1711").make("BGI", end=date(2027, 12, 31), perceel="4",
                                               grondslag="SOM") == set()


def test_ml_o7_kortdurend_verblijf_limits(ctx):
    desk = Desk("midden_limburg", "0988")
    assert "ML-O7" in desk.refused("KDV", volume=4, frequentie="2", perceel="5")
    assert "ML-O7" in desk.refused("KDV", volume=43, perceel="5")
    assert desk.make("KDV", volume=42, perceel="5") == set()


def test_ml_o8_bgi_complex_outside_2027_2028_is_a_warning(ctx):
    desk = Desk("midden_limburg", "0988")
    assert desk.make("BGI-complex", perceel="6", grondslag="PSY") == {"ML-O8"}


def test_ml_o9_vervoer_needs_bgg(ctx):
    desk = Desk("midden_limburg", "0988")
    assert "ML-O9" in desk.refused("VERVOER", perceel="1")
    desk.make("BGG", perceel="1", grondslag="LG")
    assert desk.make("VERVOER", perceel="1") == set()
    assert "ML-D7" in desk.refused("VERVOER", volume=2, frequentie="1", perceel="1")


# -- Geldrop-Mierlo ------------------------------------------------------------------------------

def test_gm_o1_stapelmatrix(ctx):
    desk = Desk("geldrop_mierlo", "1771")
    desk.make("02B01", end=date(2026, 6, 30))
    assert "GM-O1" in desk.refused("02B02", start=date(2026, 6, 1))
    assert desk.make("02B02", start=date(2026, 7, 1)) == set()  # after B1 ends
    desk.make("07D01", volume=3, frequentie="2")
    assert "GM-O1" in desk.refused("07D02", volume=3, frequentie="2")
    assert desk.make("02G01") == set()  # G1 combines with B1-B3 and dagbesteding


def test_gm_d6_dagbesteding_norm_per_week_is_a_warning(ctx):
    desk = Desk("geldrop_mierlo", "1771")
    assert desk.make("07D01", volume=8, frequentie="2") == {"GM-D6"}


def test_gm_d9_d10_vervoer_only_with_dagbesteding_and_at_most_7_a_week(ctx):
    desk = Desk("geldrop_mierlo", "1771")
    desk.make("02B01")
    assert "GM-D9" in desk.refused("08V01", volume=3, frequentie="2", afstand_km="3")
    desk.make("07D02", volume=3, frequentie="2")
    assert desk.make("08V01", volume=3, frequentie="2", afstand_km="3") == set()
    assert "GM-D10" in desk.refused("08V01", volume=8, frequentie="2", afstand_km="3")
    assert "GM-D10" in desk.refused("08V01", volume=2, frequentie="1", afstand_km="3")


@pytest.mark.parametrize("code, km, allowed", [
    ("08V01", 4, True), ("08V01", 5, False), ("08V02", 7, True), ("08V04", 15, True),
    ("08V03", 15, False), ("08V10", 7, True), ("08V09", 7, False), ("08V01", 0, False),
    ("08V08", 40, False), ("08V14", 29, True),
])
def test_gm_d11_staffel_code_matches_the_distance(ctx, code, km, allowed):
    desk = Desk("geldrop_mierlo", "1771")
    desk.make("07D01", volume=3, frequentie="2")
    if allowed:
        assert desk.make(code, volume=3, frequentie="2", afstand_km=str(km)) == set()
    else:
        assert "GM-D11" in desk.refused(code, volume=3, frequentie="2", afstand_km=str(km))


# -- the generic data sets -----------------------------------------------------------------------

def test_g1_o1_begeleiding_groep_behoudgericht_minimum_is_a_warning(ctx):
    desk = Desk("test_generic_001", "9901")
    assert desk.make("07A04", volume=2, frequentie="2") == {"G1-O1"}
    assert desk.make("07A04", volume=3, frequentie="2") == set()


def test_g1_o5_vervoer_within_begeleiding_groep(ctx):
    desk = Desk("test_generic_001", "9901")
    desk.make("07A03", start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert "G1-O5" in desk.refused("08L01", start=date(2026, 3, 1), end=date(2026, 12, 31))
    assert desk.make("08L01", start=date(2026, 3, 1), end=date(2026, 6, 30)) == set()


def configure_logeeropvang():
    """What beheer fills in for seed 003's placeholder product: a code and a price."""
    db.session.add(ConfiguredProductCode(region_code="test_generic_003",
                                         product_key="logeeropvang", code="04L01"))
    db.session.add(ConfiguredTariff(region_code="test_generic_003", product_key="logeeropvang",
                                    amount_cents=15000, tariff_unit="14",
                                    valid_from=date(2026, 1, 1)))
    db.session.flush()


def test_g3_o1_placeholder_product_needs_code_and_price_first(ctx):
    desk = Desk("test_generic_003", "9902")
    assert "kan nog niet worden toegewezen" in desk.refused("logeeropvang", volume=10)
    configure_logeeropvang()
    assert desk.make("logeeropvang", volume=10) == set()


def test_g3_o3_logeeropvang_limits_and_g3_d1_vervoer(ctx):
    desk = Desk("test_generic_003", "9902")
    configure_logeeropvang()
    assert "G3-O3" in desk.refused("logeeropvang", volume=10, end=date(2027, 1, 1))
    assert "G3-O3" in desk.refused("logeeropvang", volume=105)
    assert "G3-D1" in desk.refused("08A03", volume=2, frequentie="1")


def test_a_region_added_as_a_data_file_is_listed_by_regions_json(app_config):
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "WMO_GENERIC_REGIONS_DIR": app_config["WMO_GENERIC_REGIONS_DIR"]}
    result = subprocess.run([sys.executable, "-m", "portal.cli", "regions", "--json"],
                            capture_output=True, text=True, env=env, timeout=120)
    regions = {r["code"]: r for r in json.loads(result.stdout)["regions"]}
    assert regions["test_generic_001"]["plugin"] == "generic"
    assert regions["test_generic_001"]["municipalities"] == [
        {"code": "9901", "name": "Proefgemeente 9901"}]


def test_the_form_shows_region_fields_and_refuses_with_rule_and_seed_line(app, world):
    from tests.conftest import login, submit

    with app.app_context():
        gemeente = create_organisation(registry(), "gemeente", "0988", None, "midden_limburg")
        db.session.commit()
        gemeente_id = gemeente.id
    client = app.test_client()
    login(client, "beheer@portal.test")
    page = client.get(f"/beheer/toewijzingen/nieuw?gemeente={gemeente_id}").text
    assert "Gegevens van Midden-Limburg West / MER" in page and "Grondslag" in page
    response = submit(client, f"/beheer/toewijzingen/nieuw?gemeente={gemeente_id}", {
        "bsn": "999900122", "voorletters": "K", "voorvoegsel": "", "achternaam": "Kei",
        "geboortedatum": "1980-01-01", "aanbieder_id": str(world.provider_a),
        "toewijzing_nummer": "5", "product_key": "KDV", "volume": "10", "eenheid": "",
        "frequentie": "6", "ingangsdatum": "2026-01-01", "einddatum": "2026-06-30",
        "attr_perceel": "1", "attr_grondslag": ""})
    assert response.status_code == 200
    assert "Kortdurend verblijf hoort alleen in perceel 5. [002:76, 278] (ML-O2)" in response.text


# -- registrations (contracts) ---------------------------------------------------------------------

def register(provider, region, product, **attributes):
    from portal.contracts.services import register_contract

    contract = register_contract(registry(), provider, region, product, attributes)
    db.session.flush()
    return contract


def test_ml_o4_bgi_complex_needs_bgi_psy_in_percelen_1_2_and_3(ctx):
    provider = _provider("33333333")
    with pytest.raises(InvalidInput) as refusal:
        register(provider, "midden_limburg", "BGI-complex", perceel="6", grondslag="PSY")
    message = refusal.value.errors["product_key"]
    assert "ML-O4" in message and "perceel 1" in message and "perceel 3" in message
    register(provider, "midden_limburg", "BGI", perceel="1", grondslag="PSY")
    register(provider, "midden_limburg", "BGI", perceel="2", grondslag="PSY")
    with pytest.raises(InvalidInput, match="perceel 3"):
        register(provider, "midden_limburg", "BGI-complex", perceel="6", grondslag="PSY")
    register(provider, "midden_limburg", "BGI", perceel="3", grondslag="PSY")
    assert register(provider, "midden_limburg", "BGI-complex", perceel="6", grondslag="PSY").id


def test_g1_o3_ib4_provider_must_also_offer_ib3_ontwikkelgericht(ctx):
    provider = _provider("44444444")
    with pytest.raises(InvalidInput, match="G1-O3"):
        register(provider, "generic_001", "02A05")
    register(provider, "generic_001", "02A20")
    assert register(provider, "generic_001", "02A05").id


def test_registration_needs_the_regions_fields_and_is_not_doubled(ctx):
    provider = _provider("55555555")
    with pytest.raises(InvalidInput) as refusal:
        register(provider, "midden_limburg", "BGG")
    assert "Vul 'Perceel' in" in refusal.value.errors["attr_perceel"]
    register(provider, "midden_limburg", "BGG", perceel="1", grondslag="VG")
    with pytest.raises(InvalidInput, match="al voor ingeschreven"):
        register(provider, "midden_limburg", "BGG", perceel="1", grondslag="VG")


def test_beheer_registers_an_aanbieder_through_the_page(app, world):
    from tests.conftest import login, submit

    client = app.test_client()
    login(client, "beheer@portal.test")
    url = f"/beheer/aanbieders/{world.provider_a}/inschrijvingen?regio=generic_001"
    refused = submit(client, url, {"product_key": "02A05"})
    assert "individuele begeleiding 3 ontwikkelgericht (02A20)" in refused.text
    assert submit(client, url, {"product_key": "02A20"}).status_code == 302
    assert submit(client, url, {"product_key": "02A05"}).status_code == 302
    page = client.get(url).text
    assert "02A05" in page and "02A20" in page
    other = app.test_client()
    login(other, "a@aanbieder.test")
    assert other.get(url).status_code == 404
