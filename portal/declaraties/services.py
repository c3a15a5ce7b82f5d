"""Checking every Prestatie of a declaration against the toewijzingen and the region's rules.

Called by portal.berichten.services while it answers a WMO323, inside the upload's savepoint, for a
declaration the answer assesses line by line (not one refused whole). The steps:

1. take the Prestaties the validation collected (portal.declaraties.reading) and load what they
   are checked against, in a fixed number of queries, with the aanbieder's toewijzingen at the
   gemeente locked (portal.declaraties.ledger);
2. check the credit lines first, then the debets, each in file order: a credit that passes gives
   its volume back before the debets (a correction "credit and declare again" may sit in one
   file). Every line is checked, also one the validation already refused; only lines that pass
   count for the lines after them;
3. per line: match it to its toewijzing (portal.declaraties.matching), apply the checks
   (portal.declaraties.checks), then the region plugins' ``wmo_validate_declaration_line`` with the
   toewijzing's facts, the client's other lines that count, and the delivery registration of the
   toewijzing and of the client (loaded once per file: portal.declaraties.registration);
4. after the WMO325 is built from all findings, :func:`store_lines` writes one DeclarationLine per
   Prestatie with the outcome and retourcodes the answer gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import JSON, Date, DateTime, String, cast, insert, literal, select

from portal.accounts.models import AANBIEDER_KIND, Organisation
from portal.audit import recorder as audit_recorder
from portal.audit.models import AuditLog
from portal.berichten.models import Upload
from portal.declaraties.checks import (
    Pricing,
    Running,
    credit_reverses_debit,
    debit_once,
    priced_by_region,
    reference_new,
    unit_of_toewijzing,
    volume_within_toewijzing,
)
from portal.declaraties.ledger import Assigned, Ledger, load_ledger
from portal.declaraties.matching import match
from portal.declaraties.models import GRANTED, REFUSED, DeclarationLine
from portal.declaraties.reading import Declaration, Prestatie, read_declaration
from portal.declaraties.registration import Registrations, load_for_check
from portal.extensions import db, utcnow
from portal.iwmo.answer import NOT_ASSESSED, Outcome, client_and_line, outcome_of
from portal.iwmo.findings import Finding, sort_key
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Severity, ToewijzingFacts

# The validation's rule that the amount is GeleverdVolume × ProductTarief (portal.iwmo.rules).
AMOUNT_RULE = "TR346"

# The Prestatie's elements a region finding may name as its field (else: the whole Prestatie).
PRESTATIE_ELEMENTS = frozenset({
    "ProductReferentie/ReferentieNummer", "ProductReferentie/VorigReferentieNummer",
    "ToewijzingNummer", "ProductCategorie", "ProductCode", "ProductPeriode",
    "ProductPeriode/Begindatum", "ProductPeriode/Einddatum", "GeleverdVolume", "Eenheid",
    "ProductTarief", "IngediendBedrag/Bedrag", "IngediendBedrag/DebetCredit"})


@dataclass
class Checked:
    """The findings of the check (file order) and what is needed to store the lines."""

    aanbieder_id: int
    gemeente_id: int
    month: date | None
    findings: list[Finding] = field(default_factory=list)
    prestaties: list[Prestatie] = field(default_factory=list)  # file order
    # The toewijzing each Prestatie was matched to (None: none), by its place in ``prestaties``.
    toewijzing_ids: list[int | None] = field(default_factory=list)

    @property
    def lines(self) -> zip:
        """(Prestatie, toewijzing id) in file order."""
        return zip(self.prestaties, self.toewijzing_ids)

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.is_error]


def assessed_per_line(outcome: Outcome) -> bool:
    """False when the answer refuses the declaration whole: then no line is checked or stored."""
    return not outcome.header and not outcome.declaration


def check_declaration(registry: RegionRegistry, upload: Upload, data: bytes,
                      known: list[Finding], declaration: Declaration | None = None
                      ) -> Checked | None:
    """Check every Prestatie of ``data`` (a schema-valid WMO323). ``known`` are the findings the
    validation already made (errors and warnings); ``declaration`` its lines when the validation
    collected them (portal.declaraties.reading.Collector), else the file is read again. None when
    sender or receiver is unknown."""
    aanbieder = db.session.scalar(select(Organisation).where(
        Organisation.kind == AANBIEDER_KIND, Organisation.code == upload.sender_code))
    gemeente = upload.receiver
    if aanbieder is None or gemeente is None:
        return None
    if declaration is None:
        declaration = read_declaration(data)
    region = registry.region_of_municipality(gemeente.code)
    region_code = region.code if region is not None else None
    ledger = load_ledger(gemeente.id, aanbieder.id)
    prestaties = declaration.prestaties
    registrations = load_for_check(
        gemeente.id, aanbieder.id, min((p.begin for p in prestaties if p.begin), default=None),
        max((p.end for p in prestaties if p.end), default=None))
    line_check = _LineCheck(registry, region_code, ledger, aanbieder, gemeente, known,
                            registrations)
    checked = Checked(aanbieder.id, gemeente.id, declaration.month, prestaties=prestaties,
                      toewijzing_ids=[None] * len(prestaties))
    order = [index for index, p in enumerate(prestaties) if p.credit] + \
        [index for index, p in enumerate(prestaties) if not p.credit]
    for index in order:
        found, checked.toewijzing_ids[index] = line_check.check(prestaties[index])
        if found:
            checked.findings.extend(found)
    checked.findings.sort(key=sort_key)
    return checked


class _LineCheck:
    """The per-file state of the check: the ledger, what counts so far, prices, facts."""

    def __init__(self, registry: RegionRegistry, region: str | None, ledger: Ledger,
                 aanbieder: Organisation, gemeente: Organisation, known: list[Finding],
                 registrations: Registrations):
        self.registry, self.region, self.ledger = registry, region, ledger
        self.registrations = registrations
        # The codes as plain strings: an ORM attribute read on every line adds up.
        self.aanbieder_code, self.gemeente_code = aanbieder.code, gemeente.code
        self.before = outcome_of(known)
        self.reported = {(finding.code, *client_and_line(finding.path)) for finding in known}
        self.amount_refused = {(client, line) for code, client, line in self.reported
                               if code == AMOUNT_RULE}
        self.running = Running.start(ledger, aanbieder.id)
        self.pricing = Pricing(registry, region)
        self._facts: dict[int, ToewijzingFacts] = {}

    def check(self, prestatie: Prestatie) -> tuple[list[Finding], int | None]:
        found = reference_new(prestatie, self.ledger)
        if prestatie.credit:
            problems, debet = credit_reverses_debit(prestatie, self.running)
            found += problems
            toewijzing_id = debet.toewijzing_id if debet is not None else None
            toewijzing = self.ledger.by_id(toewijzing_id)
        else:
            matched = match(prestatie, self.ledger, self.aanbieder_code, self.gemeente_code)
            found += matched.findings
            toewijzing = matched.toewijzing
            toewijzing_id = toewijzing.id if toewijzing is not None else None
            if toewijzing is not None:
                found += self._debit_checks(prestatie, toewijzing)
        found += self._region_rules(prestatie, toewijzing)

        refused = self.before.refused_line(prestatie.client, prestatie.number) or \
            any(finding.is_error for finding in found)
        if not refused:
            if prestatie.credit:
                self.running.release(prestatie.previous_reference)
            elif toewijzing is not None:
                self.running.count(toewijzing.id, prestatie, toewijzing.key)
        return found, toewijzing_id

    def _debit_checks(self, prestatie: Prestatie, toewijzing: Assigned) -> list[Finding]:
        found = unit_of_toewijzing(prestatie, toewijzing)
        if not found:  # volumes in a unit the toewijzing does not use cannot be compared
            found += volume_within_toewijzing(prestatie, toewijzing, self.running)
        found += debit_once(prestatie, toewijzing, self.running)
        found += priced_by_region(prestatie, toewijzing, self.pricing, amount_refused=(
            prestatie.client, prestatie.number) in self.amount_refused)
        return found

    def _region_rules(self, prestatie: Prestatie, toewijzing: Assigned | None) -> list[Finding]:
        if self.region is None:
            return []
        values = dict(prestatie.values)
        values["product_key"] = toewijzing.key if toewijzing is not None else None
        values["client_lines"] = self.running.of_client(prestatie.bsn)
        if toewijzing is not None:  # the delivery registration (registration_rules.py)
            values["registration"] = self.registrations.by_toewijzing.get(toewijzing.id, ())
            values["client_registration"] = self.registrations.by_client.get(
                toewijzing.client_id, ())
        facts = self.facts(toewijzing) if toewijzing is not None else None
        found = []
        for finding in self.registry.validate_declaration_line(self.region, values, facts):
            if (finding.rule, prestatie.client, prestatie.number) in self.reported:
                continue  # the validation found it already, without the toewijzing
            path = f"{prestatie.path}/{finding.field}" if finding.field in PRESTATIE_ELEMENTS \
                else prestatie.path
            found.append(Finding(finding.rule, finding.retourcode, prestatie.line,
                                 finding.message, path, Severity(finding.severity)))
        return found

    def facts(self, toewijzing: Assigned) -> ToewijzingFacts:
        """The toewijzing as plugins see it, with the client's other active toewijzingen."""
        facts = self._facts.get(toewijzing.id)
        if facts is None:
            others = tuple(self._plain(other) for other in
                           self.ledger.by_client.get(toewijzing.client_id, ())
                           if other.id != toewijzing.id)
            facts = self._facts[toewijzing.id] = self._plain(toewijzing, others)
        return facts

    def _plain(self, toewijzing: Assigned,
               others: tuple[ToewijzingFacts, ...] = ()) -> ToewijzingFacts:
        return ToewijzingFacts(
            toewijzing_nummer=toewijzing.nummer, municipality_code=self.gemeente_code,
            provider_agb=toewijzing.aanbieder_code, client_birth_date=toewijzing.birth_date,
            product_category=toewijzing.category, product_code=toewijzing.code,
            product_key=toewijzing.key, volume=toewijzing.volume, unit=toewijzing.unit,
            frequency=toewijzing.frequency, start=toewijzing.start, end=toewijzing.end,
            attributes=dict(toewijzing.attributes), others=others)


# The columns store_lines writes, in the order of its row tuples.
_LINE_COLUMNS = (
    "upload_id", "aanbieder_id", "gemeente_id", "toewijzing_id", "client_bsn", "client_number",
    "prestatie_number", "file_line", "reference", "previous_reference", "toewijzing_nummer",
    "category", "code", "begin", "end", "volume", "unit", "tariff_cents", "amount_cents",
    "debit_credit", "outcome", "retourcodes", "findings", "month", "created_at")


def store_lines(checked: Checked, outcome: Outcome, findings: list[Finding],
                upload: Upload) -> int:
    """One row per Prestatie, with the outcome and retourcodes the WMO325 ``outcome`` gave it and
    every finding on it (``findings``: all of the file's, errors and warnings). Returns how many.

    The rows are written in one statement (see :func:`_insert_rows`), not as ORM objects or an
    ORM bulk insert: the ORM inserts one row per statement on SQLite (it cannot tell which
    generated id belongs to which object), and its bulk insert leaves out the columns that are
    None in a row, so every line without a toewijzing or a previous reference starts a new batch.
    The audit log gets a "create" row per line all the same, written as the audit recorder writes
    its own (portal.audit.recorder), by one INSERT ... SELECT over the upload's lines: the upload
    is new, so its lines are exactly these.
    """
    per_place: dict[tuple[int | None, int | None], list[dict]] = {}
    for finding in findings:
        per_place.setdefault(client_and_line(finding.path), []).append({
            "code": finding.code, "retourcode": finding.retourcode, "message": finding.message,
            "severity": Severity(finding.severity).value})
    moment = utcnow()
    refused_clients = outcome.clients
    refused_lines = outcome.lines
    # Tuples, not lists, for the JSON columns (the same JSON): a row of a line without findings
    # then holds no container the garbage collector follows, which at a hundred thousand rows
    # saves it a good part of its work.
    rows = []
    upload_id, aanbieder_id, gemeente_id = upload.id, checked.aanbieder_id, checked.gemeente_id
    no_findings = ()
    for prestatie, toewijzing_id in checked.lines:
        client, number = prestatie.client, prestatie.number
        # The line's values read from its mapping directly, not through Prestatie's properties:
        # twenty property calls a line are seconds at a hundred thousand lines. The same values.
        values = prestatie.values
        if client in refused_clients:
            retourcodes = (NOT_ASSESSED,)
        else:
            retourcodes = tuple(refused_lines.get((client, number), ()))
        begin = values["start"]
        month = checked.month or (begin.replace(day=1) if begin else None)
        on_line, on_client = per_place.get((client, number)), per_place.get((client, None))
        rows.append((
            upload_id, aanbieder_id, gemeente_id, toewijzing_id, values["bsn"],
            client, number, values["line"], values["reference"], values["previous_reference"],
            values["toewijzing_nummer"], values["product_category"], values["product_code"],
            begin, values["end"], values["volume"] or 0, values["unit"], values["tariff_cents"],
            values["amount_cents"] or 0, "C" if values["debit_credit"] == "C" else "D",
            REFUSED if outcome.refused_line(client, number) else GRANTED, retourcodes,
            tuple(on_line or ()) + tuple(on_client or ()) if on_line or on_client
            else no_findings,
            month, moment))
    if not rows:
        return 0
    table = DeclarationLine.__table__
    _insert_rows(table, _LINE_COLUMNS, rows)
    _audit_created(table, table.c.upload_id == upload.id, moment)
    return len(rows)


def _insert_rows(table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Many rows into ``table`` in one statement, in the session's transaction (and savepoint).

    - PostgreSQL: COPY ... FROM STDIN. psycopg's executemany sends one INSERT per row (in a
      pipeline), which at a hundred thousand rows costs the server more than everything else the
      upload does. JSON values are wrapped in psycopg's Json, as SQLAlchemy does for an INSERT,
      so the stored JSON text is the same (an empty one is written as its text, "[]").
    - SQLite: one executemany of the INSERT with the values each column's type makes of them
      (its bind processor: dates and JSON as SQLite stores them), as SQLAlchemy's own
      executemany would do, without its generic work per row and column (two thirds of the time
      at a hundred thousand rows).
    - Any other database: SQLAlchemy's executemany.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql":
        from psycopg.types.json import Json

        def json_value(value):  # "no findings" is common: its JSON text once, not per row
            return "[]" if value == () else Json(value)

        quote = dialect.identifier_preparer.quote
        json_columns = [index for index, name in enumerate(columns)
                        if isinstance(table.c[name].type, JSON)]
        statement = (f"COPY {quote(table.name)} ({', '.join(quote(name) for name in columns)}) "
                     f"FROM STDIN")
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(statement) as copy:
                for row in rows:
                    values = list(row)
                    for index in json_columns:
                        values[index] = json_value(values[index])
                    copy.write_row(values)
    elif dialect.name == "sqlite" and dialect.paramstyle == "qmark":
        quote = dialect.identifier_preparer.quote
        processors = [(index, _repeating(table.c[name].type, processor))
                      for index, name in enumerate(columns)
                      if (processor := table.c[name].type.dialect_impl(dialect)
                          .bind_processor(dialect)) is not None]
        processed = []
        for row in rows:
            values = list(row)
            for index, processor in processors:
                values[index] = processor(values[index])
            processed.append(tuple(values))
        connection.exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})", processed)
    else:
        db.session.execute(insert(table), [dict(zip(columns, row)) for row in rows])


def _repeating(column_type, processor):
    """``processor`` remembering what it made of the values that repeat from row to row: the few
    dates of a month, the one moment, no findings (an empty tuple in a JSON column). Other values
    (a line's findings) are processed each time."""
    if isinstance(column_type, Date | DateTime):
        made: dict = {}

        def process(value):
            result = made.get(value)
            if result is None and value is not None:
                result = made[value] = processor(value)
            return result
        return process
    if isinstance(column_type, JSON):
        empty = processor(())
        return lambda value: empty if value == () else processor(value)
    return processor


def _audit_created(table, where, moment) -> None:
    """A "create" audit row for each row of ``table`` that ``where`` selects, in one statement."""
    # The recorder's own answer to "who acts", so these rows read like every other audit row.
    user_id, actor, organisation_id, address = audit_recorder._who()
    log = AuditLog.__table__
    values = {"at": moment, "user_id": user_id, "actor": actor,
              "organisation_id": organisation_id, "action": "create",
              "object_type": table.name, "remote_addr": address, "detail": None}
    columns = [*values, "object_id"]
    db.session.execute(log.insert().from_select(columns, select(
        *(literal(value, log.c[name].type).label(name) for name, value in values.items()),
        cast(table.c.id, String).label("object_id")).where(where).order_by(table.c.id)))
