"""A file is recognised by its root element and namespace; what is not iWmo 3.2 is named plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.iwmo.recognise import MESSAGES, recognise
from portal.iwmo.validate import validate_bytes

SHARED = Path(__file__).resolve().parents[2] / "shared"


def root(tag: str, namespace: str | None) -> bytes:
    if namespace is None:
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag}><Header/></{tag}>'.encode()
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<x:{tag} xmlns:x="{namespace}"><x:Header/>'
            f"</x:{tag}>").encode()


@pytest.mark.parametrize("message", sorted(MESSAGES))
def test_every_iwmo_32_message_is_recognised(message):
    number = message[3:]
    found = recognise(f"{{http://www.istandaarden.nl/iwmo/3_2/wmo{number}/schema}}Bericht")
    assert (found.message, found.problem) == (message, None)


@pytest.mark.parametrize("tag, namespace, words", [
    ("Bericht", "http://www.istandaarden.nl/ijw/3_2/jw323/schema",
     "dit is een ijw-bericht (jeugdwet), de portal verwerkt iwmo 3.2"),
    ("Bericht", "http://www.istandaarden.nl/iwmo/2_1/wmo303/schema", "iwmo 2.x-bericht"),
    ("Bericht", "http://www.istandaarden.nl/iwmo/2_0/wmo301/schema", "iwmo 2.x-bericht"),
    ("Bericht", "http://www.istandaarden.nl/iwmo/3_0/wmo323/schema", "iwmo 3.0-bericht"),
    ("Bericht", None, "zonder namespace"),
    ("envelopHeenbericht-ggk_Di01", "http://www.stufstandaarden.nl/koppelvlak/ggk0210",
     "stuf/ggk-envelop"),
    ("Bericht", "http://www.istandaarden.nl/iwmo/3_2/wmo302/schema", "retourbericht"),
    ("Bericht", "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema", "basisschema"),
    ("Declaratie", "http://www.istandaarden.nl/iwmo/3_2/wmo323/schema", "niet 'bericht'"),
    ("html", "http://www.w3.org/1999/xhtml", "geen iwmo-bericht"),
])
def test_other_files_get_a_clear_message_naming_the_namespace(tag, namespace, words):
    report = validate_bytes(root(tag, namespace), "bericht.xml")
    assert report.message is None and not report.valid
    finding = report.errors[0]
    assert finding.code == "BERICHT" and finding.line == 2
    assert words in finding.message.lower()
    if namespace:
        assert namespace in finding.message


def test_the_official_ijw_samples_are_recognised_as_ijw():
    samples = sorted((SHARED / "iwmo" / "samples" / "jw").glob("JW*.xml"))
    if not samples:
        pytest.skip("../shared ontbreekt")
    for path in samples:
        report = validate_bytes(path.read_bytes(), path.name)
        assert report.errors[0].code == "BERICHT", path.name
        assert "iJw-bericht (jeugdwet)" in report.errors[0].message


def test_an_undeclared_prefix_on_the_root_is_an_xml_error():
    report = validate_bytes(b"<x:Bericht/>", "x.xml")
    assert report.errors[0].code == "XML" and "voorvoegsel" in report.errors[0].message
