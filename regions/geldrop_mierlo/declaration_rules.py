"""Geldrop-Mierlo's rules on declaration lines (region-rules.md §3c), for the hook
``wmo_validate_declaration_line``. The product lists come from region.toml where its toewijzing
rules already name them; the retourcode is the official one closest to each rule.

- GM-D10: at most one vervoer (a return trip) per client per day, so at most 7 a week: the
  per-day volume rule GM-D10 of region.toml, held against the client's declarations (9321).
- GM-D9: vervoer only beside an active D1 or D2 toewijzing, in the declared period (toewijzing
  rule GM-D9 again, on the line's dates). No retourcode fits: "not assessed" (0233).
- GM-D11: the staffel code fits the distance recorded on the toewijzing (toewijzing rules GM-D11
  for the declared code); ProductCode is what is wrong, so 9340.
- GM-D6: dagbesteding has no flexibility: lines within one ISO week stay within the dagdelen per
  week of the toewijzing (9321). A line over several weeks is held to the weeks it touches by
  the core's TR321.
- GM-D2, GM-D4, GM-D5, GM-D7, GM-D12 and the "used that day" part of GM-D10 read the aanbieder's
  delivery registration and the gemeente's toewijzing fields (flexibiliteit, vaste uren,
  nearest suitable location): the rules of registration_rules.toml
  (portal/declaraties/registration_rules.py). A staffel code lowered to the band of the nearest
  suitable location (GM-D12) is not also refused by GM-D11 for not fitting the actual distance.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portal.declaraties import registration_rules
from portal.declaraties.line_rules import (
    OVER_VOLUME_RETOURCODE,
    on_line_period,
    per_day_caps,
    per_week_without_flexibility,
)
from portal.plugins.data_rules import DataRule
from portal.plugins.types import Finding, Severity, ToewijzingFacts

DAGBESTEDING = ("07D01", "07D02")
# The official retourcode closest to each rule; None: the line is answered "not assessed".
RETOURCODES = {"GM-D9": None, "GM-D11": "9340"}
REGISTRATION_RULES = registration_rules.load_rules(
    Path(__file__).with_name("registration_rules.toml"), "geldrop_mierlo")


def declaration_findings(rules: list[DataRule], line: Mapping[str, Any],
                         toewijzing: ToewijzingFacts | None) -> list[Finding]:
    found = per_day_caps([rule for rule in rules if rule.id == "GM-D10"], line)
    paid_band = {registration_rules.nearest_band_of(rule, toewijzing, line.get("product_code"),
                                                    rules)
                 for rule in REGISTRATION_RULES if rule.id == "GM-D12"}
    for rule in rules:
        if rule.id == "GM-D11" and line.get("product_code") in paid_band:
            continue  # declared at the band the gemeente pays (GM-D12), not the actual distance
        if rule.id in RETOURCODES:
            found += on_line_period(rule, line, toewijzing, RETOURCODES[rule.id])
    found += per_week_without_flexibility(
        "GM-D6", DAGBESTEDING,
        "Dagbesteding kent geen flexibiliteit: per week hoogstens het aantal toegewezen dagdelen.",
        line, toewijzing, Severity.ERROR, OVER_VOLUME_RETOURCODE,
        "004:3730-3731, 4563-4564, 4605-4607")
    return found + registration_rules.findings(REGISTRATION_RULES, line, toewijzing, rules)
