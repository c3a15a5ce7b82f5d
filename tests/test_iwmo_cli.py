"""`wmo-portal validate`: the contract back-office software relies on (exit codes, JSON, no web stack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.iwmo.region_checks import RegionCheck
from portal.iwmo.validate import validate_bytes
from portal.plugins.hookspecs import hookimpl
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Finding, Municipality, Product, Region, Severity

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "iwmo" / "samples" / "wmo"
FINDING_KEYS = {"code", "retourcode", "line", "message"}


def wmo_portal(*args, env=None):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("WMO_", "IWMO_")) and k not in ("DATABASE_URL", "SECRET_KEY")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "portal.cli", "validate", *args],
                          capture_output=True, text=True, env=environment, timeout=120)


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.exists():
        pytest.skip("../shared ontbreekt")
    return SAMPLES


@pytest.fixture
def broken(tmp_path, samples) -> Path:
    path = tmp_path / "kapot.xml"
    path.write_bytes((samples / "WMO323.xml").read_bytes().replace(
        b"<iwmo:TotaalBedrag>58000<", b"<iwmo:TotaalBedrag>58001<"))
    return path


def test_valid_files_exit_0_and_warnings_are_allowed(samples):
    result = wmo_portal(str(samples / "WMO323.xml"), str(samples / "WMO315.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WMO323 (Declaratie Wmo-ondersteuning) — geldig" in result.stdout
    assert "waarschuwing" in result.stdout  # WMO315 has LF line ends


def test_one_invalid_file_exits_1_with_a_readable_report(samples, broken):
    result = wmo_portal(str(samples / "WMO323.xml"), str(broken))
    assert result.returncode == 1
    assert "ONGELDIG" in result.stdout and "TR358 (retourcode 0001)" in result.stdout
    assert "regel 26" in result.stdout and "2 bestanden: 1 geldig, 1 ongeldig." in result.stdout


def test_json_has_exactly_the_promised_shape(samples, broken):
    result = wmo_portal("--json", str(samples / "WMO301.xml"), str(broken))
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert set(document) == {"files"}
    first, second = document["files"]
    for entry in (first, second):
        assert set(entry) == {"file", "message", "valid", "errors", "warnings"}
        for finding in entry["errors"] + entry["warnings"]:
            assert set(finding) == FINDING_KEYS
    assert first == {"file": str(samples / "WMO301.xml"), "message": "WMO301", "valid": True,
                     "errors": [], "warnings": []}
    assert second["file"] == str(broken) and second["message"] == "WMO323" and not second["valid"]
    assert second["errors"][0]["code"] == "TR358" and second["errors"][0]["retourcode"] == "0001"
    assert second["errors"][0]["line"] == 26
    assert second["errors"][0]["message"].startswith("/Bericht/Declaratie/TotaalIngediendBedrag/")


def test_hostile_and_foreign_files_are_invalid_not_errors(tmp_path):
    empty = tmp_path / "leeg.xml"
    empty.write_bytes(b"")
    other = tmp_path / "jw.xml"
    other.write_bytes(b'<j:Bericht xmlns:j="http://www.istandaarden.nl/ijw/3_2/jw323/schema"/>')
    result = wmo_portal("--json", str(empty), str(other))
    assert result.returncode == 1
    files = json.loads(result.stdout)["files"]
    assert [(f["message"], f["valid"], f["errors"][0]["code"]) for f in files] == \
        [(None, False, "XML"), (None, False, "BERICHT")]


def test_a_missing_file_exits_2_and_the_others_are_still_checked(samples, tmp_path):
    missing = tmp_path / "bestaat-niet.xml"
    result = wmo_portal("--json", str(samples / "WMO323.xml"), str(missing))
    assert result.returncode == 2
    files = json.loads(result.stdout)["files"]
    assert files[0]["valid"] and files[1]["errors"][0]["code"] == "BESTAND"
    assert "bestaat niet" in result.stderr and "Traceback" not in result.stderr


def test_a_directory_cannot_be_read(tmp_path):
    result = wmo_portal(str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize("args, words", [
    ([], "geef minstens één bestand op"),
    (["--onbekend", "x.xml"], "onbekende optie --onbekend"),
    (["--max-mb", "veel", "x.xml"], "--max-mb verwacht een aantal megabytes"),
    (["--max-mb", "0", "x.xml"], "groter dan 0"),
    (["--region"], "--region verwacht een waarde"),
])
def test_usage_errors_exit_2(args, words):
    result = wmo_portal(*args)
    assert result.returncode == 2
    assert words in result.stderr and "gebruik: wmo-portal validate" in result.stderr


def test_help():
    result = wmo_portal("--help")
    assert result.returncode == 0 and "--region CODE" in result.stdout
    assert "validate" in subprocess.run([sys.executable, "-m", "portal.cli", "--help"],
                                        capture_output=True, text=True, timeout=60).stdout


def test_max_mb_refuses_a_larger_file(samples):
    result = wmo_portal("--json", "--max-mb", "0.001", str(samples / "WMO323.xml"))
    assert result.returncode == 1
    assert "grens" in json.loads(result.stdout)["files"][0]["errors"][0]["message"]


def test_a_missing_schema_exits_2(samples, tmp_path):
    result = wmo_portal(str(samples / "WMO323.xml"), env={"IWMO_XSD_DIR": str(tmp_path)})
    assert result.returncode == 2 and "WMO323.xsd" in result.stderr


def test_validate_does_not_import_the_web_stack(samples, tmp_path):
    region_dir = _region_dir(tmp_path)
    code = ("import sys; from portal.cli import main; "
            f"main(['validate', '--region', 'testregio', {str(samples / 'WMO323.xml')!r}]); "
            "print('LOADED', sorted(m for m in ('flask', 'flask_sqlalchemy', 'sqlalchemy', "
            "'wtforms', 'flask_login', 'flask_wtf') if m in sys.modules))")
    environment = {**os.environ, "WMO_GENERIC_REGIONS_DIR": str(region_dir)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env=environment)
    assert "LOADED []" in result.stdout, result.stdout[-500:] + result.stderr


# -- regions ------------------------------------------------------------------------------------

REGION_FILE = """
[region]
code = "testregio"
name = "Regio Test"
source = "test:1"

[[municipalities]]
code = "0384"
name = "Teststad"

[[products]]
code = "01A03"
name = "Hulp bij het huishouden 1"
category = "01"
unit = "04"
declaration_unit = "04"
source = "test:10"

[[products]]
code = "01A04"
name = "Hulp bij het huishouden 2"
category = "01"
unit = "04"
declaration_unit = "01"
source = "test:20"
"""


def _region_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "regio"
    directory.mkdir(exist_ok=True)
    (directory / "testregio.toml").write_text(REGION_FILE, encoding="utf-8")
    return directory


def test_region_checks_catalogue_unit_and_hint(samples, tmp_path):
    mutant = tmp_path / "regio.xml"
    mutant.write_bytes((samples / "WMO323.xml").read_bytes().replace(
        b"<wmo323:ProductCode>01A03</wmo323:ProductCode>",
        b"<wmo323:ProductCode>01A3X</wmo323:ProductCode>", 1))
    result = wmo_portal("--json", "--region", "testregio", str(mutant),
                        env={"WMO_GENERIC_REGIONS_DIR": str(_region_dir(tmp_path))})
    assert result.returncode == 1, result.stderr
    errors = json.loads(result.stdout)["files"][0]["errors"]
    by_code = {}
    for error in errors:
        by_code.setdefault(error["code"], []).append(error)
    unknown = by_code["TR381"][0]
    assert unknown["retourcode"] == "S329" and "01A3X" in unknown["message"]
    assert "Bedoelt u 01A03?" in unknown["message"]
    assert unknown["message"].startswith("/Bericht/Declaratie/Clienten/Client[1]/Prestaties/"
                                         "Prestatie[1]/ProductCode")
    units = by_code["REGIO-EENHEID"]
    assert len(units) == 2 and "01 (minuut)" in units[0]["message"]


def test_without_a_region_no_catalogue_check(samples, tmp_path):
    result = wmo_portal(str(samples / "WMO323.xml"),
                        env={"WMO_GENERIC_REGIONS_DIR": str(_region_dir(tmp_path))})
    assert result.returncode == 0


def test_an_unknown_region_exits_2(samples):
    result = wmo_portal("--region", "atlantis", str(samples / "WMO323.xml"))
    assert result.returncode == 2 and "Onbekende regio 'atlantis'" in result.stderr


class Strict:
    """A region plugin with a declaration-line rule of its own."""

    name = "strict_plugin"

    @hookimpl
    def wmo_regions(self):
        return [Region(code="strikt", name="Regio Strikt", plugin=self.name,
                       municipalities=(Municipality("9901", "Striktstad"),))]

    @hookimpl
    def wmo_products(self, region):
        if region != "strikt":
            return None
        return [Product(key=code, code=code, name=code, category="01", unit="04",
                        declaration_unit="04") for code in ("01A03", "01A04")]

    @hookimpl
    def wmo_validate_declaration_line(self, region, line, toewijzing):
        self.seen = line
        if region == "strikt" and line["volume"] > 10:
            return [Finding("STR-1", Severity.WARNING, "Meer dan 10 uur: graag toelichten.",
                            "GeleverdVolume")]
        return []


def test_region_plugins_declaration_line_hook(samples):
    plugin = Strict()
    registry = RegionRegistry.create({"WMO_REGIONS": []}, plugins=[plugin], load_entry_points=False)
    report = validate_bytes((samples / "WMO323.xml").read_bytes(), "WMO323.xml",
                            region=RegionCheck(registry, "strikt"))
    assert report.valid
    assert [(f.code, f.line, f.path.rsplit("/", 1)[1]) for f in report.warnings] == \
        [("STR-1", 63, "GeleverdVolume"), ("STR-1", 106, "GeleverdVolume")]
    assert plugin.seen["bsn"] == "999900018" and plugin.seen["amount_cents"] == 24000
    assert plugin.seen["start"].isoformat() == "2023-04-01" and plugin.seen["line"] == 95


def test_codes_beheer_configured_count_as_the_regions_product_list():
    """Midden-Limburg's document has no product codes; beheer sets them. A declaration with such
    a code passes TR381 on the web (which passes the configured codes), not without them."""
    from portal.config import region_settings
    from portal.iwmo.validate import validate_bytes
    from portal.plugins.manager import RegionRegistry
    from tests.iwmo_messages import Client, Line, wmo323

    registry = RegionRegistry.create(region_settings({}), load_entry_points=True)
    data = wmo323([Client("999900006", [Line("R1", code="02X11", unit="04", volume=2,
                                              tariff=6000)])], receiver="1640")

    def codes(check):
        return {f.code for f in validate_bytes(data, "d.xml", region=check).errors}

    assert "TR381" in codes(RegionCheck(registry, "midden_limburg"))
    assert "TR381" not in codes(RegionCheck(registry, "midden_limburg", {"BGI": "02X11"}))
