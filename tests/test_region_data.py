"""Region files: the bundled ones load and match their seeds; broken ones are refused with the
file, the product and the field named."""

from decimal import Decimal
from pathlib import Path

import pytest

from portal.plugins.errors import RegionLoadError
from portal.plugins.region_data import load_region_file

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(ROOT.glob("regions/*/region.toml")) + sorted(ROOT.glob("regions/generic/data/*.toml"))


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "regio.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '''
[region]
code = "proef"
name = "Proefregio"

[[municipalities]]
code = "9901"
name = "Proefstad"

[[products]]
code = "02P01"
name = "Proefbegeleiding"
category = "02"
unit = "04"
declaration_unit = "01"
tariff = "90.14"
tariff_unit = "04"
valid_from = 2026-01-01
valid_until = 2026-12-31
source = "999:1"
'''


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_region_file_loads(path):
    region, products, *_rest = load_region_file(path, "test")
    assert region.code and region.name
    assert all(p.source for p in products), "every product cites its seed line"


def test_good_file_gives_decimal_tariffs_and_dates(tmp_path):
    region, products, *_rest = load_region_file(write(tmp_path, GOOD), "test")
    assert region.municipality("9901").name == "Proefstad"
    assert products[0].tariff == Decimal("90.14")
    assert products[0].valid_until.isoformat() == "2026-12-31"


@pytest.mark.parametrize("change, expected", [
    (('tariff = "90.14"', "tariff = 90.14"), "product 02P01: veld 'tariff' moet een bedrag als tekst"),
    (('tariff = "90.14"', 'tariff = "90.145"'), "hoogstens 2 decimalen"),
    (('code = "9901"', 'code = "990"'), "gemeente 1: veld 'code' ('990') is geen CBS-gemeentecode"),
    (('category = "02"', 'category = "99"'), "product 02P01: veld 'category' heeft onbekende code '99'"),
    (('unit = "04"', 'unit = "05"'), "veld 'unit' heeft onbekende code '05'"),
    (('source = "999:1"', 'sorce = "999:1"'), "onbekend veld 'sorce'"),
    (('valid_from = 2026-01-01', 'valid_from = "2026-01-01"'), "veld 'valid_from' moet een datum zijn"),
    (('valid_until = 2026-12-31', 'valid_until = 2025-12-31'), "'valid_until' ligt vóór 'valid_from'"),
    (('name = "Proefregio"', ''), "[region]: veld 'name' ontbreekt"),
])
def test_broken_file_is_refused_naming_file_product_and_field(tmp_path, change, expected):
    old, new = change
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RegionLoadError) as error:
        load_region_file(path, "test")
    message = str(error.value)
    assert expected in message
    assert str(path) in message and "proef" in message


def test_invalid_toml_is_refused_with_the_file_named(tmp_path):
    path = write(tmp_path, "[region\n")
    with pytest.raises(RegionLoadError, match="geen geldige TOML") as error:
        load_region_file(path, "test")
    assert str(path) in str(error.value)


def test_midden_ijssel_catalogue_matches_the_tariff_table():
    # ../shared/seeds/000_1629748d9ff25e29.txt lines 1209-1230 (Bijlage 3).
    products = load_region_file(ROOT / "regions/midden_ijssel/region.toml", "test").products
    by_code = {p.code: p for p in products}
    assert by_code["02A16"].tariff == Decimal("90.14")
    assert (by_code["02A16"].unit, by_code["02A16"].declaration_unit) == ("04", "01")
    assert by_code["04W01"].tariff == Decimal("286.40")
    assert "O4W01" not in by_code  # letter-O spelling is not a code (MIJ-D10)
    assert by_code["02J63"].tariff == by_code["02A63"].tariff  # same row (MIJ-D9)


def test_midden_limburg_invents_no_tariff_and_no_code():
    products = load_region_file(ROOT / "regions/midden_limburg/region.toml", "test").products
    assert products
    assert all(p.tariff is None and p.code is None for p in products)
    assert all(v.tariff is None for p in products for v in p.variants)


RULE = '''
[[rules]]
id = "PR-1"
kind = "requires_other"
products = ["02P01"]
needs = ["02P01"]
severity = "error"
message = "Proef."
source = "999:2"
'''


@pytest.mark.parametrize("change, expected", [
    (('kind = "requires_other"', 'kind = "vereist"'), "veld 'kind' heeft onbekende code 'vereist'"),
    (('needs = ["02P01"]', 'needs = ["02X99"]'), "veld 'needs' noemt onbekend product '02X99'"),
    (('needs = ["02P01"]', ''), "veld 'needs' ontbreekt voor soort 'requires_other'"),
    (('severity = "error"', 'severity = "fout"'), "veld 'severity' heeft onbekende code 'fout'"),
    (('source = "999:2"', 'sorce = "999:2"'), "onbekend veld 'sorce'"),
    (('mode', 'mode'), None),
])
def test_broken_rules_are_refused_naming_the_rule_and_field(tmp_path, change, expected):
    old, new = change
    path = write(tmp_path, GOOD + RULE.replace(old, new, 1))
    if expected is None:
        assert load_region_file(path, "test").rules[0].id == "PR-1"
        return
    with pytest.raises(RegionLoadError) as error:
        load_region_file(path, "test")
    assert "regel PR-1" in str(error.value) and expected in str(error.value)


def test_rule_on_an_unknown_region_field_is_refused(tmp_path):
    rule = RULE.replace('kind = "requires_other"', 'kind = "attribute_values"').replace(
        'needs = ["02P01"]', 'field = "perceel"\nallowed = ["1"]')
    with pytest.raises(RegionLoadError, match="onbekend toewijzingsveld 'perceel'"):
        load_region_file(write(tmp_path, GOOD + rule), "test")
