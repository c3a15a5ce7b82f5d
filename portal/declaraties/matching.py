"""Which toewijzing a declaration line is for, and why none fits.

A debet line is matched by its ToewijzingNummer among the toewijzingen the gemeente gave this
aanbieder; the toewijzing must then be the client's (TR304), for the declared product category and
code where the toewijzing sets them (TR339, TR340), cover the ProductPeriode (TR307, TR308) and not
be removed (TR384, RedenWijziging 13). Every mismatch is reported at once, in Dutch, saying what
was looked for. A line matches only when none applies.

A credit line is not matched here: it reverses an earlier debet, whose toewijzing it takes
(portal.declaraties.checks), even when that toewijzing has since ended or been removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.declaraties import codes
from portal.declaraties.ledger import Assigned, Ledger
from portal.declaraties.reading import Prestatie
from portal.iwmo.findings import Finding


@dataclass(frozen=True, slots=True)
class Match:
    toewijzing: Assigned | None  # None: not matched (findings say why)
    found: Assigned | None  # the toewijzing with that number, matched or not
    findings: tuple[Finding, ...] = ()


def masked(bsn: str | None) -> str:
    return f"••••••{bsn[-3:]}" if bsn else "onbekend"


def match(prestatie: Prestatie, ledger: Ledger, aanbieder_code: str,
          gemeente_code: str) -> Match:
    nummer = prestatie.toewijzing_nummer
    toewijzing = ledger.own.get(nummer) if nummer is not None else None
    if toewijzing is None:
        return Match(None, None, (codes.UNKNOWN_TOEWIJZING.finding(
            prestatie,
            f"Geen toewijzing gevonden: gezocht naar ToewijzingNummer {nummer} van gemeente "
            f"{gemeente_code} aan aanbieder {aanbieder_code}, voor cliënt {masked(prestatie.bsn)}, "
            f"product {prestatie.product}, periode {prestatie.period}. Controleer het "
            f"toewijzingnummer in het toewijzingsbericht (WMO301)."),))

    findings = []
    where = f"Toewijzing {nummer}"
    if toewijzing.bsn != prestatie.bsn:
        findings.append(codes.OTHER_CLIENT.finding(
            prestatie, f"{where} hoort bij een andere cliënt (BSN {masked(toewijzing.bsn)}), niet "
                       f"bij de cliënt van deze prestatie (BSN {masked(prestatie.bsn)})."))
    if toewijzing.category != prestatie.category:
        findings.append(codes.OTHER_CATEGORY.finding(
            prestatie, f"{where} is voor productcategorie {toewijzing.category}; deze prestatie "
                       f"declareert categorie {prestatie.category}."))
    if toewijzing.code is not None and toewijzing.code != prestatie.code:
        findings.append(codes.OTHER_CODE.finding(
            prestatie, f"{where} is voor productcode {toewijzing.code}; deze prestatie declareert "
                       f"{prestatie.code}."))
    if prestatie.begin is not None and prestatie.begin < toewijzing.start:
        findings.append(codes.BEFORE_START.finding(
            prestatie, f"De prestatie begint op {prestatie.begin}, vóór de ingangsdatum van "
                       f"{where.lower()} ({toewijzing.start}); declareer vanaf de ingangsdatum."))
    if prestatie.end is not None and toewijzing.end is not None and prestatie.end > toewijzing.end:
        findings.append(codes.AFTER_END.finding(
            prestatie, f"De prestatie eindigt op {prestatie.end}, na de einddatum van "
                       f"{where.lower()} ({toewijzing.end}); declareer tot en met de einddatum."))
    if toewijzing.status == "verwijderd":
        findings.append(codes.REMOVED.finding(
            prestatie, f"{where} is door de gemeente verwijderd (RedenWijziging 13); op een "
                       f"verwijderde toewijzing kan niet worden gedeclareerd."))
    return Match(None if findings else toewijzing, toewijzing, tuple(findings))
