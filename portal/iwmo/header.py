"""The identity of a message from its first elements: sender, receiver, identification.

The portal needs these before and after validation: the receiving gemeente decides which region's
checks apply, the sender and identification make a duplicate. Only the Header (and, in a
declaration, the DeclaratieNummer right after it) is read; the parse stops there. A file the safe
head check refuses, or that breaks before the Header ends, has no header (None).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from lxml import etree

from portal.iwmo.safe_xml import HEAD_BYTES, PARSER_OPTIONS, Refused, inspect_head
from portal.iwmo.values import as_date


@dataclass(frozen=True)
class MessageHeader:
    sender: str | None  # Afzender: an AGB code or a CBS gemeente code
    receiver: str | None  # Ontvanger
    identificatie: str | None
    dagtekening: date | None
    declaratie_nummer: str | None = None  # WMO323 only


def read_header(data: bytes) -> MessageHeader | None:
    try:
        inspect_head(data[:HEAD_BYTES], len(data))
        header = None
        for _event, element in etree.iterparse(io.BytesIO(data), events=("end",),
                                               tag=("{*}Header", "{*}DeclaratieNummer"),
                                               **PARSER_OPTIONS):
            if etree.QName(element).localname == "Header":
                header = _header(element)
                if not etree.QName(element).namespace.endswith("/wmo323/schema"):
                    return header
            elif header is not None:
                return MessageHeader(header.sender, header.receiver, header.identificatie,
                                     header.dagtekening, (element.text or "").strip() or None)
        return header
    except (Refused, etree.XMLSyntaxError):
        return None


def _header(element) -> MessageHeader:
    values = _leaves(element)
    identification = next((child for child in element
                           if etree.QName(child).localname == "BerichtIdentificatie"), None)
    ident = _leaves(identification) if identification is not None else {}
    return MessageHeader(sender=values.get("Afzender") or None,
                         receiver=values.get("Ontvanger") or None,
                         identificatie=ident.get("Identificatie") or None,
                         dagtekening=as_date(ident.get("Dagtekening")))


def _leaves(element) -> dict[str, str]:
    """The element's leaf children by local name (the first of each name)."""
    values: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str) and len(child) == 0:
            values.setdefault(etree.QName(child).localname, (child.text or "").strip())
    return values
