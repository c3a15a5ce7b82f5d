"""Rules for every message type: BSN, dates, birth dates, notation (../shared/docs/iwmo.md §4).

"Other messages. All: TR056, TR135, TR378, CS002, CS139, TR002, TR101." TR056 (unique
Identificatie per sender) and TR378 (CBS list) need data outside the file and are not checked here.
"""

from __future__ import annotations

from portal.identifiers import passes_elfproef
from portal.iwmo.records import Record
from portal.iwmo.rules.registry import Context, Problem, rule
from portal.iwmo.values import as_date, odd_date, shown, years_before
from portal.plugins.severity import Severity

ALL = ("WMO301", "WMO305", "WMO307", "WMO315", "WMO317", "WMO319", "WMO323", "WMO325")
WITH_CLIENT = ("WMO301", "WMO305", "WMO307", "WMO315", "WMO317", "WMO323", "WMO325")
WITH_BIRTH_DATE = ("WMO301", "WMO305", "WMO307", "WMO315")
PERSONS = ("Client", "Relatie")  # records with a Geboortedatum (Relatie only in WMO301)

BIRTH_DATE = "Geboortedatum/Datum"
DATE_USE = "Geboortedatum/DatumGebruik"
MAX_AGE_YEARS = 120


@rule("CS002", "0001", on="Client", messages=WITH_CLIENT)
def bsn_passes_elfproef(client: Record, ctx: Context):
    bsn = client.text("Bsn")
    if bsn is None or passes_elfproef(bsn.strip()):
        return None
    return Problem("Bsn", f"BSN {bsn} voldoet niet aan de elfproef (9×1e + 8×2e + … + 2×8e cijfer "
                          "− het 9e cijfer moet deelbaar zijn door 11). Controleer het BSN.")


@rule("TR135", "8848", on="Header", messages=ALL)
def dagtekening_not_in_future(header: Record, ctx: Context):
    dagtekening = ctx.dagtekening
    if dagtekening is None or dagtekening <= ctx.today:
        return None
    text = header.text("BerichtIdentificatie/Dagtekening")
    return Problem("BerichtIdentificatie/Dagtekening",
                   f"Dagtekening {text} ligt in de toekomst (vandaag is {ctx.today}); een bericht "
                   "heeft als dagtekening de dag van aanmaken of eerder.")


@rule("TR135", "8848", on=PERSONS, messages=WITH_BIRTH_DATE)
def birth_date_not_in_future(person: Record, ctx: Context):
    born = as_date(person.text(BIRTH_DATE))
    if born is None or born <= ctx.today:
        return None
    return Problem(BIRTH_DATE, f"Geboortedatum {person.text(BIRTH_DATE)} ligt in de toekomst "
                               f"(vandaag is {ctx.today}).")


@rule("CS139", "0001", on=PERSONS, messages=WITH_BIRTH_DATE)
def birth_date_fits_date_use(person: Record, ctx: Context):
    """DatumGebruik 1: day unknown, so the 1st of the month; 2: day and month unknown, so 1 January.

    [inference] The reading of CS139 ("Datum agrees with DatumGebruik") as these two conventions
    is ours; DatumGebruik 3 (wholly unknown) sets no condition on Datum here.
    """
    use = person.text(DATE_USE)
    born = as_date(person.text(BIRTH_DATE))
    if use is None or born is None or born.year in (1, 9999):
        return None
    text = person.text(BIRTH_DATE)
    if use == "1" and born.day != 1:
        return Problem(BIRTH_DATE, f"DatumGebruik 1 (dag onbekend) vraagt een Datum op de eerste "
                                   f"van de maand ({born.replace(day=1)}), niet {text}.")
    if use == "2" and (born.month, born.day) != (1, 1):
        return Problem(BIRTH_DATE, f"DatumGebruik 2 (dag en maand onbekend) vraagt als Datum "
                                   f"1 januari ({born.year}-01-01), niet {text}.")
    return None


@rule("TR002", "0001", on=PERSONS, messages=WITH_BIRTH_DATE)
def birth_date_within_120_years(person: Record, ctx: Context):
    born = as_date(person.text(BIRTH_DATE))
    if born is None or ctx.dagtekening is None or person.text(DATE_USE) == "3":
        return None
    oldest = years_before(ctx.dagtekening, MAX_AGE_YEARS)
    if born >= oldest:
        return None
    return Problem(BIRTH_DATE, f"Geboortedatum {person.text(BIRTH_DATE)} ligt meer dan "
                               f"{MAX_AGE_YEARS} jaar vóór de dagtekening {ctx.dagtekening}; "
                               "is de datum onbekend, vul dan DatumGebruik 3 in.")


# -- notation -------------------------------------------------------------------------------------

_INTEGER_FIELDS = {"Bedrag", "TotaalBedrag", "GeleverdVolume", "ProductTarief", "Volume", "Budget",
                   "ToewijzingNummer", "BeschikkingNummer", "BerichtVersie", "BerichtSubversie",
                   "Huisnummer", "Volgorde"}
_DATE_SUFFIXES = ("datum", "Datum", "Dagtekening")
_NOT_CHECKED, _INTEGER, _DATE = 0, 1, 2


def _plain_prestatie(line: Record) -> bool:
    """The quick look for the record a file has thousands of: all numbers and dates plain?"""
    get = line.get
    number, volume = get("ToewijzingNummer"), get("GeleverdVolume")
    amount = get("IngediendBedrag/Bedrag")
    tariff = get("ProductTarief") or "1"
    begin, end = get("ProductPeriode/Begindatum"), get("ProductPeriode/Einddatum")
    try:
        return (number + volume + tariff + amount).isdigit() and \
            (number[0] != "0" or len(number) == 1) and (volume[0] != "0" or len(volume) == 1) and \
            (tariff[0] != "0" or len(tariff) == 1) and (amount[0] != "0" or len(amount) == 1) and \
            len(begin) == 10 == len(end) and begin[0] != " " and end[0] != " "
    except TypeError:  # a field is missing: let the full look decide
        return False


_field_kinds: dict[str, int] = {}


def _field_kind(name: str) -> int:
    kind = _field_kinds.get(name)
    if kind is None:
        leaf = name.rpartition("/")[2]
        kind = _INTEGER if leaf in _INTEGER_FIELDS else _DATE if leaf.endswith(_DATE_SUFFIXES) \
            else _NOT_CHECKED
        if len(_field_kinds) < 4096:
            _field_kinds[name] = kind
    return kind


@rule("NOTATIE", None, on=("Header", "Declaratie", "DeclaratieAntwoord", "Client", "Relatie",
                           "Contact", "Prestatie", "ToegewezenProduct", "StartProduct",
                           "StopProduct", "AangevraagdProduct", "TeWijzigenProduct",
                           "NieuwProduct"),
      messages=ALL, severity=Severity.WARNING)
def plain_notation(record: Record, ctx: Context):
    """Values the XSD accepts in an unusual notation: ' 5000 ', '+5000', '005000', ' 2023-01-01'.

    The schema's integer and date types allow them; a receiving system may read them wrongly, so
    they are reported as a warning with the plain notation.
    """
    if record.kind == "Prestatie" and _plain_prestatie(record):
        return None
    problems = None
    for name, text in record.items():
        if text is None:
            continue
        kind = _field_kinds.get(name)
        if kind is None:
            kind = _field_kind(name)
        if kind == _INTEGER:
            if text.isdigit() and (text[0] != "0" or len(text) == 1):
                continue
            value = text.strip()
            plain = str(int(value)) if value.lstrip("+-").isdigit() else None
        elif kind == _DATE:
            if len(text) == 10 and text[4] == "-" and text[0] != " ":
                continue
            plain = text.strip() if not odd_date(text.strip()) else None
        else:
            continue
        if plain == text:
            continue
        leaf = name.rpartition("/")[2]
        advice = f"schrijf {plain}" if plain is not None else "schrijf de waarde zonder teken"
        problem = Problem(name, f"{leaf} {shown(text)} staat in een ongebruikelijke notatie "
                                f"(spaties, teken of voorloopnullen); de XSD staat dat toe, maar "
                                f"niet elk systeem leest het goed: {advice}.")
        problems = [problem] if problems is None else problems + [problem]
    return problems
