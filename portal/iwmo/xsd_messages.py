"""Dutch versions of libxml2's messages: schema validity errors and the common XML parse errors.

libxml2 reports in English, with the element in Clark notation (``{namespace}Eenheid``). The common
cases are translated, keeping the element's name and the value; anything unknown keeps the original
English text behind a Dutch lead-in, so no information is lost.
"""

from __future__ import annotations

import re

_CLARK = re.compile(r"\{[^}]*\}")
_ELEMENT = re.compile(r"^Element '([^']*)'(?:, attribute '([^']*)')?: (.*)$", re.S)

_TYPE_NAMES = {
    "xs:integer": "een geheel getal", "xs:date": "een datum (JJJJ-MM-DD)",
    "xs:time": "een tijd (uu:mm:ss)", "xs:string": "tekst", "xs:decimal": "een getal",
    "LDT_Datum": "een datum (JJJJ-MM-DD)", "LDT_Tijd": "een tijd (uu:mm:ss)",
}
_PATTERN_HINTS = {
    "[0-9]{9}": "9 cijfers", "[0-9]{8}": "8 cijfers", "[0-9]{4}": "4 cijfers",
    ".*[^\\s].*": "niet leeg en niet alleen spaties", "[0-9]*": "alleen cijfers",
    "([a-zA-Z0-9])+": "alleen letters en cijfers", "[^:Z]*": "een datum zonder tijdzone",
    "[^Z+-]+": "een tijd zonder tijdzone",
    "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)": "een versie als 1.0.0",
}


def local_name(clark: str) -> str:
    return _CLARK.sub("", clark)


def element_of(message: str) -> str | None:
    """The element (Clark notation) a libxml2 schema message is about, if it names one."""
    match = _ELEMENT.match(message)
    return match.group(1) if match else None


def translate_xsd(message: str) -> str:
    """A libxml2 schema validity message in Dutch, naming the element and the value."""
    match = _ELEMENT.match(message.strip())
    if not match:
        return f"Schemafout: {_CLARK.sub('', message.strip())}"
    element, attribute, rest = local_name(match.group(1)), match.group(2), match.group(3).strip()
    if attribute is not None:
        if "is not allowed" in rest:
            return f"Element {element}: attribuut '{attribute}' is niet toegestaan."
        return f"Element {element}, attribuut '{attribute}': {_CLARK.sub('', rest)}"
    for pattern, render in _XSD_CASES:
        found = pattern.search(rest)
        if found:
            return f"Element {element}: " + render(found)
    return f"Element {element}: schemafout ({_CLARK.sub('', rest)})"


def _expected(text: str | None) -> str:
    names = [local_name(name.strip()) for name in (text or "").split(",") if name.strip()]
    if not names:
        return ""
    if len(names) == 1:
        return f"; verwacht wordt {names[0]}"
    return "; verwacht wordt een van: " + ", ".join(names)


def _values(text: str) -> str:
    return ", ".join(value.strip().strip("'") for value in text.split(","))


def _pattern(found: re.Match) -> str:
    hint = _PATTERN_HINTS.get(found.group(2))
    what = f" ({hint})" if hint else ""
    return (f"waarde '{found.group(1)}' voldoet niet aan het patroon '{found.group(2)}'{what}.")


def _type(found: re.Match) -> str:
    type_name = local_name(found.group(2)) if found.group(2) else ""
    what = _TYPE_NAMES.get(type_name)
    if what is None:
        what = "een geldige waarde" + (f" van type {type_name}" if type_name else "")
    return f"waarde '{found.group(1)}' is geen {what}."


_XSD_CASES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern "
                r"'(.*)'\.", re.S),
     _pattern),
    (re.compile(r"\[facet 'enumeration'\] The value '(.*)' is not an element of the set \{(.*)\}\.",
                re.S),
     lambda m: f"waarde '{m.group(1)}' is geen toegestane code; toegestaan: "
               f"{_values(m.group(2))}."),
    (re.compile(r"\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds the "
                r"allowed maximum length of '(\d+)'\."),
     lambda m: f"de waarde is {m.group(1)} tekens lang; maximaal {m.group(2)} toegestaan."),
    (re.compile(r"\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns the "
                r"allowed minimum length of '(\d+)'\."),
     lambda m: f"de waarde is {m.group(1)} tekens lang; minimaal {m.group(2)} vereist "
               "(een leeg element is niet toegestaan)."),
    (re.compile(r"\[facet 'length'\] The value has a length of '(\d+)'; this differs from the "
                r"allowed length of '(\d+)'\."),
     lambda m: f"de waarde is {m.group(1)} tekens lang; precies {m.group(2)} vereist."),
    (re.compile(r"\[facet 'maxInclusive'\] The value '(.*)' is greater than the maximum value "
                r"allowed \('(.*)'\)\."),
     lambda m: f"waarde {m.group(1)} is groter dan het maximum {m.group(2)}."),
    (re.compile(r"\[facet 'minInclusive'\] The value '(.*)' is less than the minimum value "
                r"allowed \('(.*)'\)\."),
     lambda m: f"waarde {m.group(1)} is kleiner dan het minimum {m.group(2)}."),
    (re.compile(r"\[facet '(totalDigits|fractionDigits)'\] The value '(.*?)' has (?:more|less) "
                r"digits than are allowed \('(.*)'\)\."),
     lambda m: f"waarde {m.group(2)} heeft te veel cijfers (maximaal {m.group(3)})."),
    (re.compile(r"'(.*)' is not a valid value of the (?:local )?(?:atomic|union|list) type"
                r"(?: '([^']*)')?\.", re.S),
     _type),
    (re.compile(r"This element is not expected\.(?: Expected is (?:one of )?\( (.*) \)\.)?", re.S),
     lambda m: "dit element hoort hier niet" + _expected(m.group(1)) + "."),
    (re.compile(r"Missing child element\(s\)\.(?: Expected is (?:one of )?\( (.*) \)\.)?", re.S),
     lambda m: "een verplicht onderdeel ontbreekt" + _expected(m.group(1)) + "."),
    (re.compile(r"No matching global declaration available for the validation root\."),
     lambda m: "dit hoofdelement is niet gedeclareerd in het schema (verkeerde namespace of "
               "verkeerd bericht)."),
    (re.compile(r"Character content other than whitespace is not allowed because the content "
                r"type is 'element-only'\."),
     lambda m: "dit element mag geen tekst bevatten, alleen onderliggende elementen."),
    (re.compile(r"Element content is not allowed, because the content type is a simple type "
                r"definition\."),
     lambda m: "dit element mag geen onderliggende elementen bevatten, alleen een waarde."),
    (re.compile(r"Element content is not allowed, because the type definition is simple\."),
     lambda m: "dit element mag geen onderliggende elementen bevatten, alleen een waarde."),
    (re.compile(r"The value '(.*)' does not match the fixed value constraint '(.*)'\."),
     lambda m: f"waarde '{m.group(1)}' moet '{m.group(2)}' zijn."),
    (re.compile(r"The attribute '([^']*)' is not allowed\."),
     lambda m: f"attribuut '{m.group(1)}' is niet toegestaan."),
    (re.compile(r"The QName value '(.*)' of the xsi:type attribute does not resolve to a type "
                r"definition\."),
     lambda m: f"xsi:type '{m.group(1)}' verwijst naar een type dat niet bestaat."),
]


_XML_CASES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"Opening and ending tag mismatch: ([^\s,]+) line (\d+) and ([^\s,]+)"),
     lambda m: f"de eindtag </{m.group(3)}> past niet bij de begintag <{m.group(1)}> "
               f"(regel {m.group(2)})."),
    (re.compile(r"Excessive depth in document: (\d+)"),
     lambda m: f"de elementen zijn te diep genest (meer dan {m.group(1)} niveaus); dat doet geen "
               "iWmo-bericht."),
    (re.compile(r"Text node too long|huge text node|Resource limit exceeded"),
     lambda m: "het bestand bevat een te grote tekst in één element (meer dan 10 MB); dat doet "
               "geen iWmo-bericht."),
    (re.compile(r"Input is not proper UTF-8|Invalid bytes in character encoding|"
                r"Char 0x[0-9A-Fa-f]+ out of allowed range|invalid character in attribute|"
                r"PCDATA invalid Char value"),
     lambda m: "het bestand bevat tekens die geen geldige UTF-8 of geen toegestane XML-tekens "
               "zijn."),
    (re.compile(r"Entity '([^']*)' not defined"),
     lambda m: f"de entiteit &{m.group(1)}; bestaat niet; gebruik &amp; voor een '&'."),
    (re.compile(r"xmlParseEntityRef: no name|EntityRef: expecting ';'"),
     lambda m: "een '&' in de tekst moet als &amp; geschreven worden."),
    (re.compile(r"Namespace prefix (\S+) (?:on (\S+) )?is not defined"),
     lambda m: f"het namespace-voorvoegsel '{m.group(1)}' is niet gedeclareerd."),
    (re.compile(r"Document is empty|Start tag expected, '<' not found"),
     lambda m: "er staat geen XML-element in het bestand."),
    (re.compile(r"DOCTYPE|internal subset|Entity|ENTITY"),
     lambda m: "DTD's en entiteiten zijn niet toegestaan in een iWmo-bericht."),
    (re.compile(r"Attribute (\S+) redefined"),
     lambda m: f"het attribuut {m.group(1)} staat twee keer in hetzelfde element."),
    (re.compile(r"XML declaration allowed only at the start of the document"),
     lambda m: "de XML-declaratie (<?xml ...?>) moet helemaal aan het begin van het bestand "
               "staan."),
    (re.compile(r"Comment not terminated|Comment must not contain '--'"),
     lambda m: "een commentaar (<!-- ... -->) is niet goed afgesloten."),
]


def translate_xml(message: str | None) -> str:
    """A libxml2 well-formedness error in Dutch (the file is not valid XML)."""
    text = (message or "").strip()
    lead = "Het bestand is geen geldige XML: "
    if re.search(r"Extra content at the end of the document", text):
        return lead + "na het einde van het bericht (het element Bericht) staat nog inhoud."
    if re.search(r"Premature end of data|EndTag: '</' not found|no element found", text):
        return lead + "het bestand houdt op voordat alle elementen zijn afgesloten."
    if re.search(r"Couldn't find end of Start Tag|expected '>'|attributes construct error", text):
        return lead + "een begintag is niet goed afgesloten met '>'."
    for pattern, render in _XML_CASES:
        found = pattern.search(text)
        if found:
            return lead + render(found)
    cleaned = re.sub(r",? line \d+, column \d+.*$", "", text)
    return lead + (cleaned or "onbekende fout") + "."
