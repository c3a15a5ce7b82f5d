"""The Geldrop-Mierlo region plugin: its data file, and later the rules data cannot express."""

from pathlib import Path

from portal.plugins.region_data import DataRegionPlugin


class GeldropMierloPlugin(DataRegionPlugin):
    name = "geldrop_mierlo"

    def region_files(self, settings):
        return [Path(__file__).with_name("region.toml")]
