"""The generic region plugin: regions described by data alone, with no rules of their own.

It serves the bundled files in ``data/`` and every ``*.toml`` file in the directory named by the
setting WMO_GENERIC_REGIONS_DIR, so an operator can add a region without writing code.

Declaration lines: a region file's toewijzing rule of kind ``volume`` with frequency "1" (per dag)
and a ``max`` also caps what is declared for a client per day (e.g. G3-D1, vervoer once a day);
see portal/declaraties/line_rules.py.
"""

from pathlib import Path

from portal.declaraties.line_rules import per_day_caps
from portal.plugins.errors import RegionLoadError
from portal.plugins.hookspecs import hookimpl
from portal.plugins.region_data import DataRegionPlugin

DATA_DIR = Path(__file__).with_name("data")


class GenericRegionsPlugin(DataRegionPlugin):
    name = "generic"

    def region_files(self, settings):
        files = sorted(DATA_DIR.glob("*.toml"))
        extra = settings.get("WMO_GENERIC_REGIONS_DIR")
        if extra:
            directory = Path(extra)
            if not directory.is_dir():
                raise RegionLoadError("generic", str(directory), "map bestaat niet")
            files += sorted(directory.glob("*.toml"))
        return files

    @hookimpl
    def wmo_validate_declaration_line(self, region, line, toewijzing):
        if not self.serves(region):
            return []
        return per_day_caps(self._regions[region].rules, line)
