"""The WMO301 toewijzing's rules that the file alone can settle (../shared/docs/iwmo.md §4).

"301: CS003 (end ≥ begin), CS335 (13 only if Ingangsdatum = Einddatum), CS336 (no 01), CD041
(Omvang if Code), CD077/CD078 (Omvang xor Budget), CD079 (Product if no Budget), CD075 (Einddatum if
Budget), CD076 (Einddatum if Frequentie 2), CD080 (no Omvang if no Code and Einddatum empty or
> 2020-12-31), CS338 (units 14/16/83/84 need Frequentie 2/4/6, same date condition)." All give 0001.
TR006/TR061/TR302/TR332/TR385/TR379 need data outside the file and are not checked here.
"""

from __future__ import annotations

from datetime import date

from portal.iwmo.codelists import FREQUENCIES, unit_label
from portal.iwmo.records import Record
from portal.iwmo.rules.registry import Context, Problem, earlier, rule
from portal.iwmo.values import as_date

TOEWIJZING = ("WMO301",)
PRODUCT = "ToegewezenProduct"

OMVANG = "Omvang"
BUDGET = "Budget"
CODE = "Product/Code"
END_DATE = "Einddatum"
START_DATE = "Ingangsdatum"
REASON = "RedenWijziging"
LAST_DAY_BEFORE_IWMO3 = date(2020, 12, 31)
UNITS_NEEDING_LONG_FREQUENCY = ("14", "16", "83", "84")
LONG_FREQUENCIES = ("2", "4", "6")


def _open_or_after_2020(product: Record) -> bool:
    """The date condition of CD080 and CS338: Einddatum empty or after 2020-12-31."""
    end = as_date(product.text(END_DATE))
    return end is None or end > LAST_DAY_BEFORE_IWMO3


@rule("CS003", "0001", on=(PRODUCT, "Contact"), messages=TOEWIJZING)
def end_not_before_start(record: Record, ctx: Context):
    if record.kind == PRODUCT:
        start_name, end_name = START_DATE, END_DATE
    else:
        start_name, end_name = "Periode/Begindatum", "Periode/Einddatum"
    start, end = as_date(record.text(start_name)), as_date(record.text(end_name))
    if start is None or end is None or end >= start:
        return None
    return Problem(end_name, f"{end_name.replace('/', ' ')} {record.text(end_name)} ligt vóór "
                             f"{start_name.replace('/', ' ')} {record.text(start_name)}.")


@rule("CS335", "0001", on=PRODUCT, messages=TOEWIJZING)
def removed_only_with_equal_dates(product: Record, ctx: Context):
    if product.text(REASON) != "13":
        return None
    start, end = as_date(product.text(START_DATE)), as_date(product.text(END_DATE))
    if start is not None and start == end:
        return None
    return Problem(REASON, f"RedenWijziging 13 (verwijderd) mag alleen als Einddatum gelijk is aan "
                           f"Ingangsdatum ({product.text(START_DATE)}); Einddatum is "
                           f"{product.text(END_DATE) or 'leeg'}.")


@rule("CS336", "0001", on=PRODUCT, messages=TOEWIJZING)
def reason_01_not_used(product: Record, ctx: Context):
    if product.text(REASON) != "01":
        return None
    return Problem(REASON, "RedenWijziging 01 is vervallen en mag niet meer worden gebruikt; kies "
                           "de reden die past (02 t/m 14).")


@rule("CD041", "0001", on=PRODUCT, messages=TOEWIJZING)
def omvang_with_product_code(product: Record, ctx: Context):
    if not product.has(CODE) or product.has(OMVANG):
        return None
    return Problem(CODE, f"Omvang ontbreekt; bij een toewijzing met Productcode "
                         f"{product.text(CODE)} (specifiek) is de Omvang verplicht.")


@rule("CD077", "0001", on=PRODUCT, messages=TOEWIJZING)
def no_omvang_with_budget(product: Record, ctx: Context):
    if not (product.has(OMVANG) and product.has(BUDGET)):
        return None
    return Problem(OMVANG, "Omvang mag niet gevuld zijn als Budget gevuld is: een toewijzing heeft "
                           "een Omvang (specifiek) of een Budget (generiek), niet allebei.")


@rule("CD078", "0001", on=PRODUCT, messages=TOEWIJZING)
def no_budget_with_omvang(product: Record, ctx: Context):
    if not (product.has(OMVANG) and product.has(BUDGET)):
        return None
    return Problem(BUDGET, "Budget mag niet gevuld zijn als Omvang gevuld is: een toewijzing heeft "
                           "een Omvang (specifiek) of een Budget (generiek), niet allebei.")


@rule("CD079", "0001", on=PRODUCT, messages=TOEWIJZING)
def product_unless_budget(product: Record, ctx: Context):
    if product.has("Product") or product.has(BUDGET):
        return None
    return Problem(None, "Product ontbreekt; zonder Budget is Product (Categorie en eventueel "
                         "Code) verplicht.")


@rule("CD075", "0001", on=PRODUCT, messages=TOEWIJZING)
def end_date_with_budget(product: Record, ctx: Context):
    if not product.has(BUDGET) or product.text(END_DATE) is not None:
        return None
    return Problem(BUDGET, "Einddatum ontbreekt; een toewijzing met een Budget heeft een "
                           "Einddatum.")


@rule("CD076", "0001", on=PRODUCT, messages=TOEWIJZING)
def end_date_with_weekly_frequency(product: Record, ctx: Context):
    """As iwmo.md §4 states it: "CD076 (Einddatum if Frequentie 2)"."""
    if product.text("Omvang/Frequentie") != "2" or product.text(END_DATE) is not None:
        return None
    return Problem("Omvang/Frequentie", "Einddatum ontbreekt; bij Frequentie 2 (per week) is de "
                                        "Einddatum verplicht.")


@rule("CD080", "0001", on=PRODUCT, messages=TOEWIJZING)
def no_omvang_without_code(product: Record, ctx: Context):
    if product.has(CODE) or not product.has(OMVANG) or not _open_or_after_2020(product):
        return None
    return Problem(OMVANG, "Omvang mag niet gevuld zijn bij een toewijzing zonder Productcode "
                           "(aspecifiek) die na 2020 loopt; laat Omvang weg of vul de Productcode.")


@rule("CS338", "0001", on=PRODUCT, messages=TOEWIJZING)
def long_frequency_for_stay_and_piece_units(product: Record, ctx: Context):
    unit, frequency = product.text("Omvang/Eenheid"), product.text("Omvang/Frequentie")
    if unit not in UNITS_NEEDING_LONG_FREQUENCY or frequency in LONG_FREQUENCIES \
            or frequency is None or not _open_or_after_2020(product):
        return None
    allowed = ", ".join(f"{code} ({FREQUENCIES[code]})" for code in LONG_FREQUENCIES)
    return Problem("Omvang/Frequentie",
                   f"Frequentie {frequency} ({FREQUENCIES.get(frequency, 'onbekend')}) past niet "
                   f"bij Eenheid {unit} ({unit_label(unit)}); toegestaan zijn {allowed}.")


@rule("TR135", "8848", on=PRODUCT, messages=TOEWIJZING)
def toewijzingsdatum_not_in_future(product: Record, ctx: Context):
    day = as_date(product.text("Toewijzingsdatum"))
    if day is None or day <= ctx.today:
        return None
    return Problem("Toewijzingsdatum", f"Toewijzingsdatum {product.text('Toewijzingsdatum')} ligt "
                                       f"in de toekomst (vandaag is {ctx.today}).")


@rule("TR101", "0001", on=PRODUCT, messages=TOEWIJZING)
def toewijzingnummer_unique(product: Record, ctx: Context):
    number = product.text("ToewijzingNummer")
    first = earlier(ctx.store("TR101.ToegewezenProduct"), number, product.line)
    if first is None:
        return None
    return Problem("ToewijzingNummer", f"ToewijzingNummer {number} staat al eerder in dit bericht "
                                       f"(regel {first}); elk toegewezen product heeft een eigen "
                                       "nummer.")


@rule("TR101", "0001", on="Relatie", messages=TOEWIJZING)
def relatie_unique(relatie: Record, ctx: Context):
    number = relatie.text("Nummer")
    first = earlier(ctx.store("TR101.Relatie"), number, relatie.line)
    if first is None:
        return None
    return Problem("Nummer", f"Relatie met Nummer {number} staat al eerder in dit bericht "
                             f"(regel {first}).")
