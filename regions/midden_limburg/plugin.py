"""The Midden-Limburg West / MER region plugin: its data file, and later the rules data cannot express."""

from pathlib import Path

from portal.declaraties import registration_rules
from portal.declaraties.line_rules import on_line_period, per_day_caps
from portal.plugins.hookspecs import hookimpl
from portal.plugins.region_data import DataRegionPlugin

# ML-D1, ML-D2, ML-D3, ML-D5, ML-D6, ML-D8 and the "used that day" part of ML-D7 read the
# aanbieder's delivery registration (portal/declaraties/registration_rules.py).
REGISTRATION_RULES = registration_rules.load_rules(
    Path(__file__).with_name("registration_rules.toml"), "midden_limburg")


class MiddenLimburgPlugin(DataRegionPlugin):
    name = "midden_limburg"

    def region_files(self, settings):
        return [Path(__file__).with_name("region.toml")]

    def template_file(self, region_file):
        return Path(__file__).with_name("plan_templates.toml")

    @hookimpl
    def wmo_validate_declaration_line(self, region, line, toewijzing):
        """ML-D7: vervoer is one tariff per day, at most one per client per day (the per-day
        volume rule ML-D7 of region.toml, held against the client's declarations), and only
        beside a running BGG toewijzing (rule ML-O9 again, on the declared period; no official
        retourcode fits, so the line is answered "not assessed")."""
        if not self.serves(region):
            return []
        rules = self._regions[region].rules
        found = per_day_caps([rule for rule in rules if rule.id == "ML-D7"], line)
        for rule in rules:
            if rule.id == "ML-O9":
                found += on_line_period(rule, line, toewijzing)
        return found + registration_rules.findings(REGISTRATION_RULES, line, toewijzing, rules)
