"""A gemeente's declaration lines of one month as CSV, for Dutch Excel and for scripts.

The file (``declaraties-<CBS-code>-<JJJJ-MM>.csv``, e.g. ``declaraties-9999-2026-10.csv``):

- encoding UTF-8 with a byte order mark (BOM), so Excel reads é, ë and € correctly; Python reads
  it with ``encoding="utf-8-sig"``;
- separator ``;`` (what Dutch Excel expects, because the comma is the decimal sign), lines ending
  in CRLF, fields quoted only when they hold a ``;``, a quote or a line break (``csv`` module,
  ``QUOTE_MINIMAL``);
- one header row, then one row per declaration line (Prestatie) of the month, ordered by
  aanbieder name, declaration and place in the file.

Columns, in this order (the header row names them so):

1. ``AGB-code aanbieder``: 8 digits;
2. ``Naam aanbieder``: as registered in the portal;
3. ``BSN``: the client's BSN as declared, 9 digits (a spreadsheet may drop a leading zero);
4. ``Toewijzingnummer``: as declared, empty when the line named none;
5. ``Productcategorie``: WMO020, 2 characters;
6. ``Productcode``: the iWmo product code as declared;
7. ``Begindatum`` and 8. ``Einddatum``: the ProductPeriode as DD-MM-JJJJ;
9. ``Volume``: GeleverdVolume, a whole number;
10. ``Eenheid``: the WJ756 unit in words (minuut, uur, dagdeel, etmaal, stuk, ...);
11. ``Bedrag``: IngediendBedrag in euros with a decimal comma and no thousands separator
    (``1234,56``), negative for a credit line (``-90,00``), so the column's sum is the net amount;
12. ``Debet/credit``: ``D`` or ``C``;
13. ``Uitkomst``: ``toegekend`` or ``afgewezen``;
14. ``Retourcodes``: the line's WMO325 retourcodes separated by ``, ``; empty when granted;
15. ``Redenen``: why the line was refused, each error as ``RULE: message``, separated by
    `` | ``;
16. ``Waarschuwingen``: the warnings on the line, written the same way.

Text a spreadsheet would run as a formula (a name or message starting with ``=``, ``+``, ``-``
or ``@``) gets a leading apostrophe; numbers and dates are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from portal.accounts.models import Organisation
from portal.declaraties.models import DeclarationLine
from portal.iwmo.codelists import unit_label

SEPARATOR = ";"
HEADER = ("AGB-code aanbieder", "Naam aanbieder", "BSN", "Toewijzingnummer", "Productcategorie",
          "Productcode", "Begindatum", "Einddatum", "Volume", "Eenheid", "Bedrag",
          "Debet/credit", "Uitkomst", "Retourcodes", "Redenen", "Waarschuwingen")
_FORMULA_START = ("=", "+", "-", "@")


def month_filename(cbs_code: str, month: date) -> str:
    return f"declaraties-{cbs_code}-{month:%Y-%m}.csv"


def decimal_comma(cents: int) -> str:
    """1234,56 from 123456 cents; -90,00 from -9000."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole},{rest:02d}"


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _date(value: date | None) -> str:
    return value.strftime("%d-%m-%Y") if value is not None else ""


def _findings(line: DeclarationLine, errors: bool) -> str:
    return " | ".join(f"{finding.get('code')}: {finding.get('message')}"
                      for finding in line.findings or []
                      if (finding.get("severity") == "error") == errors)


def row_of(line: DeclarationLine, aanbieder: Organisation) -> list[str]:
    return [
        aanbieder.code, _text(aanbieder.name), line.client_bsn,
        "" if line.toewijzing_nummer is None else str(line.toewijzing_nummer),
        line.category, line.code, _date(line.begin), _date(line.end), str(line.volume),
        unit_label(line.unit), decimal_comma(line.signed_cents), line.debit_credit,
        line.outcome, ", ".join(line.retourcodes or []),
        _text(_findings(line, errors=True)), _text(_findings(line, errors=False)),
    ]


def month_csv(rows: Iterable[tuple[DeclarationLine, Organisation]]) -> bytes:
    """The CSV file (bytes, BOM included) of ``rows``: (line, its aanbieder), in order."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line, aanbieder in rows:
        writer.writerow(row_of(line, aanbieder))
    return out.getvalue().encode("utf-8-sig")
