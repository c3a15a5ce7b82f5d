"""The WMO325 answer to a WMO323 declaration, made from the declaration and its findings.

What the answer says follows ../shared/docs/iwmo.md §5:

- an XSD-invalid declaration gets no answer at all (the caller does not ask for one);
Retourcodes (WJ001): 0001 = rejected for technical reasons, NO_REMARK = no remark (the code
shared with a CBS gemeente code, so written by name here), 0233 = not assessed, 8001 = fully
granted.

- a failed 0001 rule: the Header only, with retourcode 0001: nothing was processed;
- a Header error (another code on the Header): the Header only, with that code;
- a declaration-level error (e.g. 9333): Header NO_REMARK, the DeclaratieAntwoord with that
  code, TotaalToegekendBedrag 0 ``D`` and no Clienten;
- otherwise per line: Header NO_REMARK; DeclaratieAntwoord 8001 when everything was granted
  (no Clienten), else NO_REMARK with the sum of the granted lines. Only clients with an error are
  echoed: a failing Client gets its codes and **all** its Prestaties 0233; a failing Prestatie
  is echoed unchanged with its codes and its Client gets NO_REMARK. Lines are never partly granted.

Identities (TR337, TR371, TR376): Afzender and Ontvanger are the declaration's swapped, the
DeclaratieIdentificatie is its BerichtIdentificatie, XsdVersieDeclaratie its XsdVersie, and the
DeclaratieNummer and TotaalIngediendBedrag are copied. Echoed Prestaties keep their values (TR366,
TR367). Amounts are signed for the totals: debet +, credit − (TR342: echoed = ingediend −
toegekend); a negative total is written as its absolute value with ``C``.

The declaration is read once more, streamed client by client, so a large file needs little memory.
When the caller already has every line's amount (the upload's validation collected them), the
totals come from those, and only the clients the answer echoes are looked at in the file.
Nothing here imports Flask or the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from lxml import etree

from portal.iwmo.findings import Finding
from portal.iwmo.recognise import BASIS_NAMESPACE, message_namespace
from portal.iwmo.safe_xml import PARSER_OPTIONS

BASIS = BASIS_NAMESPACE
WMO323 = message_namespace("WMO323")
WMO325 = message_namespace("WMO325")
NSMAP = {"wmo325": WMO325, "iwmo": BASIS}
XSD_VERSION = "1.0.0"  # the BerichtXsdVersie and BasisschemaXsdVersie of xsd/WMO325.xsd

TECHNICAL = "0001"  # rejected for technical reasons: nothing processed
NO_REMARK = "0200"  # retourcode: no remark
NOT_ASSESSED = "0233"
FULLY_GRANTED = "8001"
# A line error without a code of the standard (a region's own product-book rule, an internal
# failure) still refuses the line; the answer can only carry WJ001 codes, and none says "refused
# by the region's own rule", so such a line is answered "not assessed". The portal's result page
# gives the reason in words. Decision recorded here; region rules may name their own retourcode.
UNCODED = NOT_ASSESSED

_CLIENT = re.compile(r"/Client(?:\[(\d+)\])?(/|$)")
_PRESTATIE = re.compile(r"/Prestatie(?:\[(\d+)\])?(/|$)")


@dataclass
class Outcome:
    """Which retourcodes go where, derived from a declaration's error findings."""

    header: list[str] = field(default_factory=list)
    declaration: list[str] = field(default_factory=list)
    clients: dict[int, list[str]] = field(default_factory=dict)  # client number → codes
    lines: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # (client, line)

    def refused_line(self, client: int, line: int) -> bool:
        return (client, line) in self.lines or client in self.clients


def outcome_of(findings: Iterable[Finding]) -> Outcome:
    """Sort the errors of a declaration by the class they reject; warnings do not count."""
    outcome = Outcome()
    for finding in findings:
        if not finding.is_error:
            continue
        code = finding.retourcode or UNCODED
        path = finding.path or ""
        if code == TECHNICAL:
            _add(outcome.header, TECHNICAL)
            continue
        client, line = client_and_line(path)
        if client and line:
            _add(outcome.lines.setdefault((client, line), []), code)
        elif client:
            _add(outcome.clients.setdefault(client, []), code)
        elif path.startswith("/Bericht/Header"):
            _add(outcome.header, code)
        else:  # the Declaratie, or the file as a whole
            _add(outcome.declaration, code)
    return outcome


def client_and_line(path: str | None) -> tuple[int | None, int | None]:
    """The Client number and Prestatie number (both from 1) an element path is inside of."""
    client = _CLIENT.search(path or "")
    if client is None:
        return None, None
    line = _PRESTATIE.search(path, client.end(1) if client.group(1) else client.start())
    return int(client.group(1) or 1), (int(line.group(1) or 1) if line else None)


def _add(codes: list[str], code: str) -> None:
    if code not in codes:
        codes.append(code)


@dataclass(frozen=True)
class AnswerSummary:
    """What the answer granted, for the portal's own screens."""

    processed: bool  # False: the Header refused the declaration whole
    submitted_cents: int  # signed: debet +, credit −
    granted_cents: int
    lines: int
    refused_lines: int


def build_wmo325(open_source: Callable[[], BinaryIO], outcome: Outcome, *, identificatie: str,
                 today: date, lines: Iterable[tuple[int, int, int]] | None = None
                 ) -> tuple[bytes, AnswerSummary]:
    """The WMO325 answering the declaration read from ``open_source`` (an XSD-valid WMO323).

    ``identificatie`` is the answer's own BerichtIdentificatie (unique per gemeente); ``today``
    its Dagtekening. ``lines``, when given, are (Client number, Prestatie number, signed
    IngediendBedrag in cents) of every Prestatie of the file, in file order: the totals are then
    made from them, and the file's Prestaties are read only for the clients the answer echoes
    (at a hundred thousand lines, reading every amount again took seconds). The declaration is
    streamed; the answer is built in memory, which stays small because only clients with an
    error are echoed.
    """
    with open_source() as source:
        reader = _Declaration(source)
        root = _element(WMO325, "Bericht")
        root.append(_answer_header(reader.header(), identificatie, today,
                                   outcome.header or [NO_REMARK]))
        if outcome.header:
            summary = AnswerSummary(False, 0, 0, 0, 0)
        else:
            answer, summary = _declaration_answer(reader, outcome, lines)
            root.append(answer)
    etree.indent(root, space="  ")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    # OP192: CR/LF line ends. No value in a 325 can hold a line end of its own.
    return data.replace(b"\n", b"\r\n"), summary


def _declaration_answer(reader: _Declaration, outcome: Outcome,
                        known: Iterable[tuple[int, int, int]] | None):
    head = reader.declaration_head()
    answer = _element(WMO325, "DeclaratieAntwoord")
    answer.append(_leaf(WMO325, "DeclaratieNummer", head["nummer"]))
    answer.append(_amount("TotaalIngediendBedrag", head["total_cents"]))
    if outcome.declaration:
        # Refused whole: nothing granted, no Clienten (iwmo.md §5).
        lines = sum(1 for _ in known) if known is not None \
            else sum(len(client.prestaties) for client in reader.clients())
        answer.append(_amount("TotaalToegekendBedrag", 0))
        answer.append(_codes(outcome.declaration))
        return answer, AnswerSummary(True, head["total_cents"], 0, lines, lines)

    granted = submitted = lines = refused = 0
    clienten = _element(WMO325, "Clienten")
    if known is not None:
        echoed = set(outcome.clients)  # clients with a refused line join below
        for client_number, number, cents in known:
            lines += 1
            submitted += cents
            if outcome.refused_line(client_number, number):
                refused += 1
                echoed.add(client_number)
            else:
                granted += cents
        for client in reader.clients(wanted=echoed):
            clienten.append(_echo_client(client, outcome))
        clients = ()
    else:
        clients = reader.clients()
    for client in clients:
        client_refused = client.number in outcome.clients
        any_refused = False
        for number, _prestatie, cents in client.prestaties:
            lines += 1
            submitted += cents
            if outcome.refused_line(client.number, number):
                refused += 1
                any_refused = True
            else:
                granted += cents
        if client_refused or any_refused:
            clienten.append(_echo_client(client, outcome))
    answer.append(_amount("TotaalToegekendBedrag", granted))
    if len(clienten):
        answer.append(clienten)
        answer.append(_codes([NO_REMARK]))
    else:
        answer.append(_codes([FULLY_GRANTED]))
    return answer, AnswerSummary(True, submitted, granted, lines, refused)


def _echo_client(client: _Client, outcome: Outcome):
    element = _element(WMO325, "Client")
    element.append(_leaf(WMO325, "Bsn", client.bsn))
    prestaties = etree.SubElement(element, _t(WMO325, "Prestaties"))
    client_codes = outcome.clients.get(client.number)
    for number, prestatie, _cents in client.prestaties:
        if client_codes:
            codes = [NOT_ASSESSED]
        else:
            codes = outcome.lines.get((client.number, number))
            if not codes:
                continue
        echoed = _copy_into(prestatie, WMO325)
        echoed.append(_codes(codes))
        prestaties.append(echoed)
    element.append(_codes(client_codes or [NO_REMARK]))
    return element


@dataclass
class _Client:
    number: int
    bsn: str
    prestaties: list = field(default_factory=list)  # (number, element, signed cents)


class _Declaration:
    """The parts of a WMO323 the answer needs, read in file order with one streaming parse."""

    def __init__(self, source: BinaryIO):
        tags = [_t(WMO323, name) for name in ("Header", "DeclaratieNummer",
                                              "TotaalIngediendBedrag", "Client")]
        self._events = etree.iterparse(source, events=("end",), tag=tags, **PARSER_OPTIONS)
        self._pending = None

    def _next(self):
        if self._pending is not None:
            element, self._pending = self._pending, None
            return element
        for _event, element in self._events:
            return element
        return None

    def header(self) -> dict:
        element = self._next()
        return {
            "afzender": _text(element, WMO323, "Afzender"),
            "ontvanger": _text(element, WMO323, "Ontvanger"),
            "identificatie": _copy_into(element.find(_t(WMO323, "BerichtIdentificatie")), WMO325,
                                        "DeclaratieIdentificatie"),
            "xsd": _copy_into(element.find(_t(WMO323, "XsdVersie")), WMO325,
                              "XsdVersieDeclaratie"),
        }

    def declaration_head(self) -> dict:
        nummer = self._next().text
        total = self._next()
        cents = int(total.findtext(_t(BASIS, "TotaalBedrag")))
        if total.findtext(_t(BASIS, "DebetCredit")) == "C":
            cents = -cents
        return {"nummer": nummer, "total_cents": cents}

    def clients(self, wanted: set[int] | None = None):
        """The Clients in file order, or only the ``wanted`` numbers (read until the last)."""
        number = 0
        last = max(wanted, default=0) if wanted is not None else None
        while (last is None or number < last) and (element := self._next()) is not None:
            number += 1
            if wanted is None or number in wanted:
                yield self._client(number, element)
            # Free what was read: the client and everything before it in the tree.
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]

    @staticmethod
    def _client(number: int, element) -> _Client:
        client = _Client(number, element.findtext(_t(WMO323, "Bsn")))
        for index, prestatie in enumerate(element.iter(_t(WMO323, "Prestatie")), start=1):
            bedrag = prestatie.find(_t(WMO323, "IngediendBedrag"))
            cents = int(bedrag.findtext(_t(BASIS, "Bedrag")))
            if bedrag.findtext(_t(BASIS, "DebetCredit")) == "C":
                cents = -cents
            client.prestaties.append((index, prestatie, cents))
        return client


def _answer_header(header: dict, identificatie: str, today: date, codes: list[str]):
    element = _element(WMO325, "Header")
    for name, value in (("BerichtCode", "485"), ("BerichtVersie", "3"),
                        ("BerichtSubversie", "2"), ("Afzender", header["ontvanger"]),
                        ("Ontvanger", header["afzender"])):
        element.append(_leaf(WMO325, name, value))
    ident = etree.SubElement(element, _t(WMO325, "BerichtIdentificatie"))
    ident.append(_leaf(BASIS, "Identificatie", identificatie))
    ident.append(_leaf(BASIS, "Dagtekening", today.isoformat()))
    xsd = etree.SubElement(element, _t(WMO325, "XsdVersie"))
    xsd.append(_leaf(BASIS, "BasisschemaXsdVersie", XSD_VERSION))
    xsd.append(_leaf(BASIS, "BerichtXsdVersie", XSD_VERSION))
    element.append(header["identificatie"])
    element.append(header["xsd"])
    element.append(_codes(codes))
    return element


def _amount(name: str, signed_cents: int):
    """A CDT_TotaalBedragMetDC: the absolute amount and D, or C when negative."""
    element = _element(WMO325, name)
    element.append(_leaf(BASIS, "TotaalBedrag", str(abs(signed_cents))))
    element.append(_leaf(BASIS, "DebetCredit", "C" if signed_cents < 0 else "D"))
    return element


def _codes(codes: list[str]):
    element = _element(WMO325, "RetourCodes")
    for code in codes:
        element.append(_leaf(WMO325, "RetourCode", code))
    return element


def _copy_into(source, namespace: str, name: str | None = None):
    """A copy of ``source`` without layout whitespace, its message-namespace elements moved to
    ``namespace`` (basisschema elements keep theirs)."""
    qname = etree.QName(source)
    target = qname.namespace if qname.namespace == BASIS else namespace
    copy = _element(target, name or qname.localname)
    children = [child for child in source if isinstance(child.tag, str)]
    if not children:
        copy.text = source.text
    for child in children:
        copy.append(_copy_into(child, namespace))
    return copy


def _leaf(namespace: str, name: str, text: str):
    element = _element(namespace, name)
    element.text = text
    return element


def _text(element, namespace: str, name: str) -> str:
    return element.findtext(_t(namespace, name))


def _element(namespace: str, name: str):
    """A new element that knows the answer's prefixes, so it is written as wmo325:/iwmo:."""
    return etree.Element(_t(namespace, name), nsmap=NSMAP)


def _t(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def line_labels(open_source: Callable[[], BinaryIO], clients: set[int]) -> dict[int, dict]:
    """For the result page: per wanted client number its Bsn and, per Prestatie number, what
    identifies the line for a person (reference, product, period, amount)."""
    labels: dict[int, dict] = {}
    if not clients:
        return labels
    with open_source() as source:
        reader = _Declaration(source)
        reader.header()
        reader.declaration_head()
        for client in reader.clients():
            if client.number in clients:
                labels[client.number] = {"bsn": client.bsn, "prestaties": {
                    number: _label(prestatie, cents)
                    for number, prestatie, cents in client.prestaties}}
    return labels


def _label(prestatie, cents: int) -> dict:
    def text(*path: tuple[str, str]) -> str | None:
        return prestatie.findtext("/".join(_t(ns, name) for ns, name in path))

    return {
        "reference": text((WMO323, "ProductReferentie"), (BASIS, "ReferentieNummer")),
        "product": f"{text((WMO323, 'ProductCategorie'))}/{text((WMO323, 'ProductCode'))}",
        "begin": text((WMO323, "ProductPeriode"), (BASIS, "Begindatum")),
        "end": text((WMO323, "ProductPeriode"), (BASIS, "Einddatum")),
        "volume": text((WMO323, "GeleverdVolume")),
        "unit": text((WMO323, "Eenheid")),
        "cents": cents,
    }
