"""Safe reading of XML from outside: the byte checks before parsing, and the parser options used.

Every parser in portal.iwmo is made with :data:`PARSER_OPTIONS`: no entity resolution, no DTD
loading, no network, no huge-tree mode (libxml2 then keeps its limits: 256 levels of nesting,
10 MB per text node). Before any parser sees a file, :func:`inspect_head` reads its first bytes and
refuses what the standard does not allow or what is hostile (../shared/docs/iwmo.md §5): an empty
file, binary data, a BOM or another encoding than UTF-8, and any DOCTYPE (so no entity expansion
and no external entities can ever be declared). A refusal is a Dutch message; it never quotes more
of the file than the name of what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}

HEAD_BYTES = 64 * 1024  # the root element's start tag must begin within this many bytes

_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_WHITESPACE = b" \t\r\n"
_MAGIC = (
    (b"PK\x03\x04", "een ZIP-archief; pak het uit en controleer de XML-bestanden apart"),
    (b"PK\x05\x06", "een (leeg) ZIP-archief"),
    (b"\x1f\x8b", "een met gzip ingepakt bestand"),
    (b"%PDF", "een PDF-document"),
    (b"\xd0\xcf\x11\xe0", "een Office-document"),
    (b"\x89PNG", "een afbeelding (PNG)"),
    (b"\xff\xd8\xff", "een afbeelding (JPEG)"),
)


class Refused(Exception):
    """The file is not parsed: the message (Dutch) says why; line when it is known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Head:
    """What the first bytes told: where the root element's start tag is, and warnings."""

    root_start: int  # offset of the root element's '<'
    root_end: int  # offset just after the '>' of its start tag
    warnings: list[str] = field(default_factory=list)


def check_size(size: int, max_bytes: int | None) -> None:
    if size == 0:
        raise Refused("Het bestand is leeg (0 bytes); er is geen bericht om te controleren.")
    if max_bytes is not None and size > max_bytes:
        raise Refused(f"Het bestand is {_megabytes(size)} groot; de grens is "
                      f"{_megabytes(max_bytes)}. Splits de declaratie of verhoog de grens.")


def inspect_head(head: bytes, size: int) -> Head:
    """Check the first bytes of a file of ``size`` bytes; raise Refused when it is not parsed."""
    if not head:
        raise Refused("Het bestand is leeg (0 bytes); er is geen bericht om te controleren.")
    if head.startswith(b"\xef\xbb\xbf"):
        raise Refused("Het bestand begint met een BOM (byte order mark, EF BB BF). iWmo vraagt "
                      "UTF-8 zonder BOM: sla het bestand op als 'UTF-8 zonder BOM'.", line=1)
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or \
            head.startswith((b"<\x00", b"\x00<")):
        raise Refused("Het bestand is in UTF-16 of UTF-32 opgeslagen; iWmo vraagt UTF-8 zonder "
                      "BOM.", line=1)
    start = _skip_whitespace(head, 0)
    if start == len(head):
        raise Refused("Het bestand bevat alleen witruimte; er is geen bericht om te controleren.")
    if head[start:start + 1] != b"<":
        raise Refused(f"Dit is geen XML-bestand: het is {_what_is_it(head[start:])}.", line=1)
    if b"\x00" in head:
        raise Refused("Het bestand bevat binaire gegevens (NUL-tekens); een iWmo-bericht is "
                      "tekst (XML in UTF-8).", line=head.count(b"\n", 0, head.index(b"\x00")) + 1)
    _check_encoding(head)
    root_start = _skip_prolog(head, start, size)
    root_end = _end_of_start_tag(head, root_start, size)
    return Head(root_start, root_end, _line_end_warnings(head))


def _skip_whitespace(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in _WHITESPACE:
        pos += 1
    return pos


def _what_is_it(data: bytes) -> str:
    for magic, description in _MAGIC:
        if data.startswith(magic):
            return description
    sample = data[:512]
    binary = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if b"\x00" in sample or binary > len(sample) // 20:
        return "binair (geen tekst)"
    return "tekst die niet met '<' begint"


def _check_encoding(head: bytes) -> None:
    match = _ENCODING.match(head)
    if match and match.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise Refused(f"De XML-declaratie noemt encoding '{match.group(1).decode('ascii')}'; "
                      "iWmo vraagt UTF-8 (zonder BOM).", line=1)


def _skip_prolog(head: bytes, pos: int, size: int) -> int:
    """Skip the XML declaration, comments, processing instructions and whitespace before the root.

    Returns the offset of the root element's '<'. A DOCTYPE (or any other <! declaration) is
    refused here, before a parser could read an internal subset or fetch an external one.
    """
    while True:
        pos = _skip_whitespace(head, pos)
        if pos >= len(head):
            _incomplete(head, size)
        if head.startswith(b"<?", pos):
            end = head.find(b"?>", pos + 2)
            if end < 0:
                _incomplete(head, size)
            pos = end + 2
        elif head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos + 4)
            if end < 0:
                _incomplete(head, size)
            pos = end + 3
        elif head.startswith(b"<!", pos):
            line = head.count(b"\n", 0, pos) + 1
            if head[pos:pos + 9].upper() == b"<!DOCTYPE":
                raise Refused("Het bestand bevat een DOCTYPE-declaratie. Die is in iWmo-berichten "
                              "niet toegestaan en wordt om veiligheidsredenen geweigerd (geen DTD, "
                              "geen entiteiten, geen verwijzingen naar andere bestanden).",
                              line=line)
            raise Refused("Het bestand bevat vóór het eerste element een declaratie ('<!') die in "
                          "een iWmo-bericht niet thuishoort.", line=line)
        elif head.startswith(b"<", pos):
            return pos
        else:
            raise Refused("Het bestand bevat tekst vóór het eerste element; een iWmo-bericht "
                          "begint met de XML-declaratie en het element Bericht.",
                          line=head.count(b"\n", 0, pos) + 1)


def _end_of_start_tag(head: bytes, pos: int, size: int) -> int:
    quote = None
    for index in range(pos + 1, len(head)):
        byte = head[index]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in (0x22, 0x27):  # " and '
            quote = byte
        elif byte == 0x3E:  # >
            return index + 1
    _incomplete(head, size)
    raise AssertionError("unreachable")


def _incomplete(head: bytes, size: int) -> None:
    if len(head) < size:
        raise Refused(f"In de eerste {HEAD_BYTES // 1024} kB van het bestand begint geen "
                      "bericht; een iWmo-bericht begint met de XML-declaratie en het element "
                      "Bericht.")
    raise Refused("Het bestand houdt op voordat het eerste element compleet is; er is geen "
                  "bericht om te controleren.", line=head.count(b"\n") + 1)


def _line_end_warnings(head: bytes) -> list[str]:
    """OP192 asks for CR/LF line ends; lxml reads LF as well, and so do we, with a warning."""
    lf = head.count(b"\n")
    crlf = head.count(b"\r\n")
    if lf == 0 or crlf == lf:
        return []
    if crlf == 0:
        return ["De regeleinden zijn LF; de standaard (OP192) vraagt CR/LF. De portal leest het "
                "bestand wel, maar de ontvanger mag het weigeren."]
    return ["Het bestand mengt CR/LF- en LF-regeleinden; de standaard (OP192) vraagt overal "
            "CR/LF."]


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")
