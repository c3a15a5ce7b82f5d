"""The one place that builds the plugin manager, and the typed face the rest of the core uses.

Regions are found through the entry-point group ``wmo_portal.regions`` (all four bundled region
packages register there in pyproject.toml; a third party ships a region as its own package the same
way). Tests and embedders register plugin objects directly. Installed is not enabled: the setting
WMO_REGIONS picks which of the installed regions the portal serves.
"""

from __future__ import annotations

import difflib
import importlib.metadata
from collections.abc import Iterable, Mapping
from typing import Any

import pluggy

from portal.plans.templates import EVALUATION, PLAN, Template, TemplateContext, template_from_mapping
from portal.plugins import hookspecs
from portal.plugins.errors import RegionLoadError
from portal.plugins.types import (
    ContractFacts,
    Deadline,
    Finding,
    Product,
    Region,
    ToewijzingFacts,
    ToewijzingField,
)

ENTRY_POINT_GROUP = "wmo_portal.regions"


class RegionRegistry:
    """Typed access to the enabled regions and their hooks. Build it with :meth:`create`."""

    def __init__(self, pm: pluggy.PluginManager, regions: Mapping[str, Region]):
        self._pm = pm
        self._regions = dict(regions)

    @classmethod
    def create(
        cls,
        settings: Mapping[str, Any],
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
    ) -> RegionRegistry:
        """Load, check and configure the plugins; raise RegionLoadError when a region fails.

        ``settings`` holds at least WMO_REGIONS (a list of region codes, empty for all) and is
        passed to every plugin's wmo_configure.
        """
        pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        if load_entry_points:
            for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                _register(pm, entry_point.load(), entry_point.name)
        for plugin in plugins:
            _register(pm, plugin, getattr(plugin, "name", None))
        # A misspelt hook name in a plugin fails here, loudly, instead of never being called.
        pm.check_pending()
        pm.hook.wmo_configure(settings=settings)
        regions = _collect_regions(pm)
        return cls(pm, _enabled(regions, settings.get("WMO_REGIONS") or []))

    # -- identity -------------------------------------------------------------------------------

    def regions(self) -> list[Region]:
        return sorted(self._regions.values(), key=lambda region: region.name.lower())

    def region(self, code: str) -> Region | None:
        return self._regions.get(code)

    def region_of_municipality(self, cbs_code: str) -> Region | None:
        return next((r for r in self._regions.values() if r.municipality(cbs_code)), None)

    def plugin_names(self) -> list[str]:
        return sorted(name for name, _ in self._pm.list_name_plugin())

    # -- catalogue ------------------------------------------------------------------------------

    def products(self, region: str) -> list[Product]:
        if region not in self._regions:
            return []
        return list(self._pm.hook.wmo_products(region=region) or [])

    def product(self, region: str, key: str) -> Product | None:
        return next((p for p in self.products(region) if p.key == key), None)

    def nearest_product(self, region: str, code: str) -> Product | None:
        """The region's product whose code (or key) looks most like ``code``: the hint for an
        unknown code, e.g. one typed with the letter O for a zero. None when nothing is close."""
        products = {p.code or p.key: p for p in self.products(region)}
        close = difflib.get_close_matches(code.upper(), list(products), n=1, cutoff=0.5)
        return products[close[0]] if close else None

    def toewijzing_fields(self, region: str) -> list[ToewijzingField]:
        return list(self._pm.hook.wmo_toewijzing_fields(region=region) or [])

    # -- templates and deadlines ----------------------------------------------------------------

    def plan_template(self, region: str, product: Product) -> Template | None:
        """The region's plan template for ``product``; None when it asks no plan for it."""
        return _template(self._pm.hook.wmo_plan_template(region=region, product=product),
                         region, PLAN)

    def evaluation_template(self, region: str, product: Product) -> Template | None:
        """The region's evaluation template for ``product``; None when it asks no report."""
        return _template(self._pm.hook.wmo_evaluation_template(region=region, product=product),
                         region, EVALUATION)

    def deadlines(self, region: str, toewijzing: ToewijzingFacts) -> list[Deadline]:
        return list(self._pm.hook.wmo_deadlines(region=region, toewijzing=toewijzing) or [])

    # -- validation: every plugin's findings are collected --------------------------------------

    def validate_toewijzing(self, region: str, toewijzing: ToewijzingFacts) -> list[Finding]:
        return _flatten(self._pm.hook.wmo_validate_toewijzing(region=region, toewijzing=toewijzing))

    def validate_contract(self, region: str, contract: ContractFacts) -> list[Finding]:
        return _flatten(self._pm.hook.wmo_validate_contract(region=region, contract=contract))

    def validate_plan(self, region: str, product: Product, plan: Mapping,
                      context: TemplateContext | None = None) -> list[Finding]:
        """Every plugin's findings on a plan's content (portal.plans.checks.check_plan says
        which block at which moment)."""
        context = context or TemplateContext(product_key=product.key)
        return _flatten(self._pm.hook.wmo_validate_plan(
            region=region, product=product, plan=plan, context=context))

    def validate_evaluation(self, region: str, product: Product, evaluation: Mapping,
                            context: TemplateContext | None = None) -> list[Finding]:
        context = context or TemplateContext(product_key=product.key)
        return _flatten(self._pm.hook.wmo_validate_evaluation(
            region=region, product=product, evaluation=evaluation, context=context))

    def validate_declaration_line(
        self, region: str, line: Mapping, toewijzing: ToewijzingFacts | None
    ) -> list[Finding]:
        return _flatten(self._pm.hook.wmo_validate_declaration_line(
            region=region, line=line, toewijzing=toewijzing))


def _register(pm: pluggy.PluginManager, plugin: object, name: str | None) -> None:
    # An entry point may name a class (one fresh instance per registry, so two apps in one
    # process never share plugin state) or a ready object.
    if isinstance(plugin, type):
        plugin = plugin()
    pm.register(plugin, name=name)


def _collect_regions(pm: pluggy.PluginManager) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for plugin_regions in pm.hook.wmo_regions():
        for region in plugin_regions or []:
            if region.code in regions:
                raise RegionLoadError(
                    region.code, f"plugin {region.plugin}",
                    f"regiocode wordt ook al geleverd door plugin {regions[region.code].plugin}")
            regions[region.code] = region
    return regions


def _enabled(regions: dict[str, Region], wanted: Iterable[str]) -> dict[str, Region]:
    wanted = [code for code in wanted if code]
    if not wanted:
        return regions
    unknown = [code for code in wanted if code not in regions]
    if unknown:
        raise RegionLoadError(
            ", ".join(unknown), "WMO_REGIONS",
            "deze regio is niet geïnstalleerd; geïnstalleerd zijn: " + ", ".join(sorted(regions)))
    return {code: regions[code] for code in wanted}


def _template(result: Template | Mapping | None, region: str, kind: str) -> Template | None:
    # A plugin may hand plain data; it is checked as strictly as a template file.
    if result is None or isinstance(result, Template):
        return result
    return template_from_mapping(result, region, kind)


def _flatten(results: Iterable[list[Finding] | None]) -> list[Finding]:
    return [finding for findings in results for finding in (findings or [])]
