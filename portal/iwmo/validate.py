"""Validate one iWmo 3.2 file: safe bytes, which message, the XSD, and every rule, with lines.

The steps, each stopping the next when it fails:

1. the size limit, then the first bytes (:mod:`portal.iwmo.safe_xml`): empty, binary, BOM, a
   DOCTYPE, another encoding than UTF-8 are refused before any parser runs;
2. the root element and namespace (:mod:`portal.iwmo.recognise`): only an iWmo 3.2 message the
   portal knows is validated, anything else gets a message saying what it is;
3. two passes over the file at the same time: the schema check streams through libxml2 in a second
   thread (:func:`portal.iwmo.xsd_check.schema_errors`), while this thread streams the records
   through the rules (:mod:`portal.iwmo.records`, :mod:`portal.iwmo.rules`) and, with a region,
   the region's checks. From :data:`PIECES_FROM_BYTES` a third thread parses the file in pieces
   for the rule pass (:mod:`portal.iwmo.pieces`), so that this thread only checks. A file that is not well-formed XML gets that one error; a file that fails
   the schema gets its schema errors, located by line (the rule findings are then not reported,
   as the standard rejects such a file whole); otherwise the rule findings are the result.

Nothing here imports Flask or the database: the command line uses it as it is, and so can the web.
The web hands a ``collect`` function along (:func:`validate_bytes`): it sees every record of the
rule pass, so an upload's Prestaties are read once, not again by the check against the
toewijzingen (portal.declaraties.reading).
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from portal.iwmo.findings import Finding, sort_key
from portal.iwmo.pieces import Pieces
from portal.iwmo.recognise import MESSAGES, Recognition, recognise, root_tag
from portal.iwmo.records import LAYOUTS, Record, RecordStream
from portal.iwmo.rules import Context, Problem, Rule, rules_for
from portal.iwmo.safe_xml import HEAD_BYTES, Refused, check_size, inspect_head
from portal.iwmo.schemas import SchemaUnavailable, schema_for
from portal.iwmo.xsd_check import Opener, locate, schema_errors
from portal.iwmo.xsd_messages import translate_xml
from portal.plugins.severity import Severity

PARALLEL_FROM_BYTES = 256 * 1024  # smaller files are checked in one thread, one pass after another
# From this size the rule pass reads the file in pieces that a third thread parses
# (portal.iwmo.pieces): the parsing then no longer waits for the rules, nor they for it.
PIECES_FROM_BYTES = 4 * 1024 * 1024

# Sees each record of the rule pass after its rules, with the declaration-line mapping
# (portal.iwmo.region_checks) of a WMO323 Prestatie, None for any other record. Valid only while
# it is called: the record is cleared after it.
Collect = Callable[[Record, dict | None], None]


@dataclass
class FileReport:
    """The verdict on one file, as the command line and the web show it."""

    file: str  # the name as given
    message: str | None = None  # e.g. "WMO323"; None when the file is not a message we validate
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    unreadable: bool = False  # the file (or the portal's schema for it) could not be read

    @property
    def valid(self) -> bool:
        return not self.errors and not self.unreadable

    @property
    def message_name(self) -> str | None:
        return MESSAGES.get(self.message or "")

    def add(self, finding: Finding) -> None:
        (self.errors if finding.severity == Severity.ERROR else self.warnings).append(finding)

    def as_json(self) -> dict:
        return {"file": self.file, "message": self.message, "valid": self.valid,
                "errors": [f.as_json() for f in self.errors],
                "warnings": [f.as_json() for f in self.warnings]}


def validate_path(path: str | os.PathLike, *, region=None, max_bytes: int | None = None,
                  today: date | None = None) -> FileReport:
    """Validate a file on disk. ``region`` is a :class:`portal.iwmo.region_checks.RegionCheck`."""
    name = os.fspath(path)
    report = FileReport(name)
    try:
        if Path(name).exists() and not Path(name).is_file():
            raise IsADirectoryError(name)
        size = os.stat(name).st_size
        with open(name, "rb"):
            pass
    except OSError as error:
        report.unreadable = True
        if isinstance(error, FileNotFoundError):
            what = "bestaat niet"
        elif isinstance(error, IsADirectoryError):
            what = "is geen gewoon bestand (een map of apparaat)"
        else:
            what = f"kan niet worden gelezen ({error.strerror or type(error).__name__})"
        report.add(Finding("BESTAND", None, None, f"Het bestand {name} {what}."))
        return report
    _validate(report, lambda: open(name, "rb"), size, region, max_bytes, today, path=name)
    return report


def validate_bytes(data: bytes, name: str, *, region=None, max_bytes: int | None = None,
                   today: date | None = None, collect: Collect | None = None) -> FileReport:
    """Validate a file's bytes (an upload); ``name`` is what the report calls it. ``collect`` sees
    every record of the rule pass (:data:`Collect`); what it saw counts only when the report says
    the file passed its schema (a broken file may stop the pass half-way)."""
    report = FileReport(name)
    _validate(report, lambda: io.BytesIO(data), len(data), region, max_bytes, today,
              collect=collect)
    return report


def _validate(report: FileReport, open_source: Opener, size: int, region, max_bytes: int | None,
              today: date | None, path: str | None = None,
              collect: Collect | None = None) -> None:
    if not report.file.lower().endswith(".xml"):
        report.add(Finding("OP192", None, None, "De bestandsnaam eindigt niet op .xml; de "
                           "standaard (OP192) vraagt de extensie .xml.", severity=Severity.WARNING))
    try:
        check_size(size, max_bytes)
        with open_source() as source:
            head = source.read(HEAD_BYTES)
        where = inspect_head(head, size)
        recognition = recognise(root_tag(head, where))
    except Refused as refused:
        report.add(Finding("XML", None, refused.line, refused.message))
        return
    for warning in where.warnings:
        report.add(Finding("OP192", None, None, warning, severity=Severity.WARNING))
    if recognition.problem:
        report.add(Finding("BERICHT", None, head.count(b"\n", 0, where.root_start) + 1,
                           recognition.problem))
        return
    report.message = recognition.message
    try:
        schema = schema_for(recognition.message)
    except SchemaUnavailable as missing:
        report.unreadable = True
        report.add(Finding("SCHEMA", None, None, str(missing)))
        return

    xsd_pass = _Pass(lambda: schema_errors(open_source, schema, path),
                     parallel=size >= PARALLEL_FROM_BYTES)
    pieces = None
    if size >= PIECES_FROM_BYTES and "Client" in LAYOUTS[recognition.message].heads:
        pieces = Pieces.plan(open_source, size, head, where.root_start)
    etree.clear_error_log()  # this thread's log then holds this file's parse errors only
    try:
        findings = check_rules(open_source, recognition, region, today or date.today(), collect,
                               pieces)
        broken = None
    except etree.XMLSyntaxError as error:
        message, line = _first_parse_error(error)
        findings, broken = [], Finding("XML", None, line, translate_xml(message))
    except Refused as refused:
        findings, broken = [], Finding("XML", None, refused.line, refused.message)
    raw_schema_errors = xsd_pass.result()

    if broken is not None:
        report.add(broken)
    elif raw_schema_errors:
        layout = LAYOUTS[recognition.message]
        for finding in locate(open_source, schema, raw_schema_errors, frozenset(layout.repeated)):
            report.add(finding)
    else:
        for finding in findings:
            report.add(finding)
    report.errors.sort(key=sort_key)
    report.warnings.sort(key=sort_key)


def _first_parse_error(error: etree.XMLSyntaxError) -> tuple[str, int | None]:
    """The parse error to report: libxml2's first, which says more than lxml's summary."""
    for entry in error.error_log:
        if entry.domain_name == "PARSER" and entry.level_name in ("ERROR", "FATAL"):
            return entry.message, entry.line or None
    return error.msg, error.lineno or None


def check_rules(open_source: Opener, recognition: Recognition, region,
                today: date, collect: Collect | None = None,
                pieces: Pieces | None = None) -> list[Finding]:
    """Stream the records of the file through the message's rules; the findings in rule order.
    Each record then goes to ``collect``, when given. With ``pieces`` the records come from
    pieces parsed in another thread (the same records, faster on a large file)."""
    message = recognition.message
    lines = message == "WMO323" and (region is not None or collect is not None)
    if lines:  # imported only then: it brings the plugins' types, a tenth of a validate's start
        from portal.iwmo.region_checks import declaration_line
    checks = {kind: tuple((registered.check, registered) for registered in rules)
              for kind, rules in rules_for(message).items()}
    ctx = Context(message, today, region=region)
    current = ctx.current
    findings: list[Finding] = []
    with open_source() as source:
        stream = RecordStream(source, LAYOUTS[message], recognition.namespace, pieces)
        for record in stream:
            kind = record.kind
            if kind == "Header":
                ctx.seen(record)
            current[kind] = record
            for check, registered in checks.get(kind, ()):
                try:
                    result = check(record, ctx)
                except Exception as error:  # a rule must not stop the others
                    findings.append(_internal(record, registered, error))
                    continue
                if result is not None:
                    _add(findings, record, registered, result)
            line = None
            if lines and kind == "Prestatie":
                # Made once, for the region's checks and the collector alike.
                line = declaration_line(record, current.get("Client"))
                if region is not None:
                    findings.extend(region.check(record, line))
            if collect is not None:
                collect(record, line)
    if stream.shape_mismatch:
        findings.append(Finding("INTERN", None, None, "De opbouw van de prestaties wijkt af van "
                                "wat de portal verwacht (ander schema?); de regels zijn mogelijk "
                                "op verkeerde velden toegepast. Meld dit aan de beheerder van de "
                                "portal."))
    return findings


def _add(findings: list[Finding], record, registered: Rule,
         result: Problem | list[Problem]) -> None:
    for problem in (result,) if isinstance(result, Problem) else result:
        line, path = problem.where or record.where(problem.field)
        findings.append(Finding(registered.code, registered.retourcode, line, problem.message, path,
                                registered.severity))


def _internal(record, registered: Rule, error: Exception) -> Finding:
    return Finding("INTERN", None, record.line,
                   f"Regel {registered.code} ({registered.name}) kon dit onderdeel niet "
                   f"controleren ({type(error).__name__}); meld dit aan de beheerder van de "
                   "portal. De andere regels zijn wel gecontroleerd.", record.path)


class _Pass:
    """Run a function now in a second thread (or later, in this one), and give its result."""

    def __init__(self, function: Callable[[], list[str]], parallel: bool):
        self._function = function
        self._result: list[str] | None = None
        self._error: BaseException | None = None
        self._thread = None
        if parallel:
            self._thread = threading.Thread(target=self._run, name="iwmo-xsd", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._function()
        except BaseException as error:  # handed to the caller in result()
            self._error = error

    def result(self) -> list[str]:
        if self._thread is None:
            self._run()
        else:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result or []
