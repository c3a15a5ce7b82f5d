"""Midden-IJssel's rules on declaration lines (region-rules.md §1c), for the hook
``wmo_validate_declaration_line``. The products come from region.toml's toewijzing rules.

- MIJ-D6: vervoer (08A03, 08A04) is paid per day of use: at most one per client per day, the
  per-day volume rule MIJ-D6 of region.toml held against the client's declarations (9321).
- MIJ-D9: the 02J codes are for clients of 16 and 17, the 02A codes for adults: the age rules
  MIJ-D9 of region.toml with the age on the first day of the declared period (a warning).
- MIJ-D1, MIJ-D7 and the "used that day" part of MIJ-D6 read the aanbieder's delivery
  registration: the rules of registration_rules.toml (portal/declaraties/registration_rules.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portal.declaraties import registration_rules
from portal.declaraties.line_rules import age_on_line, per_day_caps
from portal.plugins.data_rules import DataRule
from portal.plugins.types import Finding, ToewijzingFacts

REGISTRATION_RULES = registration_rules.load_rules(
    Path(__file__).with_name("registration_rules.toml"), "midden_ijssel")


def declaration_findings(rules: list[DataRule], line: Mapping[str, Any],
                         toewijzing: ToewijzingFacts | None) -> list[Finding]:
    found = per_day_caps([rule for rule in rules if rule.id == "MIJ-D6"], line)
    for rule in rules:
        if rule.id == "MIJ-D9":
            found += age_on_line(rule, line, toewijzing)
    return found + registration_rules.findings(REGISTRATION_RULES, line, toewijzing, rules)
