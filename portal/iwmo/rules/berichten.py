"""Rules of the other heen messages (WMO305, 307, 315, 317) that the file alone can settle.

iwmo.md §4 lists for 305/307 CS058 and a set of TR rules that need the toewijzingen (TR019, TR326,
...); for 315/317/319 only rules that need earlier messages or the municipality's data. What is
checked here: CS058 and TR101 (no duplicate lines). The logical keys are [inference]: a line is a
duplicate when its key repeats (ToewijzingNummer for 317, ReferentieAanbieder for 315) or, where
the standard's key is not stated (305, 307, 317 NieuwProduct), when it repeats in every field.
"""

from __future__ import annotations

from portal.iwmo.records import Record
from portal.iwmo.rules.registry import Context, Problem, earlier, rule

START_STOP = ("WMO305", "WMO307")


@rule("CS058", "0001", on=("StartProduct", "StopProduct"), messages=START_STOP)
def status_first_or_delete(product: Record, ctx: Context):
    status = product.text("StatusAanlevering")
    if status is None or status in ("1", "3"):
        return None
    return Problem("StatusAanlevering", f"StatusAanlevering {status} is hier niet toegestaan; "
                                        "gebruik 1 (eerste aanlevering) of 3 (verwijderen).")


def _whole_line_once(record: Record, ctx: Context):
    key = tuple(sorted((name, text) for name, text in record.fields.items()))
    first = earlier(ctx.store(f"TR101.{record.kind}"), key, record.line)
    if first is None:
        return None
    return Problem(None, f"Deze {record.kind} staat dubbel in het bericht: regel {first} heeft "
                         "precies dezelfde gegevens.")


@rule("TR101", "0001", on=("StartProduct", "StopProduct"), messages=START_STOP)
def start_stop_line_once(product: Record, ctx: Context):
    return _whole_line_once(product, ctx)


@rule("TR101", "0001", on="NieuwProduct", messages=("WMO317",))
def new_product_once(product: Record, ctx: Context):
    return _whole_line_once(product, ctx)


@rule("TR101", "0001", on=("OngewijzigdProduct", "TeWijzigenProduct"), messages=("WMO317",))
def assignment_named_once(product: Record, ctx: Context):
    number = product.text("ToewijzingNummer")
    first = earlier(ctx.store("TR101.ToewijzingNummer"), number, product.line)
    if first is None:
        return None
    return Problem("ToewijzingNummer", f"ToewijzingNummer {number} staat al eerder in dit verzoek "
                                       f"(regel {first}); noem elke toewijzing één keer.")


@rule("TR101", "0001", on="AangevraagdProduct", messages=("WMO315",))
def requested_product_once(product: Record, ctx: Context):
    reference = product.text("ReferentieAanbieder")
    first = earlier(ctx.store("TR101.ReferentieAanbieder"), reference, product.line)
    if first is None:
        return None
    return Problem("ReferentieAanbieder", f"ReferentieAanbieder {reference} staat al eerder in dit "
                                          f"verzoek (regel {first}); elk aangevraagd product heeft "
                                          "een eigen referentie.")
