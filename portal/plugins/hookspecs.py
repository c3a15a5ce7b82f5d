"""Every hook a region plugin may implement. The one place that says what a region supplies.

A plugin serves one or more regions. Hooks that ask about one region take its ``region`` code and
are ``firstresult``: they stop at the first non-None result, so a plugin returns None for a region
it does not serve. Validation hooks collect: every plugin may add findings, and the core shows them
all together, because a user fixing a file wants every problem at once.

Code outside ``portal/plugins`` never calls ``pm.hook.*`` directly; it goes through
:class:`portal.plugins.manager.RegionRegistry`, which has a typed method per hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pluggy

from portal.plans.templates import Template, TemplateContext
from portal.plugins.types import (
    ContractFacts,
    Deadline,
    Finding,
    Product,
    Region,
    ToewijzingFacts,
    ToewijzingField,
)

PROJECT_NAME = "wmo_portal"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def wmo_configure(settings: Mapping[str, Any]) -> None:
    """Called once at start-up with the portal's settings, before any other hook.

    A plugin reads its own settings here (the generic plugin reads WMO_GENERIC_REGIONS_DIR) and
    loads its data files. It raises :class:`portal.plugins.errors.RegionLoadError` when its data
    does not load; start-up then stops with that message.
    """


@hookspec
def wmo_regions() -> list[Region]:
    """Return the regions this plugin serves, with their municipalities (CBS codes).

    Every plugin's list is collected; region codes must be unique across plugins.
    """


@hookspec(firstresult=True)
def wmo_products(region: str) -> list[Product] | None:
    """Return the product catalogue of ``region``, or None if this plugin does not serve it.

    Stops at the first non-None result. An empty list means: served, but no products yet.
    """


@hookspec(firstresult=True)
def wmo_toewijzing_fields(region: str) -> list[ToewijzingField] | None:
    """Return the extra fields the region records on a toewijzing (e.g. perceel, grondslag).

    The core shows them on the toewijzing form, stores them, and passes them to the validation
    hooks in ``ToewijzingFacts.attributes``. Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def wmo_plan_template(region: str, product: Product) -> Template | dict | None:
    """Return the plan template (ondersteunings-/uitvoerings-/begeleidingsplan) for ``product``.

    A :class:`portal.plans.templates.Template` (sections, fields with their conditions, the goals
    group, the reviewer's checklist, rules), or the same as plain data in the shape of one
    ``[[templates]]`` table, which the registry checks and turns into a Template. None when this
    plugin does not serve the region or the region requires no plan for the product. Stops at the
    first non-None result. DataRegionPlugin answers from the region's template file.
    """


@hookspec(firstresult=True)
def wmo_evaluation_template(region: str, product: Product) -> Template | dict | None:
    """Return the evaluation template (evaluatieverslag) for ``product``, like wmo_plan_template.

    None when the region asks no evaluation report for the product. Stops at the first non-None
    result.
    """


@hookspec(firstresult=True)
def wmo_deadlines(region: str, toewijzing: ToewijzingFacts) -> list[Deadline] | None:
    """Return the deadlines the region sets for a toewijzing (plan, evaluations, reminders).

    None when this plugin does not serve the region; an empty list when the region sets none.
    Stops at the first non-None result.
    """


@hookspec
def wmo_validate_toewijzing(region: str, toewijzing: ToewijzingFacts) -> list[Finding]:
    """Return findings on a toewijzing (every plugin's findings are collected; [] if none)."""


@hookspec
def wmo_validate_contract(region: str, contract: ContractFacts) -> list[Finding]:
    """Return findings on an aanbieder's registration for a product (collected; [] if none)."""


@hookspec
def wmo_validate_plan(
    region: str, product: Product, plan: Mapping[str, Any], context: TemplateContext
) -> list[Finding]:
    """Return findings on a plan's content (collected; [] if none).

    ``plan`` is the content as the form builder stores it (portal.plans.form_builder); ``context``
    holds the product key, the client's gemeente, the toewijzing's dates and the day of saving or
    submitting. Each finding has its severity as the seed words it: the core shows every finding
    as a warning when a concept is saved, and lets errors block a submission. DataRegionPlugin
    checks the template's data rules here (portal.plans.checks.check_content) and adds its
    subclass's ``plan_rules``.
    """


@hookspec
def wmo_validate_evaluation(
    region: str, product: Product, evaluation: Mapping[str, Any], context: TemplateContext
) -> list[Finding]:
    """Return findings on an evaluation's content, like wmo_validate_plan (collected; [] if none)."""


@hookspec
def wmo_validate_declaration_line(
    region: str, line: Mapping[str, Any], toewijzing: ToewijzingFacts | None
) -> list[Finding]:
    """Return findings on one declaration line (a WMO323 Prestatie) against its toewijzing.

    ``line`` holds the Prestatie's values under the keys documented in
    portal/iwmo/region_checks.py (bsn, reference, product_code, start, end, volume, unit,
    tariff_cents, amount_cents, debit_credit, line, ...). ``toewijzing`` is None when no matching
    toewijzing was found (always on the command line). Collected; [] if none.
    """
