"""Which message a file is, from its root element and namespace (../shared/docs/iwmo.md §1).

An iWmo 3.2 message the portal validates is recognised by its namespace
``http://www.istandaarden.nl/iwmo/3_2/wmoNNN/schema`` and root element ``Bericht``. Everything else
gets a Dutch message that says what it is (iJw, iWmo 2.x, a StUF/GGk envelope, no namespace) and
names the namespace found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from portal.iwmo.safe_xml import PARSER_OPTIONS, Head, Refused
from portal.iwmo.xsd_messages import translate_xml

MESSAGES: dict[str, str] = {
    "WMO301": "Toewijzing Wmo-ondersteuning",
    "WMO305": "Start Wmo-ondersteuning",
    "WMO307": "Stop Wmo-ondersteuning",
    "WMO315": "Verzoek om toewijzing Wmo-ondersteuning",
    "WMO317": "Verzoek om wijziging Wmo-ondersteuning",
    "WMO319": "Antwoordbericht Wmo-ondersteuning",
    "WMO323": "Declaratie Wmo-ondersteuning",
    "WMO325": "Declaratie-antwoord Wmo-ondersteuning",
}
BASIS_NAMESPACE = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"

_IWMO_32 = re.compile(r"http://www\.istandaarden\.nl/iwmo/3_2/wmo([0-9]{3})/schema")
_IJW = re.compile(r"http://www\.istandaarden\.nl/ijw/([0-9]+)_([0-9]+)/jw([0-9]{3})/schema")
_IWMO_OTHER = re.compile(r"http://www\.istandaarden\.nl/iwmo/([0-9]+)_([0-9]+)/")
_EXPECTED = ("De portal verwerkt iWmo 3.2-berichten (" + ", ".join(MESSAGES) + ") met het "
             "element Bericht in de namespace http://www.istandaarden.nl/iwmo/3_2/wmoNNN/schema.")


@dataclass(frozen=True)
class Recognition:
    message: str | None  # e.g. "WMO323" when the portal validates it
    namespace: str | None
    root: str  # local name of the root element
    problem: str | None = None  # Dutch, when the file is not a message the portal validates


def message_namespace(message: str) -> str:
    return f"http://www.istandaarden.nl/iwmo/3_2/{message.lower()}/schema"


def root_tag(head: bytes, where: Head) -> str:
    """The root element's name in Clark notation ({namespace}local), from the file's first bytes."""
    parser = etree.XMLPullParser(events=("start",), **PARSER_OPTIONS)
    try:
        parser.feed(head[:where.root_end])
        for _event, element in parser.read_events():
            tag = element.tag
            if ":" in tag and not tag.startswith("{"):  # libxml2 reads on; namespaces do not
                prefix = tag.split(":", 1)[0]
                raise Refused(translate_xml(f"Namespace prefix {prefix} is not defined"),
                              line=head.count(b"\n", 0, where.root_start) + 1)
            return tag
    except etree.XMLSyntaxError as error:
        raise Refused(translate_xml(error.msg), line=error.lineno or None) from None
    raise Refused("Het eerste element van het bestand kon niet worden gelezen.")


def recognise(tag: str) -> Recognition:
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    namespace = namespace or None
    match = _IWMO_32.fullmatch(namespace or "")
    if match and local == "Bericht":
        message = f"WMO{match.group(1)}"
        if message in MESSAGES:
            return Recognition(message, namespace, local)
        return Recognition(None, namespace, local, (
            f"Dit is een {message}-bericht (namespace {namespace}); dat is een retourbericht "
            f"of een bericht dat de portal niet verwerkt. {_EXPECTED}"))
    return Recognition(None, namespace, local, _describe(namespace, local))


def _describe(namespace: str | None, local: str) -> str:
    found = f"hoofdelement '{local}' in namespace {namespace}" if namespace else \
        f"hoofdelement '{local}' zonder namespace"
    if local.startswith("envelopHeenbericht") or local.startswith("envelop") or \
            (namespace or "").startswith("http://www.stufstandaarden.nl"):
        return (f"Dit is een StUF/GGk-envelop ({found}), geen los iWmo-bericht. Stuur het iWmo 3.2-"
                f"bericht zelf, zonder envelop. {_EXPECTED}")
    if _IWMO_32.fullmatch(namespace or ""):
        return f"Het {found} is niet 'Bericht'. {_EXPECTED}"
    match = _IJW.match(namespace or "")
    if match:
        version = f"{match.group(1)}.{match.group(2)}"
        return (f"Dit is een iJw-bericht (jeugdwet), de portal verwerkt iWmo 3.2. Gevonden: "
                f"JW{match.group(3)} (iJw {version}), {found}. {_EXPECTED}")
    match = _IWMO_OTHER.match(namespace or "")
    if match and namespace != BASIS_NAMESPACE:
        version = f"{match.group(1)}.{match.group(2)}"
        kind = "iWmo 2.x" if match.group(1) == "2" else f"iWmo {version}"
        return (f"Dit is een {kind}-bericht ({found}); de portal verwerkt alleen iWmo 3.2, "
                f"dat sinds april 2023 geldt. {_EXPECTED}")
    if namespace == BASIS_NAMESPACE:
        return f"Dit is geen bericht: het {found} is die van het basisschema. {_EXPECTED}"
    if namespace is None:
        return (f"Dit is geen iWmo-bericht: {found}. Een iWmo 3.2-bericht begint met "
                "<wmoNNN:Bericht xmlns:wmoNNN=\"http://www.istandaarden.nl/iwmo/3_2/wmoNNN/"
                "schema\">. " + _EXPECTED)
    return f"Dit is geen iWmo-bericht: {found}. {_EXPECTED}"
