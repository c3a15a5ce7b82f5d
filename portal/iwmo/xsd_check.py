"""Schema validation in two speeds: a fast streaming check, and a second pass that finds the lines.

:func:`schema_errors` validates while libxml2 parses, building no tree (a parser target with no
callbacks): as fast as ``xmllint --stream``, flat in memory, and it releases the GIL, so it runs
beside the rule pass. In this mode libxml2 reports no line numbers. When it finds errors,
:func:`locate` reads the file again, validating through iterparse and feeding the parser one line at
a time; every error that appears after a line was fed belongs to that line, and to the element that
started or ended on it. It stops after :data:`MAX_LOCATED` errors.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import BinaryIO

from lxml import etree

from portal.iwmo.findings import Finding
from portal.iwmo.records import local_name
from portal.iwmo.safe_xml import PARSER_OPTIONS
from portal.iwmo.xsd_messages import element_of, translate_xsd

MAX_LOCATED = 1000
_LINE_CHUNK = 64 * 1024  # a line longer than this (a file without line ends) is fed in pieces

Opener = Callable[[], AbstractContextManager[BinaryIO]]


class _NoTree:
    """A parser target without callbacks: libxml2 parses and validates, lxml builds nothing."""

    def close(self) -> None:
        return None


def schema_errors(open_source: Opener, schema: etree.XMLSchema,
                  path: str | None = None) -> list[str]:
    """The messages (English, libxml2's) of every schema error in the file, in file order.

    Well-formedness is not judged here: once a schema error was reported libxml2 may stop
    reporting parse errors, so the rule pass, which parses without a schema, judges that. Given
    the file's path, libxml2 reads it itself (faster than through a Python file object).
    """
    parser = etree.XMLParser(schema=schema, target=_NoTree(), **PARSER_OPTIONS)
    try:
        if path is not None:
            etree.parse(path, parser)
        else:
            with open_source() as source:
                etree.parse(source, parser)
    except etree.XMLSyntaxError:
        pass
    return [entry.message for entry in parser.error_log
            if entry.domain_name == "SCHEMASV" and entry.level_name in ("ERROR", "FATAL")]


class _LineFeeder:
    """A file object for iterparse that hands out one line per read, and reports each line fed."""

    def __init__(self, raw: BinaryIO, fed: Callable[[int], None]):
        self._raw = raw
        self._fed = fed
        self._next_line = 1
        self.last_line: int | None = None

    def read(self, size: int = -1) -> bytes:
        if self.last_line is not None:
            self._fed(self.last_line)
        data = self._raw.readline(_LINE_CHUNK)
        self.last_line = self._next_line
        if data.endswith(b"\n"):
            self._next_line += 1
        return data


def locate(open_source: Opener, schema: etree.XMLSchema, expected: list[str],
           repeated: frozenset[str] = frozenset()) -> list[Finding]:
    """Schema findings with line and element path; ``expected`` are schema_errors' messages."""
    located: list[Finding] = []
    recent: list[tuple[str, str, str, int]] = []  # (event, tag, path, line) since the last feed
    state = {"seen": 0}
    context = None

    def fed(line: int) -> None:
        log = context.error_log
        if len(log) > state["seen"]:
            for entry in list(log)[state["seen"]:]:
                if entry.domain_name == "SCHEMASV" and len(located) < MAX_LOCATED:
                    located.append(_finding(entry.message, line, recent))
            state["seen"] = len(log)
        recent.clear()

    with open_source() as raw:
        feeder = _LineFeeder(raw, fed)
        context = etree.iterparse(feeder, events=("start", "end"), schema=schema, recover=True,
                                  **PARSER_OPTIONS)
        stack: list[tuple[str, dict[str, int], int]] = [("", {}, 0)]
        try:
            for event, element in context:
                tag = element.tag
                if not isinstance(tag, str):
                    continue
                if event == "start":
                    parent_path, counts, _line = stack[-1]
                    name = local_name(tag)
                    number = counts[name] = counts.get(name, 0) + 1
                    shown = f"{name}[{number}]" if name in repeated or number > 1 else name
                    path = f"{parent_path}/{shown}"
                    stack.append((path, {}, element.sourceline))
                    recent.append(("start", tag, path, element.sourceline))
                else:
                    path, _counts, line = stack.pop() if len(stack) > 1 else ("", {}, 0)
                    recent.append(("end", tag, path, line))
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
                if len(located) >= MAX_LOCATED:
                    break
        except etree.XMLSyntaxError:
            pass
        if feeder.last_line is not None and len(located) < MAX_LOCATED:
            fed(feeder.last_line)
    return _complete(located, expected)


def _finding(message: str, line: int, recent: list[tuple[str, str, str, int]]) -> Finding:
    """The error reported after this line was fed, placed at the element it names: that element's
    path and (as whole-tree validation does) the line where the element starts."""
    tag = element_of(message)
    wanted = "start" if "not expected" in message or "attribute" in message else "end"
    matches = [(event, path, start) for event, recent_tag, path, start in recent
               if recent_tag == tag]
    chosen = next((m for m in matches if m[0] == wanted), matches[0] if matches else None)
    if chosen is None:
        return Finding("XSD", None, line, translate_xsd(message))
    return Finding("XSD", None, chosen[2] or line, translate_xsd(message), chosen[1])


def _complete(located: list[Finding], expected: list[str]) -> list[Finding]:
    """Add what the located pass missed (without a line) and a note beyond MAX_LOCATED."""
    findings = list(located)
    if len(findings) < min(len(expected), MAX_LOCATED):
        for message in expected[len(findings):MAX_LOCATED]:
            findings.append(Finding("XSD", None, None, translate_xsd(message)))
    if len(expected) > MAX_LOCATED:
        findings.append(Finding("XSD", None, None,
                                f"En nog {len(expected) - MAX_LOCATED} schemafouten; alleen de "
                                f"eerste {MAX_LOCATED} zijn opgezocht en getoond."))
    return findings
