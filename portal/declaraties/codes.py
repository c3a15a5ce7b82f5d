"""Every rule the portal applies to a declaration line against its data, with code and retourcode.

The codes are the iWmo business rules of ../shared/docs/iwmo.md §4 that need the municipality's
data (the file-only rules are in portal/iwmo/rules/declaratie.py). A finding points at the element
the rule is about, inside the line's Prestatie, so the WMO325 answer refuses exactly that line.
Region rules come from the region plugins and carry their own codes (see regions/DECLARATION_RULES.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.iwmo.findings import Finding
from portal.plugins.types import Severity


@dataclass(frozen=True)
class LineRule:
    code: str
    retourcode: str
    name: str  # Dutch, short: what the rule checks
    element: str | None = None  # relative to the Prestatie, e.g. "ToewijzingNummer"

    def finding(self, prestatie, message: str, severity: Severity = Severity.ERROR) -> Finding:
        path = f"{prestatie.path}/{self.element}" if self.element else prestatie.path
        return Finding(self.code, self.retourcode, prestatie.line, message, path, severity)


# -- matching the line to a toewijzing (portal.declaraties.matching) -----------------------------
UNKNOWN_TOEWIJZING = LineRule("TR338", "9338", "toewijzing bekend", "ToewijzingNummer")
OTHER_CLIENT = LineRule("TR304", "8187", "cliënt van de toewijzing", "ToewijzingNummer")
OTHER_CATEGORY = LineRule("TR339", "9339", "productcategorie van de toewijzing", "ProductCategorie")
OTHER_CODE = LineRule("TR340", "9340", "productcode van de toewijzing", "ProductCode")
BEFORE_START = LineRule("TR307", "9307", "begint niet vóór de toewijzing",
                        "ProductPeriode/Begindatum")
AFTER_END = LineRule("TR308", "9308", "eindigt niet na de toewijzing", "ProductPeriode/Einddatum")
REMOVED = LineRule("TR384", "9384", "toewijzing niet verwijderd", "ToewijzingNummer")

# -- checks on a matched line (portal.declaraties.checks) ----------------------------------------
UNIT = LineRule("TR341", "9341", "eenheid van de toewijzing", "Eenheid")
VOLUME_PER_PERIOD = LineRule("TR321", "9321", "volume binnen de omvang per periode",
                             "GeleverdVolume")
VOLUME_TOTAL = LineRule("TR322", "9322", "volume binnen de totale omvang", "GeleverdVolume")
TARIFF = LineRule("TR418", "0611", "tarief volgens de regio", "ProductTarief")
AMOUNT = LineRule("TR418", "0611", "bedrag volgens het tarief van de regio",
                  "IngediendBedrag/Bedrag")
REFERENCE_USED = LineRule("TR314", "8021", "referentienummer nieuw",
                          "ProductReferentie/ReferentieNummer")
CREDIT_WITHOUT_DEBIT = LineRule("TR323", "8017", "credit noemt een toegekende debetprestatie",
                                "ProductReferentie/VorigReferentieNummer")
CREDITED_TWICE = LineRule("TR390", "9390", "één keer gecrediteerd",
                          "ProductReferentie/VorigReferentieNummer")
DEBIT_AGAIN = LineRule("TR389", "9389", "nieuwe debet pas na creditering", "ProductPeriode")

RULES: tuple[LineRule, ...] = (
    UNKNOWN_TOEWIJZING, OTHER_CLIENT, OTHER_CATEGORY, OTHER_CODE, BEFORE_START, AFTER_END, REMOVED,
    UNIT, VOLUME_PER_PERIOD, VOLUME_TOTAL, TARIFF, AMOUNT, REFERENCE_USED, CREDIT_WITHOUT_DEBIT,
    CREDITED_TWICE, DEBIT_AGAIN,
)
