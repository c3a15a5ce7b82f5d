"""Schema validation: the streaming check agrees with lxml's whole-tree validation, every schema error
gets its line and element path, and libxml2's messages are Dutch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from portal.iwmo import schemas
from portal.iwmo.schemas import schema_for
from portal.iwmo.validate import validate_bytes
from portal.iwmo.xsd_messages import translate_xml, translate_xsd

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "iwmo" / "samples" / "wmo"
MESSAGES = ["WMO301", "WMO305", "WMO307", "WMO315", "WMO317", "WMO319", "WMO323"]
W = "{http://www.istandaarden.nl/iwmo/3_2/wmo323/schema}"


def sample(message: str) -> bytes:
    path = SAMPLES / f"{message}.xml"
    if not path.exists():
        pytest.skip("../shared ontbreekt")
    return path.read_bytes()


def dom_errors(message: str, data: bytes) -> list[tuple[int, str]]:
    """lxml's whole-tree validation with the same schema: (line, message) of every error."""
    schema = schema_for(message)
    document = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    schema.validate(document.getroottree())
    return [(entry.line, entry.message) for entry in schema.error_log]


def leaf_mutants(data: bytes, limit: int = 60):
    """One defect each: empty, space-padded, too long, a neighbouring code, deleted, doubled."""
    text = data.decode("utf-8")
    leaves = list(re.finditer(r"<((?:wmo\d{3}|iwmo):\w+)>([^<]+)</\1>", text))
    mutants = []
    for match in leaves[:limit]:
        tag, value = match.group(1), match.group(2)
        start, end = match.span()
        for new in ("", f" {value} ", value * 40, value[:-1] + chr(ord(value[-1]) + 1)):
            mutants.append(text[:start] + f"<{tag}>{new}</{tag}>" + text[end:])
        mutants.append(text[:start] + text[end:])
        mutants.append(text[:end] + match.group(0) + text[end:])
    return [m.encode("utf-8") for m in mutants]


@pytest.mark.parametrize("message", MESSAGES)
def test_streaming_check_gives_the_whole_tree_verdict_and_lines(message):
    data = sample(message)
    compared = 0
    for mutant in leaf_mutants(data):
        expected = dom_errors(message, mutant)
        report = validate_bytes(mutant, "mutant.xml")
        if report.errors and report.errors[0].code == "XML":
            continue  # not well-formed: both refuse it, the whole-tree check cannot parse it
        found = [(f.line, f.message) for f in report.errors if f.code == "XSD"]
        assert bool(found) == bool(expected), (expected, [f.text() for f in report.errors])
        assert [line for line, _ in found] == [line for line, _ in expected]
        assert [m for _, m in found] == [translate_xsd(m) for _, m in expected]
        compared += 1
    assert compared > 30


def test_every_schema_error_has_line_path_and_dutch_text():
    data = sample("WMO323").decode()
    data = data.replace("<wmo323:Eenheid>04</wmo323:Eenheid>", "<wmo323:Eenheid>05</wmo323:Eenheid>", 1)
    data = data.replace("<wmo323:Bsn>999900018</wmo323:Bsn>", "<wmo323:Bsn>99990001</wmo323:Bsn>")
    data = data.replace("<wmo323:ProductCode>01A04</wmo323:ProductCode>",
                        "<wmo323:ProductCode>01A04X</wmo323:ProductCode><wmo323:Foo/>", 1)
    data = data.replace("<wmo323:GeleverdVolume>16</wmo323:GeleverdVolume>",
                        "<wmo323:GeleverdVolume>16.5</wmo323:GeleverdVolume>", 1)
    report = validate_bytes(data.encode(), "fout.xml")
    errors = [(f.line, f.path, f.message) for f in report.errors]
    assert all(f.code == "XSD" for f in report.errors)
    assert errors == [
        (45, "/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie[1]/Eenheid",
         "Element Eenheid: waarde '05' is geen toegestane code; toegestaan: 01, 04, 14, 16, 82, 83, 84."),
        (58, "/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie[2]/ProductCode",
         "Element ProductCode: de waarde is 6 tekens lang; maximaal 5 toegestaan."),
        (58, "/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie[2]/Foo",
         "Element Foo: dit element hoort hier niet; verwacht wordt ProductPeriode."),
        (74, "/Bericht/Declaratie/Clienten/Client[2]/Bsn",
         "Element Bsn: waarde '99990001' voldoet niet aan het patroon '[0-9]{9}' (9 cijfers)."),
    ]
    assert report.message == "WMO323"


def test_a_missing_element_is_reported_at_its_parent_and_an_unexpected_one_where_it_is():
    text = sample("WMO323").decode()
    data = text.replace("\r\n\t\t\t<iwmo:DebetCredit>D</iwmo:DebetCredit>", "", 1)
    finding = validate_bytes(data.encode(), "fout.xml").errors[0]
    assert (finding.code, finding.line, finding.path) == (
        "XSD", 25, "/Bericht/Declaratie/TotaalIngediendBedrag")
    assert finding.message == ("Element TotaalIngediendBedrag: een verplicht onderdeel ontbreekt; "
                               "verwacht wordt DebetCredit.")

    data = text.replace("<wmo323:DeclaratieNummer>DN001</wmo323:DeclaratieNummer>", "")
    finding = validate_bytes(data.encode(), "fout.xml").errors[0]
    assert (finding.code, finding.line, finding.path) == (
        "XSD", 20, "/Bericht/Declaratie/DeclaratiePeriode")
    assert finding.message.startswith("Element DeclaratiePeriode: dit element hoort hier niet; "
                                      "verwacht wordt DeclaratieNummer")


def test_no_rule_findings_for_a_file_that_fails_the_schema():
    data = sample("WMO323").decode()
    data = data.replace("999900006", "999900007").replace("<wmo323:Eenheid>04", "<wmo323:Eenheid>05", 1)
    report = validate_bytes(data.encode(), "fout.xml")
    assert {f.code for f in report.errors} == {"XSD"}


def test_a_file_without_line_ends_gets_line_1():
    data = re.sub(rb">\s+<", b"><", sample("WMO323"))
    data = data.replace(b"<wmo323:Eenheid>04", b"<wmo323:Eenheid>05", 1)
    report = validate_bytes(data, "compact.xml")
    assert [(f.code, f.line) for f in report.errors] == [("XSD", 1)]
    assert report.errors[0].path.endswith("Prestatie[1]/Eenheid")


@pytest.mark.parametrize("english, dutch", [
    ("Element '{ns}Bsn': [facet 'pattern'] The value '1' is not accepted by the pattern '[0-9]{9}'.",
     "Element Bsn: waarde '1' voldoet niet aan het patroon '[0-9]{9}' (9 cijfers)."),
    ("Element '{ns}Eenheid': [facet 'enumeration'] The value '05' is not an element of the set "
     "{'01', '04'}.", "Element Eenheid: waarde '05' is geen toegestane code; toegestaan: 01, 04."),
    ("Element '{ns}Header': Missing child element(s). Expected is ( {ns}Afzender ).",
     "Element Header: een verplicht onderdeel ontbreekt; verwacht wordt Afzender."),
    ("Element '{ns}Foo': This element is not expected. Expected is one of ( {ns}A, {ns}B ).",
     "Element Foo: dit element hoort hier niet; verwacht wordt een van: A, B."),
    ("Element '{ns}GeleverdVolume': '1.5' is not a valid value of the atomic type 'xs:integer'.",
     "Element GeleverdVolume: waarde '1.5' is geen een geheel getal."),
    ("Element '{ns}Dagtekening': '2023-02-29' is not a valid value of the atomic type "
     "'{ns}LDT_Datum'.", "Element Dagtekening: waarde '2023-02-29' is geen een datum (JJJJ-MM-DD)."),
    ("Element '{ns}Code': [facet 'maxLength'] The value has a length of '6'; this exceeds the "
     "allowed maximum length of '5'.", "Element Code: de waarde is 6 tekens lang; maximaal 5 toegestaan."),
    ("Element '{ns}Naam': [facet 'minLength'] The value has a length of '0'; this underruns the "
     "allowed minimum length of '1'.",
     "Element Naam: de waarde is 0 tekens lang; minimaal 1 vereist (een leeg element is niet "
     "toegestaan)."),
    ("Element '{ns}Bedrag': [facet 'maxInclusive'] The value '100000000' is greater than the "
     "maximum value allowed ('99999999').",
     "Element Bedrag: waarde 100000000 is groter dan het maximum 99999999."),
    ("Element '{ns}Bsn', attribute 'x': The attribute 'x' is not allowed.",
     "Element Bsn: attribuut 'x' is niet toegestaan."),
])
def test_libxml2_messages_in_dutch(english, dutch):
    assert translate_xsd(english).replace("geen een", "geen") == dutch.replace("geen een", "geen")


def test_unknown_libxml2_messages_keep_their_text():
    assert "iets nieuws" in translate_xsd("Element '{ns}X': iets nieuws.")
    assert translate_xml("Something odd, line 3, column 4").endswith("Something odd.")


def test_a_missing_schema_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.setenv("IWMO_XSD_DIR", str(tmp_path))
    data = b'<w:Bericht xmlns:w="http://www.istandaarden.nl/iwmo/3_2/wmo323/schema"/>'
    report = validate_bytes(data, "x.xml")
    assert report.unreadable and not report.valid
    assert report.errors[0].code == "SCHEMA" and "WMO323.xsd" in report.errors[0].message


def test_a_broken_schema_is_a_configuration_error(tmp_path, monkeypatch):
    (tmp_path / "WMO323.xsd").write_text("<xs:schema", encoding="utf-8")
    monkeypatch.setenv("IWMO_XSD_DIR", str(tmp_path))
    report = validate_bytes(b'<w:Bericht xmlns:w="http://www.istandaarden.nl/iwmo/3_2/wmo323/schema"/>',
                            "x.xml")
    assert report.errors[0].code == "SCHEMA" and "kan niet worden geladen" in report.errors[0].message


def test_schemas_are_compiled_once_per_process_and_message():
    sample("WMO323")
    assert schema_for("WMO323") is schema_for("WMO323")
    assert schemas.xsd_dir() == schemas.DEFAULT_XSD_DIR


def test_the_official_bundle_can_be_used_instead(monkeypatch):
    official = SHARED / "iwmo" / "xsd-official" / "iwmo-3.2"
    if not (official / "WMO323.xsd").exists():
        pytest.skip("../shared ontbreekt")
    monkeypatch.setenv("IWMO_XSD_DIR", str(official))
    report = validate_bytes(sample("WMO323"), "WMO323.xml")
    assert report.valid
