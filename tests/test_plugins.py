"""The plugin system: the core works with any region a plugin supplies, and fails loudly on bad ones."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.plugins.errors import RegionLoadError
from portal.plugins.hookspecs import hookimpl
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Finding, Municipality, Product, Region, Severity
from portal.toewijzingen.models import Toewijzing
from tests.conftest import login, submit


class Fantasia:
    """A made-up region: one municipality, two products, one rule."""

    name = "fantasia_plugin"

    @hookimpl
    def wmo_configure(self, settings):
        self.settings = settings

    @hookimpl
    def wmo_regions(self):
        return [Region(code="fantasia", name="Regio Fantasia", plugin=self.name,
                       municipalities=(Municipality("9901", "Fantasiastad"),))]

    @hookimpl
    def wmo_products(self, region):
        if region != "fantasia":
            return None
        return [
            Product(key="ZZ001", code="ZZ001", name="Droombegeleiding", category="02",
                    unit="04", declaration_unit="01", tariff=Decimal("77.77"), tariff_unit="04"),
            Product(key="ZZ002", code="ZZ002", name="Wolkenvervoer", category="08",
                    unit="14", declaration_unit="14"),
        ]

    @hookimpl
    def wmo_validate_toewijzing(self, region, toewijzing):
        if region == "fantasia" and toewijzing.volume and toewijzing.volume > 100:
            return [Finding("FAN-1", Severity.ERROR, "Hoogstens 100 uur in Fantasia.", "volume")]
        if region == "fantasia" and toewijzing.end is None:
            return [Finding("FAN-2", Severity.WARNING, "Zonder einddatum loopt het eeuwig.")]
        return []


class Watchdog:
    """A second plugin that adds findings to every region: findings are collected, not replaced."""

    name = "watchdog"

    @hookimpl
    def wmo_validate_toewijzing(self, region, toewijzing):
        return [Finding("WD-1", Severity.WARNING, "Gezien door de waakhond.")]


def fantasia_only(**extra):
    return {"WMO_REGIONS": [], "WMO_GENERIC_REGIONS_DIR": None, **extra}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WMO_LOAD_ENTRY_POINTS": False, "WMO_PLUGINS": [Fantasia()]}


def test_registry_serves_a_directly_registered_region():
    registry = RegionRegistry.create(fantasia_only(), plugins=[Fantasia()], load_entry_points=False)
    assert [r.code for r in registry.regions()] == ["fantasia"]
    assert registry.region_of_municipality("9901").name == "Regio Fantasia"
    assert registry.product("fantasia", "ZZ001").tariff == Decimal("77.77")
    assert registry.products("elders") == []


def test_validation_findings_of_all_plugins_are_collected():
    registry = RegionRegistry.create(fantasia_only(), plugins=[Fantasia(), Watchdog()],
                                     load_entry_points=False)
    from portal.plugins.types import ToewijzingFacts

    facts = ToewijzingFacts(1, "9901", "11111111", None, "02", "ZZ001", "ZZ001", 500, "04", "6",
                            date(2026, 1, 1), None)
    assert sorted(f.rule for f in registry.validate_toewijzing("fantasia", facts)) == \
        ["FAN-1", "WD-1"]


def test_misspelt_hook_fails_at_start_up():
    class Typo:
        @hookimpl
        def wmo_regoins(self):
            return []

    with pytest.raises(Exception, match="wmo_regoins"):
        RegionRegistry.create(fantasia_only(), plugins=[Typo()], load_entry_points=False)


def test_two_plugins_claiming_one_region_code_fail_at_start_up():
    class Copycat(Fantasia):
        name = "copycat"

    with pytest.raises(RegionLoadError, match="fantasia"):
        RegionRegistry.create(fantasia_only(), plugins=[Fantasia(), Copycat()],
                              load_entry_points=False)


def test_installed_is_not_enabled():
    registry = RegionRegistry.create(fantasia_only(WMO_REGIONS=["midden_ijssel"]))
    assert [r.code for r in registry.regions()] == ["midden_ijssel"]
    with pytest.raises(RegionLoadError, match="niet geïnstalleerd"):
        RegionRegistry.create(fantasia_only(WMO_REGIONS=["atlantis"]))


def test_all_four_bundled_plugins_register_through_entry_points():
    registry = RegionRegistry.create(fantasia_only())
    assert {"midden_ijssel", "midden_limburg", "geldrop_mierlo", "generic"} <= \
        set(registry.plugin_names())
    codes = {r.code for r in registry.regions()}
    assert {"midden_ijssel", "midden_limburg", "geldrop_mierlo"} <= codes
    assert any(r.plugin == "generic" for r in registry.regions())


def test_core_pages_show_the_made_up_region(app):
    with app.app_context():
        from tests.factories import build_fantasia_beheer

        build_fantasia_beheer()
    client = app.test_client()
    login(client, "beheer@fantasia.test")
    regions_page = client.get("/regios/fantasia").text
    assert "Fantasiastad" in regions_page and "Droombegeleiding" in regions_page
    assert "€ 77,77" in regions_page
    assert "Tarief niet vastgesteld" in regions_page  # Wolkenvervoer has no tariff


def _toewijzing_form(client, ids, follow_redirects=False, **changes):
    gemeente_id, aanbieder_id = ids
    data = {"bsn": "999900006", "voorletters": "F", "voorvoegsel": "", "achternaam": "Fee",
            "geboortedatum": "1970-01-01", "aanbieder_id": str(aanbieder_id),
            "toewijzing_nummer": "7",
            "product_key": "ZZ001", "volume": "40", "eenheid": "", "frequentie": "6",
            "ingangsdatum": "2026-01-01", "einddatum": "2026-12-31", **changes}
    return submit(client, f"/beheer/toewijzingen/nieuw?gemeente={gemeente_id}", data,
                  follow_redirects=follow_redirects)


def test_toewijzing_form_offers_and_stores_the_made_up_regions_products(app):
    with app.app_context():
        from tests.factories import build_fantasia_beheer

        ids = build_fantasia_beheer()
    client = app.test_client()
    login(client, "beheer@fantasia.test")
    form = client.get(f"/beheer/toewijzingen/nieuw?gemeente={ids[0]}").text
    assert "Droombegeleiding" in form and "Wolkenvervoer" in form

    response = _toewijzing_form(client, ids)
    assert response.status_code == 302
    with app.app_context():
        toewijzing = db.session.scalar(select(Toewijzing))
        assert (toewijzing.product_code, toewijzing.eenheid) == ("ZZ001", "04")  # unit from catalogue


def test_a_plugins_error_blocks_the_toewijzing_and_its_warning_is_shown(app):
    with app.app_context():
        from tests.factories import build_fantasia_beheer

        ids = build_fantasia_beheer()
    client = app.test_client()
    login(client, "beheer@fantasia.test")

    refused = _toewijzing_form(client, ids, volume="500")
    assert refused.status_code == 200
    assert "Hoogstens 100 uur in Fantasia. (FAN-1)" in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Toewijzing.id))) == 0

    accepted = _toewijzing_form(client, ids, einddatum="", follow_redirects=True)
    assert "Zonder einddatum loopt het eeuwig." in accepted.text


def test_region_that_does_not_load_stops_start_up_naming_region_and_file(app_config, tmp_path):
    from portal import create_app

    broken = tmp_path / "kapot.toml"
    broken.write_text('[region]\ncode = "kapot"\nname = "Kapot"\n[[products]]\ncode = "X1"\n'
                      'name = "x"\ncategory = "02"\ntariff = 12.5\nsource = "999:1"\n')
    config = {**app_config, "WMO_LOAD_ENTRY_POINTS": True, "WMO_PLUGINS": [],
              "WMO_GENERIC_REGIONS_DIR": str(tmp_path)}
    with pytest.raises(RegionLoadError) as error:
        create_app(config)
    message = str(error.value)
    assert "kapot" in message and str(broken) in message
    assert "product X1" in message and "tariff" in message


def test_every_hook_is_documented_and_has_a_typed_registry_method():
    import inspect
    from pathlib import Path

    from portal.plugins import hookspecs

    hooks = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
             if name.startswith("wmo_")]
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    from portal.plugins import manager

    registry_source = inspect.getsource(manager)
    assert len(hooks) >= 10
    for hook in hooks:
        assert f"`{hook}`" in readme, f"{hook} is not in README.md"
        assert f"hook.{hook}(" in registry_source, f"the registry never calls {hook}"
