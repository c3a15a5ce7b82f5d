"""Midden-IJssel rules that the data rule kinds cannot express."""

from __future__ import annotations

import math

from portal.plugins.types import Finding, Severity, ToewijzingFacts

ZORGCOORDINATIE = "02A76"


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


TOEWIJZING_RULES = (zorgcoordinatie_at_most_one_per_week,)
