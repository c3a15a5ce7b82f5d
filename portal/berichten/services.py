"""Receiving an uploaded file: store its bytes, validate it, and act on the message.

The order is what keeps a user's work safe:

1. The original bytes are stored first, in their own row, with size, SHA-256, uploader and time,
   and committed before anything else happens: the upload is "ontvangen" (shown as "niet
   verwerkt"). Whatever happens next, the bytes stay. When the processing fails (a database
   error, a killed worker), its transaction is rolled back whole and the upload stays "niet
   verwerkt"; :func:`process_again` processes it later, once.
2. A ZIP is unpacked (:mod:`portal.berichten.archive`); each message in it becomes an upload of its
   own, linked to the ZIP.
3. Each message is validated (:func:`portal.iwmo.validate.validate_bytes`), with the checks of the
   region of the gemeente it is addressed to.
4. What the message does happens in a savepoint, so it happens whole or not at all: a WMO323 is
   registered (a second upload of the same identification by the same sender is refused as a
   duplicate, TR056) and answered with a WMO325; a WMO301's toewijzingen are imported.

Who may send what: an aanbieder uploads messages it sent (Afzender = its AGB code), a gemeente
messages it sent (its CBS code); beheer may upload for anyone the portal knows. A message to an
organisation the portal does not know is refused: nobody could read it.
"""

from __future__ import annotations

import gc
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import AANBIEDER_KIND, GEMEENTE_KIND, Organisation, User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.berichten.archive import ArchiveRefused, is_zip, unpack
from portal.berichten.models import RECEIVED, Upload
from portal.declaraties.reading import Collector, Declaration, Prestatie
from portal.declaraties.services import assessed_per_line, check_declaration, store_lines
from portal.extensions import db, utcnow
from portal.iwmo.answer import build_wmo325, client_and_line, line_labels, outcome_of
from portal.iwmo.findings import Finding, sort_key
from portal.iwmo.header import MessageHeader, read_header
from portal.iwmo.models import IwmoMessage
from portal.iwmo.region_checks import RegionCheck
from portal.iwmo.validate import FileReport, validate_bytes
from portal.iwmo.wmo301 import read_wmo301
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Severity
from portal.regions import registry as regions_registry
from portal.regions.catalogue import configuration
from portal.toewijzingen.from_message import ImportRefused, import_toewijzingen

# Which messages a role sends, and so may upload to be processed. Other iWmo messages are
# validated and their verdict shown, but the portal does nothing further with them.
PROCESSED = {"WMO323": AANBIEDER, "WMO301": GEMEENTE}
SENDER_KIND = {"WMO323": AANBIEDER_KIND, "WMO301": GEMEENTE_KIND}
RECEIVER_KIND = {"WMO323": GEMEENTE_KIND, "WMO301": AANBIEDER_KIND}


@dataclass(frozen=True)
class Settings:
    max_bytes: int  # per file, and per message in a ZIP
    today: date


class NotProcessed(Exception):
    """The upload was stored, but processing it failed; its changes were rolled back."""

    def __init__(self, upload_id: int):
        super().__init__(f"upload {upload_id} not processed")
        self.upload_id = upload_id


def receive(registry: RegionRegistry, user: User, filename: str, data: bytes,
            settings: Settings) -> Upload:
    """Store one uploaded file and commit it, then process it; the caller commits the processing.
    Returns the upload (for a ZIP, the archive, whose ``entries`` are its messages). Raises
    :class:`NotProcessed` after rolling the processing back when it failed."""
    upload = _store(user, filename, data, kind="zip" if is_zip(data) else "xml")
    db.session.commit()
    _process(registry, upload, data, settings)
    return upload


def process_again(registry: RegionRegistry, upload_id: int, settings: Settings) -> Upload | None:
    """Process a stored upload that was not processed; the caller commits. None when it was
    processed meanwhile (the row is locked first, so two requests cannot both process it)."""
    upload = db.session.scalar(select(Upload).where(Upload.id == upload_id).with_for_update())
    if upload is None or upload.status != RECEIVED:
        return None
    data = db.session.scalar(select(Upload.content).where(Upload.id == upload_id))
    _process(registry, upload, data, settings)
    return upload


@contextmanager
def _cycles_not_collected() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a message is processed, as the command line
    does (portal.iwmo.report): a declaration's hundreds of thousands of records, lines and
    findings form no reference cycles, yet each full collection rescanned every one of them (at
    100,000 lines 5 of 32 CPU seconds; the peak memory stayed the same). Reference counting
    still frees them; whatever cycles the processing leaves are collected once the collector
    runs again. Process-wide, so it is turned on again only by whoever turned it off (another
    thread may be processing too)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _process(registry: RegionRegistry, upload: Upload, data: bytes, settings: Settings) -> None:
    """Process a stored upload in the caller's transaction; when anything breaks, roll it back and
    raise NotProcessed: the stored bytes stay and can be processed again."""
    upload_id = upload.id
    try:
        with _cycles_not_collected():
            _process_stored(registry, upload, data, settings)
            db.session.flush()
    except Exception as error:
        db.session.rollback()
        raise NotProcessed(upload_id) from error


def _process_stored(registry: RegionRegistry, upload: Upload, data: bytes,
                    settings: Settings) -> None:
    # The row is locked for the processing, so process_again waits for a processing under way.
    db.session.execute(select(Upload.id).where(Upload.id == upload.id).with_for_update())
    if upload.kind == "zip":
        _receive_archive(registry, upload.uploaded_by, upload, data, settings)
    else:
        _receive_message(registry, upload.uploaded_by, upload, data, settings)


def _store(user: User, filename: str, data: bytes, kind: str,
           archive: Upload | None = None) -> Upload:
    upload = Upload(filename=_clean_name(filename), kind=kind, size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), content=data, uploaded_by=user,
                    organisation_id=user.organisation_id, uploaded_at=utcnow(), archive=archive,
                    status=RECEIVED, summary="", findings=[])
    db.session.add(upload)
    db.session.flush()
    return upload


def _receive_archive(registry, user, archive: Upload, data: bytes, settings: Settings) -> None:
    try:
        entries = unpack(data, settings.max_bytes)
    except ArchiveRefused as refused:
        archive.status = "geweigerd"
        archive.summary = refused.args[0]
        return
    archive.status = "archief"
    for entry in entries:
        upload = _store(user, entry.name, entry.data, kind="xml", archive=archive)
        _receive_message(registry, user, upload, entry.data, settings)
    valid = sum(1 for entry in archive.entries if entry.status == "geldig")
    archive.summary = (f"ZIP-bestand met {len(entries)} bericht(en), waarvan {valid} zonder "
                       f"fouten.")


def _receive_message(registry, user: User, upload: Upload, data: bytes,
                     settings: Settings) -> None:
    # The upload's row holds the file's bytes, and SQLite writes a row whole on every UPDATE: the
    # queries below do not flush the upload's changes one by one (they read nothing of it), so the
    # row is updated twice (savepoint, end) instead of six times, each 85 MB for a large file.
    with db.session.no_autoflush:
        report, collector, header = _validate(registry, user, upload, data, settings)
    if report is None:
        return

    savepoint = db.session.begin_nested()
    try:
        upload.message = _register(upload, report.message, header, settings)
        if report.message == "WMO323":
            with db.session.no_autoflush:
                _answer(upload, data, report, settings, collector.declaration())
        elif report.valid:
            _import(registry, upload, data, settings)
        savepoint.commit()
    except _Refused as refused:
        savepoint.rollback()
        upload.message = None
        upload.status, upload.summary = refused.status, refused.message
        upload.answer = None
        upload.imported = []


def _validate(registry, user: User, upload: Upload, data: bytes, settings: Settings
              ) -> tuple[FileReport | None, Collector, MessageHeader | None]:
    """Validate the message and record the verdict on the upload. The report is None when the
    portal does nothing further with the message (refused, not schema-valid, not processed)."""
    header = read_header(data)
    if header is not None:
        upload.sender_code, upload.receiver_code = header.sender, header.receiver
        upload.identificatie, upload.declaratie_nummer = (header.identificatie,
                                                          header.declaratie_nummer)
    # The validation hands out the Prestaties it reads, so the check does not read them again.
    collector = Collector()
    report = validate_bytes(data, upload.filename, region=_region_check(registry, header),
                            max_bytes=settings.max_bytes, today=settings.today, collect=collector)
    upload.message_type = report.message
    _record(upload, report.errors + report.warnings)

    refusal = _refusal(user, report, header)
    if refusal:
        upload.status, upload.summary = "geweigerd", refusal
        return None, collector, header
    upload.receiver = _organisation(RECEIVER_KIND.get(report.message), header)
    schema_valid = report.message is not None and not any(
        f.code in ("XML", "XSD", "BERICHT", "SCHEMA", "BESTAND") for f in report.errors)
    upload.status = "geldig" if report.valid else "ongeldig"
    upload.summary = _verdict(report)
    if not schema_valid or report.message not in PROCESSED:
        return None, collector, header
    return report, collector, header


class _Refused(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _region_check(registry: RegionRegistry, header: MessageHeader | None) -> RegionCheck | None:
    """The checks of the region of the gemeente a declaration is addressed to, if it is known."""
    if header is None or not header.receiver:
        return None
    region = registry.region_of_municipality(header.receiver)
    if region is None:
        return None
    return RegionCheck(registry, region.code, configuration(region.code).codes)


def _refusal(user: User, report: FileReport, header: MessageHeader | None) -> str | None:
    """Why this user may not hand in this message, or None."""
    message = report.message
    if message not in PROCESSED or header is None:
        return None
    if user.role != BEHEER and user.role != PROCESSED[message]:
        return (f"Een {message} ({report.message_name}) wordt door een "
                f"{PROCESSED[message]} verstuurd, niet door een {user.role}.")
    if user.role != BEHEER and header.sender != user.organisation.code:
        return (f"Het bericht is verstuurd door {header.sender} (Afzender), niet door uw "
                f"organisatie ({user.organisation.code_label} {user.organisation.code}). U kunt "
                f"alleen uw eigen berichten aanleveren.")
    if user.role == BEHEER and _organisation(SENDER_KIND[message], header, "sender") is None:
        return f"De afzender {header.sender} is niet aangesloten bij de portal."
    if _organisation(RECEIVER_KIND[message], header) is None:
        what = "Gemeente" if RECEIVER_KIND[message] == GEMEENTE_KIND else "Aanbieder"
        return (f"{what} {header.receiver} (Ontvanger) is niet aangesloten bij de portal; het "
                f"bericht kan daar niet worden afgeleverd.")
    return None


def _organisation(kind: str | None, header: MessageHeader | None,
                  which: str = "receiver") -> Organisation | None:
    code = getattr(header, which, None) if header is not None else None
    if kind is None or not code:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.kind == kind,
                                                        Organisation.code == code))


def _register(upload: Upload, message: str, header: MessageHeader,
              settings: Settings) -> IwmoMessage:
    """The message's identity, unique per type and sender (TR056): a second one is a duplicate."""
    earlier = db.session.scalar(select(Upload).where(
        Upload.message_type == message, Upload.sender_code == header.sender,
        Upload.identificatie == header.identificatie, Upload.message_id.is_not(None)))
    if earlier is not None:
        raise _Refused("dubbel", _duplicate(header, earlier))
    record = IwmoMessage(message_type=message, identificatie=header.identificatie,
                         sender=header.sender, receiver=header.receiver,
                         dagtekening=header.dagtekening or settings.today,
                         sha256=upload.sha256, received_at=utcnow())
    db.session.add(record)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same message, uploaded at the same moment by someone else
        raise _Refused("dubbel", _duplicate(header, None)) from None
    return record


def _duplicate(header: MessageHeader, earlier: Upload | None) -> str:
    when = (f" op {earlier.uploaded_at:%d-%m-%Y om %H:%M}" if earlier is not None else "")
    return (f"Dit bericht (identificatie {header.identificatie} van afzender {header.sender}) is "
            f"al eerder ontvangen{when}. Een bericht wordt één keer verwerkt; geef een nieuw "
            f"bericht een nieuwe BerichtIdentificatie (TR056).")


def _answer(upload: Upload, data: bytes, report: FileReport, settings: Settings,
            declaration: Declaration) -> None:
    """The WMO325 for a declaration that passed its schema (iwmo.md §5); ``declaration`` holds its
    Prestaties as the validation read them.

    Unless the answer refuses the declaration whole, every Prestatie is first checked against the
    toewijzingen and the region's rules (portal.declaraties): its findings join the validation's,
    so the answer refuses exactly the lines they are about, and a row per Prestatie is stored with
    its outcome. All of it happens in the caller's savepoint: lines and answer, or neither.
    """
    errors = list(report.errors)
    extra_errors: list[Finding] = []
    extra_warnings: list[Finding] = []
    duplicate = _duplicate_declaratie_nummer(upload)
    if duplicate is not None:
        extra_errors.append(duplicate)
    checked = None
    if assessed_per_line(outcome_of(errors + extra_errors)):
        checked = check_declaration(regions_registry(), upload, data,
                                    errors + extra_errors + report.warnings, declaration)
    if checked is not None:
        extra_errors += checked.errors
        extra_warnings += checked.warnings
    if extra_errors or extra_warnings:
        _record(upload, sorted(errors + extra_errors, key=sort_key)
                + sorted(report.warnings + extra_warnings, key=sort_key))
        if extra_errors:
            upload.status = "ongeldig"
        upload.summary = _verdict(report, extra_errors=len(extra_errors),
                                  extra_warnings=len(extra_warnings))
    outcome = outcome_of(errors + extra_errors)
    identificatie = f"A{upload.id:011d}"
    answer, summary = build_wmo325(
        _opener(data), outcome, identificatie=identificatie, today=settings.today,
        lines=((p.client, p.number, -p.amount_cents if p.credit else p.amount_cents)
               for p in declaration.prestaties))
    upload.answer, upload.answer_identificatie = answer, identificatie
    if summary.processed:  # otherwise the answer refuses the message whole: no amounts to show
        upload.submitted_cents = summary.submitted_cents
        upload.granted_cents = summary.granted_cents
        upload.line_count, upload.refused_count = summary.lines, summary.refused_lines
    if checked is not None:
        store_lines(checked, outcome, errors + extra_errors + report.warnings + extra_warnings,
                    upload)
    clients = {entry["client"] for entry in upload.findings if entry.get("client")}
    labels = _labels(checked.prestaties, clients) if checked is not None \
        else line_labels(_opener(data), clients)
    upload.labels = {str(number): label for number, label in labels.items()}


def _labels(prestaties: list[Prestatie], clients: set[int]) -> dict[int, dict]:
    """What :func:`portal.iwmo.answer.line_labels` gives, from the lines the check already read:
    reading a file of 100,000 prestaties once more for the result page took seconds."""
    labels: dict[int, dict] = {}
    for prestatie in prestaties:
        if prestatie.client not in clients:
            continue
        client = labels.setdefault(prestatie.client, {"bsn": prestatie.bsn, "prestaties": {}})
        volume = prestatie.values["volume"]
        client["prestaties"][prestatie.number] = {
            "reference": prestatie.reference,
            "product": prestatie.product,
            "begin": prestatie.begin.isoformat() if prestatie.begin else None,
            "end": prestatie.end.isoformat() if prestatie.end else None,
            "volume": str(volume) if volume is not None else None,
            "unit": prestatie.unit,
            "cents": -prestatie.amount_cents if prestatie.credit else prestatie.amount_cents,
        }
    return labels


def _duplicate_declaratie_nummer(upload: Upload) -> Finding | None:
    """TR333: a DeclaratieNummer is unique per provider; a second one refuses the declaration."""
    earlier = db.session.scalar(select(Upload).where(
        Upload.message_type == "WMO323", Upload.sender_code == upload.sender_code,
        Upload.declaratie_nummer == upload.declaratie_nummer, Upload.id != upload.id,
        Upload.answer_identificatie.is_not(None)))
    if earlier is None:
        return None
    return Finding("TR333", "9333", None,
                   f"DeclaratieNummer {upload.declaratie_nummer} is al gebruikt in een eerdere "
                   f"declaratie ({earlier.filename}, {earlier.uploaded_at:%d-%m-%Y}); elk "
                   f"DeclaratieNummer is uniek per aanbieder.",
                   "/Bericht/Declaratie/DeclaratieNummer")


def _import(registry: RegionRegistry, upload: Upload, data: bytes, settings: Settings) -> None:
    bericht = read_wmo301(data)
    gemeente = _organisation(GEMEENTE_KIND, MessageHeader(bericht.gemeente_code, None, None, None),
                             "sender")
    try:
        done = import_toewijzingen(registry, bericht, gemeente, upload.message, settings.today)
    except ImportRefused as refused:
        raise _Refused("geweigerd", f"De toewijzingen zijn niet ingelezen: {refused.args[0]}")
    upload.imported = [item.as_json() for item in done]
    counts = {action: sum(1 for item in done if item.action == action)
              for action in ("nieuw", "gewijzigd", "ongewijzigd")}
    upload.summary = (f"Toewijzingen ingelezen: {counts['nieuw']} nieuw, {counts['gewijzigd']} "
                      f"gewijzigd, {counts['ongewijzigd']} ongewijzigd.")


def _record(upload: Upload, findings: list[Finding]) -> None:
    """Keep every finding, with the client and line it is about (from its element path)."""
    rows = []
    for finding in findings:
        client, line = client_and_line(finding.path)
        rows.append({"code": finding.code, "retourcode": finding.retourcode,
                     "line": finding.line, "path": finding.path, "message": finding.message,
                     "severity": finding.severity.value if isinstance(finding.severity, Severity)
                     else str(finding.severity), "client": client, "prestatie": line})
    upload.findings = rows


def _verdict(report: FileReport, extra_errors: int = 0, extra_warnings: int = 0) -> str:
    errors, warnings = len(report.errors) + extra_errors, len(report.warnings) + extra_warnings
    name = f"{report.message} ({report.message_name})" if report.message else "Het bestand"
    if not errors:
        return f"{name}: geen fouten" + (f", {warnings} waarschuwing(en)." if warnings else ".")
    return f"{name}: {errors} fout(en), {warnings} waarschuwing(en)."


def _opener(data: bytes) -> Callable[[], io.BytesIO]:
    return lambda: io.BytesIO(data)


def _clean_name(filename: str) -> str:
    """The file's own name, without any folder a browser sent along or control characters (a NUL
    is refused by PostgreSQL), at most 255 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return (name or "bestand")[:255]
