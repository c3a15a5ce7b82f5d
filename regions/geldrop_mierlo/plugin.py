"""The Geldrop-Mierlo region plugin: its data files, and the rules data cannot express."""

from pathlib import Path

from portal.plugins.hookspecs import hookimpl
from portal.plugins.region_data import DataRegionPlugin
from regions.geldrop_mierlo.declaration_rules import declaration_findings
from regions.geldrop_mierlo.rules import EVALUATION_RULES


class GeldropMierloPlugin(DataRegionPlugin):
    name = "geldrop_mierlo"
    evaluation_rules = EVALUATION_RULES

    def region_files(self, settings):
        return [Path(__file__).with_name("region.toml")]

    def template_file(self, region_file):
        return Path(__file__).with_name("plan_templates.toml")

    @hookimpl
    def wmo_validate_declaration_line(self, region, line, toewijzing):
        if not self.serves(region):
            return []
        return declaration_findings(self._regions[region].rules, line, toewijzing)
