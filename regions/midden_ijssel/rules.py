"""Midden-IJssel rules that the data rule kinds cannot express."""

from __future__ import annotations

import math
from datetime import timedelta

from portal.plugins.types import Finding, Severity, ToewijzingFacts

ZORGCOORDINATIE = "02A76"
# Werkt Mee ontwikkeling naar trede 3, 4, 5, with their 16-17-year and BW codes (000:1219-1223).
WERKT_MEE_ONTWIKKELING = {"02A56", "02A57", "02A58", "02J56", "02J57", "02J58",
                          "15A56", "15A57", "15A58"}


def zorgcoordinatie_at_most_one_per_week(facts: ToewijzingFacts) -> list[Finding]:
    """MIJ-D5 (000:937): "met een maximum van 1 stuk per week gedurende de looptijd".

    A warning, because it is the municipality's own rule at toewijzing. Per week: volume > 1.
    In total: volume > the number of (started) weeks between ingangsdatum and einddatum.
    """
    if facts.product_key != ZORGCOORDINATIE or facts.volume is None:
        return []
    if facts.frequency == "2" and facts.volume > 1:
        allowed = 1
    elif facts.frequency == "6" and facts.end is not None:
        allowed = math.ceil(((facts.end - facts.start).days + 1) / 7)
        if facts.volume <= allowed:
            return []
    else:
        return []
    return [Finding("MIJ-D5", Severity.WARNING,
                    f"Zorgcoördinatie is hoogstens 1 stuk per week gedurende de looptijd: "
                    f"hier hoogstens {allowed}, toegewezen {facts.volume}. [000:937]", "volume")]


def werkt_mee_ontwikkeling_extended_once(facts: ToewijzingFacts) -> list[Finding]:
    """MIJ-O5 (000:512): "maximale duur van zes maanden en kan een keer worden verlengd".

    The six months are a data rule (region.toml); this one warns when the new toewijzing is the
    third in an unbroken row (each starting the day after the previous ends).
    """
    if facts.product_key not in WERKT_MEE_ONTWIKKELING:
        return []
    earlier, start = 0, facts.start
    while earlier < 10:
        previous = next((o for o in facts.others if o.product_key in WERKT_MEE_ONTWIKKELING
                         and o.end == start - timedelta(days=1)), None)
        if previous is None:
            break
        earlier, start = earlier + 1, previous.start
    if earlier < 2:
        return []
    return [Finding("MIJ-O5", Severity.WARNING,
                    f"Werkt Mee ontwikkeling kan één keer worden verlengd; dit is de "
                    f"{earlier + 1}e aaneengesloten toewijzing. [000:512]", "ingangsdatum")]


TOEWIJZING_RULES = (zorgcoordinatie_at_most_one_per_week, werkt_mee_ontwikkeling_extended_once)
