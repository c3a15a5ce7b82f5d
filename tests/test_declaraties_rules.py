"""Every rule a declaration line is checked by, broken once through an upload, with its code and
retourcode: the iWmo rules on the toewijzing (unit, volume, tariff, references, credits) and the
regions' declaration rules (regions/DECLARATION_RULES.md lists them all)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from portal.accounts.models import Organisation
from portal.accounts.services import create_organisation
from portal.extensions import db
from portal.iwmo.region_checks import RegionCheck
from portal.iwmo.validate import validate_bytes
from portal.regions import registry
from portal.regions.services import set_product_code
from tests.factories import BSN_A, BSN_B
from tests.iwmo_messages import Client, Line, wmo323
from tests.test_berichten_upload import as_user
from tests.test_declaraties_matching import (
    BSN_C,
    add_toewijzing,
    change_toewijzing,
    declare,
    set_region_tariff,
)

ROOT = Path(__file__).resolve().parent.parent
SEPTEMBER = dict(month="2026-09", last_day="30")


@pytest.fixture
def app_config(app_config, tmp_path):
    """Also a region an operator made from the generic template (seed 003) by giving it a code of
    its own and a gemeente, in WMO_GENERIC_REGIONS_DIR: its G3-D1 rule comes with it."""
    directory = tmp_path / "regio-bestanden"
    directory.mkdir()
    text = (ROOT / "regions/generic/data/generic_003.toml").read_text(encoding="utf-8")
    text = text.replace('code = "generic_003"', 'code = "sjabloon_proef"', 1)
    text += '\n[[municipalities]]\ncode = "9903"\nname = "Proefstad"\n'
    (directory / "sjabloon_proef.toml").write_text(text, encoding="utf-8")
    return {**app_config, "WMO_GENERIC_REGIONS_DIR": str(directory)}


@pytest.fixture
def apeldoorn(app, world, client):
    """Aanbieder A logged in; 02A16 at € 90,00 per uur: 60 minutes at 150 cent is € 90,00."""
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    as_user(client, "aanbieder_a")
    return world


def minutes(reference: str, volume: int, **changes) -> Line:
    """A 02A16 line on toewijzing 1001 (40 uur in total) at 150 cent per minute."""
    return Line(reference, volume=volume, **changes)


# -- the toewijzing's unit and volume -----------------------------------------------------------

def test_tr341_a_unit_the_toewijzing_does_not_use_is_refused(client, app, apeldoorn):
    declared = declare(client, app, wmo323([Client(BSN_A, [Line("R1", unit="16", volume=1)])]))
    assert "9341" in declared.retourcodes("R1")
    assert "declareer in uur of minuut, niet in 16 (dagdeel)" in declared.message("R1", "TR341")


def test_tr322_volume_is_cumulative_over_declarations_and_earlier_lines(client, app, apeldoorn):
    first = declare(client, app, wmo323([Client(BSN_A, [minutes("R1", 2000, begin="2026-09-01",
                                                                end="2026-09-30")])],
                                        **SEPTEMBER))
    assert first.outcome("R1") == "toegekend"
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes("R2", 300, end="2026-10-15"),
        minutes("R3", 200, begin="2026-10-16")])], identificatie="D0002", nummer="DEC0002"))
    assert declared.outcome("R2") == "toegekend"
    assert declared.retourcodes("R3") == ["9322"]
    message = declared.message("R3", "TR322")
    assert "40 uur (2400 minuten)" in message and "2300 minuten" in message
    assert "100 minuten te veel" in message


def test_a_refused_line_uses_no_volume(client, app, apeldoorn):
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes("R1", 2300, end="2026-10-15", tariff=160),  # TR418: not the region's tariff
        minutes("R2", 200, begin="2026-10-16")])]))
    assert declared.outcome("R1") == "afgewezen" and declared.outcome("R2") == "toegekend"


def test_tr321_volume_per_week_over_the_weeks_the_period_touches(client, app, world, apeldoorn):
    add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_C, "02A16", 1201, volume=2,
                   frequentie="2")
    # October 2026 touches 5 ISO weeks (W40-W44): 5 × 2 uur = 600 minutes.
    declared = declare(client, app, wmo323([Client(BSN_C, [
        Line("R1", toewijzing_nummer=1201, volume=660)])]))
    assert declared.retourcodes("R1") == ["9321"]
    message = declared.message("R1", "TR321")
    assert "2 uur per week" in message and "5 kalenderweek/-weken" in message
    assert "60 minuten te veel" in message


# -- the region's price -------------------------------------------------------------------------

def test_tr418_tariff_and_amount_follow_the_regions_tariff(client, app, apeldoorn):
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes("R1", 60, end="2026-10-10", tariff=160),  # consistent (TR346), wrong tariff
        minutes("R2", 60, begin="2026-10-11", amount=9001)])]))  # TR346 allows, the region not
    assert declared.retourcodes("R1") == ["0611"]
    assert "ProductTarief 160 cent wijkt af" in declared.message("R1", "TR418")
    assert declared.retourcodes("R2") == ["0611"]
    assert "= € 90,00" in declared.message("R2", "TR418")


def test_tr418_a_product_without_tariff_is_refused_not_guessed(client, app, world):
    as_user(client, "aanbieder_b")  # Geldrop-Mierlo's seed has no tariffs
    declared = declare(client, app, wmo323([Client(BSN_B, [
        Line("R1", toewijzing_nummer=2001, code="02B01")])], sender="22222222", receiver="1771"))
    assert declared.retourcodes("R1") == ["0611"]
    assert "Tarief niet vastgesteld" in declared.message("R1", "TR418")


def test_tr418_uses_the_tariff_of_the_toewijzings_grondslag(client, app, world):
    with app.app_context():
        regions = registry()
        weert = create_organisation(regions, "gemeente", "0988", None, "midden_limburg")
        set_product_code(regions, "midden_limburg", regions.product("midden_limburg", "BGI"),
                         "02L01", None)
        db.session.commit()
        weert_id = weert.id
    set_region_tariff(app, "midden_limburg", "BGI", "70.00", "04", variant="PSY")
    set_region_tariff(app, "midden_limburg", "BGI", "60.00", "04", variant="VG")
    add_toewijzing(app, weert_id, world.provider_a, BSN_C, "BGI", 4001,
                   attributes={"perceel": "1", "grondslag": "PSY"})
    as_user(client, "aanbieder_a")
    lines = [Line("R1", toewijzing_nummer=4001, code="02L01", unit="04", volume=2, tariff=7000,
                  end="2026-10-10"),
             Line("R2", toewijzing_nummer=4001, code="02L01", unit="04", volume=2, tariff=6000,
                  begin="2026-10-11")]
    declared = declare(client, app, wmo323([Client(BSN_C, lines)], receiver="0988"))
    assert "TR418" not in declared.codes("R1")  # the PSY tariff
    assert "€ 70,00 per uur" in declared.message("R2", "TR418")
    # The code beheer set counts as the region's product list (TR381), so R1 is granted.
    assert "S329" not in declared.retourcodes("R1")
    assert declared.retourcodes("R1") == []


# -- references and credits ---------------------------------------------------------------------

def test_tr314_a_reference_used_in_an_earlier_declaration(client, app, apeldoorn):
    declare(client, app, wmo323([Client(BSN_A, [minutes("R1", 60)])]))
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes("R1", 60, begin="2026-09-01", end="2026-09-30")])],
        identificatie="D0002", nummer="DEC0002"))
    assert declared.retourcodes("R1") == ["8021"]
    assert "declaratie DEC0001" in declared.message("R1", "TR314")


def test_tr389_a_second_debet_for_the_same_period_waits_for_the_credit(client, app, apeldoorn):
    declare(client, app, wmo323([Client(BSN_A, [minutes("R1", 60)])]))
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes("R2", 30, begin="2026-10-10", end="2026-10-20")])],
        identificatie="D0002", nummer="DEC0002"))
    assert declared.retourcodes("R2") == ["9389"]
    assert "prestatie R1" in declared.message("R2", "TR389")


def test_a_credit_that_reverses_a_debet_releases_its_volume(client, app, apeldoorn):
    declare(client, app, wmo323([Client(BSN_A, [minutes("R1", 2400)])]))
    # Credit and declare again in one file, the credit written after the new debet.
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes("R2", 2000),
        minutes("C1", 2400, credit=True, previous="R1")])],
        identificatie="D0002", nummer="DEC0002"))
    assert declared.outcome("C1") == "toegekend" and declared.outcome("R2") == "toegekend"
    assert declared.lines["C1"]["toewijzing_id"] is not None
    assert declared.answered("//a:DeclaratieAntwoord/a:RetourCodes/a:RetourCode/text()") == \
        ["8001"]


def test_tr323_a_credit_names_a_granted_debet_and_repeats_it(client, app, apeldoorn):
    declare(client, app, wmo323([Client(BSN_A, [minutes("R1", 60)])]))
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes("C1", 60, credit=True, previous="R9"),
        minutes("C2", 50, credit=True, previous="R1")])],
        identificatie="D0002", nummer="DEC0002"))
    assert declared.retourcodes("C1") == ["8017"]
    assert "noemt geen toegekende debetprestatie" in declared.message("C1", "TR323")
    assert declared.retourcodes("C2") == ["8017"]
    assert "GeleverdVolume 60 → 50" in declared.message("C2", "TR323")


def test_tr390_a_debet_is_credited_once(client, app, apeldoorn):
    declare(client, app, wmo323([Client(BSN_A, [minutes("R1", 60)])]))
    credited = declare(client, app, wmo323([Client(BSN_A, [
        minutes("C1", 60, credit=True, previous="R1")])], identificatie="D0002",
        nummer="DEC0002"))
    assert credited.outcome("C1") == "toegekend"
    again = declare(client, app, wmo323([Client(BSN_A, [
        minutes("C2", 60, credit=True, previous="R1")])], identificatie="D0003",
        nummer="DEC0003"))
    assert again.retourcodes("C2") == ["9390"]


# -- Midden-IJssel ------------------------------------------------------------------------------

def vervoer(reference: str, nummer: int, code: str, volume: int, begin: str, end: str) -> Line:
    tariff = {"08A03": 2015, "08A04": 3896}[code]
    return Line(reference, toewijzing_nummer=nummer, category="08", code=code, unit="14",
                volume=volume, tariff=tariff, begin=begin, end=end)


@pytest.fixture
def vervoer_apeldoorn(app, apeldoorn):
    world = apeldoorn
    add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_A, "07A11", 1101)
    add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_A, "08A03", 1102)
    add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_A, "08A04", 1103)
    return world


def test_mij_d6_vervoer_at_most_once_per_client_per_day(client, app, vervoer_apeldoorn):
    declared = declare(client, app, wmo323([Client(BSN_A, [
        vervoer("V1", 1102, "08A03", 11, "2026-10-01", "2026-10-10")])]))
    assert declared.retourcodes("V1") == ["9321"]
    assert "(10 dag(en)) is 11 gedeclareerd" in declared.message("V1", "MIJ-D6")
    assert len([f for f in declared.lines["V1"]["findings"] if f["code"] == "MIJ-D6"]) == 1


def test_mij_d6_counts_the_clients_other_vervoer_lines_and_declarations(client, app,
                                                                        vervoer_apeldoorn):
    first = declare(client, app, wmo323([Client(BSN_A, [
        vervoer("V1", 1102, "08A03", 20, "2026-10-01", "2026-10-31")])]))
    assert first.outcome("V1") == "toegekend"
    declared = declare(client, app, wmo323([Client(BSN_A, [
        vervoer("V2", 1103, "08A04", 15, "2026-10-01", "2026-10-31")])],
        identificatie="D0002", nummer="DEC0002"))
    assert declared.retourcodes("V2") == ["9321"]
    assert "is 35 gedeclareerd" in declared.message("V2", "MIJ-D6")


def test_mij_d9_age_bound_code_is_a_warning(client, app, apeldoorn):
    young = "999900043"
    add_toewijzing(app, apeldoorn.apeldoorn, apeldoorn.provider_a, young, "02A63", 1301,
                   geboortedatum=date(2010, 3, 1))
    declared = declare(client, app, wmo323([Client(young, [
        Line("W1", toewijzing_nummer=1301, code="02A63", volume=60, tariff=18, amount=1103)])]))
    assert declared.outcome("W1") == "toegekend"
    assert "MIJ-D9" in declared.codes("W1")
    assert "Leeftijd op 2026-10-01 (begin van de prestatie): 16" in \
        declared.message("W1", "MIJ-D9")


# -- Geldrop-Mierlo -----------------------------------------------------------------------------

@pytest.fixture
def geldrop(app, world, client):
    """Aanbieder B logged in; D1 (2 dagdelen per week) and vervoer 08V01 (3 km) for its client,
    at tariffs beheer set (the seed has none)."""
    set_region_tariff(app, "geldrop_mierlo", "07D01", "50.00", "16")
    set_region_tariff(app, "geldrop_mierlo", "08V01", "12.00", "82")
    world_ids = {
        "d1": add_toewijzing(app, world.geldrop, world.provider_b, BSN_B, "07D01", 2101,
                             volume=2, frequentie="2"),
        "vervoer": add_toewijzing(app, world.geldrop, world.provider_b, BSN_B, "08V01", 2102,
                                  volume=200, attributes={"afstand_km": "3"}),
    }
    as_user(client, "aanbieder_b")
    return world_ids


def to_geldrop(lines: list[Line], **changes) -> bytes:
    return wmo323([Client(BSN_B, lines)], sender="22222222", receiver="1771", **changes)


def rit(reference: str, volume: int, begin: str, end: str) -> Line:
    return Line(reference, toewijzing_nummer=2102, category="08", code="08V01", unit="82",
                volume=volume, tariff=1200, begin=begin, end=end)


def dagdeel(reference: str, volume: int, begin: str, end: str) -> Line:
    return Line(reference, toewijzing_nummer=2101, category="07", code="07D01", unit="16",
                volume=volume, tariff=5000, begin=begin, end=end)


def test_gm_d10_one_return_trip_per_day(client, app, geldrop):
    declared = declare(client, app, to_geldrop([rit("V1", 2, "2026-10-05", "2026-10-05"),
                                                rit("V2", 1, "2026-10-06", "2026-10-06")]))
    assert declared.retourcodes("V1") == ["9321"]
    assert "hoogstens één retourrit per dag" in declared.message("V1", "GM-D10")
    assert declared.outcome("V2") == "toegekend"


def test_gm_d9_vervoer_only_while_dagbesteding_runs(client, app, geldrop):
    change_toewijzing(app, geldrop["d1"], einddatum=date(2026, 9, 30))
    declared = declare(client, app, to_geldrop([rit("V1", 1, "2026-10-05", "2026-10-05")]))
    assert declared.outcome("V1") == "afgewezen"
    assert "GM-D9" in declared.codes("V1")
    assert declared.retourcodes("V1") == ["0233"]  # no official code fits: not assessed


def test_gm_d11_staffel_code_must_fit_the_recorded_distance(client, app, geldrop):
    change_toewijzing(app, geldrop["vervoer"], attributes={"afstand_km": "7"})
    declared = declare(client, app, to_geldrop([rit("V1", 1, "2026-10-05", "2026-10-05")]))
    assert declared.retourcodes("V1") == ["9340"]
    assert "Opgegeven: 7" in declared.message("V1", "GM-D11")


def test_gm_d6_dagbesteding_per_iso_week_without_flexibility(client, app, geldrop):
    declared = declare(client, app, to_geldrop([
        dagdeel("D1", 2, "2026-10-26", "2026-10-27"),
        dagdeel("D2", 2, "2026-10-05", "2026-10-06"),
        dagdeel("D3", 1, "2026-10-07", "2026-10-07")]))  # week 41 now has 3 of 2
    assert declared.outcome("D1") == "toegekend" and declared.outcome("D2") == "toegekend"
    assert declared.retourcodes("D3") == ["9321"]
    assert declared.codes("D3") == {"GM-D6"}  # over the month (TR321) it still fits
    assert "week 2026-W41" in declared.message("D3", "GM-D6")


def test_region_rules_run_on_the_command_line_without_a_toewijzing(app):
    data = to_geldrop([rit("V1", 2, "2026-10-05", "2026-10-05")])
    with app.app_context():
        report = validate_bytes(data, "d.xml", region=RegionCheck(registry(), "geldrop_mierlo"),
                                today=date(2026, 11, 23))
    assert "GM-D10" in {finding.code for finding in report.errors}
    assert {finding.retourcode for finding in report.errors if finding.code == "GM-D10"} == \
        {"9321"}


# -- Midden-Limburg and a region from the generic template --------------------------------------

def test_ml_d7_vervoer_one_tariff_per_day_beside_bgg(client, app, world):
    with app.app_context():
        regions = registry()
        weert = create_organisation(regions, "gemeente", "0988", None, "midden_limburg")
        set_product_code(regions, "midden_limburg", regions.product("midden_limburg", "BGG"),
                         "07L01", None)
        set_product_code(regions, "midden_limburg", regions.product("midden_limburg", "VERVOER"),
                         "08L01", None)
        db.session.commit()
        weert_id = weert.id
    bgg = add_toewijzing(app, weert_id, world.provider_a, BSN_C, "BGG", 4101,
                         attributes={"perceel": "1", "grondslag": "VG"})
    add_toewijzing(app, weert_id, world.provider_a, BSN_C, "VERVOER", 4102,
                   attributes={"perceel": "1"})
    as_user(client, "aanbieder_a")
    declared = declare(client, app, wmo323([Client(BSN_C, [
        Line("V1", toewijzing_nummer=4102, category="08", code="08L01", unit="14", volume=2,
             tariff=1000, begin="2026-10-05", end="2026-10-05")])], receiver="0988"))
    assert "ML-D7" in declared.codes("V1")
    assert "9321" in declared.retourcodes("V1")
    assert "ML-O9" not in declared.codes("V1")

    # Vervoer only beside a running BGG toewijzing (002:166): not after BGG ended.
    change_toewijzing(app, bgg, einddatum=date(2026, 9, 30))
    later = declare(client, app, wmo323([Client(BSN_C, [
        Line("V2", toewijzing_nummer=4102, category="08", code="08L01", unit="14", volume=1,
             tariff=1000, begin="2026-10-06", end="2026-10-06")])], receiver="0988",
        identificatie="D0002", nummer="DEC0002"))
    assert "Begeleiding Groep (BGG)" in later.message("V2", "ML-O9")


def test_g3_d1_vervoer_once_a_day_in_a_region_made_from_the_template(client, app, world):
    with app.app_context():
        gemeente = create_organisation(registry(), "gemeente", "9903", None, "sjabloon_proef")
        db.session.commit()
        gemeente_id = gemeente.id
    set_region_tariff(app, "sjabloon_proef", "08A03", "25.00", "14")
    add_toewijzing(app, gemeente_id, world.provider_a, BSN_C, "08A03", 5001)
    as_user(client, "aanbieder_a")
    declared = declare(client, app, wmo323([Client(BSN_C, [
        Line("V1", toewijzing_nummer=5001, category="08", code="08A03", unit="14", volume=2,
             tariff=2500, begin="2026-10-05", end="2026-10-05")])], receiver="9903"))
    assert declared.retourcodes("V1") == ["9321"]
    assert "G3-D1" in declared.codes("V1")
    with app.app_context():
        assert db.session.get(Organisation, gemeente_id).region_code == "sjabloon_proef"
