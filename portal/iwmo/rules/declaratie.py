"""The WMO323 declaration's rules that the file alone can settle (../shared/docs/iwmo.md §4).

Rules that need the municipality's data (toewijzingen, earlier messages, the CBS list, contracts)
are not here: TR333, TR056, TR378, TR318, TR338, TR304, TR339-TR341, TR307/TR308,
TR387/TR388, TR321/TR322, TR369, TR384, TR418, TR389, TR390, TR323; TR381 runs with a region.
Several rules also apply to the WMO325 answer where its elements are the same.

A file holds up to hundreds of thousands of Prestaties, so the values several rules read (period,
amounts, unit) are read once per record by :func:`facts` and shared.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from portal.iwmo.codelists import unit_label
from portal.iwmo.records import END, Record
from portal.iwmo.rules.registry import Context, Problem, earlier, rule
from portal.iwmo.values import as_date, as_int, euro, last_day, years_before
from portal.plugins.severity import Severity

DECLARATIE = ("WMO323",)
DECLARATION_MESSAGES = ("WMO323", "WMO325")

START_OF_IWMO3 = date(2021, 1, 1)
OLDEST_YEARS = 5
MINUTE, EURO = "01", "83"

REF = "ProductReferentie/ReferentieNummer"
PREVIOUS_REF = "ProductReferentie/VorigReferentieNummer"
AMOUNT = "IngediendBedrag/Bedrag"
DEBIT_CREDIT = "IngediendBedrag/DebetCredit"
TOTAL = "TotaalIngediendBedrag/TotaalBedrag"
TOTAL_DEBIT_CREDIT = "TotaalIngediendBedrag/DebetCredit"


class Facts(NamedTuple):
    """What the rules read from a Prestatie (or from the Declaratie's period), typed."""

    period: str  # "ProductPeriode" or "DeclaratiePeriode"
    begin: date | None
    end: date | None
    unit: str | None = None
    volume: int | None = None
    tariff: int | None = None
    amount: int | None = None
    credit: bool = False


_new_facts = tuple.__new__  # NamedTuple's own constructor is Python code: too slow per Prestatie


def facts(record: Record) -> Facts:
    memo = record.memo
    if memo is None:
        text = record.text
        if record.kind == "Prestatie":
            memo = _new_facts(Facts, (
                "ProductPeriode", as_date(text("ProductPeriode/Begindatum")),
                as_date(text("ProductPeriode/Einddatum")), text("Eenheid"),
                as_int(text("GeleverdVolume")), as_int(text("ProductTarief")),
                as_int(text(AMOUNT)), text(DEBIT_CREDIT) == "C"))
        else:
            memo = Facts("DeclaratiePeriode", as_date(text("DeclaratiePeriode/Begindatum")),
                         as_date(text("DeclaratiePeriode/Einddatum")))
        record.memo = memo
    return memo


def _declaratie_dagtekening(ctx: Context) -> date | None:
    declaratie = ctx.current.get("Declaratie")
    return as_date(declaratie.text("DeclaratieDagtekening")) if declaratie is not None else None


# -- periods --------------------------------------------------------------------------------------

@rule("CS100", "0001", on=("Declaratie", "Prestatie"), messages=DECLARATIE)
def period_from_2021(record: Record, ctx: Context):
    period, begin, end = (record.memo or facts(record))[:3]
    if (begin is None or begin >= START_OF_IWMO3) and (end is None or end >= START_OF_IWMO3):
        return None
    problems = []
    for part, day in (("Begindatum", begin), ("Einddatum", end)):
        if day is not None and day < START_OF_IWMO3:
            name = f"{period}/{part}"
            problems.append(Problem(name, f"{period} {part} {record.text(name)} ligt vóór "
                                          "2021-01-01; iWmo 3 declareert alleen zorg vanaf "
                                          "1 januari 2021."))
    return problems


@rule("CS340", "0001", on="Declaratie", messages=DECLARATIE)
def declaratieperiode_is_one_month(declaratie: Record, ctx: Context):
    _period, begin, end = (declaratie.memo or facts(declaratie))[:3]
    if begin is None or end is None or begin.year in (1, 9999):
        return None
    if begin.day == 1 and end == last_day(begin):
        return None
    first, last = begin.replace(day=1), last_day(begin)
    field = "DeclaratiePeriode/Begindatum" if begin.day != 1 else "DeclaratiePeriode/Einddatum"
    return Problem(field, f"DeclaratiePeriode {begin} t/m {end} is geen hele kalendermaand; "
                          f"declareer per maand, bijvoorbeeld {first} t/m {last}.")


@rule("CS337", "0001", on="Prestatie", messages=DECLARATIE)
def productperiode_within_one_month(line: Record, ctx: Context):
    _period, begin, end = (line.memo or facts(line))[:3]
    if begin is None or end is None or (begin.month == end.month and begin.year == end.year):
        return None
    return Problem("ProductPeriode/Einddatum",
                   f"ProductPeriode {begin} t/m {end} loopt over een maandgrens; begin- en "
                   f"einddatum liggen in dezelfde maand (hier uiterlijk {last_day(begin)}). "
                   "Declareer elke maand als een aparte prestatie.")


@rule("TR137", "0001", on=("Declaratie", "Prestatie"), messages=DECLARATION_MESSAGES)
def period_end_after_begin_and_not_after_dagtekening(record: Record, ctx: Context):
    period, begin, end = (record.memo or facts(record))[:3]
    if end is None:
        return None
    dagtekening = ctx.dagtekening
    if (begin is None or end >= begin) and (dagtekening is None or end <= dagtekening):
        return None
    end_name = period + "/Einddatum"
    if begin is not None and end < begin:
        return Problem(end_name, f"{period}: Einddatum {record.text(end_name)} ligt vóór "
                                 f"Begindatum {record.text(period + '/Begindatum')}.")
    return Problem(end_name, f"{period}: Einddatum {record.text(end_name)} ligt na de dagtekening "
                             f"van het bericht ({dagtekening}); declareer alleen zorg tot en met "
                             "de dagtekening.")


@rule("TR319", "9319", on="Prestatie", messages=DECLARATIE)
def productperiode_not_after_declaratieperiode(line: Record, ctx: Context):
    """The ProductPeriode lies in the current or an earlier DeclaratiePeriode: it ends no later."""
    _period, _begin, end = (line.memo or facts(line))[:3]
    declaratie = ctx.current.get("Declaratie")
    if end is None or declaratie is None:
        return None
    declared_end = (declaratie.memo or facts(declaratie)).end
    if declared_end is None or end <= declared_end:
        return None
    return Problem("ProductPeriode/Einddatum",
                   f"ProductPeriode eindigt op {line.text('ProductPeriode/Einddatum')}, na de "
                   f"DeclaratiePeriode (tot en met {declared_end}); declareer zorg in de maand van "
                   "levering of later, niet eerder.")


@rule("TR134", "0001", on="Declaratie", messages=DECLARATIE)
def declaratiedagtekening_not_after_dagtekening(declaratie: Record, ctx: Context):
    """[uncertain] which dates TR134 covers; here: DeclaratieDagtekening ≤ the message Dagtekening.

    The period ends are covered by TR137.
    """
    day = as_date(declaratie.text("DeclaratieDagtekening"))
    if day is None or ctx.dagtekening is None or day <= ctx.dagtekening:
        return None
    return Problem("DeclaratieDagtekening",
                   f"DeclaratieDagtekening {declaratie.text('DeclaratieDagtekening')} ligt na de "
                   f"dagtekening van het bericht ({ctx.dagtekening}); ze mag niet later zijn.")


@rule("TR335", "0001", on=("Declaratie", "Prestatie"), messages=DECLARATIE)
def period_end_at_most_5_years_old(record: Record, ctx: Context):
    period, _begin, end = (record.memo or facts(record))[:3]
    oldest = ctx.state.get("TR335")
    if oldest is None:  # worked out once, from the Declaratie that comes before every Prestatie
        declared = _declaratie_dagtekening(ctx)
        oldest = ctx.state["TR335"] = (declared, years_before(declared, OLDEST_YEARS)
                                       if declared is not None else None)
    if end is None or oldest[1] is None or end >= oldest[1]:
        return None
    return Problem(f"{period}/Einddatum",
                   f"{period}: Einddatum {record.text(period + '/Einddatum')} ligt meer dan "
                   f"{OLDEST_YEARS} jaar vóór de DeclaratieDagtekening {oldest[0]}; zorg van vóór "
                   f"{oldest[1]} kan niet meer worden gedeclareerd.")


@rule("TR135", "8848", on=("Declaratie", "Prestatie"), messages=DECLARATIE)
def declaration_dates_not_in_future(record: Record, ctx: Context):
    period, begin, end = (record.memo or facts(record))[:3]
    today = ctx.today
    if record.kind == "Prestatie" and (begin is None or begin <= today) and \
            (end is None or end <= today):
        return None
    names = [f"{period}/Begindatum", f"{period}/Einddatum"]
    if record.kind == "Declaratie":
        names.append("DeclaratieDagtekening")
    problems = []
    for name in names:
        day = as_date(record.text(name))
        if day is not None and day > today:
            problems.append(Problem(name, f"{name.replace('/', ' ')} {record.text(name)} ligt in "
                                          f"de toekomst (vandaag is {today}); declareer alleen "
                                          "geleverde zorg."))
    return problems or None


# -- amounts --------------------------------------------------------------------------------------

@rule("CS325", "0001", on=("Declaratie", "DeclaratieAntwoord", "Prestatie"),
      messages=DECLARATION_MESSAGES)
def zero_amount_is_debit(record: Record, ctx: Context):
    if record.kind == "Prestatie":
        if record.text(DEBIT_CREDIT) != "C":
            return None
        pairs = ((AMOUNT, DEBIT_CREDIT),)
    else:
        pairs = ((TOTAL, TOTAL_DEBIT_CREDIT),
                 ("TotaalToegekendBedrag/TotaalBedrag", "TotaalToegekendBedrag/DebetCredit"))
    problems = []
    for amount_name, flag_name in pairs:
        if record.text(flag_name) == "C" and as_int(record.text(amount_name)) == 0:
            problems.append(Problem(flag_name, f"{amount_name.split('/')[0]} is 0 met DebetCredit "
                                               "C; een bedrag van 0 heeft altijd DebetCredit D."))
    return problems or None


@rule("CD087", "0001", on="Prestatie", messages=DECLARATIE)
def tariff_present_unless_euro(line: Record, ctx: Context):
    unit = line.text("Eenheid")
    has_tariff = line.has("ProductTarief")
    if (unit == EURO) is not has_tariff or unit is None:
        return None
    if has_tariff:
        return Problem("ProductTarief", "Bij Eenheid 83 (euro's) hoort geen ProductTarief: het "
                                        "bedrag in centen staat in GeleverdVolume. Laat "
                                        "ProductTarief weg.")
    return Problem("Eenheid", f"ProductTarief ontbreekt; bij Eenheid {unit} ({unit_label(unit)}) "
                              "is het tarief per eenheid verplicht.")


@rule("CS339", "0001", on="Prestatie", messages=DECLARATIE)
def euro_amount_equals_volume(line: Record, ctx: Context):
    if line.text("Eenheid") != EURO:
        return None
    known = line.memo or facts(line)
    volume, amount = known.volume, known.amount
    if volume is None or amount is None or volume == amount:
        return None
    return Problem(AMOUNT, f"Bij Eenheid 83 (euro's) is IngediendBedrag gelijk aan GeleverdVolume: "
                           f"verwacht {volume} cent ({euro(volume)}), gevonden {amount} cent "
                           f"({euro(amount)}).")


def minute_amount(hourly_tariff: int, minutes: int) -> int:
    """The amount for ``minutes`` at an hourly tariff, half-up to cents (iwmo.md §4 Units)."""
    return (2 * hourly_tariff * minutes + 60) // 120


def hourly_tariff_fits(minutes: int, tariff: int, amount: int) -> bool:
    """An hourly tariff H declared in minutes: ProductTarief is H/60 rounded half-up, and the amount
    is H × minutes / 60 rounded half-up. Without the contract tariff, accept when some H that rounds
    to this ProductTarief (60·T − 30 … 60·T + 29) gives exactly this amount [inference]."""
    lowest, highest = max(0, 60 * tariff - 30), 60 * tariff + 29
    if minutes <= 0:
        return amount == 0
    # minute_amount grows with H: the smallest H reaching the amount is the only candidate.
    hourly = max(lowest, -(-(120 * amount - 60) // (2 * minutes)))
    return hourly <= highest and minute_amount(hourly, minutes) == amount


@rule("TR346", "9346", on="Prestatie", messages=DECLARATIE)
def amount_is_volume_times_tariff(line: Record, ctx: Context):
    """Bedrag = GeleverdVolume × ProductTarief, or for minutes the hourly-tariff exception of §4.

    A minute line whose ProductTarief is the hourly tariff itself (Bedrag = tariff × minutes / 60)
    is what ../shared/tools/gen_wmo323.py writes and some regions' rules describe; it is not
    an error here, but the END check below warns once per file that §4 asks for H/60.
    """
    _period, _begin, _end, unit, volume, tariff, amount, _credit = line.memo or facts(line)
    if unit == EURO or volume is None or tariff is None or amount is None or \
            amount == volume * tariff:
        return None
    if unit == MINUTE:
        if minute_amount(tariff, volume) == amount:  # the hourly tariff itself (see above)
            seen = ctx.state.get("TR346.uurtarief")
            if seen is None:
                seen = ctx.state["TR346.uurtarief"] = {"count": 0,
                                                       "where": line.where("ProductTarief")}
            seen["count"] += 1
            return None
        if hourly_tariff_fits(volume, tariff, amount):
            return None
    message = (f"IngediendBedrag {amount} cent ({euro(amount)}) klopt niet: GeleverdVolume "
               f"{volume} × ProductTarief {tariff} cent = {volume * tariff} cent "
               f"({euro(volume * tariff)}).")
    if unit == MINUTE:
        low, high = minute_amount(60 * tariff - 30, volume), minute_amount(60 * tariff + 29, volume)
        message += (f" Bij een uurtarief dat in minuten wordt gedeclareerd is ProductTarief het "
                    f"uurtarief / 60 (afgerond) en het bedrag uurtarief × minuten / 60, half naar "
                    f"boven afgerond: bij ProductTarief {tariff} past een bedrag van {low} tot "
                    f"{high} cent.")
    return Problem(AMOUNT, message)


@rule("TR346", "9346", on=END, messages=DECLARATIE, severity=Severity.WARNING)
def hourly_tariff_written_as_product_tariff(end: Record, ctx: Context):
    seen = ctx.store("TR346.uurtarief")
    count, where = seen.get("count", 0), seen.get("where")
    if not count:
        return None
    lines = "prestatie" if count == 1 else f"{count} prestaties"
    return Problem("ProductTarief", f"Bij {lines} in minuten (Eenheid 01) is ProductTarief het "
                                    "uurtarief zelf en het bedrag uurtarief × minuten / 60 (eerste "
                                    f"op regel {where[0]}). De standaard (iWmo §4) vraagt als "
                                    "ProductTarief het uurtarief / 60, half naar boven afgerond op "
                                    "centen; een gemeente kan deze regels met 9346 afwijzen.",
                   where=where)


@rule("TR358", "0001", on="Prestatie", messages=DECLARATIE)
def add_to_total(line: Record, ctx: Context):
    """Keeps Σ debet − Σ credit for the END check below."""
    amount, credit = (line.memo or facts(line))[6:8]
    if amount is not None:
        state = ctx.state
        state["TR358"] = state.get("TR358", 0) + (-amount if credit else amount)
    return None


@rule("TR358", "0001", on=END, messages=DECLARATIE)
def total_equals_sum_of_lines(end: Record, ctx: Context):
    """TotaalBedrag = Σ debet − Σ credit; a negative net is its absolute value with C
    [inference]."""
    declaratie = ctx.current.get("Declaratie")
    if declaratie is None:
        return None
    declared = as_int(declaratie.text(TOTAL))
    flag = declaratie.text(TOTAL_DEBIT_CREDIT)
    if declared is None or flag not in ("D", "C"):
        return None
    net = ctx.state.get("TR358", 0)
    if (declared if flag == "D" else -declared) == net:
        return None
    expected = f"{abs(net)} {'C' if net < 0 else 'D'}"
    return Problem(TOTAL, f"TotaalIngediendBedrag is {declared} {flag} ({euro(declared)}), maar de "
                          f"prestaties tellen op tot {expected} ({euro(abs(net))}; debet min "
                          "credit).", where=declaratie.where(TOTAL))


# -- references and duplicates ------------------------------------------------------------------

@rule("CD060", "0001", on="Prestatie", messages=DECLARATION_MESSAGES)
def previous_reference_iff_credit(line: Record, ctx: Context):
    credit = line.text(DEBIT_CREDIT) == "C"
    has_previous = PREVIOUS_REF in line
    if credit is has_previous:
        return None
    if credit:
        return Problem(DEBIT_CREDIT, "Een creditregel (DebetCredit C) noemt in ProductReferentie/"
                                     "VorigReferentieNummer het ReferentieNummer van de prestatie "
                                     "die wordt gecrediteerd; dat ontbreekt.")
    return Problem(PREVIOUS_REF, "VorigReferentieNummer hoort alleen bij een creditregel "
                                 "(DebetCredit C); deze prestatie is debet. Laat het weg.")


@rule("TR314", "8021", on="Prestatie", messages=DECLARATIE)
def reference_unique_in_file(line: Record, ctx: Context):
    """[uncertain] A repeated ReferentieNummer breaks TR314 (per line) and, within one client,
    TR101 too (see prestatie_appears_once); both are reported."""
    reference = line.text(REF)
    references = ctx.state.get("TR314") or ctx.store("TR314")
    first = references.get(reference)
    if first is None:
        references[reference] = line.line
        return None
    return Problem(REF, f"ReferentieNummer {reference} staat al bij een andere prestatie "
                        f"(regel {first}); elke prestatie heeft een eigen ReferentieNummer.")


@rule("TR315", "0001", on="Prestatie", messages=DECLARATIE)
def previous_reference_unique(line: Record, ctx: Context):
    previous = line.text(PREVIOUS_REF)
    if previous is None:
        return None
    first = earlier(ctx.store("TR315"), previous, line.line)
    if first is None:
        return None
    return Problem(PREVIOUS_REF, f"VorigReferentieNummer {previous} wordt al gecrediteerd door de "
                                 f"prestatie op regel {first}; een prestatie wordt in één bericht "
                                 "maar één keer gecrediteerd.")


@rule("TR316", "0001", on="Prestatie", messages=DECLARATIE)
def previous_reference_not_in_same_file(line: Record, ctx: Context):
    """A credit may not point at a ReferentieNummer of the same file, earlier or later.

    Reads the ReferentieNummers TR314 keeps (reference_unique_in_file runs first).
    """
    previous = line.text(PREVIOUS_REF)
    previous_refs = ctx.state.get("TR316")
    if previous is None and previous_refs is None:
        return None
    references = ctx.store("TR314")
    previous_refs = ctx.store("TR316")
    problems = []
    if previous is not None:
        previous_refs.setdefault(previous, line.where(PREVIOUS_REF))
        if previous in references:
            problems.append(Problem(PREVIOUS_REF, _same_file(previous, references[previous])))
    reference = line.text(REF)
    if reference is not None and reference != previous and reference in previous_refs:
        problems.append(Problem(PREVIOUS_REF, _same_file(reference, line.line),
                                where=previous_refs[reference]))
    return problems or None


def _same_file(reference: str, line: int | None) -> str:
    return (f"VorigReferentieNummer {reference} is het ReferentieNummer van een prestatie in dit "
            f"bericht (regel {line}); crediteer alleen prestaties uit een eerder bericht.")


@rule("TR101", "0001", on="Client", messages=DECLARATION_MESSAGES)
def client_appears_once(client: Record, ctx: Context):
    bsn = client.text("Bsn")
    first = earlier(ctx.store("TR101.Client"), bsn, client.line)
    if first is None:
        return None
    return Problem("Bsn", f"De cliënt met BSN {bsn} staat al eerder in dit bericht (regel "
                          f"{first}); zet alle prestaties van één cliënt onder één Client.")


@rule("TR101", "0001", on="Prestatie", messages=DECLARATION_MESSAGES)
def prestatie_appears_once(line: Record, ctx: Context):
    """The logical key of a Prestatie is its ReferentieNummer, under its Client's Bsn."""
    client = ctx.current.get("Client")
    seen = ctx.state.get("TR101.Prestatie")
    if seen is None or seen[0] is not client:
        seen = ctx.state["TR101.Prestatie"] = (client, {})
    reference = line.text(REF)
    first = seen[1].get(reference)
    if first is None:
        seen[1][reference] = line.line
        return None
    return Problem(REF, f"Deze prestatie staat dubbel bij dezelfde cliënt: ReferentieNummer "
                        f"{reference} staat ook op regel {first}.")


@rule("TR416", "0001", on="Prestatie", messages=DECLARATIE)
def one_debit_per_assignment_product_and_period(line: Record, ctx: Context):
    text = line.text
    if text(DEBIT_CREDIT) != "D":
        return None
    key = (text("ToewijzingNummer"), text("ProductCategorie"), text("ProductCode"),
           text("ProductPeriode/Begindatum"), text("ProductPeriode/Einddatum"))
    debits = ctx.state.get("TR416") or ctx.store("TR416")
    first = debits.get(key)
    if first is None:
        debits[key] = line.line
        return None
    return Problem("ToewijzingNummer",
                   f"Er staat al een debetregel voor ToewijzingNummer {text('ToewijzingNummer')}, "
                   f"product {text('ProductCategorie')}/{text('ProductCode')} en periode "
                   f"{text('ProductPeriode/Begindatum')} t/m {text('ProductPeriode/Einddatum')} "
                   f"(regel {first}); tel de levering op in één prestatie.")
