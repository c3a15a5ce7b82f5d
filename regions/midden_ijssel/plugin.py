"""The Midden-IJssel/Oost-Veluwe region plugin: its data file, and the rules data cannot express."""

from pathlib import Path

from portal.plugins.hookspecs import hookimpl
from portal.plugins.region_data import DataRegionPlugin
from regions.midden_ijssel.declaration_rules import declaration_findings
from regions.midden_ijssel.rules import TOEWIJZING_RULES


class MiddenIJsselPlugin(DataRegionPlugin):
    name = "midden_ijssel"

    def region_files(self, settings):
        return [Path(__file__).with_name("region.toml")]

    def template_file(self, region_file):
        return Path(__file__).with_name("plan_templates.toml")

    @hookimpl
    def wmo_validate_toewijzing(self, region, toewijzing):
        if not self.serves(region):
            return []
        return super().wmo_validate_toewijzing(region, toewijzing) + [
            finding for rule in TOEWIJZING_RULES for finding in rule(toewijzing)]

    @hookimpl
    def wmo_validate_declaration_line(self, region, line, toewijzing):
        if not self.serves(region):
            return []
        return declaration_findings(self._regions[region].rules, line, toewijzing)
