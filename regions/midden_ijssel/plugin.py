"""The Midden-IJssel/Oost-Veluwe region plugin: its data file, and later the rules data cannot express."""

from pathlib import Path

from portal.plugins.region_data import DataRegionPlugin


class MiddenIJsselPlugin(DataRegionPlugin):
    name = "midden_ijssel"

    def region_files(self, settings):
        return [Path(__file__).with_name("region.toml")]
