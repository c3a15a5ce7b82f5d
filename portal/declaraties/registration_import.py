"""The delivery registration as CSV: an aanbieder's import from its own system, and the hours
report as a download. Both in the format of the month export (portal.declaraties.export):
separator ``;``, UTF-8 (a byte order mark is written, and accepted on import), decimal comma.

**Import** (one file, all rows or none): a header row naming the columns of :data:`COLUMNS`
(in any order, case-insensitive; the last three may be left out), then one row per entry:

1. ``toewijzingnummer``: the gemeente's ToewijzingNummer;
2. ``gemeente``: the gemeente's CBS code (4 digits), since numbers are unique per gemeente;
3. ``datum``: JJJJ-MM-DD or DD-MM-JJJJ;
4. ``soort``: ``aanwezigheid`` or ``tijd``;
5. ``aanwezigheid``: ``aanwezig``, ``afwezig`` or ``no-show`` (with soort aanwezigheid);
6. ``activiteit``: ``direct``, ``indirect`` or ``reistijd`` (with soort tijd);
7. ``minuten``: a whole number (with soort tijd; may be empty when begin and end are given);
8. ``begintijd`` and 9. ``eindtijd``: UU:MM, optional.

Each row is checked as the screen checks an entry; a row for a toewijzing that is not the
importing aanbieder's is refused as unknown. Every problem is reported with its line number, and
then nothing is stored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.declaraties.registration import EntryInput, InvalidEntry, ReportRow, save_entry
from portal.extensions import db
from portal.toewijzingen.models import Toewijzing

SEPARATOR = ";"
COLUMNS = ("toewijzingnummer", "gemeente", "datum", "soort", "aanwezigheid", "activiteit",
           "minuten", "begintijd", "eindtijd")
OPTIONAL = {"begintijd", "eindtijd", "aanwezigheid", "activiteit", "minuten"}
MAX_ROWS = 50_000
PROBLEMS_SHOWN = 50
_FIELD_COLUMN = {"day": "datum", "kind": "soort", "attendance": "aanwezigheid",
                 "activity": "activiteit", "minutes": "minuten", "start_time": "begintijd",
                 "end_time": "eindtijd"}


@dataclass
class ImportResult:
    stored: int = 0
    problems: list[str] = field(default_factory=list)


def import_csv(data: bytes, user, today: date) -> ImportResult:
    """Check every row, then store them all (the caller commits) or none (problems)."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append("Het bestand is geen UTF-8-tekst; sla het op als CSV UTF-8.")
        return result
    rows = list(csv.reader(io.StringIO(text), delimiter=SEPARATOR))
    if not rows or not any(cell.strip() for cell in rows[0]):
        result.problems.append("Het bestand is leeg; de eerste regel noemt de kolommen: "
                               f"{SEPARATOR.join(COLUMNS)}.")
        return result
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in COLUMNS if name not in header and name not in OPTIONAL]
    unknown = [name for name in header if name and name not in COLUMNS]
    if missing or unknown:
        if missing:
            result.problems.append(f"Regel 1: kolom(men) {', '.join(missing)} ontbreken.")
        if unknown:
            result.problems.append(f"Regel 1: onbekende kolom(men) {', '.join(unknown)}; "
                                   f"toegestaan: {', '.join(COLUMNS)}.")
        return result
    if len(rows) - 1 > MAX_ROWS:
        result.problems.append(f"Het bestand heeft {len(rows) - 1} regels; importeer er "
                               f"hoogstens {MAX_ROWS} per keer.")
        return result

    own = {(code, nummer): toewijzing for toewijzing, code, nummer in db.session.execute(
        select(Toewijzing, Organisation.code, Toewijzing.toewijzing_nummer)
        .join(Organisation, Toewijzing.gemeente_id == Organisation.id)
        .where(Toewijzing.aanbieder_id == user.organisation_id))}
    checked = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            result.problems.append(f"Regel {number}: {len(row)} velden, de kop noemt er "
                                   f"{len(header)}; staat er een {SEPARATOR} te veel?")
            continue
        values = dict(zip(header, (cell.strip() for cell in row)))
        nummer, gemeente = values.get("toewijzingnummer", ""), values.get("gemeente", "")
        toewijzing = own.get((gemeente, int(nummer))) if nummer.isdigit() else None
        if toewijzing is None:
            result.problems.append(
                f"Regel {number}: geen toewijzing {nummer or '(leeg)'} van gemeente "
                f"{gemeente or '(leeg)'} aan uw organisatie.")
            continue
        entry = EntryInput(values.get("datum", ""), values.get("soort", ""),
                           values.get("aanwezigheid", ""), values.get("activiteit", ""),
                           values.get("minuten", ""), values.get("begintijd", ""),
                           values.get("eindtijd", ""))
        try:
            entry.checked(toewijzing, today)
        except InvalidEntry as error:
            result.problems += [f"Regel {number}, {_FIELD_COLUMN.get(name, name)}: {message}"
                                for name, message in error.errors.items()]
            continue
        checked.append((toewijzing, entry))
    if result.problems:
        if len(result.problems) > PROBLEMS_SHOWN:
            more = len(result.problems) - PROBLEMS_SHOWN
            result.problems = result.problems[:PROBLEMS_SHOWN] + [f"En nog {more} probleem/problemen."]
        return result
    if not checked:
        result.problems.append("Het bestand heeft geen regels onder de kop.")
        return result
    for toewijzing, entry in checked:
        save_entry(toewijzing, entry, user.id, today, flush=False)
    db.session.flush()
    result.stored = len(checked)
    return result


# -- the hours report ----------------------------------------------------------------------------

REPORT_HEADER = ("BSN", "Naam", "Toewijzingen", "Uren direct", "Uren indirect", "Uren reistijd",
                 "No-shows")


def _hours(minutes: int) -> str:
    """Minutes as hours with a decimal comma and two decimals: 90 -> 1,50."""
    hundredths = (minutes * 100 + 30) // 60
    return f"{hundredths // 100},{hundredths % 100:02d}"


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(("=", "+", "-", "@")) else value


def report_csv(rows: list[ReportRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    for row in rows:
        writer.writerow([row.client.bsn, _text(row.client.display_name),
                         ", ".join(str(n) for n in sorted(row.toewijzingen)),
                         _hours(row.direct), _hours(row.indirect), _hours(row.travel),
                         str(row.no_shows)])
    return out.getvalue().encode("utf-8-sig")
