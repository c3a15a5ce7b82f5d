"""The declaration rules that read the aanbieder's delivery registration (attendance, activity,
no-show, time of day) and the gemeente's toewijzing fields (flexibility, nearest location): each
broken once through an upload, with its code and retourcode, and passed once. Nothing registered:
the rule is not applied. The registration is loaded in one query per file."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts.services import create_organisation
from portal.declaraties.registration import EntryInput, save_entry
from portal.extensions import db
from portal.regions import registry
from portal.regions.services import set_product_code
from portal.toewijzingen.models import Toewijzing
from tests.factories import BSN_A, BSN_B
from tests.iwmo_messages import Client, Line, wmo323
from tests.test_berichten_upload import as_user
from tests.test_declaraties_matching import (
    BSN_C,
    _statements_for,
    add_toewijzing,
    change_toewijzing,
    declare,
    set_region_tariff,
)

TODAY = date(2026, 11, 23)


def register(app, toewijzing_id: int, day: str, kind: str = "tijd", attendance: str = "",
             activity: str = "", minutes: int | str = "", start: str = "", end: str = "") -> None:
    """An entry as the aanbieder's registration screen stores one."""
    with app.app_context():
        toewijzing = db.session.get(Toewijzing, toewijzing_id)
        save_entry(toewijzing, EntryInput(day, kind, attendance, activity, str(minutes), start,
                                          end), None, TODAY)
        db.session.commit()


def present(app, toewijzing_id: int, day: str, status: str = "aanwezig", **times) -> None:
    register(app, toewijzing_id, day, "aanwezigheid", attendance=status, **times)


def minutes_line(reference: str, volume: int, begin: str, end: str, **changes) -> Line:
    """02A16 on toewijzing 1001 at € 90,00 per uur (150 cent per minute)."""
    return Line(reference, volume=volume, begin=begin, end=end, **changes)


# -- Midden-IJssel ------------------------------------------------------------------------------

@pytest.fixture
def apeldoorn(app, world, client):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    as_user(client, "aanbieder_a")
    return world


def test_mij_d1_only_contact_time_is_declarable(client, app, apeldoorn):
    register(app, apeldoorn.toewijzing_a, "2026-10-05", activity="direct", minutes=45)
    register(app, apeldoorn.toewijzing_a, "2026-10-05", activity="indirect", minutes=30)
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes_line("R1", 75, "2026-10-05", "2026-10-05")])]))
    assert declared.retourcodes("R1") == ["9321"]
    message = declared.message("R1", "MIJ-D1")
    assert "75 minuten gedeclareerd" in message and "declarabel 45 min" in message
    assert "2026-10-05 30 min indirect" in message
    passing = declare(client, app, wmo323([Client(BSN_A, [
        minutes_line("R2", 45, "2026-10-05", "2026-10-05")])], identificatie="D0002",
        nummer="DEC0002"))
    assert passing.outcome("R2") == "toegekend"  # the 45 direct minutes


def test_nothing_registered_the_rule_is_not_applied(client, app, apeldoorn):
    declared = declare(client, app, wmo323([Client(BSN_A, [
        minutes_line("R1", 75, "2026-10-05", "2026-10-05")])]))
    assert declared.outcome("R1") == "toegekend"
    assert declared.codes("R1") == set()


def test_mij_d1_counts_the_other_lines_on_the_same_days(client, app, apeldoorn):
    register(app, apeldoorn.toewijzing_a, "2026-10-05", activity="direct", minutes=60)
    first = declare(client, app, wmo323([Client(BSN_A, [
        minutes_line("R1", 60, "2026-10-05", "2026-10-05")])]))
    assert first.outcome("R1") == "toegekend"
    again = declare(client, app, wmo323([Client(BSN_A, [
        minutes_line("R2", 30, "2026-10-01", "2026-10-31")])], identificatie="D0002",
        nummer="DEC0002"))
    assert "MIJ-D1" in again.codes("R2")
    assert "met 1 andere prestatie(s)" in again.message("R2", "MIJ-D1")


def test_mij_d7_werkt_mee_at_most_60_minutes_a_day_while_absent(client, app, apeldoorn):
    werkt_mee = add_toewijzing(app, apeldoorn.apeldoorn, apeldoorn.provider_a, BSN_C, "02A63",
                               1301)
    present(app, werkt_mee, "2026-10-06", "afwezig")
    register(app, werkt_mee, "2026-10-06", activity="indirect", minutes=90)
    register(app, werkt_mee, "2026-10-07", activity="direct", minutes=50)

    def line(reference, volume, amount, begin, end):
        return Line(reference, toewijzing_nummer=1301, code="02A63", volume=volume, tariff=18,
                    amount=amount, begin=begin, end=end)

    declared = declare(client, app, wmo323([Client(BSN_C, [
        line("W1", 90, 1655, "2026-10-06", "2026-10-06"),
        line("W2", 60, 1103, "2026-10-07", "2026-10-07")])]))
    assert declared.retourcodes("W1") == ["9321"]
    assert "2026-10-06 afwezig: 90 min, hoogstens 60" in declared.message("W1", "MIJ-D7")
    assert "MIJ-D7" in declared.codes("W2")  # 50 direct minutes registered that day
    passing = declare(client, app, wmo323([Client(BSN_C, [
        line("W3", 60, 1103, "2026-10-06", "2026-10-06")])], identificatie="D0002",
        nummer="DEC0002"))
    assert passing.outcome("W3") == "toegekend"


@pytest.fixture
def vervoer_apeldoorn(app, apeldoorn):
    world = apeldoorn
    groep = add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_A, "07A11", 1101)
    add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_A, "08A03", 1102)
    return groep


def vervoer(reference: str, begin: str, end: str, volume: int = 1) -> Line:
    return Line(reference, toewijzing_nummer=1102, category="08", code="08A03", unit="14",
                volume=volume, tariff=2015, begin=begin, end=end)


def test_mij_d6_vervoer_only_on_days_the_client_came(client, app, vervoer_apeldoorn):
    present(app, vervoer_apeldoorn, "2026-10-05", "afwezig")
    present(app, vervoer_apeldoorn, "2026-10-06", "no_show")
    declared = declare(client, app, wmo323([Client(BSN_A, [
        vervoer("V1", "2026-10-05", "2026-10-05"),
        vervoer("V2", "2026-10-05", "2026-10-09", volume=4),
        vervoer("V3", "2026-10-12", "2026-10-16", volume=5)])]))
    assert declared.retourcodes("V1") == ["9321"]
    assert "afwezig of niet verschenen op 2026-10-05" in declared.message("V1", "MIJ-D6")
    assert "MIJ-D6" in declared.codes("V2")  # 5 days, 2 of them away: at most 3
    assert declared.outcome("V3") == "toegekend"


# -- Midden-Limburg ------------------------------------------------------------------------------

@pytest.fixture
def weert(app, world, client):
    """Gemeente Weert (Midden-Limburg) with codes for BGI, BGI complex, BGG, vervoer and KDV, and
    aanbieder A logged in. Returns a function making a toewijzing for client C."""
    codes = {"BGI": "02L01", "BGI-complex": "02L02", "BGG": "07L01", "VERVOER": "08L01",
             "KDV": "04L01"}
    with app.app_context():
        regions = registry()
        gemeente = create_organisation(regions, "gemeente", "0988", None, "midden_limburg")
        for key, code in codes.items():
            set_product_code(regions, "midden_limburg", regions.product("midden_limburg", key),
                             code, None)
        db.session.commit()
        gemeente_id = gemeente.id
    as_user(client, "aanbieder_a")

    def toewijzing(key: str, nummer: int, **changes) -> int:
        attributes = {"BGI-complex": {"perceel": "6", "grondslag": "PSY"},
                      "KDV": {"perceel": "5"}}.get(key, {"perceel": "1", "grondslag": "VG"})
        if key == "VERVOER":
            attributes = {"perceel": "1"}
        return add_toewijzing(app, gemeente_id, world.provider_a, BSN_C, key, nummer,
                              attributes=attributes, **changes)

    toewijzing.codes = codes
    return toewijzing


def to_weert(lines: list[Line], number: int = 1) -> bytes:
    return wmo323([Client(BSN_C, lines)], receiver="0988", identificatie=f"D000{number}",
                  nummer=f"DEC000{number}")


def ml_line(reference: str, nummer: int, code: str, volume: int, unit: str, begin: str,
            end: str, category: str = "02") -> Line:
    return Line(reference, toewijzing_nummer=nummer, category=category, code=code, unit=unit,
                volume=volume, tariff=1000, begin=begin, end=end)


def test_ml_d1_bgi_only_direct_contact(client, app, weert):
    bgi = weert("BGI", 4201, eenheid="04")
    register(app, bgi, "2026-10-05", activity="direct", minutes=60)
    register(app, bgi, "2026-10-05", activity="reistijd", minutes=60)
    declared = declare(client, app, to_weert([
        ml_line("B1", 4201, "02L01", 2, "04", "2026-10-05", "2026-10-05")]))
    assert "ML-D1" in declared.codes("B1") and "9321" in declared.retourcodes("B1")
    assert "2026-10-05 60 min reistijd" in declared.message("B1", "ML-D1")
    passing = declare(client, app, to_weert([
        ml_line("B2", 4201, "02L01", 1, "04", "2026-10-05", "2026-10-05")], 2))
    assert "ML-D1" not in passing.codes("B2")


def test_ml_d2_bgi_no_show_is_not_declarable(client, app, weert):
    bgi = weert("BGI", 4201, eenheid="04")
    present(app, bgi, "2026-10-07", "no_show")
    declared = declare(client, app, to_weert([
        ml_line("B1", 4201, "02L01", 1, "04", "2026-10-07", "2026-10-07"),
        ml_line("B2", 4201, "02L01", 1, "04", "2026-10-08", "2026-10-08")]))
    assert "ML-D2" in declared.codes("B1") and "9321" in declared.retourcodes("B1")
    assert "valt geheel op no-show: 2026-10-07" in declared.message("B1", "ML-D2")
    assert "ML-D2" not in declared.codes("B2")


def test_ml_d3_bgi_complex_travel_time_is_not_declarable(client, app, weert):
    complex_ = weert("BGI-complex", 4301, eenheid="04")
    register(app, complex_, "2026-10-05", activity="direct", minutes=60)
    register(app, complex_, "2026-10-05", activity="indirect", minutes=60)
    register(app, complex_, "2026-10-05", activity="reistijd", minutes=45)
    declared = declare(client, app, to_weert([
        ml_line("C1", 4301, "02L02", 3, "04", "2026-10-05", "2026-10-05")]))
    assert "ML-D3" in declared.codes("C1")
    assert "declarabel 120 min" in declared.message("C1", "ML-D3")
    passing = declare(client, app, to_weert([
        ml_line("C2", 4301, "02L02", 2, "04", "2026-10-05", "2026-10-05")], 2))
    assert "ML-D3" not in passing.codes("C2")


def test_ml_d5_bgg_only_dagdelen_attended(client, app, weert):
    bgg = weert("BGG", 4101, volume=10, frequentie="2")
    present(app, bgg, "2026-10-05")
    present(app, bgg, "2026-10-06", "afwezig")
    declared = declare(client, app, to_weert([
        ml_line("G1", 4101, "07L01", 2, "16", "2026-10-05", "2026-10-06", "07")]))
    assert "ML-D5" in declared.codes("G1") and "9321" in declared.retourcodes("G1")
    assert "geregistreerd aanwezig: 1 (afwezig op 2026-10-06)" in declared.message("G1", "ML-D5")
    passing = declare(client, app, to_weert([
        ml_line("G2", 4101, "07L01", 1, "16", "2026-10-05", "2026-10-05", "07")], 2))
    assert "ML-D5" not in passing.codes("G2")


def test_ml_d6_no_bgi_at_the_same_time_as_bgg(client, app, weert):
    bgg = weert("BGG", 4101, volume=10, frequentie="2")
    bgi = weert("BGI", 4201, eenheid="04")
    present(app, bgg, "2026-10-05", start="09:00", end="12:30")
    register(app, bgi, "2026-10-05", activity="direct", minutes=60, start="10:00", end="11:00")
    register(app, bgi, "2026-10-06", activity="direct", minutes=60, start="10:00", end="11:00")
    declared = declare(client, app, to_weert([
        ml_line("B1", 4201, "02L01", 1, "04", "2026-10-05", "2026-10-05"),
        ml_line("B2", 4201, "02L01", 1, "04", "2026-10-06", "2026-10-06")]))
    assert "ML-D6" in declared.codes("B1") and "0233" in declared.retourcodes("B1")
    assert "2026-10-05 10:00-11:00 tijdens 09:00-12:30 (BGG)" in declared.message("B1", "ML-D6")
    assert "ML-D6" not in declared.codes("B2")


def test_ml_d7_vervoer_not_on_a_day_absent_at_bgg(client, app, weert):
    bgg = weert("BGG", 4101, volume=10, frequentie="2")
    weert("VERVOER", 4102)
    present(app, bgg, "2026-10-06", "afwezig")
    declared = declare(client, app, to_weert([
        ml_line("V1", 4102, "08L01", 1, "14", "2026-10-06", "2026-10-06", "08"),
        ml_line("V2", 4102, "08L01", 1, "14", "2026-10-07", "2026-10-07", "08")]))
    assert "afwezig of niet verschenen op 2026-10-06" in declared.message("V1", "ML-D7")
    assert "9321" in declared.retourcodes("V1")
    assert "ML-D7" not in declared.codes("V2")


def test_ml_d8_kdv_only_etmalen_spent(client, app, weert):
    kdv = weert("KDV", 4401, volume=3, frequentie="2", eenheid="14",
                einddatum=date(2026, 12, 31))
    present(app, kdv, "2026-10-05")
    present(app, kdv, "2026-10-06", "afwezig")
    declared = declare(client, app, to_weert([
        ml_line("K1", 4401, "04L01", 2, "14", "2026-10-05", "2026-10-06", "04")]))
    assert "ML-D8" in declared.codes("K1")
    assert "afwezig op 2026-10-06" in declared.message("K1", "ML-D8")


# -- Geldrop-Mierlo ------------------------------------------------------------------------------

@pytest.fixture
def geldrop(app, world, client):
    """Aanbieder B logged in; B1 (2001, 40 uur totaal) at € 60,00 per uur, D1 (2 dagdelen per
    week) and vervoer 08V01 (3 km) at tariffs beheer set."""
    set_region_tariff(app, "geldrop_mierlo", "02B01", "60.00", "04")
    set_region_tariff(app, "geldrop_mierlo", "07D01", "50.00", "16")
    set_region_tariff(app, "geldrop_mierlo", "08V01", "12.00", "82")
    set_region_tariff(app, "geldrop_mierlo", "08V02", "15.00", "82")
    ids = {
        "b1": world.toewijzing_b,
        "d1": add_toewijzing(app, world.geldrop, world.provider_b, BSN_B, "07D01", 2101,
                             volume=2, frequentie="2"),
        "vervoer": add_toewijzing(app, world.geldrop, world.provider_b, BSN_B, "08V01", 2102,
                                  volume=200, attributes={"afstand_km": "3"}),
    }
    as_user(client, "aanbieder_b")
    return ids


def to_geldrop(lines: list[Line], number: int = 1) -> bytes:
    return wmo323([Client(BSN_B, lines)], sender="22222222", receiver="1771",
                  identificatie=f"D000{number}", nummer=f"DEC000{number}")


def b1(reference: str, volume: int, begin: str, end: str) -> Line:
    """B1 in minutes at € 60,00 per uur: 100 cent per minute."""
    return Line(reference, toewijzing_nummer=2001, category="02", code="02B01", volume=volume,
                tariff=100, begin=begin, end=end)


def dagdeel(reference: str, volume: int, begin: str, end: str) -> Line:
    return Line(reference, toewijzing_nummer=2101, category="07", code="07D01", unit="16",
                volume=volume, tariff=5000, begin=begin, end=end)


def rit(reference: str, begin: str, nummer: int = 2102, code: str = "08V01",
        tariff: int = 1200) -> Line:
    return Line(reference, toewijzing_nummer=nummer, category="08", code=code, unit="82",
                volume=1, tariff=tariff, begin=begin, end=begin)


def test_gm_d4_only_direct_hours(client, app, geldrop):
    register(app, geldrop["b1"], "2026-10-05", activity="direct", minutes=30)
    register(app, geldrop["b1"], "2026-10-05", activity="indirect", minutes=60)
    declared = declare(client, app, to_geldrop([b1("B1", 90, "2026-10-05", "2026-10-05")]))
    assert declared.retourcodes("B1") == ["9321"]
    assert "60 minuten te veel" in declared.message("B1", "GM-D4")
    passing = declare(client, app, to_geldrop([b1("B2", 30, "2026-10-05", "2026-10-05")], 2))
    assert passing.outcome("B2") == "toegekend"


def test_gm_d5_no_show_is_not_declarable(client, app, geldrop):
    present(app, geldrop["b1"], "2026-10-07", "no_show")
    register(app, geldrop["b1"], "2026-10-08", activity="direct", minutes=60)
    declared = declare(client, app, to_geldrop([
        b1("B1", 60, "2026-10-07", "2026-10-07"),
        b1("B2", 90, "2026-10-08", "2026-10-09")]))
    assert declared.retourcodes("B1") == ["9321"]
    assert "GM-D5" in declared.codes("B1")
    assert declared.outcome("B2") == "afgewezen" and "GM-D5" not in declared.codes("B2")
    passing = declare(client, app, to_geldrop([b1("B3", 60, "2026-10-08", "2026-10-08")], 2))
    assert passing.outcome("B3") == "toegekend"


def test_gm_d2_dagdelen_actually_taken(client, app, geldrop):
    present(app, geldrop["d1"], "2026-10-05")
    present(app, geldrop["d1"], "2026-10-06", "no_show")
    declared = declare(client, app, to_geldrop([
        dagdeel("D1", 2, "2026-10-05", "2026-10-06"),
        dagdeel("D2", 1, "2026-10-12", "2026-10-12")]))
    assert declared.retourcodes("D1") == ["9321"]
    assert "no-show op 2026-10-06" in declared.message("D1", "GM-D2")
    assert declared.outcome("D2") == "toegekend"  # nothing registered that week


def test_gm_d10_vervoer_only_on_days_at_dagbesteding(client, app, geldrop):
    present(app, geldrop["d1"], "2026-10-08", "afwezig")
    present(app, geldrop["d1"], "2026-10-09")
    declared = declare(client, app, to_geldrop([rit("V1", "2026-10-08"), rit("V2", "2026-10-09")]))
    assert declared.retourcodes("V1") == ["9321"]
    assert "afwezig of niet verschenen op 2026-10-08" in declared.message("V1", "GM-D10")
    assert declared.outcome("V2") == "toegekend"


def test_gm_d7_no_flexibility_at_most_the_fixed_hours_a_week(client, app, geldrop):
    change_toewijzing(app, geldrop["b1"], attributes={"flexibiliteit": "geen",
                                                      "vaste_uren_per_week": "1"})
    declared = declare(client, app, to_geldrop([
        b1("B1", 120, "2026-10-05", "2026-10-09"),
        b1("B2", 60, "2026-10-12", "2026-10-16")]))
    assert declared.retourcodes("B1") == ["9321"]
    assert "over 1 week/weken is hoogstens 60 minuten" in declared.message("B1", "GM-D7")
    assert declared.outcome("B2") == "toegekend"


def test_gm_d7_no_flexibility_names_the_weeks_registered_over(client, app, geldrop):
    change_toewijzing(app, geldrop["b1"], attributes={"flexibiliteit": "geen",
                                                      "vaste_uren_per_week": "1"})
    register(app, geldrop["b1"], "2026-10-05", activity="direct", minutes=90)
    register(app, geldrop["b1"], "2026-10-12", activity="direct", minutes=30)
    declared = declare(client, app, to_geldrop([b1("B1", 120, "2026-10-05", "2026-10-18")]))
    assert declared.retourcodes("B1") == ["9321"]
    message = declared.message("B1", "GM-D7")
    assert "2026-W41 90 min" in message and "30 minuten te veel" in message
    assert "GM-D4" not in declared.codes("B1")  # all 120 minutes were direct
    passing = declare(client, app, to_geldrop([b1("B2", 90, "2026-10-05", "2026-10-18")], 2))
    assert passing.outcome("B2") == "toegekend"


def test_gm_d7_waakvlam_warns_after_two_months_without_contact(client, app, geldrop):
    change_toewijzing(app, geldrop["b1"], attributes={"flexibiliteit": "waakvlam"})
    register(app, geldrop["b1"], "2026-07-10", activity="direct", minutes=30)
    declared = declare(client, app, to_geldrop([b1("B1", 30, "2026-10-01", "2026-10-10")]))
    assert declared.outcome("B1") == "toegekend"  # a warning
    message = declared.message("B1", "GM-D7")
    assert "Van 2026-08-11 t/m 2026-10-10 is geen contact geregistreerd" in message
    assert "Laatste geregistreerde contact: 2026-07-10" in message
    register(app, geldrop["b1"], "2026-10-15", activity="direct", minutes=30)
    later = declare(client, app, to_geldrop([b1("B2", 30, "2026-10-20", "2026-10-31")], 2))
    assert later.outcome("B2") == "toegekend" and "GM-D7" not in later.codes("B2")


def test_gm_d12_paid_at_most_the_band_of_the_nearest_suitable_location(client, app, geldrop,
                                                                        world):
    further = add_toewijzing(app, world.geldrop, world.provider_b, BSN_B, "08V02", 2103,
                             volume=200, attributes={"afstand_km": "7",
                                                     "afstand_passende_locatie_km": "3"})
    declared = declare(client, app, to_geldrop([rit("V1", "2026-10-05", 2103, "08V02", 1500)]))
    assert declared.retourcodes("V1") == ["9340"]
    assert "staffel 08V01, 1 tot 5 km" in declared.message("V1", "GM-D12")
    change_toewijzing(app, further, attributes={"afstand_km": "7",
                                                "afstand_passende_locatie_km": "8"})
    passing = declare(client, app, to_geldrop([rit("V2", "2026-10-06", 2103, "08V02", 1500)], 2))
    assert passing.outcome("V2") == "toegekend"


# -- a fixed number of queries per file ----------------------------------------------------------

def test_registrations_are_loaded_in_one_query_per_file(app, world):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    without = _statements_for(app, world, 4, "2026-09")
    for day in range(1, 31):
        register(app, world.toewijzing_a, f"2026-06-{day:02d}", activity="direct", minutes=30)
        present(app, world.toewijzing_a, f"2026-06-{day:02d}")
    for day in range(1, 4):
        register(app, world.toewijzing_a, f"2026-04-{day:02d}", activity="direct", minutes=30)
    thirty = _statements_for(app, world, 30, "2026-06")
    three = _statements_for(app, world, 3, "2026-04")
    assert three == thirty == without


# -- the region's data file ----------------------------------------------------------------------

def test_a_mistake_in_a_registration_rules_file_stops_start_up_naming_it(tmp_path):
    from portal.declaraties.registration_rules import load_rules
    from portal.plugins.errors import RegionLoadError

    path = tmp_path / "registration_rules.toml"
    path.write_text('[[rules]]\nid = "X-1"\nkind = "time_activities"\ncount = ["koffie"]\n'
                    'message = "m"\nsource = "000:1"\nkleur = "rood"\n\n'
                    '[[rules]]\nid = "X-2"\nkind = "raden"\n', encoding="utf-8")
    with pytest.raises(RegionLoadError) as raised:
        load_rules(path, "proef")
    text = str(raised.value)
    assert str(path) in text and "proef" in text
    assert "regel X-1: onbekend veld 'kleur'" in text
    assert "regel X-1: veld 'count' moet direct, indirect, reistijd zijn" in text
    assert "regel X-2: soort 'raden' bestaat niet" in text
